@testable import POP3
import XCTest

/// The window follows the bandwidth-delay product: it grows while it is what limits the rate,
/// settles at twice the product when the server is the limit, and stays within its bounds.
final class PipelineWindowTests: XCTestCase {
    private var now = ContinuousClock.now

    /// Replays a connection whose round trip is `rtt` and whose server answers at most
    /// `serverRate` replies per second, for `rounds` windows' worth of replies.
    private func simulate(_ window: inout PipelineWindow, rtt: Duration, serverRate: Double, rounds: Int) {
        for _ in 0..<rounds {
            let batch = window.size
            // A round lasts a round trip, or longer when the server cannot keep up.
            let roundTime = max(rtt, .seconds(Double(batch) / serverRate))
            let sentAt = now
            for i in 1...batch {
                window.replyArrived(sentAt: sentAt, at: sentAt + rtt + (roundTime - rtt) * (Double(i) / Double(batch)))
            }
            now = now + roundTime
        }
    }

    func testShrinksToASlowServerAndGrowsExponentiallyWhileTheWindowIsTheLimit() {
        var window = PipelineWindow(limit: 100_000)
        XCTAssertEqual(window.size, PipelineWindow.initial)
        // Throttled first (a slow server), then the server speeds up: the window is the limit.
        simulate(&window, rtt: .milliseconds(100), serverRate: 1_000, rounds: 10)
        XCTAssertLessThan(window.size, 300)
        let throttled = window.size
        var sizes: [Int] = []
        for _ in 0..<6 {
            simulate(&window, rtt: .milliseconds(100), serverRate: 1_000_000, rounds: 1)
            sizes.append(window.size)
        }
        XCTAssertEqual(sizes, sizes.sorted(), "never shrinks while the server keeps up")
        // Doubling every round trip; a size set during one round shows in the next one's sends.
        XCTAssertGreaterThanOrEqual(sizes.last ?? 0, throttled * 8, "sizes \(sizes)")
    }

    func testSettlesNearTwiceTheBandwidthDelayProduct() {
        var window = PipelineWindow(limit: 100_000)
        simulate(&window, rtt: .milliseconds(100), serverRate: 20_000, rounds: 20)
        // 20,000 replies/s × 0.1 s = 2,000 in one round trip.
        XCTAssertGreaterThan(window.size, 3_000)
        XCTAssertLessThan(window.size, 5_000)
    }

    func testStaysAtTheFloorOnLoopbackAndNeverPassesTheLimit() {
        var loopback = PipelineWindow(limit: 8192)
        simulate(&loopback, rtt: .microseconds(50), serverRate: 30_000, rounds: 50)
        XCTAssertEqual(loopback.size, PipelineWindow.floor)

        var capped = PipelineWindow(limit: 500)
        simulate(&capped, rtt: .milliseconds(200), serverRate: 50_000, rounds: 20)
        XCTAssertEqual(capped.size, 500)

        var tiny = PipelineWindow(limit: 3)
        simulate(&tiny, rtt: .milliseconds(200), serverRate: 50_000, rounds: 5)
        XCTAssertEqual(tiny.size, 3)
    }
}
