/// One mailbox from an address header. `name`, `mailbox` and `display` are decoded and
/// sanitized, ready to show. A group with no members (`undisclosed-recipients:;`) is returned
/// as one entry whose `mailbox` is empty and whose name is the group's.
public struct Address: Sendable, Equatable {
    public var name: String?
    public var mailbox: String
    /// The display name, or the mailbox when there is none.
    public var display: String

    public init(name: String?, mailbox: String) {
        let trimmed = name.map { $0.trimmingWhitespace() }
        self.name = (trimmed?.isEmpty ?? true) ? nil : trimmed
        self.mailbox = mailbox
        self.display = self.name ?? mailbox
    }

    /// `Name <mailbox>` or just the mailbox, as a header line shows it.
    public var formatted: String {
        guard let name else { return mailbox }
        return mailbox.isEmpty ? name : "\(name) <\(mailbox)>"
    }
}

/// RFC 5322 address lists, including the obsolete and broken forms seen in the wild:
/// quoted strings, comments (used as the name when there is no other), groups, source
/// routes, encoded words in names (also inside quotes), and `Name addr@host` without brackets.
public enum AddressList {
    /// Long lists are cut off here; nobody reads past it and it bounds the work.
    static let maxAddresses = 1_000

    public static func parse(_ s: String) -> [Address] {
        if let single = parseSimple(s) { return single }
        return parseAnyForm(s)
    }

    /// `Name <box@host>` or a bare `box@host` with nothing to unquote, decode or split: what most
    /// From and To fields hold, read without tokens. Anything else returns nil and takes the
    /// general path; where both answer they must agree.
    static func parseSimple(_ s: String) -> [Address]? {
        s.withUTF8Bytes { bytes -> [Address]? in
            var open: Int?
            var close: Int?
            var previous: UInt8 = 0
            for index in bytes.indices {
                let byte = bytes[index]
                switch byte {
                case 0x22, 0x28, 0x29, 0x2C, 0x3B, 0x3A, 0x5C, 0x5B, 0x5D: return nil
                case 0x3F where previous == 0x3D: return nil
                case 0x3C:
                    guard open == nil else { return nil }
                    open = index
                case 0x3E:
                    guard open != nil, close == nil else { return nil }
                    close = index
                default:
                    if close != nil, !byte.isHeaderBlank { return nil }
                }
                previous = byte
            }
            guard let open else {
                let box = bytes.trimmingBlanks(bytes.indices)
                guard !bytes[box].contains(where: \.isHeaderBlank) else { return nil }
                return box.isEmpty ? [] : [make(name: nil, mailbox: bytes.string(box))]
            }
            guard let close else { return nil }
            let inner = bytes[(open + 1)..<close]
            let mailbox = inner.contains(where: \.isHeaderBlank)
                ? String(decoding: inner.filter { !$0.isHeaderBlank }, as: UTF8.self) : bytes.string((open + 1)..<close)
            // Trimmed first, so that the usual `Name <box>` (a blank before the bracket) is already
            // collapsed and keeps its text instead of being rebuilt.
            let name = collapseBlanks(bytes.string(bytes.trimmingBlanks(0..<open)))
            if mailbox.isEmpty && name.isEmpty { return [] }
            return [make(name: name.isEmpty ? nil : name, mailbox: mailbox)]
        }
    }

    static func parseAnyForm(_ s: String) -> [Address] {
        let tokens = tokenize(Array(s.utf8))
        var result: [Address] = []
        var item: [Token] = []
        var angle: [Token]?
        var inAngle = false
        var groupName: String?
        var groupCount = 0

        func finishItem() {
            defer { item = []; angle = nil; inAngle = false }
            guard result.count < maxAddresses else { return }
            if let angle {
                let mailbox = addrSpec(angle)
                let name = phrase(item.filter { $0.kind != .comment })
                    ?? phrase(item.filter { $0.kind == .comment }, comments: true)
                if mailbox.isEmpty && name == nil { return }
                result.append(make(name: name, mailbox: mailbox))
                groupCount += 1
                return
            }
            let words = item.filter { $0.kind != .comment }
            guard !words.isEmpty else { return }
            let comment = phrase(item.filter { $0.kind == .comment }, comments: true)
            // `Name addr@host` without brackets: the last blank-separated run holding '@' is
            // the address, the rest is the name.
            let runs = splitOnBlanks(words)
            if runs.count > 1, let at = runs.lastIndex(where: { run in
                run.first?.text != "@" && run.contains { $0.kind == .special && $0.text == "@" }
            }), runs[at].last?.text != "@" {
                let mailbox = addrSpec(runs[at])
                let name = phrase(runs.enumerated().filter { $0.offset != at }.flatMap { $0.element })
                result.append(make(name: name ?? comment, mailbox: mailbox))
            } else {
                result.append(make(name: comment, mailbox: addrSpec(words)))
            }
            groupCount += 1
        }

        for token in tokens {
            if inAngle {
                if token.kind == .special && token.text == ">" { inAngle = false } else { angle?.append(token) }
                continue
            }
            switch (token.kind, token.text) {
            case (.special, "<"):
                angle = []
                inAngle = true
            case (.special, ","):
                finishItem()
            case (.special, ":") where groupName == nil && angle == nil:
                groupName = phrase(item) ?? ""
                groupCount = 0
                item = []
            case (.special, ";") where groupName != nil:
                finishItem()
                if groupCount == 0, let g = groupName, !g.isEmpty, result.count < maxAddresses {
                    result.append(make(name: g, mailbox: ""))
                }
                groupName = nil
            default:
                item.append(token)
            }
        }
        finishItem()
        if let g = groupName, groupCount == 0, !g.isEmpty {
            result.append(make(name: g, mailbox: ""))
        }
        return result
    }

