import Foundation
import Inbox

/// The interactive reader's entry point.
public enum ReaderApp {
    /// How long a read waits for a key before the loop looks at backend events again.
    static let tickMilliseconds: Int32 = 50

    /// Opens another configured account while the reader runs (mutt's `c`). `open` runs with
    /// the terminal released, so it may ask for a password at a normal prompt.
    public struct AccountSwitcher {
        public var names: [String]
        public var current: String
        /// The account's backend, display name, `archive` folder and how it replies.
        public var open: (String) throws -> (backend: any InboxBackend, account: String, archiveFolder: String?, composer: Composer?)

        public init(
            names: [String], current: String,
            open: @escaping (String) throws -> (backend: any InboxBackend, account: String, archiveFolder: String?, composer: Composer?)
        ) {
            self.names = names
            self.current = current
            self.open = open
        }
    }

    /// How one account's session ended.
    public struct AccountExit: Sendable {
        public var account: String
        public var summary: ExitSummary
    }

    /// One account's reader, its backend and the events waiting for it.
    private final class OpenAccount {
        let name: String
        let reader: Reader
        let backend: any InboxBackend
        let sink = EventSink()

        init(name: String, display: String, backend: any InboxBackend, options: ReaderOptions, names: [String]) {
            var options = options
            options.otherAccounts = names.filter { $0 != name }
            self.name = name
            self.backend = backend
            reader = Reader(model: InboxModel(account: display), backend: backend, options: options)
            backend.start(sink)
        }

        var marks: Int { reader.model.commitPlan().entries.count }
    }

    /// Takes over the terminal, starts `backend`, and runs until the user leaves; the terminal
    /// is restored before this returns or throws. Call it from the main thread outside any
    /// async context: it blocks, and only this thread may touch the terminal.
    ///
    /// With a `switcher`, `c` changes account; the one left stays open in the background, its
    /// marks kept, and leaving the reader comes back to every account still holding marks.
    ///
    /// - Returns: what happened on each server, for the lines printed after the screen is gone.
    public static func run(
        backend: any InboxBackend, account: String, theme: Theme, options: ReaderOptions = .init(), switcher: AccountSwitcher? = nil
    ) throws -> [AccountExit] {
        let terminal = try Terminal(theme: theme, mouse: options.mouse)
        defer { terminal.end() }
        defer { AttachmentOpener.cleanUp() }
        let names = switcher?.names ?? []
        var current = OpenAccount(name: switcher?.current ?? account, display: account, backend: backend, options: options, names: names)
        var background: [String: OpenAccount] = [:]
        var exits: [AccountExit] = []
        current.reader.resize(width: terminal.size.width, height: terminal.size.height)

        func change(to name: String) {
            if let waiting = background.removeValue(forKey: name) {
                background[current.name] = current
                current = waiting
                current.reader.tell("Back on \(name).")
            } else if let switcher {
                terminal.suspend()
                let opened = Result { try switcher.open(name) }
                terminal.resume()
                switch opened {
                case .success(let (backend, display, archiveFolder, composer)):
                    background[current.name] = current
                    var accountOptions = options
                    accountOptions.archiveFolder = archiveFolder
                    accountOptions.composer = composer
                    current = OpenAccount(name: name, display: display, backend: backend, options: accountOptions, names: names)
                case .failure(let error):
                    current.reader.tell("Could not open \(name): \(error)", failed: true)
                }
            }
            current.reader.resize(width: terminal.size.width, height: terminal.size.height)
            terminal.invalidate()
        }

        var dirty = true
        while true {
            if let summary = current.reader.exitSummary {
                exits.append(AccountExit(account: current.reader.model.account, summary: summary))
                if let next = current.reader.changeAfterCommit {
                    let done = current.name
                    current = background.removeValue(forKey: next) ?? current
                    if current.name == done { change(to: next) } else { current.reader.tell("Back on \(next).") }
                    dirty = true
                    continue
                }
                // Marks are never left behind: an account still holding some comes back first.
                if let waiting = background.values.first(where: { $0.marks > 0 }) {
                    background[waiting.name] = nil
                    current = waiting
                    current.reader.resize(width: terminal.size.width, height: terminal.size.height)
                    current.reader.tell("\(waiting.name) still has \(ExitSummary.count(waiting.marks, "marked message")): q deletes them, x leaves them.")
                    terminal.invalidate()
                    dirty = true
                    continue
                }
                for other in background.values { other.backend.quitWithoutDeleting() }
                return exits
            }
            if dirty {
                terminal.draw(FrameRenderer(reader: current.reader, now: Date()).render())
                dirty = false
            }
            if let input = terminal.read(waitingMilliseconds: tickMilliseconds) {
                handle(input, reader: current.reader, terminal: terminal)
                // Take everything already typed before drawing again, so held keys never lag.
                while let more = terminal.read(waitingMilliseconds: 0) {
                    handle(more, reader: current.reader, terminal: terminal)
                }
                dirty = true
            }
            for account in [current] + Array(background.values) {
                let events = account.sink.drain()
                if !events.isEmpty {
                    account.reader.apply(events)
                    dirty = true
                }
                let phase = account.reader.phase
                account.reader.tick(now: Date())
                if account.reader.phase != phase { dirty = true }
            }
            for request in current.reader.takeRequests() {
                if case .changeAccount(let name) = request {
                    change(to: name)
                } else {
                    perform(request, reader: current.reader, terminal: terminal)
                }
                dirty = true
            }
        }
    }

