import Foundation
import Synchronization
import XCTest

/// Runs the built `mailbag` binary (scripts/test exports MAILBAG_BIN) the way a user would.
struct MailbagProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func binary(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        guard let path = ProcessInfo.processInfo.environment["MAILBAG_BIN"], FileManager.default.isExecutableFile(atPath: path) else {
            XCTFail("MAILBAG_BIN does not name the built mailbag binary: run the tests through scripts/test.", file: file, line: line)
            throw DovecotRig.RigError.missing("MAILBAG_BIN")
        }
        return path
    }

    /// `environment` is added to this process's. A run given no cache or config directory gets
    /// empty ones of its own, so neither the user's files nor an earlier run (a cache filled by a
    /// previous test against the same server) changes what it does.
    /// `executable` runs another program instead (a shell or `script(1)` around mailbag), with
    /// the same isolated directories.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120, executable: String? = nil
    ) throws -> Result {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let isolated = ["XDG_CACHE_HOME": home.appendingPathComponent("cache").path, "XDG_CONFIG_HOME": home.appendingPathComponent("config").path]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable ?? binary())
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(isolated) { $1 }.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdoutData = ThreadedRead(out.fileHandleForReading)
        let stderrData = ThreadedRead(err.fileHandleForReading)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            XCTFail("mailbag \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: stdoutData.wait(), stderr: stderrData.wait())
    }
}

/// Reads a pipe to the end on its own thread so a chatty child never blocks on a full pipe.
private final class ThreadedRead: Sendable {
    private let data = Mutex(Data())
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            let read = handle.readDataToEndOfFile()
            self.data.withLock { $0 = read }
            self.done.signal()
        }
    }

    func wait() -> String {
        done.wait()
        return data.withLock { String(decoding: $0, as: UTF8.self) }
    }
}
