import Crypto
import Foundation

/// What a session asks its connection to do, in order.
enum SessionOutput {
    case send([UInt8])
    /// The first line at once, then the rest one byte per interval (`ServerBehavior.drip`).
    case drip([UInt8], interval: Duration)
    /// Insert the TLS handler now; everything read from here on arrives through TLS.
    case startTLS
    case close
}

/// One connection's POP3 state machine (RFC 1939 states, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH).
///
/// It knows nothing about NIO: the channel handler feeds it lines and performs its outputs, which keeps
/// the protocol rules in one place and lets pipelined input be handled line by line in arrival order.
final class ServerSession {
    private enum State {
        case authorization(user: String?)
        case sasl(SASLStep)
        case transaction(Transaction)
        case closed
    }

    private enum SASLStep {
        case plain
        case loginUser
        case loginPassword(user: String)
        case cramMD5(challenge: String)
        case bearer(mechanism: String)
        /// A token was refused with a JSON challenge; the client's answer to it ends the exchange.
        case bearerRefused(user: String, sent: String)
    }

    private struct Transaction {
        var messages: [StoredMessage]
        var deleted: Set<Int> = []

        var visible: [(number: Int, message: StoredMessage)] {
            messages.indices.filter { !deleted.contains($0) }.map { ($0 + 1, messages[$0]) }
        }
    }

    private static let implemented: Set<String> = ["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER"]

    var losesInputWithLogin: Bool { behavior.losesInputWithLogin }

    var isInTransaction: Bool {
        if case .transaction = state { true } else { false }
    }
    private static let longLineLength = 64 * 1024

    let greeting: String
    private let number: Int
    private let store: MailboxStore
    private let behavior: ServerBehavior
    private let stlsPossible: Bool
    private let apopTimestamp: String?
    private var tlsActive: Bool
    private var silent = false
    private var state = State.authorization(user: nil)

    /// - Parameters:
    ///   - stlsPossible: the server has a certificate and this connection is not TLS yet.
    ///   - tlsActive: the listener is implicit TLS.
    init(store: MailboxStore, behavior: ServerBehavior, stlsPossible: Bool, tlsActive: Bool) {
        self.number = store.openSession()
        self.store = store
        self.behavior = behavior
        self.stlsPossible = stlsPossible
        self.tlsActive = tlsActive
        if let override = behavior.greetingOverride {
            greeting = override
            apopTimestamp = Self.timestamp(in: override)
        } else if behavior.apopTimestamp {
            let timestamp = "<\(number).\(UInt32.random(in: 1...UInt32.max))@mailbag.test>"
            greeting = "+OK Mailbag POP3 server ready \(timestamp)"
            apopTimestamp = timestamp
        } else {
            greeting = "+OK Mailbag POP3 server ready"
            apopTimestamp = nil
        }
    }

    func receive(_ line: String) -> [SessionOutput] {
        store.log(line)
        if silent { return [] }
        switch state {
        case .closed:
            return []
        case .sasl(let step):
            return continueSASL(step, response: line)
        case .authorization, .transaction:
            break
        }
        if let pattern = behavior.silentAfter, ServerBehavior.matches(line, pattern: pattern) {
            silent = true
            return []
        }
        if let drop = behavior.dropOn, ServerBehavior.matches(line, pattern: drop.command), store.takeDrop(limit: drop.times) {
            state = .closed
            return [.close]
        }
        if let raw = rawReply(for: line) {
            return [.send(Array(raw.utf8))]
        }
        if let pattern = behavior.longLineOnCommand, ServerBehavior.matches(line, pattern: pattern) {
            return [reply("+OK " + String(repeating: "x", count: Self.longLineLength))]
        }
        let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        let keyword = parts.first.map { $0.uppercased() } ?? ""
        let argument = parts.count > 1 ? String(parts[1]) : ""
        switch state {
        case .authorization(let user):
            return authorization(keyword, argument, user: user)
        case .transaction(var transaction):
            let outputs = self.transaction(keyword, argument, &transaction)
            if case .transaction = state { state = .transaction(transaction) }
            if let drip = behavior.drip, ServerBehavior.matches(line, pattern: drip.command) {
                return Self.dripping(outputs, every: drip.interval)
            }
            return outputs
        case .sasl, .closed:
            return []
        }
    }

    /// The bytes of `outputs` as one drip; a close after them is dropped, the drip never ends anyway.
    private static func dripping(_ outputs: [SessionOutput], every interval: Duration) -> [SessionOutput] {
        let bytes = outputs.flatMap { output -> [UInt8] in
            if case .send(let bytes) = output { bytes } else { [] }
        }
        return [.drip(bytes, interval: interval)]
    }

    /// The connection went away: nothing is deleted (only QUIT enters UPDATE) and the lock is released.
    func connectionClosed() {
        state = .closed
        store.releaseLock(session: number)
    }

