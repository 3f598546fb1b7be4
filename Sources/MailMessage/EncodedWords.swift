/// RFC 2047 encoded words (`=?charset?B|Q?text?=`) in header text.
///
/// Lenient where real mail is: words glued to surrounding text, blanks inside Q text and
/// RFC 2231 language suffixes are accepted; a word that cannot be decoded (unknown encoding
/// letter, missing `?=`) stays as it was so the reader still sees something. Adjacent words
/// that share a charset are decoded together, because encoders split multi-byte characters
/// across words.
public enum EncodedWords {
    /// Whether `=?` occurs at all: most header text has no encoded word, and this byte scan is
    /// far cheaper than the general substring search.
    private static func mayHoldWord(_ s: String) -> Bool {
        s.withUTF8Bytes { bytes in
            var previous: UInt8 = 0
            for byte in bytes {
                if previous == 0x3D && byte == 0x3F { return true }
                previous = byte
            }
            return false
        }
    }

    public static func decode(_ s: String) -> String {
        guard s.utf8.count >= 8, mayHoldWord(s) else { return s }
        let b = Array(s.utf8)
        var out = [UInt8]()
        out.reserveCapacity(b.count)
        var pending: [Word] = []
        var literalStart = 0
        var i = 0

        func flushPending() {
            var k = 0
            while k < pending.count {
                var bytes = pending[k].bytes
                var m = k + 1
                while m < pending.count, pending[m].charset.equalsIgnoringASCIICase(pending[k].charset) {
                    bytes.append(contentsOf: pending[m].bytes)
                    m += 1
                }
                out.append(contentsOf: Charset.decode(bytes, label: pending[k].charset).utf8)
                k = m
            }
            pending.removeAll()
        }

        while i + 1 < b.count {
            guard b[i] == 0x3D, b[i + 1] == 0x3F, let word = parseWord(b, at: i) else {
                i += 1
                continue
            }
            let gap = b[literalStart..<i]
            if pending.isEmpty || !gap.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }) {
                flushPending()
                out.append(contentsOf: gap)
            }
            pending.append(word)
            i = word.end
            literalStart = word.end
        }
        flushPending()
        out.append(contentsOf: b[literalStart...])
        return String(decoding: out, as: UTF8.self)
    }

    private struct Word {
        var charset: String
        var bytes: [UInt8]
        var end: Int
    }

    private static func parseWord(_ b: [UInt8], at start: Int) -> Word? {
        let n = b.count
        var j = start + 2
        let csStart = j
        while j < n, b[j] != 0x3F, b[j] > 0x20, b[j] < 0x7F, j - csStart <= 64 { j += 1 }
        guard j < n, b[j] == 0x3F, j > csStart else { return nil }
        let charset = String(decoding: b[csStart..<j], as: UTF8.self)
        guard j + 2 < n, b[j + 2] == 0x3F else { return nil }
        let enc = b[j + 1] | 0x20
        guard enc == 0x62 || enc == 0x71 else { return nil } // b or q
        let textStart = j + 3
        var k = textStart
        while k < n, b[k] != 0x3F { k += 1 }
        guard k + 1 < n, b[k + 1] == 0x3D else { return nil }
        let bytes: [UInt8] = b.withUnsafeBufferPointer { buf in
            let text = UnsafeBufferPointer(rebasing: buf[textStart..<k])
            return enc == 0x62 ? Base64.decode(text) : QuotedPrintable.decode(text, underscoreIsSpace: true)
        }
        return Word(charset: charset, bytes: bytes, end: k + 2)
    }
}
