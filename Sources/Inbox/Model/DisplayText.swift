/// Text that may reach a terminal, stdout or stderr. The only way to make one is through the
/// sanitizer (`TerminalText.printable`), so a server's, a message's or a config file's string
/// cannot be printed raw by mistake: everything that writes to the terminal or the standard
/// streams takes a `DisplayText`, never a `String`.
public struct DisplayText: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The sanitized text.
    public let string: String

    /// One line: controls (a line break too, so the text cannot move to another row), escapes,
    /// bidi and other format characters become U+FFFD, and tabs a space.
    public init(_ raw: some StringProtocol) {
        string = TerminalText.printable(raw)
    }

    /// Several lines: each one sanitized as `init(_:)` does, joined by "\n" (a "\r\n" counts as
    /// one break).
    public init(lines raw: some StringProtocol) {
        let lines = raw.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        string = lines.map { TerminalText.printable($0) }.joined(separator: "\n")
    }

    /// Literals are the program's own words, but go through the same door.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    public var description: String { string }
    public var isEmpty: Bool { string.isEmpty }

    /// Joining sanitized text keeps it sanitized.
    public static func + (a: DisplayText, b: DisplayText) -> DisplayText {
        DisplayText(sanitized: a.string + b.string)
    }

    private init(sanitized: String) {
        string = sanitized
    }
}
