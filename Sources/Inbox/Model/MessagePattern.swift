import Foundation
import MailMessage

/// What a row is besides its headers, for the `~N`, `~O`, `~U`, `~R`, `~F`, `~D` and `~T`
/// patterns. As in mutt, new and old are kinds of unread: new arrived since the last visit,
/// old was in the index before.
public struct MessageFlags: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let new = MessageFlags(rawValue: 1 << 0)
    public static let marked = MessageFlags(rawValue: 1 << 1)
    public static let tagged = MessageFlags(rawValue: 1 << 2)
    public static let unread = MessageFlags(rawValue: 1 << 3)
    public static let old = MessageFlags(rawValue: 1 << 4)
    public static let flagged = MessageFlags(rawValue: 1 << 5)
}

/// A mutt-style message pattern, the one matcher behind limit (`l`), search (`/`) and the
/// pattern actions (`T`, `D`, `U`, `Ctrl-T`). Text without `~` is mutt's simple search: the
/// sender or subject contains it. Otherwise terms (`~f TEXT`, `~s`, `~t`, `~z SIZE`, `~d DATES`,
/// `~N`, `~O`, `~U`, `~R`, `~F`, `~D`, `~T`, `~A`) joined by juxtaposition (and) and `|` (or, weaker), negated by `!`,
/// grouped by parentheses. Text is matched as a substring ignoring case, not as a regular
/// expression: a user coming from mutt gets what `~s invoice` would find there.
public struct MessagePattern: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as the user typed it, for the status line and messages.
    public let text: String
    let root: Node

    indirect enum Node: Sendable, Equatable {
        case all
        case from(String)
        case subject(String)
        case to(String)
        case fromOrSubject(String)
        case size(ClosedRange<Int>)
        case date(ClosedRange<Date>)
        case flag(MessageFlags)
        case not(Node)
        case and(Node, Node)
        case or(Node, Node)
    }

    public var description: String { text }

    /// Parses `text`. Relative dates (`~d <3d`) count back from `now`; absolute ones are days
    /// in `calendar`'s time zone.
    /// - Throws: `PatternError` saying what in `text` is not a pattern.
    public init(_ text: String, now: Date = Date(), calendar: Calendar = .current) throws(PatternError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .empty }
        self.text = trimmed
        if !trimmed.contains("~") {
            root = .fromOrSubject(trimmed.lowercased())
        } else {
            var parser = PatternParser(text: trimmed, now: now, calendar: calendar)
            root = try parser.parse()
        }
    }

    public func matches(_ row: MessageRow, flags: MessageFlags) -> Bool {
        Self.evaluate(root, row, flags)
    }

    private static func evaluate(_ node: Node, _ row: MessageRow, _ flags: MessageFlags) -> Bool {
        switch node {
        case .all: return true
        case .from(let text): return row.summary.map { from($0, contains: text) } ?? false
        case .subject(let text): return row.summary?.subject.lowercased().contains(text) ?? false
        case .to(let text): return row.summary?.to.lowercased().contains(text) ?? false
        case .fromOrSubject(let text):
            guard let summary = row.summary else { return false }
            return from(summary, contains: text) || summary.subject.lowercased().contains(text)
        case .size(let range): return range.contains(row.listing.size)
        case .date(let range): return row.summary?.date.map(range.contains) ?? false
        case .flag(let flag): return flags.contains(flag)
        case .not(let node): return !evaluate(node, row, flags)
        case .and(let a, let b): return evaluate(a, row, flags) && evaluate(b, row, flags)
        case .or(let a, let b): return evaluate(a, row, flags) || evaluate(b, row, flags)
        }
    }

    /// The display name or the address: a user may remember either.
    private static func from(_ summary: MessageSummary, contains text: String) -> Bool {
        summary.from.lowercased().contains(text) || (summary.fromAddress?.lowercased().contains(text) ?? false)
    }
}

