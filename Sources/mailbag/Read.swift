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

            Exit status: 0 when nothing was to be deleted or the server confirmed the deletions, \
            2 when a commit deleted nothing or the connection was lost, 3 when the server did not \
            confirm a commit (what a new session found is printed).
            """
    )

    @Argument(help: ArgumentHelp("A pop3s://user@host[:port] or pop3://user@host[:port] URL, or an account name from the config file (default: the config's default_account).", valueName: "url-or-account"))
    var target: String?

    @Flag(help: "Run the reader against a built-in loopback POP3 server with a sample mailbox. Deleting there is real for that run only.")
    var demo = false

    @Option(help: ArgumentHelp("Theme name: a file in ~/.config/mailbag/themes/ or a shipped one (default, light, solarized-dark, high-contrast, mono).", valueName: "name"))
    var theme: String?

    @Option(name: .customLong("large-message"), help: ArgumentHelp("Ask before downloading a message larger than this many kilobytes (default 1024).", valueName: "kb"))
    var largeMessageKB: Int?

    @Option(name: .customLong("html-converter"), help: ArgumentHelp(
        "Command that turns HTML on stdin into text on stdout, e.g. \"w3m -dump -T text/html\".", valueName: "cmd"))
    var htmlConverter: String?

    @Flag(name: .customLong("no-mouse"), help: "Leave the mouse to the terminal (for selecting text).")
    var noMouse = false

    @OptionGroup var options: AccountOptions

    func validate() throws {
        if demo, target != nil { throw ValidationError("--demo needs no URL or account.") }
        if let largeMessageKB, largeMessageKB <= 0 {
            throw ValidationError("--large-message must be a positive number of kilobytes.")
        }
    }

    func run() throws {
        let account: String
        let settings: AccountConfig?
        var backendOptions = POP3Backend.Options()
        let open: POP3Backend.Opener
        var loggedIn: OpenedMailbox?
        var demoServer: InMemoryPOP3Server?
        if demo {
            let server = InMemoryPOP3Server(
                users: [DemoMailbox.user: DemoMailbox.password], messages: DemoMailbox.messages(now: Date()))
            let port = try blocking { try await server.start() }
            demoServer = server
            // The demo server lives on loopback inside this process, so TLS would protect nothing.
            let config = POP3Configuration(host: "127.0.0.1", port: port, security: .plaintext, allowPlaintext: true)
            account = "\(DemoMailbox.user)@demo"
            settings = nil
            open = { onStage in
                var staged = config
                staged.onStage = onStage
                return try await OpenedMailbox.logIn(
                    try await POP3Session.connect(staged), user: DemoMailbox.user, password: DemoMailbox.password, cacheHoldsSummaries: false)
            }
        } else {
            let resolved = try options.resolve(target)
            let headerCache = resolved.openingHeaderCache()
            if resolved.settings.passwordCommand != nil {
                // Nothing to type: the screen comes up at once and shows the login as it happens.
                open = { onStage in try await resolved.openMailbox(cache: headerCache, onStage: onStage) }
            } else {
                // A typed password is asked for, and tried, before the screen is taken over, so a
                // wrong one can be typed again at a normal prompt; reconnections reuse the one
                // that worked.
                let (session, password) = try Self.logIn(resolved, cache: headerCache)
                loggedIn = session
                open = { onStage in try await resolved.openMailbox(password: password, cache: headerCache, onStage: onStage) }
            }
            backendOptions.headerCache = try blocking { await headerCache?.value }
            account = resolved.displayName
            settings = resolved.settings
            backendOptions.keepalive = resolved.settings.keepalive
            backendOptions.bodyCache = resolved.bodyCache()
        }
        defer { if let demoServer { try? blocking { await demoServer.stop() } } }

        let chosenTheme = try Theme.load(theme ?? settings?.theme ?? "default")
        if let converter = htmlConverter ?? settings?.htmlConverter {
            backendOptions.renderOptions.htmlConverter = ExternalHTMLConverter(command: converter).convert
        }
        let threshold = largeMessageKB.map { $0 * 1024 } ?? settings?.largeMessageThreshold ?? 1 << 20
        let backend = POP3Backend(account: account, options: backendOptions, loggedIn: loggedIn, open: open)
        let interval = settings?.checkInterval ?? AccountConfig.defaultCheckInterval
        let reader = ReaderOptions(
            largeMessageThreshold: threshold, mouse: !noMouse, checkInterval: Double(interval.components.seconds))
        let summary = try ReaderApp.run(backend: backend, account: account, theme: chosenTheme, options: reader)
        Console.print(DisplayText(lines: summary.description))
        switch summary {
        case .connectionLost:
            throw ExitCode(2)
        case .committed(let report):
            switch report.outcome {
            case .confirmed: break
            case .nothingDeleted: throw ExitCode(2)
            case .unknown: throw ExitCode(3)
            }
        case .leftUnchanged:
            break
        }
    }
}

extension Read {
    /// Logs in, offering to retype a password the server rejects ([AUTH]) when it came from the
    /// prompt. Other refusals ([IN-USE], [LOGIN-DELAY], [SYS/TEMP]) say what to wait for instead.
    static func logIn(_ account: ResolvedAccount, cache: Task<HeaderCache?, Never>?) throws -> (OpenedMailbox, String) {
        var attempt = 1
        while true {
            let password = try blocking { try await account.password() }
            do {
                let onStage: @Sendable (LoginStage) -> Void = { Console.warn(DisplayText($0.description)) }
                return (try blocking { try await account.openMailbox(password: password, cache: cache, onStage: onStage) }, password)
            } catch let error as POP3Error where error.isAuthFailure && account.settings.passwordCommand == nil && attempt < 3 {
                Console.warn(DisplayText(error.description + " Try again."))
                attempt += 1
            }
        }
    }
}

