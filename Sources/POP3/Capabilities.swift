/// What the server announced in its CAPA reply (RFC 2449, 2595, 5034, 6856).
public struct Capabilities: Sendable, Equatable {
    /// False when CAPA failed: the other flags are then RFC 1939 guesses, to be tried rather than trusted.
    public var advertised: Bool
    public var top: Bool
    public var uidl: Bool
    public var user: Bool
    public var pipelining: Bool
    public var stls: Bool
    /// SASL mechanism names, upper-cased.
    public var sasl: [String]
    public var respCodes: Bool
    public var authRespCode: Bool
    public var utf8: Bool
    /// Minimum seconds between logins, when announced.
    public var loginDelay: Int?
    /// `NEVER` or a number of days, with a trailing `USER` when it may differ per user after login.
    public var expire: String?
    public var implementation: String?
    /// Every line as received.
    public var raw: [String]

    public init(
        advertised: Bool = true, top: Bool = false, uidl: Bool = false, user: Bool = false, pipelining: Bool = false,
        stls: Bool = false, sasl: [String] = [], respCodes: Bool = false, authRespCode: Bool = false,
        utf8: Bool = false, loginDelay: Int? = nil, expire: String? = nil, implementation: String? = nil,
        raw: [String] = []
    ) {
        self.advertised = advertised
        self.top = top
        self.uidl = uidl
        self.user = user
        self.pipelining = pipelining
        self.stls = stls
        self.sasl = sasl
        self.respCodes = respCodes
        self.authRespCode = authRespCode
        self.utf8 = utf8
        self.loginDelay = loginDelay
        self.expire = expire
        self.implementation = implementation
        self.raw = raw
    }

    /// For servers that answer CAPA with -ERR (popa3d and other RFC 1939-only servers): TOP, UIDL and
    /// USER are optional there but almost always present, so they are tried and their errors reported.
    public static let assumedWithoutCAPA = Capabilities(advertised: false, top: true, uidl: true, user: true)

    public static func parse(_ lines: [String]) -> Capabilities {
        var capabilities = Capabilities(raw: lines)
        for line in lines {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let keyword = words.first?.uppercased() else { continue }
            let arguments = words.dropFirst()
            switch keyword {
            case "TOP": capabilities.top = true
            case "UIDL": capabilities.uidl = true
            case "USER": capabilities.user = true
            case "PIPELINING": capabilities.pipelining = true
            case "STLS": capabilities.stls = true
            case "RESP-CODES": capabilities.respCodes = true
            case "AUTH-RESP-CODE": capabilities.authRespCode = true
            case "UTF8": capabilities.utf8 = true
            case "SASL":
                for mechanism in arguments.map({ $0.uppercased() }) where !capabilities.sasl.contains(mechanism) {
                    capabilities.sasl.append(mechanism)
                }
            case "LOGIN-DELAY":
                capabilities.loginDelay = arguments.first.flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
            case "EXPIRE":
                capabilities.expire = arguments.isEmpty ? nil : arguments.joined(separator: " ")
            case "IMPLEMENTATION":
                capabilities.implementation = arguments.isEmpty ? nil : arguments.joined(separator: " ")
            default:
                continue
            }
        }
        return capabilities
    }
}

/// The server's first line. `apopTimestamp` is set only when it is a well-formed msg-id, since APOP
/// hashes the password together with it.
public struct Greeting: Sendable, Equatable {
    public var text: String
    public var apopTimestamp: String?

    public init(text: String, apopTimestamp: String?) {
        self.text = text
        self.apopTimestamp = apopTimestamp
    }

    public init(text: String) {
        self.init(text: text, apopTimestamp: Self.timestamp(in: text))
    }

    /// RFC 1939 section 7: the timestamp is a msg-id, `<local@domain>` in printable ASCII.
    static func timestamp(in text: String) -> String? {
        guard let open = text.firstIndex(of: "<"), let close = text[open...].firstIndex(of: ">") else { return nil }
        let candidate = text[open...close]
        let inner = candidate.dropFirst().dropLast()
        let parts = inner.split(separator: "@", omittingEmptySubsequences: false)
        guard candidate.utf8.count <= 256, parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            inner.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) && $0 != "<" && $0 != ">" })
        else { return nil }
        return String(candidate)
    }
}
