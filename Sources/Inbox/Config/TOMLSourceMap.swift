/// One step into a TOML document: a key of a table or an element of an array.
enum TOMLPathComponent: Hashable, Sendable {
    case key(String)
    case index(Int)
}

typealias TOMLPath = [TOMLPathComponent]

/// A line and column, both counted from 1; columns count Unicode scalars.
struct SourcePosition: Equatable, Sendable {
    var line: Int
    var column: Int
}

/// Where each key, table header and array element of a TOML document is written.
///
/// TOMLKit reports positions only for syntax errors; its parsed values carry none. Validation
/// problems need a line too, so this scanner walks the text a second time, after TOMLKit has
/// accepted it, and records where every path is first written. It relies on the text being valid
/// TOML and only has to tell keys from values, strings and comments.
struct TOMLSourceMap: Sendable {
    private var positions: [TOMLPath: SourcePosition] = [:]

    init(scanning text: String) {
        var scanner = Scanner(Array(text.unicodeScalars))
        scanner.scanDocument()
        positions = scanner.positions
    }

    /// The position of `path`, or of its nearest written ancestor: a key inside a one-line
    /// inline table, for instance, falls back to the key that holds the table.
    func position(of path: TOMLPath) -> SourcePosition? {
        var path = path
        while !path.isEmpty {
            if let position = positions[path] { return position }
            path.removeLast()
        }
        return nil
    }
}

private struct Scanner {
    let text: [Unicode.Scalar]
    var index = 0
    var line = 1
    var lineStart = 0
    var positions: [TOMLPath: SourcePosition] = [:]
    private var arrayTableCounts: [TOMLPath: Int] = [:]

    init(_ text: [Unicode.Scalar]) {
        self.text = text
        if text.first == "\u{FEFF}" { index = 1; lineStart = 1 }
    }

