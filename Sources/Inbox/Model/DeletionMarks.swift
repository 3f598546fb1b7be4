/// The user's deletion marks, local until the commit. Keyed by UID so a mark follows the message
/// the user saw; a server without UIDL only offers the session's message number.
public struct DeletionMarks: Sendable, Equatable {
    private enum Key: Hashable, Sendable {
        case uid(String)
        case number(Int)

        init(_ listing: MessageListing) {
            self = listing.uid.map(Key.uid) ?? .number(listing.number)
        }
    }

    private var keys: Set<Key> = []

    public init() {}

    public func contains(_ listing: MessageListing) -> Bool { keys.contains(Key(listing)) }

    public mutating func mark(_ listing: MessageListing) { keys.insert(Key(listing)) }
    public mutating func unmark(_ listing: MessageListing) { keys.remove(Key(listing)) }
    public mutating func removeAll() { keys.removeAll() }

    /// Keeps only the marks that still name one of `listings` (after a new listing arrived).
    public mutating func retain(_ listings: [MessageListing]) {
        keys.formIntersection(listings.map(Key.init))
    }
}