    private static func handle(_ input: Input, reader: Reader, terminal: Terminal) {
        if input == .key(.resize) {
            let size = terminal.size
            reader.resize(width: size.width, height: size.height)
        }
        reader.handle(input)
    }

    private static func perform(_ request: TerminalRequest, reader: Reader, terminal: Terminal) {
        switch request {
        case .redraw:
            terminal.invalidate()
        case .pipe(let command, let input):
            let command = ExternalCommand(command)
            handOver(terminal, reader: reader, waitForEnter: true) {
                let outcome = await command.runOnTerminal(input: input)
                return (outcome.summary, outcome.succeeded)
            }
        case .view(let bytes, let name, let contentType):
            handOver(terminal, reader: reader, waitForEnter: false) {
                let outcome = await AttachmentOpener.open(bytes, name: name, contentType: contentType)
                return (outcome.summary, outcome.succeeded)
            }
        case .changeAccount:
            break
        case .editDraft(let path):
            edit(path, terminal: terminal, reader: reader)
        case .sendDraft(let path, let attachedMessage):
            guard let composer = reader.options.composer else { break }
            // The hand-off is short (sendmail queues the message), and the screen says "Sending…"
            // meanwhile; its output is captured, so it cannot scribble on the screen.
            terminal.draw(FrameRenderer(reader: reader, now: Date()).render())
            let outcome = (try? blocking { () async -> Result<String, ComposeError> in
                do throws(ComposeError) {
                    return .success(try await composer.send(draftAt: path, attachedMessage: attachedMessage))
                } catch {
                    return .failure(error)
                }
            }) ?? .failure(.notSent(.failed(composer.sendmailCommand, "it was interrupted"), path))
            reader.finishedSending(outcome)
        case .openLink(let url):
            let browser = ExternalCommand("${BROWSER:-xdg-open} \"$1\"", arguments: [url])
            handOver(terminal, reader: reader, waitForEnter: false) {
                let outcome = await browser.runOnTerminal(input: [])
                return (outcome.succeeded ? "Opened \(url)" : outcome.summary, outcome.succeeded)
            }
        }
    }

    /// mutt's way with another program: it gets the terminal until it ends (a piped command's
    /// last words then wait for Enter), and the screen comes back as it was.
    private static func handOver(
        _ terminal: Terminal, reader: Reader, waitForEnter: Bool, _ run: @escaping @Sendable () async -> (String, Bool)
    ) {
        terminal.suspend()
        let (summary, succeeded) = (try? blocking(run)) ?? ("The command was interrupted.", false)
        if waitForEnter {
            Console.print(DisplayText(lines: "\n[mailbag] \(summary) Press Enter to return."), terminator: "")
            _ = readLine()
        }
        restore(terminal, reader: reader)
        reader.tell(summary, failed: !succeeded)
    }

    /// The editor gets the terminal as any handed-over program does; how it ended decides the
    /// next question rather than a notice.
    private static func edit(_ path: String, terminal: Terminal, reader: Reader) {
        terminal.suspend()
        let editor = Composer.editor(for: path)
        let outcome = (try? blocking { await editor.runOnTerminal(input: nil) }) ?? .couldNotStart("it was interrupted")
        restore(terminal, reader: reader)
        reader.finishedEditing(outcome)
    }

    private static func restore(_ terminal: Terminal, reader: Reader) {
        terminal.resume()
        let size = terminal.size
        reader.resize(width: size.width, height: size.height)
    }
}
