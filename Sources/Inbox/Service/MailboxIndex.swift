import MailMessage
import POP3

/// Reads what the index needs from a logged-in session: one row per message (LIST joined with
/// UIDL) and then each header block via `TOP n 0`, pipelined by the session when the server allows.
public enum MailboxIndex {
    /// LIST and UIDL joined by message number, in one round trip when the server pipelines. A server
    /// without UIDL yields rows with no UID; invalid or duplicate UIDs are dropped by the session and
    /// come back as `problems`.
    public static func listingWithUIDs(_ session: POP3Session) async throws -> (rows: [MessageListing], problems: [String]) {
        let (sizes, uids) = try await session.listWithUIDs()
        return identified(rows(sizes), by: uids)
    }

    /// A visit with summaries cached: its rows, the cached summary of each (nil where the
    /// header is still to be fetched), and the visit's UIDs.
    public struct CachedListing: Sendable {
        public var rows: [MessageListing]
        public var cached: [MessageSummary?]
        public var visit: VisitedUIDs
        public var problems: [String]

        public init(rows: [MessageListing], cached: [MessageSummary?], visit: VisitedUIDs, problems: [String]) {
            self.rows = rows
            self.cached = cached
            self.visit = visit
            self.problems = problems
        }

        /// Rows with nothing cached for them: every header is still to be fetched.
        public init(uncached rows: [MessageListing], problems: [String]) {
            self.init(
                rows: rows, cached: Array(repeating: nil, count: rows.count), visit: VisitedUIDs(rows.compactMap(\.uid)),
                problems: problems)
        }
    }

    /// The listing of a visit with a header cache. UIDL (sent with the login, with STAT) names
    /// the messages and the cache knows their sizes: when every UID is cached and the cached
    /// sizes add up to STAT's total, that is the listing, and LIST is not asked for. Otherwise
    /// LIST gives the sizes, each checked against the cached one (some servers reuse a UID for
    /// another message, and the size gives that away), and the headers of UIDs the cache does
    /// not know are asked for in the same write.
    public static func cachedListing(_ session: POP3Session, contents: HeaderCache.Contents) async throws -> CachedListing {
        let total: (count: Int, size: Int)?
        do {
            total = try await session.stat()
        } catch let error as POP3Error where !error.endsSession {
            // Only the shortcut is lost.
            total = nil
        }
        guard let uids = try await session.uidListing() else {
            // The server dropped UIDL since the summaries were cached: nothing matches them now.
            return CachedListing(uncached: rows(try await session.list()), problems: [])
        }
        var named = uids.entries.map { MessageListing(number: $0.number, uid: $0.uid, size: -1) }
        let namedVisit = VisitedUIDs(uids.entries.map(\.uid))
        let (sizes, summaries) = contents.entries(for: named, visit: namedVisit)
        if let total, total.count == named.count, !sizes.contains(where: { $0 < 0 }), sizes.reduce(0, &+) == total.size,
           named.indices.allSatisfy({ named[$0].number == $0 + 1 }) {
            for position in named.indices { named[position].size = sizes[position] }
            return CachedListing(rows: named, cached: summaries, visit: namedVisit, problems: uids.problems.map(\.description))
        }
        let unknown = zip(named, sizes).compactMap { row, size in size < 0 ? row.number : nil }
        let (rows, problems) = identified(rows(try await session.list(prefetchingHeaders: fetchOrder(unknown))), by: uids)
        let visit = VisitedUIDs(rows.compactMap(\.uid))
        return CachedListing(rows: rows, cached: contents.summaries(for: rows, visit: visit), visit: visit, problems: problems)
    }

    /// A first visit's listing: rows from LIST, with no UIDs yet, as soon as LIST is in. Every
    /// header is about to be fetched in `fetchOrder`: the first window of them is asked for while
    /// the server lists, and UIDL after the first `headersBeforeUIDs`, so the screenful the reader
    /// opens on does not wait for every UID.
    public static func listingBeforeUIDs(_ session: POP3Session) async throws -> (rows: [MessageListing], uids: PendingUIDListing) {
        let prefetch = HeaderPrefetch(beforeUIDs: headersBeforeUIDs) { sizes in fetchOrder(sizes.lazy.map(\.number)) }
        let (sizes, uids) = try await session.listing(prefetchingHeaders: prefetch)
        return (rows(sizes), uids)
    }

