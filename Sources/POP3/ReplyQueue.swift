import NIOCore
import Synchronization

/// The replies of a pipelined batch, handed to the reading task in bursts: everything that
/// arrived while it was busy comes in one wake-up, instead of one task switch per reply.
final class ReplyQueue: Sendable {
    private struct State: ~Copyable {
        var ready: [Result<POP3Reply, any Error>] = []
        var waiter: CheckedContinuation<[Result<POP3Reply, any Error>], Never>?
    }

    private let state = Mutex(State())

    /// Called back on the event loop, which completes a connection's replies in order.
    func track(_ reply: EventLoopFuture<POP3Reply>) {
        reply.whenComplete { self.push($0) }
    }

    private func push(_ result: Result<POP3Reply, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<[Result<POP3Reply, any Error>], Never>? in
            state.ready.append(result)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: take())
    }

    /// Every reply that has arrived, oldest first, waiting for one if none has.
    func next() async -> [Result<POP3Reply, any Error>] {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [Result<POP3Reply, any Error>]? in
                if state.ready.isEmpty {
                    state.waiter = continuation
                    return nil
                }
                defer { state.ready.removeAll(keepingCapacity: true) }
                return state.ready
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func take() -> [Result<POP3Reply, any Error>] {
        state.withLock { state in
            defer { state.ready.removeAll(keepingCapacity: true) }
            return state.ready
        }
    }
}
