/// How the connection is protected.
public enum ConnectionSecurity: String, Sendable, Equatable {
    /// TLS from the first byte (pop3s, port 995, RFC 8314).
    case implicitTLS
    /// Plain connect, then STLS is required before any credential (RFC 2595).
    case startTLS
    /// No TLS at all; only honoured with `allowPlaintext`.
    case plaintext
}

/// Login methods, named as the server advertises them.
public enum AuthMechanism: String, Sendable, CaseIterable {
    /// RFC 7628: an OAuth 2.0 bearer token, with the host and port it is meant for.
    case oauthBearer = "OAUTHBEARER"
    /// Google's and Microsoft's bearer-token mechanism, older than RFC 7628 and the only one
    /// Outlook.com takes.
    case xoauth2 = "XOAUTH2"
    case saslPlain = "PLAIN"
    case saslLogin = "LOGIN"
    case cramMD5 = "CRAM-MD5"
    case apop = "APOP"
    case userPass = "USER"

    /// Preference when the caller does not choose: a bearer token (which expires and can be revoked
    /// alone), then challenge-response, then SASL with the password inside TLS, APOP, and USER/PASS
    /// last (RFC 5034, RFC 1939 section 7). A login only tries the ones its credential can serve
    /// (`takesBearerToken`).
    public static let strongestFirst: [AuthMechanism] = [
        .oauthBearer, .xoauth2, .cramMD5, .saslPlain, .saslLogin, .apop, .userPass,
    ]

    /// Whether the mechanism sends an OAuth 2.0 bearer token rather than a password.
    public var takesBearerToken: Bool { self == .oauthBearer || self == .xoauth2 }
}

public struct POP3Configuration: Sendable {
    public var host: String
    public var port: Int
    public var security: ConnectionSecurity
    /// Required for `.plaintext`: without it no byte of a credential ever leaves unencrypted.
    public var allowPlaintext: Bool
    /// PEM file with extra trust anchors, used in addition to the system trust store.
    public var caFile: String?
    public var connectTimeout: Duration
    /// Longest silence tolerated while a reply is due.
    public var idleTimeout: Duration
    /// Mechanisms to try, in this order; nil means every mechanism, strongest offered first.
    public var allowedMechanisms: [AuthMechanism]?
    /// Bound for status lines and for each line of CAPA, LIST and UIDL listings.
    public var maxLineLength: Int
    /// Bound for a whole RETR reply.
    public var maxMessageSize: Int
    /// Bound for a whole TOP reply (header block plus the requested body lines).
    public var maxTopReplySize: Int
    /// Bound for a whole CAPA, LIST or UIDL reply.
    public var maxListingSize: Int
    /// The most commands `topBatch` keeps in flight when the server advertises PIPELINING; it
    /// sizes its window to the connection below this (see `PipelineWindow`). The default is twice
    /// what Dovecot answers in a 100 ms round trip (about 7,000 `TOP n 0`), so the window rather
    /// than the cap decides on such a link: at half of it the pipe ran dry between refills.
    public var pipelineWindow: Int
    /// False sends every command lock-step even when the server offers PIPELINING, for a
    /// server that advertises it but loses what it is sent ahead.
    public var pipelining = true
    public var trace: ProtocolTrace?
    /// Told each stage of connecting and logging in as it begins, for a status line.
    public var onStage: (@Sendable (LoginStage) -> Void)?
    /// What this server announced before login on an earlier visit
    /// (`POP3Session.capabilitiesBeforeLogin`), or nil. With them the session asks for no
    /// capabilities before it logs in, in clear or after STLS, which saves a round trip on every
    /// connection. A login that then fails as stale capabilities could explain (a refused
    /// credential or mechanism) has them asked for afresh, and is tried once more only when the
    /// fresh ones choose another mechanism.
    ///
    /// Asked for once the greeting is in, not before connecting, so a caller can look them up
    /// (in a cache it is still opening) while the connection is made.
    public var knownCapabilities: @Sendable () async -> Capabilities? = { nil }

    public init(
        host: String,
        port: Int? = nil,
        security: ConnectionSecurity = .implicitTLS,
        allowPlaintext: Bool = false,
        caFile: String? = nil,
        connectTimeout: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(60),
        allowedMechanisms: [AuthMechanism]? = nil,
        maxLineLength: Int = 8192,
        maxMessageSize: Int = 100 << 20,
        maxTopReplySize: Int = 4 << 20,
        maxListingSize: Int = 32 << 20,
        pipelineWindow: Int = 16384,
        trace: ProtocolTrace? = nil
    ) {
        self.host = host
        self.port = port ?? (security == .implicitTLS ? 995 : 110)
        self.security = security
        self.allowPlaintext = allowPlaintext
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.allowedMechanisms = allowedMechanisms
        self.maxLineLength = maxLineLength
        self.maxMessageSize = maxMessageSize
        self.maxTopReplySize = maxTopReplySize
        self.maxListingSize = maxListingSize
        self.pipelineWindow = pipelineWindow
        self.trace = trace
    }

    /// Host, port and security from a parsed URL; the user name stays with the caller for `login`.
    public init(url: POP3URL, allowPlaintext: Bool = false) {
        self.init(host: url.host, port: url.port, security: url.security, allowPlaintext: allowPlaintext)
    }
}
