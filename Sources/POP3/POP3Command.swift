import NIOCore

/// A command line sent to the server.
public enum POP3Command: Sendable, Hashable {
    case capa
    case stls
    /// RFC 6856: the client reads UTF-8 in headers, so the server may send such mail unchanged.
    case utf8
    case user(String)
    case pass(String)
    case apop(user: String, digest: String)
    /// `AUTH mechanism [initial-response]` (RFC 5034); the initial response is already base64.
    case auth(mechanism: String, initialResponse: String?)
    /// A client line within a SASL exchange: base64, or `*` to cancel.
    case saslResponse(String)
    case stat
    case list(Int?)
    case uidl(Int?)
    case top(Int, lines: Int)
    case retr(Int)
    case dele(Int)
    case rset
    case noop
    case quit

    /// Whether the command belongs to the TRANSACTION state, the only one `POP3Session.pipeline`
    /// sends: credentials never go through it.
    var isTransaction: Bool {
        switch self {
        case .stat, .list, .uidl, .top, .retr, .dele, .rset, .noop: true
        case .capa, .stls, .utf8, .user, .pass, .apop, .auth, .saslResponse, .quit: false
        }
    }

    /// The command's name, for messages.
    var keyword: String { String(line.prefix { $0 != " " }) }

    var line: String {
        switch self {
        case .capa: return "CAPA"
        case .stls: return "STLS"
        case .utf8: return "UTF8"
        case .user(let name): return "USER \(name)"
        case .pass(let password): return "PASS \(password)"
        case .apop(let user, let digest): return "APOP \(user) \(digest)"
        case .auth(let mechanism, nil): return "AUTH \(mechanism)"
        case .auth(let mechanism, let response?): return "AUTH \(mechanism) \(response)"
        case .saslResponse(let response): return response
        case .stat: return "STAT"
        case .list(nil): return "LIST"
        case .list(let number?): return "LIST \(number)"
        case .uidl(nil): return "UIDL"
        case .uidl(let number?): return "UIDL \(number)"
        case .top(let number, let lines): return "TOP \(number) \(lines)"
        case .retr(let number): return "RETR \(number)"
        case .dele(let number): return "DELE \(number)"
        case .rset: return "RSET"
        case .noop: return "NOOP"
        case .quit: return "QUIT"
        }
    }

    /// The line as it may appear in a trace or an error message: no credential, ever.
    var traceText: String {
        switch self {
        case .pass: return "PASS ***"
        case .apop(let user, _): return "APOP \(user) ***"
        case .auth(let mechanism, _?): return "AUTH \(mechanism) ***"
        case .saslResponse: return "***"
        default: return line
        }
    }

    var replyKind: ReplyKind {
        switch self {
        case .stls: return .startTLS
        case .auth, .saslResponse: return .sasl
        case .capa, .list(nil), .uidl(nil): return .listing
        case .top: return .top
        case .retr: return .retrieve
        case .utf8, .user, .pass, .apop, .stat, .list, .uidl, .dele, .rset, .noop, .quit: return .singleLine
        }
    }
}

/// Writes the commands of one write (one, or a pipelined batch) as CRLF-terminated lines in one
/// buffer: thousands of pipelined `TOP` commands cost a write each batch, not each command.
struct POP3CommandEncoder: MessageToByteEncoder {
    typealias OutboundIn = [POP3Command]

    func encode(data: [POP3Command], out: inout ByteBuffer) throws {
        for command in data {
            let line = command.line
            // Arguments are checked by the session; this is the last line of defence against command smuggling.
            guard !line.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw POP3Error.invalidArgument("a command argument contains a line break")
            }
            out.writeString(line)
            out.writeStaticString("\r\n")
        }
    }
}
