import POP3

/// One `[accounts.NAME]` table, checked and with the file's top-level defaults applied.
public struct AccountConfig: Sendable, Equatable {
    public static let defaultTimeout: Duration = .seconds(30)
    /// RFC 1939 lets a server log out a client idle for 10 minutes; a NOOP every 4 minutes keeps
    /// the session, and with it the user's deletion marks, alive with room to spare.
    public static let defaultKeepalive: Duration = .seconds(240)
    public static let defaultCheckInterval: Duration = .seconds(300)
    public static let defaultBodyCacheLimit = 200 << 20
    public static let defaultMaxMessageSize = 100 << 20
    /// The whole message is held in memory while it is fetched and shown.
    public static let largestMaxMessageSize = 2 << 30
    public static let defaultKeepDeletedLimit = 1 << 30

    public var name: String
    public var host: String
    /// Explicit, or 995 for implicit TLS and 110 otherwise.
    public var port: Int
    public var user: String
    public var security: ConnectionSecurity
    public var allowPlaintext: Bool
    /// Mechanisms to try in this order; nil lets the session pick the strongest offered.
    public var authMechanisms: [AuthMechanism]?
    /// Run with `/bin/sh -c`; nil means asking on the terminal.
    public var passwordCommand: String?
    /// Run with `/bin/sh -c`; its first line is an OAuth2 access token, and with it the account
    /// logs in with OAUTHBEARER or XOAUTH2 only. Run again for a fresh token when the server
    /// refuses one, so it should refresh an expired token.
    public var oauth2TokenCommand: String?
    /// Absolute: `~` expanded and relative paths resolved against the config file's directory.
    public var caFile: String?
    public var timeout: Duration
    public var keepalive: Duration
    /// The account's own value, else the file's top-level one; nil leaves the choice to the caller.
    public var theme: String?
    public var htmlConverter: String?
    /// Bytes; same fallback as `theme`.
    public var largeMessageThreshold: Int?
    public var cacheBodies: Bool
    /// Bytes.
    public var bodyCacheLimit: Int
    /// False for a server that offers PIPELINING but loses commands sent ahead.
    public var pipelining = true
    /// Bytes; a larger message is not fetched (`POP3Error.messageTooLarge` names this setting).
    public var maxMessageSize = AccountConfig.defaultMaxMessageSize
    /// How often the reader looks for new mail (a new session); zero never.
    public var checkInterval = AccountConfig.defaultCheckInterval
    /// The folder `A` saves into before marking the message for deletion (as written, `~` unexpanded).
    public var archive: String?
    /// The safety net: the folder every message is saved into right before its DELE; nil is off.
    public var keepDeleted: String?
    /// Bytes the safety-net folder may hold; past it deletions stop rather than go unsaved.
    public var keepDeletedLimit = AccountConfig.defaultKeepDeletedLimit
    /// The From of replies and forwards, as written; nil: the user at the host.
    public var from: String?
    /// What replies are handed to (run with `/bin/sh -c`, the message on its standard input);
    /// nil: `AccountConfig.defaultSendmailCommand`.
    public var sendmailCommand: String?
    public static let defaultSendmailCommand = "/usr/sbin/sendmail -t -oi"

    public init(
        name: String,
        host: String,
        port: Int? = nil,
        user: String,
        security: ConnectionSecurity = .implicitTLS,
        allowPlaintext: Bool = false,
        authMechanisms: [AuthMechanism]? = nil,
        passwordCommand: String? = nil,
        caFile: String? = nil,
        timeout: Duration = AccountConfig.defaultTimeout,
        keepalive: Duration = AccountConfig.defaultKeepalive,
        theme: String? = nil,
        htmlConverter: String? = nil,
        largeMessageThreshold: Int? = nil,
        cacheBodies: Bool = false,
        bodyCacheLimit: Int = AccountConfig.defaultBodyCacheLimit
    ) {
        self.name = name
        self.host = host
        self.port = port ?? (security == .implicitTLS ? 995 : 110)
        self.user = user
        self.security = security
        self.allowPlaintext = allowPlaintext
        self.authMechanisms = authMechanisms
        self.passwordCommand = passwordCommand
        self.caFile = caFile
        self.timeout = timeout
        self.keepalive = keepalive
        self.theme = theme
        self.htmlConverter = htmlConverter
        self.largeMessageThreshold = largeMessageThreshold
        self.cacheBodies = cacheBodies
        self.bodyCacheLimit = bodyCacheLimit
    }

    /// The `security` value as written in the config file.
    public var securityName: String {
        switch security {
        case .implicitTLS: "tls"
        case .startTLS: "starttls"
        case .plaintext: "none"
        }
    }

    /// The connection settings; `timeout` bounds both connecting and each wait for a reply, as
    /// `--timeout` does on the command line.
    public func pop3Configuration(trace: ProtocolTrace? = nil) -> POP3Configuration {
        var configuration = POP3Configuration(
            host: host,
            port: port,
            security: security,
            allowPlaintext: allowPlaintext,
            caFile: caFile,
            connectTimeout: timeout,
            idleTimeout: timeout,
            allowedMechanisms: authMechanisms,
            trace: trace
        )
        configuration.pipelining = pipelining
        configuration.maxMessageSize = maxMessageSize
        return configuration
    }
}