/// Why a pattern could not be read, with how to write it instead.
public enum PatternError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case unknownTerm(String)
    case unavailable(String, reason: String)
    case missingText(term: String)
    case badSize(String)
    case badDate(String)
    case unclosedParenthesis
    case unopenedParenthesis
    case emptyGroup
    case unclosedQuote
    case missingOperand(String)
    case bareText(String)

    public var description: String {
        switch self {
        case .empty:
            "The pattern is empty: type text to find in the sender or subject, or a pattern such as ~s invoice."
        case .unknownTerm(let term):
            "\(term) is not a pattern Mailbag knows; use ~f ~s ~t ~z ~d ~N ~O ~U ~R ~F ~D ~T or ~A (see the README's Patterns)."
        case .unavailable(let term, let reason):
            "\(term) cannot be used: \(reason)"
        case .missingText(let term):
            "\(term) needs text to look for, e.g. \(term) alice; quote text with spaces: \(term) \"two words\"."
        case .badSize(let text):
            "“\(text)” is not a size range: write ~z >1M, ~z <10K or ~z 10K-1M (K = 1024 bytes, M = 1024 K)."
        case .badDate(let text):
            "“\(text)” is not a date range: write ~d 01/12/2026- (from), ~d -01/12/2026 (until), ~d 01/12/2026-15/12/2026, ~d <3d (last 3 days) or ~d >1w (older than a week)."
        case .unclosedParenthesis:
            "A “(” has no matching “)”."
        case .unopenedParenthesis:
            "A “)” has no matching “(”."
        case .emptyGroup:
            "“()” holds no pattern: put one between the parentheses or leave them out."
        case .unclosedQuote:
            "A quote is not closed: end the text with the quote it started with."
        case .missingOperand(let op):
            op == "!" ? "“!” needs a pattern after it, e.g. !~N." : "“\(op)” needs a pattern on both sides, e.g. ~f alice | ~s invoice."
        case .bareText(let text):
            "“\(text)” has no ~f, ~s…: write ~s \(text) (or quote text with spaces), or drop every ~ for a plain sender-or-subject search."
        }
    }
}

/// Recursive descent over a pattern with `~`: or := and ('|' and)*; and := unary+;
/// unary := '!' unary | '(' or ')' | term.
private struct PatternParser {
    typealias Node = MessagePattern.Node

    let characters: [Character]
    var position = 0
    /// Parentheses open around the current position.
    var depth = 0
    let now: Date
    let calendar: Calendar

    init(text: String, now: Date, calendar: Calendar) {
        characters = Array(text)
        self.now = now
        self.calendar = calendar
    }

    mutating func parse() throws(PatternError) -> Node {
        let node = try parseOr()
        skipBlanks()
        if position < characters.count {
            // Only a stray ")" stops an `or` before the end.
            throw .unopenedParenthesis
        }
        return node
    }

    private mutating func parseOr() throws(PatternError) -> Node {
        var node = try parseAnd(after: nil)
        while peek() == "|" {
            position += 1
            node = .or(node, try parseAnd(after: "|"))
        }
        return node
    }

    private mutating func parseAnd(after op: String?) throws(PatternError) -> Node {
        guard var node = try parseUnary() else {
            if let op { throw .missingOperand(op) }
            if peek() == "|" { throw .missingOperand("|") }
            guard peek() == ")" else { throw .empty }
            throw depth > 0 ? .emptyGroup : .unopenedParenthesis
        }
        while let next = try parseUnary() {
            node = .and(node, next)
        }
        return node
    }

    /// Nil at the end, before `|` or before `)`: where an `and` ends.
    private mutating func parseUnary() throws(PatternError) -> Node? {
        switch peek() {
        case nil, "|", ")":
            return nil
        case "!":
            position += 1
            guard let operand = try parseUnary() else { throw .missingOperand("!") }
            return .not(operand)
        case "(":
            position += 1
            depth += 1
            let inner = try parseOr()
            guard peek() == ")" else { throw .unclosedParenthesis }
            position += 1
            depth -= 1
            return inner
        case "~":
            return try parseTerm()
        default:
            throw .bareText(try word() ?? "")
        }
    }

    private mutating func parseTerm() throws(PatternError) -> Node {
        position += 1
        guard position < characters.count else { throw .unknownTerm("~") }
        let letter = characters[position]
        position += 1
        let term = "~\(letter)"
        switch letter {
        case "A": return .all
        case "N": return .flag(.new)
        case "O": return .flag(.old)
        case "U": return .flag(.unread)
        case "R": return .not(.flag(.unread))
        case "F": return .flag(.flagged)
        case "D": return .flag(.marked)
        case "T": return .flag(.tagged)
        case "f": return .from(try text(for: term))
        case "s": return .subject(try text(for: term))
        case "t": return .to(try text(for: term))
        case "c":
            throw .unavailable(term, reason: "the index keeps only From, To and Subject, not Cc; use ~t for To.")
        case "z":
            let argument = try word() ?? ""
            guard let range = SizeRange.parse(argument) else { throw .badSize(argument) }
            return .size(range)
        case "d":
            let argument = try word() ?? ""
            guard let range = DateRange.parse(argument, now: now, calendar: calendar) else { throw .badDate(argument) }
            return .date(range)
        default:
            throw .unknownTerm(term)
        }
    }

    private mutating func text(for term: String) throws(PatternError) -> String {
        guard let text = try word(), !text.isEmpty else { throw .missingText(term: term) }
        return text.lowercased()
    }

