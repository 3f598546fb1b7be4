/// How many `TOP` commands a batch keeps in flight. Too few and every round trip idles the
/// server; too many and a command the user is waiting for (an opened message) queues behind
/// megabytes of header replies. So the window tracks twice the bandwidth-delay product: the rate
/// at which replies arrive times the shortest round trip seen. While the window itself is what
/// holds the rate back it grows fourfold per measurement, which takes two round trips (one for the
/// added commands to come back, one to measure the rate they made): it doubles per round trip, as
/// TCP's slow start does.
struct PipelineWindow {
    /// The configured ceiling (`POP3Configuration.pipelineWindow`).
    let limit: Int
    private(set) var size: Int
    private var shortestRoundTrip: Duration?
    private var roundStart: ContinuousClock.Instant?
    private var repliesThisRound = 0
    private var grew = false

    /// Below this the window never shrinks: on loopback the round trip is microseconds, and
    /// dozens of commands per write cost far less than a write each.
    static let floor = 128
    /// The first round at least: a mailbox of a few thousand messages goes out in one write, as
    /// the fastest possible client would send it, and a bigger one grows from there. Only this
    /// first round can queue more than two round trips of replies.
    static let initial = 2048
    /// How fast a quick server answers `TOP n 0` on loopback (Dovecot about 70,000 a second,
    /// Courier 50,000): before any rate is measured, the first round is sized as if the server
    /// were this fast, so a long round trip starts near the window it needs instead of doubling
    /// up to it over several round trips. A slower server shrinks it at the first measurement.
    static let assumedRepliesPerSecond = 50_000.0

    /// - Parameter roundTrip: the session's quickest lock-step answer (the login's), if any.
    init(limit: Int, roundTrip: Duration? = nil) {
        self.limit = limit
        let guess = roundTrip.map { Int(2 * Self.assumedRepliesPerSecond * $0.seconds) } ?? 0
        size = min(limit, max(Self.initial, guess))
    }

    /// Call once per reply with when its command was written and when the reply was complete.
    mutating func replyArrived(sentAt: ContinuousClock.Instant, at now: ContinuousClock.Instant) {
        let roundTrip = now - sentAt
        if shortestRoundTrip.map({ roundTrip < $0 }) ?? true { shortestRoundTrip = roundTrip }
        guard let start = roundStart else {
            roundStart = now
            return
        }
        repliesThisRound += 1
        // A round lasts at least one round trip: replies come in bursts, and a rate measured
        // inside a burst says nothing about the connection.
        let elapsed = now - start
        guard let rtt = shortestRoundTrip, elapsed >= rtt, elapsed > .zero else { return }
        let perSecond = Double(repliesThisRound) / elapsed.seconds
        let target = Int((2 * perSecond * rtt.seconds).rounded(.up))
        roundStart = now
        repliesThisRound = 0
        // The round after a growth still carries the replies of the smaller window: it measures
        // nothing about the new one.
        if grew {
            grew = false
            return
        }
        // Replies arriving at nearly one window per round trip mean the window, not the server,
        // set the rate: grow it twice over, so it doubles once per round trip rather than two.
        let windowBound = Double(target) >= 1.5 * Double(size)
        let next = max(min(limit, Self.floor), min(limit, windowBound ? 2 * target : target))
        grew = next > size
        size = next
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