    // MARK: - AUTHORIZATION

    private func authorization(_ keyword: String, _ argument: String, user: String?) -> [SessionOutput] {
        // RFC 1939: PASS is valid only immediately after a successful USER.
        if keyword != "PASS" { state = .authorization(user: nil) }
        switch keyword {
        case "CAPA":
            return capa()
        case "STLS":
            return stls(argument)
        case "USER":
            guard !argument.isEmpty else { return [reply("-ERR USER needs a mailbox name")] }
            state = .authorization(user: argument)
            return [reply("+OK \(argument) accepted, send PASS")]
        case "PASS":
            guard let user else { return [reply("-ERR Send USER first")] }
            return finishLogin(user: user, valid: store.users[user] == argument, sent: argument)
        case "APOP":
            return apop(argument)
        case "AUTH":
            return auth(argument)
        case "QUIT":
            state = .closed
            return [reply("+OK Mailbag POP3 server signing off"), .close]
        case "STAT", "LIST", "UIDL", "TOP", "RETR", "DELE", "RSET", "NOOP":
            return [reply("-ERR \(keyword) is only valid after login")]
        default:
            return [reply("-ERR Unknown command")]
        }
    }

    private func stls(_ argument: String) -> [SessionOutput] {
        guard argument.isEmpty else { return [reply("-ERR STLS takes no argument")] }
        guard stlsPossible, behavior.offerSTLS else { return [reply("-ERR STLS not supported")] }
        guard !tlsActive else { return [reply("-ERR TLS is already active")] }
        if behavior.refuseSTLS { return [reply("-ERR [SYS/TEMP] TLS is temporarily unavailable")] }
        tlsActive = true
        state = .authorization(user: nil)
        var text = "+OK Begin TLS negotiation\r\n"
        if let injected = behavior.injectAfterSTLS { text += injected + "\r\n" }
        return [.send(Array(text.utf8)), .startTLS]
    }

    private func apop(_ argument: String) -> [SessionOutput] {
        guard let timestamp = apopTimestamp else { return [reply("-ERR APOP not available without a timestamp")] }
        if behavior.refuseAPOP { return [reply("-ERR [AUTH] APOP cannot be used with this password database")] }
        let parts = argument.split(separator: " ")
        guard parts.count == 2 else { return [reply("-ERR APOP needs a name and a digest")] }
        let user = String(parts[0])
        let valid = store.users[user].map { Self.md5Hex(timestamp + $0) == parts[1].lowercased() } ?? false
        return finishLogin(user: user, valid: valid, sent: argument)
    }

    private func auth(_ argument: String) -> [SessionOutput] {
        let parts = argument.split(separator: " ", omittingEmptySubsequences: true)
        guard let mechanism = parts.first?.uppercased() else { return [reply("-ERR AUTH needs a SASL mechanism")] }
        guard parts.count <= 2 else { return [reply("-ERR Syntax error in AUTH")] }
        guard Self.implemented.contains(mechanism),
              behavior.saslMechanisms.contains(where: { $0.uppercased() == mechanism })
        else { return [reply("-ERR Unsupported SASL mechanism")] }
        let initial = parts.count == 2 ? String(parts[1]) : nil
        switch mechanism {
        case "PLAIN":
            guard let initial else {
                state = .sasl(.plain)
                return [reply("+ ")]
            }
            return continueSASL(.plain, response: initial)
        case "LOGIN":
            guard let initial else {
                state = .sasl(.loginUser)
                return [reply("+ " + Self.base64("Username:"))]
            }
            return continueSASL(.loginUser, response: initial)
        case "XOAUTH2", "OAUTHBEARER":
            guard let initial else {
                state = .sasl(.bearer(mechanism: mechanism))
                return [reply("+ ")]
            }
            return continueSASL(.bearer(mechanism: mechanism), response: initial)
        default:
            guard initial == nil else { return [reply("-ERR CRAM-MD5 does not take an initial response")] }
            let challenge = "<\(number).\(UInt32.random(in: 1...UInt32.max))@mailbag.test>"
            state = .sasl(.cramMD5(challenge: challenge))
            return [reply("+ " + Self.base64(challenge))]
        }
    }

