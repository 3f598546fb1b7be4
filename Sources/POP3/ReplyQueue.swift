import NIOCore
import Synchronization

/// The replies of a pipelined batch, handed to the reading task in bursts and in the order they
/// were tracked: everything that arrived while it was busy comes in one wake-up, instead of one
/// task switch per reply. The order does not rest on the order of the completion callbacks: a
/// reply already in when it is tracked (one written with the listing) has its callback run
/// later, as a task on the event loop, and replies to later commands may be delivered first.
final class ReplyQueue: Sendable {
    private struct State: ~Copyable {
        var tracked = 0
        /// The position of the first reply not yet handed over.
        var delivered = 0
        /// Replies in, by position, that cannot be handed over before an earlier one.
        var early: [Int: Result<POP3Reply, any Error>] = [:]
        var ready: [Result<POP3Reply, any Error>] = []
        var waiter: CheckedContinuation<[Result<POP3Reply, any Error>], Never>?
    }

    private let state = Mutex(State())

    /// Call in the order the commands were written.
    func track(_ reply: EventLoopFuture<POP3Reply>) {
        let position = state.withLock { state in
            defer { state.tracked += 1 }
            return state.tracked
        }
        reply.whenComplete { self.push($0, at: position) }
    }

    private func push(_ result: Result<POP3Reply, any Error>, at position: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<[Result<POP3Reply, any Error>], Never>? in
            if position == state.delivered + state.ready.count {
                state.ready.append(result)
            } else {
                state.early[position] = result
            }
            while !state.early.isEmpty, let next = state.early.removeValue(forKey: state.delivered + state.ready.count) {
                state.ready.append(next)
            }
            guard !state.ready.isEmpty else { return nil }
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
                return Self.handOver(&state)
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func take() -> [Result<POP3Reply, any Error>] {
        state.withLock { Self.handOver(&$0) }
    }

    private static func handOver(_ state: inout State) -> [Result<POP3Reply, any Error>] {
        defer {
            state.delivered += state.ready.count
            state.ready.removeAll(keepingCapacity: true)
        }
        return state.ready
    }
}
