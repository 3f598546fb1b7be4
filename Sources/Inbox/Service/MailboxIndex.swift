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
        cache?.holdsSummaries == true ? .sizesAndUIDs : .sizes
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
    @discardableResult
    public static func summaries(
        _ session: POP3Session,
        for numbers: [Int],
        shouldPause: @escaping @Sendable () -> Bool = { false },
        each: @escaping @Sendable (Int, Result<MessageSummary, POP3Error>) async -> Void
    ) async throws -> Int {
        try await session.topBatch(numbers, lines: 0, shouldPause: shouldPause) { number, result in
            await each(number, result.map { MessageSummary.parse(headerBytes: $0) })
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

    /// The summaries `contents` already has for these rows, in row order, nil where it has none;
    /// `visit` is `VisitedUIDs` of the rows' UIDs.
    public static func cachedSummaries(_ rows: [MessageListing], visit: VisitedUIDs, in contents: HeaderCache.Contents?) -> [MessageSummary?] {
        contents?.summaries(for: rows, visit: visit) ?? Array(repeating: nil, count: rows.count)
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
