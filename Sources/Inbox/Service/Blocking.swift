import Dispatch
import Synchronization

/// Runs async work from synchronous code and waits for it: the reader owns the main thread
/// outside any async context, and the renderer calls its HTML converter synchronously. Only
/// the calling thread waits; never call it from a task of the concurrency pool, whose threads
/// the work itself may need.
/// - Throws: whatever `work` throws.
public func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await work()) } catch { result = .failure(error) }
        box.result.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    return try box.result.withLock { $0 }!.get()
}

/// The task's result, handed to the waiting thread.
private final class ResultBox<T: Sendable>: Sendable {
    let result = Mutex<Result<T, any Error>?>(nil)
}
