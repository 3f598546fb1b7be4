import Foundation

/// Buffered stdout: an index of 100,000 lines should not cost 100,000 write calls.
struct Output {
    private var buffer: [UInt8] = []

    mutating func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func writeBytes(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        flush()
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("mailbag: \(message)\n".utf8))
    }
}
