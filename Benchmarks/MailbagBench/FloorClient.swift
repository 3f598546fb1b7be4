import Foundation

/// The reference no POP3 client can beat: blocking sockets, AUTH PLAIN, STAT, then every
/// `TOP n 0` written at once by one thread while another reads the replies in order. It checks
/// nothing beyond `+OK` and the terminating dot, which is why it is a floor and not a client.
enum FloorClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Timing {
        var total: Double
        var replies: Int
    }

    /// Connect, log in and fetch every header; `total` is seconds since `start`. As a
    /// `firstVisit` it asks what a client visiting a server for the first time must: CAPA before
    /// logging in (it cannot know the server takes AUTH PLAIN, or pipelining), and LIST and UIDL,
    /// written before the TOPs, since a client that caches headers or deletes safely needs each
    /// message's UID. The server then produces the listing before it answers the first TOP.
    static func fetchHeaders(port: Int, user: String, password: String, firstVisit: Bool = false, start: ContinuousClock.Instant) throws -> Timing {
        let connection = try Connection(port: port)
        defer { connection.close() }
        try connection.login(user: user, password: password, askingCapabilities: firstVisit)
        let count = try connection.messageCount()
        let commands = Array(((firstVisit ? "LIST\r\nUIDL\r\n" : "") + (1...max(count, 1)).map { "TOP \($0) 0\r\n" }.joined()).utf8)
        // Written from another thread: the server answers while we are still writing, and a
        // writer that also had to read would stall on a full socket buffer.
        let writer = Thread { try? connection.write(commands) }
        writer.start()
        for _ in 0..<(firstVisit ? count + 2 : count) { try connection.skipMultiLine() }
        let total = start.secondsSince
        try connection.write("QUIT\r\n")
        _ = try connection.statusLine()
        return Timing(total: total, replies: count)
    }

    /// Seconds from the login's answer to the headers of the newest `rows` of `count` messages,
    /// their `TOP n 0` written with the login itself. No client can know the count before it has
    /// logged in on a first visit, so none gets that screen sooner from this server: what is
    /// left is the server's own work before its first header of a session.
    static func firstScreen(port: Int, user: String, password: String, count: Int, rows: Int) throws -> Double {
        let connection = try Connection(port: port)
        defer { connection.close() }
        let newest = (max(1, count - rows + 1)...max(count, 1)).reversed()
        try connection.login(user: user, password: password, then: newest.map { "TOP \($0) 0\r\n" }.joined())
        let start = ContinuousClock.now
        for _ in newest { try connection.skipMultiLine() }
        let seconds = start.secondsSince
        try connection.write("QUIT\r\n")
        _ = try connection.statusLine()
        return seconds
    }

    /// Connect, log in, then STAT and UIDL written together: the least any client must ask before
    /// it can show a cached index, since it needs the UIDs, and the total size to check the
    /// cached sizes against. Seconds since `start`.
    static func uidsAndTotal(port: Int, user: String, password: String, start: ContinuousClock.Instant) throws -> Double {
        let connection = try Connection(port: port)
        defer { connection.close() }
        try connection.login(user: user, password: password)
        try connection.write("STAT\r\nUIDL\r\n")
        _ = try connection.statusLine()
        try connection.skipMultiLine()
        let total = start.secondsSince
        try connection.write("QUIT\r\n")
        _ = try connection.statusLine()
        return total
    }

    /// Seconds from sending RETR to the last byte of message `number`, on a session already
    /// logged in (as the reader's is when the user presses Enter): the floor for opening it.
    static func retrieve(port: Int, user: String, password: String, number: Int) throws -> (seconds: Double, bytes: Int) {
        let connection = try Connection(port: port)
        defer { connection.close() }
        try connection.login(user: user, password: password)
        let start = ContinuousClock.now
        try connection.write("RETR \(number)\r\n")
        let bytes = try connection.skipMultiLine()
        let seconds = start.secondsSince
        try connection.write("QUIT\r\n")
        _ = try connection.statusLine()
        return (seconds, bytes)
    }

    /// One socket with a read buffer; the writer thread only ever calls `write`.
    final class Connection: @unchecked Sendable {
        private let fd: Int32
        private var buffer = [UInt8](repeating: 0, count: 1 << 16)
        private var start = 0
        private var end = 0

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                Glibc.close(fd)
                throw Failure(description: "connect to port \(port): errno \(errno)")
            }
        }

        func close() { Glibc.close(fd) }

        /// Reads the greeting and logs in; `commands` go in the same write as the AUTH.
        func login(user: String, password: String, askingCapabilities: Bool = false, then commands: String = "") throws {
            _ = try statusLine()
            if askingCapabilities {
                try write("CAPA\r\n")
                try skipMultiLine()
            }
            let token = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
            try write("AUTH PLAIN \(token)\r\n" + commands)
            _ = try statusLine()
        }

        /// STAT's message count.
        func messageCount() throws -> Int {
            try write("STAT\r\n")
            let stat = try statusLine()
            guard let count = stat.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
                throw Failure(description: "STAT answered \(stat)")
            }
            return count
        }

        func write(_ text: String) throws { try write(Array(text.utf8)) }

        func write(_ bytes: [UInt8]) throws {
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { throw Failure(description: "write: errno \(errno)") }
                offset += n
            }
        }

        /// A `+OK` line's text; anything else fails the run.
        func statusLine() throws -> String {
            let line = try readLine()
            guard line.starts(with: Array("+OK".utf8)) else {
                throw Failure(description: "the server answered \(String(decoding: line, as: UTF8.self))")
            }
            return String(decoding: line, as: UTF8.self)
        }

        /// Reads a `+OK` multi-line reply to its dot line; returns the body's size in bytes.
        @discardableResult
        func skipMultiLine() throws -> Int {
            _ = try statusLine()
            var size = 0
            while true {
                let line = try readLine()
                if line.count == 1 && line.first == UInt8(ascii: ".") { return size }
                size += line.count + 2
            }
        }

        /// The next line without its CRLF.
        private func readLine() throws -> ArraySlice<UInt8> {
            while true {
                if let newline = buffer[start..<end].firstIndex(of: UInt8(ascii: "\n")) {
                    let line = buffer[start..<newline]
                    start = newline + 1
                    return line.last == UInt8(ascii: "\r") ? line.dropLast() : line
                }
                if start > 0 {
                    buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
                    end -= start
                    start = 0
                }
                if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
                let n = buffer[end...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { throw Failure(description: "the server closed the connection") }
                end += n
            }
        }
    }
}

extension ContinuousClock.Instant {
    var secondsSince: Double { seconds(until: .now) }

    func seconds(until later: ContinuousClock.Instant) -> Double {
        let (seconds, attoseconds) = (later - self).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
