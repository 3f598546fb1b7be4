/// What a key or a pattern does to a message's deletion mark, tag, read state or flag.
public enum FlagChange: Sendable, Equatable {
    case mark, unmark, tag, untag, read, unread, flag, unflag

    /// What a message is after the change.
    public var state: String {
        switch self {
        case .mark: "marked for deletion"
        case .unmark: "unmarked"
        case .tag: "tagged"
        case .untag: "untagged"
        case .read: "read"
        case .unread: "unread"
        case .flag: "flagged"
        case .unflag: "unflagged"
        }
    }

    /// "marked 12 messages for deletion", "untagged message 5": for notices and for undo.
    func summary(_ listings: [MessageListing]) -> String {
        let what = listings.count == 1 ? "message \(listings[0].number)" : "\(listings.count) messages"
        return switch self {
        case .mark: "marked \(what) for deletion"
        case .unmark: "unmarked \(what)"
        case .tag: "tagged \(what)"
        case .untag: "untagged \(what)"
        case .read: "marked \(what) read"
        case .unread: "marked \(what) unread"
        case .flag: "flagged \(what)"
        case .unflag: "unflagged \(what)"
        }
    }
}

/// One change of marks, tags, read states or flags as the user made it (a key, a pattern, a `;` action), with what
/// each message it changed had before, so that undoing restores exactly that.
struct FlagEdit: Sendable {
    struct Before: Sendable {
        var listing: MessageListing
        var marked: Bool
        var tagged: Bool
        var state: MessageState
    }

    var summary: String
    var before: [Before]
    /// The session whose message numbers `before` holds.
    var session: Int
}

/// The last edits of marks, tags, read states and flags, newest last. Bounded: a morning's triage is a few dozen
/// actions, and each pattern action may hold thousands of messages.
struct UndoHistory: Sendable {
    static let capacity = 50

    private var edits: [FlagEdit] = []

    mutating func record(_ edit: FlagEdit) {
        edits.append(edit)
        if edits.count > Self.capacity { edits.removeFirst(edits.count - Self.capacity) }
    }

    mutating func takeLast() -> FlagEdit? { edits.popLast() }
}

/// What `undo` did: the action it undid and how many of its messages are no longer listed
/// (deleted by another client since), which it could not restore.
public struct UndoOutcome: Sendable, Equatable {
    public var summary: String
    public var notFound: Int
}

/// How a mark or tag action went: how many messages it applied to, how many of those it
/// changed (the rest already were as asked), and in words what it did (nil when nothing), as
/// `undo` will name it.
public struct FlagChangeOutcome: Sendable, Equatable {
    public var matched: Int
    public var changed: Int
    public var summary: String?
}
