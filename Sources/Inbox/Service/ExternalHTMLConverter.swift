import Foundation

/// Runs the user's HTML-to-text command (e.g. `w3m -dump -T text/html`). A converter that hangs,
/// fails or prints nothing yields nil, and the renderer falls back to its built-in conversion.
public struct ExternalHTMLConverter: Sendable {
    public var command: String
    public var timeout: Duration
    /// Output beyond this is cut: a converter fed hostile HTML must not fill memory.
    public var maxOutput: Int

    public init(command: String, timeout: Duration = .seconds(5), maxOutput: Int = 16 << 20) {
        self.command = command
        self.timeout = timeout
        self.maxOutput = maxOutput
    }

    public func convert(_ html: String) -> String? {
        // A converter may exit without reading all of its input; the write into the closed pipe
        // must then fail with EPIPE instead of raising SIGPIPE, which ends the whole process
        // (and with it the user's marks). Linux has no per-descriptor switch for this.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }

        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        let writer = input.fileHandleForWriting
        let payload = Data(html.utf8)
        DispatchQueue.global().async {
            // A converter that exits early closes the pipe; the failed write is then irrelevant.
            try? writer.write(contentsOf: payload)
            try? writer.close()
        }
        let reader = output.fileHandleForReading
        let limit = maxOutput
        let collected = OutputBuffer()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            while let chunk = try? reader.read(upToCount: 65536), !chunk.isEmpty {
                if !collected.append(chunk, limit: limit) { break }
            }
            drained.signal()
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if finished.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            _ = finished.wait(timeout: .now() + 1)
            return nil
        }
        _ = drained.wait(timeout: .now() + 1)
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: collected.data, as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }
}

/// Shared between the reading thread and the caller; the lock is what makes it Sendable.
private final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()

    /// Returns false once the limit is reached.
    func append(_ chunk: Data, limit: Int) -> Bool {
        lock.withLock {
            bytes.append(chunk.prefix(max(0, limit - bytes.count)))
            return bytes.count < limit
        }
    }

    var data: Data { lock.withLock { bytes } }
}
