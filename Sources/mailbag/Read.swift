import ArgumentParser
import Foundation
import Inbox
import MailMessage
import POP3
import POP3Server
import TUI

struct Read: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open the interactive reader (the default command).",
        discussion: """
            Headers fill in while you scroll; a message is downloaded only when you open it. Marks \
            (d) are sent as DELE only when you quit with q and confirm; x leaves without deleting. \
            Press ? in the reader for every key.
            """
    )

    @Argument(help: ArgumentHelp("pop3s://user@host[:port] or pop3://user@host[:port]", valueName: "url"))
    var url: String?

    @Flag(help: "Run the reader against a built-in loopback POP3 server with a sample mailbox. Deleting there is real for that run only.")
    var demo = false

    @Option(help: ArgumentHelp("Theme name: a file in ~/.config/mailbag/themes/ or a shipped one (default, light, solarized-dark, high-contrast, mono).", valueName: "name"))
    var theme = "default"

    @Option(name: .customLong("large-message"), help: ArgumentHelp("Ask before downloading a message larger than this many kilobytes.", valueName: "kb"))
    var largeMessageKB = 1024

    @Option(name: .customLong("html-converter"), help: ArgumentHelp(
        "Command that turns HTML on stdin into text on stdout, e.g. \"w3m -dump -T text/html\".", valueName: "cmd"))
    var htmlConverter: String?

    @Flag(name: .customLong("no-mouse"), help: "Leave the mouse to the terminal (for selecting text).")
    var noMouse = false

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if demo == (url != nil) {
            throw ValidationError(demo ? "--demo needs no URL." : "Give a pop3s:// or pop3:// URL, or --demo to try the reader.")
        }
        guard largeMessageKB > 0 else { throw ValidationError("--large-message must be a positive number of kilobytes.") }
    }

    func run() throws {
        let chosenTheme = try Theme.load(theme)
        var render = RenderOptions()
        if let htmlConverter { render.htmlConverter = ExternalHTMLConverter(command: htmlConverter).convert }

        let account: String
        let open: @Sendable () async throws -> POP3Session
        var demoServer: InMemoryPOP3Server?
        if demo {
            let server = InMemoryPOP3Server(
                users: [DemoMailbox.user: DemoMailbox.password], messages: DemoMailbox.messages(now: Date()))
            let port = try blocking { try await server.start() }
            demoServer = server
            // The demo server lives on loopback inside this process, so TLS would protect nothing.
            let config = POP3Configuration(host: "127.0.0.1", port: port, security: .plaintext, allowPlaintext: true)
            account = "\(DemoMailbox.user)@demo"
            open = {
                let session = try await POP3Session.connect(config)
                try await session.login(user: DemoMailbox.user, password: DemoMailbox.password)
                return session
            }
        } else {
            let target = try POP3URL(parsing: url ?? "")
            let config = try connection.configuration(for: target)
            // Asked before the screen is taken over; the prompt cannot live inside the reader.
            let password = try PasswordSource(command: connection.passwordCommand).password(for: target)
            account = "\(target.user)@\(target.host)"
            open = {
                let session = try await POP3Session.connect(config)
                do {
                    try await session.login(user: target.user, password: password)
                } catch {
                    await session.close()
                    throw error
                }
                return session
            }
        }
        defer { if let demoServer { try? blocking { await demoServer.stop() } } }

        let backend = POP3Backend(account: account, renderOptions: render, open: open)
        let options = ReaderOptions(largeMessageThreshold: largeMessageKB * 1024, mouse: !noMouse)
        let summary = try ReaderApp.run(backend: backend, account: account, theme: chosenTheme, options: options)
        print(summary.description)
        if case .connectionLost = summary { throw ExitCode(2) }
    }
}

/// Runs async work from the synchronous reader command. The reader must own the main thread
/// outside any async context, so setup that needs `await` waits here instead.
func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task.detached {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// Written by the task before it signals, read after the wait: the semaphore orders the accesses.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
