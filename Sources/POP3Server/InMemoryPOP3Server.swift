import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// An in-memory POP3 server on loopback: the maildrop behind `mailbag --demo` and a scriptable fake for tests.
///
/// Every user in `users` opens the same maildrop. Each session numbers the messages present when it logged
/// in; deletions take effect only when that session sends QUIT in the TRANSACTION state, so a dropped
/// connection deletes nothing. Messages delivered meanwhile appear to sessions that log in later.
public final class InMemoryPOP3Server: Sendable {
    private let store: MailboxStore
    private let behavior: ServerBehavior
    private let tls: ServerTLS?
    private let registry = Registry()

    /// Apart from the server, so the listeners' initializers reach it without holding the server.
    private final class Registry: Sendable {
        let channels = Mutex(Channels())
    }

    private struct Channels {
        var listeners: [any Channel] = []
        var connections: [ObjectIdentifier: any Channel] = [:]
    }

    public init(
        users: [String: String],
        messages: [ServerMessage],
        behavior: ServerBehavior = ServerBehavior(),
        tls: ServerTLS? = nil
    ) {
        self.store = MailboxStore(users: users, messages: messages)
        self.behavior = behavior
        self.tls = tls
    }

    /// Starts a listener and returns its port (port 0 picks a free one). May be called more than once, e.g.
    /// for a plaintext+STLS port and an implicit-TLS port sharing one maildrop, as real servers do.
    /// - Throws: `ServerError.tlsNotConfigured` for implicit TLS without `ServerTLS`; what NIO throws when the port cannot be bound.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0, implicitTLS: Bool = false) async throws -> Int {
        if implicitTLS && tls == nil { throw ServerError.tlsNotConfigured }
        let store = self.store
        let behavior = self.behavior
        let context = tls?.context
        let registry = self.registry
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let id = ObjectIdentifier(channel)
                registry.channels.withLock { $0.connections[id] = channel }
                channel.closeFuture.whenComplete { _ in
                    _ = registry.channels.withLock { $0.connections.removeValue(forKey: id) }
                }
                return channel.eventLoop.makeCompletedFuture {
                    let session = ServerSession(
                        store: store,
                        behavior: behavior,
                        stlsPossible: context != nil && !implicitTLS,
                        tlsActive: implicitTLS
                    )
                    let operations = channel.pipeline.syncOperations
                    if implicitTLS, let context {
                        try operations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    try operations.addHandler(
                        ServerChannelHandler(session: session, delay: behavior.perReplyDelay, autoLogout: behavior.autoLogout, tls: context)
                    )
                }
            }
        let listener: any Channel
        do {
            listener = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw ServerError.bindFailed(host: host, port: port, reason: "\(error)")
        }
        registry.channels.withLock { $0.listeners.append(listener) }
        return listener.localAddress?.port ?? port
    }

    /// Closes every listener and every open connection; sessions in TRANSACTION delete nothing.
    public func stop() async {
        let listeners = registry.channels.withLock { state in
            defer { state.listeners.removeAll() }
            return state.listeners
        }
        for listener in listeners {
            try? await listener.close()
        }
        // Only after the listeners are gone is the set of connections final.
        let connections = registry.channels.withLock { Array($0.connections.values) }
        for connection in connections {
            try? await connection.close()
        }
    }

    /// The maildrop as it is now: what remains after QUIT-applied deletions, plus deliveries.
    public var messages: [ServerMessage] { store.messages }

    /// Every line received, in arrival order across all sessions, SASL continuations and credentials included.
    public var commandLog: [String] { store.commandLog }

    /// How many connections have been accepted since the server was created.
    public var sessionCount: Int { store.sessionCount }

    /// Appends a message to the maildrop while the server runs.
    public func deliver(_ message: ServerMessage) {
        store.deliver(message)
    }
}
