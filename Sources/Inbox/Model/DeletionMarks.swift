/// The user's deletion marks, local until the commit. Keyed by UID so a mark follows the message
/// the user saw; a server without UIDL only offers the session's message number.
public struct DeletionMarks: Sendable, Equatable {
    private var keys: Set<MessageIdentity> = []

    public init() {}

    public func contains(_ listing: MessageListing) -> Bool { keys.contains(listing.identity) }

    public mutating func mark(_ listing: MessageListing) { keys.insert(listing.identity) }
    public mutating func unmark(_ listing: MessageListing) { keys.remove(listing.identity) }
    public mutating func removeAll() { keys.removeAll() }

    /// Keeps only the marks that still name one of `listings` (after a new listing arrived). On
    /// a new session (`renumbered`) a mark held by number alone is dropped: the same number may
    /// now be another message.
    public mutating func retain(_ listings: [MessageListing], renumbered: Bool = false) {
        keys.formIntersection(listings.map(\.identity))
        if renumbered { keys = keys.filter { if case .uid = $0 { true } else { false } } }
    }
}
