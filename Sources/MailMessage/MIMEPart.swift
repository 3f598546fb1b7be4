#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One node of a message's MIME tree. Bodies are ranges into the message bytes (shared, not
/// copied), so a 20 MB attachment costs nothing until somebody decodes it.
struct MIMEPart: Sendable {
    indirect enum Content: Sendable {
        case leaf
        case multipart([MIMEPart])
        /// message/rfc822 (or message/global): the embedded message, parsed.
        case message(MIMEPart)
    }

    var header: MessageHeader
    var contentType: ContentType
    var disposition: ContentDisposition?
    var encoding: TransferEncoding
    var storage: [UInt8]
    var body: Range<Int>
    var content: Content

    var isText: Bool { contentType.type == "text" }
    var isAttachmentDisposition: Bool { disposition?.isAttachment ?? false }

    /// The declared file name (Content-Disposition filename, else Content-Type name), with
    /// RFC 2231 and RFC 2047 decoding, sanitized for display. Nil when none was given.
    var filename: String? {
        guard let raw = disposition?.filename ?? contentType["name"] else { return nil }
        let name = AddressList.collapseBlanks(Sanitizer.clean(AddressList.collapseBlanks(EncodedWords.decode(raw))))
        return name.isEmpty ? nil : name
    }

    var contentID: String? {
        header["Content-ID"].map { $0.trimmingWhitespace().trimmingAngleBrackets() }
    }

    func decodedBody() -> [UInt8] {
        storage.withUnsafeBufferPointer { encoding.decode(UnsafeBufferPointer(rebasing: $0[body])) }
    }

    var decodedSize: Int {
        storage.withUnsafeBufferPointer { encoding.decodedCount(UnsafeBufferPointer(rebasing: $0[body])) }
    }
}

/// Builds the MIME tree, bounded in depth and part count so that hostile nesting or a
/// million boundaries cost bounded time and memory. Anything past a bound stays a leaf (its
/// bytes are still listed and savable), never an error.
struct MIMEParser {
    let maxDepth: Int
    private(set) var partsLeft: Int
    private(set) var hitLimit = false

    init(maxDepth: Int, maxParts: Int) {
        self.maxDepth = max(1, maxDepth)
        self.partsLeft = max(1, maxParts)
    }

    mutating func parseMessage(_ storage: [UInt8]) -> MIMEPart {
        parse(storage, range: 0..<storage.count, depth: 0,
              defaultType: ContentType(type: "text", subtype: "plain"))
    }

    private mutating func parse(_ storage: [UInt8], range: Range<Int>, depth: Int, defaultType: ContentType) -> MIMEPart {
        partsLeft -= 1
        let (header, bodyStart) = storage.withUnsafeBufferPointer { MessageHeader.parse($0, in: range) }
        let contentType = header["Content-Type"].map(ContentType.init) ?? defaultType
        var part = MIMEPart(
            header: header,
            contentType: contentType,
            disposition: header["Content-Disposition"].map(ContentDisposition.init),
            encoding: TransferEncoding(header: header["Content-Transfer-Encoding"]),
            storage: storage,
            body: min(bodyStart, range.upperBound)..<range.upperBound,
            content: .leaf
        )
        guard depth < maxDepth else {
            if contentType.type == "multipart" || contentType.type == "message" { hitLimit = true }
            return part
        }
        switch (contentType.type, contentType.subtype) {
        case ("multipart", _):
            guard let ranges = splitMultipart(part) else {
                // No usable boundary: show the body as text rather than lose it.
                part.contentType = ContentType(type: "text", subtype: "plain", parameters: contentType.parameters)
                return part
            }
            let childDefault = contentType.subtype == "digest"
                ? ContentType(type: "message", subtype: "rfc822")
                : ContentType(type: "text", subtype: "plain")
            var children: [MIMEPart] = []
            for r in ranges {
                guard partsLeft > 0 else { hitLimit = true; break }
                children.append(parse(storage, range: r, depth: depth + 1, defaultType: childDefault))
            }
            part.content = .multipart(children)
        case ("message", "rfc822"), ("message", "global"):
            guard partsLeft > 0 else { hitLimit = true; return part }
            if part.encoding == .identity {
                part.content = .message(parse(storage, range: part.body, depth: depth + 1, defaultType: defaultText))
            } else {
                // Encoding an embedded message is forbidden by RFC 2046 but happens.
                let inner = part.decodedBody()
                part.content = .message(parse(inner, range: 0..<inner.count, depth: depth + 1, defaultType: defaultText))
            }
        default:
            break
        }
        return part
    }

