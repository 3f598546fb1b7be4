import ArgumentParser
import Foundation
import Inbox
import POP3
import TUI

/// How every command that talks to a server finds it: a URL, or an account of the config file,
/// with command-line options taking precedence over the file.
struct AccountOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Config file (default: $XDG_CONFIG_HOME/mailbag/config.toml, else ~/.config/mailbag/config.toml).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Account of the config file to use (default: default_account).", valueName: "name"))
    var account: String?

    @Option(name: .customLong("password-command"), help: ArgumentHelp(
        "Shell command whose first line of output is the password (run with /bin/sh -c).", valueName: "cmd"))
    var passwordCommand: String?

    @Option(name: .customLong("oauth2-token-command"), help: ArgumentHelp(
        "Shell command whose first line of output is an OAuth2 access token, to log in with OAUTHBEARER or XOAUTH2 instead of a password (Gmail, Outlook.com); run again for a fresh token when the server refuses one.",
        valueName: "cmd"))
    var oauth2TokenCommand: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp(
        "PEM file with an extra certificate authority to trust besides the system store.", valueName: "pem"))
    var caFile: String?

    @Flag(name: .customLong("insecure-plaintext"), help: "With pop3:// URLs, connect without TLS and send the password in clear. Only for servers you trust on a network you trust.")
    var insecurePlaintext = false

    @Option(help: ArgumentHelp("Write a protocol trace to this file (credentials are redacted).", valueName: "file"))
    var trace: String?

    @Option(help: ArgumentHelp("Seconds to wait for the server to connect or answer (default 30).", valueName: "seconds"))
    var timeout: Double?

    @Flag(name: .customLong("no-cache"), help: "Neither read nor write the header cache (and body cache) on disk.")
    var noCache = false

    @Option(help: ArgumentHelp(
        "Login mechanisms to try, in this order, comma-separated: \(AuthMechanism.strongestFirst.map(\.rawValue).joined(separator: ",")) (default: every one the server offers, strongest first; overrides the config's auth).",
        valueName: "list"))
    var auth: String?

    @Flag(name: .customLong("no-pipelining"), help: "Send one command at a time even when the server offers PIPELINING (for a server that loses pipelined commands).")
    var noPipelining = false

    @Option(name: .customLong("max-message-size"), help: ArgumentHelp(
        "Largest message to fetch, in bytes or like \"200MB\" (default 100MB, at most 2GB; overrides the config's max_message_size).",
        valueName: "size"))
    var maxMessageSize: String?

    func validate() throws {
        if let timeout, !(timeout > 0 && timeout <= 3600) {
            throw ValidationError("--timeout must be between 0 and 3600 seconds.")
        }
        _ = try mechanisms()
        _ = try maxMessageBytes()
    }

    /// `--max-message-size` in bytes; nil when it was not given.
    private func maxMessageBytes() throws -> Int? {
        guard let maxMessageSize else { return nil }
        guard let bytes = ByteSize.parse(maxMessageSize), bytes > 0, bytes <= AccountConfig.largestMaxMessageSize else {
            throw ValidationError("--max-message-size must be a size from 1 byte to 2GB, like 200MB.")
        }
        return bytes
    }

    /// `--auth` as mechanisms; nil when it was not given.
    private func mechanisms() throws -> [AuthMechanism]? {
        guard let auth else { return nil }
        let known = AuthMechanism.strongestFirst.map(\.rawValue).joined(separator: ", ")
        var mechanisms: [AuthMechanism] = []
        for name in auth.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let mechanism = AuthMechanism(rawValue: name.uppercased()) else {
                throw ValidationError("--auth: '\(name)' is not a login mechanism Mailbag knows; use some of: \(known).")
            }
            if !mechanisms.contains(mechanism) { mechanisms.append(mechanism) }
        }
        guard !mechanisms.isEmpty else { throw ValidationError("--auth needs at least one of: \(known).") }
        return mechanisms
    }

    /// - Parameter target: a `pop3s://`/`pop3://` URL, an account name, or nil for `--account` or
    ///   the config's default account.
    /// The accounts the config file names, for the reader's `c`; none without a readable file.
    func accountNames() -> [String] {
        Self.accountNames(config: config)
    }

    static func accountNames(config: String?) -> [String] {
        ((try? MailbagConfig.load(explicitPath: config, themeProblem: themeProblem)) ?? nil)?.accounts.map(\.name) ?? []
    }

    func resolve(_ target: String?) throws -> ResolvedAccount {
        let file = try MailbagConfig.load(explicitPath: config, themeProblem: Self.themeProblem)
        var account: AccountConfig
        if let target, target.contains("://") {
            let url = try POP3URL(parsing: target)
            // A URL needs no config; the file's defaults still apply when there is one.
            account = AccountConfig(
                name: "\(url.user)@\(url.host):\(url.port)", host: url.host, port: url.port, user: url.user,
                security: url.security, allowPlaintext: false)
            account.theme = file?.theme
            account.htmlConverter = file?.htmlConverter
            account.largeMessageThreshold = file?.largeMessageThreshold
        } else {
            guard let file else {
                throw AccountError.noConfig(MailbagConfig.defaultPath())
            }
            account = try file.resolve(name: target ?? self.account)
        }
        if let caFile { account.caFile = caFile }
        if let passwordCommand {
            account.passwordCommand = passwordCommand
            account.oauth2TokenCommand = nil
        }
        if let oauth2TokenCommand {
            account.oauth2TokenCommand = oauth2TokenCommand
            account.passwordCommand = nil
        }
        if let timeout { account.timeout = .milliseconds(Int64(timeout * 1000)) }
        if let mechanisms = try mechanisms() { account.authMechanisms = mechanisms }
        if noPipelining { account.pipelining = false }
        if let bytes = try maxMessageBytes() { account.maxMessageSize = bytes }
        if insecurePlaintext {
            account.allowPlaintext = true
            // pop3:// always demands STLS; the explicit opt-out is what turns it into a clear connection.
            if account.security == .startTLS { account.security = .plaintext }
        }
        return ResolvedAccount(settings: account, trace: try trace.map(ProtocolTrace.init(path:)), useCache: !noCache)
    }

    /// Why a theme name from the config cannot be used (the config loader cannot see the TUI).
    static func themeProblem(_ name: String) -> String? {
        do {
            _ = try Theme.load(name)
            return nil
        } catch {
            return error.description
        }
    }
}

