import NIOCore

/// How long the reply now due may take. The silence timeout alone lets a server that drips a byte
/// every few seconds hold a reply open for days (a 100 MB message at that rate); this one also
/// bounds the whole reply: the timeout's worth of grace, plus a second for every `minimumRate`
/// bytes received. The credit comes from bytes received rather than from the size LIST claims,
/// which a hostile server could inflate to switch the bound off; a reply that keeps up with
/// `minimumRate` never meets it, however large.
struct ReplyDeadline {
    /// Bytes per second. A mobile link at its worst still moves several KiB a second; a server
    /// slower than this over a whole reply is stuck or hostile.
    static let minimumRate = 1024
    /// Credit beyond this many bytes (a terabyte) adds nothing, which keeps the arithmetic far from overflow.
    private static let maxCredit = 1 << 40

    let grace: TimeAmount
    private(set) var startedAt: NIODeadline
    private(set) var received = 0

    init(grace: TimeAmount, startedAt: NIODeadline) {
        self.grace = grace
        self.startedAt = startedAt
    }

    var deadline: NIODeadline {
        let credit = min(received, Self.maxCredit)
        let rate = Self.minimumRate
        return startedAt + grace + .seconds(Int64(credit / rate))
            + .nanoseconds(Int64(credit % rate) * 1_000_000_000 / Int64(rate))
    }

    mutating func restart(at now: NIODeadline) {
        startedAt = now
        received = 0
    }

    mutating func add(_ bytes: Int) {
        received = min(received + bytes, Self.maxCredit)
    }

    /// The error for a reply that missed its deadline at `now`.
    func error(at now: NIODeadline) -> POP3Error {
        .replyTooSlow(bytes: received, seconds: Int((now - startedAt).nanoseconds / 1_000_000_000))
    }
}
