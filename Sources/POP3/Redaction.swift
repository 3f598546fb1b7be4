import Foundation

/// The credentials a login sends, in every form a server could echo back: a hostile or careless
/// server answering `-ERR wrong password: hunter2` must not get the password printed on the
/// terminal or written to a trace meant for bug reports. `POP3ClientHandler` holds it from before
/// the first credential is written: it masks every line it traces and every error that ends the
/// connection, and attaches it to every status line, whose `shownText` (all that errors quote) and
/// `description` mask. The text parsed stays as sent.
///
/// Bodies (UIDL problems quote UIDL lines) are not masked: the echo this guards against is the
/// login's refusal, and masking a listing would cost a search of every byte.
struct Redaction: Sendable {
    static let mask = "***"

    /// Longest first, so a form that contains another is masked whole.
    private let secrets: [String]

    static let none = Redaction()

    /// The password, and the base64 forms PLAIN and LOGIN send and APOP's MD5 input. CRAM-MD5's
    /// response and APOP's digest are not secret; the password they are made from is covered by
    /// masking the password itself wherever it appears (in `timestamp + password`, say).
    init(password: String, user: String, apopTimestamp: String?) {
        guard !password.isEmpty else {
            self.init()
            return
        }
        var encoded = [AuthEncoding.login(password), AuthEncoding.plain(user: user, password: password)]
        if let apopTimestamp { encoded.append(AuthEncoding.login(apopTimestamp + password)) }
        self.init(secret: password, encoded: encoded)
    }

    /// A bearer token, and the XOAUTH2 and OAUTHBEARER responses that carry it.
    init(bearerToken token: String, user: String, host: String, port: Int) {
        guard !token.isEmpty else {
            self.init()
            return
        }
        self.init(secret: token, encoded: [
            AuthEncoding.xoauth2(user: user, token: token),
            AuthEncoding.oauthBearer(user: user, token: token, host: host, port: port),
        ])
    }

    private init(secret: String, encoded: [String]) {
        // An echo may drop base64's padding; the unpadded form matches both. The secret itself
        // keeps any "=" it has.
        let unpadded = encoded.map { String($0.reversed().drop { $0 == "=" }.reversed()) }
        secrets = Array(Set([secret] + unpadded)).sorted { $0.count > $1.count }
    }

    private init(secrets: [String]) {
        self.secrets = secrets
    }

    private init() {
        secrets = []
    }

    /// Both redactions' secrets: a refreshed token joins the one it replaces, which the server
    /// may still quote.
    func merging(_ other: Redaction) -> Redaction {
        Redaction(secrets: Array(Set(secrets + other.secrets)).sorted { $0.count > $1.count })
    }

    func apply(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.mask)
        }
        return result
    }

    /// The error with every text that can quote the server masked.
    func apply(_ error: POP3Error) -> POP3Error {
        guard !secrets.isEmpty else { return error }
        switch error {
        case .greetingRejected(let text): return .greetingRejected(apply(text))
        case .stlsRefused(let text): return .stlsRefused(apply(text))
        case .authFailed(let text, let tried): return .authFailed(apply(text), tried: tried)
        case .tokenRefused(let text, let tried, let problem):
            return .tokenRefused(apply(text), tried: tried, problem: problem.map(apply))
        case .inUse(let text): return .inUse(apply(text))
        case .loginDelay(let seconds, let text): return .loginDelay(seconds: seconds, text: apply(text))
        case .sysTemp(let text): return .sysTemp(apply(text))
        case .sysPerm(let text): return .sysPerm(apply(text))
        case .serverError(let command, let text): return .serverError(command: command, text: apply(text))
        case .malformedResponse(let what): return .malformedResponse(apply(what))
        case .tlsFailed(let reason): return .tlsFailed(apply(reason))
        default: return error
        }
    }
}
