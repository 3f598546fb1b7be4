import Foundation
import Synchronization

/// An opt-in protocol log: timestamped `C: ` / `S: ` lines appended to a file. Credentials never reach it
/// (`PASS ***`, `APOP user ***`, `AUTH PLAIN ***`, every SASL line from the client `***`) and multi-line
/// bodies are written as their size only, so a trace can be attached to a bug report.
/// Sessions on different event loops may share one trace, so the file and the formatter live in a `Mutex`.
public final class ProtocolTrace: Sendable {
    private struct Output {
        let handle: FileHandle
        let formatter: ISO8601DateFormatter
    }

    private let output: Mutex<Output>

    /// Creates (or truncates) `path`, readable by the owner only since it names the user and the server.
    /// - Throws: `POP3Error.invalidArgument` when the file cannot be created.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw POP3Error.invalidArgument("the trace file \(path) cannot be created")
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        output = Mutex(Output(handle: handle, formatter: formatter))
    }

    deinit {
        output.withLock { try? $0.handle.close() }
    }

    func client(_ command: POP3Command) {
        write("C: " + command.traceText)
    }

    func server(_ line: String) {
        write("S: " + line)
    }

    /// Connection events that are not protocol lines (connect, TLS, close).
    public func note(_ text: String) {
        write("-- " + text)
    }

    private func write(_ text: String) {
        // Server text is written as received except for control characters, so viewing the trace cannot
        // drive a terminal and every entry stays on one line.
        let safe = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map {
                    ($0.value < 0x20 && $0 != "\t") || (0x7F...0x9F).contains($0.value) ? "\u{FFFD}" : $0
                }))
        output.withLock { output in
            let line = output.formatter.string(from: Date()) + " " + safe + "\n"
            output.handle.write(Data(line.utf8))
        }
    }
}
