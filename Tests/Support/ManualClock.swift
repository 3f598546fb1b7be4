import Synchronization

/// A clock that moves only when a test advances it, for code that takes its clock as a parameter:
/// what would wait minutes in real time wakes at once, and exactly the sleepers whose deadline
/// the test reached wake.
public final class ManualClock: Clock, Sendable {
    public struct Instant: InstantProtocol {
        public var offset: Swift.Duration

        public func advanced(by duration: Swift.Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Swift.Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    public struct Timeout: Error, CustomStringConvertible {
        public let sleepers: Int
        public let wanted: Int
        public var description: String { "\(sleepers) sleeping on the clock, never \(wanted)" }
    }

    private struct Sleeper {
        let id: UInt64
        let deadline: Instant
        let wake: CheckedContinuation<Void, any Error>
    }

    private struct Watcher {
        let id: UInt64
        let count: Int
        let done: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Sleeper] = []
        var watchers: [Watcher] = []
        /// Sleeps cancelled, and waits timed out, before they were registered.
        var cancelled: Set<UInt64> = []
        var nextID: UInt64 = 0

        mutating func takeID() -> UInt64 {
            defer { nextID += 1 }
            return nextID
        }

        mutating func takeSatisfiedWatchers() -> [Watcher] {
            let count = sleepers.count
            defer { watchers.removeAll { $0.count <= count } }
            return watchers.filter { $0.count <= count }
        }
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Swift.Duration { .zero }

    public func sleep(until deadline: Instant, tolerance: Swift.Duration? = nil) async throws {
        let id = state.withLock { $0.takeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (wake: CheckedContinuation<Void, any Error>) in
                enum Outcome { case due, cancelled, asleep([Watcher]) }
                let outcome = state.withLock { state -> Outcome in
                    if state.cancelled.remove(id) != nil { return .cancelled }
                    if deadline <= state.now { return .due }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, wake: wake))
                    return .asleep(state.takeSatisfiedWatchers())
                }
                switch outcome {
                case .due: wake.resume()
                case .cancelled: wake.resume(throwing: CancellationError())
                case .asleep(let watchers): for watcher in watchers { watcher.done.resume(returning: true) }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return state.sleepers.remove(at: index)
            }
            sleeper?.wake.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock on and wakes every sleeper whose deadline it reached.
    public func advance(by duration: Swift.Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            defer { state.sleepers.removeAll { $0.deadline <= now } }
            return state.sleepers.filter { $0.deadline <= now }
        }
        for sleeper in due { sleeper.wake.resume() }
    }

    /// How many tasks sleep on the clock now.
    public var sleepers: Int { state.withLock { $0.sleepers.count } }

    /// Returns once at least `count` tasks sleep on the clock, so an `advance` that follows is
    /// measured from where they went to sleep. The timeout is real time, only for a test that
    /// would otherwise hang.
    public func waitForSleepers(_ count: Int, timeout: Swift.Duration = .seconds(10)) async throws(Timeout) {
        let id = state.withLock { $0.takeID() }
        let timer = Task { [clock = self] in
            try await Task.sleep(for: timeout)
            clock.giveUp(watcher: id)
        }
        defer { timer.cancel() }
        let reached = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            let answer = state.withLock { state -> Bool? in
                if state.cancelled.remove(id) != nil { return false }
                if state.sleepers.count >= count { return true }
                state.watchers.append(Watcher(id: id, count: count, done: done))
                return nil
            }
            if let answer { done.resume(returning: answer) }
        }
        guard reached else { throw Timeout(sleepers: sleepers, wanted: count) }
    }

    private func giveUp(watcher id: UInt64) {
        let watcher = state.withLock { state -> Watcher? in
            guard let index = state.watchers.firstIndex(where: { $0.id == id }) else {
                state.cancelled.insert(id)
                return nil
            }
            return state.watchers.remove(at: index)
        }
        watcher?.done.resume(returning: false)
    }
}
