import Foundation
import MailMessage
import POP3
import Synchronization

/// The reader's link to a real POP3 server. The UI calls these methods from its own thread and gets
/// answers as `InboxEvent`s; every network step runs on one worker so commands never interleave on
/// the wire, and a message the user opens jumps ahead of the remaining header fetches.
public final class POP3Backend: InboxBackend {
    private let worker: Worker
    private let jobs = JobQueue()

    /// - Parameter open: connects and logs in; called once per session.
    public init(
        account: String,
        renderOptions: RenderOptions = .init(),
        headerChunk: Int = 256,
        open: @escaping @Sendable () async throws -> POP3Session
    ) {
        worker = Worker(account: account, renderOptions: renderOptions, headerChunk: headerChunk, open: open)
    }

    public func start(_ sink: EventSink) {
        let jobs = self.jobs
        let worker = self.worker
        Task.detached { await worker.run(sink: sink, jobs: jobs) }
    }

    public func fetchMessage(number: Int, uid: String?) { jobs.push(.fetch(number: number, preview: nil)) }
    public func fetchPreview(number: Int, uid: String?, lines: Int) { jobs.push(.fetch(number: number, preview: lines)) }
    public func commit(_ plan: CommitPlan) { jobs.push(.commit(plan)) }
    public func quitWithoutDeleting() { jobs.push(.quit) }
}

enum BackendJob: Sendable {
    /// `preview` is the body line count for `TOP n k`; nil fetches the whole message.
    case fetch(number: Int, preview: Int?)
    case commit(CommitPlan)
    case quit
}

/// Jobs from the UI thread to the worker. A lock rather than an actor because the UI must enqueue
/// without awaiting; the stream only wakes the worker, the deque holds the order.
final class JobQueue: Sendable {
    private let pending = Mutex<[BackendJob]>([])
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
}

actor Worker {
    private let account: String
    private let renderOptions: RenderOptions
    private let headerChunk: Int
    private let open: @Sendable () async throws -> POP3Session

    init(account: String, renderOptions: RenderOptions, headerChunk: Int, open: @escaping @Sendable () async throws -> POP3Session) {
        self.account = account
        self.renderOptions = renderOptions
        self.headerChunk = max(1, headerChunk)
        self.open = open
    }

    func run(sink: EventSink, jobs: JobQueue) async {
        let session: POP3Session
        do {
            session = try await open()
        } catch {
            sink.send(.connectionLost(String(describing: error)))
            sink.send(.closed)
            return
        }
        sink.send(.connected(account: account))
        do {
            let (rows, problems) = try await MailboxIndex.listing(session)
            for problem in problems { sink.send(.notice(problem)) }
            sink.send(.listing(rows))
            var remaining = rows.map(\.number)[...]
            var wakeups = jobs.wakeups.makeAsyncIterator()
            while true {
                while let job = jobs.pop() {
                    if try await perform(job, session: session, sink: sink) { return }
                }
                if !remaining.isEmpty {
                    let chunk = Array(remaining.prefix(headerChunk))
                    remaining = remaining.dropFirst(chunk.count)
                    try await MailboxIndex.summaries(session, for: chunk) { number, result in
                        switch result {
                        case .success(let summary): sink.send(.summary(number: number, summary))
                        case .failure(let error): sink.send(.summaryFailed(number: number, reason: error.description))
                        }
                    }
                    if remaining.isEmpty { sink.send(.headersComplete) }
                    continue
                }
                _ = await wakeups.next()
            }
        } catch {
            await session.close()
            sink.send(.connectionLost(String(describing: error)))
            sink.send(.closed)
        }
    }

    /// Returns true once the session has ended.
    private func perform(_ job: BackendJob, session: POP3Session, sink: EventSink) async throws -> Bool {
        switch job {
        case .fetch(let number, let preview):
            try await fetch(number, preview: preview, session: session, sink: sink)
            return false
        case .commit(let plan):
            let report = await DeletionCommit.run(plan, on: session)
            sink.send(.committed(report))
            sink.send(.closed)
            return true
        case .quit:
            do {
                _ = try await session.quit()
            } catch {
                await session.close()
            }
            sink.send(.closed)
            return true
        }
    }

    private func fetch(_ number: Int, preview: Int?, session: POP3Session, sink: EventSink) async throws {
        do {
            if let lines = preview {
                let bytes = try await session.top(number, lines: lines)
                sink.send(.preview(number: number, rendered: MessageRenderer.partialRender(bytes, options: renderOptions)))
            } else {
                let expected = try? await session.list(number).size
                let raw = try await session.retrieve(number, expectedSize: expected) { received in
                    sink.send(.fetchProgress(number: number, received: received, total: expected))
                }
                sink.send(.message(number: number, raw: raw, rendered: MessageRenderer.render(raw, options: renderOptions)))
            }
        } catch let error as POP3Error where !error.endsSession {
            sink.send(.fetchFailed(number: number, reason: error.description))
        }
    }
}
