import NIOCore
import NIOTLS

#if canImport(Glibc)
import Glibc
#endif

/// The last handler of the pipeline: matches decoded replies to the promises of the commands that asked
/// for them, in order, accumulates multi-line bodies, enforces the silence timeout and the reply deadline,
/// performs the STLS upgrade on the event loop, masks echoed credentials and traces the exchange.
/// Confined to the channel's event loop.
final class POP3ClientHandler: ChannelInboundHandler {
    typealias InboundIn = POP3ResponseEvent

    /// A reply still due: the greeting's, or a written command's.
    private struct Pending {
        var promise: EventLoopPromise<POP3Reply>
        var progress: (@Sendable (Int) -> Void)?
        var expectedSize: Int?
        /// For STLS: the TLS to start on `+OK`; the promise then waits for the handshake.
        var startTLS: TLSSetup?
    }

    let diagnosis = CertificateDiagnosis()
    private let host: String
    private let idleTimeout: TimeAmount
    private let maxReserve: Int
    private let trace: ProtocolTrace?
    /// Kept after the handler leaves the pipeline, to fail late requests.
    private let eventLoop: any EventLoop
    private var context: ChannelHandlerContext?
    private var pending = CircularBuffer<Pending>()
    /// The multi-line reply being received, always for `pending.first`; kept outside the queue so appending
    /// to it never copies.
    private var bodyStatus: StatusLine?
    private var body: [UInt8] = []
    /// The STLS command whose `+OK` arrived, until the handshake completes.
    private var upgrading: (promise: EventLoopPromise<POP3Reply>, status: StatusLine)?
    /// Once set, the connection is unusable and every later request fails with this.
    private var failure: POP3Error?
    /// On the event loop's clock, so tests can drive it with EmbeddedEventLoop.
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    /// For `pending.first`: restarted whenever another reply becomes the one due.
    private var reply: ReplyDeadline
    private var timer: Scheduled<Void>?
    /// Attached to every status line, masks every server text traced and every error (see `Redaction`).
    private var redaction = Redaction.none

    init(
        host: String, idleTimeout: TimeAmount, maxReserve: Int, trace: ProtocolTrace?,
        greeting: EventLoopPromise<POP3Reply>
    ) {
        self.host = host
        self.idleTimeout = idleTimeout
        self.maxReserve = maxReserve
        self.trace = trace
        eventLoop = greeting.futureResult.eventLoop
        reply = ReplyDeadline(grace: idleTimeout, startedAt: .uptimeNanoseconds(0))
        pending.append(Pending(promise: greeting))
    }

    // MARK: Requests from the session

    /// Queues `command`'s reply and writes it.
    func send(
        _ command: POP3Command,
        progress: (@Sendable (Int) -> Void)? = nil,
        expectedSize: Int? = nil,
        startTLS: TLSSetup? = nil
    ) -> EventLoopFuture<POP3Reply> {
        write([command]) { Pending(promise: $0, progress: progress, expectedSize: expectedSize, startTLS: startTLS) }[0]
    }

    /// Queues each command's reply and writes them all at once (pipelining).
    func sendPipelined(_ commands: [POP3Command]) -> [EventLoopFuture<POP3Reply>] {
        write(commands) { Pending(promise: $0) }
    }

