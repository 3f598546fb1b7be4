import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// The reference no POP3 client can beat: AUTH PLAIN, STAT, then every `TOP n 0` written at once
/// while the replies are read in order. It checks nothing beyond `+OK` and the terminating dot,
/// which is why it is a floor and not a client.
///
/// It obeys the one rule every server holds a client to: nothing is written behind the login
/// until the login is answered (RFC 2449 allows pipelining only in the TRANSACTION state, and
/// Courier and Cyrus lose what comes in the same write as PASS, AUTH or APOP).
///
/// Plaintext or implicit TLS over the same code: a SwiftNIO channel on the event loops Mailbag and
/// the proxy use, with swift-nio-ssl's handler in front for TLS (one `NIOSSLContext` per server,
/// made before any timing), read through `NIOAsyncChannel` chunk by chunk.
enum FloorClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Timing {
        var total: Double
        var replies: Int
    }

    /// Where a floor connects: the proxy's port, with TLS when `tls` is set (the certificate is
    /// verified against the rig's CA and the IP address 127.0.0.1, as Mailbag verifies it).
    struct Endpoint: Sendable {
        var port: Int
        var tls: NIOSSLContext?

        static func plain(_ port: Int) -> Endpoint { Endpoint(port: port, tls: nil) }

        /// A context trusting only `caFile`.
        static func tlsContext(caFile: String) throws -> NIOSSLContext {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv12
            configuration.trustRoots = .file(caFile)
            return try NIOSSLContext(configuration: configuration)
        }
    }

    /// Connect, log in and fetch every header; `total` is seconds since `start`. As a
    /// `firstVisit` it asks what a client visiting a server for the first time must: CAPA before
    /// logging in (it cannot know the server takes AUTH PLAIN, or pipelining), and LIST and UIDL,
    /// written before the TOPs, since a client that caches headers or deletes safely needs each
    /// message's UID. The server then produces the listing before it answers the first TOP.
    static func fetchHeaders(_ endpoint: Endpoint, user: String, password: String, firstVisit: Bool = false, start: ContinuousClock.Instant) async throws -> Timing {
        try await Connection.session(endpoint) { connection in
            try await connection.login(user: user, password: password, askingCapabilities: firstVisit)
            let count = try await connection.messageCount()
            let commands = (firstVisit ? "LIST\r\nUIDL\r\n" : "") + (1...max(count, 1)).map { "TOP \($0) 0\r\n" }.joined()
            // Written while the replies are read: the server answers while we are still writing.
            try await connection.writing(commands) {
                for _ in 0..<(firstVisit ? count + 2 : count) { try await connection.skipMultiLine() }
            }
            let total = start.secondsSince
            try await connection.quit()
            return Timing(total: total, replies: count)
        }
    }

    /// Seconds from the login's answer to the headers of the newest `rows` of `count` messages,
    /// their `TOP n 0` written as soon as that answer is in, as if the client knew the count
    /// already (no client can on a first visit): one round trip, and the server's own work
    /// before it answers a first screenful.
    static func firstScreen(_ endpoint: Endpoint, user: String, password: String, count: Int, rows: Int) async throws -> Double {
        try await Connection.session(endpoint) { connection in
            let newest = (max(1, count - rows + 1)...max(count, 1)).reversed()
            try await connection.login(user: user, password: password)
            let start = ContinuousClock.now
            try await connection.write(newest.map { "TOP \($0) 0\r\n" }.joined())
            for _ in newest { try await connection.skipMultiLine() }
            let seconds = start.secondsSince
            try await connection.quit()
            return seconds
        }
    }

    /// Connect, log in, then STAT and UIDL written together: the least any client must ask before
    /// it can show a cached index, since it needs the UIDs, and the total size to check the
    /// cached sizes against. Seconds since `start`.
    static func uidsAndTotal(_ endpoint: Endpoint, user: String, password: String, start: ContinuousClock.Instant) async throws -> Double {
        try await Connection.session(endpoint) { connection in
            try await connection.login(user: user, password: password)
            try await connection.write("STAT\r\nUIDL\r\n")
            _ = try await connection.statusLine()
            try await connection.skipMultiLine()
            let total = start.secondsSince
            try await connection.quit()
            return total
        }
    }

    /// Seconds from sending RETR to the last byte of message `number`, on a session already
    /// logged in (as the reader's is when the user presses Enter): the floor for opening it.
    static func retrieve(_ endpoint: Endpoint, user: String, password: String, number: Int) async throws -> (seconds: Double, bytes: Int) {
        try await Connection.session(endpoint) { connection in
            try await connection.login(user: user, password: password)
            let start = ContinuousClock.now
            try await connection.write("RETR \(number)\r\n")
            let bytes = try await connection.skipMultiLine()
            let seconds = start.secondsSince
            try await connection.quit()
            return (seconds, bytes)
        }
    }

    /// One connection's reading side (a buffer of what has arrived) and its writer.
    final class Connection {
        private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        private var buffer = ByteBuffer()

        private init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
            self.inbound = inbound.makeAsyncIterator()
            self.outbound = outbound
        }

        /// Connects (TCP_NODELAY, TLS when the endpoint has it) and runs `body` on the connection,
        /// which is closed when it returns.
        static func session<T>(_ endpoint: Endpoint, _ body: (Connection) async throws -> T) async throws -> T {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: "127.0.0.1", port: endpoint.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls = endpoint.tls {
                            // No server name: an IP literal is matched against the IP address SANs.
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: nil))
                        }
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            return try await channel.executeThenClose { inbound, outbound in
                try await body(Connection(inbound: inbound, outbound: outbound))
            }
        }

        /// Reads the greeting and logs in with AUTH PLAIN, alone, and waits for its answer.
        func login(user: String, password: String, askingCapabilities: Bool = false) async throws {
            _ = try await statusLine()
            if askingCapabilities {
                try await write("CAPA\r\n")
                try await skipMultiLine()
            }
            let token = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
            try await write("AUTH PLAIN \(token)\r\n")
            _ = try await statusLine()
        }

        /// STAT's message count.
        func messageCount() async throws -> Int {
            try await write("STAT\r\n")
            let stat = try await statusLine()
            guard let count = stat.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
                throw Failure(description: "STAT answered \(stat)")
            }
            return count
        }

        func quit() async throws {
            try await write("QUIT\r\n")
            _ = try await statusLine()
        }

        func write(_ text: String) async throws {
            try await outbound.write(ByteBuffer(string: text))
        }

        /// Writes `text` from a task of its own while `read` runs: a large write would otherwise
        /// wait for the server, which waits for us to read its answers.
        func writing(_ text: String, while read: () async throws -> Void) async throws {
            let outbound = self.outbound
            let bytes = ByteBuffer(string: text)
            let writer = Task { try await outbound.write(bytes) }
            do {
                try await read()
                try await writer.value
            } catch {
                writer.cancel()
                throw error
            }
        }

        /// A `+OK` line's text; anything else fails the run.
        func statusLine() async throws -> String {
            let line = try await readLine()
            guard line.starts(with: Array("+OK".utf8)) else {
                throw Failure(description: "the server answered \(String(decoding: line, as: UTF8.self))")
            }
            return String(decoding: line, as: UTF8.self)
        }

        /// Reads a `+OK` multi-line reply to its dot line; returns the body's size in bytes.
        @discardableResult
        func skipMultiLine() async throws -> Int {
            _ = try await statusLine()
            var size = 0
            while true {
                let length = try await nextLineLength()
                let isDot = length == 1 && buffer.readableBytesView.first == UInt8(ascii: ".")
                buffer.moveReaderIndex(forwardBy: length)
                skipLineEnd()
                if isDot { return size }
                size += length + 2
            }
        }

        /// The next line without its CRLF.
        private func readLine() async throws -> [UInt8] {
            let length = try await nextLineLength()
            let line = buffer.readBytes(length: length) ?? []
            skipLineEnd()
            return line.last == UInt8(ascii: "\r") ? Array(line.dropLast()) : line
        }

        /// Length of the next line up to (not including) its LF, reading until one has arrived.
        private func nextLineLength() async throws -> Int {
            var searched = 0
            while true {
                let found: Int? = buffer.withUnsafeReadableBytes { raw in
                    guard raw.count > searched, let base = raw.baseAddress,
                          let hit = memchr(base + searched, 0x0A, raw.count - searched) else { return nil }
                    let length = base.distance(to: UnsafeRawPointer(hit))
                    // A CR before the LF is dropped with the line end.
                    return length > 0 && raw[length - 1] == UInt8(ascii: "\r") ? length - 1 : length
                }
                if let found { return found }
                searched = buffer.readableBytes
                guard var chunk = try await inbound.next() else { throw Failure(description: "the server closed the connection") }
                if buffer.readableBytes == 0 {
                    buffer = chunk
                } else {
                    buffer.discardReadBytes()
                    buffer.writeBuffer(&chunk)
                }
            }
        }

        /// Consumes the CR LF (or LF) that ends the line just read.
        private func skipLineEnd() {
            if buffer.readableBytesView.first == UInt8(ascii: "\r") { buffer.moveReaderIndex(forwardBy: 1) }
            if buffer.readableBytesView.first == UInt8(ascii: "\n") { buffer.moveReaderIndex(forwardBy: 1) }
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
