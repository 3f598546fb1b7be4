#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text as a terminal cell grid sees it: widths measured with the C library's `wcwidth` (CJK and
/// emoji take two cells, combining marks none) and cuts made only between grapheme clusters,
/// so a character is never split and a combining mark never loses its base.
///
/// Widths count a scalar the terminal cannot print as one cell, because `printable` shows it as
/// U+FFFD; measuring and drawing therefore always agree.
public enum TerminalText {
    /// `wcwidth` answers from LC_CTYPE; a UTF-8 locale is needed for it to know anything beyond
    /// ASCII, so the first measurement makes sure one is set (the terminal does the same before
    /// `initscr`).
    private static let utf8Locale: Bool = ensureUTF8Locale()

    /// Sets LC_CTYPE from the environment, falling back to C.UTF-8 when that is not UTF-8.
    /// Returns whether a UTF-8 LC_CTYPE is in force.
    @discardableResult
    public static func ensureUTF8Locale() -> Bool {
        if isUTF8() { return true }
        setlocale(LC_CTYPE, "")
        if isUTF8() { return true }
        setlocale(LC_CTYPE, "C.UTF-8")
        return isUTF8()
    }

    private static func isUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    /// Cells one scalar occupies once drawn.
    public static func width(of scalar: Unicode.Scalar) -> Int {
        // ASCII controls are drawn as U+FFFD and tabs as a space: one cell either way.
        if scalar.value < 0x7F { return 1 }
        let w = wcwidthOf(scalar)
        return w < 0 || isUnsafe(scalar) ? 1 : w
    }

    public static func width(of character: Character) -> Int {
        character.unicodeScalars.reduce(0) { $0 + width(of: $1) }
    }

    public static func width(of string: some StringProtocol) -> Int {
        if isPlainASCII(string) { return string.utf8.count }
        var total = 0
        for scalar in string.unicodeScalars { total += width(of: scalar) }
        return total
    }

    /// Printable ASCII only: one cell per byte and nothing to replace, the common case by far, so
    /// it skips the per-scalar work of the general paths.
    public static func isPlainASCII(_ s: some StringProtocol) -> Bool {
        // Through a concrete Substring: callers in other modules reach this unspecialised.
        let utf8 = Substring(s).utf8
        let plain = { (byte: UInt8) in byte >= 0x20 && byte < 0x7F }
        return utf8.withContiguousStorageIfAvailable { $0.allSatisfy(plain) } ?? utf8.allSatisfy(plain)
    }

    /// Scalars that must never reach the terminal as themselves: C0, DEL, C1, and format or
    /// separator characters that could reorder or hide text. Mail is hostile; the sanitizer
    /// removes these earlier, this is the last line of defence.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20..<0x7F: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        default: break
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
            return true
        default:
            return false
        }
    }

    /// `s` with every unsafe or unprintable scalar replaced by U+FFFD, and tabs by a space.
    public static func printable(_ s: some StringProtocol) -> String {
        func needsReplacing(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\t" || isUnsafe(scalar) || (scalar.value >= 0x7F && wcwidthOf(scalar) < 0)
        }
        // Checking is much cheaper than rebuilding, and nearly all text is already printable.
        if isPlainASCII(s) || !s.unicodeScalars.contains(where: needsReplacing) { return String(s) }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            if scalar == "\t" {
                out.append(" ")
            } else if needsReplacing(scalar) {
                out.append("\u{FFFD}")
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// The C library's `wcwidth`, looked up at run time: Glibc declares it only for
    /// `_XOPEN_SOURCE`, which the Swift Glibc module is not built with.
    private static let cWcwidth: @convention(c) (Int32) -> Int32 = {
        guard let symbol = dlsym(nil, "wcwidth") else {
            preconditionFailure("The C library has no wcwidth.")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    private static func wcwidthOf(_ scalar: Unicode.Scalar) -> Int {
        _ = utf8Locale
        return Int(cWcwidth(Int32(bitPattern: scalar.value)))
    }

    /// The longest prefix of `s` at most `width` cells wide, cut between characters.
    public static func prefix(_ s: some StringProtocol, width: Int) -> Substring {
        let s = Substring(s)
        if isPlainASCII(s) { return s.utf8.count <= width ? s : s.prefix(max(width, 0)) }
        var used = 0
        var end = s.startIndex
        for index in s.indices {
            let w = Self.width(of: s[index])
            if used + w > width { break }
            used += w
            end = s.index(after: index)
        }
        return s[..<end]
    }

    /// `s` made exactly `width` cells wide: cut with an ellipsis when too long, padded with
    /// spaces (on the right, or on the left with `alignRight`) when too short.
    public static func fit(_ s: some StringProtocol, width: Int, alignRight: Bool = false) -> String {
        guard width > 0 else { return "" }
        let w = self.width(of: s)
        if w <= width {
            let padding = String(repeating: " ", count: width - w)
            return alignRight ? padding + s : String(s) + padding
        }
        let cut = prefix(s, width: width - 1)
        return String(cut) + "…" + String(repeating: " ", count: width - 1 - self.width(of: cut))
    }

    /// Splits `s` into lines at most `width` cells wide, breaking after the last space that fits
    /// when there is one, else between characters. A blank line stays one blank line.
    public static func wrap(_ s: some StringProtocol, width: Int) -> [Substring] {
        let s = Substring(s)
        guard width > 0 else { return [s] }
        var lines: [Substring] = []
        var start = s.startIndex
        while start < s.endIndex {
            var used = 0
            var index = start
            var lastBreak: String.Index?
            while index < s.endIndex {
                let w = Self.width(of: s[index])
                if used + w > width { break }
                used += w
                if s[index] == " " { lastBreak = s.index(after: index) }
                index = s.index(after: index)
            }
            if index == s.endIndex {
                lines.append(s[start...])
                break
            }
            if s[index] == " " {
                // The overflow is a space: the line ends here and the space goes with the break.
                lines.append(s[start..<index])
                start = s.index(after: index)
                continue
            }
            if index == start {
                // A character wider than the whole line: give it a line of its own anyway.
                index = s.index(after: start)
            } else if let lastBreak, lastBreak > start {
                index = lastBreak
            }
            lines.append(s[start..<index])
            start = index
        }
        return lines.isEmpty ? [s] : lines
    }

    /// Replaces tabs with spaces up to the next multiple of eight cells, as a terminal would.
    public static func expandTabs(_ s: String) -> String {
        guard s.contains("\t" as Character) else { return s }
        var out = ""
        var column = 0
        for character in s {
            if character == "\t" {
                let spaces = 8 - column % 8
                out += String(repeating: " ", count: spaces)
                column += spaces
            } else {
                out.append(character)
                column += width(of: character)
            }
        }
        return out
    }
}
