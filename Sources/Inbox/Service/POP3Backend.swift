import Foundation
import MailMessage
import POP3
import Synchronization

/// The reader's link to a real POP3 server. The UI calls these methods from its own thread and gets
/// answers as `InboxEvent`s; every network step runs on one worker so commands never interleave on
/// the wire, and a message the user opens jumps ahead of the remaining header fetches: the header
/// pipeline stops sending, drains what is in flight, and resumes after the job.
public final class POP3Backend: InboxBackend {
    private let worker: Worker
    private let jobs = JobQueue()
    /// The caches' writes, shared with the worker: read states are written at once, not behind
    /// a header fetch, and a quit still waits for them.
    private let cacheWrites = CacheWrites()
    private let headerCache: HeaderCache?
    /// Where a failed write is told, once `start` gave it.
    private let sink = Mutex<EventSink?>(nil)

    public struct Options: Sendable {
        public var renderOptions: RenderOptions
        /// Idle time after which a NOOP keeps the session alive (RFC 1939 servers may drop a
        /// session idle for 10 minutes, and with it the user's marks).
        public var keepalive: Duration
        /// Waits between reconnection attempts; their count is how often it is tried.
        public var reconnectBackoff: [Duration]
        public var headerCache: HeaderCache?
        public var bodyCache: BodyCache?
        /// `keep_deleted`: where the commit saves each message before deleting it; nil is off.
        public var safetyNet: SafetyNet?
        /// Whether the load is a visit, recorded as the one the next compares with to tell what
        /// is new; false for a look that must leave that to the reader (`mailbag list`).
        public var recordsVisit = true
        /// What the keep-alive, the idle time and the reconnection's countdown are measured on:
        /// real time, or a test's own clock.
        public var clock: any Clock<Duration> = ContinuousClock()

        public init(
            renderOptions: RenderOptions = .init(), keepalive: Duration = .seconds(240),
            reconnectBackoff: [Duration] = [1, 2, 4, 8, 15, 30, 60, 60, 60, 60].map { .seconds($0) },
            headerCache: HeaderCache? = nil, bodyCache: BodyCache? = nil
        ) {
            self.renderOptions = renderOptions
            self.keepalive = keepalive
            self.reconnectBackoff = reconnectBackoff
            self.headerCache = headerCache
            self.bodyCache = bodyCache
        }
    }

    /// - Parameters:
    ///   - loggedIn: a session already logged in (the reader logs in before it takes over the
    ///     screen), used for the first connection instead of `open`.
    ///   - open: connects and logs in (`OpenedMailbox.logIn`), telling each stage it reaches to
    ///     the function it is given (for `POP3Configuration.onStage`); called for every
    ///     connection but that one.
    public init(
        account: String, options: Options = .init(), loggedIn: OpenedMailbox? = nil,
        open: @escaping Opener
    ) {
        worker = Worker(account: account, options: options, loggedIn: loggedIn, open: open, cacheWrites: cacheWrites)
        headerCache = options.headerCache
    }

    public typealias Opener = @Sendable (_ onStage: @escaping @Sendable (LoginStage) -> Void) async throws -> OpenedMailbox

    public func start(_ sink: EventSink) {
        self.sink.withLock { $0 = sink }
        let jobs = self.jobs
        let worker = self.worker
        Task { await worker.run(sink: sink, jobs: jobs) }
    }

    public func fetchMessage(number: Int, uid: String?) { jobs.push(.fetch(MessageRef(number: number, uid: uid), preview: nil)) }
    public func fetchPreview(number: Int, uid: String?, lines: Int) { jobs.push(.fetch(MessageRef(number: number, uid: uid), preview: lines)) }
    public func commit(_ plan: CommitPlan) { jobs.push(.commit(plan)) }
    public func quitWithoutDeleting() { jobs.push(.quit) }

    public func rememberStates(_ states: [String: MessageState]) {
        let (cache, sink) = (headerCache, sink.withLock { $0 })
        cacheWrites.add { MailboxIndex.rememberStates(states, in: cache) { sink?.send(.notice($0)) } }
    }

