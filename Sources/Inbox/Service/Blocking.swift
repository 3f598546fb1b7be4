import Dispatch

/// Runs async work from synchronous code and waits for it: the reader owns the main thread
/// outside any async context, and the renderer calls its HTML converter synchronously. Only
/// the calling thread waits; never call it from a task of the concurrency pool, whose threads
/// the work itself may need.
/// - Throws: whatever `work` throws.
public func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task.detached {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// Written by the task before it signals, read after the wait: the semaphore orders the accesses.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
