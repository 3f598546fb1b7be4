/// What the user made of a message besides marks and tags: read or not, flagged or not. A
/// message no one has opened or flagged is `MessageState()`: unread, not flagged.
public struct MessageState: Sendable, Equatable, Hashable {
    public var read: Bool
    public var flagged: Bool

    public init(read: Bool = false, flagged: Bool = false) {
        self.read = read
        self.flagged = flagged
    }
}

/// The read and flagged states of the session's messages, held by identity as tags are, so a
/// state follows its message through a sort, a limit or a new listing. States of messages with a
/// UID outlive the session (the header cache keeps them: `takeUnsaved`); a message without one
/// (a server without UIDL) keeps its state only as long as the session can name it.
public struct MessageStates: Sendable, Equatable {
    private var states: [MessageIdentity: MessageState] = [:]
    /// States set by UID since the last `takeUnsaved`: what the header cache has yet to learn.
    private var unsaved: [String: MessageState] = [:]

    public init() {}

    public subscript(_ listing: MessageListing) -> MessageState {
        states.isEmpty ? MessageState() : states[listing.identity] ?? MessageState()
    }

    /// Whether nothing was read or flagged: every message is unread.
    public var isEmpty: Bool { states.isEmpty }

    public mutating func set(_ state: MessageState, for listing: MessageListing) {
        let identity = listing.identity
        // An entry is kept even at the default: it says the session decided, so stored states
        // arriving later (`adopt`) do not override the user.
        states[identity] = state
        if case .uid(let uid) = identity { unsaved[uid] = state }
    }

    /// Takes the states the header cache kept from earlier visits, by UID. A state the session
    /// has already set for a message wins: the user changed it after the cache was read.
    public mutating func adopt(stored: [String: MessageState]) {
        for (uid, state) in stored where states[.uid(uid)] == nil {
            states[.uid(uid)] = state
        }
    }

    /// Moves states held by number, or by header on a listing that now has a UID, to the
    /// identity `listings` (of the same session) now have; one that gains a UID is to be saved.
    public mutating func identify(_ listings: [MessageListing]) {
        guard !states.isEmpty else { return }
        for listing in listings {
            var weaker: [MessageIdentity] = [.number(listing.number)]
            if listing.uid != nil, let fingerprint = listing.fingerprint { weaker.append(.header(fingerprint, size: listing.size)) }
            for old in weaker where old != listing.identity {
                guard let state = states.removeValue(forKey: old) else { continue }
                set(state, for: listing)
            }
        }
    }

    /// Keeps the states of `listings`; on a new session (`renumbered`) not those held by number,
    /// which may now name another message, but those held by header, whose message is known
    /// again only once the new session's headers come (`identify`).
    public mutating func retain(_ listings: [MessageListing], renumbered: Bool) {
        guard !states.isEmpty else { return }
        var kept: [MessageIdentity: MessageState] = [:]
        for listing in listings {
            let identity = listing.identity
            if renumbered, case .number = identity { continue }
            if let state = states[identity] { kept[identity] = state }
        }
        if renumbered {
            for case let (identity, state) in states {
                if case .header = identity { kept[identity] = state }
            }
        }
        states = kept
    }

    /// The states set by UID since the last call, for the header cache.
    public mutating func takeUnsaved() -> [String: MessageState] {
        defer { unsaved = [:] }
        return unsaved
    }
}