    private var defaultText: ContentType { ContentType(type: "text", subtype: "plain") }

    /// The body ranges between delimiter lines, or nil when no delimiter is found. A missing
    /// close delimiter (truncated or broken mail) lets the last part run to the end.
    private func splitMultipart(_ part: MIMEPart) -> [Range<Int>]? {
        part.storage.withUnsafeBufferPointer { buf -> [Range<Int>]? in
            if let declared = part.contentType["boundary"], !declared.isEmpty,
               let ranges = Self.split(buf, part.body, boundary: Array(declared.utf8), limit: partsLeft) {
                return ranges
            }
            guard let guessed = Self.guessBoundary(buf, part.body) else { return nil }
            return Self.split(buf, part.body, boundary: guessed, limit: partsLeft)
        }
    }

    /// Stops after `limit` parts: the rest could not be parsed anyway, and scanning on would
    /// only cost time.
    private static func split(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, boundary: [UInt8],
                              limit: Int = .max) -> [Range<Int>]? {
        var ranges: [Range<Int>] = []
        var partStart: Int?
        var lineStart = range.lowerBound
        let end = range.upperBound
        while lineStart < end {
            let (contentEnd, next) = lineEnd(buf, from: lineStart, end: end)
            if let close = delimiter(buf, lineStart, contentEnd, boundary) {
                if let s = partStart {
                    // The line break before a delimiter belongs to the delimiter.
                    var e = lineStart
                    if e > s, buf[e - 1] == 0x0A { e -= 1 }
                    if e > s, buf[e - 1] == 0x0D { e -= 1 }
                    ranges.append(s..<max(s, e))
                }
                if close { return ranges.isEmpty && partStart == nil ? nil : ranges }
                if ranges.count >= limit { return ranges }
                partStart = next
            }
            lineStart = next
        }
        guard let s = partStart else { return nil }
        ranges.append(s..<end)
        return ranges
    }

    /// Returns nil if the line is not a delimiter, false for `--boundary`, true for the
    /// closing `--boundary--`. Trailing blanks (transport padding) are allowed.
    @inline(__always)
    private static func delimiter(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ boundary: [UInt8]) -> Bool? {
        let n = boundary.count
        guard end - start >= n + 2, buf[start] == 0x2D, buf[start + 1] == 0x2D else { return nil }
        var k = 0
        while k < n {
            if buf[start + 2 + k] != boundary[k] { return nil }
            k += 1
        }
        var j = start + 2 + n
        var close = false
        if j + 1 < end, buf[j] == 0x2D, buf[j + 1] == 0x2D {
            close = true
            j += 2
        }
        while j < end {
            if buf[j] != 0x20 && buf[j] != 0x09 { return nil }
            j += 1
        }
        return close
    }

    /// For a multipart without a usable boundary parameter: the first `--token` line that
    /// occurs again later and is followed by something header-like. Stricter than "any line
    /// starting with --" so a signature or an "-----Original Message-----" line is not taken.
    private static func guessBoundary(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8]? {
        var lineStart = range.lowerBound
        var tried = 0
        while lineStart < range.upperBound, tried < 20 {
            let (contentEnd, next) = lineEnd(buf, from: lineStart, end: range.upperBound)
            if contentEnd - lineStart > 3, buf[lineStart] == 0x2D, buf[lineStart + 1] == 0x2D,
               buf[lineStart + 2] != 0x20 {
                tried += 1
                var e = contentEnd
                while e > lineStart + 2, buf[e - 1] == 0x20 || buf[e - 1] == 0x09 { e -= 1 }
                let candidate = Array(buf[(lineStart + 2)..<e])
                let nextLine = Array(buf[next..<lineEnd(buf, from: next, end: range.upperBound).contentEnd])
                if startsWithContentField(nextLine),
                   let ranges = split(buf, range, boundary: candidate, limit: 1), !ranges.isEmpty {
                    return candidate
                }
            }
            lineStart = next
        }
        return nil
    }

    private static func startsWithContentField(_ line: [UInt8]) -> Bool {
        let prefix = Array("content-".utf8)
        guard line.count > prefix.count else { return false }
        for (k, c) in prefix.enumerated() where line[k] | 0x20 != c && !(c == 0x2D && line[k] == 0x2D) {
            return false
        }
        return true
    }
}

extension String {
    func trimmingAngleBrackets() -> String {
        var s = Substring(self)
        if s.hasPrefix("<") { s = s.dropFirst() }
        if s.hasSuffix(">") { s = s.dropLast() }
        return String(s)
    }
}
