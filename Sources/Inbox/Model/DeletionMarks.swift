/// The user's deletion marks, local until the commit. Keyed by UID so a mark follows the message
/// the user saw; a server without UIDL only offers the session's message number.
public struct DeletionMarks: Sendable, Equatable {
    /// Each mark with its message's size, so the status line's totals cost nothing per redraw.
    private var sizes: [MessageIdentity: Int] = [:]

    public init() {}

    public func contains(_ listing: MessageListing) -> Bool { sizes[listing.identity] != nil }
    public var count: Int { sizes.count }
    public var totalSize: Int { ByteCount.total(sizes.values) }

    public mutating func mark(_ listing: MessageListing) { sizes[listing.identity] = listing.size }
    public mutating func unmark(_ listing: MessageListing) { sizes[listing.identity] = nil }

    /// Moves marks held by number, or by header on a listing that now has UIDs, to the better
    /// identity that `listings` (of the same session) now have.
    public mutating func identify(_ listings: [MessageListing]) {
        guard !sizes.isEmpty else { return }
        for listing in listings {
            let identity = listing.identity
            var weaker: [MessageIdentity] = [.number(listing.number)]
            if listing.uid != nil, let fingerprint = listing.fingerprint { weaker.append(.header(fingerprint, size: listing.size)) }
            for old in weaker where old != identity {
                if let size = sizes.removeValue(forKey: old) { sizes[identity] = size }
            }
        }
    }

    /// Keeps only the marks that still name one of `listings` (after a new listing arrived). On
    /// a new session (`renumbered`) a mark held by number alone is dropped: the same number may
    /// now be another message; a mark held by header waits for the headers of the new session
    /// (`retainHeaders`). Returns how many marks held by number were dropped.
    @discardableResult
    public mutating func retain(_ listings: [MessageListing], renumbered: Bool = false) -> Int {
        guard !sizes.isEmpty else { return 0 }
        var kept: [MessageIdentity: Int] = [:]
        for listing in listings where sizes[listing.identity] != nil {
            if renumbered, case .number = listing.identity { continue }
            kept[listing.identity] = listing.size
        }
        if renumbered {
            for case let (identity, size) in sizes {
                if case .header = identity { kept[identity] = size }
            }
        }
        let byNumber = { (marks: [MessageIdentity: Int]) in marks.keys.count { if case .number = $0 { true } else { false } } }
        let dropped = byNumber(sizes) - byNumber(kept)
        sizes = kept
        return dropped
    }

    /// Once every header of a new session is in: drops marks held by a header block that no
    /// message has any more. Returns how many were dropped.
    @discardableResult
    public mutating func retainHeaders(_ listings: [MessageListing]) -> Int {
        let present = Set(listings.lazy.map(\.identity))
        let gone = sizes.keys.filter { identity in
            if case .header = identity { !present.contains(identity) } else { false }
        }
        for identity in gone { sizes[identity] = nil }
        return gone.count
    }

    /// Marks held by header block that name none of `listings`: made on an earlier session, for
    /// a message whose header this one has not read yet. As plan entries without a number, so
    /// the commit looks for them by header.
    public func unmatchedHeaderMarks(in listings: [MessageListing]) -> [MessageListing] {
        let present = Set(listings.lazy.map(\.identity))
        return sizes.compactMap { identity, size in
            guard case .header(let fingerprint, _) = identity, !present.contains(identity) else { return nil }
            return MessageListing(number: 0, uid: nil, size: size, fingerprint: fingerprint)
        }
    }
}
