/// A parsed `Content-Type`: lower-cased type and subtype plus decoded parameters.
struct ContentType: Sendable, Equatable {
    var type: String
    var subtype: String
    var parameters: [String: String]

    var mimeType: String { "\(type)/\(subtype)" }

    init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    /// Unparseable values fall back to text/plain (RFC 2045 5.2) so the part is still shown.
    init(_ raw: String) {
        let (value, params) = HeaderParameters.split(raw)
        (type, subtype) = Self.media(value)
        parameters = params
    }

    /// The type and subtype alone. The index asks this of every message, and the parameters
    /// are the costly part; a comment, a quote or a parameter missing its `;` before the first
    /// `;` needs the full parser.
    static func mediaType(_ raw: String) -> (type: String, subtype: String) {
        let simple = raw.withUTF8Bytes { bytes -> (type: String, subtype: String)? in
            let end = bytes.firstIndex(of: 0x3B) ?? bytes.count
            let value = bytes[..<end]
            guard !value.contains(where: { $0 == 0x28 || $0 == 0x22 || $0 == 0x3D }) else { return nil }
            guard let slash = value.firstIndex(of: 0x2F) else { return ("text", "plain") }
            func token(_ range: Range<Int>) -> String? {
                let trimmed = bytes[bytes.trimmingBlanks(range)]
                guard !trimmed.isEmpty, trimmed.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x2F && $0 != 0x3B }) else { return nil }
                return String(decoding: trimmed.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
            }
            guard let type = token(0..<slash), let subtype = token((slash + 1)..<end) else { return ("text", "plain") }
            return (type, subtype)
        }
        if let simple { return simple }
        let full = ContentType(raw)
        return (full.type, full.subtype)
    }

    private static func media(_ value: some StringProtocol) -> (type: String, subtype: String) {
        let lower = value.lowercased()
        let pieces = lower.split(separator: "/", maxSplits: 1).map { String($0).trimmingWhitespace() }
        if pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty, Self.isToken(pieces[0]), Self.isToken(pieces[1]) {
            return (pieces[0], pieces[1])
        }
        return ("text", "plain")
    }

    subscript(_ name: String) -> String? { parameters[name] }

    private static func isToken(_ s: String) -> Bool {
        s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x2F && $0 != 0x3B && $0 != 0x22 }
    }
}

struct ContentDisposition: Sendable, Equatable {
    var value: String
    var parameters: [String: String]

    init(_ raw: String) {
        let (v, params) = HeaderParameters.split(raw)
        value = v.lowercased()
        parameters = params
    }

    var isAttachment: Bool { value == "attachment" }
    var filename: String? { parameters["filename"] }
}

/// MIME header parameters (RFC 2045) with RFC 2231 continuations and charset'lang'value
/// encoding. Values are returned undecoded otherwise: a boundary must stay byte-exact, and
/// only file names get RFC 2047 decoding (see `MIMEPart.filename`).
enum HeaderParameters {
    /// Caps the continuation sections of one parameter, so `name*99999=` cannot make us
    /// allocate or sort a huge table.
    static let maxSections = 200
    static let maxParameters = 64

    static func split(_ raw: String) -> (value: String, parameters: [String: String]) {
        var pieces = splitOutsideQuotes(Array(raw.utf8))
        guard let first = pieces.first else { return ("", [:]) }
        var value = stripComments(String(decoding: first, as: UTF8.self)).trimmingWhitespace()
        // `multipart/mixed boundary=x` (a missing semicolon) still names its boundary.
        if let blank = value.firstIndex(where: { $0 == " " || $0 == "\t" }), value[blank...].contains("=" as Character) {
            pieces.insert(ArraySlice(value[value.index(after: blank)...].utf8), at: 1)
            value = String(value[..<blank])
        }
        var plain: [String: String] = [:]
        var sections: [String: [(index: Int, encoded: Bool, text: String)]] = [:]
        for piece in pieces.dropFirst().prefix(maxParameters) {
            guard let eq = piece.firstIndex(of: 0x3D) else { continue }
            let name = String(decoding: piece[..<eq], as: UTF8.self).trimmingWhitespace().lowercased()
            guard !name.isEmpty else { continue }
            let text = unquote(Array(piece[(eq + 1)...]))
            if let star = name.firstIndex(of: "*") {
                let base = String(name[..<star])
                var rest = name[name.index(after: star)...]
                let encoded = rest.hasSuffix("*") || rest.isEmpty
                if rest.hasSuffix("*") { rest = rest.dropLast() }
                let index = rest.isEmpty ? 0 : (Int(rest) ?? -1)
                guard index >= 0, index < maxSections else { continue }
                sections[base, default: []].append((index, encoded, text))
            } else if plain[name] == nil {
                plain[name] = text
            }
        }
        var result = plain
        for (name, parts) in sections {
            result[name] = joinSections(parts)
        }
        return (value, result)
    }

    /// RFC 2231 3–4: sections in numeric order; encoded ones are %-escaped bytes in the
    /// charset named by the first section's `charset'lang'` prefix.
    private static func joinSections(_ parts: [(index: Int, encoded: Bool, text: String)]) -> String {
        var seen = Set<Int>()
        let ordered = parts.sorted { $0.index < $1.index }.filter { seen.insert($0.index).inserted }
        var charset: String?
        var bytes: [UInt8] = []
        for (k, part) in ordered.enumerated() {
            var text = Array(part.text.utf8)
            if part.encoded {
                if k == 0 {
                    let quotes = text.indices.filter { text[$0] == 0x27 }
                    if quotes.count >= 2 {
                        charset = String(decoding: text[..<quotes[0]], as: UTF8.self)
                        text = Array(text[(quotes[1] + 1)...])
                    }
                }
                bytes.append(contentsOf: percentDecode(text))
            } else {
                bytes.append(contentsOf: text)
            }
        }
        return Charset.decode(bytes, label: (charset?.isEmpty ?? true) ? nil : charset)
    }

    private static func percentDecode(_ b: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == 0x25, i + 2 < b.count, let h = hexValue(b[i + 1]), let l = hexValue(b[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    private static func splitOutsideQuotes(_ b: [UInt8]) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        var inQuotes = false
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x5C, inQuotes { i += 2; continue }
            if c == 0x22 { inQuotes.toggle() }
            if c == 0x3B, !inQuotes {
                pieces.append(b[start..<i])
                start = i + 1
            }
            i += 1
        }
        pieces.append(b[start...])
        return pieces
    }

    /// A quoted value loses its quotes and backslash escapes; a bare token is trimmed.
    /// An unterminated quote runs to the end (broken mailers send `name="foo.pdf`).
    private static func unquote(_ b: [UInt8]) -> String {
        var lo = 0
        var hi = b.count
        while lo < hi, b[lo] == 0x20 || b[lo] == 0x09 { lo += 1 }
        while hi > lo, b[hi - 1] == 0x20 || b[hi - 1] == 0x09 { hi -= 1 }
        guard lo < hi, b[lo] == 0x22 else { return String(decoding: b[lo..<hi], as: UTF8.self) }
        var out = [UInt8]()
        var i = lo + 1
        while i < hi {
            let c = b[i]
            if c == 0x22 { break }
            if c == 0x5C, i + 1 < hi { i += 1 }
            out.append(b[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func stripComments(_ s: String) -> String {
        guard s.contains("(" as Character) else { return s }
        var out = ""
        var depth = 0
        for ch in s {
            if ch == "(" { depth += 1 } else if ch == ")" { depth = max(0, depth - 1) } else if depth == 0 { out.append(ch) }
        }
        return out
    }
}
