import MailMessage
import POP3

/// What the index is made of, apart from the load that decides when to ask for it
/// (`MailboxLoader`): rows from LIST joined with UIDL, the order headers are fetched in, and the
/// header cache's reads and writes.
public enum MailboxIndex {
    /// Rows of a LIST reply, not identified yet.
    static func rows(_ sizes: [ListEntry]) -> [MessageListing] {
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
        return (rows, uids?.problemSummary ?? [])
    }

    /// The order headers are fetched in: newest first, the screenful the reader opens on.
    public static func fetchOrder(_ numbers: some Sequence<Int>) -> [Int] {
        numbers.sorted(by: >)
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
    public static func remember(_ fetched: [MailboxLoader.FetchedHeader], in cache: HeaderCache?, notice: (String) -> Void) {
        guard let cache else { return }
        let entries = fetched.compactMap { header in header.row.uid.map { (uid: $0, size: header.row.size, summary: header.summary) } }
        guard !entries.isEmpty else { return }
        do {
            try cache.store(entries)
        } catch {
            notice(error.description)
        }
    }

    /// Saves what the user read or flagged; without a cache, it lasts as long as the session.
    public static func rememberStates(_ states: [String: MessageState], in cache: HeaderCache?, notice: (String) -> Void) {
        guard let cache else { return }
        do {
            try cache.storeStates(states)
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