/// One account, ready to connect.
struct ResolvedAccount: Sendable {
    var settings: AccountConfig
    var trace: ProtocolTrace?
    var useCache: Bool

    var displayName: String { "\(settings.user)@\(settings.host)" }

    /// Whether the credential comes from a command rather than from the user at the terminal.
    var credentialFromCommand: Bool { settings.passwordCommand != nil || settings.oauth2TokenCommand != nil }

    /// A token command's tokens (the session asks for each when it needs it), else the password.
    func credential() async throws -> Credential {
        if let command = settings.oauth2TokenCommand {
            return .bearerToken { try await OAuth2TokenCommand(command: command).token() }
        }
        return .password(
            try await PasswordSource(command: settings.passwordCommand).password(user: settings.user, host: settings.host))
    }

    /// Connects and logs in. The password is asked for only after the connection is secure, so a
    /// server that cannot do TLS never costs the user a password prompt. With a `cache` (from
    /// `openingHeaderCache`, opened or not yet), the capabilities it remembers spare the round
    /// trip that asks for them.
    func openSession(credential known: Credential? = nil, cache: Task<HeaderCache?, Never>? = nil) async throws -> POP3Session {
        try await open(credential: known, cache: cache) { session, credential in
            try await session.login(user: settings.user, credential: credential)
            return nil
        }.session
    }

    /// Connects and logs in for the index: what the load asks first goes out right behind the
    /// login's answer.
    func openMailbox(
        credential known: Credential? = nil, cache: Task<HeaderCache?, Never>? = nil, onStage: (@Sendable (LoginStage) -> Void)? = nil
    ) async throws -> OpenedMailbox {
        try await open(credential: known, cache: cache, onStage: onStage) { session, credential in
            try await OpenedMailbox.logIn(
                session, user: settings.user, credential: credential, cacheHoldsSummaries: await cache?.value?.holdsSummaries == true)
        }.opened
    }

    private func open(
        credential known: Credential?, cache: Task<HeaderCache?, Never>?, onStage: (@Sendable (LoginStage) -> Void)? = nil,
        logIn: (POP3Session, Credential) async throws -> OpenedMailbox?
    ) async throws -> (session: POP3Session, opened: OpenedMailbox) {
        var configuration = settings.pop3Configuration(trace: trace)
        configuration.onStage = onStage
        let security = configuration.security
        configuration.knownCapabilities = { await cache?.value?.knownCapabilities(security: security) }
        let session = try await POP3Session.connect(configuration)
        let opened: OpenedMailbox
        do {
            let secret = if let known { known } else { try await credential() }
            opened = try await logIn(session, secret) ?? OpenedMailbox(session: session, sentAfterLogin: [:])
        } catch {
            await session.close()
            throw error
        }
        // A cache that cannot be written costs the next connection that round trip, nothing more.
        try? await cache?.value?.rememberCapabilities(await session.capabilitiesBeforeLogin, security: security)
        return (session, opened)
    }

    /// Runs `work` on a logged-in session, then QUITs; on any failure the connection is dropped
    /// without QUIT, so nothing the session did is applied.
    func withSession<T: Sendable>(cache: Task<HeaderCache?, Never>? = nil, _ work: (POP3Session) async throws -> T) async throws -> T {
        let session = try await openSession(cache: cache)
        do {
            let result = try await work(session)
            _ = try await session.quit()
            return result
        } catch {
            await session.close()
            throw error
        }
    }

    /// The cache is keyed by account and server, so a changed host or user starts afresh.
    private var serverIdentity: String { "\(settings.user)@\(settings.host):\(settings.port)" }

    /// Opens the header cache and starts reading it (`HeaderCache.preload`) in the background:
    /// SQLite checks the whole file as it opens it, which takes about as long as the first round
    /// trip, so the two overlap. nil with `--no-cache`.
    func openingHeaderCache() -> Task<HeaderCache?, Never>? {
        guard useCache else { return nil }
        return Task { [self] in
            do throws(CacheError) {
                let cache = try HeaderCache.open(account: settings.name, server: serverIdentity)
                cache.preload()
                return cache
            } catch {
                Console.warn(DisplayText("\(error.description) Continuing without the header cache."))
                return nil
            }
        }
    }

    func bodyCache() -> BodyCache? {
        guard useCache, settings.cacheBodies else { return nil }
        do {
            return try BodyCache.open(account: settings.name, server: serverIdentity, byteLimit: settings.bodyCacheLimit)
        } catch {
            Console.warn(DisplayText("\(error.description) Continuing without the body cache."))
            return nil
        }
    }
}

enum AccountError: Error, CustomStringConvertible {
    case noConfig(String)

    var description: String {
        switch self {
        case .noConfig(let path):
            "Give a pop3s:// or pop3:// URL, or create \(path) with an account (see `mailbag --help`)."
        }
    }
}