    /// One write and one flush however many commands: the decoder queues the reply kinds and the
    /// encoder makes one buffer of them.
    private func write(
        _ commands: [POP3Command], _ makePending: (EventLoopPromise<POP3Reply>) -> Pending
    ) -> [EventLoopFuture<POP3Reply>] {
        guard let context, failure == nil else {
            return commands.map { _ in eventLoop.makeFailedFuture(failure ?? .connectionClosed) }
        }
        if pending.isEmpty {
            lastActivity = context.eventLoop.now
            reply.restart(at: lastActivity)
        }
        let replies = commands.map { command in
            let promise = context.eventLoop.makePromise(of: POP3Reply.self)
            pending.append(makePending(promise))
            trace?.client(command)
            return promise.futureResult
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        // The decoder has already queued these commands' reply kinds; a write that fails leaves it waiting
        // for replies that will never come, so the connection cannot continue.
        written.futureResult.assumeIsolated().whenFailure { [weak self] error in
            self?.fail(POP3Error.from(error, diagnosis: nil, host: self?.host ?? ""))
        }
        context.writeAndFlush(NIOAny(commands), promise: written)
        armTimer()
        return replies
    }

    func close() {
        fail(.connectionClosed)
    }

    /// Set before the credentials are written, so that every reply to them is masked.
    func redact(_ redaction: Redaction) {
        self.redaction = redaction
    }

    // MARK: ChannelInboundHandler

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(.connectionClosed)
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        trace?.note("connected to \(context.channel.remoteAddress.map { "\($0)" } ?? host)")
        lastActivity = context.eventLoop.now
        reply.restart(at: lastActivity)
        armTimer()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        trace?.note("connection closed")
        fail(.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The decoder reports the data that follows its first error; that first error is what counts.
        if let error = error as? ByteToMessageDecoderError, case .dataReceivedInErrorState = error { return }
        fail(POP3Error.from(error, diagnosis: diagnosis, host: host))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted(let protocolName) = event {
            trace?.note("TLS handshake completed" + (protocolName.map { " (ALPN \($0))" } ?? ""))
            lastActivity = context.eventLoop.now
            if let upgrading {
                self.upgrading = nil
                upgrading.promise.succeed(.status(upgrading.status))
            }
            armTimer()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !pending.isEmpty { Self.acknowledgeAtOnce(context.channel) }
        context.fireChannelReadComplete()
    }

    /// Courier and Cyrus leave Nagle's algorithm on and write one reply in several pieces; each
    /// piece after the first waits for our ACK of the one before, which Linux delays by up to
    /// 40 ms while the client has nothing to send, as it has while a reply is due. Quick-ack mode
    /// acknowledges at once; the kernel leaves it by itself, so it is re-armed after every read
    /// that leaves a reply outstanding.
    private static func acknowledgeAtOnce(_ channel: any Channel) {
        #if os(Linux)
        try? channel.syncOptions?.setOption(ChannelOptions.tcpOption(.init(rawValue: TCP_QUICKACK)), value: 1)
        #endif
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = context.eventLoop.now
        let event = unwrapInboundIn(data)
        guard let head = pending.first else {
            fail(.malformedResponse("a reply arrived that answers no command"))
            return
        }
        switch event {
        case .status(var status):
            status.redaction = redaction
            trace?.server(status.description)
            replyCompleted()
            if let tls = head.startTLS, status.isOK {
                beginTLS(tls, status: status, promise: head.promise, context: context)
            } else {
                head.promise.succeed(.status(status))
            }
        case .continuation(let text):
            // Traced masked, handed on as sent: the mechanism needs the challenge as it is.
            trace?.server("+ " + redaction.apply(text))
            replyCompleted()
            head.promise.succeed(.continuation(text))
        case .multiLineStart(var status):
            status.redaction = redaction
            trace?.server(status.description)
            reply.add(status.text.utf8.count)
            bodyStatus = status
            body = []
            if let expected = head.expectedSize {
                // A LIST size is the server's claim; never let it make us allocate more than the cap.
                let claimed = min(max(expected, 0), maxReserve)
                body.reserveCapacity(min(claimed + claimed / 16 + 64, maxReserve))
            }
        case .bodyChunk(let chunk):
            body.append(contentsOf: chunk.readableBytesView)
            reply.add(chunk.readableBytes)
            head.progress?(body.count)
        case .multiLineEnd:
            trace?.server("<\(body.count) bytes>")
            replyCompleted()
            let complete = POP3Reply.multiLine(bodyStatus ?? StatusLine(isOK: true, text: ""), body: body)
            bodyStatus = nil
            body = []
            head.promise.succeed(complete)
        }
        armTimer()
    }

    /// The next reply's deadline starts now: it could not have been sent earlier.
    private func replyCompleted() {
        pending.removeFirst()
        reply.restart(at: lastActivity)
    }

    // MARK: Internals

    /// Runs inside the read that delivered `+OK` to STLS, so nothing else is read or written in clear after it.
    private func beginTLS(
        _ tls: TLSSetup, status: StatusLine, promise: EventLoopPromise<POP3Reply>, context: ChannelHandlerContext
    ) {
        do {
            let handler = try tls.makeHandler(diagnosis: diagnosis)
            upgrading = (promise, status)
            try context.pipeline.syncOperations.addHandler(handler, position: .first)
            trace?.note("TLS handshake started")
        } catch {
            upgrading = nil
            promise.fail(POP3Error.from(error, diagnosis: diagnosis, host: host))
            fail(POP3Error.from(error, diagnosis: diagnosis, host: host))
        }
    }

    private func fail(_ unmasked: POP3Error) {
        let error = redaction.apply(unmasked)
        if failure == nil {
            failure = error
            if error != .connectionClosed { trace?.note("failed: \(error)") }
        }
        let waiting = pending
        pending.removeAll()
        bodyStatus = nil
        body = []
        timer?.cancel()
        timer = nil
        if let upgrading {
            self.upgrading = nil
            upgrading.promise.fail(error)
        }
        for entry in waiting { entry.promise.fail(error) }
        context?.close(promise: nil)
    }

    /// One timer per wait, re-armed from the last activity, rather than one per read.
    private func armTimer() {
        guard !pending.isEmpty || upgrading != nil else {
            timer?.cancel()
            timer = nil
            return
        }
        guard timer == nil, let context, context.channel.isActive else { return }
        // Both deadlines only move later, so a timer that fires early just re-arms.
        let deadline = pending.isEmpty ? lastActivity + idleTimeout : min(lastActivity + idleTimeout, reply.deadline)
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            self?.timerFired()
        }
    }

    private func timerFired() {
        timer = nil
        guard !pending.isEmpty || upgrading != nil else { return }
        guard let context else { return }
        let now = context.eventLoop.now
        if lastActivity + idleTimeout <= now {
            fail(.timeout(seconds: Int((idleTimeout.nanoseconds + 999_999_999) / 1_000_000_000)))
        } else if !pending.isEmpty, reply.deadline <= now {
            fail(reply.error(at: now))
        } else {
            armTimer()
        }
    }
}
