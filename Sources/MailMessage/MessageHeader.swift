#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One header field, unfolded. `value` is the raw text (RFC 2047 words still encoded), with
/// 8-bit bytes decoded by `Charset.headerText`: UTF-8 (RFC 6532), or Windows-1252 where the
/// value is not UTF-8.
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

    /// The first value of each field named in `names` (compared case-insensitively), in the
    /// order of `names`, nil where there is none: for callers that read a handful of fields from
    /// many headers. The other fields are stepped over without being decoded, and no field is
    /// looked up by name afterwards.
    static func firstValues(_ bytes: [UInt8], of names: FieldNames) -> [String?] {
        var values = [String?](repeating: nil, count: names.count)
        bytes.withUnsafeBufferPointer { buf in
            _ = scan(buf, in: 0..<buf.count, naming: names.index(matching:)) { slot, value in
                if case .none = values[slot] { values[slot] = decodeValue(value) }
            }
        }
        return values
    }

    static func parse(_ buf: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> (header: MessageHeader, bodyStart: Int) {
        var fields: [HeaderField] = []
        let bodyStart = scan(buf, in: range, naming: { String(decoding: $0, as: UTF8.self) }) { name, value in
            if fields.count < maxFields { fields.append(HeaderField(name: name, value: decodeValue(value))) }
        }
        return (MessageHeader(fields: fields), bodyStart)
    }

    /// Walks the fields of the header block in `range`, unfolding each one `naming` gives a key
    /// (nil: skipped undecoded) and handing it to `keep`. Returns where the body starts.
    private static func scan<Key>(
        _ buf: UnsafeBufferPointer<UInt8>, in range: Range<Int>,
        naming: (UnsafeBufferPointer<UInt8>) -> Key?, keep: (Key, [UInt8]) -> Void
    ) -> Int {
        var current = CurrentField<Key>.none
        var value: [UInt8] = []
        var i = range.lowerBound
        let end = range.upperBound

        func flush() {
            if case .kept(let key) = current { keep(key, value) }
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
                return next
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
                        return i
                    }
                }
                i = next
                continue
            }
            guard let colon = fieldNameEnd(buf, from: i, end: contentEnd) else {
                flush()
                return i
            }
            flush()
            if let key = naming(UnsafeBufferPointer(rebasing: buf[i..<colon.nameEnd])) {
                current = .kept(key)
                value.append(contentsOf: UnsafeBufferPointer(rebasing: buf[(colon.colon + 1)..<contentEnd]))
            } else {
                current = .skipped
            }
            i = next
        }
        flush()
        return end
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
        return raw[lo..<hi].withUnsafeBufferPointer { Charset.headerText($0) }
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

/// The field whose continuation lines come next, as `MessageHeader.scan` walks the lines.
private enum CurrentField<Key> {
    case none
    case kept(Key)
    case skipped
}

/// A list of header field names matched against raw bytes, ignoring ASCII case.
struct FieldNames: Sendable {
    private let lowercased: [[UInt8]]

    init(_ names: [String]) {
        lowercased = names.map { Array($0.lowercased().utf8) }
    }

    var count: Int { lowercased.count }

    /// Where in the list given to `init` the name `name` spells in any case is, or nil.
    func index(matching name: UnsafeBufferPointer<UInt8>) -> Int? {
        for index in lowercased.indices {
            let matches = lowercased[index].withUnsafeBufferPointer { candidate in
                guard candidate.count == name.count else { return false }
                for k in 0..<candidate.count {
                    let b = name[k]
                    if (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) != candidate[k] { return false }
                }
                return true
            }
            if matches { return index }
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
