import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP proxy in front of a POP3 server that adds latency in each direction and can cut
/// every connection on demand: benchmarks measure round trips through it, and tests use it to
/// lose the network in the middle of a session.
public final class TCPProxy: Sendable {
    private let targetHost: String
    private let targetPort: Int
    /// Read by every relay per chunk, so a benchmark can change the latency without a new port
    /// (clients cache by host and port).
    private let delay: Mutex<TimeAmount>
    private let group = MultiThreadedEventLoopGroup.singleton
    private let channels = Mutex<(listener: (any Channel)?, open: [any Channel])>((nil, []))
    private let trigger = Mutex<CutTrigger?>(nil)

    /// - Parameter oneWayDelay: added to every chunk in each direction, so a round trip costs twice this.
    public init(targetHost: String = "127.0.0.1", targetPort: Int, oneWayDelay: Duration = .zero) {
        self.targetHost = targetHost
        self.targetPort = targetPort
        delay = Mutex(Self.timeAmount(oneWayDelay))
    }

    /// Applies to chunks read from now on, on connections old and new.
    public var oneWayDelay: Duration {
        get { .nanoseconds(delay.withLock { $0.nanoseconds }) }
        set { delay.withLock { $0 = Self.timeAmount(newValue) } }
    }

    /// The delay a relay adds to the chunk it reads now.
    fileprivate var currentDelay: TimeAmount { delay.withLock { $0 } }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Starts listening on loopback and returns the port clients should use.
    /// - Throws: what NIO throws when the listening socket cannot be bound.
    public func start() async throws -> Int {
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: true)
            .childChannelInitializer { [self] inbound in
                self.track(inbound)
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: targetHost, port: targetPort)
                    .flatMapThrowing { outbound in
                        // Both channels are on the inbound one's loop, where this runs, so the
                        // relays are added in place and never cross threads.
                        self.track(outbound)
                        try inbound.pipeline.syncOperations.addHandler(Relay(peer: outbound, proxy: self, watchesCommands: true))
                        try outbound.pipeline.syncOperations.addHandler(Relay(peer: inbound, proxy: self, watchesCommands: false))
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        channels.withLock { $0.listener = listener }
        return listener.localAddress?.port ?? 0
    }

    /// Arms a one-shot cut: when a client sends its `occurrence`-th line starting with `prefix`
    /// (case-insensitive), every connection is dropped, before that line reaches the server or,
    /// with `afterForwarding`, right after it has (a cut while the server acts on it). Lines
    /// are only seen on connections without TLS.
    public func cut(whenClientSends prefix: String, occurrence: Int = 1, afterForwarding: Bool = false) {
        trigger.withLock { $0 = CutTrigger(prefix: Array(prefix.uppercased().utf8), remaining: occurrence, afterForwarding: afterForwarding) }
    }

    /// Whether an armed cut has not happened yet.
    public var cutIsArmed: Bool { trigger.withLock { $0 != nil } }

    /// The armed cut, when `line` (a client's command line) fires it.
    fileprivate func fires(_ line: ArraySlice<UInt8>) -> CutTrigger? {
        trigger.withLock { armed in
            guard var current = armed, line.count >= current.prefix.count,
                  zip(line, current.prefix).allSatisfy({ Self.upper($0) == $1 }) else { return nil }
            current.remaining -= 1
            armed = current.remaining > 0 ? current : nil
            return current.remaining > 0 ? nil : current
        }
    }

    private static func upper(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte }

    /// Drops every proxied connection at once, as a network failure would; new ones still work.
    public func cutAll() {
        let open = channels.withLock { state in
            defer { state.open.removeAll() }
            return state.open
        }
        for channel in open { channel.close(promise: nil) }
    }

    public func stop() async {
        cutAll()
        let listener = channels.withLock { $0.listener }
        try? await listener?.close()
    }

    private func track(_ channel: any Channel) {
        channels.withLock { $0.open.append(channel) }
    }
}

/// A cut armed by `TCPProxy.cut(whenClientSends:)`.
struct CutTrigger: Sendable {
    var prefix: [UInt8]
    var remaining: Int
    var afterForwarding: Bool
}

/// Forwards what one side reads to the other after `delay`. Deadlines strictly increase so chunks
/// never overtake each other.
private final class Relay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let peer: any Channel
    private let proxy: TCPProxy
    private var lastDeadline = NIODeadline.uptimeNanoseconds(0)
    /// The proxy, on the client's side only: it may cut on a command line.
    private let watcher: TCPProxy?
    /// The start of a command line whose end has not arrived yet.
    private var partialLine: [UInt8] = []
    private var readsFromServer: Bool { watcher == nil }

    init(peer: any Channel, proxy: TCPProxy, watchesCommands: Bool) {
        self.peer = peer
        self.proxy = proxy
        watcher = watchesCommands ? proxy : nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if let watcher, watcher.cutIsArmed, let cut = firstCut(in: bytes, watcher: watcher) {
            // What came before the line always goes; the line itself only when the cut follows it.
            let length = cut.trigger.afterForwarding ? cut.lineEnd : cut.lineStart
            let kept = bytes.getSlice(at: bytes.readerIndex, length: length) ?? ByteBuffer()
            peer.writeAndFlush(kept).whenComplete { _ in watcher.cutAll() }
            return
        }
        forward(bytes, context: context)
    }

    /// The line of `bytes` (offsets from its start) that fires an armed cut, if one does.
    private func firstCut(in bytes: ByteBuffer, watcher: TCPProxy) -> (lineStart: Int, lineEnd: Int, trigger: CutTrigger)? {
        let view = bytes.readableBytesView
        var start = view.startIndex
        while let newline = view[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = partialLine + view[start..<newline]
            partialLine = []
            if let trigger = watcher.fires(line[...]) {
                return (start - view.startIndex, newline + 1 - view.startIndex, trigger)
            }
            start = newline + 1
        }
        partialLine += view[start...]
        if partialLine.count > 4096 { partialLine.removeFirst(partialLine.count - 4096) }
        return nil
    }

    private func forward(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        let peer = self.peer
        let delay = proxy.currentDelay
        guard delay > .zero else {
            peer.writeAndFlush(bytes, promise: nil)
            return
        }
        let deadline = max(.now() + delay, lastDeadline + .nanoseconds(1))
        lastDeadline = deadline
        context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            peer.writeAndFlush(bytes, promise: nil)
        }
    }

    /// On the server's side the proxy is the server's TCP peer, so its ACKs are the ones the
    /// server waits on. Courier and Cyrus leave Nagle's algorithm on: behind a delayed ACK (up to
    /// 40 ms) the next reply would wait for the proxy, not the network, and measure the proxy.
    /// Quick-ack mode makes the link transparent; the kernel leaves it by itself, so each read
    /// re-arms it.
    func channelReadComplete(context: ChannelHandlerContext) {
        #if os(Linux)
        if readsFromServer {
            try? context.channel.syncOptions?.setOption(ChannelOptions.tcpOption(.init(rawValue: TCP_QUICKACK)), value: 1)
        }
        #endif
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let peer = self.peer
        let delay = proxy.currentDelay
        context.eventLoop.assumeIsolated().scheduleTask(deadline: max(.now() + delay, lastDeadline + .nanoseconds(1))) {
            peer.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
