import MailMessage

/// Text as a terminal cell grid sees it: widths are `DisplayWidth`'s (the C library's `wcwidth`, as
/// ncurses draws) and cuts are made only between grapheme clusters, so a character is never split
/// and a combining mark never loses its base.
///
/// Widths count a scalar the terminal cannot print as one cell, because `printable` shows it as
/// U+FFFD; measuring and drawing therefore always agree.
public enum TerminalText {
    /// Cells one scalar occupies once drawn.
    public static func width(of scalar: Unicode.Scalar) -> Int {
        DisplayWidth.of(scalar)
    }

    public static func width(of character: Character) -> Int {
        DisplayWidth.of(character)
    }

    public static func width(of string: some StringProtocol) -> Int {
        DisplayWidth.of(string)
    }

    public static func isPlainASCII(_ s: some StringProtocol) -> Bool {
        DisplayWidth.isPlainASCII(s)
    }

    /// `s` with every unsafe or unprintable scalar replaced by U+FFFD, and tabs by a space.
    public static func printable(_ s: some StringProtocol) -> String {
        func needsReplacing(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\t" || !DisplayWidth.isPrintable(scalar)
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
        DisplayWidth.expandingTabs(s)
    }
}
