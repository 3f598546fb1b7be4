import Foundation

/// A named set of styles, read from a plain text file a user can copy and edit:
///
///     # comment
///     index.selected = 231 on 25 bold
///
/// Each line is `style = [foreground] [on background] [attribute ...]`. Styles a file leaves out
/// keep the built-in default theme's value.
public struct Theme: Sendable, Equatable {
    public var name: String
    private var styles: [StyleName: Style]

    public subscript(_ style: StyleName) -> Style {
        styles[style] ?? Theme.builtInDefault.styles[style] ?? Style()
    }

    /// Styles the file itself set (the rest come from the built-in default).
    public var definedStyles: Set<StyleName> { Set(styles.keys) }

    /// - Parameter file: the path or name used in error messages.
    /// - Throws: `ThemeError` for the first line that is not a valid style setting, with its line number.
    public static func parse(_ text: String, name: String, file: String) throws(ThemeError) -> Theme {
        var styles: [StyleName: Style] = [:]
        var definedAt: [StyleName: Int] = [:]
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = offset + 1
            let content = stripComment(rawLine).trimmingCharacters(in: .whitespaces)
            if content.isEmpty { continue }
            guard let equals = content.firstIndex(of: "=") else {
                throw .syntax(file: file, line: line, detail: "expected `style = colours and attributes`")
            }
            let key = content[..<equals].trimmingCharacters(in: .whitespaces)
            let value = content[content.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard let style = StyleName(rawValue: key) else {
                throw .unknownStyle(file: file, line: line, name: key)
            }
            if let first = definedAt[style] {
                throw .duplicateStyle(file: file, line: line, name: key, firstLine: first)
            }
            styles[style] = try parseStyle(value, file: file, line: line)
            definedAt[style] = line
        }
        return Theme(name: name, styles: styles)
    }

    /// A `#` starts a comment at the start of a line, or after a space when a space or the end
    /// of the line follows it; `#rrggbb` is a colour.
    private static func stripComment(_ line: Substring) -> Substring {
        for index in line.indices where line[index] == "#" {
            let before = line[..<index]
            let next = line.index(after: index)
            let atStart = before.allSatisfy(\.isWhitespace)
            let spaced = before.last?.isWhitespace == true && (next == line.endIndex || line[next].isWhitespace)
            if atStart || spaced { return before }
        }
        return line
    }

    private static func parseStyle(_ value: String, file: String, line: Int) throws(ThemeError) -> Style {
        let tokens = value.split(whereSeparator: \.isWhitespace).map(String.init)
        guard !tokens.isEmpty else {
            throw .syntax(file: file, line: line, detail: "no colour or attribute after `=`")
        }
        var style = Style()
        var i = 0
        if let color = ThemeColor(parsing: tokens[0]) {
            style.foreground = color
            i = 1
        }
        if i < tokens.count && tokens[i].lowercased() == "on" {
            guard i + 1 < tokens.count else {
                throw .syntax(file: file, line: line, detail: "`on` needs a background colour after it")
            }
            guard let color = ThemeColor(parsing: tokens[i + 1]) else {
                throw .unknownColor(file: file, line: line, token: tokens[i + 1])
            }
            style.background = color
            i += 2
        }
        for position in i..<tokens.count {
            let token = tokens[position]
            guard let attribute = TextAttributes.names[token.lowercased()] else {
                if ThemeColor(parsing: token) != nil || token.lowercased() == "on" {
                    throw .syntax(file: file, line: line, detail: "colours go before attributes: `foreground on background attributes`")
                }
                // In first place an unknown word was most likely meant as a colour.
                throw position == 0
                    ? .unknownColor(file: file, line: line, token: token)
                    : .unknownAttribute(file: file, line: line, token: token)
            }
            style.attributes.formUnion(attribute)
        }
        return style
    }
}

/// Why a theme could not be used. Descriptions name the file and line, compiler style.
public enum ThemeError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case syntax(file: String, line: Int, detail: String)
    case unknownStyle(file: String, line: Int, name: String)
    case unknownColor(file: String, line: Int, token: String)
    case unknownAttribute(file: String, line: Int, token: String)
    case duplicateStyle(file: String, line: Int, name: String, firstLine: Int)
    case unreadable(file: String, reason: String)
    case notFound(name: String, searched: [String])

    public var description: String {
        switch self {
        case .syntax(let file, let line, let detail):
            "\(file):\(line): \(detail)."
        case .unknownStyle(let file, let line, let name):
            "\(file):\(line): unknown style `\(name)`; known styles are \(StyleName.allCases.map(\.rawValue).joined(separator: ", "))."
        case .unknownColor(let file, let line, let token):
            "\(file):\(line): unknown colour `\(token)`; use default, a colour name (black … white, bright-red …), 0–255 or #rrggbb."
        case .unknownAttribute(let file, let line, let token):
            "\(file):\(line): unknown attribute `\(token)`; use bold, dim, italic, underline, reverse or standout."
        case .duplicateStyle(let file, let line, let name, let firstLine):
            "\(file):\(line): style `\(name)` is already set on line \(firstLine); keep one of them."
        case .unreadable(let file, let reason):
            "Cannot read theme \(file): \(reason)."
        case .notFound(let name, let searched):
            "No theme named `\(name)`; looked in \(searched.joined(separator: ", "))."
        }
    }

    public var errorDescription: String? { description }
}
