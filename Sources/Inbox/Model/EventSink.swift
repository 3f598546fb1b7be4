import Synchronization

/// The queue between the backend (any thread) and the UI thread, which drains it every loop tick.
public final class EventSink: Sendable {
    private let queue = Mutex<[InboxEvent]>([])
    private let onSend: @Sendable () -> Void

    /// - Parameter onSend: told after each event is queued, so a waiter (a test) need not poll.
    public init(onSend: @escaping @Sendable () -> Void = {}) {
        self.onSend = onSend
    }

    public func send(_ event: InboxEvent) {
        queue.withLock { $0.append(event) }
        onSend()
    }

    /// Everything sent since the last drain, oldest first.
    public func drain() -> [InboxEvent] {
        queue.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
    }
}