    /// More rows than a terminal shows at once.
    public static let headersBeforeUIDs = 100

    /// How `login` should prefetch the listing for a visit with `cache`: a first visit (nothing
    /// cached) shows rows before their UIDs, any other matches cached headers by UID first.
    public static func listingPrefetch(cache: HeaderCache?) -> ListingPrefetch {
        cache?.holdsSummaries == true ? .uidsAndTotal : .sizes
    }

    private static func rows(_ sizes: [ListEntry]) -> [MessageListing] {
        sizes.map { MessageListing(number: $0.number, uid: nil, size: $0.size) }
    }

    /// `rows` (in LIST's order) with the UIDs of `uids`; nil `uids` (no UIDL) leaves them without.
    public static func identified(_ rows: [MessageListing], by uids: UIDListing?) -> (rows: [MessageListing], problems: [String]) {
        let entries = uids?.entries ?? []
        var rows = rows
        // Servers list both in the same order, which makes the join a walk instead of a lookup.
        if entries.count == rows.count, zip(entries, rows).allSatisfy({ $0.number == $1.number }) {
            for i in rows.indices { rows[i].uid = entries[i].uid }
        } else {
            var byNumber: [Int: String] = [:]
            for entry in entries { byNumber[entry.number] = entry.uid }
            for i in rows.indices { rows[i].uid = byNumber[rows[i].number] }
        }
        return (rows, uids?.problems.map(\.description) ?? [])
    }

    /// The order headers are fetched in: newest first, the screenful the reader opens on. The
    /// requests `listingBeforeUIDs` sends early are only used by a fetch in this order.
    public static func fetchOrder(_ numbers: some Sequence<Int>) -> [Int] {
        numbers.sorted(by: >)
    }

    /// Streams each message's summary as its `TOP n 0` reply arrives, until `shouldPause` says
    /// another job is waiting. Returns how many of `numbers`, from the start, were answered.
    /// `fingerprinting` says for which numbers the header block's fingerprint is wanted (rows
    /// without a UID); the others get nil.
    @discardableResult
    public static func summaries(
        _ session: POP3Session,
        for numbers: [Int],
        shouldPause: @escaping @Sendable () -> Bool = { false },
        fingerprinting: @escaping @Sendable (Int) -> Bool = { _ in false },
        each: @escaping @Sendable (Int, Result<MessageSummary, POP3Error>, HeaderFingerprint?) async -> Void
    ) async throws -> Int {
        try await session.topBatch(numbers, lines: 0, shouldPause: shouldPause) { number, result in
            let fingerprint = fingerprinting(number) ? (try? result.get()).map(HeaderFingerprint.init(headerBytes:)) : nil
            await each(number, result.map { MessageSummary.parse(headerBytes: $0) }, fingerprint)
        }
    }

    /// What the header cache holds (as preloaded, when it was), or nil without one. A cache that
    /// cannot be read costs a notice and a full fetch, never the index.
    public static func cacheContents(_ cache: HeaderCache?, notice: (String) -> Void) async -> HeaderCache.Contents? {
        guard let cache else { return nil }
        do {
            return try await cache.preloadedContents()
        } catch {
            notice(error.description)
            return nil
        }
    }

    /// Saves fetched summaries; rows without a UID are never cached.
    public static func remember(_ fetched: [(MessageListing, MessageSummary)], in cache: HeaderCache?, notice: (String) -> Void) {
        guard let cache else { return }
        let entries = fetched.compactMap { row, summary in row.uid.map { (uid: $0, size: row.size, summary: summary) } }
        guard !entries.isEmpty else { return }
        do {
            try cache.store(entries)
        } catch {
            notice(error.description)
        }
    }

    /// Ends a visit: vanished UIDs are evicted and the listed ones become the previous visit.
    /// Without contents (no cache, or one that could not be read) there is nothing to compare
    /// with; without UIDs (a server with no UIDL lists none) there is nothing to key the cache by.
    public static func recordVisit(_ uids: VisitedUIDs, in cache: HeaderCache?, since contents: HeaderCache.Contents?, notice: (String) -> Void) {
        guard let cache, let contents, !uids.isEmpty else { return }
        do {
            try cache.recordVisit(uids, since: contents)
        } catch {
            notice(error.description)
        }
    }
}
