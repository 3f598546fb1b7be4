import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A loopback TCP proxy in front of a POP3 server that adds latency in each direction and can cut
/// every connection on demand: benchmarks measure round trips through it, and tests use it to
/// lose the network in the middle of a session.
public final class TCPProxy: Sendable {
    private let targetHost: String
    private let targetPort: Int
    /// Read by every relay per chunk, so a benchmark can change the latency without a new port
    /// (clients cache by host and port).
    private let delay: NIOLockedValueBox<TimeAmount>
    private let group = MultiThreadedEventLoopGroup.singleton
    private let channels = NIOLockedValueBox<(listener: (any Channel)?, open: [any Channel])>((nil, []))

    /// - Parameter oneWayDelay: added to every chunk in each direction, so a round trip costs twice this.
    public init(targetHost: String = "127.0.0.1", targetPort: Int, oneWayDelay: Duration = .zero) {
        self.targetHost = targetHost
        self.targetPort = targetPort
        delay = NIOLockedValueBox(Self.timeAmount(oneWayDelay))
    }

    /// Applies to chunks read from now on, on connections old and new.
    public var oneWayDelay: Duration {
        get { .nanoseconds(delay.withLockedValue { $0.nanoseconds }) }
        set { delay.withLockedValue { $0 = Self.timeAmount(newValue) } }
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Starts listening on loopback and returns the port clients should use.
    public func start() async throws -> Int {
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: true)
            .childChannelInitializer { [self] inbound in
                self.track(inbound)
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: targetHost, port: targetPort)
                    .flatMap { outbound in
                        self.track(outbound)
                        return inbound.pipeline.addHandler(Relay(peer: outbound, delay: self.delay)).flatMap {
                            outbound.pipeline.addHandler(Relay(peer: inbound, delay: self.delay))
                        }
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        channels.withLockedValue { $0.listener = listener }
        return listener.localAddress?.port ?? 0
    }

    /// Drops every proxied connection at once, as a network failure would; new ones still work.
    public func cutAll() {
        let open = channels.withLockedValue { state in
            defer { state.open.removeAll() }
            return state.open
        }
        for channel in open { channel.close(promise: nil) }
    }

    public func stop() async {
        cutAll()
        let listener = channels.withLockedValue { $0.listener }
        try? await listener?.close()
    }

    private func track(_ channel: any Channel) {
        channels.withLockedValue { $0.open.append(channel) }
    }
}

/// Forwards what one side reads to the other after `delay`. Deadlines strictly increase so chunks
/// never overtake each other.
private final class Relay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let peer: any Channel
    private let delay: NIOLockedValueBox<TimeAmount>
    private var lastDeadline = NIODeadline.uptimeNanoseconds(0)

    init(peer: any Channel, delay: NIOLockedValueBox<TimeAmount>) {
        self.peer = peer
        self.delay = delay
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        let peer = self.peer
        let delay = self.delay.withLockedValue { $0 }
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

    func channelInactive(context: ChannelHandlerContext) {
        let peer = self.peer
        let delay = self.delay.withLockedValue { $0 }
        context.eventLoop.assumeIsolated().scheduleTask(deadline: max(.now() + delay, lastDeadline + .nanoseconds(1))) {
            peer.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
