/// One message as the server lists it: the number is only valid for this session, the UID (when
/// the server has UIDL) is what identifies the message across sessions and what a deletion is
/// checked against.
public struct MessageListing: Sendable, Equatable, Hashable {
    public var number: Int
    public var uid: String?
    public var size: Int

    public init(number: Int, uid: String?, size: Int) {
        self.number = number
        self.uid = uid
        self.size = size
    }

    /// What names this message beyond the session: its UID, or only its number when the server
    /// has no UIDL.
    public var identity: MessageIdentity { uid.map(MessageIdentity.uid) ?? .number(number) }
}

public enum MessageIdentity: Hashable, Sendable {
    case uid(String)
    /// Valid in one session only.
    case number(Int)
}

/// The deletions the user confirmed: each marked row as the user saw it (number and UID),
/// in ascending message number.
public struct CommitPlan: Sendable, Equatable {
    public var entries: [MessageListing]

    public init(entries: [MessageListing]) {
        self.entries = entries.sorted { $0.number < $1.number }
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

/// What the server confirmed after a commit. `failure` set means the session ended before
/// QUIT's reply, so nothing was deleted whatever `deleted` holds.
public struct CommitReport: Sendable, Equatable {
    public var deleted: [MessageListing]
    public var skipped: [SkippedDeletion]
    public var serverText: String?
    public var failure: String?

    public init(deleted: [MessageListing], skipped: [SkippedDeletion], serverText: String?, failure: String?) {
        self.deleted = deleted
        self.skipped = skipped
        self.serverText = serverText
        self.failure = failure
    }

    /// Messages the server really removed: none when the session failed before QUIT completed.
    public var confirmedDeletions: [MessageListing] { failure == nil ? deleted : [] }
}
