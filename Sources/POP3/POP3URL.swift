/// A mailbox address: `pop3s://user@host[:port]` (implicit TLS, 995) or `pop3://user@host[:port]`
/// (STLS, 110). The user part may be %-encoded (`alice%40example.com`); IPv6 hosts are bracketed.
public struct POP3URL: Sendable, Equatable, CustomStringConvertible {
    public var security: ConnectionSecurity
    public var user: String
    /// Without brackets for IPv6 literals.
    public var host: String
    public var port: Int

    public init(security: ConnectionSecurity, user: String, host: String, port: Int) {
        self.security = security
        self.user = user
        self.host = host
        self.port = port
    }

    /// - Throws: `POP3Error.invalidURL` saying what is wrong with the text.
    public init(parsing text: String) throws {
        let schemeEnd = text.range(of: "://")
        guard let schemeEnd else {
            throw POP3Error.invalidURL("expected pop3s://user@host[:port] or pop3://user@host[:port]")
        }
        switch text[..<schemeEnd.lowerBound].lowercased() {
        case "pop3s":
            security = .implicitTLS
            port = 995
        case "pop3", "pop":
            security = .startTLS
            port = 110
        default:
            let scheme = POP3Error.clean(String(text[..<schemeEnd.lowerBound]))
            throw POP3Error.invalidURL("the scheme must be pop3s:// (TLS) or pop3:// (STLS), not \(scheme)://")
        }
        var authority = Substring(text[schemeEnd.upperBound...])
        if authority.hasSuffix("/") { authority.removeLast() }
        if authority.contains(where: { "/?#".contains($0) }) {
            throw POP3Error.invalidURL("a POP3 URL has no path, query or fragment after the host and port")
        }
        guard let at = authority.lastIndex(of: "@") else {
            throw POP3Error.invalidURL("the user name is missing (write user@host)")
        }
        let userPart = authority[..<at]
        let hostPart = authority[authority.index(after: at)...]
        if userPart.contains(":") {
            throw POP3Error.invalidURL("do not put the password in the URL; use --password-command or the prompt")
        }
        if userPart.lowercased().contains(";auth=") {
            throw POP3Error.invalidURL("';AUTH=' is not supported in the URL; the login method is chosen automatically")
        }
        user = try Self.percentDecode(userPart)
        guard !user.isEmpty else { throw POP3Error.invalidURL("the user name is empty") }
        (host, port) = try Self.parseHostPort(hostPart, defaultPort: port)
    }

    public var description: String {
        let scheme = security == .implicitTLS ? "pop3s" : "pop3"
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(Self.percentEncode(user))@\(hostText):\(port)"
    }

    private static func parseHostPort(_ text: Substring, defaultPort: Int) throws -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw POP3Error.invalidURL("the IPv6 address is missing its closing ']'")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw POP3Error.invalidURL("unexpected text after the IPv6 address") }
                portText = rest.dropFirst()
            }
            let isIPv6 = host.contains(":") && host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
            guard isIPv6 else {
                throw POP3Error.invalidURL("'\(POP3Error.clean(String(host)))' is not an IPv6 address")
            }
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else {
                throw POP3Error.invalidURL("IPv6 addresses must be written in brackets, as in pop3s://user@[::1]:995")
            }
            host = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
            let valid = host.unicodeScalars.allSatisfy {
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "."
                    || $0 == "_"
            }
            guard valid else {
                let shown = POP3Error.clean(String(host))
                throw POP3Error.invalidURL(
                    "'\(shown)' is not a valid host name (use the xn-- form for international names)"
                )
            }
        }
        guard !host.isEmpty else { throw POP3Error.invalidURL("the host is missing") }
        var port = defaultPort
        if let portText {
            guard let value = Int(portText), portText.allSatisfy(\.isASCII), (1...65535).contains(value) else {
                throw POP3Error.invalidURL("the port must be a number from 1 to 65535")
            }
            port = value
        }
        return (String(host), port)
    }

    private static func percentDecode(_ text: Substring) throws -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw POP3Error.invalidURL("the user name has a '%' that is not followed by two hex digits")
            }
            bytes.append(high << 4 | low)
        }
        let decoded = String(decoding: bytes, as: UTF8.self)
        guard decoded.utf8.elementsEqual(bytes) else {
            throw POP3Error.invalidURL("the %-decoded user name is not valid UTF-8")
        }
        // A decoded CR or LF would end the USER command early and smuggle a second one.
        guard !decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw POP3Error.invalidURL("the user name contains control characters")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func percentEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80,
                scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._~".unicodeScalars.contains(scalar)
            {
                result.unicodeScalars.append(scalar)
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
