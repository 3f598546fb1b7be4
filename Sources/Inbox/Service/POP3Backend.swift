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

    public struct Options: Sendable {
        public var renderOptions: RenderOptions
        /// Idle time after which a NOOP keeps the session alive (RFC 1939 servers may drop a
        /// session idle for 10 minutes, and with it the user's marks).
        public var keepalive: Duration
        /// Waits between reconnection attempts; their count is how often it is tried.
        public var reconnectBackoff: [Duration]
        public var headerCache: HeaderCache?
        public var bodyCache: BodyCache?

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
    ///   - open: connects and logs in; called for every connection but that one.
    public init(
        account: String, options: Options = .init(), loggedIn: POP3Session? = nil,
        open: @escaping @Sendable () async throws -> POP3Session
    ) {
        worker = Worker(account: account, options: options, loggedIn: loggedIn, open: open)
    }

    public func start(_ sink: EventSink) {
        let jobs = self.jobs
        let worker = self.worker
        Task.detached { await worker.run(sink: sink, jobs: jobs) }
    }

    public func fetchMessage(number: Int, uid: String?) { jobs.push(.fetch(MessageRef(number: number, uid: uid), preview: nil)) }
    public func fetchPreview(number: Int, uid: String?, lines: Int) { jobs.push(.fetch(MessageRef(number: number, uid: uid), preview: lines)) }
    public func commit(_ plan: CommitPlan) { jobs.push(.commit(plan)) }
    public func quitWithoutDeleting() { jobs.push(.quit) }
    public func stopReconnecting() { jobs.cancelReconnection() }
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

    var endsSession: Bool {
        switch self {
        case .commit, .quit: true
        case .fetch, .keepalive, .connectionDropped: false
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
    private let open: @Sendable () async throws -> POP3Session
    private var loggedIn: POP3Session?
    private let clock = ContinuousClock()

    private var session: POP3Session?
    /// The latest listing; after a reconnection, kept until the new session's replaces it.
    private var rows: [MessageListing] = []
    private var positions = RowPositions()
    /// Whether the UI has the summary of the row at the same position in `rows`.
    private var summarized: [Bool] = []
    /// Whether `rows` comes from the current session.
    private var listed = false
    private var pendingHeaders: ArraySlice<Int> = []
    /// A first visit's UIDs while they are on their way (see `listIfNeeded`).
    private var awaitingUIDs: AwaitedUIDs?
    private var lastActivity: ContinuousClock.Instant
    /// The server's CAPA LOGIN-DELAY: the least time between two logins.
    private var loginDelay: Duration = .zero
    /// The caches' writes, made beside the header fetch; a quit waits for them.
    private let cacheWrites = CacheWrites()
    /// Counts connections; listings carry it, and a commit plan's numbers are only used on the
    /// session that listed them.
    private var generation = 0
    /// Commits cut short before QUIT in a row; each is retried on a new session, a few times.
    private var interruptedCommits = 0
    private var jobs = JobQueue()

    init(account: String, options: POP3Backend.Options, loggedIn: POP3Session?, open: @escaping @Sendable () async throws -> POP3Session) {
        self.account = account
        self.options = options
        self.loggedIn = loggedIn
        self.open = open
        self.lastActivity = clock.now
    }

    func run(sink: EventSink, jobs: JobQueue) async {
        self.jobs = jobs
        let ticker = Task.detached { [keepalive = options.keepalive] in
            while !Task.isCancelled {
                try? await Task.sleep(for: keepalive / 2)
                jobs.push(.keepalive)
            }
        }
        defer { ticker.cancel() }
        // Read while the first session logs in; taken by the first listing.
        options.headerCache?.preload()
        do {
            try await connect()
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
                        sink.send(.closed)
                        return
                    case .keepalive, .connectionDropped:
                        continue
                    case .fetch, .commit:
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
                if try await listIfNeeded(sink: sink) { continue }
                if try await identifyIfDue(sink: sink) { continue }
                if !pendingHeaders.isEmpty {
                    try await fetchHeaders(sink: sink, until: jobs)
                    if pendingHeaders.isEmpty && awaitingUIDs == nil { sink.send(.headersComplete) }
                    continue
                }
                _ = await wakeups.next()
            } catch {
                await session?.close()
                session = nil
                awaitingUIDs = nil
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
        case .quit, .keepalive, .connectionDropped:
            break
        }
    }

    // MARK: Session

    private func connect() async throws {
        let fresh: POP3Session
        if let loggedIn {
            fresh = loggedIn
            self.loggedIn = nil
        } else {
            fresh = try await open()
        }
        session = fresh
        generation += 1
        lastActivity = clock.now
        if let seconds = await fresh.capabilities.loginDelay { loginDelay = .seconds(seconds) }
        // A reset or EOF while idle is acted on at once, so rows and marks are re-mapped before
        // the user next needs the server.
        Task.detached { [jobs, generation] in
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
                try await connect()
                listed = false
                sink.send(.notice("Reconnected."))
                return true
            } catch let failure as POP3Error {
                reason = failure.description
                switch failure {
                case .authFailed, .tlsVerification, .stlsNotOffered, .stlsRefused, .responseInjection, .plaintextNotAllowed:
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
        let deadline = clock.now + duration
        while clock.now < deadline {
            if jobs.takeReconnectionCancel() { return true }
            try? await Task.sleep(for: min(.milliseconds(50), deadline - clock.now))
        }
        return jobs.takeReconnectionCancel()
    }

    private static func seconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds)
    }

    // MARK: Index

    /// After login (first or again): the listing, rows re-mapped by UID, and only headers the UI
    /// does not have yet queued. Returns whether it listed.
    ///
    /// A visit with a header cache lists from UIDL and the cache (`MailboxIndex.cachedListing`),
    /// a relisting after a reconnection from LIST and UIDL. A first visit (nothing cached) needs
    /// every header and has nothing to match by UID: its rows are shown from LIST alone, and UIDL
    /// is answered behind the first screenful's headers (`identifyIfDue`), so that screenful does
    /// not wait for the server to produce every UID.
    private func listIfNeeded(sink: EventSink) async throws -> Bool {
        guard !listed, let session else { return false }
        let relisting = summarized.contains(true)
        // Read before listing (it was preloaded during the login): it decides whether this is a
        // first visit.
        let contents = relisting ? nil : await MailboxIndex.cacheContents(options.headerCache) { sink.send(.notice($0)) }
        if !relisting && (contents?.isEmpty ?? true) {
            let (fresh, uids) = try await MailboxIndex.listingBeforeUIDs(session)
            awaitingUIDs = AwaitedUIDs(uids: uids, contents: contents, headersFirst: MailboxIndex.headersBeforeUIDs)
            summarized = Array(repeating: false, count: fresh.count)
            sink.send(.listing(fresh, session: generation))
            adopt(fresh)
            return true
        }
        let fresh: [MessageListing]
        if let contents {
            let listing = try await MailboxIndex.cachedListing(session, contents: contents)
            for problem in listing.problems { sink.send(.notice(problem)) }
            fresh = listing.rows
            summarized = listing.cached.map(\.isPresent)
            sink.send(.listing(fresh, cached: listing.cached, session: generation))
            recordVisit(listing.visit, since: contents, sink: sink)
        } else {
            let problems: [String]
            (fresh, problems) = try await MailboxIndex.listingWithUIDs(session)
            for problem in problems { sink.send(.notice(problem)) }
            // Without UIDs (a server without UIDL, or a first visit cut before they came) nothing
            // links the new numbers to the old summaries.
            let had = Set(zip(rows, summarized).compactMap { row, summarized in summarized ? row.uid : nil })
            summarized = fresh.map { row in row.uid.map(had.contains) ?? false }
            let vanished = had.count - summarized.count { $0 }
            if vanished > 0, fresh.contains(where: { $0.uid != nil }) {
                sink.send(.notice("\(vanished) message\(vanished == 1 ? " is" : "s are") gone from the server since the connection was lost; marks on them were dropped."))
            }
            sink.send(.listing(fresh, session: generation))
        }
        adopt(fresh)
        if pendingHeaders.isEmpty { sink.send(.headersComplete) }
        return true
    }

    /// Takes `fresh` as the session's rows and queues the headers the UI does not have.
    private func adopt(_ fresh: [MessageListing]) {
        rows = fresh
        positions = RowPositions(fresh.lazy.map(\.number))
        listed = true
        pendingHeaders = MailboxIndex.fetchOrder(zip(fresh, summarized).filter { !$1 }.map(\.0.number))[...]
        lastActivity = clock.now
    }

    /// Flags new messages, and, off the index's path (nothing on screen waits for the caches'
    /// bookkeeping), records the visit and drops bodies of messages that are gone.
    private func recordVisit(_ visit: VisitedUIDs, since contents: HeaderCache.Contents?, sink: EventSink) {
        sink.send(.newMessages(uids: contents?.newUIDs(visit) ?? []))
        let notice: @Sendable (String) -> Void = { sink.send(.notice($0)) }
        cacheWrites.add { [options] in
            MailboxIndex.recordVisit(visit, in: options.headerCache, since: contents, notice: notice)
            do {
                try options.bodyCache?.retain(only: Set(visit.uids))
            } catch {
                notice(String(describing: error))
            }
        }
    }

    /// Once the headers asked for ahead of UIDL are in (or no header is left to fetch), waits
    /// for the UIDs and gives them to the rows, the UI and the cache.
    private func identifyIfDue(sink: EventSink) async throws -> Bool {
        guard let awaited = awaitingUIDs, awaited.headersFirst <= 0 || pendingHeaders.isEmpty else { return false }
        let (fresh, problems) = MailboxIndex.identified(rows, by: try await awaited.uids.value())
        awaitingUIDs = nil
        for problem in problems { sink.send(.notice(problem)) }
        rows = fresh
        sink.send(.identified(fresh))
        let fetched = awaited.fetched.map { (fresh[$0.position], $0.summary) }
        let notice: @Sendable (String) -> Void = { sink.send(.notice($0)) }
        cacheWrites.add { [cache = options.headerCache] in MailboxIndex.remember(fetched, in: cache, notice: notice) }
        recordVisit(VisitedUIDs(fresh.compactMap(\.uid)), since: awaited.contents, sink: sink)
        if pendingHeaders.isEmpty { sink.send(.headersComplete) }
        return true
    }

    /// Pipelines `TOP n 0` for every pending header until a job waits (before the UIDs of a
    /// first visit, only for those asked for ahead of UIDL). Summaries reach the cache every
    /// `cacheBatch` arrivals, so a dropped connection loses little of a long first fetch.
    private func fetchHeaders(sink: EventSink, until jobs: JobQueue) async throws {
        let numbers = Array(awaitingUIDs.map { pendingHeaders.prefix($0.headersFirst) } ?? pendingHeaders)
        let (rows, positions) = (self.rows, self.positions)
        let arrived = Arrivals()
        let (cache, writes) = (options.headerCache, cacheWrites)
        let notice: @Sendable (String) -> Void = { sink.send(.notice($0)) }
        // Also when the connection drops: what arrived is neither fetched again nor lost to the
        // cache; before the UIDs it waits for them.
        defer {
            let unsaved = arrived.unflushed()
            if awaitingUIDs != nil {
                awaitingUIDs?.fetched += unsaved
            } else {
                writes.add { MailboxIndex.remember(unsaved.map { (rows[$0.position], $0.summary) }, in: cache, notice: notice) }
            }
            let done = arrived.positions
            for position in done { summarized[position] = true }
            pendingHeaders = pendingHeaders.dropFirst(done.count)
            awaitingUIDs?.headersFirst -= done.count
            lastActivity = clock.now
        }
        try await MailboxIndex.summaries(
            try current(), for: numbers, shouldPause: { jobs.hasUrgentJob },
            fingerprinting: { number in positions.position(of: number).map { rows[$0].uid == nil } ?? false }
        ) { number, result, fingerprint in
            switch result {
            case .success(let summary):
                sink.send(.summary(number: number, summary, fingerprint: fingerprint))
            case .failure(let error):
                sink.send(.summaryFailed(number: number, reason: error.description))
            }
            guard let position = positions.position(of: number) else { return }
            if let batch = arrived.add(position, try? result.get(), flushingEvery: Self.cacheBatch) {
                writes.add { MailboxIndex.remember(batch.map { (rows[$0.position], $0.summary) }, in: cache, notice: notice) }
            }
        }
    }

    private static let cacheBatch = 1000

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
            var report = await DeletionCommit.run(plan, on: session, numbersValid: plan.session == generation)
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
            if awaitingUIDs == nil {
                let kept = Set(rows.compactMap(\.uid)).subtracting(report.confirmedDeletions.compactMap(\.uid))
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
            if clock.now - lastActivity >= options.keepalive / 2 {
                try await current().noop()
                lastActivity = clock.now
            }
            return false
        }
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
        _ = try await listIfNeeded(sink: sink)
        // Before a first visit's UIDs the rows have none, but the numbers are this session's.
        let byUID = ref.uid != nil && awaitingUIDs == nil
        guard let row = rows.first(where: { byUID ? $0.uid == ref.uid : $0.number == ref.number }) else {
            sink.send(.fetchFailed(number: ref.number, reason: "The message is no longer on the server."))
            return
        }
        let session = try current()
        do {
            if let lines = preview {
                let bytes = try await session.top(row.number, lines: lines)
                sink.send(.preview(number: row.number, rendered: MessageRenderer.partialRender(bytes, options: options.renderOptions)))
            } else {
                let raw = try await retrieve(row, from: session, sink: sink)
                sink.send(.message(number: row.number, raw: raw, rendered: MessageRenderer.render(raw, options: options.renderOptions)))
            }
        } catch let error as POP3Error where !error.endsSession {
            sink.send(.fetchFailed(number: row.number, reason: error.description))
        }
        lastActivity = clock.now
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
    private let last = Mutex<Task<Void, Never>?>(nil)

    func add(_ write: @escaping @Sendable () -> Void) {
        last.withLock { last in
            last = Task.detached { [previous = last] in
                await previous?.value
                write()
            }
        }
    }

    /// Returns once every write added so far is done.
    func finish() async {
        await last.withLock { $0 }?.value
    }
}

/// TOP replies as they arrive from the batch callback, gathered for the header cache.
private final class Arrivals: Sendable {
    private struct State {
        /// In `rows` of the listing the replies answer.
        var positions: [Int] = []
        var unsaved: [FetchedSummary] = []
    }

    private let state = Mutex(State())

    /// Records one reply (nil summary: the server refused that one) and returns the summaries to
    /// save once `flushingEvery` have gathered.
    func add(_ position: Int, _ summary: MessageSummary?, flushingEvery limit: Int) -> [FetchedSummary]? {
        state.withLock { state in
            state.positions.append(position)
            if let summary { state.unsaved.append(FetchedSummary(position: position, summary: summary)) }
            guard state.unsaved.count >= limit else { return nil }
            defer { state.unsaved.removeAll(keepingCapacity: true) }
            return state.unsaved
        }
    }

    func unflushed() -> [FetchedSummary] { state.withLock { $0.unsaved } }
    var positions: [Int] { state.withLock { $0.positions } }
}

/// A summary fetched for the row at `position` of the worker's listing.
private struct FetchedSummary: Sendable {
    var position: Int
    var summary: MessageSummary
}

/// A first visit's UIDL reply, on its way behind the first `headersFirst` headers.
private struct AwaitedUIDs {
    var uids: PendingUIDListing
    /// The cache as read before listing, for recording the visit once the UIDs are known.
    var contents: HeaderCache.Contents?
    /// How many of the pending headers were asked for ahead of UIDL and are not in yet.
    var headersFirst: Int
    /// Summaries that came before the UIDs, for the cache.
    var fetched: [FetchedSummary] = []
}
