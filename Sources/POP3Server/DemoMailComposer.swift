import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds RFC 5322/MIME bytes for the demo mailbox the way real mail software would have encoded them,
/// so the sample content can be written here as readable Unicode text.
enum DemoMailComposer {
    enum TransferEncoding: String {
        case sevenBit = "7bit"
        case eightBit = "8bit"
        case quotedPrintable = "quoted-printable"
        case base64
    }

    indirect enum Part {
        /// A text part; `parameters` go on the Content-Type line after the charset (e.g. `format=flowed`).
        case text(String, subtype: String = "plain", charset: String = "utf-8",
                  encoding: TransferEncoding = .quotedPrintable, parameters: String = "")
        /// A file; `dispositionParameters` is the raw filename parameter text, so RFC 2231 forms can be shown.
        case file([UInt8], type: String, dispositionParameters: String, inline: Bool = false)
        case multipart(String, [Part], parameters: String = "")
        case message([UInt8])
        /// A part whose header block and body are written verbatim (for deliberately odd parts).
        case raw(header: String, body: [UInt8])
    }

    /// Header lines (already encoded where needed) followed by the MIME structure of `body`.
    static func message(headers: [(String, String)], body: Part) -> [UInt8] {
        var counter = 0
        var out: [UInt8] = []
        for (name, value) in headers {
            out += Array("\(name): \(value)\r\n".utf8)
        }
        out += Array("MIME-Version: 1.0\r\n".utf8)
        out += render(body, boundarySeed: headers.map(\.1).joined().utf8.count, counter: &counter)
        return out
    }

    private static func render(_ part: Part, boundarySeed: Int, counter: inout Int) -> [UInt8] {
        switch part {
        case let .text(text, subtype, charset, encoding, parameters):
            let (bytes, label) = encode(text, charset: charset)
            let extra = parameters.isEmpty ? "" : "; \(parameters)"
            return Array("Content-Type: text/\(subtype); charset=\"\(label)\"\(extra)\r\nContent-Transfer-Encoding: \(encoding.rawValue)\r\n\r\n".utf8)
                + transferEncode(bytes, encoding)
        case let .file(bytes, type, dispositionParameters, inline):
            let disposition = inline ? "inline" : "attachment"
            return Array("Content-Type: \(type)\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: \(disposition);\r\n \(dispositionParameters)\r\n\r\n".utf8)
                + base64Lines(bytes)
        case let .multipart(subtype, parts, parameters):
            counter += 1
            let boundary = "=_mb\(String(boundarySeed, radix: 36))_\(counter)_\(subtype.prefix(3))"
            let extra = parameters.isEmpty ? "" : "; \(parameters)"
            var out = Array("Content-Type: multipart/\(subtype); boundary=\"\(boundary)\"\(extra)\r\n\r\n".utf8)
            out += Array("This is a multi-part message in MIME format.\r\n".utf8)
            for part in parts {
                out += Array("\r\n--\(boundary)\r\n".utf8)
                out += render(part, boundarySeed: boundarySeed, counter: &counter)
            }
            out += Array("\r\n--\(boundary)--\r\n".utf8)
            return out
        case let .message(bytes):
            return Array("Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n".utf8) + bytes
        case let .raw(header, body):
            return Array((header + "\r\n\r\n").utf8) + body
        }
    }

    // MARK: - Encodings

    /// Text in `charset`, or UTF-8 with an honest label if this system's iconv lacks the charset.
    static func encode(_ text: String, charset: String) -> (bytes: [UInt8], label: String) {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        if charset.lowercased() == "utf-8" || charset.lowercased() == "us-ascii" {
            return (Array(normalized.utf8), charset)
        }
        guard let bytes = convert(normalized, to: charset) else { return (Array(normalized.utf8), "utf-8") }
        return (bytes, charset)
    }

    private static func convert(_ text: String, to charset: String) -> [UInt8]? {
        let converter = iconv_open(charset, "UTF-8")
        guard let converter, converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = Array(text.utf8).map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: input.count * 4 + 16)
        let written: Int? = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer = inBuffer.baseAddress
                var outPointer = outBuffer.baseAddress
                var inLeft = inBuffer.count
                var outLeft = outBuffer.count
                guard iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) != -1 else { return nil }
                // Stateful charsets such as ISO-2022-JP must shift back to ASCII at the end.
                guard iconv(converter, nil, nil, &outPointer, &outLeft) != -1 else { return nil }
                return outBuffer.count - outLeft
            }
        }
        guard let written else { return nil }
        return output[..<written].map { UInt8(bitPattern: $0) }
    }

    static func transferEncode(_ bytes: [UInt8], _ encoding: TransferEncoding) -> [UInt8] {
        switch encoding {
        case .sevenBit, .eightBit:
            return bytes.last == UInt8(ascii: "\n") ? bytes : bytes + [13, 10]
        case .quotedPrintable:
            return quotedPrintable(bytes)
        case .base64:
            return base64Lines(bytes)
        }
    }

    /// RFC 2045 quoted-printable with soft breaks at 76 columns; CRLF in the input are hard line breaks.
    static func quotedPrintable(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            if index == lines.count - 1 && rawLine.isEmpty { break }
            let line = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            var column = 0
            for (position, byte) in zip(line.indices, line) {
                let isLast = position == line.index(before: line.endIndex)
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 32 || byte == 9) && !isLast)
                let encoded: [UInt8] = literal ? [byte] : Array(String(format: "=%02X", byte).utf8)
                if column + encoded.count > 75 {
                    out += Array("=\r\n".utf8)
                    column = 0
                }
                out += encoded
                column += encoded.count
            }
            out += [13, 10]
        }
        return out
    }

    static func base64Lines(_ bytes: [UInt8]) -> [UInt8] {
        let encoded = Array(Data(bytes).base64EncodedString().utf8)
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count + encoded.count / 38 + 2)
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            out += encoded[start..<end]
            out += [13, 10]
            start = end
        }
        return out
    }

    /// RFC 2047 encoded words for a header value, split so no word exceeds 75 characters and no
    /// character is cut in half; words are folded onto continuation lines.
    static func encodedWords(_ text: String, charset: String, q: Bool = false) -> String {
        var words: [String] = []
        var chunk = ""
        for character in text {
            let candidate = chunk + String(character)
            if !chunk.isEmpty && encodedWord(candidate, charset: charset, q: q).count > 75 {
                words.append(encodedWord(chunk, charset: charset, q: q))
                chunk = String(character)
            } else {
                chunk = candidate
            }
        }
        if !chunk.isEmpty { words.append(encodedWord(chunk, charset: charset, q: q)) }
        return words.joined(separator: "\r\n ")
    }

    private static func encodedWord(_ text: String, charset: String, q: Bool) -> String {
        let (bytes, label) = encode(text, charset: charset)
        guard q else { return "=?\(label)?B?\(Data(bytes).base64EncodedString())?=" }
        let encoded = bytes.map { byte -> String in
            if byte == 32 { return "_" }
            let safe = (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || "!*+-/".utf8.contains(byte)
            return safe ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte)
        }.joined()
        return "=?\(label)?Q?\(encoded)?="
    }

    /// RFC 2231 extended parameter value: UTF-8, percent-encoded outside attribute-char.
    static func rfc2231(_ text: String) -> String {
        Array(text.utf8).map { byte -> String in
            let plain = (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || "!#$&+-.^_`|~".utf8.contains(byte)
            return plain ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }.joined()
    }
}
