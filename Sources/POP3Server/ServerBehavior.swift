/// Knobs that make the server misbehave (or merely differ) in exactly one way each, for tests and benchmarks.
///
/// The default value is a well-behaved RFC 1939/2449/2595/5034 server. Knobs that take a `command`
/// pattern match a command line when the line equals the pattern or starts with the pattern followed by a
/// space, case-insensitively: `"RETR"` matches every RETR, `"RETR 2"` only the second message.
public struct ServerBehavior: Sendable {
    /// Whole greeting line (without CRLF) sent instead of the default one; a `<...>` in it is the APOP timestamp.
    public var greetingOverride: String?
    /// Whether the default greeting carries an APOP timestamp; without a timestamp APOP is refused.
    public var apopTimestamp: Bool
    /// CAPA lines sent verbatim instead of the list generated from the knobs below.
    public var capabilities: [String]?
    /// CAPA answers `-ERR` as popa3d and other RFC 1939-only servers do.
    public var capaFails: Bool
    /// Whether the generated CAPA advertises PIPELINING (pipelined input is processed in order either way).
    public var pipelining: Bool
    /// SASL mechanisms advertised and accepted by AUTH (PLAIN, LOGIN, CRAM-MD5, XOAUTH2 and
    /// OAUTHBEARER are implemented).
    public var saslMechanisms: [String]
    /// Whether STLS is advertised and accepted on a plaintext listener of a server that has TLS.
    public var offerSTLS: Bool
    /// STLS stays advertised but is answered `-ERR`.
    public var refuseSTLS: Bool
    /// A line written in the same write as `+OK Begin TLS` (response injection), before the handshake.
    public var injectAfterSTLS: String?
    /// A line (without CRLF, e.g. `-ERR [IN-USE] ...`) answering every login attempt instead of checking it.
    public var loginError: String?
    /// A second login while another session holds the maildrop in TRANSACTION gets `-ERR [IN-USE]`.
    public var lockMailbox: Bool
    /// Commands matching this pattern get a 64 KiB `+OK xxx…` status line and are not executed.
    public var longLineOnCommand: String?
    /// `RETR message` sends its status line and `afterBytes` bytes of the message, then closes the connection.
    public var dropDuringRETR: RETRDrop?
    /// From the first command matching this pattern on, nothing is answered (the connection stays open).
    public var silentAfter: String?
    /// Every reply is written this long after its command arrived, like one-way network latency.
    public var perReplyDelay: Duration
    /// Commands matching a key get the value's bytes verbatim (CRLFs included) and are not executed.
    public var rawReplies: [String: String]
    /// The connection is closed, unanswered and without UPDATE, on a command matching `command`,
    /// the first `times` times it arrives (over all sessions): a network cut at that point.
    public var dropOn: (command: String, times: Int)?
    /// The greeting keeps its APOP timestamp, but APOP is refused, as by a server whose password
    /// database holds hashes.
    public var refuseAPOP: Bool
    /// Like Courier, whose login process execs the mail process: what arrived behind the command
    /// that completed a login, before its `+OK` was written, is lost.
    public var losesInputWithLogin: Bool
    /// RFC 1939's autologout timer: a connection this long without a command is closed, with no
    /// UPDATE state, so nothing is deleted.
    public var autoLogout: Duration?
    /// Replies to commands matching `command` get their first line at once, then the rest one
    /// byte every `interval`: a server that keeps a reply alive without ever finishing it.
    public var drip: (command: String, interval: Duration)?
    /// A refused login is answered `-ERR wrong password: ` with the credential the client sent
    /// (the PASS argument, the APOP arguments, the SASL response and what it decodes to), as
    /// careless servers do.
    public var echoCredentials: Bool
    /// The OAuth2 bearer tokens XOAUTH2 and OAUTHBEARER accept, each for the user it was issued
    /// to; any other token is refused with an RFC 7628 JSON challenge.
    public var bearerTokens: [String: String]

    public struct RETRDrop: Sendable, Equatable {
        public var message: Int
        public var afterBytes: Int

        public init(message: Int, afterBytes: Int) {
            self.message = message
            self.afterBytes = afterBytes
        }
    }

    public init(
        greetingOverride: String? = nil,
        apopTimestamp: Bool = true,
        capabilities: [String]? = nil,
        capaFails: Bool = false,
        pipelining: Bool = true,
        saslMechanisms: [String] = ["PLAIN", "LOGIN", "CRAM-MD5"],
        offerSTLS: Bool = true,
        refuseSTLS: Bool = false,
        injectAfterSTLS: String? = nil,
        loginError: String? = nil,
        lockMailbox: Bool = false,
        longLineOnCommand: String? = nil,
        dropDuringRETR: RETRDrop? = nil,
        silentAfter: String? = nil,
        perReplyDelay: Duration = .zero,
        rawReplies: [String: String] = [:],
        autoLogout: Duration? = nil,
        losesInputWithLogin: Bool = false,
        refuseAPOP: Bool = false,
        dropOn: (command: String, times: Int)? = nil,
        drip: (command: String, interval: Duration)? = nil,
        echoCredentials: Bool = false,
        bearerTokens: [String: String] = [:]
    ) {
        self.greetingOverride = greetingOverride
        self.apopTimestamp = apopTimestamp
        self.capabilities = capabilities
        self.capaFails = capaFails
        self.pipelining = pipelining
        self.saslMechanisms = saslMechanisms
        self.offerSTLS = offerSTLS
        self.refuseSTLS = refuseSTLS
        self.injectAfterSTLS = injectAfterSTLS
        self.loginError = loginError
        self.lockMailbox = lockMailbox
        self.longLineOnCommand = longLineOnCommand
        self.dropDuringRETR = dropDuringRETR
        self.silentAfter = silentAfter
        self.perReplyDelay = perReplyDelay
        self.autoLogout = autoLogout
        self.losesInputWithLogin = losesInputWithLogin
        self.refuseAPOP = refuseAPOP
        self.dropOn = dropOn
        self.rawReplies = rawReplies
        self.drip = drip
        self.echoCredentials = echoCredentials
        self.bearerTokens = bearerTokens
    }

    static func matches(_ line: String, pattern: String) -> Bool {
        let line = line.uppercased()
        let pattern = pattern.uppercased()
        return line == pattern || line.hasPrefix(pattern + " ")
    }
}
