import Glibc

/// The standard streams. Text reaches them only as `DisplayText`; raw bytes (a message as the
/// server sent it) only when stdout is not a terminal. When the reader of stdout has gone away
/// (`mailbag list | head -1`) the program ends as every Unix tool does, by SIGPIPE and silently.
public struct Console {
    private var buffer: [UInt8] = []

    public init() {}

    /// Buffered: an index of 100,000 lines should not cost 100,000 write calls.
    public mutating func write(_ line: DisplayText) {
        buffer.append(contentsOf: line.string.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { flush() }
    }

    /// The bytes as they are to a pipe or a file; to a terminal, sanitized line by line.
    public mutating func writeRaw(_ bytes: [UInt8]) {
        if isatty(STDOUT_FILENO) == 1 {
            write(DisplayText(lines: String(decoding: bytes, as: UTF8.self)))
        } else {
            buffer.append(contentsOf: bytes)
        }
        flush()
    }

    public mutating func flush() {
        guard !buffer.isEmpty else { return }
        Self.writeAll(buffer, to: STDOUT_FILENO)
        buffer.removeAll(keepingCapacity: true)
    }

    /// A message on stderr, after "mailbag: ".
    public static func warn(_ message: DisplayText) {
        writeAll(Array("mailbag: \(message.string)\n".utf8), to: STDERR_FILENO)
    }

    /// Text on stdout or stderr as it is, unbuffered: help, a summary after the screen closed.
    public static func print(_ text: DisplayText, terminator: String = "\n", toError: Bool = false) {
        writeAll(Array((text.string + terminator).utf8), to: toError ? STDERR_FILENO : STDOUT_FILENO)
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        var done = 0
        while done < bytes.count {
            let written = bytes[done...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written >= 0 {
                done += written
            } else if errno == EINTR {
                continue
            } else if errno == EPIPE {
                // SIGPIPE is ignored (`Mailbag.main`) so a dead socket cannot kill the reader;
                // here the reader of stdout is gone, so end the way a shell expects.
                signal(SIGPIPE, SIG_DFL)
                raise(SIGPIPE)
                exit(141)
            } else if descriptor == STDOUT_FILENO {
                // A full disk, say: the output is incomplete, which a script must learn.
                let reason = String(cString: strerror(errno))
                writeAll(Array("mailbag: could not write the output: \(reason)\n".utf8), to: STDERR_FILENO)
                exit(74)
            } else {
                return
            }
        }
    }
}
