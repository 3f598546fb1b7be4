import Foundation

/// Why a server certificate was not accepted, in terms a user can act on.
public enum TLSVerificationFailure: Sendable, Equatable, CustomStringConvertible {
    case expired
    case notYetValid
    /// The chain does not end at a trusted root: self-signed, private CA, or missing intermediate.
    case untrustedIssuer
    case hostnameMismatch(expected: String)
    /// BoringSSL rejected the chain for a reason the client could not pin down.
    case other(String)

    public var description: String {
        switch self {
        case .expired:
            return "the server's certificate has expired"
        case .notYetValid:
            return "the server's certificate is not valid yet (check this computer's clock)"
        case .untrustedIssuer:
            return "the server's certificate is issued by an unknown or untrusted authority "
                + "(self-signed or private CA; add its CA with --ca-file)"
        case .hostnameMismatch(let expected):
            return "the server's certificate is not valid for the name \(expected)"
        case .other(let detail):
            return "the server's certificate could not be verified (\(detail))"
        }
    }
}

/// The session's protocol state (RFC 1939 section 3), used to refuse commands locally.
public enum POP3SessionState: String, Sendable, Equatable {
    case authorization
    case transaction
    /// QUIT was answered in the TRANSACTION state: the server has applied the deletions.
    case update
    /// The connection is gone (QUIT before login, `close()`, or a fatal error).
    case closed
}

