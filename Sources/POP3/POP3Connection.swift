import Foundation
import NIOCore
import NIOPosix

/// The channel and its reply-matching handler, as a Sendable value the session actor can hold.
/// Every call hops to the channel's event loop, where the handler lives.
struct POP3Connection: Sendable {
    let channel: any Channel
    let greeting: EventLoopFuture<POP3Reply>
    private let handler: NIOLoopBound<POP3ClientHandler>

    /// Connects and builds the pipeline; with `implicitTLS` the handshake starts at once.
    static func open(_ configuration: POP3Configuration, implicitTLS: TLSSetup?) async throws -> POP3Connection {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let greeting = eventLoop.makePromise(of: POP3Reply.self)
        let limits = POP3ResponseDecoder.Limits(
            maxLineLength: configuration.maxLineLength,
            maxMessageSize: configuration.maxMessageSize,
            maxTopReplySize: configuration.maxTopReplySize,
            maxListingSize: configuration.maxListingSize
        )
        let host = configuration.host
        let idleTimeout = TimeAmount(configuration.idleTimeout)
        let trace = configuration.trace
        // A LIST size only sizes the buffer; with a raised message limit it must still not make
        // the client allocate a gigabyte on a server's word.
        let maxReserve = min(configuration.maxMessageSize, 100 << 20)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = POP3ClientHandler(
                        host: host, idleTimeout: idleTimeout, maxReserve: maxReserve, trace: trace, greeting: greeting
                    )
                    let pipeline = channel.pipeline.syncOperations
                    if let implicitTLS {
                        try pipeline.addHandler(try implicitTLS.makeHandler(diagnosis: handler.diagnosis))
                    }
                    // Outbound commands pass the decoder (which queues the reply kind they expect) before
                    // the encoder turns them into bytes.
                    try pipeline.addHandler(MessageToByteHandler(POP3CommandEncoder()))
                    try pipeline.addHandler(ByteToMessageHandler(POP3ResponseDecoder(limits: limits)))
                    try pipeline.addHandler(handler)
                }
            }

        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            greeting.fail(POP3Error.connectionClosed)
            throw Self.connectError(error, configuration: configuration)
        }
        let handler: NIOLoopBound<POP3ClientHandler>
        do {
            handler = try await channel.eventLoop.submit {
                NIOLoopBound(
                    try channel.pipeline.syncOperations.handler(type: POP3ClientHandler.self),
                    eventLoop: channel.eventLoop)
            }.get()
        } catch {
            // The pipeline is already torn down, so the connection failed; the greeting carries the reason.
            channel.close(promise: nil)
            _ = try await greeting.futureResult.get()
            throw POP3Error.connectionClosed
        }
        return POP3Connection(channel: channel, greeting: greeting.futureResult, handler: handler)
    }

    func send(
        _ command: POP3Command,
        progress: (@Sendable (Int) -> Void)? = nil,
        expectedSize: Int? = nil
    ) async throws -> POP3Reply {
        let handler = self.handler
        return try await channel.eventLoop.flatSubmit {
            handler.value.send(command, progress: progress, expectedSize: expectedSize)
        }.get()
    }

    /// Writes all commands with one flush and returns their replies' futures in order (pipelining).
    func sendPipelined(_ commands: [POP3Command]) async throws -> [EventLoopFuture<POP3Reply>] {
        let handler = self.handler
        return try await channel.eventLoop.submit { handler.value.sendPipelined(commands) }.get()
    }

    /// Sends STLS; on `+OK` the handler installs TLS before reading anything else, and the reply is delivered
    /// once the handshake has completed.
    func startTLS(_ tls: TLSSetup) async throws -> POP3Reply {
        let handler = self.handler
        return try await channel.eventLoop.flatSubmit {
            handler.value.send(.stls, startTLS: tls)
        }.get()
    }

    /// Masks `redaction`'s secrets in everything read from here on; returns once the handler has it,
    /// so a command sent afterwards is answered masked.
    func redact(_ redaction: Redaction) async {
        let handler = self.handler
        try? await channel.eventLoop.submit { handler.value.redact(redaction) }.get()
    }

    func close() async {
        let handler = self.handler
        try? await channel.eventLoop.submit { handler.value.close() }.get()
        try? await channel.closeFuture.get()
    }

    private static func connectError(_ error: any Error, configuration: POP3Configuration) -> POP3Error {
        let host = configuration.host
        let port = configuration.port
        if case ChannelError.connectTimeout = error {
            return .connectTimeout(host: host, port: port)
        }
        if let error = error as? NIOConnectionError {
            if error.connectionErrors.isEmpty {
                return .connectFailed(host: host, port: port, reason: "the host name could not be resolved")
            }
            if let first = error.connectionErrors.first?.error {
                return .connectFailed(host: host, port: port, reason: reason(first))
            }
        }
        return .connectFailed(host: host, port: port, reason: reason(error))
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode)).lowercased()
        }
        if case ChannelError.connectTimeout = error { return "timed out" }
        return "\(error)"
    }
}
