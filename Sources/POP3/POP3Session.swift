import NIOCore

/// A POP3 client session (RFC 1939) with CAPA (RFC 2449), STLS (RFC 2595), SASL (RFC 5034) and
/// pipelining. States are enforced locally: a command the current state does not allow throws
/// `POP3Error.wrongState` without reaching the server. Operations run one at a time, in call order.
/// It has no opinion on what to ask: a caller that wants several commands in flight says which
/// (`pipeline`, `login(then:)`, `topBatch`), and they go out in one write when the server
/// advertises PIPELINING, one after another otherwise.
public actor POP3Session {
    public private(set) var capabilities: Capabilities
    /// What the server announced before login, for `POP3Configuration.knownCapabilities` on the
    /// next connection; the configuration's own until they had to be asked for afresh.
    public private(set) var capabilitiesBeforeLogin: Capabilities
    /// Whether `capabilitiesBeforeLogin` came from the configuration rather than the server.
    private var capabilitiesAreRemembered: Bool
    public let greeting: Greeting
    public private(set) var state: POP3SessionState = .authorization
    /// When the server's answer accepting the login arrived. What a pipelined login sent behind it
    /// (CAPA, the listing) is answered later, after the server has opened the maildrop, and the
    /// time a caller waits for the mailbox is counted from here, the server's share included.
    public private(set) var loggedInAt: ContinuousClock.Instant?
    /// The quickest answer to a command sent alone (the login is one): the best guess at the
    /// round trip before any pipeline has measured it.
    private var shortestRoundTrip: Duration?
    /// True once TLS protects the connection (pop3s, or after STLS).
    public let isEncrypted: Bool
    private let configuration: POP3Configuration
    private let connection: POP3Connection
    /// The maildrop's message count once STAT or LIST has told it: a UIDL or LIST listing has no
    /// more entries than this (deletions only lower it).
    private var messageCount: Int?
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    private init(
        configuration: POP3Configuration, connection: POP3Connection, greeting: Greeting,
        capabilities: Capabilities, isEncrypted: Bool, capabilitiesAreRemembered: Bool
    ) {
        self.configuration = configuration
        self.connection = connection
        self.greeting = greeting
        self.capabilities = Self.usable(capabilities, configuration)
        capabilitiesBeforeLogin = capabilities
        self.capabilitiesAreRemembered = capabilitiesAreRemembered
        self.isEncrypted = isEncrypted
    }

    deinit {
        connection.channel.close(promise: nil)
    }

    /// Connects, reads the greeting, learns the capabilities (unless the configuration knows them)
    /// and, for `.startTLS`, upgrades with STLS and asks for the capabilities again. Every exchange
    /// here is lock-step.
    /// - Throws: `POP3Error`: the connection, TLS, greeting or CAPA failed.
    public static func connect(_ configuration: POP3Configuration) async throws -> POP3Session {
        guard (1...65535).contains(configuration.port) else {
            throw POP3Error.invalidArgument("the port must be a number from 1 to 65535")
        }
        guard configuration.pipelineWindow >= 1, configuration.maxLineLength >= 512,
            configuration.maxMessageSize >= 1, configuration.maxTopReplySize >= 1, configuration.maxListingSize >= 1
        else {
            throw POP3Error.invalidArgument("the pipeline window and size limits must be positive (lines at least 512)")
        }
        if configuration.security == .plaintext && !configuration.allowPlaintext {
            throw POP3Error.plaintextNotAllowed
        }
        let tls = configuration.security == .plaintext ? nil : try TLSSetup(configuration: configuration)
        configuration.onStage?(.connecting(host: configuration.host, port: configuration.port))
        let connection = try await POP3Connection.open(
            configuration, implicitTLS: configuration.security == .implicitTLS ? tls : nil
        )
        do {
            let greetingLine = try await connection.greeting.get().statusLine
            guard let greetingLine, greetingLine.isOK else {
                let status = greetingLine ?? StatusLine(isOK: false, text: "")
                throw statusError(status, loginDelay: nil) ?? .greetingRejected(status.shownText)
            }
            let known = await configuration.knownCapabilities().flatMap { $0.advertised ? $0 : nil }
            var encrypted = configuration.security == .implicitTLS
            if configuration.security == .startTLS, let tls {
                if known == nil {
                    // A server without CAPA may still know STLS; one that lists its capabilities without it does not.
                    let clear = try await fetchCapabilities(connection)
                    if clear.advertised && !clear.stls { throw POP3Error.stlsNotOffered }
                }
                configuration.onStage?(.securing)
                let status = try await connection.startTLS(tls).statusLine
                guard let status, status.isOK else { throw POP3Error.stlsRefused(status?.shownText ?? "") }
                encrypted = true
            }
            // RFC 2595 section 4: what was learned in clear before STLS may have been forged, so it
            // is asked for again under TLS.
            let capabilities = if let known { known } else { try await fetchCapabilities(connection) }
            return POP3Session(
                configuration: configuration, connection: connection, greeting: Greeting(text: greetingLine.text),
                capabilities: capabilities, isEncrypted: encrypted, capabilitiesAreRemembered: known != nil
            )
        } catch {
            await connection.close()
            throw error as? POP3Error ?? .connectionClosed
        }
    }

    // MARK: Authorization

    /// Logs in with the strongest allowed mechanism the server offers (see `AuthMechanism.strongestFirst`;
    /// `allowedMechanisms` overrides the list and its order). A refusal moves on to the next
    /// mechanism, since many servers offer one they cannot serve for this account (an APOP
    /// timestamp with a hashed password database, CRAM-MD5 likewise); each mechanism is tried at
    /// most once per login, so a wrong password reaches the server once per mechanism, and the
    /// error names every mechanism tried. Mechanisms chosen from remembered capabilities that all
    /// fail have the capabilities asked for afresh, and only mechanisms not yet tried follow.
    ///
    /// - Parameter then: commands for right after the login's answer: with PIPELINING they go out
    ///   in one write with the `CAPA` that follows a login, so they cost no round trip of their own.
    /// - Returns: the replies to `then`, in order.
    /// - Throws: `POP3Error` when every allowed mechanism failed or the session ended.
    @discardableResult
    public func login(user: String, password: String, then: [POP3Command] = []) async throws -> [PendingReply] {
        try await login(user: user, credential: .password(password), then: then)
    }

    /// Logs in as `login(user:password:then:)` does, with the mechanisms `credential` can serve: a
    /// bearer token only with OAUTHBEARER and XOAUTH2, a password only with the others. A refused
    /// token is asked for afresh once and tried once more with the same mechanism; a second
    /// refusal is `POP3Error.tokenRefused`.
    /// - Throws: `POP3Error` when every allowed mechanism failed or the session ended; what an OAuth2 token fetch throws.
    @discardableResult
    public func login(user: String, credential: Credential, then: [POP3Command] = []) async throws -> [PendingReply] {
        try await exclusively {
            guard state == .authorization else { throw POP3Error.wrongState(command: "login", state: state) }
            guard isEncrypted || configuration.allowPlaintext else { throw POP3Error.plaintextNotAllowed }
            var secrets = [("user name", user)]
            if case .password(let password) = credential { secrets.append(("password", password)) }
            for (name, value) in secrets where value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
                throw POP3Error.invalidArgument("the \(name) contains a line break or NUL character")
            }
            guard !user.isEmpty else { throw POP3Error.invalidArgument("the user name is empty") }
            guard then.allSatisfy(\.isTransaction) else {
                throw POP3Error.invalidArgument("only STAT, LIST, UIDL, TOP, RETR, DELE, RSET and NOOP can follow a login")
            }

            // Before any credential is written: a server may echo it in any reply that follows. A
            // token is registered as it arrives (`bearerToken`).
            if case .password(let password) = credential {
                await connection.redact(Redaction(password: password, user: user, apopTimestamp: greeting.apopTimestamp))
            }
            // RFC 6856: a server offering UTF8 may otherwise replace a message whose headers are
            // raw UTF-8 with a notice that the client cannot show it (Courier does), though the
            // reader shows such headers. A refusal changes nothing, so its answer is not waited
            // for when the server pipelines: it goes out ahead of the login's first command,
            // which leaves nothing behind an authenticating command.
            if capabilities.utf8 {
                if capabilities.pipelining { _ = try await sendPipelined([.utf8]) } else { _ = try await send(.utf8) }
            }
            var attempts = LoginAttempts()
            var capabilitiesAfterLogin: Capabilities?
            do {
                capabilitiesAfterLogin = try await authenticate(user: user, credential: credential, then: then, attempts: &attempts)
            } catch let error as POP3Error where capabilitiesAreRemembered && error.mayComeFromStaleCapabilities {
                do {
                    capabilitiesBeforeLogin = try await Self.fetchCapabilities(connection)
                } catch {
                    throw closed(by: error)
                }
                capabilities = Self.usable(capabilitiesBeforeLogin, configuration)
                capabilitiesAreRemembered = false
                guard loginCandidates(for: credential).contains(where: { !attempts.tried.contains($0) }) else { throw error }
                capabilitiesAfterLogin = try await authenticate(user: user, credential: credential, then: then, attempts: &attempts)
            }
            state = .transaction
            // RFC 2449 section 5: capabilities (EXPIRE, LOGIN-DELAY, PIPELINING…) may differ after login.
            if capabilities.advertised {
                do {
                    var updated = capabilitiesAfterLogin
                    if updated == nil { updated = try await Self.fetchCapabilities(connection) }
                    if let updated, updated.advertised { capabilities = Self.usable(updated, configuration) }
                } catch {
                    throw closed(by: error)
                }
            }
            defer { repliesAfterLogin = nil }
            if let sent = repliesAfterLogin { return sent.map(PendingReply.init) }
            return try await write(then).map(PendingReply.init)
        }
    }

    /// The replies to the `then` of a login that pipelined them with its CAPA.
    private var repliesAfterLogin: [EventLoopFuture<POP3Reply>]?

    /// Names the server offers, for error messages.
    private func offeredMechanisms() -> [String] {
        var offered = capabilities.sasl
        if greeting.apopTimestamp != nil { offered.append("APOP") }
        if capabilities.user { offered.append("USER") }
        return offered
    }

    private func loginCandidates(for credential: Credential) -> [AuthMechanism] {
        let bearer = if case .bearerToken = credential { true } else { false }
        let allowed = (configuration.allowedMechanisms ?? AuthMechanism.strongestFirst).filter { $0.takesBearerToken == bearer }
        let offered = allowed.filter { mechanism in
            switch mechanism {
            case .oauthBearer, .xoauth2, .cramMD5, .saslPlain, .saslLogin: return capabilities.sasl.contains(mechanism.rawValue)
            case .apop: return greeting.apopTimestamp != nil
            case .userPass: return capabilities.user
            }
        }
        // Some servers list SASL but not USER while still accepting it; it is the last resort, never a
        // downgrade, and it is only tried when allowed.
        if offered.isEmpty && allowed.contains(.userPass) { return [.userPass] }
        return offered
    }

    /// A mechanism refused outright, before any credential was sent.
    private struct MechanismRefused: Error {
        var status: StatusLine
    }

    /// What one login has tried so far.
    private struct LoginAttempts {
        /// Mechanisms whose credentials the server refused, in the order tried.
        var tried: [AuthMechanism] = []
        var lastRefusal = ""
        /// A mechanism refused before any credential was sent, for when nothing else is left.
        var unavailable: POP3Error?
        /// The bearer token of the moment, once asked for.
        var token: String?
        /// Whether the token was asked for afresh after a refusal; it is only once per login.
        var refreshedToken = false
        /// What the server's JSON challenge to the last refused token says (RFC 7628 section 3.2.2).
        var tokenProblem: String?
    }

    /// Tries the candidates not tried yet, in order, until one logs in. Returns the capabilities
    /// after login when they came with the login itself. A busy mailbox, a login delay or a
    /// system failure ends the login at once: another mechanism would meet the same.
    private func authenticate(
        user: String, credential: Credential, then: [POP3Command], attempts: inout LoginAttempts
    ) async throws -> Capabilities? {
        let candidates = loginCandidates(for: credential).filter { !attempts.tried.contains($0) }
        guard !candidates.isEmpty || !attempts.tried.isEmpty else {
            if case .bearerToken = credential { throw POP3Error.noOAuth2Mechanism(offered: offeredMechanisms()) }
            throw POP3Error.noUsableMechanism(offered: offeredMechanisms())
        }
        for mechanism in candidates {
            do {
                switch credential {
                case .password(let password):
                    return try await authenticate(mechanism, user: user, password: password, then: then)
                case .bearerToken(let fetch):
                    return try await authenticate(mechanism, user: user, token: fetch, then: then, attempts: &attempts)
                }
            } catch let refused as MechanismRefused {
                attempts.unavailable = .serverError(command: "AUTH \(mechanism.rawValue)", text: refused.status.shownText)
            } catch POP3Error.authFailed(let text, _) {
                attempts.tried.append(mechanism)
                attempts.lastRefusal = text
                // Both mechanisms carry the same token to the same check: once a fresh one is
                // refused, another mechanism would only cost the user another failed login.
                if attempts.refreshedToken { break }
            }
        }
        if attempts.tried.isEmpty, let unavailable = attempts.unavailable { throw unavailable }
        if case .bearerToken = credential {
            throw POP3Error.tokenRefused(attempts.lastRefusal, tried: attempts.tried.map(\.rawValue), problem: attempts.tokenProblem)
        }
        throw POP3Error.authFailed(attempts.lastRefusal, tried: attempts.tried.map(\.rawValue))
    }

    /// A bearer-token login with `mechanism`: a refused token has most likely expired, so a fresh
    /// one is asked for and tried once more.
    private func authenticate(
        _ mechanism: AuthMechanism, user: String, token fetch: @Sendable () async throws -> String, then: [POP3Command],
        attempts: inout LoginAttempts
    ) async throws -> Capabilities? {
        let token = if let token = attempts.token { token } else { try await bearerToken(fetch, user: user, attempts: &attempts) }
        do {
            return try await authenticate(mechanism, user: user, token: token, then: then, attempts: &attempts)
        } catch POP3Error.authFailed where !attempts.refreshedToken {
            attempts.refreshedToken = true
            let fresh = try await bearerToken(fetch, user: user, attempts: &attempts)
            return try await authenticate(mechanism, user: user, token: fresh, then: then, attempts: &attempts)
        }
    }

    /// Asks `fetch` for a token and masks it, and the responses carrying it, before it is sent.
    private func bearerToken(
        _ fetch: @Sendable () async throws -> String, user: String, attempts: inout LoginAttempts
    ) async throws -> String {
        let token = try await fetch()
        // RFC 6750 section 2.1: a token is printable ASCII without spaces; anything else would
        // break the ^A-separated message, or smuggle a command into it.
        guard !token.isEmpty, token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw POP3Error.invalidArgument("the OAuth2 token is empty or contains spaces or control characters")
        }
        redaction = redaction.merging(
            Redaction(bearerToken: token, user: user, host: configuration.host, port: configuration.port))
        await connection.redact(redaction)
        attempts.token = token
        return token
    }

    /// Every bearer token this session has been given, masked in what the server says.
    private var redaction = Redaction.none

    /// One OAUTHBEARER or XOAUTH2 exchange. A refused token comes back as a `+ ` challenge holding
    /// JSON (RFC 7628 section 3.2.2; Google's and Microsoft's XOAUTH2 alike), which the client must
    /// answer before the server sends its `-ERR`: OAUTHBEARER with a lone ^A (section 3.2.3),
    /// XOAUTH2 with an empty line, as Google documents it.
    private func authenticate(
        _ mechanism: AuthMechanism, user: String, token: String, then: [POP3Command], attempts: inout LoginAttempts
    ) async throws -> Capabilities? {
        configuration.onStage?(.loggingIn(mechanism))
        let response = mechanism == .xoauth2
            ? AuthEncoding.xoauth2(user: user, token: token)
            : AuthEncoding.oauthBearer(user: user, token: token, host: configuration.host, port: configuration.port)
        let reply: POP3Reply
        // RFC 5034 section 4 + RFC 2449 section 4: the initial response only if the line fits 255
        // octets, which a real provider's token never does.
        if "AUTH \(mechanism.rawValue) \(response)\r\n".utf8.count <= 255 {
            reply = try await send(.auth(mechanism: mechanism.rawValue, initialResponse: response))
        } else {
            try await expectChallenge(send(.auth(mechanism: mechanism.rawValue, initialResponse: nil)), beforeCredentials: true)
            reply = try await send(.saslResponse(response))
        }
        if case .continuation(let challenge) = reply {
            attempts.tokenProblem = AuthEncoding.bearerProblem(challenge: challenge).map(redaction.apply)
            try await finishLogin(send(.saslResponse(mechanism == .oauthBearer ? AuthEncoding.login("\u{1}") : "")))
        } else {
            try await finishLogin(reply)
        }
        return try await loggedIn(then: then)
    }

    /// Returns the capabilities after login when they came with the login itself.
    private func authenticate(
        _ mechanism: AuthMechanism, user: String, password: String, then: [POP3Command]
    ) async throws -> Capabilities? {
        let complete = { (command: POP3Command) in
            try await self.completeLogin(command, then: then)
        }
        configuration.onStage?(.loggingIn(mechanism))
        switch mechanism {
        case .oauthBearer, .xoauth2:
            // `loginCandidates` offers these to a bearer token only.
            throw POP3Error.noUsableMechanism(offered: offeredMechanisms())
        case .saslPlain:
            let message = AuthEncoding.plain(user: user, password: password)
            // RFC 5034 section 4 + RFC 2449 section 4: the initial response only if the line fits 255 octets.
            if "AUTH PLAIN \(message)\r\n".utf8.count <= 255 {
                return try await complete(.auth(mechanism: "PLAIN", initialResponse: message))
            }
            try await expectChallenge(send(.auth(mechanism: "PLAIN", initialResponse: nil)), beforeCredentials: true)
            return try await complete(.saslResponse(message))
        case .saslLogin:
            try await expectChallenge(send(.auth(mechanism: "LOGIN", initialResponse: nil)), beforeCredentials: true)
            try await expectChallenge(send(.saslResponse(AuthEncoding.login(user))), beforeCredentials: false)
            return try await complete(.saslResponse(AuthEncoding.login(password)))
        case .cramMD5:
            let challenge = try await expectChallenge(
                send(.auth(mechanism: "CRAM-MD5", initialResponse: nil)), beforeCredentials: true
            )
            guard let response = AuthEncoding.cramMD5(user: user, password: password, challenge: challenge) else {
                _ = try await send(.saslResponse("*"))
                throw POP3Error.malformedResponse("the CRAM-MD5 challenge is not base64")
            }
            return try await complete(.saslResponse(response))
        case .apop:
            guard let timestamp = greeting.apopTimestamp else {
                throw POP3Error.noUsableMechanism(offered: offeredMechanisms())
            }
            let digest = AuthEncoding.apopDigest(timestamp: timestamp, password: password)
            return try await complete(.apop(user: user, digest: digest))
        case .userPass:
            try await finishLogin(send(.user(user)))
            return try await complete(.pass(password))
        }
    }

    /// Sends the command that completes a login, alone: RFC 2449 allows pipelining only in the
    /// TRANSACTION state, and Courier and Cyrus lose whatever was written behind an authenticating
    /// command (Courier's login process execs the mail process with it unread). Once the login is
    /// answered and the server pipelines, CAPA (capabilities may change at login, RFC 2449 section 5)
    /// and `then` go out in one write. Returns the capabilities after login when they came along.
    private func completeLogin(_ command: POP3Command, then: [POP3Command]) async throws -> Capabilities? {
        try await finishLogin(send(command))
        return try await loggedIn(then: then)
    }

    /// What follows the server's acceptance of a login (see `completeLogin`).
    private func loggedIn(then: [POP3Command]) async throws -> Capabilities? {
        loggedInAt = .now
        guard capabilities.pipelining && capabilities.advertised else { return nil }
        let replies = try await sendPipelined([.capa] + then)
        repliesAfterLogin = Array(replies.dropFirst())
        let capa: POP3Reply
        do {
            capa = try await replies[0].get()
        } catch POP3Error.timeout(let seconds) {
            throw closed(by: POP3Error.silentAfterLogin(commands: replies.count, seconds: seconds))
        } catch {
            throw closed(by: error)
        }
        if case .multiLine(_, let body) = capa {
            return Capabilities.parse(Listing.stringLines(body))
        }
        return .assumedWithoutCAPA
    }

    /// Returns the challenge of a `+ ` line; a refusal of the AUTH command itself (no credential sent yet,
    /// no response code) is `MechanismRefused` so the next mechanism can be tried.
    @discardableResult
    private func expectChallenge(_ reply: POP3Reply, beforeCredentials: Bool) throws -> String {
        switch reply {
        case .continuation(let challenge):
            return challenge
        case .status(let status) where !status.isOK:
            if beforeCredentials && status.code == nil { throw MechanismRefused(status: status) }
            throw Self.statusError(status, loginDelay: capabilities.loginDelay) ?? .authFailed(status.shownText)
        default:
            throw POP3Error.malformedResponse("the server ended the SASL exchange early")
        }
    }

    private func finishLogin(_ reply: POP3Reply) async throws {
        switch reply {
        case .status(let status) where status.isOK:
            return
        case .status(let status):
            throw Self.statusError(status, loginDelay: capabilities.loginDelay) ?? .authFailed(status.shownText)
        case .continuation:
            // The mechanism has nothing more to say; RFC 5034 section 4: cancel with "*".
            _ = try await send(.saslResponse("*"))
            throw POP3Error.malformedResponse("the server asked for more SASL data than the mechanism has")
        case .multiLine:
            throw POP3Error.malformedResponse("a multi-line reply to a login command")
        }
    }

    /// RFC 2449 / RFC 3206 response codes that mean something other than "wrong credentials".
    static func statusError(_ status: StatusLine, loginDelay: Int?) -> POP3Error? {
        guard let code = status.code else { return nil }
        if code.isA(.inUse) { return .inUse(status.shownText) }
        if code.isA(.loginDelay) { return .loginDelay(seconds: loginDelay, text: status.shownText) }
        if code.isA(.sysTemp) { return .sysTemp(status.shownText) }
        if code.isA(.sysPerm) { return .sysPerm(status.shownText) }
        if code.isA(.auth) { return .authFailed(status.shownText) }
        return nil
    }

    // MARK: Transaction

    /// - Throws: `POP3Error` for a refusal, a malformed reply or a lost session.
    public func stat() async throws -> (count: Int, size: Int) {
        try await transaction("STAT") {
            let totals = try Self.totals(try await send(.stat))
            messageCount = totals.count
            return totals
        }
    }

    /// The message count and total size of a STAT reply.
    /// - Throws: `POP3Error.malformedResponse` (or the refusal) when the reply is not a STAT answer.
    public static func totals(_ reply: POP3Reply) throws -> (count: Int, size: Int) {
        let status = try expectOK(reply, command: "STAT")
        let fields = status.text.split(separator: " ")
        guard fields.count >= 2, let count = Listing.number(fields[0].utf8),
            let size = Listing.number(fields[1].utf8)
        else { throw POP3Error.malformedResponse("STAT reply \"\(status.shownText)\"") }
        return (count, size)
    }

    /// - Throws: `POP3Error` for a refusal, a malformed listing or a lost session.
    public func list() async throws -> [ListEntry] {
        try await transaction("LIST") {
            let entries = try Self.listEntries(try await send(.list(nil)), messageCount: messageCount)
            messageCount = entries.count
            return entries
        }
    }

    /// The entries of a LIST reply; more than `messageCount` (from STAT), or than
    /// `UIDListing.maxEntries` when that is not known, is `POP3Error.tooManyLines`.
    /// - Throws: `POP3Error` when the reply is a refusal or not a scan listing.
    public static func listEntries(_ reply: POP3Reply, messageCount: Int? = nil) throws -> [ListEntry] {
        try listEntries(expectBody(reply, command: "LIST"), maxEntries: messageCount ?? UIDListing.maxEntries)
    }

    private static func listEntries(_ body: [UInt8], maxEntries: Int) throws -> [ListEntry] {
        var entries: [ListEntry] = []
        entries.reserveCapacity(min(body.count / 12, maxEntries))
        try Listing.forEachLine(body) { line in
            guard entries.count < maxEntries else { throw POP3Error.tooManyLines(command: "LIST", limit: maxEntries) }
            guard let entry = Listing.listEntry(line) else {
                throw POP3Error.malformedResponse("LIST line \"\(Listing.printable(line))\"")
            }
            entries.append(entry)
        }
        return entries
    }

    /// - Throws: `POP3Error` for a refusal (no such message), a malformed reply or a lost session.
    public func list(_ number: Int) async throws -> ListEntry {
        try await transaction("LIST") {
            try Self.checkMessageNumber(number)
            let status = try await Self.expectOK(send(.list(number)), command: "LIST \(number)")
            guard let entry = Listing.listEntry(Array(status.text.utf8)), entry.number == number else {
                throw POP3Error.malformedResponse("LIST reply \"\(status.shownText)\"")
            }
            return entry
        }
    }

    /// UIDL; nil when the server has no UIDL (a refusal is an answer here, not an error). Invalid
    /// and duplicate UIDs are reported in `problems` and left out of `entries`.
    /// - Throws: `POP3Error` when the session is lost or not logged in.
    public func uidListing() async throws -> UIDListing? {
        try await transaction("UIDL") {
            guard capabilities.uidl else { return nil }
            return Self.uids(try await send(.uidl(nil)), messageCount: messageCount)
        }
    }

    /// The UIDs of a UIDL reply; nil for a refusal (a server without UIDL). Invalid and duplicate
    /// UIDs are reported in `problems` and left out of `entries`, and so are lines beyond
    /// `messageCount` (from STAT or LIST), or beyond `UIDListing.maxEntries` when that is not known.
    public static func uids(_ reply: POP3Reply, messageCount: Int? = nil) -> UIDListing? {
        guard case .multiLine(_, let body) = reply else { return nil }
        return UIDListing.parse(body, maxEntries: messageCount ?? UIDListing.maxEntries)
    }

    /// Invalid and duplicate UIDs are reported in `problems` and left out of `entries`, and so
    /// are lines beyond the message count when STAT or LIST told it.
    /// - Throws: `POP3Error` for a refusal, a malformed listing or a lost session.
    public func uidl() async throws -> UIDListing {
        try await transaction("UIDL") {
            let body = try await Self.expectBody(send(.uidl(nil)), command: "UIDL")
            return UIDListing.parse(body, maxEntries: messageCount ?? UIDListing.maxEntries)
        }
    }

    /// - Throws: `POP3Error` for a refusal (no such message), a malformed reply or a lost session.
    public func uidl(_ number: Int) async throws -> UIDEntry {
        try await transaction("UIDL") {
            try Self.checkMessageNumber(number)
            let status = try await Self.expectOK(send(.uidl(number)), command: "UIDL \(number)")
            let listing = UIDListing.parse(Array(status.text.utf8))
            guard let entry = listing.entries.first, listing.entries.count == 1, entry.number == number else {
                throw POP3Error.malformedResponse("UIDL reply \"\(status.shownText)\"")
            }
            return entry
        }
    }

    /// - Throws: `POP3Error` for a refusal, an oversized reply or a lost session.
    public func top(_ number: Int, lines: Int) async throws -> [UInt8] {
        try await transaction("TOP") {
            try Self.checkMessageNumber(number)
            try Self.checkLineCount(lines)
            return try await Self.expectBody(send(.top(number, lines: lines)), command: "TOP \(number) \(lines)")
        }
    }

    /// The message exactly as sent, dot-unstuffed. `progress` is called on a NIO thread with the bytes
    /// received so far; `expectedSize` (from LIST) only sizes the buffer and refuses, without sending RETR,
    /// a message the configured limit would cut off.
    /// - Throws: `POP3Error` for a refusal, a size beyond the limit or a lost session.
    public func retrieve(_ number: Int, expectedSize: Int? = nil, progress: (@Sendable (Int) -> Void)? = nil)
        async throws
        -> [UInt8]
    {
        try await transaction("RETR") {
            try Self.checkMessageNumber(number)
            if let expectedSize, expectedSize > configuration.maxMessageSize {
                throw POP3Error.messageTooLarge(limit: configuration.maxMessageSize)
            }
            let reply = try await send(.retr(number), progress: progress, expectedSize: expectedSize)
            return try Self.expectBody(reply, command: "RETR \(number)")
        }
    }

    /// - Throws: `POP3Error` for a refusal or a lost session.
    public func delete(_ number: Int) async throws {
        try await transaction("DELE") {
            try Self.checkMessageNumber(number)
            _ = try await Self.expectOK(send(.dele(number)), command: "DELE \(number)")
        }
    }

    /// - Throws: `POP3Error` for a refusal or a lost session.
    public func reset() async throws {
        try await transaction("RSET") { _ = try await Self.expectOK(send(.rset), command: "RSET") }
    }

    /// - Throws: `POP3Error` for a refusal, a timeout or a lost session.
    public func noop() async throws {
        try await transaction("NOOP") { _ = try await Self.expectOK(send(.noop), command: "NOOP") }
    }

    /// Ends the session; in the TRANSACTION state the server then deletes the messages marked with DELE.
    /// Returns the server's text, with any echoed credential masked.
    /// - Throws: `POP3Error` when the server refuses QUIT (the deletions may not be applied) or the session ended first.
    public func quit() async throws -> String {
        try await exclusively {
            guard state == .authorization || state == .transaction else {
                throw POP3Error.wrongState(command: "QUIT", state: state)
            }
            let wasTransaction = state == .transaction
            let reply = try await send(.quit)
            state = wasTransaction ? .update : .closed
            await connection.close()
            guard let status = reply.statusLine, status.isOK else {
                // RFC 1939 section 6: -ERR here means some deletions were not applied.
                throw POP3Error.serverError(command: "QUIT", text: reply.statusLine?.shownText ?? "")
            }
            return status.shownText
        }
    }

    /// Fetches `TOP n lines` for every number and hands each result to `each` in the order of `numbers`.
    /// With PIPELINING as many commands are in flight as keep the server busy (see `PipelineWindow`),
    /// at most `pipelineWindow`; otherwise one at a time. A `-ERR` for
    /// one message is that message's failure and the batch goes on; a connection failure ends it by throwing.
    /// `inFlight` holds replies to `TOP n lines` the caller asked for already (`pipeline`), taken
    /// instead of asking again.
    ///
    /// Once `shouldPause` returns true no further command is sent; the replies already in flight are
    /// still delivered, so the session is free for another command as soon as this returns.
    /// - Returns: how many of `numbers`, from the start, were answered.
    @discardableResult
    public func topBatch(
        _ numbers: [Int],
        lines: Int,
        inFlight: [Int: PendingReply] = [:],
        shouldPause: @Sendable () -> Bool = { false },
        each: @Sendable (Int, Result<[UInt8], POP3Error>) async -> Void
    ) async throws -> Int {
        try await transaction("TOP") {
            try Self.checkLineCount(lines)
            for number in numbers { try Self.checkMessageNumber(number) }
            func result(_ reply: POP3Reply, _ number: Int) -> Result<[UInt8], POP3Error> {
                Result { try Self.expectBody(reply, command: "TOP \(number) \(lines)") }
                    .mapError { $0 as? POP3Error ?? .connectionClosed }
            }
            guard capabilities.pipelining, numbers.count > 1 || !inFlight.isEmpty else {
                for (done, number) in numbers.enumerated() {
                    if shouldPause() { return done }
                    let reply = if let early = inFlight[number] { try await awaitReply(early.future) } else { try await send(.top(number, lines: lines)) }
                    await each(number, result(reply, number))
                }
                return numbers.count
            }
            var window = PipelineWindow(limit: configuration.pipelineWindow, roundTrip: shortestRoundTrip)
            let clock = ContinuousClock()
            let replies = ReplyQueue()
            // Nil for a reply that was on its way before the batch, which says nothing of the pipe.
            var sentAt = CircularBuffer<ContinuousClock.Instant?>(initialCapacity: window.size)
            var arrived: ArraySlice<Result<POP3Reply, any Error>> = []
            var sent = 0
            var answered = 0
            while answered < sent || (sent < numbers.count && !shouldPause()) {
                // Refilling a quarter of the window at a time makes one write of many commands instead
                // of one write (and one flush) per reply, while the pipe never runs dry.
                let room = window.size - sentAt.count
                if sent < numbers.count, room >= min(max(1, window.size / 4), numbers.count - sent), !shouldPause() {
                    let next = numbers[sent..<min(numbers.count, sent + room)]
                    let now = clock.now
                    let unsent = next.filter { inFlight[$0] == nil }
                    var fresh = try await (unsent.isEmpty ? [] : sendPipelined(unsent.map { .top($0, lines: lines) }))[...]
                    for number in next {
                        if let early = inFlight[number] {
                            replies.track(early.future)
                            sentAt.append(nil)
                        } else {
                            replies.track(fresh.removeFirst())
                            sentAt.append(now)
                        }
                    }
                    sent += next.count
                }
                if arrived.isEmpty { arrived = await replies.next()[...] }
                let reply: POP3Reply
                do {
                    reply = try arrived.removeFirst().get()
                } catch {
                    throw closed(by: error)
                }
                if let sent = sentAt.removeFirst() { window.replyArrived(sentAt: sent, at: clock.now) }
                await each(numbers[answered], result(reply, numbers[answered]))
                answered += 1
            }
            return answered
        }
    }

    /// Writes `commands` in one write when the server pipelines, else one after another, each
    /// once the previous one is answered. Returns their replies, in order, to be awaited in any
    /// order.
    /// - Throws: `POP3Error` when the session is not in TRANSACTION or the write fails.
    public func pipeline(_ commands: [POP3Command]) async throws -> [PendingReply] {
        try await transaction(commands.first?.keyword ?? "a pipeline") {
            guard commands.allSatisfy(\.isTransaction) else {
                throw POP3Error.invalidArgument("only STAT, LIST, UIDL, TOP, RETR, DELE, RSET and NOOP can be pipelined")
            }
            return try await write(commands).map(PendingReply.init)
        }
    }

    private func write(_ commands: [POP3Command]) async throws -> [EventLoopFuture<POP3Reply>] {
        guard !commands.isEmpty else { return [] }
        if capabilities.pipelining { return try await sendPipelined(commands) }
        var replies: [EventLoopFuture<POP3Reply>] = []
        for command in commands {
            replies.append(connection.channel.eventLoop.makeSucceededFuture(try await send(command)))
        }
        return replies
    }

    /// How many commands a `topBatch` first keeps in flight: a caller writing headers ahead for
    /// it writes this many.
    public var initialPipelineWindow: Int { PipelineWindow(limit: configuration.pipelineWindow, roundTrip: shortestRoundTrip).size }

    /// Returns when the connection has closed, whoever closed it: a reset or EOF from the server
    /// is seen at once, also while the session is idle.
    public func closed() async {
        try? await connection.channel.closeFuture.get()
    }

    /// Drops the connection without QUIT: the server deletes nothing. Interrupts a running operation.
    public func close() async {
        state = .closed
        await connection.close()
    }

    // MARK: Plumbing

    private func transaction<T: Sendable>(_ command: String, _ body: () async throws -> T) async throws -> T {
        try await exclusively {
            guard state == .transaction else { throw POP3Error.wrongState(command: command, state: state) }
            return try await body()
        }
    }

    /// Runs operations one after another even when callers overlap, so nothing is pipelined by accident.
    private func exclusively<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
        }
        return try await body()
    }

    /// Every error from the connection is fatal (replies, even -ERR, are values), so the session is over.
    private func send(_ command: POP3Command, progress: (@Sendable (Int) -> Void)? = nil, expectedSize: Int? = nil)
        async throws -> POP3Reply
    {
        let started = ContinuousClock.now
        let reply: POP3Reply
        do {
            reply = try await connection.send(command, progress: progress, expectedSize: expectedSize)
        } catch {
            throw closed(by: error)
        }
        let elapsed = ContinuousClock.now - started
        if shortestRoundTrip.map({ elapsed < $0 }) ?? true { shortestRoundTrip = elapsed }
        return reply
    }

    private func sendPipelined(_ commands: [POP3Command]) async throws -> [EventLoopFuture<POP3Reply>] {
        do {
            return try await connection.sendPipelined(commands)
        } catch {
            throw closed(by: error)
        }
    }

    private func awaitReply(_ future: EventLoopFuture<POP3Reply>) async throws -> POP3Reply {
        do {
            return try await future.get()
        } catch {
            throw closed(by: error)
        }
    }

    private func closed(by error: any Error) -> POP3Error {
        state = .closed
        return error as? POP3Error ?? .connectionClosed
    }

    /// The capabilities the session acts on: PIPELINING only when the configuration allows it.
    private static func usable(_ capabilities: Capabilities, _ configuration: POP3Configuration) -> Capabilities {
        var usable = capabilities
        usable.pipelining = capabilities.pipelining && configuration.pipelining
        return usable
    }

    private static func fetchCapabilities(_ connection: POP3Connection) async throws -> Capabilities {
        switch try await connection.send(.capa) {
        case .multiLine(_, let body): return Capabilities.parse(Listing.stringLines(body))
        default: return .assumedWithoutCAPA
        }
    }

    private static func expectOK(_ reply: POP3Reply, command: String) throws -> StatusLine {
        guard let status = reply.statusLine else { throw POP3Error.malformedResponse("a SASL challenge to \(command)") }
        guard status.isOK else {
            // [AUTH] only means something to a login command.
            if status.code?.isA(.auth) != true, let error = Self.statusError(status, loginDelay: nil) { throw error }
            throw POP3Error.serverError(command: command, text: status.shownText)
        }
        return status
    }

    private static func expectBody(_ reply: POP3Reply, command: String) throws -> [UInt8] {
        if case .multiLine(_, let body) = reply { return body }
        _ = try Self.expectOK(reply, command: command)
        throw POP3Error.malformedResponse("a single-line +OK to \(command)")
    }

    private static func checkMessageNumber(_ number: Int) throws {
        guard number >= 1 else { throw POP3Error.invalidArgument("message numbers start at 1, not \(number)") }
    }

    private static func checkLineCount(_ lines: Int) throws {
        guard lines >= 0 else { throw POP3Error.invalidArgument("the TOP line count cannot be negative") }
    }
}

/// The reply to a command written with others (`POP3Session.pipeline`, `login(then:)`): awaited
/// when the caller needs it, in any order.
public struct PendingReply: Sendable {
    let future: EventLoopFuture<POP3Reply>

    init(_ future: EventLoopFuture<POP3Reply>) {
        self.future = future
    }

    /// - Throws: `POP3Error` when the session ended or timed out before the reply.
    public func value() async throws -> POP3Reply {
        do {
            return try await future.get()
        } catch {
            throw error as? POP3Error ?? .connectionClosed
        }
    }
}
