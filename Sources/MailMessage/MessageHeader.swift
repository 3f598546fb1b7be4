#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One header field, unfolded. `value` is the raw text (RFC 2047 words still encoded), with
/// 8-bit bytes decoded as UTF-8 (RFC 6532) or, where they are not valid UTF-8, Windows-1252.
public struct HeaderField: Sendable, Equatable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The header block of a message or of a MIME part.
public struct MessageHeader: Sendable, Equatable {
    public let fields: [HeaderField]

    /// A header bomb (hundreds of thousands of tiny fields) must not cost unbounded memory;
    /// real messages stay far below this.
    static let maxFields = 5_000

    public init(fields: [HeaderField]) {
        self.fields = fields
    }

    /// The first field with this name, compared case-insensitively.
    public subscript(_ name: String) -> String? {
        fields.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    public func all(_ name: String) -> [String] {
        fields.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    /// Parses the header block at the start of `bytes`. `bodyStart` is the offset of the first
    /// body byte. Tolerates bare LF, a leading mbox `From ` line, and a missing blank line
    /// (the body then starts at the first line that is neither a field nor a continuation).
    public static func parse(_ bytes: [UInt8]) -> (header: MessageHeader, bodyStart: Int) {
        bytes.withUnsafeBufferPointer { parse($0, in: 0..<$0.count) }
    }

    /// Only the fields named in `names` (compared case-insensitively, and named as `names` spells
    /// them), for callers that read a handful of fields from many headers: the others are
    /// stepped over without being decoded.
    static func parse(_ bytes: [UInt8], keeping names: FieldNames) -> MessageHeader {
        bytes.withUnsafeBufferPointer { parse($0, in: 0..<$0.count, keeping: names).header }
    }

    static func parse(
        _ buf: UnsafeBufferPointer<UInt8>, in range: Range<Int>, keeping names: FieldNames? = nil
    ) -> (header: MessageHeader, bodyStart: Int) {
        /// The field whose continuation lines come next.
        enum Current {
            case none
            case kept(name: String)
            case skipped
        }
        var fields: [HeaderField] = []
        var current = Current.none
        var value: [UInt8] = []
        var i = range.lowerBound
        let end = range.upperBound

        func flush() {
            if case .kept(let name) = current, fields.count < maxFields {
                fields.append(HeaderField(name: name, value: decodeValue(value)))
            }
            current = .none
            value.removeAll(keepingCapacity: true)
        }

        // An mbox envelope line is not a header but often survives in saved or forwarded mail.
        if startsWith(buf, at: i, end: end, "From ") {
            i = lineEnd(buf, from: i, end: end).next
        }

        while i < end {
            let (contentEnd, next) = lineEnd(buf, from: i, end: end)
            if contentEnd == i {
                flush()
                return (MessageHeader(fields: fields), next)
            }
            let first = buf[i]
            if first == 0x20 || first == 0x09 {
                switch current {
                case .kept:
                    value.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<contentEnd]))
                case .skipped:
                    break
                case .none:
                    if !isBlank(buf, i..<contentEnd) {
                        // Indented text with no field to continue: this is body text.
                        return (MessageHeader(fields: fields), i)
                    }
                }
                i = next
                continue
            }
            guard let colon = fieldNameEnd(buf, from: i, end: contentEnd) else {
                flush()
                return (MessageHeader(fields: fields), i)
            }
            flush()
            let name = UnsafeBufferPointer(rebasing: buf[i..<colon.nameEnd])
            let kept = names.map { $0.match(name) } ?? String(decoding: name, as: UTF8.self)
            if let kept {
                current = .kept(name: kept)
                value.append(contentsOf: UnsafeBufferPointer(rebasing: buf[(colon.colon + 1)..<contentEnd]))
            } else {
                current = .skipped
            }
            i = next
        }
        flush()
        return (MessageHeader(fields: fields), end)
    }

    /// Returns where the field name ends and where its colon is, or nil if the line is not a
    /// field. Names are printable ASCII without spaces; obsolete syntax allows blanks before
    /// the colon.
    private static func fieldNameEnd(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, end: Int) -> (nameEnd: Int, colon: Int)? {
        var j = start
        while j < end {
            let b = buf[j]
            if b == 0x3A { break }
            if b <= 0x20 || b >= 0x7F { break }
            j += 1
        }
        let nameEnd = j
        guard nameEnd > start else { return nil }
        while j < end, buf[j] == 0x20 || buf[j] == 0x09 { j += 1 }
        guard j < end, buf[j] == 0x3A else { return nil }
        return (nameEnd, j)
    }

    private static func decodeValue(_ raw: [UInt8]) -> String {
        var lo = 0
        var hi = raw.count
        while lo < hi, raw[lo] == 0x20 || raw[lo] == 0x09 { lo += 1 }
        while hi > lo, raw[hi - 1] == 0x20 || raw[hi - 1] == 0x09 || raw[hi - 1] == 0x0D { hi -= 1 }
        return raw[lo..<hi].withUnsafeBufferPointer { Charset.utf8OrWindows1252($0) }
    }

    private static func isBlank(_ buf: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        for k in r where buf[k] != 0x20 && buf[k] != 0x09 { return false }
        return true
    }

    private static func startsWith(_ buf: UnsafeBufferPointer<UInt8>, at i: Int, end: Int, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard end - i >= n else { return false }
        let p = s.utf8Start
        for k in 0..<n where buf[i + k] != p[k] { return false }
        return true
    }
}

/// A set of header field names matched against raw bytes, ignoring ASCII case.
struct FieldNames: Sendable {
    private let names: [String]
    private let lowercased: [[UInt8]]

    init(_ names: [String]) {
        self.names = names
        lowercased = names.map { Array($0.lowercased().utf8) }
    }

    /// The name as given to `init` that `name` spells in any case, or nil.
    func match(_ name: UnsafeBufferPointer<UInt8>) -> String? {
        candidates: for (index, candidate) in lowercased.enumerated() where candidate.count == name.count {
            for (k, byte) in candidate.enumerated() {
                let b = name[k]
                if (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) != byte { continue candidates }
            }
            return names[index]
        }
        return nil
    }
}

/// Finds the end of the line starting at `i`: `contentEnd` excludes CR LF (or a bare LF),
/// `next` is the start of the following line.
@inline(__always)
func lineEnd(_ buf: UnsafeBufferPointer<UInt8>, from i: Int, end: Int) -> (contentEnd: Int, next: Int) {
    guard i < end, let base = buf.baseAddress else { return (end, end) }
    guard let hit = memchr(base + i, 0x0A, end - i) else { return (end, end) }
    let nl = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
    var contentEnd = nl
    if contentEnd > i, buf[contentEnd - 1] == 0x0D { contentEnd -= 1 }
    return (contentEnd, nl + 1)
}

extension String {
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        let a = utf8
        let b = other.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            let lx = (x >= 0x41 && x <= 0x5A) ? x | 0x20 : x
            let ly = (y >= 0x41 && y <= 0x5A) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }
}
