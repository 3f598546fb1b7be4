import NIOCore

/// An RFC 2449 extended response code such as `[IN-USE]` or `[SYS/TEMP]`, upper-cased.
public struct ResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue.uppercased()
    }

    public static let inUse = ResponseCode(rawValue: "IN-USE")  // RFC 2449
    public static let loginDelay = ResponseCode(rawValue: "LOGIN-DELAY")  // RFC 2449
    public static let sysTemp = ResponseCode(rawValue: "SYS/TEMP")  // RFC 3206
    public static let sysPerm = ResponseCode(rawValue: "SYS/PERM")  // RFC 3206
    public static let auth = ResponseCode(rawValue: "AUTH")  // RFC 3206
    public static let utf8 = ResponseCode(rawValue: "UTF8")  // RFC 6856

    /// Codes are hierarchical (`SYS/TEMP` is a kind of `SYS`); unknown sub-levels keep their top level's meaning.
    public func isA(_ other: ResponseCode) -> Bool {
        rawValue == other.rawValue || rawValue.hasPrefix(other.rawValue + "/")
    }

    public var description: String { "[\(rawValue)]" }
}

/// A `+OK` or `-ERR` line.
public struct StatusLine: Sendable, Equatable, CustomStringConvertible {
    public var isOK: Bool
    public var code: ResponseCode?
    /// The text after the indicator and the response code, as sent: for parsing, never for showing.
    public var text: String
    /// The credentials this connection sent, set by `POP3ClientHandler` as the line arrives.
    var redaction = Redaction.none

    public init(isOK: Bool, code: ResponseCode? = nil, text: String) {
        self.isOK = isOK
        self.code = code
        self.text = text
    }

    /// `text` with any credential the server echoed masked: what errors quote and traces show.
    /// Masking `text` itself would corrupt what is parsed from it (a password "300" in `+OK 3 300`).
    public var shownText: String { redaction.apply(text) }

    /// The same line, whichever connection it came from.
    public static func == (lhs: StatusLine, rhs: StatusLine) -> Bool {
        lhs.isOK == rhs.isOK && lhs.code == rhs.code && lhs.text == rhs.text
    }

    public var description: String {
        var line = isOK ? "+OK" : "-ERR"
        if let code { line += " \(code)" }
        if !text.isEmpty { line += " " + shownText }
        return line
    }

    /// Parses the part after `+OK`/`-ERR` (which may start with a response code).
    static func parse(isOK: Bool, rest: Substring) -> StatusLine {
        var rest = rest.drop { $0 == " " }
        var code: ResponseCode?
        // RFC 2449 section 8: resp-code = "[" resp-level *("/" resp-level) "]".
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            let candidate = rest[rest.index(after: rest.startIndex)..<close]
            let isCode =
                !candidate.isEmpty
                && candidate.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "/") }
            if isCode {
                code = ResponseCode(rawValue: String(candidate))
                rest = rest[rest.index(after: close)...].drop { $0 == " " }
            }
        }
        return StatusLine(isOK: isOK, code: code, text: String(rest))
    }
}

/// One event decoded from the server's byte stream by `POP3ResponseDecoder`.
enum POP3ResponseEvent: Equatable {
    /// A complete single-line reply, or the `-ERR` that replaces a multi-line reply.
    case status(StatusLine)
    /// A SASL server challenge (`+ base64`, RFC 5034 section 4), the text after `+ `.
    case continuation(String)
    /// The `+OK` line that opens a multi-line reply.
    case multiLineStart(StatusLine)
    /// Dot-unstuffed body bytes with their original line endings; a chunk may end mid-line.
    case bodyChunk(ByteBuffer)
    /// The terminating `.` line was read.
    case multiLineEnd
}

/// What the decoder expects next, queued when a command is written (this is what keeps pipelined
/// replies matched to their commands).
enum ReplyKind: Equatable {
    case singleLine
    /// The reply to STLS: on `+OK` nothing more may arrive before the TLS handshake.
    case startTLS
    /// A reply within an AUTH exchange: `+OK`, `-ERR`, or a `+ ` continuation.
    case sasl
    /// CAPA, LIST, UIDL: multi-line on `+OK`, every line bounded.
    case listing
    /// TOP: multi-line on `+OK`, bounded by the TOP reply limit.
    case top
    /// RETR: multi-line on `+OK`, bounded by the message size limit.
    case retrieve
}

/// A complete reply as the session sees it.
public enum POP3Reply: Sendable {
    case status(StatusLine)
    case continuation(String)
    case multiLine(StatusLine, body: [UInt8])

    /// The status line, or nil for a SASL continuation.
    public var statusLine: StatusLine? {
        switch self {
        case .status(let line), .multiLine(let line, _): return line
        case .continuation: return nil
        }
    }
}
