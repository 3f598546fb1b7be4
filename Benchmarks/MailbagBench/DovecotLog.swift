import Foundation

/// The test Dovecot's log, read for its per-session counters (`top=N/bytes` at logout): the proof
/// that a run fetched what it claims, from the server's side.
struct DovecotLog {
    let path: String

    var size: Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// The TOP count of the first session of `user` that ended after `offset`, waiting briefly for
    /// Dovecot to write it.
    func topCount(user: String, after offset: Int) async -> Int? {
        for _ in 0..<100 {
            if let count = scan(user: user, after: offset) { return count }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    private func scan(user: String, after offset: Int) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        try? handle.seek(toOffset: UInt64(offset))
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        for line in text.split(separator: "\n") where line.contains("pop3(\(user))") {
            guard let range = line.range(of: "top=") else { continue }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        return nil
    }
}
