#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text decoding for any charset a message may declare.
///
/// Foundation on Linux knows only a handful of encodings, so everything beyond UTF-8 and the
/// Windows/Latin-1 family goes through iconv. Labels in mail are often wrong ("us-ascii" on
/// UTF-8 text, "iso-8859-1" on Windows-1252, made-up names), so decoding never fails: an
/// unknown or lying label falls back to UTF-8 where the bytes are valid UTF-8 and to
/// Windows-1252 where they are not.
public enum Charset {
    public static func decode(_ bytes: some Sequence<UInt8>, label: String?) -> String {
        if let done = bytes.withContiguousStorageIfAvailable({ decode(buffer: $0, label: label) }) {
            return done
        }
        let array = Array(bytes)
        return array.withUnsafeBufferPointer { decode(buffer: $0, label: label) }
    }

    static func decode(buffer: UnsafeBufferPointer<UInt8>, label: String?) -> String {
        if isASCII(buffer), !isWideLabel(label) {
            return String(decoding: buffer, as: UTF8.self)
        }
        switch Family(label: label) {
        case .utf8:
            return utf8OrWindows1252(buffer)
        case .windows1252:
            return isValidUTF8(buffer) ? String(decoding: buffer, as: UTF8.self) : windows1252(buffer)
        case .utf16(let bigEndianHint):
            return utf16(buffer, bigEndianByDefault: bigEndianHint)
        case .iconv(let name, let singleByte):
            // A single-byte legacy charset practically never yields valid multi-byte UTF-8 by
            // chance, so valid UTF-8 under such a label means the label lies.
            if singleByte, isValidUTF8(buffer) { return String(decoding: buffer, as: UTF8.self) }
            if let text = iconvDecode(buffer, from: name) { return stripBOM(text) }
            return utf8OrWindows1252(buffer)
        }
    }

    /// Valid UTF-8 sequences decode as UTF-8 and every byte that is not part of one decodes
    /// as Windows-1252. For pure UTF-8 or pure 1252 text this is the documented fallback;
    /// for the common mix (a UTF-8 message with one pasted Latin-1 fragment, or a body cut
    /// inside a character) it keeps all the readable text instead of turning it to mojibake.
    static func utf8OrWindows1252(_ buffer: UnsafeBufferPointer<UInt8>) -> String {
        if isValidUTF8(buffer) { return String(decoding: buffer, as: UTF8.self) }
        return mixed(buffer, damagedUTF8: false)
    }

    /// Raw 8-bit header text: UTF-8 (RFC 6532) or, from older mailers, Windows-1252 or
    /// Latin-1. A header value comes whole from one mailer, so unlike a body it is judged as a
    /// whole: when its valid multi-byte UTF-8 sequences outnumber the spots that are not, it
    /// is UTF-8 that was damaged (Yahoo cuts long names in the middle of a character), and
    /// each damaged spot shows as U+FFFD, not as a Windows-1252 letter that reads like part
    /// of the name. Otherwise it decodes as `utf8OrWindows1252` does.
    static func headerText(_ buffer: UnsafeBufferPointer<UInt8>) -> String {
        if isValidUTF8(buffer) { return String(decoding: buffer, as: UTF8.self) }
        var valid = 0
        var damaged = 0
        var inDamage = false
        var i = 0
        while i < buffer.count {
            if buffer[i] < 0x80 { inDamage = false; i += 1; continue }
            let len = utf8SequenceLength(buffer, at: i)
            if len > 0 {
                valid += 1
                inDamage = false
                i += len
            } else {
                if !inDamage { damaged += 1 }
                inDamage = true
                i += 1
            }
        }
        return mixed(buffer, damagedUTF8: valid > damaged)
    }