    public func stopReconnecting() { jobs.cancelReconnection() }
    public func checkForNewMail() { jobs.push(.checkMail) }
}

/// A message as the UI named it. After a reconnection the UID is what counts: message numbers of
/// an earlier session are never used on a new one.
struct MessageRef: Sendable, Equatable {
    var number: Int
    var uid: String?
}

enum BackendJob: Sendable {
    /// `preview` is the body line count for `TOP n k`; nil fetches the whole message.
    case fetch(MessageRef, preview: Int?)
    case commit(CommitPlan)
    case quit
    case keepalive
    /// The connection closed under an idle session: reconnect now, before the user needs it.
    case connectionDropped(session: Int)
    case checkMail

    var endsSession: Bool {
        switch self {
        case .commit, .quit: true
        case .fetch, .keepalive, .connectionDropped, .checkMail: false
        }
    }
}

/// Jobs from the UI thread to the worker. A lock rather than an actor because the UI must enqueue
/// without awaiting; the stream only wakes the worker, the deque holds the order.
final class JobQueue: Sendable {
    private let pending = Mutex<[BackendJob]>([])
    private let reconnectionCancelled = Mutex(false)
    private let wake: AsyncStream<Void>.Continuation
    let wakeups: AsyncStream<Void>

    init() {
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func push(_ job: BackendJob) {
        pending.withLock { $0.append(job) }
        wake.yield()
    }

    func pop() -> BackendJob? {
        pending.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }

    /// Whether a job waits; a keep-alive does not count, since header traffic keeps the session alive.
    var hasUrgentJob: Bool {
        pending.withLock { jobs in
            jobs.contains {
                switch $0 {
                case .keepalive, .connectionDropped: false
                default: true
                }
            }
        }
    }

    /// The user asked to stop the reconnection under way.
    func cancelReconnection() {
        reconnectionCancelled.withLock { $0 = true }
        wake.yield()
    }

    /// Whether the user asked to stop reconnecting since the last call; clears the request.
    func takeReconnectionCancel() -> Bool {
        reconnectionCancelled.withLock { cancelled in
            defer { cancelled = false }
            return cancelled
        }
    }
}

actor Worker {
    private let account: String
    private let options: POP3Backend.Options
    private let open: POP3Backend.Opener
    private var loggedIn: OpenedMailbox?
    private let clock: Timeline

    private var session: POP3Session?
    /// The load's state, made at the first listing (it needs the cache's contents); shared with
    /// the header batch's callbacks.
    private var load: LoadState?
    /// The session the load began listing on.
    private var loadSession = 0
    /// Replies to commands written ahead (with the login, or by the load), each taken once.
    private var inFlight: [POP3Command: PendingReply] = [:]
    /// When the last command was sent, on `clock`: a server's autologout timer counts from the
    /// last command it received, and a test that sees a command's answer knows this is set.
    private var lastActivity: Duration
    /// The server's CAPA LOGIN-DELAY: the least time between two logins.
    private var loginDelay: Duration = .zero
    /// The caches' writes, made beside the header fetch (and the read states, which the backend
    /// adds); a quit waits for them.
    private let cacheWrites: CacheWrites
    /// Counts connections; listings carry it, and a commit plan's numbers are only used on the
    /// session that listed them.
    private var generation = 0
    /// Commits cut short before QUIT in a row; each is retried on a new session, a few times.
    private var interruptedCommits = 0
    private var jobs = JobQueue()

    init(
        account: String, options: POP3Backend.Options, loggedIn: OpenedMailbox?, open: @escaping POP3Backend.Opener,
        cacheWrites: CacheWrites
    ) {
        self.cacheWrites = cacheWrites
        self.account = account
        self.options = options
        self.loggedIn = loggedIn
        self.open = open
        clock = Timeline(options.clock)
        lastActivity = clock.now()
    }

    func run(sink: EventSink, jobs: JobQueue) async {
        self.jobs = jobs
        let ticker = Task { [keepalive = options.keepalive, clock] in
            do {
                while true {
                    try await clock.sleep(keepalive / 2)
                    jobs.push(.keepalive)
                }
            } catch {
                // Cancelled: the worker is done.
            }
        }
        defer { ticker.cancel() }
        // Read while the first session logs in; taken by the first listing.
        options.headerCache?.preload()
        do {
            try await connect(sink: sink)
        } catch {
            sink.send(.connectionLost(String(describing: error)))
            sink.send(.closed)
            return
        }
        sink.send(.connected(account: account))
        for notice in [options.headerCache?.notice, options.bodyCache?.notice].compactMap({ $0 }) {
            sink.send(.notice(notice))
        }
        var retry: BackendJob?
        var wakeups = jobs.wakeups.makeAsyncIterator()
        while true {
            do {
                if session == nil {
                    // Reconnecting failed or was stopped: only a job that needs the server tries again.
                    guard let job = retry ?? jobs.pop() else {
                        _ = await wakeups.next()
                        continue
                    }
                    retry = nil
                    switch job {
                    case .quit:
                        await cacheWrites.finish()
                        sink.send(.closed)
                        return
                    case .keepalive, .connectionDropped:
                        continue
                    case .fetch, .commit, .checkMail:
                        if await reconnect(after: nil, sink: sink) {
                            retry = job
                        } else {
                            abandon(job, sink: sink)
                        }
                        continue
                    }
                }
                if let job = retry ?? jobs.pop() {
                    retry = job
                    let finished = try await perform(job, sink: sink)
                    retry = nil
                    if finished { return }
                    continue
                }
                if try await advanceLoad(sink: sink) { continue }
                _ = await wakeups.next()
            } catch {
                await session?.close()
                session = nil
                inFlight = [:]
                if let load { perform(load.state.withLock { $0.sessionLost() }, sink: sink) }
                switch retry {
                case .keepalive?, .connectionDropped?:
                    retry = nil
                case .quit?:
                    sink.send(.closed)
                    return
                default:
                    break
                }
                if await reconnect(after: error, sink: sink) { continue }
                await cacheWrites.finish()
                if let job = retry { abandon(job, sink: sink) }
                retry = nil
                sink.send(.connectionLost(String(describing: error)))
            }
        }
    }

    /// Answers a job that needed the server when no connection could be had.
    private func abandon(_ job: BackendJob, sink: EventSink) {
        switch job {
        case .commit:
            interruptedCommits = 0
            sink.send(.committed(CommitReport(
                deleted: [], skipped: [], serverText: nil,
                outcome: .nothingDeleted("no connection to the server could be made, so nothing was sent. Your marks are kept."))))
        case .fetch(let ref, _):
            sink.send(.fetchFailed(number: ref.number, reason: "there is no connection to the server."))
        case .checkMail:
            sink.send(.notice("Could not check for new mail: there is no connection to the server."))
        case .quit, .keepalive, .connectionDropped:
            break
        }
    }

    // MARK: Session

    private func connect(sink: EventSink) async throws {
        let opened: OpenedMailbox
        if let loggedIn {
            opened = loggedIn
            self.loggedIn = nil
        } else {
            opened = try await open { sink.send(.loginStage($0)) }
        }
        let fresh = opened.session
        session = fresh
        inFlight = opened.sentAfterLogin
        generation += 1
        lastActivity = clock.now()
        if let seconds = await fresh.capabilities.loginDelay { loginDelay = .seconds(seconds) }
        // A reset or EOF while idle is acted on at once, so rows and marks are re-mapped before
        // the user next needs the server.
        Task { [jobs, generation] in
            await fresh.closed()
            jobs.push(.connectionDropped(session: generation))
        }
    }

    private func current() throws -> POP3Session {
        guard let session else { throw POP3Error.connectionClosed }
        return session
    }

    /// Tries to log in again with backoff, counting down on the status line, until the user
    /// stops it (`stopReconnecting`). A password the server now refuses ends the attempts:
    /// asking for another one needs the user, not a loop.
    private func reconnect(after error: (any Error)?, sink: EventSink) async -> Bool {
        _ = jobs.takeReconnectionCancel()
        var reason = error.map { String(describing: $0) } ?? "not connected"
        for (attempt, backoff) in options.reconnectBackoff.enumerated() {
            var left = min(max(backoff, loginDelay), Self.longestWait)
            repeat {
                if left > .zero {
                    sink.send(.notice("Connection lost (\(reason)); reconnecting in \(Self.seconds(left)) s, attempt \(attempt + 1) of \(options.reconnectBackoff.count). Esc stops; your marks are kept."))
                }
                let step = min(left, .seconds(1))
                if await sleepUnlessStopped(step) {
                    sink.send(.notice("Stopped reconnecting; your marks are kept. Press q to try again."))
                    return false
                }
                left -= step
            } while left > .zero
            do {
                try await connect(sink: sink)
                sink.send(.notice("Reconnected."))
                return true
            } catch let failure as POP3Error {
                reason = failure.description
                switch failure {
                case .authFailed, .tokenRefused, .noOAuth2Mechanism, .tlsVerification, .stlsNotOffered, .stlsRefused, .responseInjection, .plaintextNotAllowed:
                    return false
                case .loginDelay(let seconds, _):
                    loginDelay = .seconds(seconds ?? 300)
                default:
                    continue
                }
            } catch {
                reason = String(describing: error)
            }
        }
        return false
    }

    /// A server's LOGIN-DELAY can ask for hours; the countdown never waits longer than this.
    private static let longestWait: Duration = .seconds(300)

    /// Sleeps, waking early when the user stops the reconnection. Returns whether it was stopped.
    private func sleepUnlessStopped(_ duration: Duration) async -> Bool {
        var left = duration
        while left > .zero {
            if jobs.takeReconnectionCancel() { return true }
            let step = min(.milliseconds(50), left)
            try? await clock.sleep(step)
            left -= step
        }
        return jobs.takeReconnectionCancel()
    }

    private static func seconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds)
    }

    // MARK: Index

    /// Carries out the load's next request (see `MailboxLoader`). Returns false when it has
    /// none: every header is in.
    private func advanceLoad(sink: EventSink) async throws -> Bool {
        guard let session else { return false }
        let load = await loadState(for: session, sink: sink)
        guard let request = load.state.withLock({ $0.next() }) else { return false }
        lastActivity = clock.now()
        switch request {
        case .send(let commands):
            let unsent = commands.filter { inFlight[$0] == nil }
            for (command, reply) in zip(unsent, try await session.pipeline(unsent)) { inFlight[command] = reply }
        case .await(let command):
            let pending = if let early = inFlight.removeValue(forKey: command) { early } else { try await session.pipeline([command])[0] }
            let reply = try await pending.value()
            perform(try load.state.withLock { try $0.received(reply, for: command) }, sink: sink)
        case .fetchHeaders(let numbers):
            try await fetchHeaders(numbers, load: load, session: session, sink: sink)
        }
        return true
    }

    /// The load, begun on `session` if it has not listed yet. Made at the first listing, with
    /// the header cache's contents (read while the first session logged in).
    private func loadState(for session: POP3Session, sink: EventSink) async -> LoadState {
        let load: LoadState
        if let existing = self.load {
            load = existing
        } else {
            let contents = await MailboxIndex.cacheContents(options.headerCache) { sink.send(.notice($0)) }
            load = LoadState(MailboxLoader(
                contents: contents, window: await session.initialPipelineWindow, recordsVisit: options.recordsVisit))
            self.load = load
        }
        if loadSession != generation {
            loadSession = generation
            let (capabilities, generation) = (await session.capabilities, generation)
            load.state.withLock { $0.begin(session: generation, capabilities: capabilities) }
        }
        return load
    }

    /// Lists the current session if it has not been (a fetch needs this session's numbers).
    private func listIfNeeded(sink: EventSink) async throws {
        while session != nil, load?.state.withLock({ $0.phase == .unlisted }) ?? true || loadSession != generation {
            guard try await advanceLoad(sink: sink) else { return }
        }
    }

    /// Pipelines `TOP n 0` for `numbers` until a job waits, taking the replies the load asked for
    /// ahead; each summary reaches the reader as it arrives.
    private func fetchHeaders(_ numbers: [Int], load: LoadState, session: POP3Session, sink: EventSink) async throws {
        var early: [Int: PendingReply] = [:]
        for number in numbers {
            if let reply = inFlight[.top(number, lines: 0)] { early[number] = reply }
        }
        let (jobs, cache, bodyCache, writes) = (self.jobs, options.headerCache, options.bodyCache, cacheWrites)
        let answered = try await session.topBatch(numbers, lines: 0, inFlight: early, shouldPause: { jobs.hasUrgentJob }) { number, result in
            let fingerprint = load.state.withLock { $0.wantsFingerprint(number) } ? (try? result.get()).map(HeaderFingerprint.init(headerBytes:)) : nil
            let summary = result.map { MessageSummary.parse(headerBytes: $0) }
            Self.perform(load.state.withLock { $0.headerArrived(number: number, summary, fingerprint: fingerprint) },
                         sink: sink, cache: cache, bodyCache: bodyCache, writes: writes)
        }
        for number in numbers.prefix(answered) { inFlight[.top(number, lines: 0)] = nil }
        perform(load.state.withLock { $0.flush() }, sink: sink)
    }

    private func perform(_ effects: [MailboxLoader.Effect], sink: EventSink) {
        Self.perform(effects, sink: sink, cache: options.headerCache, bodyCache: options.bodyCache, writes: cacheWrites)
    }

    /// Events go to the reader at once; the caches' bookkeeping runs off the index's path.
    private static func perform(
        _ effects: [MailboxLoader.Effect], sink: EventSink, cache: HeaderCache?, bodyCache: BodyCache?, writes: CacheWrites
    ) {
        let notice: @Sendable (String) -> Void = { sink.send(.notice($0)) }
        for effect in effects {
            switch effect {
            case .event(let event):
                sink.send(event)
            case .remember(let fetched):
                writes.add { MailboxIndex.remember(fetched, in: cache, notice: notice) }
            case .recordVisit(let visit, let contents):
                writes.add {
                    MailboxIndex.recordVisit(visit, in: cache, since: contents, notice: notice)
                    // Bodies of messages that left the server go with them.
                    do {
                        try bodyCache?.retain(only: Set(visit.uids))
                    } catch {
                        notice(String(describing: error))
                    }
                }
            }
        }
    }

    // MARK: Jobs

    /// Returns true once the session has ended.
    private func perform(_ job: BackendJob, sink: EventSink) async throws -> Bool {
        if job.endsSession { await cacheWrites.finish() }
        switch job {
        case .fetch(let ref, let preview):
            try await fetch(ref, preview: preview, sink: sink)
            return false
        case .commit(let plan):
            // A session that died while the user was idle is found here, before any DELE, so the
            // commit runs on a new session; DeletionCommit itself never throws.
            let session = try current()
            try await session.noop()
            var report = await DeletionCommit.run(
                plan, on: session, numbersValid: plan.session == generation, safetyNet: options.safetyNet)
            if case .nothingDeleted = report.outcome {
                // Cut before QUIT: nothing happened on the server, so it is tried again on a new
                // session, a few times; then the user decides, with the marks kept.
                guard interruptedCommits >= Self.commitTries - 1 else {
                    interruptedCommits += 1
                    throw POP3Error.connectionClosed
                }
                interruptedCommits = 0
                self.session = nil
                sink.send(.committed(report))
                return false
            }
            interruptedCommits = 0
            if case .unknown = report.outcome {
                report = await verifyOnNewSession(report, sink: sink)
            }
            // Deleted mail should not linger on disk in the body cache; rows still without their
            // UIDs cannot say what to keep.
            if let load, load.state.withLock({ $0.rowsIdentified }) {
                let kept = Set(load.state.withLock { $0.rows }.compactMap(\.uid)).subtracting(report.confirmedDeletions.compactMap(\.uid))
                try? options.bodyCache?.retain(only: kept)
            }
            sink.send(.committed(report))
            sink.send(.closed)
            return true
        case .connectionDropped(let dropped):
            if dropped == generation, session != nil { throw POP3Error.connectionClosed }
            return false
        case .quit:
            if let session {
                do {
                    _ = try await session.quit()
                } catch {
                    await session.close()
                }
            }
            sink.send(.closed)
            return true
        case .keepalive:
            if clock.now() - lastActivity >= options.keepalive / 2 {
                lastActivity = clock.now()
                try await current().noop()
            }
            return false
        case .checkMail:
            try await checkForNewMail(sink: sink)
            return false
        }
    }

    /// A planned reconnection: the old session ends with a plain QUIT (no DELE was ever sent on
    /// it; commits end their session), the new one is listed and re-mapped by UID as after any
    /// reconnection, and only the headers the cache lacks are fetched.
    private func checkForNewMail(sink: EventSink) async throws {
        let known = load?.state.withLock { $0.rows } ?? []
        if let old = session {
            session = nil
            inFlight = [:]
            if let load { perform(load.state.withLock { $0.sessionLost() }, sink: sink) }
            do {
                _ = try await old.quit()
            } catch {
                await old.close()
            }
        }
        try await connect(sink: sink)
        while try await advanceLoad(sink: sink) {}
        let listed = load?.state.withLock { $0.rows } ?? []
        let knownUIDs = Set(known.compactMap(\.uid))
        // Without UIDL only the count can tell; with it, every UID not listed before is new.
        let arrived = listed.allSatisfy({ $0.uid != nil }) && !knownUIDs.isEmpty
            ? listed.filter { !knownUIDs.contains($0.uid!) }.count
            : max(listed.count - known.count, 0)
        sink.send(.mailChecked(arrived: arrived))
    }

    private static let commitTries = 3

    /// After QUIT went unconfirmed: a new session looks for what was deleted, and ends with a
    /// QUIT that deletes nothing.
    private func verifyOnNewSession(_ report: CommitReport, sink: EventSink) async -> CommitReport {
        session = nil
        sink.send(.notice("The server did not confirm the deletions; reconnecting to find out what it deleted…"))
        guard await reconnect(after: nil, sink: sink), let session else { return report }
        do {
            let verified = try await DeletionCommit.verify(report, on: session)
            _ = try? await session.quit()
            return verified
        } catch {
            await session.close()
            return report
        }
    }

    private func fetch(_ ref: MessageRef, preview: Int?, sink: EventSink) async throws {
        try await listIfNeeded(sink: sink)
        // Before a first visit's UIDs the rows have none, but the numbers are this session's.
        guard let row = load?.state.withLock({ $0.row(number: ref.number, uid: ref.uid) }) else {
            sink.send(.fetchFailed(number: ref.number, reason: "The message is no longer on the server."))
            return
        }
        let session = try current()
        lastActivity = clock.now()
        do {
            if let lines = preview {
                let bytes = try await session.top(row.number, lines: lines)
                let render = options.renderOptions
                let rendered = await Self.renderOffPool { MessageRenderer.partialRender(bytes, options: render) }
                sink.send(.preview(number: row.number, rendered: rendered))
            } else {
                let raw = try await retrieve(row, from: session, sink: sink)
                let render = options.renderOptions
                let rendered = await Self.renderOffPool { MessageRenderer.render(raw, options: render) }
                sink.send(.message(number: row.number, raw: raw, rendered: rendered))
            }
        } catch let error as POP3Error where !error.endsSession {
            sink.send(.fetchFailed(number: row.number, reason: error.description))
        }
    }

    /// Renders on a thread of its own: an HTML converter can take seconds, and the renderer
    /// waits for it synchronously, which must neither hold this actor nor a thread of the
    /// concurrency pool while header fetches and keep-alive wait.
    private static func renderOffPool(_ render: @escaping @Sendable () -> RenderedMessage) async -> RenderedMessage {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: render()) }
        }
    }

    /// RETR, unless the body cache holds the message already.
    private func retrieve(_ row: MessageListing, from session: POP3Session, sink: EventSink) async throws -> [UInt8] {
        let cache = row.uid.flatMap { uid in options.bodyCache.map { (uid, $0) } }
        if let (uid, cache) = cache, let cached = try? cache.message(uid: uid, size: row.size) { return cached }
        let raw = try await session.retrieve(row.number, expectedSize: row.size) { received in
            sink.send(.fetchProgress(number: row.number, received: received, total: row.size))
        }
        if let (uid, cache) = cache {
            do {
                try cache.store(uid: uid, size: row.size, raw: raw)
            } catch {
                sink.send(.notice(error.description))
            }
        }
        return raw
    }
}

