/// The user's deletion marks, local until the commit. Keyed by UID so a mark follows the message
/// the user saw; a server without UIDL only offers the session's message number.
public struct DeletionMarks: Sendable, Equatable {
    /// Each mark with its message's size, so the status line's totals cost nothing per redraw.
    private var sizes: [MessageIdentity: Int] = [:]

    public init() {}

    public func contains(_ listing: MessageListing) -> Bool { sizes[listing.identity] != nil }
    public var count: Int { sizes.count }
    public var totalSize: Int { sizes.values.reduce(0, +) }

    public mutating func mark(_ listing: MessageListing) { sizes[listing.identity] = listing.size }
    public mutating func unmark(_ listing: MessageListing) { sizes[listing.identity] = nil }
    public mutating func removeAll() { sizes.removeAll() }

    /// Moves marks held by number to the UIDs that `listings` (of the same session) now have.
    public mutating func identify(_ listings: [MessageListing]) {
        guard !sizes.isEmpty else { return }
        for listing in listings {
            if let uid = listing.uid, let size = sizes.removeValue(forKey: .number(listing.number)) {
                sizes[.uid(uid)] = size
            }
        }
    }

    /// Keeps only the marks that still name one of `listings` (after a new listing arrived). On
    /// a new session (`renumbered`) a mark held by number alone is dropped: the same number may
    /// now be another message. Returns how many marks held by number were dropped.
    @discardableResult
    public mutating func retain(_ listings: [MessageListing], renumbered: Bool = false) -> Int {
        guard !sizes.isEmpty else { return 0 }
        var kept: [MessageIdentity: Int] = [:]
        for listing in listings where sizes[listing.identity] != nil {
            if renumbered, case .number = listing.identity { continue }
            kept[listing.identity] = listing.size
        }
        let byNumber = { (marks: [MessageIdentity: Int]) in marks.keys.count { if case .number = $0 { true } else { false } } }
        let dropped = byNumber(sizes) - byNumber(kept)
        sizes = kept
        return dropped
    }
}
