import Foundation
import Inbox
import MailMessage
import POP3
import TUI

/// Mailbag's own index load, exactly as the reader runs it (backend, event sink, model, reader
/// screen logic) with a virtual 200×50 terminal instead of ncurses.
struct HeadlessReader {
    struct Timing {
        /// Seconds since start to the login's answer, first screenful of headers, and every header.
        var login: Double
        var firstScreen: Double
        var complete: Double
        /// Headers that arrived in `TOP` replies during the load, and those the header cache had.
        var fetched = 0
        var cached = 0
    }

    static let screenRows = 50

    let port: Int
    let user: String
    let password: String
    /// `.implicitTLS` (verified against `caFile`) or `.plaintext`.
    var security: ConnectionSecurity = .plaintext
    var caFile: String?
    /// Names the server in the header cache, beside the user.
    var server = "bench"
    var cacheDirectory: URL?
    /// Pause between drains of the event queue, like the reader's tick but finer so the
    /// measurement is not rounded up to it.
    var pollInterval: Duration = .milliseconds(1)
    /// Where each load's protocol lines go, with notes for the cache opening and the index
    /// completing: what explains a slow load.
    var trace: ProtocolTrace?

    /// Plaintext or implicit TLS as the floor client connects, and AUTH PLAIN because that is
    /// what the floor uses: the comparison is about the index, not about which login takes more
    /// trips. The proxy forwards TLS bytes unchanged; the certificate names 127.0.0.1.
    var configuration: POP3Configuration {
        var config = POP3Configuration(host: "127.0.0.1", port: port, security: security, allowPlaintext: true, caFile: caFile)
        config.allowedMechanisms = [.saslPlain]
        config.trace = trace
        return config
    }

    func headerCache() throws -> HeaderCache? {
        try cacheDirectory.map {
            try HeaderCache.open(in: CacheDirectory(url: $0), account: "bench", server: "\(user)@\(server)")
        }
    }

    /// Loads the whole index, then quits without deleting. Returns the model too, for callers
    /// that look at (or measure) what it holds.
    func loadIndex() async throws -> (Timing, InboxModel) {
        let start = ContinuousClock.now
        trace?.note("load starts")
        // As the reader does: the cache opens (and starts being read) while the session connects.
        let opening = Task { [self] in
            let cache = try headerCache()
            cache?.preload()
            trace?.note("header cache open")
            return cache
        }
        let session = try await logIn(cache: opening)
        // Not when `login` returns: that waits for the CAPA sent behind it, which the server
        // answers only once it has opened the maildrop, and the first screen would be counted
        // without the server's share of it.
        let login = start.seconds(until: await session.session.loggedInAt ?? .now)
        let (backend, model, reader, sink) = startReader(cache: opening, headerCache: try await opening.value, first: session)
        var firstScreen: Double?
        var complete: Double?
        var fetched = 0
        var cached = 0
        while complete == nil {
            try await Task.sleep(for: pollInterval)
            let events = sink.drain()
            reader.apply(events)
            for event in events {
                switch event {
                case .listing(_, let summaries, _): cached += summaries.count(where: { $0 != nil })
                case .summaries(let summaries): fetched += summaries.count
                case .headersComplete:
                    complete = start.secondsSince
                    trace?.note("index complete")
                case .connectionLost(let reason): throw BenchFailure("\(user): \(reason)")
                default: break
                }
            }
            if firstScreen == nil, model.listingReceived, Self.newestScreenful(of: model) {
                firstScreen = start.secondsSince
            }
        }
        backend.quitWithoutDeleting()
        try await Self.waitForClose(sink)
        return (Timing(login: login, firstScreen: firstScreen ?? complete ?? 0, complete: complete ?? 0, fetched: fetched, cached: cached), model)
    }

    /// Seconds from pressing Enter (and `y` to the size question) on message `number` to the first
    /// page of it drawn in the pager.
    func openMessage(_ number: Int, expecting firstLine: String) async throws -> Double {
        let (backend, model, reader, sink) = startReader(cache: nil, headerCache: nil, first: try await logIn(cache: nil))
        while !model.headersComplete {
            try await Task.sleep(for: pollInterval)
            reader.apply(sink.drain())
        }
        guard model.select(number: number) else { throw BenchFailure("\(user) has no message \(number)") }
        let start = ContinuousClock.now
        reader.handle(.key(.enter))
        reader.handle(.key(.character("y")))
        while !FrameRenderer(reader: reader, now: Date()).render().lines.contains(where: { $0.text.contains(firstLine) }) {
            try await Task.sleep(for: pollInterval)
            reader.apply(sink.drain())
        }
        let seconds = start.secondsSince
        backend.quitWithoutDeleting()
        try await Self.waitForClose(sink)
        return seconds
    }

    /// Connects and logs in as the reader does: with the capabilities of the previous visit, looked
    /// up once the greeting is in, and keeping these for the next.
    private func logIn(cache: Task<HeaderCache?, any Error>?) async throws -> OpenedMailbox {
        var config = configuration
        let security = config.security
        config.knownCapabilities = { try? await cache?.value?.knownCapabilities(security: security) }
        let opened = try await OpenedMailbox.logIn(
            try await POP3Session.connect(config), user: user, credential: .password(password),
            cacheHoldsSummaries: (try? await cache?.value)??.holdsSummaries == true)
        try? await cache?.value?.rememberCapabilities(await opened.session.capabilitiesBeforeLogin, security: security)
        return opened
    }

    /// A backend and the reader on top of it, started on the session `first`, as the reader
    /// starts on the one it logged in with before taking over the screen.
    private func startReader(
        cache: Task<HeaderCache?, any Error>?, headerCache: HeaderCache?, first: OpenedMailbox
    ) -> (POP3Backend, InboxModel, Reader, EventSink) {
        let backend = POP3Backend(account: user, options: .init(headerCache: headerCache), loggedIn: first) { _ in
            try await logIn(cache: cache)
        }
        let model = InboxModel(account: user)
        let reader = Reader(model: model, backend: backend, options: ReaderOptions())
        reader.resize(width: 200, height: Self.screenRows + 3)
        let sink = EventSink()
        backend.start(sink)
        return (backend, model, reader, sink)
    }

    /// Rows whose header is the one the rigs seeded as that message: "Simple message N of COUNT"
    /// (checked after a load, so it costs the load nothing).
    static func rowsWithTheirHeader(in model: InboxModel) -> Int {
        let count = model.listings.count
        return (1...max(count, 1)).count(where: { number in
            model.row(number: number)?.summary?.subject == "Simple message \(number) of \(count)"
        })
    }

    /// The index opens on the newest message, so its screenful is the highest numbers.
    private static func newestScreenful(of model: InboxModel) -> Bool {
        let count = model.listings.count
        return (max(1, count - screenRows + 1)...max(count, 1)).allSatisfy { number in
            count == 0 || model.row(number: number)?.summary != nil
        }
    }

    private static func waitForClose(_ sink: EventSink) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if sink.drain().contains(where: { if case .closed = $0 { true } else { false } }) { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw BenchFailure("the session did not close")
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