/// Cache writes run one after another off the worker, so neither the header pipeline nor the
/// index waits for SQLite: a first visit stores every summary it fetches.
final class CacheWrites: Sendable {
    private enum Item: Sendable {
        case write(@Sendable () -> Void)
        /// Resumed once every write before it is done.
        case barrier(CheckedContinuation<Void, Never>)
    }

    private let items: AsyncStream<Item>.Continuation

    init() {
        let (stream, items) = AsyncStream.makeStream(of: Item.self)
        self.items = items
        Task {
            for await item in stream {
                switch item {
                case .write(let write): write()
                case .barrier(let done): done.resume()
                }
            }
        }
    }

    deinit {
        items.finish()
    }

    func add(_ write: @escaping @Sendable () -> Void) {
        items.yield(.write(write))
    }

    /// Returns once every write added so far is done.
    func finish() async {
        await withCheckedContinuation { items.yield(.barrier($0)) }
    }
}

/// The worker's reading of `Options.clock`, whose instants it cannot name: time since the worker
/// began, and sleeping on the same clock.
struct Timeline: Sendable {
    let now: @Sendable () -> Duration
    let sleep: @Sendable (Duration) async throws -> Void

    init(_ clock: some Clock<Duration>) {
        let origin = clock.now
        now = { origin.duration(to: clock.now) }
        sleep = { try await clock.sleep(for: $0) }
    }
}

