import ArgumentParser
import Foundation
import Inbox
import POP3

struct Fetch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download a mailbox into a local mbox or Maildir folder.",
        discussion: """
            Every message is written as the exact bytes RETR returned and is on disk (fsynced) \
            before the next; its UID is then recorded in FOLDER.mailbag-fetched, beside the folder. \
            With --delete, only messages whose copy is on disk are deleted, and only when the \
            session ends with QUIT: a run cut off anywhere deletes nothing, and running it again \
            finishes the job without fetching anything twice.
            """
    )

    @Argument(help: ArgumentHelp("A pop3s://user@host[:port] or pop3://user@host[:port] URL, or an account name from the config file.", valueName: "url-or-account"))
    var target: String

    @Option(name: .customLong("to"), help: ArgumentHelp(
        "The folder: an mbox file, or a Maildir (an existing one, or a new path ending in /). ~ and $HOME expand; a new folder is created.",
        valueName: "folder"))
    var folder: String

    @Flag(name: .customLong("only-new"), help: "Leave out messages an earlier fetch into this folder delivered (by UIDL).")
    var onlyNew = false

    @Flag(help: "Delete from the server each message whose copy is on disk (messages an earlier fetch delivered too, without fetching them again).")
    var delete = false

    @OptionGroup var options: AccountOptions

    func run() async throws {
        let account = try options.resolve(target)
        let destination = try MailFolder(folder)
        if !destination.exists {
            // A record left beside a folder that is gone would let --delete remove messages
            // whose copies went with it.
            try FetchedUIDs.discard(beside: destination)
            try destination.create()
        }
        let record = try FetchedUIDs(
            beside: destination, server: "\(account.settings.user)@\(account.settings.host):\(account.settings.port)")
        var fetchOptions = MailFetch.Options(onlyNew: onlyNew, delete: delete)
        fetchOptions.maxMessageSize = account.settings.maxMessageSize
        let fetch = MailFetch(into: destination, record: record, options: fetchOptions)
        let session = try await account.openSession()
        var bar = ProgressBar()
        let report = try await fetch.run(on: session) { bar.show($0) }
        bar.finish()
        for skipped in report.skipped {
            Console.warn(DisplayText("message \(skipped.number) was skipped: \(skipped.reason)"))
        }
        Console.print(DisplayText(report.summary), toError: true)
    }
}

/// `fetch`'s progress on stderr, redrawn in place, only when stderr is a terminal: a script or
/// a cron job gets just the final line.
struct ProgressBar {
    private let enabled = isatty(STDERR_FILENO) == 1
    private var lastDrawn: ContinuousClock.Instant?
    private var drawn = false

    mutating func show(_ progress: MailFetch.Progress) {
        guard enabled, progress.total > 0 else { return }
        // Ten redraws a second are enough to look live, and cost nothing beside the transfer.
        let now = ContinuousClock.now
        if let lastDrawn, now - lastDrawn < .milliseconds(100), progress.done < progress.total { return }
        lastDrawn = now
        let width = 30
        let filled = progress.totalBytes > 0 ? width * progress.bytes / progress.totalBytes : width * progress.done / progress.total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        Console.print(
            DisplayText("[\(bar)] \(progress.done)/\(progress.total) messages, \(ByteCount.format(progress.bytes))"),
            terminator: "\u{1B}[K\r", toError: true)
        drawn = true
    }

    mutating func finish() {
        if drawn { Console.print(DisplayText(""), terminator: "\u{1B}[K", toError: true) }
    }
}
