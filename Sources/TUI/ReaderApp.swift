import Foundation
import Inbox

/// The interactive reader's entry point.
public enum ReaderApp {
    /// How long a read waits for a key before the loop looks at backend events again.
    static let tickMilliseconds: Int32 = 50

    /// Takes over the terminal, starts `backend`, and runs until the user leaves; the terminal
    /// is restored before this returns or throws. Call it from the main thread outside any
    /// async context: it blocks, and only this thread may touch the terminal.
    ///
    /// - Returns: what happened on the server, for a final line printed after the screen is gone.
    public static func run(backend: any InboxBackend, account: String, theme: Theme, options: ReaderOptions = .init()) throws -> ExitSummary {
        let terminal = try Terminal(theme: theme, mouse: options.mouse)
        defer { terminal.end() }
        defer { AttachmentOpener.cleanUp() }
        let reader = Reader(model: InboxModel(account: account), backend: backend, options: options)
        let size = terminal.size
        reader.resize(width: size.width, height: size.height)
        let sink = EventSink()
        backend.start(sink)

        var dirty = true
        while true {
            if let summary = reader.exitSummary { return summary }
            if dirty {
                terminal.draw(FrameRenderer(reader: reader, now: Date()).render())
                dirty = false
            }
            if let input = terminal.read(waitingMilliseconds: tickMilliseconds) {
                handle(input, reader: reader, terminal: terminal)
                // Take everything already typed before drawing again, so held keys never lag.
                while let more = terminal.read(waitingMilliseconds: 0) {
                    handle(more, reader: reader, terminal: terminal)
                }
                dirty = true
            }
            let events = sink.drain()
            if !events.isEmpty {
                reader.apply(events)
                dirty = true
            }
            let phase = reader.phase
            reader.tick(now: Date())
            if reader.phase != phase { dirty = true }
            for request in reader.takeRequests() {
                perform(request, reader: reader, terminal: terminal)
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
        terminal.resume()
        let size = terminal.size
        reader.resize(width: size.width, height: size.height)
        reader.pipeFinished(summary, failed: !succeeded)
    }
}
