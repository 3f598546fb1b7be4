import Synchronization

/// The queue between the backend (any thread) and the UI thread, which drains it every loop tick.
public final class EventSink: Sendable {
    private let queue = Mutex<[InboxEvent]>([])

    public init() {}

    public func send(_ event: InboxEvent) {
        queue.withLock { $0.append(event) }
    }

    /// Everything sent since the last drain, oldest first.
    public func drain() -> [InboxEvent] {
        queue.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
    }
}
