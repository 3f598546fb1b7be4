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
        var demoServer: InMemoryPOP3Server?
        let first: ReaderAccount
        if demo {
            let server = InMemoryPOP3Server(
                users: [DemoMailbox.user: DemoMailbox.password], messages: DemoMailbox.messages(now: Date()))
            let port = try blocking { try await server.start() }
            demoServer = server
            // The demo server lives on loopback inside this process, so TLS would protect nothing.
            let config = POP3Configuration(host: "127.0.0.1", port: port, security: .plaintext, allowPlaintext: true)
            var backendOptions = POP3Backend.Options()
            if let htmlConverter { backendOptions.renderOptions.htmlConverter = ExternalHTMLConverter(command: htmlConverter).convert }
            let display = "\(DemoMailbox.user)@demo"
            first = ReaderAccount(display: display, settings: nil, backend: POP3Backend(account: display, options: backendOptions) { onStage in
                var staged = config
                staged.onStage = onStage
                return try await OpenedMailbox.logIn(
                    try await POP3Session.connect(staged), user: DemoMailbox.user, credential: .password(DemoMailbox.password), cacheHoldsSummaries: false)
            })
        } else {
            first = try Self.readerAccount(try options.resolve(target), htmlConverter: htmlConverter)
        }
        defer { if let demoServer { try? blocking { await demoServer.stop() } } }

        let settings = first.settings
        let chosenTheme = try Theme.load(theme ?? settings?.theme ?? "default")
        let threshold = largeMessageKB.map { $0 * 1024 } ?? settings?.largeMessageThreshold ?? 1 << 20
        let interval = settings?.checkInterval ?? AccountConfig.defaultCheckInterval
        var reader = ReaderOptions(
            largeMessageThreshold: threshold, mouse: !noMouse, checkInterval: Double(interval.components.seconds))
        reader.archiveFolder = settings?.archive
        // The demo sends no mail: its addresses are made up.
        reader.composer = settings.map { Composer(account: $0) }
        let names = demo ? [] : options.accountNames()
        let (options, htmlConverter) = (self.options, self.htmlConverter)
        let switcher = names.isEmpty ? nil : ReaderApp.AccountSwitcher(names: names, current: settings?.name ?? "") { name in
            let next = try Self.readerAccount(try options.resolve(name), htmlConverter: htmlConverter)
            return (next.backend, next.display, next.settings?.archive, next.settings.map { Composer(account: $0) })
        }
        let exits = try ReaderApp.run(
            backend: first.backend, account: first.display, theme: chosenTheme, options: reader, switcher: switcher)
        var status: Int32 = 0
        for exit in exits {
            let prefix = exits.count > 1 ? "\(exit.account): " : ""
            Console.print(DisplayText(lines: exit.summary.lines.map { prefix + $0 }.joined(separator: "\n")))
            status = max(status, Self.status(of: exit.summary))
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// 2 when nothing was deleted that should have been or the connection was lost, 3 when the
    /// server did not confirm a commit.
    private static func status(of summary: ExitSummary) -> Int32 {
        switch summary {
        case .connectionLost: 2
        case .committed(let report):
            switch report.outcome {
            case .confirmed: 0
            case .nothingDeleted: 2
            case .unknown: 3
            }
        case .leftUnchanged: 0
        }
    }

    /// One account as the reader runs it.
    struct ReaderAccount {
        var display: String
        var settings: AccountConfig?
        var backend: POP3Backend
    }

    /// The backend for one account. With a password or token command the reader comes up at once and
    /// the backend logs in; a typed password is asked for, and tried, first (the terminal is
    /// the user's then, at start or while `c` opens another account), so a wrong one can be
    /// typed again at a normal prompt; reconnections reuse the one that worked.
    static func readerAccount(_ resolved: ResolvedAccount, htmlConverter: String?) throws -> ReaderAccount {
        let headerCache = resolved.openingHeaderCache()
        let open: POP3Backend.Opener
        var loggedIn: OpenedMailbox?
        if resolved.credentialFromCommand {
            open = { onStage in try await resolved.openMailbox(cache: headerCache, onStage: onStage) }
        } else {
            let (session, credential) = try logIn(resolved, cache: headerCache)
            loggedIn = session
            open = { onStage in try await resolved.openMailbox(credential: credential, cache: headerCache, onStage: onStage) }
        }
        var backendOptions = POP3Backend.Options()
        backendOptions.headerCache = try blocking { await headerCache?.value }
        backendOptions.keepalive = resolved.settings.keepalive
        backendOptions.bodyCache = resolved.bodyCache()
        backendOptions.safetyNet = resolved.settings.keepDeleted.map {
            SafetyNet(folder: $0, byteLimit: resolved.settings.keepDeletedLimit, bodyCache: backendOptions.bodyCache)
        }
        if let converter = htmlConverter ?? resolved.settings.htmlConverter {
            backendOptions.renderOptions.htmlConverter = ExternalHTMLConverter(command: converter).convert
        }
        let backend = POP3Backend(account: resolved.displayName, options: backendOptions, loggedIn: loggedIn, open: open)
        return ReaderAccount(display: resolved.displayName, settings: resolved.settings, backend: backend)
    }
}

extension Read {
    /// Logs in, offering to retype a password the server rejects ([AUTH]) when it came from the
    /// prompt. Other refusals ([IN-USE], [LOGIN-DELAY], [SYS/TEMP]) say what to wait for instead.
    static func logIn(_ account: ResolvedAccount, cache: Task<HeaderCache?, Never>?) throws -> (OpenedMailbox, Credential) {
        var attempt = 1
        while true {
            let credential = try blocking { try await account.credential() }
            do {
                let onStage: @Sendable (LoginStage) -> Void = { Console.warn(DisplayText($0.description)) }
                return (try blocking { try await account.openMailbox(credential: credential, cache: cache, onStage: onStage) }, credential)
            } catch let error as POP3Error where error.isAuthFailure && !account.credentialFromCommand && attempt < 3 {
                Console.warn(DisplayText(error.description + " Try again."))
                attempt += 1
            }
        }
    }
}

