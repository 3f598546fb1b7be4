#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one measure of how many terminal cells text takes: the C library's `wcwidth`, which is what
/// ncurses draws with, so whatever aligns text (HTML tables, tab stops, the index columns, the pager)
/// agrees with the screen. CJK and emoji take two cells, combining marks none.
///
/// A scalar the terminal cannot print counts one cell, because `TerminalText.printable` shows it as
/// U+FFFD.
public enum DisplayWidth {
    /// `wcwidth` answers from LC_CTYPE and knows nothing beyond ASCII without a UTF-8 locale, so the
    /// first measurement makes sure one is set; results never depend on whether the caller did.
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
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        // ASCII controls are drawn as U+FFFD and tabs as a space: one cell either way.
        if scalar.value < 0x7F { return 1 }
        // Latin-1 and Latin Extended (the soft hyphen drawn as U+FFFD): one cell in every `wcwidth`,
        // and skipping the call keeps accented text nearly as cheap as ASCII.
        if (0xA0..<0x300).contains(scalar.value) { return 1 }
        let w = wcwidth(scalar)
        // Unsafe scalars are drawn as U+FFFD, one cell, so only another width needs the slower check.
        return w == 1 || w < 0 || isUnsafe(scalar) ? 1 : w
    }

    public static func of(_ character: Character) -> Int {
        character.unicodeScalars.reduce(0) { $0 + of($1) }
    }

    public static func of(_ string: some StringProtocol) -> Int {
        // Through a concrete Substring: callers in other modules reach this unspecialised.
        let string = Substring(string)
        if isPlainASCII(string) { return string.utf8.count }
        var total = 0
        for scalar in string.unicodeScalars { total += of(scalar) }
        return total
    }

    /// Cells UTF-8 text takes once `Sanitizer.clean` has removed what it removes and the terminal has
    /// drawn the rest: the measure for layout done before the sanitizer runs, such as HTML tables.
    static func ofSanitized<Bytes: Collection<UInt8>>(utf8 bytes: Bytes) -> Int {
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return bytes.count }
        var total = 0
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                // An escape sequence takes printable characters with it; only the sanitizer knows how many.
                if Sanitizer.startsSequence(scalar) {
                    return of(Sanitizer.clean(String(decoding: bytes, as: UTF8.self)))
                }
                if !Sanitizer.removes(scalar) { total += of(scalar) }
            case .error:
                total += 1
            case .emptyInput:
                return total
            }
        }
    }

    /// Printable ASCII only: one cell per byte and nothing to replace, the common case by far, so
    /// it skips the per-scalar work of the general paths.
    public static func isPlainASCII(_ s: some StringProtocol) -> Bool {
        // Through a concrete Substring: callers in other modules reach this unspecialised.
        let utf8 = Substring(s).utf8
        let plain = { (byte: UInt8) in byte >= 0x20 && byte < 0x7F }
        return utf8.withContiguousStorageIfAvailable { $0.allSatisfy(plain) } ?? utf8.allSatisfy(plain)
    }

    /// Whether the terminal can draw the scalar as itself: it is safe and `wcwidth` knows it.
    public static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x7F { return scalar.value >= 0x20 }
        return !isUnsafe(scalar) && wcwidth(scalar) >= 0
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

    /// Replaces tabs with spaces up to the next multiple of eight cells, as a terminal would.
    public static func expandingTabs(_ s: String) -> String {
        guard s.utf8.contains(0x09) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        var column = 0
        for character in s {
            if character == "\t" {
                let spaces = 8 - column % 8
                out.append(String(repeating: " ", count: spaces))
                column += spaces
            } else {
                out.append(character)
                column += of(character)
            }
        }
        return out
    }

    /// The C library's `wcwidth`, looked up at run time: Glibc declares it only for
    /// `_XOPEN_SOURCE`, which the Swift Glibc module is not built with.
    private static let cWcwidth: @convention(c) (Int32) -> Int32 = {
        guard let symbol = dlsym(nil, "wcwidth") else {
            preconditionFailure("The C library has no wcwidth.")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    private static func wcwidth(_ scalar: Unicode.Scalar) -> Int {
        _ = utf8Locale
        return Int(cWcwidth(Int32(bitPattern: scalar.value)))
    }
}
