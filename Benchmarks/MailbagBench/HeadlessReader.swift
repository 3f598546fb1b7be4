import Foundation
import Inbox
import MailMessage
import POP3
import TUI

/// Mailbag's own index load, exactly as the reader runs it (backend, event sink, model, reader
/// screen logic) with a virtual 200×50 terminal instead of ncurses.
struct HeadlessReader {
    struct Timing {
        /// Seconds since start to logged in, first screenful of headers, and every header.
        var login: Double
        var firstScreen: Double
        var complete: Double
    }

    static let screenRows = 50

    let port: Int
    let user: String
    let password: String
    var cacheDirectory: URL?
    /// Pause between drains of the event queue, like the reader's tick but finer so the
    /// measurement is not rounded up to it.
    var pollInterval: Duration = .milliseconds(1)
    /// Where each load's protocol lines go, with notes for the cache opening and the index
    /// completing: what explains a slow load.
    var trace: ProtocolTrace?

    /// Plaintext so the proxy sees the protocol, and AUTH PLAIN because that is what the floor
    /// client uses: the comparison is about the index, not about which login takes more trips.
    var configuration: POP3Configuration {
        var config = POP3Configuration(host: "127.0.0.1", port: port, security: .plaintext, allowPlaintext: true)
        config.allowedMechanisms = [.saslPlain]
        config.trace = trace
        return config
    }

    func headerCache() throws -> HeaderCache? {
        try cacheDirectory.map {
            try HeaderCache.open(in: CacheDirectory(url: $0), account: "bench", server: "\(user)@bench")
        }
    }

    /// Loads the whole index, then quits without deleting. Returns the model too, for callers
    /// that look at (or measure) what it holds.
    func loadIndex() async throws -> (Timing, InboxModel) {
        let start = ContinuousClock.now
        let loggedIn = LoginClock()
        trace?.note("load starts")
        let cache = try headerCache()
        trace?.note("header cache open")
        let (backend, model, reader, sink) = startReader(headerCache: cache) { loggedIn.mark(start.secondsSince) }
        var firstScreen: Double?
        var complete: Double?
        while complete == nil {
            try await Task.sleep(for: pollInterval)
            let events = sink.drain()
            reader.apply(events)
            for event in events {
                switch event {
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
        return (Timing(login: loggedIn.seconds ?? 0, firstScreen: firstScreen ?? complete ?? 0, complete: complete ?? 0), model)
    }

    /// Seconds from pressing Enter (and `y` to the size question) on message `number` to the first
    /// page of it drawn in the pager.
    func openMessage(_ number: Int, expecting firstLine: String) async throws -> Double {
        let (backend, model, reader, sink) = startReader(headerCache: nil) {}
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

    /// A backend and the reader on top of it, started; `loggedIn` runs after each login.
    private func startReader(
        headerCache: HeaderCache?, loggedIn: @escaping @Sendable () -> Void
    ) -> (POP3Backend, InboxModel, Reader, EventSink) {
        let config = configuration
        let backend = POP3Backend(account: user, options: .init(headerCache: headerCache)) { [user, password] in
            // As the reader does: the capabilities of the previous visit, and these for the next.
            var remembering = config
            remembering.knownCapabilities = headerCache?.knownCapabilities(security: config.security)
            let session = try await POP3Session.connect(remembering)
            try await session.login(user: user, password: password, prefetchingListing: true)
            loggedIn()
            try? headerCache?.rememberCapabilities(await session.capabilitiesBeforeLogin, security: config.security)
            return session
        }
        let model = InboxModel(account: user)
        let reader = Reader(model: model, backend: backend, options: ReaderOptions())
        reader.resize(width: 200, height: Self.screenRows + 3)
        let sink = EventSink()
        backend.start(sink)
        return (backend, model, reader, sink)
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

/// Written once from the backend's task, read after the run.
private final class LoginClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Double?
    func mark(_ seconds: Double) { lock.withLock { if value == nil { value = seconds } } }
    var seconds: Double? { lock.withLock { value } }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
