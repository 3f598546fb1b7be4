/// The messages the user tagged (`t`, `T`) for a `;` action. Held by identity, as the deletion
/// marks are, so a tag follows its message through a sort, a limit or a new listing. A tag
/// deletes nothing by itself, so one whose message cannot be named again is dropped, where a
/// mark would wait for its header.
public struct MessageTags: Sendable, Equatable {
    private var identities: Set<MessageIdentity> = []

    public init() {}

    public func contains(_ listing: MessageListing) -> Bool { identities.contains(listing.identity) }
    public var count: Int { identities.count }

    public mutating func tag(_ listing: MessageListing) { identities.insert(listing.identity) }
    public mutating func untag(_ listing: MessageListing) { identities.remove(listing.identity) }

    /// Moves tags held by number, or by header on a listing that now has a UID, to the identity
    /// `listings` (of the same session) now have.
    public mutating func identify(_ listings: [MessageListing]) {
        guard !identities.isEmpty else { return }
        for listing in listings {
            var weaker: [MessageIdentity] = [.number(listing.number)]
            if listing.uid != nil, let fingerprint = listing.fingerprint { weaker.append(.header(fingerprint, size: listing.size)) }
            for old in weaker where old != listing.identity && identities.remove(old) != nil {
                identities.insert(listing.identity)
            }
        }
    }

    /// Keeps the tags that name one of `listings`; on a new session (`renumbered`) not those
    /// held by number, which may now name another message.
    public mutating func retain(_ listings: [MessageListing], renumbered: Bool) {
        guard !identities.isEmpty else { return }
        let held = identities
        identities = Set(listings.lazy.map(\.identity).filter { identity in
            guard held.contains(identity) else { return false }
            if renumbered, case .number = identity { return false }
            return true
        })
    }
}