    /// The next argument: quoted ("…" or '…') or up to a blank, `|` or `)`; a backslash takes
    /// the next character as it is. Nil when nothing is left before an operator.
    private mutating func word() throws(PatternError) -> String? {
        skipBlanks()
        guard position < characters.count, !["|", ")"].contains(characters[position]) else { return nil }
        var result = ""
        let quote = characters[position]
        if quote == "\"" || quote == "'" {
            position += 1
            while position < characters.count, characters[position] != quote {
                if characters[position] == "\\", position + 1 < characters.count { position += 1 }
                result.append(characters[position])
                position += 1
            }
            guard position < characters.count else { throw .unclosedQuote }
            position += 1
            return result
        }
        while position < characters.count, !characters[position].isWhitespace, !["|", ")"].contains(characters[position]) {
            if characters[position] == "\\", position + 1 < characters.count { position += 1 }
            result.append(characters[position])
            position += 1
        }
        return result
    }

    private mutating func skipBlanks() {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
    }

    private mutating func peek() -> Character? {
        skipBlanks()
        return position < characters.count ? characters[position] : nil
    }
}

/// `~z` arguments: `>1M`, `<10K`, `10K-1M`, `-10K`, `10K-`, or one exact size; K and M are
/// 1024 and 1024² bytes, as mutt has them.
enum SizeRange {
    static func parse(_ text: String) -> ClosedRange<Int>? {
        if text.hasPrefix(">") { return bytes(text.dropFirst()).flatMap { $0 < Int.max ? ($0 + 1)...Int.max : nil } }
        if text.hasPrefix("<") { return bytes(text.dropFirst()).flatMap { $0 > 0 ? 0...($0 - 1) : nil } }
        guard let dash = text.firstIndex(of: "-") else { return bytes(Substring(text)).map { $0...$0 } }
        let (low, high) = (text[..<dash], text[text.index(after: dash)...])
        if low.isEmpty && high.isEmpty { return nil }
        guard let min = low.isEmpty ? 0 : bytes(low), let max = high.isEmpty ? Int.max : bytes(high), min <= max else { return nil }
        return min...max
    }

    private static func bytes(_ text: Substring) -> Int? {
        let multiplier: Int
        var digits = text
        switch text.last {
        case "k", "K": multiplier = 1 << 10
        case "m", "M": multiplier = 1 << 20
        default: multiplier = 1
        }
        if multiplier > 1 { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int(digits), value >= 0 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}

/// `~d` arguments, as mutt writes them: absolute days `DD/MM/YYYY` (or `DD/MM/YY`, or `DD/MM` in
/// this year) alone or as `FROM-`, `-UNTIL`, `FROM-UNTIL`, whole days inclusive; or relative to
/// now, `<3d` (newer than 3 days) and `>1w` (older than a week), with units `y m w d H M S`.
enum DateRange {
    static func parse(_ text: String, now: Date, calendar: Calendar) -> ClosedRange<Date>? {
        if let first = text.first, first == "<" || first == ">" {
            guard let back = ago(text.dropFirst(), now: now, calendar: calendar) else { return nil }
            return first == "<" ? back...Date.distantFuture : Date.distantPast...back
        }
        guard let dash = text.firstIndex(of: "-") else {
            guard let day = day(Substring(text), now: now, calendar: calendar) else { return nil }
            return day
        }
        let (low, high) = (text[..<dash], text[text.index(after: dash)...])
        if low.isEmpty && high.isEmpty { return nil }
        let start = low.isEmpty ? Date.distantPast : day(low, now: now, calendar: calendar)?.lowerBound
        let end = high.isEmpty ? Date.distantFuture : day(high, now: now, calendar: calendar)?.upperBound
        guard let start, let end, start <= end else { return nil }
        return start...end
    }

    /// `3d`, `1w`…: that long before `now`.
    private static func ago(_ text: Substring, now: Date, calendar: Calendar) -> Date? {
        guard let unit = text.last, let count = Int(text.dropLast()), count >= 0, text.dropLast().allSatisfy(\.isASCII) else { return nil }
        let component: Calendar.Component
        var amount = count
        switch unit {
        case "y": component = .year
        case "m": component = .month
        case "w": component = .day; amount = count * 7
        case "d": component = .day
        case "H": component = .hour
        case "M": component = .minute
        case "S": component = .second
        default: return nil
        }
        return calendar.date(byAdding: component, value: -amount, to: now)
    }

    /// One whole day, from its first to its last second.
    private static func day(_ text: Substring, now: Date, calendar: Calendar) -> ClosedRange<Date>? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let dayNumber = Int(parts[0]), let month = Int(parts[1]) else { return nil }
        var year = parts.count == 3 ? Int(parts[2]) ?? 0 : calendar.component(.year, from: now)
        if parts.count == 3 && parts[2].count == 2 { year += year < 70 ? 2000 : 1900 }
        guard (1...9999).contains(year) else { return nil }
        let components = DateComponents(year: year, month: month, day: dayNumber)
        // The calendar would roll 31/02 over into March; a date that does not exist is a typo.
        guard components.isValidDate(in: calendar), let start = calendar.date(from: components),
              let next = calendar.date(byAdding: .day, value: 1, to: start) else { return nil }
        return start...next.addingTimeInterval(-0.001)
    }
}
