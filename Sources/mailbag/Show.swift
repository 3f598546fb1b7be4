import ArgumentParser
import Foundation
import Inbox
import MailMessage
import POP3

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print one message, decoded as the reader shows it (or raw with --raw).",
        discussion: "The message is fetched with RETR; nothing is deleted."
    )

    @Argument(help: ArgumentHelp("A pop3s://user@host[:port] or pop3://user@host[:port] URL, or an account name from the config file.", valueName: "url-or-account"))
    var target: String

    @Argument(help: ArgumentHelp("Message number, as `mailbag list` shows it.", valueName: "n"))
    var number: Int

    @Flag(help: "Print the exact bytes the server sent (dot-unstuffed), without decoding.")
    var raw = false

    @Option(name: .customLong("save-attachments"), help: ArgumentHelp(
        "Write the message's attachments into this directory (safe names, mode 0600, never overwriting).",
        valueName: "dir"))
    var saveAttachments: String?

    @Option(name: .customLong("html-converter"), help: ArgumentHelp(
        "Command that turns HTML on stdin into text on stdout, e.g. \"w3m -dump -T text/html\"; the built-in converter is used if it fails.",
        valueName: "cmd"))
    var htmlConverter: String?

    @OptionGroup var options: AccountOptions

    func validate() throws {
        guard number > 0 else { throw ValidationError("Message numbers start at 1.") }
    }

    func run() async throws {
        let account = try options.resolve(target)
        let bytes = try await account.withSession { [number] session in
            let count = try await session.stat().count
            guard number <= count else { throw ShowError.noSuchMessage(number, count) }
            return try await session.retrieve(number, expectedSize: nil, progress: nil)
        }
        var out = Console()
        if raw {
            out.writeRaw(bytes)
            return
        }
        var render = RenderOptions()
        if let converter = htmlConverter ?? account.settings.htmlConverter {
            render.htmlConverter = ExternalHTMLConverter(command: converter).convert
        }
        let rendered = MessageRenderer.render(bytes, options: render)
        out.write(DisplayText(lines: rendered.plainText))
        out.flush()
        if let saveAttachments {
            // Planned whole before the first file, so a refused save writes nothing; each file
            // is reported as it is written, so a failure part-way says what is already there.
            let plan = try AttachmentSavePlan.all(in: bytes, options: render)
            let store = AttachmentStore(directory: URL(fileURLWithPath: saveAttachments))
            for entry in plan.entries {
                let saved = try store.save(entry)
                Console.warn(DisplayText("saved attachment \(entry.info.index) to \(saved.path)"))
            }
        }
    }
}

enum ShowError: Error, CustomStringConvertible {
    case noSuchMessage(Int, Int)

    var description: String {
        switch self {
        case .noSuchMessage(let number, let count):
            "There is no message \(number): the mailbox holds \(count) message\(count == 1 ? "" : "s")."
        }
    }
}
