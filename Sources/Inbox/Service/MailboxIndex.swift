import MailMessage
import POP3

/// Reads what the index needs from a logged-in session: one row per message (LIST joined with
/// UIDL) and then each header block via `TOP n 0`, pipelined by the session when the server allows.
public enum MailboxIndex {
    /// LIST and UIDL joined by message number, in one round trip when the server pipelines. A server
    /// without UIDL yields rows with no UID; invalid or duplicate UIDs are dropped by the session and
    /// come back as `problems`.
    public static func listing(_ session: POP3Session) async throws -> (rows: [MessageListing], problems: [String]) {
        let (sizes, uidListing) = try await session.listWithUIDs()
        var uids: [Int: String] = [:]
        for entry in uidListing?.entries ?? [] { uids[entry.number] = entry.uid }
        let rows = sizes.map { MessageListing(number: $0.number, uid: uids[$0.number], size: $0.size) }
        return (rows, uidListing?.problems.map(\.description) ?? [])
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

    /// What the header cache already knows of these rows, by message number. A cache that cannot
    /// be read costs a notice and a full fetch, never the index.
    public static func cachedSummaries(_ rows: [MessageListing], in cache: HeaderCache?, notice: (String) -> Void) -> [Int: MessageSummary] {
        guard let cache, rows.contains(where: { $0.uid != nil }) else { return [:] }
        do {
            let byUID = try cache.summaries(for: rows)
            var found: [Int: MessageSummary] = [:]
            for row in rows {
                if let uid = row.uid, let summary = byUID[uid] { found[row.number] = summary }
            }
            return found
        } catch {
            notice(error.description)
            return [:]
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

    /// Ends a visit: vanished UIDs are evicted and the UIDs new since the previous visit returned.
    public static func recordVisit(_ rows: [MessageListing], in cache: HeaderCache?, notice: (String) -> Void) -> Set<String> {
        guard let cache, rows.contains(where: { $0.uid != nil }) else { return [] }
        do {
            return try cache.recordVisit(uids: Set(rows.compactMap(\.uid)))
        } catch {
            notice(error.description)
            return []
        }
    }
}
