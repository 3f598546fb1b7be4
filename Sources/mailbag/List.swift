import ArgumentParser
import Foundation
import Inbox
import MailMessage
import POP3

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the index of a mailbox: one line per message (N marks mail new since the last visit).",
        discussion: "Headers come from TOP n 0, pipelined when the server offers PIPELINING; nothing is deleted."
    )

    @Argument(help: ArgumentHelp("A pop3s://user@host[:port] or pop3://user@host[:port] URL, or an account name from the config file.", valueName: "url-or-account"))
    var target: String?

    @Flag(help: "One JSON object per line with the keys number, uid, size, date, from, subject.")
    var json = false

    @OptionGroup var options: AccountOptions

    func run() async throws {
        let account = try options.resolve(target)
        let opening = account.openingHeaderCache()
        let summaries = SummaryCollector()
        let (rows, visit, missing, contents) = try await account.withSession(prefetchingListing: true, cache: opening) { session in
            let cache = await opening?.value
            if let notice = cache?.notice { Output.warn(notice) }
            let contents = await MailboxIndex.cacheContents(cache, notice: Output.warn)
            let listing: MailboxIndex.CachedListing
            if let contents, !contents.isEmpty {
                listing = try await MailboxIndex.cachedListing(session, contents: contents)
            } else {
                // With nothing cached every header is fetched, and the first are asked for while the server lists.
                let (rows, uids) = try await MailboxIndex.listingBeforeUIDs(session)
                let (identified, problems) = MailboxIndex.identified(rows, by: try await uids.value())
                listing = MailboxIndex.CachedListing(uncached: identified, problems: problems)
            }
            for problem in listing.problems { Output.warn(problem) }
            let (visit, cached) = (listing.visit, listing.cached)
            for case let (row, summary?) in zip(listing.rows, cached) { await summaries.record(row.number, .success(summary)) }
            let missing = zip(listing.rows, cached).filter { $1 == nil }.map(\.0)
            // In the order the listing asked for them; the output keeps server order.
            try await MailboxIndex.summaries(session, for: MailboxIndex.fetchOrder(missing.map(\.number))) { number, result, _ in
                await summaries.record(number, result)
            }
            return (listing.rows, visit, missing, contents)
        }
        let cache = await opening?.value
        let found = await summaries.all
        // Only what came from the server: the cached summaries are stored already.
        let fetched = missing.compactMap { row in (try? found[row.number]?.get()).map { (row, $0) } }
        MailboxIndex.remember(fetched, in: cache, notice: Output.warn)
        let new = contents?.newUIDs(visit) ?? []
        MailboxIndex.recordVisit(visit, in: cache, since: contents, notice: Output.warn)
        var out = Output()
        let dates = CompactDate()
        for row in rows {
            let summary: MessageSummary
            switch found[row.number] {
            case .success(let parsed):
                summary = parsed
            case .failure(let error):
                Output.warn("message \(row.number): \(error)")
                continue
            case nil:
                continue
            }
            out.write(json ? IndexLine.json(row, summary) : IndexLine.text(row, summary, isNew: row.uid.map(new.contains) ?? false, dates: dates))
        }
        out.flush()
    }
}

/// Collects `TOP` results that arrive from the session's batch callback.
actor SummaryCollector {
    private(set) var all: [Int: Result<MessageSummary, POP3Error>] = [:]
    func record(_ number: Int, _ result: Result<MessageSummary, POP3Error>) { all[number] = result }
}

/// The line formats of `mailbag list`.
enum IndexLine {
    static func text(_ row: MessageListing, _ summary: MessageSummary, isNew: Bool, dates: CompactDate) -> String {
        let number = TerminalText.fit(String(row.number), width: 5, alignRight: true)
        let size = TerminalText.fit(ByteCount.format(row.size), width: 6, alignRight: true)
        let date = TerminalText.fit(dates.format(summary.date), width: 10)
        return "\(number) \(isNew ? "N" : " ") \(size)  \(date) \(TerminalText.fit(summary.from, width: 24))  \(summary.subject)"
    }

    static func json(_ row: MessageListing, _ summary: MessageSummary) -> String {
        let record = Record(
            number: row.number, uid: row.uid, size: row.size,
            date: summary.date.map { $0.ISO8601Format() },
            from: summary.from, subject: summary.subject)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(record)) ?? Data("{}".utf8), as: UTF8.self)
    }

    private struct Record: Encodable {
        var number: Int
        var uid: String?
        var size: Int
        var date: String?
        var from: String
        var subject: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(number, forKey: .number)
            try container.encode(uid, forKey: .uid)
            try container.encode(size, forKey: .size)
            try container.encode(date, forKey: .date)
            try container.encode(from, forKey: .from)
            try container.encode(subject, forKey: .subject)
        }

        enum CodingKeys: String, CodingKey { case number, uid, size, date, from, subject }
    }
}
