import Foundation

/// An opt-in protocol log: timestamped `C: ` / `S: ` lines appended to a file. Credentials never reach it
/// (`PASS ***`, `APOP user ***`, `AUTH PLAIN ***`, every SASL line from the client `***`) and multi-line
/// bodies are written as their size only, so a trace can be attached to a bug report.
///
/// `@unchecked Sendable`: sessions on different event loops may share one trace; the file handle and the
/// formatter are only touched while holding `lock`.
public final class ProtocolTrace: @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle
    private let formatter: ISO8601DateFormatter

    /// Creates (or truncates) `path`, readable by the owner only since it names the user and the server.
    /// - Throws: `POP3Error.invalidArgument` when the file cannot be created.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw POP3Error.invalidArgument("the trace file \(path) cannot be created")
        }
        self.handle = handle
        formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    }

    deinit {
        try? handle.close()
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
        lock.lock()
        defer { lock.unlock() }
        // Server text is written as received except for control characters, so viewing the trace cannot
        // drive a terminal and every entry stays on one line.
        let safe = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map {
                    ($0.value < 0x20 && $0 != "\t") || (0x7F...0x9F).contains($0.value) ? "\u{FFFD}" : $0
                }))
        let line = formatter.string(from: Date()) + " " + safe + "\n"
        handle.write(Data(line.utf8))
    }
}
