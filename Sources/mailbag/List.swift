import ArgumentParser
import Foundation
import Inbox
import MailMessage
import POP3

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the index of a mailbox: one line per message (N unread and new since the reader's last visit, O unread, ! flagged).",
        discussion: "Headers come from TOP n 0, pipelined when the server offers PIPELINING; nothing is deleted, and what the reader counts as new or read is left as it was."
    )

    @Argument(help: ArgumentHelp("A pop3s://user@host[:port] or pop3://user@host[:port] URL, or an account name from the config file.", valueName: "url-or-account"))
    var target: String?

    @Flag(help: """
        One JSON object per line, keys in this order: address (the sender's bare address, or null), \
        date (ISO 8601, UTC, or null), from (the sender as the index shows it), number, size (bytes, \
        as LIST says), subject, uid (or null without UIDL).
        """)
    var json = false

    @OptionGroup var options: AccountOptions

    /// Loads the index exactly as the reader does (the same backend and model, without a
    /// screen), then prints it: one load logic for both. It is a look, not a visit: what is new
    /// stays new for the reader, and no read state is written.
    func run() async throws {
        let account = try options.resolve(target)
        let opening = account.openingHeaderCache()
        let opened = try await account.openMailbox(cache: opening)
        var backendOptions = POP3Backend.Options(reconnectBackoff: [])
        backendOptions.headerCache = await opening?.value
        backendOptions.recordsVisit = false
        let backend = POP3Backend(account: account.displayName, options: backendOptions, loggedIn: opened) { _ in
            try await account.openMailbox(cache: opening)
        }
        let model = InboxModel(account: account.displayName)
        let sink = EventSink()
        backend.start(sink)
        try await Self.pump(sink, into: model) { if case .headersComplete = $0 { true } else { false } }
        // The caches are written before the session ends.
        backend.quitWithoutDeleting()
        try await Self.pump(sink, into: model) { if case .closed = $0 { true } else { false } }

        var out = Console()
        let dates = CompactDate()
        for row in model.rows {
            guard let summary = row.summary else {
                Console.warn(DisplayText("message \(row.number): \(row.summaryFailure ?? "no header")"))
                continue
            }
            out.write(DisplayText(json ? IndexLine.json(row.listing, summary) : IndexLine.text(row.listing, summary, flags: IndexLine.flags(row, in: model), dates: dates)))
        }
        out.flush()
    }

    /// Applies the backend's events to `model` until one satisfies `done`. Notices go to stderr;
    /// a lost connection is the command's error.
    private static func pump(_ sink: EventSink, into model: InboxModel, until done: (InboxEvent) -> Bool) async throws {
        while true {
            let events = sink.drain()
            model.apply(events)
            for event in events {
                switch event {
                case .notice(let text): Console.warn(DisplayText(text))
                case .connectionLost(let reason): throw ListFailure.connectionLost(reason)
                default: break
                }
            }
            if events.contains(where: done) { return }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    enum ListFailure: Error, CustomStringConvertible {
        case connectionLost(String)

        var description: String {
            switch self {
            case .connectionLost(let reason): reason
            }
        }
    }
}

/// The line formats of `mailbag list`.
enum IndexLine {
    /// The reader's read-state and flag letters: `N` unread and new, `O` unread, `!` flagged.
    static func flags(_ row: MessageRow, in model: InboxModel) -> String {
        (model.isNew(row) ? "N" : model.isRead(row) ? " " : "O") + (model.isFlagged(row) ? "!" : " ")
    }

    static func text(_ row: MessageListing, _ summary: MessageSummary, flags: String, dates: CompactDate) -> String {
        let number = TerminalText.fit(String(row.number), width: 5, alignRight: true)
        let size = TerminalText.fit(ByteCount.format(row.size), width: 6, alignRight: true)
        let date = TerminalText.fit(dates.format(summary.date), width: 10)
        return "\(number) \(flags) \(size)  \(date) \(TerminalText.fit(summary.from, width: 24))  \(summary.subject)"
    }

    static func json(_ row: MessageListing, _ summary: MessageSummary) -> String {
        let record = Record(
            number: row.number, uid: row.uid, size: row.size,
            date: summary.date.map { $0.ISO8601Format() },
            from: summary.from, address: summary.fromAddress, subject: summary.subject)
        let encoder = JSONEncoder()
        // Sorted, so two listings can be diffed: the encoder's own order changes from run to run.
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return String(decoding: (try? encoder.encode(record)) ?? Data("{}".utf8), as: UTF8.self)
    }

    private struct Record: Encodable {
        var number: Int
        var uid: String?
        var size: Int
        var date: String?
        var from: String
        var address: String?
        var subject: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(number, forKey: .number)
            try container.encode(uid, forKey: .uid)
            try container.encode(size, forKey: .size)
            try container.encode(date, forKey: .date)
            try container.encode(from, forKey: .from)
            try container.encode(address, forKey: .address)
            try container.encode(subject, forKey: .subject)
        }

        enum CodingKeys: String, CodingKey { case number, uid, size, date, from, address, subject }
    }
}