/// Every failure of the POP3 layer. `description` is one sentence a user can act on; server text,
/// when quoted, has its control characters removed.
public enum POP3Error: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    case invalidURL(String)
    case invalidArgument(String)
    case plaintextNotAllowed
    case connectFailed(host: String, port: Int, reason: String)
    case connectTimeout(host: String, port: Int)
    /// The server stayed silent for longer than the configured idle timeout while a reply was due.
    case timeout(seconds: Int)
    /// The server kept sending, but the reply fell behind the minimum rate (`ReplyDeadline`):
    /// `bytes` of it arrived in `seconds`.
    case replyTooSlow(bytes: Int, seconds: Int)
    /// The login was accepted, then nothing answered the commands pipelined right after it.
    case silentAfterLogin(commands: Int, seconds: Int)
    case caFileUnreadable(path: String, reason: String)
    case tlsVerification(TLSVerificationFailure)
    case tlsFailed(String)
    case greetingRejected(String)
    case stlsNotOffered
    case stlsRefused(String)
    /// Bytes arrived between the `+OK` to STLS and the TLS handshake (RFC 2595 section 3.1 / CVE-2011-0411 class).
    case responseInjection
    case noUsableMechanism(offered: [String])
    /// `tried` names the mechanisms whose credentials were refused, in order.
    case authFailed(String, tried: [String] = [])
    /// A bearer token refused twice, the second time fresh from the token source; `problem` is
    /// what the server's JSON challenge said (`status …, scope …`), when it sent one.
    case tokenRefused(String, tried: [String], problem: String?)
    /// A bearer token to log in with, but the server offers neither OAUTHBEARER nor XOAUTH2.
    case noOAuth2Mechanism(offered: [String])
    case inUse(String)
    case loginDelay(seconds: Int?, text: String)
    case sysTemp(String)
    case sysPerm(String)
    case serverError(command: String, text: String)
    case wrongState(command: String, state: POP3SessionState)
    case lineTooLong(limit: Int)
    /// A message (RETR) beyond `POP3Configuration.maxMessageSize`, which the user can raise.
    case messageTooLarge(limit: Int)
    /// A TOP, CAPA, LIST or UIDL reply beyond its fixed bound: no real server sends one.
    case replyTooLarge(command: String, limit: Int)
    /// A CAPA, LIST or UIDL reply with more lines than it can have.
    case tooManyLines(command: String, limit: Int)
    case malformedResponse(String)
    case connectionClosed

    public var description: String {
        switch self {
        case .invalidURL(let reason):
            return "The mailbox URL is not usable: \(reason)."
        case .invalidArgument(let reason):
            return "The request was not sent to the server: \(reason)."
        case .plaintextNotAllowed:
            return "Refusing to talk to the server without TLS; use pop3s:// or pop3:// (STLS), "
                + "or pass --insecure-plaintext if you really want your password sent in clear."
        case .connectFailed(let host, let port, let reason):
            return
                "Could not connect to \(Self.hostPort(host, port)) (\(reason)); check the host name, port and network."
        case .connectTimeout(let host, let port):
            return "Connecting to \(Self.hostPort(host, port)) timed out; "
                + "check the host name, port, firewall or raise --timeout."
        case .timeout(let seconds):
            return
                "The server sent nothing for \(seconds) seconds while a reply was due, so the connection was dropped; "
                + "try again later or raise --timeout."
        case .replyTooSlow(let bytes, let seconds):
            return "The server was too slow: it sent \(bytes) bytes of its reply in \(seconds) seconds "
                + "(less than \(ReplyDeadline.minimumRate / 1024) KiB/s), so the connection was dropped; "
                + "try again later or raise --timeout."
        case .silentAfterLogin(let commands, let seconds):
            return "The server accepted the login but answered none of the \(commands) commands written together "
                + "after it within \(seconds) seconds: it loses pipelined commands although it offers PIPELINING. "
                + "Set pipelining = false for this account in the config file (or pass --no-pipelining)."
        case .caFileUnreadable(let path, let reason):
            return "The CA file \(path) could not be loaded (\(reason)); pass a readable PEM certificate to --ca-file."
        case .tlsVerification(let failure):
            return "The TLS connection was refused because \(failure)."
        case .tlsFailed(let reason):
            return "The TLS handshake failed (\(reason)); check that the port speaks TLS "
                + "(995 for pop3s://, 110 with STLS for pop3://)."
        case .greetingRejected(let text):
            return
                "The server refused the connection\(Self.quoting(text)); try again later or contact its administrator."
        case .stlsNotOffered:
            return "The server does not offer STLS, so no password was sent; use pop3s:// (port 995) "
                + "or pass --insecure-plaintext to allow an unencrypted login."
        case .stlsRefused(let text):
            return "The server refused to start TLS\(Self.quoting(text)), so no password was sent; "
                + "use pop3s:// (port 995) or ask the server's administrator."
        case .responseInjection:
            return
                "The server sent unexpected data right before the TLS handshake (possible response injection attack), "
                + "so the connection was dropped; use pop3s:// or another network."
        case .noUsableMechanism(let offered):
            let list = offered.isEmpty ? "none" : offered.joined(separator: ", ")
            return "None of the allowed login methods is offered by the server (it offers: \(list)); "
                + "allow another method."
        case .authFailed(let text, let tried):
            let methods = tried.isEmpty ? "" : " (tried \(tried.joined(separator: ", ")))"
            return "The server rejected the user name or password\(methods)\(Self.quoting(text)); check your credentials, "
                + "or choose the login method with --auth or the config's auth."
        case .tokenRefused(let text, let tried, let problem):
            let methods = tried.isEmpty ? "" : " with \(tried.joined(separator: ", "))"
            let said = problem.map { " (\(Self.clean($0)))" } ?? ""
            return "The server refused the OAuth2 token\(methods), also a fresh one from the token command\(said)"
                + "\(Self.quoting(text)); check that oauth2_token_command prints an access token (not a refresh token) "
                + "for this very user, granted the provider's mail scope (Gmail: https://mail.google.com/, "
                + "Outlook.com: https://outlook.office.com/POP.AccessAsUser.All), and that POP is enabled for the mailbox."
        case .noOAuth2Mechanism(let offered):
            let list = offered.isEmpty ? "none" : offered.joined(separator: ", ")
            return "The server offers no OAuth2 login (XOAUTH2 or OAUTHBEARER; it offers: \(list)); "
                + "remove oauth2_token_command to log in with a password."
        case .inUse(let text):
            return
                "The mailbox is locked by another session (another mail client may be connected)\(Self.quoting(text)); "
                + "close it or wait a few minutes, then try again."
        case .loginDelay(let seconds, let text):
            let wait = seconds.map { "wait at least \($0) seconds" } ?? "wait a while"
            return
                "The server does not allow another login this soon\(Self.quoting(text)); \(wait) before trying again."
        case .sysTemp(let text):
            return "The server has a temporary problem\(Self.quoting(text)); try again later."
        case .sysPerm(let text):
            return "The server has a permanent problem with this mailbox\(Self.quoting(text)); "
                + "contact the server's administrator."
        case .serverError(let command, let text):
            return "The server refused \(command)\(Self.quoting(text))."
        case .wrongState(let command, let state):
            switch state {
            case .authorization:
                return "\(command) needs a logged-in session; log in first."
            case .transaction:
                return "\(command) is only valid before login; open a new session for it."
            case .update, .closed:
                return "\(command) cannot be sent because the session has ended; open a new session."
            }
        case .lineTooLong(let limit):
            return "The server sent a line longer than \(limit) bytes, so the connection was dropped; "
                + "the server may be broken or hostile."
        case .messageTooLarge(let limit):
            return "The message is larger than the \(limit)-byte limit, so it was not fetched; to fetch it, "
                + "raise max_message_size in the config file or pass --max-message-size."
        case .replyTooLarge(let command, let limit):
            return "The server's reply to \(command) is larger than the \(limit)-byte limit, so the connection "
                + "was dropped; the server may be broken or hostile."
        case .tooManyLines(let command, let limit):
            return "The server's reply to \(command) has more than \(limit) lines, more than it can have, "
                + "so it was not used; the server may be broken or hostile."
        case .malformedResponse(let what):
            return "The server sent a reply this client cannot understand (\(Self.clean(what))); "
                + "the server may be broken or hostile."
        case .connectionClosed:
            return "The server closed the connection before finishing its reply; nothing from that reply was kept, "
                + "try again."
        }
    }

    public var errorDescription: String? { description }

    private static func hostPort(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The server's own words, after ours, so the sentence stays actionable even if the text is noise.
    private static func quoting(_ text: String) -> String {
        let cleaned = clean(text)
        return cleaned.isEmpty ? "" : " (server said: \"\(cleaned)\")"
    }

    /// Server text ends up on a terminal: drop every control and bidi/format character, bound its length.
    static func clean(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2069, 0xFEFF:
                if scalar == "\t" { scalars.append(" ") }
            default:
                scalars.append(scalar)
            }
        }
        let result = String(scalars).trimmingCharacters(in: .whitespaces)
        return result.count > 200 ? String(result.prefix(200)) + "…" : result
    }
}

extension POP3Error {
    /// The server refused the credentials.
    public var isAuthFailure: Bool {
        switch self {
        case .authFailed, .tokenRefused: true
        default: false
        }
    }

    /// A login failure that capabilities remembered from an earlier visit could explain: the server
    /// may no longer offer the mechanism they chose. A busy mailbox, a login delay or a system
    /// failure has other causes.
    var mayComeFromStaleCapabilities: Bool {
        switch self {
        case .authFailed, .serverError, .noUsableMechanism, .noOAuth2Mechanism: true
        default: false
        }
    }
}
