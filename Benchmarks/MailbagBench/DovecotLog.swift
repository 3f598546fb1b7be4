import Foundation

/// The test Dovecot's log, read for its per-session counters (`top=N/bytes` at logout): the proof
/// that a run fetched what it claims, from the server's side.
struct DovecotLog {
    let path: String

    var size: Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// The TOP counts of the first `sessions` sessions of `user` that ended after `offset`,
    /// waiting briefly for Dovecot to write them; nil when they do not all show up.
    func topCounts(user: String, after offset: Int, sessions: Int) async -> [Int]? {
        for _ in 0..<100 {
            let counts = scan(user: user, after: offset)
            if counts.count >= sessions { return Array(counts.prefix(sessions)) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    private func scan(user: String, after offset: Int) -> [Int] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        try? handle.seek(toOffset: UInt64(offset))
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").filter { $0.contains("pop3(\(user))") }.compactMap { line in
            line.range(of: "top=").flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) }
        }
    }
}
