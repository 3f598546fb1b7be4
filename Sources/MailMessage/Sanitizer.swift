/// The single gate every string shown on a terminal passes through.
///
/// Mail is attacker-controlled: a subject can carry an OSC sequence that retitles the
/// terminal or writes to the clipboard, a CSI sequence that moves the cursor over other
/// lines, or bidi overrides that make `exe.pdf` read as `fdp.exe`. Removing these here,
/// once, keeps every view (index, pager, `mailbag show`) safe without each view knowing why.
public enum Sanitizer {
    /// Removes ESC with its whole CSI/OSC/DCS/SOS/PM/APC sequence (and the C1 single-byte
    /// introducers of the same), C0 controls except TAB, DEL, C1 controls, bidi controls and
    /// invisible format characters. Line and paragraph separators become spaces so that a
    /// value stays on one line.
    public static func clean(_ s: String) -> String {
        if isAlreadyClean(s) { return s }
        var out = String.UnicodeScalarView()
        let scalars = Array(s.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let v = scalars[i].value
            switch v {
            case 0x1B:
                i = skipEscapeSequence(scalars, from: i + 1)
                continue
            case 0x9B:
                i = skipControlSequence(scalars, from: i + 1)
                continue
            case 0x90, 0x98, 0x9D, 0x9E, 0x9F:
                i = skipControlString(scalars, from: i + 1)
                continue
            case 0x2028, 0x2029:
                out.append(" ")
            default:
                if !isRemoved(v) { out.append(scalars[i]) }
            }
            i += 1
        }
        return String(out)
    }

    /// Fast path: printable ASCII and TAB need no work, which is the common case for
    /// header values and most body lines.
    private static func isAlreadyClean(_ s: String) -> Bool {
        s.withUTF8Bytes { bytes in !bytes.contains { $0 >= 0x7F || ($0 < 0x20 && $0 != 0x09) } }
    }

    /// Whether `clean` drops the scalar wherever it appears (escape sequences aside).
    static func removes(_ scalar: Unicode.Scalar) -> Bool {
        isRemoved(scalar.value)
    }

    /// Whether the scalar opens a sequence that `clean` removes together with the characters after it.
    static func startsSequence(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1B, 0x90, 0x98, 0x9B, 0x9D, 0x9E, 0x9F: return true
        default: return false
        }
    }

    private static func isRemoved(_ v: UInt32) -> Bool {
        switch v {
        case 0x09: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x00AD, 0x061C, 0x180E, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064,
             0x2066...0x206F, 0xFEFF, 0xFFF9...0xFFFB, 0xE0000...0xE007F:
            return true
        default: return false
        }
    }

    /// `i` points just after ESC. Returns the index after the whole sequence.
    private static func skipEscapeSequence(_ s: [Unicode.Scalar], from i: Int) -> Int {
        guard i < s.count else { return i }
        switch s[i].value {
        case 0x5B: return skipControlSequence(s, from: i + 1)            // ESC [  CSI
        case 0x5D, 0x50, 0x58, 0x5E, 0x5F: return skipControlString(s, from: i + 1) // OSC DCS SOS PM APC
        default:
            // ESC, any intermediates (0x20–0x2F), then one final character (e.g. ESC ( B, ESC c).
            var j = i
            while j < s.count, (0x20...0x2F).contains(s[j].value) { j += 1 }
            if j < s.count, (0x30...0x7E).contains(s[j].value) { j += 1 }
            return j
        }
    }

    /// CSI: parameter bytes 0x30–0x3F, intermediates 0x20–0x2F, one final byte 0x40–0x7E.
    /// Anything else ends the sequence early so a malformed one cannot swallow the text.
    private static func skipControlSequence(_ s: [Unicode.Scalar], from i: Int) -> Int {
        var j = i
        while j < s.count, (0x30...0x3F).contains(s[j].value) { j += 1 }
        while j < s.count, (0x20...0x2F).contains(s[j].value) { j += 1 }
        if j < s.count, (0x40...0x7E).contains(s[j].value) { j += 1 }
        return j
    }

    /// OSC/DCS/SOS/PM/APC run until BEL, ESC \ or the C1 ST. An unterminated one is
    /// removed to the end, as a terminal would have swallowed it too.
    private static func skipControlString(_ s: [Unicode.Scalar], from i: Int) -> Int {
        var j = i
        while j < s.count {
            switch s[j].value {
            case 0x07, 0x9C: return j + 1
            case 0x1B:
                if j + 1 < s.count, s[j + 1].value == 0x5C { return j + 2 }
                return j   // a new escape sequence starts; let the caller handle it
            default: j += 1
            }
        }
        return j
    }
}