    /// Blanks are collapsed after cleaning as well: a quoted local part or a broken name can
    /// hold a TAB, which would move the cursor wherever the line is printed.
    private static func make(name: String?, mailbox: String) -> Address {
        Address(name: name.map { collapseBlanks(Sanitizer.clean($0)) }, mailbox: collapseBlanks(Sanitizer.clean(mailbox)))
    }

    // MARK: - Tokens

    private struct Token {
        enum Kind { case atom, quoted, comment, special, domainLiteral }
        var kind: Kind
        var text: String
        var blankBefore: Bool
    }

    private static func tokenize(_ b: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var i = 0
        var blank = false
        let n = b.count
        while i < n {
            let c = b[i]
            switch c {
            case 0x20, 0x09, 0x0D, 0x0A:
                blank = true
                i += 1
                continue
            case 0x22: // quoted string
                var out = [UInt8]()
                i += 1
                while i < n, b[i] != 0x22 {
                    if b[i] == 0x5C, i + 1 < n { i += 1 }
                    out.append(b[i])
                    i += 1
                }
                i += 1
                tokens.append(Token(kind: .quoted, text: String(decoding: out, as: UTF8.self), blankBefore: blank))
            case 0x28: // comment, nested
                var depth = 1
                var out = [UInt8]()
                i += 1
                while i < n, depth > 0 {
                    let d = b[i]
                    if d == 0x5C, i + 1 < n {
                        out.append(b[i + 1])
                        i += 2
                        continue
                    }
                    if d == 0x28 { depth += 1 } else if d == 0x29 { depth -= 1; if depth == 0 { i += 1; break } }
                    out.append(d)
                    i += 1
                }
                tokens.append(Token(kind: .comment, text: String(decoding: out, as: UTF8.self), blankBefore: blank))
            case 0x5B: // domain literal
                var j = i + 1
                while j < n, b[j] != 0x5D { j += 1 }
                let end = min(j + 1, n)
                tokens.append(Token(kind: .domainLiteral, text: String(decoding: b[i..<end], as: UTF8.self), blankBefore: blank))
                i = end
            case 0x3C, 0x3E, 0x2C, 0x3A, 0x3B, 0x40, 0x2E:
                tokens.append(Token(kind: .special, text: String(UnicodeScalar(c)), blankBefore: blank))
                i += 1
            default:
                var j = i
                while j < n {
                    let d = b[j]
                    if d == 0x20 || d == 0x09 || d == 0x0D || d == 0x0A || d == 0x22 || d == 0x28 || d == 0x5B
                        || d == 0x3C || d == 0x3E || d == 0x2C || d == 0x3A || d == 0x3B || d == 0x40 || d == 0x2E { break }
                    j += 1
                }
                tokens.append(Token(kind: .atom, text: String(decoding: b[i..<j], as: UTF8.self), blankBefore: blank))
                i = j
            }
            blank = false
        }
        return tokens
    }

    /// The words of a display name joined as written (one blank where there was any), with
    /// encoded words decoded and blanks collapsed.
    private static func phrase(_ tokens: [Token], comments: Bool = false) -> String? {
        guard !tokens.isEmpty else { return nil }
        var s = ""
        for (k, t) in tokens.enumerated() {
            if k > 0, t.blankBefore || comments { s += " " }
            s += t.text
        }
        let decoded = collapseBlanks(EncodedWords.decode(s))
        return decoded.isEmpty ? nil : decoded
    }

    /// An address is written without blanks; comments and folding inside it are dropped.
    /// A source route (`@relay:user@host`) keeps only the final mailbox.
    private static func addrSpec(_ tokens: [Token]) -> String {
        var parts = tokens.filter { $0.kind != .comment }
        if let colon = parts.lastIndex(where: { $0.kind == .special && $0.text == ":" }) {
            parts = Array(parts[(colon + 1)...])
        }
        var s = ""
        for t in parts {
            if t.kind == .quoted {
                s += "\"" + t.text + "\""
            } else {
                s += t.text
            }
        }
        return s
    }

    private static func splitOnBlanks(_ tokens: [Token]) -> [[Token]] {
        var runs: [[Token]] = []
        for t in tokens {
            if t.blankBefore || runs.isEmpty { runs.append([t]) } else { runs[runs.count - 1].append(t) }
        }
        return runs
    }

    static func collapseBlanks(_ s: String) -> String {
        if isCollapsed(s) { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var pendingBlank = false
        for ch in s.unicodeScalars {
            if ch == " " || ch == "\t" || ch == "\r" || ch == "\n" {
                pendingBlank = !out.isEmpty
            } else {
                if pendingBlank { out.unicodeScalars.append(" ") }
                pendingBlank = false
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// Already single-spaced with no blank at either end: the usual case, answered without
    /// building a new string.
    private static func isCollapsed(_ s: String) -> Bool {
        s.withUTF8Bytes { bytes in
            var previous: UInt8 = 0x20
            for byte in bytes {
                if byte == 0x09 || byte == 0x0D || byte == 0x0A || (byte == 0x20 && previous == 0x20) { return false }
                previous = byte
            }
            return previous != 0x20 || bytes.isEmpty
        }
    }
}