/// The load's state, shared between the worker and the header batch's callbacks, which run on
/// the session's side.
final class LoadState: Sendable {
    let state: Mutex<MailboxLoader>

    init(_ loader: MailboxLoader) {
        state = Mutex(loader)
    }
}

/// A session logged in for the index, with the replies to what the login sent behind its answer
/// (`MailboxLoader.commandsAfterLogin`).
public struct OpenedMailbox: Sendable {
    public var session: POP3Session
    public var sentAfterLogin: [POP3Command: PendingReply]

    public init(session: POP3Session, sentAfterLogin: [POP3Command: PendingReply] = [:]) {
        self.session = session
        self.sentAfterLogin = sentAfterLogin
    }

    /// Logs `session` in and writes, right behind the login's answer, what the load asks first.
    /// - Throws: `POP3Error`, as `POP3Session.login(user:credential:then:)` does.
    public static func logIn(_ session: POP3Session, user: String, credential: Credential, cacheHoldsSummaries: Bool) async throws -> OpenedMailbox {
        let commands = MailboxLoader.commandsAfterLogin(cacheHoldsSummaries: cacheHoldsSummaries)
        let replies = try await session.login(user: user, credential: credential, then: commands)
        return OpenedMailbox(session: session, sentAfterLogin: Dictionary(zip(commands, replies), uniquingKeysWith: { first, _ in first }))
    }
}
