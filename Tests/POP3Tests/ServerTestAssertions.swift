import XCTest

// XCTAssert* take synchronous autoclosures; these take async ones so a test reads like the exchange it checks.

func assertEqual<T: Equatable>(
    _ actual: @autoclosure () async throws -> T,
    _ expected: @autoclosure () async throws -> T,
    _ message: String = "",
    file: StaticString = #filePath,
    line: UInt = #line
) async throws {
    let actualValue = try await actual()
    let expectedValue = try await expected()
    XCTAssertEqual(actualValue, expectedValue, message, file: file, line: line)
}

func assertPrefix(
    _ reply: @autoclosure () async throws -> String,
    _ prefix: String,
    _ message: String = "",
    file: StaticString = #filePath,
    line: UInt = #line
) async throws {
    let value = try await reply()
    XCTAssertTrue(value.hasPrefix(prefix), "\(value.prefix(200)) does not start with \(prefix) \(message)",
                  file: file, line: line)
}
