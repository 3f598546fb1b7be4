import XCTest
@testable import Inbox

final class RowPositionsTests: XCTestCase {
    func testAListingNumberedInOrderNeedsNoTable() {
        let positions = RowPositions(1...5)
        XCTAssertEqual((0...6).map(positions.position(of:)), [nil, 0, 1, 2, 3, 4, nil])
        XCTAssertNil(positions.position(of: -1))
        XCTAssertNil(RowPositions().position(of: 1))
    }

    func testGapsAndRepeatsAreLookedUpAndTheFirstRepeatWins() {
        let positions = RowPositions([2, 3, 3, 7, 1])
        XCTAssertEqual([1, 2, 3, 4, 7, 8].map(positions.position(of:)), [4, 0, 1, nil, 3, nil])
    }
}