    /// Valid UTF-8 sequences as UTF-8; each other byte as Windows-1252, or, for text known to
    /// be damaged UTF-8, each run of such bytes as one U+FFFD.
    private static func mixed(_ buffer: UnsafeBufferPointer<UInt8>, damagedUTF8: Bool) -> String {
        var out = [UInt8]()
        out.reserveCapacity(buffer.count + buffer.count / 4)
        var i = 0
        let n = buffer.count
        while i < n {
            let b = buffer[i]
            if b < 0x80 { out.append(b); i += 1; continue }
            let len = utf8SequenceLength(buffer, at: i)
            if len > 0 {
                out.append(contentsOf: buffer[i..<(i + len)])
                i += len
            } else if damagedUTF8 {
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                i += 1
                while i < n, buffer[i] >= 0x80, utf8SequenceLength(buffer, at: i) == 0 { i += 1 }
            } else {
                appendUTF8(windows1252Scalar(b), to: &out)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Label handling

    private enum Family {
        case utf8
        case windows1252
        case utf16(bigEndianByDefault: Bool)
        case iconv(name: String, singleByte: Bool)

        init(label: String?) {
            guard let label, let name = Charset.normalize(label) else { self = .utf8; return }
            switch name {
            case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8", "unicode-2-0-utf-8":
                self = .utf8
            case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "iso-8859-1", "iso8859-1",
                 "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819", "windows-1252", "cp1252",
                 "x-cp1252", "iso-ir-100", "iso_8859-1:1987", "csisolatin1", "8bit", "unknown-8bit",
                 "x-unknown", "default", "unknown":
                // WHATWG: Latin-1 labels mean Windows-1252 in practice (curly quotes, euro sign).
                self = .windows1252
            case "utf-16", "unicode", "ucs-2", "iso-10646-ucs-2", "csunicode":
                self = .utf16(bigEndianByDefault: true)
            case "utf-16be", "unicodefffe":
                self = .utf16(bigEndianByDefault: true)
            case "utf-16le", "unicodefeff":
                self = .utf16(bigEndianByDefault: false)
            case "gb2312", "gbk", "x-gbk", "cp936", "euc-cn", "csgb2312", "gb_2312-80", "chinese", "gb18030":
                self = .iconv(name: "GB18030", singleByte: false)
            case "ks_c_5601-1987", "ks_c_5601", "ks_c_5601-1989", "euc-kr", "korean", "cp949",
                 "windows-949", "csksc56011987", "ksc5601", "uhc":
                self = .iconv(name: "CP949", singleByte: false)
            case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j",
                 "cp932", "ms932", "x-ms-cp932":
                self = .iconv(name: "CP932", singleByte: false)
            case "big5", "x-x-big5", "big5-hkscs", "cn-big5", "csbig5", "cp950":
                self = .iconv(name: "BIG5-HKSCS", singleByte: false)
            case "iso-8859-8-i", "iso-8859-8-e", "logical", "visual":
                self = .iconv(name: "ISO-8859-8", singleByte: true)
            case "iso-8859-6-i", "iso-8859-6-e":
                self = .iconv(name: "ISO-8859-6", singleByte: true)
            case "x-mac-roman", "macintosh", "mac", "x-mac":
                self = .iconv(name: "MACINTOSH", singleByte: true)
            case "windows-874", "dos-874", "tis-620", "iso-8859-11":
                self = .iconv(name: "CP874", singleByte: true)
            default:
                self = .iconv(name: name.uppercased(), singleByte: Charset.isSingleByte(name))
            }
        }
    }

    /// Lower-cases and strips quotes, whitespace and an RFC 2231 language suffix. Returns nil
    /// for anything that is not a plausible charset name, so arbitrary header text never
    /// reaches iconv_open (which would otherwise accept suffixes like //TRANSLIT).
    static func normalize(_ label: String) -> String? {
        var name = label.trimmingWhitespace()
        if name.hasPrefix("\"") || name.hasPrefix("'") { name.removeFirst() }
        if name.hasSuffix("\"") || name.hasSuffix("'") { name.removeLast() }
        if let star = name.firstIndex(of: "*") { name = String(name[..<star]) }
        name = name.trimmingWhitespace().lowercased()
        guard !name.isEmpty, name.utf8.count <= 40 else { return nil }
        for b in name.utf8 {
            let ok = (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F
                || b == 0x2E || b == 0x3A
            if !ok { return nil }
        }
        return name
    }

    private static func isSingleByte(_ name: String) -> Bool {
        name.hasPrefix("iso-8859-") || name.hasPrefix("iso8859-") || name.hasPrefix("iso_8859-")
            || name.hasPrefix("windows-125") || name.hasPrefix("cp125") || name.hasPrefix("koi8")
            || name.hasPrefix("ibm") || name.hasPrefix("cp8") || name.hasPrefix("latin")
    }

    private static func isWideLabel(_ label: String?) -> Bool {
        guard let label, let name = normalize(label) else { return false }
        return name.hasPrefix("utf-16") || name.hasPrefix("utf-32") || name.hasPrefix("ucs-")
            || name == "unicode" || name.hasPrefix("utf-7") || name.hasPrefix("unicode-1-1-utf-7")
            || name.hasPrefix("iso-2022") || name.hasPrefix("hz")
    }

    // MARK: - Decoders

    private static func iconvDecode(_ input: UnsafeBufferPointer<UInt8>, from name: String) -> String? {
        let cd = iconv_open("UTF-8", name)
        guard let cd, cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        guard let base = input.baseAddress, !input.isEmpty else { return "" }
        var out = [UInt8]()
        out.reserveCapacity(input.count * 2)
        let chunk = 64 * 1024
        var scratch = [UInt8](repeating: 0, count: chunk)
        var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: base)
            .assumingMemoryBound(to: CChar.self)
        var inLeft = input.count
        var failures = 0
        scratch.withUnsafeMutableBufferPointer { scratchBuf in
            let scratchBase = UnsafeMutableRawPointer(scratchBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
            func drain(_ outPtr: UnsafeMutablePointer<CChar>?) {
                let produced = (outPtr.map { $0 - scratchBase }) ?? 0
                out.append(contentsOf: UnsafeBufferPointer(start: scratchBuf.baseAddress, count: produced))
            }
            while inLeft > 0 {
                var outPtr: UnsafeMutablePointer<CChar>? = scratchBase
                var outLeft = chunk
                let rc = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                let err = errno
                drain(outPtr)
                if rc != -1 { continue }
                switch err {
                case E2BIG:
                    continue
                case EILSEQ, EINVAL:
                    // An invalid or truncated sequence: show U+FFFD and resynchronise on the
                    // next byte, as a mail reader must keep the rest of the text readable.
                    failures += 1
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    inPtr = inPtr.map { $0 + 1 }
                    inLeft -= 1
                default:
                    inLeft = 0
                }
            }
            var outPtr: UnsafeMutablePointer<CChar>? = scratchBase
            var outLeft = chunk
            _ = iconv(cd, nil, nil, &outPtr, &outLeft)
            drain(outPtr)
        }
        if failures > 0, isValidUTF8(input) { return String(decoding: input, as: UTF8.self) }
        return String(decoding: out, as: UTF8.self)
    }

    private static func utf16(_ b: UnsafeBufferPointer<UInt8>, bigEndianByDefault: Bool) -> String {
        var start = 0
        var bigEndian = bigEndianByDefault
        if b.count >= 2 {
            if b[0] == 0xFE && b[1] == 0xFF { bigEndian = true; start = 2 }
            else if b[0] == 0xFF && b[1] == 0xFE { bigEndian = false; start = 2 }
        }
        var units = [UInt16]()
        units.reserveCapacity((b.count - start) / 2)
        var i = start
        while i + 1 < b.count {
            let u = bigEndian ? UInt16(b[i]) << 8 | UInt16(b[i + 1]) : UInt16(b[i + 1]) << 8 | UInt16(b[i])
            units.append(u)
            i += 2
        }
        return stripBOM(String(decoding: units, as: UTF16.self))
    }

    private static func stripBOM(_ s: String) -> String {
        s.unicodeScalars.first == "\u{FEFF}" ? String(s.unicodeScalars.dropFirst()) : s
    }

    static func windows1252(_ b: UnsafeBufferPointer<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(b.count + b.count / 2)
        for byte in b {
            if byte < 0x80 { out.append(byte) } else { appendUTF8(windows1252Scalar(byte), to: &out) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let cp1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    /// The scalar windows-1252 gives byte `b`; also HTML's reading of `&#128;`–`&#159;`.
    static func windows1252Scalar(_ b: UInt8) -> UInt32 {
        (0x80...0x9F).contains(b) ? cp1252High[Int(b) - 0x80] : UInt32(b)
    }

    private static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        if v < 0x80 {
            out.append(UInt8(v))
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    // MARK: - Byte checks

    static func isASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in b where byte >= 0x80 { return false }
        return true
    }

    static func isValidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < b.count {
            if b[i] < 0x80 { i += 1; continue }
            let len = utf8SequenceLength(b, at: i)
            if len == 0 { return false }
            i += len
        }
        return true
    }

    /// Length of the well-formed UTF-8 sequence starting at `i`, or 0 if there is none
    /// (overlongs, surrogates and values above U+10FFFF are not well-formed).
    static func utf8SequenceLength(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let n = b.count
        let b0 = b[i]
        func cont(_ k: Int) -> Bool { i + k < n && b[i + k] & 0xC0 == 0x80 }
        switch b0 {
        case 0xC2...0xDF:
            return cont(1) ? 2 : 0
        case 0xE0:
            return i + 2 < n && (0xA0...0xBF).contains(b[i + 1]) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return cont(1) && cont(2) ? 3 : 0
        case 0xED:
            return i + 2 < n && (0x80...0x9F).contains(b[i + 1]) && cont(2) ? 3 : 0
        case 0xF0:
            return i + 3 < n && (0x90...0xBF).contains(b[i + 1]) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3:
            return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4:
            return i + 3 < n && (0x80...0x8F).contains(b[i + 1]) && cont(2) && cont(3) ? 4 : 0
        default:
            return 0
        }
    }
}

extension String {
    /// Trims SP, TAB, CR and LF (the whitespace of mail syntax) without Foundation.
    func trimmingWhitespace() -> String {
        withUTF8Bytes { bytes in
            let kept = bytes.trimmingBlanks(bytes.indices)
            return kept.count == bytes.count ? self : bytes.string(kept)
        }
    }
}
