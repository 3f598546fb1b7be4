import MailMessage
import POP3

/// Reads what the index needs from a logged-in session: one row per message (LIST joined with
/// UIDL) and then each header block via `TOP n 0`, pipelined by the session when the server allows.
public enum MailboxIndex {
    /// LIST and UIDL joined by message number. A server without UIDL yields rows with no UID;
    /// invalid or duplicate UIDs are dropped by the session and come back as `problems`.
    public static func listing(_ session: POP3Session) async throws -> (rows: [MessageListing], problems: [String]) {
        let sizes = try await session.list()
        var uids: [Int: String] = [:]
        var problems: [String] = []
        // Without CAPA the session assumes UIDL; a server that then refuses it simply has no UIDs.
        if await session.capabilities.uidl {
            do {
                let listing = try await session.uidl()
                for entry in listing.entries { uids[entry.number] = entry.uid }
                problems = listing.problems.map(\.description)
            } catch let error as POP3Error where !error.endsSession {}
        }
        let rows = sizes.map { MessageListing(number: $0.number, uid: uids[$0.number], size: $0.size) }
        return (rows, problems)
    }

    /// Streams each message's summary as its `TOP n 0` reply arrives.
    public static func summaries(
        _ session: POP3Session,
        for numbers: [Int],
        each: @escaping @Sendable (Int, Result<MessageSummary, POP3Error>) async -> Void
    ) async throws {
        try await session.topBatch(numbers, lines: 0) { number, result in
            await each(number, result.map { MessageSummary.parse(headerBytes: $0) })
        }
    }
}