    private func continueSASL(_ step: SASLStep, response: String) -> [SessionOutput] {
        if case .bearerRefused(let user, let sent) = step {
            // RFC 7628 section 3.2.3: whatever answers the error challenge, the login has failed.
            return finishLogin(user: user, valid: false, sent: sent)
        }
        if response == "*" {
            state = .authorization(user: nil)
            return [reply("-ERR Authentication cancelled")]
        }
        // RFC 5034: a lone "=" is an empty initial response.
        let decoded = response == "=" ? [] : Data(base64Encoded: response).map { [UInt8]($0) }
        guard let decoded else {
            state = .authorization(user: nil)
            return [reply("-ERR Invalid base64 in SASL response")]
        }
        let sent = "\(response) (\(String(decoding: decoded, as: UTF8.self)))"
        switch step {
        case .plain:
            let fields = decoded.split(separator: 0, omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
            guard fields.count == 3 else { return finishLogin(user: "", valid: false, sent: sent) }
            // No proxy authorization: an authzid must name the authenticating user itself.
            let valid = (fields[0].isEmpty || fields[0] == fields[1]) && store.users[fields[1]] == fields[2]
            return finishLogin(user: fields[1], valid: valid, sent: sent)
        case .loginUser:
            state = .sasl(.loginPassword(user: String(decoding: decoded, as: UTF8.self)))
            return [reply("+ " + Self.base64("Password:"))]
        case .loginPassword(let user):
            return finishLogin(user: user, valid: store.users[user] == String(decoding: decoded, as: UTF8.self), sent: sent)
        case .cramMD5(let challenge):
            let text = String(decoding: decoded, as: UTF8.self)
            guard let space = text.lastIndex(of: " ") else { return finishLogin(user: "", valid: false, sent: sent) }
            let user = String(text[..<space])
            let digest = text[text.index(after: space)...].lowercased()
            let valid = store.users[user].map { Self.hmacMD5Hex(key: $0, message: challenge) == digest } ?? false
            return finishLogin(user: user, valid: valid, sent: sent)
        case .bearer(let mechanism):
            let (user, token) = Self.bearerFields(String(decoding: decoded, as: UTF8.self), mechanism: mechanism)
            if let token, let user, behavior.bearerTokens[token] == user {
                return finishLogin(user: user, valid: true, sent: sent)
            }
            state = .sasl(.bearerRefused(user: user ?? "", sent: sent))
            return [reply("+ " + Self.base64(#"{"status":"invalid_token","scope":"pop3"}"#))]
        case .bearerRefused:
            return []
        }
    }

    /// The user and token of an XOAUTH2 (`user=U^Aauth=Bearer T^A^A`) or OAUTHBEARER
    /// (`n,a=U,^Ahost=H^Aport=P^Aauth=Bearer T^A^A`) message.
    private static func bearerFields(_ message: String, mechanism: String) -> (user: String?, token: String?) {
        var fields = message.split(separator: "\u{1}", omittingEmptySubsequences: true).map(String.init)
        var user: String?
        if mechanism == "OAUTHBEARER", !fields.isEmpty {
            let header = fields.removeFirst().split(separator: ",", omittingEmptySubsequences: false)
            guard header.count >= 2, header[0] == "n", header[1].hasPrefix("a=") else { return (nil, nil) }
            user = String(header[1].dropFirst(2)).replacingOccurrences(of: "=2C", with: ",")
                .replacingOccurrences(of: "=3D", with: "=")
        }
        var token: String?
        for field in fields {
            if field.hasPrefix("user=") { user = String(field.dropFirst(5)) }
            if field.hasPrefix("auth=Bearer ") { token = String(field.dropFirst(12)) }
        }
        return (user, token)
    }

    /// - Parameter sent: the credential as the client sent it, for `ServerBehavior.echoCredentials`.
    private func finishLogin(user: String, valid: Bool, sent: String) -> [SessionOutput] {
        state = .authorization(user: nil)
        if let line = behavior.loginError { return [reply(line)] }
        guard valid else {
            return [reply(behavior.echoCredentials ? "-ERR wrong password: \(sent)" : "-ERR [AUTH] Authentication failed")]
        }
        guard let snapshot = store.enterTransaction(session: number, lock: behavior.lockMailbox) else {
            return [reply("-ERR [IN-USE] Mailbox is locked by another POP3 session")]
        }
        let transaction = Transaction(messages: snapshot)
        state = .transaction(transaction)
        let size = snapshot.reduce(0) { $0 + $1.size }
        return [reply("+OK Logged in, \(snapshot.count) messages (\(size) octets)")]
    }

    // MARK: - TRANSACTION and UPDATE

    private func transaction(_ keyword: String, _ argument: String, _ box: inout Transaction) -> [SessionOutput] {
        let arguments = argument.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let count = argument.isEmpty ? 0 : arguments.count
        switch keyword {
        case "CAPA":
            return capa()
        case "NOOP":
            return [reply("+OK")]
        case "STAT":
            let visible = box.visible
            return [reply("+OK \(visible.count) \(visible.reduce(0) { $0 + $1.message.size })")]
        case "LIST", "UIDL":
            let field: (StoredMessage) -> String = keyword == "LIST" ? { "\($0.size)" } : { $0.message.uid }
            if count == 0 {
                let visible = box.visible
                let lines = visible.map { "\($0.number) \(field($0.message))\r\n" }.joined()
                let size = visible.reduce(0) { $0 + $1.message.size }
                return [.send(Array("+OK \(visible.count) messages (\(size) octets)\r\n\(lines).\r\n".utf8))]
            }
            guard count == 1 else { return [reply("-ERR \(keyword) takes at most one message number")] }
            return withMessage(arguments[0], in: box) { number, message in
                [reply("+OK \(number) \(field(message))")]
            }
        case "RETR":
            guard count == 1 else { return [reply("-ERR RETR needs one message number")] }
            return withMessage(arguments[0], in: box) { number, message in
                let status = Array("+OK \(message.size) octets\r\n".utf8)
                if let drop = behavior.dropDuringRETR, drop.message == number {
                    state = .closed
                    return [.send(status), .send(Array(message.stuffed.prefix(max(0, drop.afterBytes)))), .close]
                }
                return [.send(status), .send(message.stuffed), .send(Array(".\r\n".utf8))]
            }
        case "TOP":
            guard count == 2, let lines = Self.decimal(arguments[1]) else {
                return [reply("-ERR TOP needs a message number and a line count")]
            }
            return withMessage(arguments[0], in: box) { _, message in
                [.send(Array("+OK\r\n".utf8)), .send(Array(message.top(lines: lines))), .send(Array(".\r\n".utf8))]
            }
        case "DELE":
            guard count == 1 else { return [reply("-ERR DELE needs one message number")] }
            return withMessage(arguments[0], in: box) { number, _ in
                box.deleted.insert(number - 1)
                return [reply("+OK Message \(number) deleted")]
            }
        case "RSET":
            box.deleted.removeAll()
            let size = box.messages.reduce(0) { $0 + $1.size }
            return [reply("+OK Maildrop has \(box.messages.count) messages (\(size) octets)")]
        case "QUIT":
            let ids = Set(box.deleted.map { box.messages[$0].id })
            let remaining = store.commit(session: number, deleting: ids)
            state = .closed
            return [reply("+OK Mailbag POP3 server signing off (\(remaining) messages left)"), .close]
        case "USER", "PASS", "APOP", "AUTH", "STLS":
            return [reply("-ERR Already logged in")]
        default:
            return [reply("-ERR Unknown command")]
        }
    }

    /// Resolves a message-number argument, answering `-ERR` for junk, out-of-range and deleted messages.
    private func withMessage(
        _ argument: String,
        in box: Transaction,
        _ body: (Int, StoredMessage) -> [SessionOutput]
    ) -> [SessionOutput] {
        guard let number = Self.decimal(argument), number >= 1, number <= box.messages.count else {
            return [reply("-ERR No such message")]
        }
        guard !box.deleted.contains(number - 1) else { return [reply("-ERR Message \(number) already deleted")] }
        return body(number, box.messages[number - 1])
    }

    // MARK: - Shared

    private func capa() -> [SessionOutput] {
        if behavior.capaFails { return [reply("-ERR Unknown command")] }
        let lines = behavior.capabilities ?? generatedCapabilities()
        return [.send(Array("+OK Capability list follows\r\n\(lines.map { $0 + "\r\n" }.joined()).\r\n".utf8))]
    }

    private func generatedCapabilities() -> [String] {
        var lines = ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE"]
        if behavior.pipelining { lines.append("PIPELINING") }
        if case .authorization = state {
            lines.append("USER")
            let mechanisms = behavior.saslMechanisms
            if !mechanisms.isEmpty { lines.append("SASL " + mechanisms.joined(separator: " ")) }
            if stlsPossible, behavior.offerSTLS, !tlsActive { lines.append("STLS") }
        }
        lines.append("IMPLEMENTATION Mailbag-InMemory")
        return lines
    }

    /// The most specific matching raw reply wins, so `"RETR 2"` can override a general `"RETR"`.
    private func rawReply(for line: String) -> String? {
        behavior.rawReplies
            .filter { ServerBehavior.matches(line, pattern: $0.key) }
            .max { $0.key.count < $1.key.count }?
            .value
    }

    private func reply(_ line: String) -> SessionOutput {
        .send(Array((line + "\r\n").utf8))
    }

    private static func decimal(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text)
    }

    private static func timestamp(in greeting: String) -> String? {
        guard let open = greeting.firstIndex(of: "<"),
              let close = greeting[open...].firstIndex(of: ">")
        else { return nil }
        return String(greeting[open...close])
    }

    private static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }

    static func md5Hex(_ text: String) -> String {
        hex(Insecure.MD5.hash(data: Array(text.utf8)))
    }

    static func hmacMD5Hex(key: String, message: String) -> String {
        hex(HMAC<Insecure.MD5>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(key.utf8))))
    }
}
