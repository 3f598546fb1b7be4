@testable import POP3
import XCTest

/// The window follows the bandwidth-delay product: it grows while it is what limits the rate,
/// settles at twice the product when the server is the limit, and stays within its bounds.
final class PipelineWindowTests: XCTestCase {
    private var now = ContinuousClock.now
    private var inFlight: [ContinuousClock.Instant] = []
    private var lastReply: ContinuousClock.Instant?

    /// A connection whose round trip is `rtt` to a server answering at most `serverRate` replies
    /// a second, driven the way `topBatch` drives it: the window kept full, refilled per reply.
    private func simulate(_ window: inout PipelineWindow, rtt: Duration, serverRate: Double, replies: Int) {
        let service = Duration.seconds(1 / serverRate)
        while inFlight.count < window.size { inFlight.append(now) }
        for _ in 0..<replies {
            let sentAt = inFlight.removeFirst()
            let arrival = max(sentAt + rtt, (lastReply ?? sentAt) + service)
            lastReply = arrival
            now = arrival
            window.replyArrived(sentAt: sentAt, at: arrival)
            while inFlight.count < window.size { inFlight.append(now) }
        }
    }

    func testShrinksToASlowServerAndGrowsExponentiallyWhileTheWindowIsTheLimit() {
        var window = PipelineWindow(limit: 100_000)
        XCTAssertEqual(window.size, PipelineWindow.initial)
        // A slow server first: 1,000 replies/s over a 100 ms round trip is 100 in flight.
        simulate(&window, rtt: .milliseconds(100), serverRate: 1_000, replies: 5_000)
        XCTAssertLessThan(window.size, 300)
        let throttled = window.size
        // Then the server keeps up with anything: the window doubles every round trip, as slow start
        // does (fourfold per measurement, which takes two: one for the added commands to come back,
        // one to measure the rate they made).
        var sizes: [Int] = []
        for _ in 0..<6 {
            simulate(&window, rtt: .milliseconds(100), serverRate: 10_000_000, replies: window.size)
            sizes.append(window.size)
        }
        XCTAssertEqual(sizes, sizes.sorted(), "never shrinks while the server keeps up")
        XCTAssertGreaterThanOrEqual(sizes.last ?? 0, throttled * 32, "sizes \(sizes)")
    }

    func testSettlesNearTwiceTheBandwidthDelayProduct() {
        var window = PipelineWindow(limit: 100_000)
        simulate(&window, rtt: .milliseconds(100), serverRate: 20_000, replies: 100_000)
        // 20,000 replies/s × 0.1 s = 2,000 in one round trip.
        XCTAssertGreaterThan(window.size, 3_000)
        XCTAssertLessThan(window.size, 5_000)
    }

    /// The login's round trip sizes the first round for a quick server: at 100 ms, 2 × 50,000/s
    /// × 0.1 s = 10,000 in flight, within the limit; on loopback the minimum first round stays.
    func testTheLoginRoundTripSizesTheFirstRound() {
        XCTAssertEqual(PipelineWindow(limit: 100_000, roundTrip: .milliseconds(100)).size, 10_000)
        XCTAssertEqual(PipelineWindow(limit: 8192, roundTrip: .milliseconds(100)).size, 8192)
        XCTAssertEqual(PipelineWindow(limit: 8192, roundTrip: .microseconds(80)).size, PipelineWindow.initial)
        XCTAssertEqual(PipelineWindow(limit: 1000, roundTrip: nil).size, 1000)
        // A slow server shrinks the guess at the first measurement.
        var window = PipelineWindow(limit: 100_000, roundTrip: .milliseconds(100))
        simulate(&window, rtt: .milliseconds(100), serverRate: 1_000, replies: 15_000)
        XCTAssertLessThan(window.size, 300)
    }

    func testStaysAtTheFloorOnLoopbackAndNeverPassesTheLimit() {
        var loopback = PipelineWindow(limit: 8192)
        simulate(&loopback, rtt: .microseconds(50), serverRate: 30_000, replies: 20_000)
        XCTAssertEqual(loopback.size, PipelineWindow.floor)

        var capped = PipelineWindow(limit: 500)
        simulate(&capped, rtt: .milliseconds(200), serverRate: 50_000, replies: 10_000)
        XCTAssertEqual(capped.size, 500)

        var tiny = PipelineWindow(limit: 3)
        simulate(&tiny, rtt: .milliseconds(200), serverRate: 50_000, replies: 100)
        XCTAssertEqual(tiny.size, 3)
    }
}
