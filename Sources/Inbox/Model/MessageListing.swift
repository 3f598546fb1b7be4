/// One message as the server lists it: the number is only valid for this session, the UID (when
/// the server has UIDL) is what identifies the message across sessions and what a deletion is
/// checked against.
public struct MessageListing: Sendable, Equatable, Hashable {
    public var number: Int
    public var uid: String?
    public var size: Int
    /// The header block's fingerprint, once its `TOP n 0` arrived: what names a message across
    /// sessions on a server without UIDL.
    public var fingerprint: HeaderFingerprint?

    public init(number: Int, uid: String?, size: Int, fingerprint: HeaderFingerprint? = nil) {
        self.number = number
        self.uid = uid
        self.size = size
        self.fingerprint = fingerprint
    }

    /// What names this message beyond the session: its UID; without UIDL, its header block and
    /// size; before that header arrived, only its number.
    public var identity: MessageIdentity {
        if let uid { return .uid(uid) }
        if let fingerprint { return .header(fingerprint, size: size) }
        return .number(number)
    }
}

public enum MessageIdentity: Hashable, Sendable {
    case uid(String)
    /// A server without UIDL: the message whose header block and size these are.
    case header(HeaderFingerprint, size: Int)
    /// Valid in one session only.
    case number(Int)
}

/// A digest of a message's header block as `TOP n 0` returned it. Keyed per process (the
/// standard library's seeded hash), so a server cannot aim two messages at one fingerprint; it
/// only has to last as long as the marks it identifies, which are never saved.
public struct HeaderFingerprint: Hashable, Sendable {
    private let digest: Int

    public init(headerBytes: [UInt8]) {
        var hasher = Hasher()
        headerBytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(headerBytes.count)
        digest = hasher.finalize()
    }
}

/// The deletions the user confirmed: each marked row as the user saw it, in ascending message
/// number, and the session whose numbers those are (see `InboxEvent.listing`).
public struct CommitPlan: Sendable, Equatable {
    public var entries: [MessageListing]
    public var session: Int

    public init(entries: [MessageListing], session: Int = 0) {
        self.entries = entries.sorted { $0.number < $1.number }
        self.session = session
    }

    public var isEmpty: Bool { entries.isEmpty }
}

/// A planned deletion that was not sent, and why (in words the user can read).
public struct SkippedDeletion: Sendable, Equatable {
    public var message: MessageListing
    public var reason: String

    public init(message: MessageListing, reason: String) {
        self.message = message
        self.reason = reason
    }
}

/// What the server did with a commit, as far as Mailbag can know it.
public struct CommitReport: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// QUIT was answered `+OK`: the server removed every message in `deleted`.
        case confirmed
        /// The session ended before QUIT was sent, so the server deleted nothing; the marks stand.
        case nothingDeleted(String)
        /// QUIT was sent and not answered `+OK` (an `-ERR`, or the connection dropped): the server
        /// may have removed some, all or none of `deleted`. `gone` is what a new session found
        /// missing of them; nil when it could not look.
        case unknown(String, gone: [MessageListing]?)
    }

    /// Messages whose DELE the server accepted.
    public var deleted: [MessageListing]
    public var skipped: [SkippedDeletion]
    public var serverText: String?
    public var outcome: Outcome
    /// Where a copy of each deleted message was saved first (archive, safety net), as the user
    /// wrote the folder.
    public var savedTo: [MessageListing: String] = [:]

    public init(deleted: [MessageListing], skipped: [SkippedDeletion], serverText: String?, outcome: Outcome = .confirmed) {
        self.deleted = deleted
        self.skipped = skipped
        self.serverText = serverText
        self.outcome = outcome
    }

    /// Messages known to be gone from the server.
    public var confirmedDeletions: [MessageListing] {
        switch outcome {
        case .confirmed: deleted
        case .nothingDeleted: []
        case .unknown(_, let gone): gone ?? []
        }
    }

    /// Whether the server did what the user confirmed, as far as it was allowed.
    public var succeeded: Bool { outcome == .confirmed }
}
