import NIOCore
import NIOSSL

/// Frames CRLF (or bare LF) lines, feeds them to the session in arrival order, and performs its outputs —
/// immediately, or `perReplyDelay` after the command arrived, without ever reordering replies.
final class ServerChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Commands are at most 255 octets (RFC 2449); SASL responses may be longer, so allow more but not forever.
    private static let maxLineLength = 8 * 1024

    private let session: ServerSession
    private let delay: TimeAmount
    private let tls: NIOSSLContext?
    private let autoLogout: TimeAmount?
    private var logoutTimer: Scheduled<Void>?
    private var partial: [UInt8] = []
    private var queue = CircularBuffer<(deadline: NIODeadline, outputs: [SessionOutput])>()
    private var timer: Scheduled<Void>?
    /// Set between answering STLS and inserting the TLS handler: plaintext read then is discarded unread,
    /// as RFC 2595 requires, so nothing a client pipelined behind STLS gets executed.
    private var awaitingTLS = false
    /// An over-long line was rejected and the close is queued: anything read afterwards is ignored.
    private var finished = false
    /// A reply is being dripped (`ServerBehavior.drip`): later outputs wait in `queue` behind it.
    private var dripping = false

    init(session: ServerSession, delay: Duration, autoLogout: Duration?, tls: NIOSSLContext?) {
        self.session = session
        self.delay = TimeAmount(delay)
        self.autoLogout = autoLogout.map(TimeAmount.init)
        self.tls = tls
    }

    func channelActive(context: ChannelHandlerContext) {
        enqueue([.send(Array((session.greeting + "\r\n").utf8))], context: context)
        restartLogoutTimer(context: context)
        context.fireChannelActive()
    }

    private func restartLogoutTimer(context: ChannelHandlerContext) {
        guard let autoLogout else { return }
        logoutTimer?.cancel()
        let channel = context.channel
        logoutTimer = context.eventLoop.assumeIsolated().scheduleTask(in: autoLogout) {
            channel.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        logoutTimer?.cancel()
        timer?.cancel()
        timer = nil
        queue.removeAll()
        session.connectionClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !awaitingTLS, !finished else { return }
        partial.append(contentsOf: unwrapInboundIn(data).readableBytesView)
        // Work on a private copy: replies written below can re-enter this handler (a failed write
        // closes the channel), and a re-entrant read must not shift the indices used here.
        let buffer = partial
        partial = []
        var start = 0
        while !finished, let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var end = newline
            if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            if end - start > Self.maxLineLength {
                rejectLongLine(context: context)
                return
            }
            restartLogoutTimer(context: context)
            let loggedIn = session.isInTransaction
            let outputs = session.receive(String(decoding: buffer[start..<end], as: UTF8.self))
            start = newline + 1
            if session.losesInputWithLogin, !loggedIn, session.isInTransaction {
                start = buffer.count
                partial.removeAll()
            }
            if outputs.contains(where: { if case .startTLS = $0 { true } else { false } }) {
                // Whatever followed STLS in this read is plaintext the client must not have sent.
                awaitingTLS = true
                partial.removeAll()
                enqueue(outputs, context: context)
                return
            }
            enqueue(outputs, context: context)
        }
        guard !finished else { return }
        partial = Array(buffer[start...]) + partial
        if partial.count > Self.maxLineLength { rejectLongLine(context: context) }
    }

    private func rejectLongLine(context: ChannelHandlerContext) {
        finished = true
        partial.removeAll()
        enqueue([.send(Array("-ERR Line too long\r\n".utf8)), .close], context: context)
    }

    private func enqueue(_ outputs: [SessionOutput], context: ChannelHandlerContext) {
        guard !outputs.isEmpty else { return }
        if delay <= .zero && queue.isEmpty && !dripping {
            perform(outputs, context: context)
            return
        }
        queue.append((.now() + delay, outputs))
        armTimer(context: context)
    }

    private func armTimer(context: ChannelHandlerContext) {
        guard timer == nil, !dripping, let head = queue.first else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: head.deadline) {
            self.timer = nil
            self.drain(context: context)
        }
    }

    private func drain(context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        while !dripping, let head = queue.first, head.deadline <= now {
            queue.removeFirst()
            perform(head.outputs, context: context)
        }
        armTimer(context: context)
    }

    private func drip(_ rest: ArraySlice<UInt8>, every interval: TimeAmount, context: ChannelHandlerContext) {
        guard let byte = rest.first else {
            dripping = false
            drain(context: context)
            return
        }
        context.eventLoop.assumeIsolated().scheduleTask(in: interval) {
            guard context.channel.isActive else { return }
            context.writeAndFlush(self.wrapOutboundOut(context.channel.allocator.buffer(bytes: [byte])), promise: nil)
            self.drip(rest.dropFirst(), every: interval, context: context)
        }
    }

    private func perform(_ outputs: [SessionOutput], context: ChannelHandlerContext) {
        for output in outputs {
            switch output {
            case .send(let bytes):
                context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
            case .drip(let bytes, let interval):
                let firstLine = bytes.firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count
                context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes[..<firstLine])), promise: nil)
                dripping = true
                drip(bytes[firstLine...], every: TimeAmount(interval), context: context)
            case .startTLS:
                context.flush()
                guard let tls else {
                    context.close(promise: nil)
                    return
                }
                do {
                    try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
                } catch {
                    context.close(promise: nil)
                    return
                }
                awaitingTLS = false
            case .close:
                queue.removeAll()
                context.flush()
                context.close(promise: nil)
                return
            }
        }
        context.flush()
    }
}