    private var current: Unicode.Scalar? { index < text.count ? text[index] : nil }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        index + offset < text.count ? text[index + offset] : nil
    }

    private var position: SourcePosition { SourcePosition(line: line, column: index - lineStart + 1) }

    private mutating func advance() {
        guard index < text.count else { return }
        if text[index] == "\n" {
            line += 1
            lineStart = index + 1
        }
        index += 1
    }

    /// Keeps the first position: TOML forbids redefining a key, so only implicit parents such as
    /// `accounts` in `[accounts.work]` are seen twice, and their first mention is the useful one.
    private mutating func record(_ path: TOMLPath, at position: SourcePosition) {
        for end in path.indices {
            let prefix = Array(path[...end])
            if positions[prefix] == nil { positions[prefix] = position }
        }
    }

    mutating func scanDocument() {
        var table: TOMLPath = []
        while true {
            skipWhitespaceCommentsAndNewlines()
            guard let scalar = current else { return }
            if scalar == "[" {
                table = scanTableHeader()
            } else {
                scanKeyValue(in: table)
            }
        }
    }

    private mutating func scanTableHeader() -> TOMLPath {
        let start = position
        advance()
        let isArrayOfTables = current == "["
        if isArrayOfTables { advance() }
        var path = scanKey().map(TOMLPathComponent.key)
        skipBlanks()
        if current == "]" { advance() }
        if isArrayOfTables {
            if current == "]" { advance() }
            let count = arrayTableCounts[path, default: 0]
            arrayTableCounts[path] = count + 1
            path.append(.index(count))
        }
        record(path, at: start)
        return path
    }

    private mutating func scanKeyValue(in table: TOMLPath) {
        let start = position
        let path = table + scanKey().map(TOMLPathComponent.key)
        record(path, at: start)
        skipBlanks()
        if current == "=" { advance() }
        skipBlanks()
        scanValue(at: path)
    }

    private mutating func scanKey() -> [String] {
        var parts: [String] = []
        repeat {
            if current == "." { advance() }
            skipBlanks()
            switch current {
            case "\"": parts.append(scanBasicString())
            case "'": parts.append(scanLiteralString())
            default:
                var bare = String.UnicodeScalarView()
                while let scalar = current, Self.isBareKeyScalar(scalar) {
                    bare.append(scalar)
                    advance()
                }
                parts.append(String(bare))
            }
            skipBlanks()
        } while current == "."
        return parts
    }

    private static func isBareKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": true
        default: false
        }
    }

    private mutating func scanValue(at path: TOMLPath) {
        switch current {
        case "\"":
            if peek(1) == "\"" && peek(2) == "\"" { skipMultilineString(quote: "\"") } else { _ = scanBasicString() }
        case "'":
            if peek(1) == "'" && peek(2) == "'" { skipMultilineString(quote: "'") } else { _ = scanLiteralString() }
        case "[":
            scanArray(at: path)
        case "{":
            scanInlineTable(at: path)
        default:
            // Numbers, booleans and dates; a date may contain a space, so the value ends only at
            // a delimiter. At least one scalar is consumed so a malformed value cannot stall.
            advance()
            while let scalar = current, !",]}#\r\n".unicodeScalars.contains(scalar) { advance() }
        }
    }

    private mutating func scanArray(at path: TOMLPath) {
        advance()
        var element = 0
        while true {
            skipWhitespaceCommentsAndNewlines()
            guard let scalar = current else { return }
            if scalar == "]" { advance(); return }
            if scalar == "," { advance(); continue }
            let elementPath = path + [.index(element)]
            record(elementPath, at: position)
            scanValue(at: elementPath)
            element += 1
        }
    }

    private mutating func scanInlineTable(at path: TOMLPath) {
        advance()
        while true {
            skipWhitespaceCommentsAndNewlines()
            guard let scalar = current else { return }
            if scalar == "}" { advance(); return }
            if scalar == "," { advance(); continue }
            scanKeyValue(in: path)
        }
    }

    /// Returns the decoded contents, because a quoted key is compared with the parsed keys.
    private mutating func scanBasicString() -> String {
        advance()
        var contents = String.UnicodeScalarView()
        while let scalar = current, scalar != "\"", scalar != "\n" {
            advance()
            guard scalar == "\\", let escaped = current else {
                contents.append(scalar)
                continue
            }
            advance()
            switch escaped {
            case "b": contents.append("\u{08}")
            case "t": contents.append("\t")
            case "n": contents.append("\n")
            case "f": contents.append("\u{0C}")
            case "r": contents.append("\r")
            case "e": contents.append("\u{1B}")
            case "u", "U", "x":
                let digits = escaped == "u" ? 4 : escaped == "U" ? 8 : 2
                var hex = ""
                for _ in 0..<digits {
                    guard let digit = current else { break }
                    hex.unicodeScalars.append(digit)
                    advance()
                }
                if let value = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value) { contents.append(decoded) }
            default: contents.append(escaped)
            }
        }
        if current == "\"" { advance() }
        return String(contents)
    }

    private mutating func scanLiteralString() -> String {
        advance()
        var contents = String.UnicodeScalarView()
        while let scalar = current, scalar != "'", scalar != "\n" {
            contents.append(scalar)
            advance()
        }
        if current == "'" { advance() }
        return String(contents)
    }

    /// A multi-line string may end in up to two extra quotes that belong to its contents.
    private mutating func skipMultilineString(quote: Unicode.Scalar) {
        for _ in 0..<3 { advance() }
        while let scalar = current {
            if scalar == "\\" && quote == "\"" {
                advance()
                advance()
            } else if scalar == quote && peek(1) == quote && peek(2) == quote {
                for _ in 0..<3 { advance() }
                while current == quote { advance() }
                return
            } else {
                advance()
            }
        }
    }

    private mutating func skipBlanks() {
        while current == " " || current == "\t" { advance() }
    }

    private mutating func skipWhitespaceCommentsAndNewlines() {
        while let scalar = current {
            switch scalar {
            case " ", "\t", "\r", "\n":
                advance()
            case "#":
                while let next = current, next != "\n" { advance() }
            default:
                return
            }
        }
    }
}
