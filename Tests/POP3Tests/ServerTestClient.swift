import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import XCTest

/// A deliberately dumb POP3 peer for server tests: it writes exactly the bytes a test gives it and reads
/// raw lines back, so the assertions are about the wire and not about the POP3 client library.
final class ServerTestClient {
    /// Bytes received so far, filled on the event loop and drained by the test.
    private final class Inbox: Sendable {
        struct State {
            var bytes: [UInt8] = []
            var closed = false
            var error: (any Error)?
        }

        let state = Mutex(State())
    }

    private final class Recorder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let inbox: Inbox

        init(inbox: Inbox) { self.inbox = inbox }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).readableBytesView)
            inbox.state.withLock { $0.bytes.append(contentsOf: bytes) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            inbox.state.withLock { $0.closed = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            inbox.state.withLock { $0.error = error }
            context.close(promise: nil)
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        let waitingFor: String
        var description: String { "timed out waiting for \(waitingFor)" }
    }

    let channel: any Channel
    private let inbox: Inbox

    private init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    /// Connects; with `tls`, the connection is implicit TLS verified against that context.
    static func connect(port: Int, tls: NIOSSLContext? = nil) async throws -> ServerTestClient {
        let inbox = Inbox()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: "localhost")
                        )
                    }
                    try channel.pipeline.syncOperations.addHandler(Recorder(inbox: inbox))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return ServerTestClient(channel: channel, inbox: inbox)
    }

    /// Upgrades the plaintext connection in place after the server's `+OK` to STLS.
    func startTLS(_ tls: NIOSSLContext) async throws {
        let channel = self.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLClientHandler(context: tls, serverHostname: "localhost"),
                position: .first
            )
        }.get()
    }

    func send(_ raw: String) async throws {
        try await send(Array(raw.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
    }

    /// Sends one command line and returns the single-line reply.
    func command(_ line: String) async throws -> String {
        try await send(line + "\r\n")
        return try await readLine()
    }

    /// Sends one command line and returns the status line plus the multi-line body (not dot-unstuffed).
    func multiline(_ line: String) async throws -> (status: String, lines: [String]) {
        try await send(line + "\r\n")
        let status = try await readLine()
        guard status.hasPrefix("+OK") else { return (status, []) }
        return (status, try await readBody())
    }

    /// Reads lines up to the lone "." terminator, which is not returned.
    func readBody(timeout: Duration = .seconds(10)) async throws -> [String] {
        var lines: [String] = []
        while true {
            let line = try await readLine(timeout: timeout)
            if line == "." { return lines }
            lines.append(line)
        }
    }

    /// Reads one CRLF-terminated line (CRLF removed).
    func readLine(timeout: Duration = .seconds(5)) async throws -> String {
        try await poll(timeout: timeout, waitingFor: "a line") { state in
            guard let lf = state.bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            var end = lf
            if end > 0, state.bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = String(decoding: state.bytes[..<end], as: UTF8.self)
            state.bytes.removeFirst(lf + 1)
            return line
        }
    }

    /// Reads exactly `count` raw bytes.
    func readBytes(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [UInt8] {
        try await poll(timeout: timeout, waitingFor: "\(count) bytes") { state in
            guard state.bytes.count >= count else { return nil }
            defer { state.bytes.removeFirst(count) }
            return Array(state.bytes[..<count])
        }
    }

    /// Waits for the server to close the connection and returns every byte not read yet.
    func readUntilClosed(timeout: Duration = .seconds(5)) async throws -> [UInt8] {
        try await poll(timeout: timeout, waitingFor: "the connection to close") { state in
            guard state.closed else { return nil }
            defer { state.bytes.removeAll() }
            return state.bytes
        }
    }

    /// Bytes that arrived but have not been read, without waiting.
    var unread: [UInt8] { inbox.state.withLock { $0.bytes } }

    var isClosed: Bool { inbox.state.withLock { $0.closed } }

    var error: (any Error)? { inbox.state.withLock { $0.error } }

    func close() async {
        try? await channel.close()
    }

    private func poll<T>(
        timeout: Duration,
        waitingFor what: String,
        _ take: (inout Inbox.State) -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let value = inbox.state.withLock({ take(&$0) }) { return value }
            let finished = inbox.state.withLock { $0.closed }
            if finished || ContinuousClock.now >= deadline {
                // One last look: the bytes and the close may have arrived together.
                if let value = inbox.state.withLock({ take(&$0) }) { return value }
                throw Timeout(waitingFor: finished ? "\(what) (connection closed)" : what)
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// A throwaway CA and a `localhost`/127.0.0.1 server certificate made with openssl for the TLS tests.
struct ServerTestCertificates: Sendable {
    let directory: URL
    var caFile: String { directory.appendingPathComponent("ca.pem").path }
    var certificateFile: String { directory.appendingPathComponent("server.pem").path }
    var keyFile: String { directory.appendingPathComponent("server.key").path }

    static func make() throws -> ServerTestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mailbag-server-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let extensions = """
            subjectAltName=DNS:localhost,IP:127.0.0.1
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature
            extendedKeyUsage=serverAuth

            """
        try extensions.write(to: directory.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try OpenSSL.run(["req", "-x509"] + ec + [
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Mailbag Server Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ], in: directory)
        try OpenSSL.run(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
                    in: directory)
        try OpenSSL.run([
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
        ], in: directory)
        return ServerTestCertificates(directory: directory)
    }

    func clientContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        return try NIOSSLContext(configuration: configuration)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
