import Foundation

/// A message being written: the header fields and body the user edits as one text file (mutt's
/// `edit_headers`), and for a forward as attachment the original message, which is attached
/// whole when the draft is sent and never shown in the editor.
public struct Draft: Sendable, Equatable {
    public var fields: [HeaderField]
    public var body: String
    public var attachedMessage: [UInt8]?

    public init(fields: [HeaderField], body: String, attachedMessage: [UInt8]? = nil) {
        self.fields = fields
        self.body = body
        self.attachedMessage = attachedMessage
    }

    public subscript(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// What the editor opens: one `Name: value` line per field, a blank line, the body.
    public var text: String {
        fields.map { $0.value.isEmpty ? "\($0.name):\n" : "\($0.name): \($0.value)\n" }.joined() + "\n" + body
    }

    /// Reads the file back after the user edited it. Folded lines are joined; fields left empty
    /// (the offered `Cc:` and `Bcc:`) are dropped.
    /// - Throws: `DraftError.malformedHeader` for a header line that is not `Name: value`.
    public static func parse(_ text: String, attachedMessage: [UInt8]?) throws(DraftError) -> Draft {
        // Split on line ends of either kind: an editor set to DOS line ends writes CR LF, which a
        // String holds as one Character that "\n" would not match.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        var fields: [(name: String, value: String)] = []
        var lineNumber = 0
        while !lines.isEmpty {
            let line = lines.removeFirst()
            lineNumber += 1
            if line.isEmpty { break }
            if let first = line.first, first == " " || first == "\t", !fields.isEmpty {
                fields[fields.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = line.firstIndex(of: ":"), isFieldName(line[..<colon]) else {
                throw .malformedHeader(line: lineNumber, text: line)
            }
            fields.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return Draft(
            fields: fields.filter { !$0.value.isEmpty }.map { HeaderField(name: $0.name, value: DraftText.oneLine($0.value)) },
            body: lines.joined(separator: "\n"),
            attachedMessage: attachedMessage)
    }

    /// RFC 5322 §2.2: printable ASCII except the colon.
    static func isFieldName(_ name: Substring) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x3A }
    }
}

public enum DraftError: Error, Equatable, CustomStringConvertible {
    case malformedHeader(line: Int, text: String)
    case noRecipients
    case noSender

    public var description: String {
        switch self {
        case .malformedHeader(let line, let text):
            return "Line \(line) of the draft's header is not `Name: value` (“\(text)”); fix it, or end the header with an empty line."
        case .noRecipients:
            return "The draft has no To, Cc or Bcc address; edit it and add one."
        case .noSender:
            return "The draft has no From address; edit it, or set from in the account's config."
        }
    }
}

/// The user's side of a reply: who sends it, and which addresses are theirs (left out of a
/// group reply, so nobody mails themself a copy).
public struct Identity: Sendable, Equatable {
    public var from: Address
    /// Mailboxes compared case-insensitively; `from`'s is always among them.
    public var addresses: Set<String>

    public init(from: Address, otherAddresses: [String] = []) {
        self.from = from
        addresses = Set(([from.mailbox] + otherAddresses).map { $0.lowercased() })
    }

    func owns(_ address: Address) -> Bool { addresses.contains(address.mailbox.lowercased()) }
}

/// Builds the draft of a reply, group reply or forward from the original message's bytes.
/// Everything taken from the original is decoded and made one line before it goes into the
/// draft, so a header of the original can never add a header of its own to the draft.
public enum DraftBuilder {
    public enum Kind: Sendable, Equatable {
        case reply, groupReply, forwardInline, forwardAttached
    }

    /// Quoted text is wrapped to this width when a line (a reflowed format=flowed paragraph,
    /// typically) is longer than `longLine`.
    static let quoteWidth = 72
    static let longLine = 76
    /// References keeps the thread's root and the newest ids: enough for every threading
    /// algorithm, and it cannot grow without bound down a long thread.
    static let maxReferences = 20

    public static func build(_ kind: Kind, original raw: [UInt8], identity: Identity) -> Draft {
        let header = MessageHeader.parse(raw).header
        let from = addresses(header, "From")
        var fields = [HeaderField(name: "From", value: DraftText.format(identity.from))]
        let subject = DraftText.oneLine(EncodedWords.decode(header["Subject"] ?? ""))
        switch kind {
        case .reply, .groupReply:
            let replyTo = addresses(header, "Reply-To")
            let originalTo = addresses(header, "To")
            // A reply to one's own message goes on to its recipients, as in mutt.
            var to = !replyTo.isEmpty ? replyTo : (from.allSatisfy(identity.owns) && !from.isEmpty ? originalTo : from)
            var cc: [Address] = []
            if kind == .groupReply {
                cc = (originalTo + addresses(header, "Cc")).filter { !identity.owns($0) }
                to = to.filter { !identity.owns($0) }
                if to.isEmpty { (to, cc) = (cc, []) }
            }
            to = unique(to, excluding: [])
            cc = unique(cc, excluding: to)
            fields.append(HeaderField(name: "To", value: to.map(DraftText.format).joined(separator: ", ")))
            fields.append(HeaderField(name: "Cc", value: cc.map(DraftText.format).joined(separator: ", ")))
            fields.append(HeaderField(name: "Bcc", value: ""))
            fields.append(HeaderField(name: "Subject", value: replySubject(subject)))
            let messageID = messageIDs(header["Message-ID"] ?? "").first
            if let messageID {
                fields.append(HeaderField(name: "In-Reply-To", value: messageID))
            }
            var references = messageIDs(header["References"] ?? "")
            if references.isEmpty { references = Array(messageIDs(header["In-Reply-To"] ?? "").prefix(1)) }
            if let messageID { references.append(messageID) }
            if references.count > maxReferences { references = [references[0]] + references.suffix(maxReferences - 1) }
            if !references.isEmpty {
                fields.append(HeaderField(name: "References", value: references.joined(separator: " ")))
            }
            let date = DraftText.oneLine(header["Date"] ?? "")
            let who = from.first.map { $0.name ?? $0.mailbox } ?? "someone"
            let attribution = date.isEmpty ? "\(who) wrote:" : "On \(date), \(who) wrote:"
            return Draft(fields: fields, body: attribution + "\n" + quote(raw) + "\n")
        case .forwardInline, .forwardAttached:
            fields.append(HeaderField(name: "To", value: ""))
            fields.append(HeaderField(name: "Cc", value: ""))
            fields.append(HeaderField(name: "Bcc", value: ""))
            fields.append(HeaderField(name: "Subject", value: forwardSubject(subject)))
            if kind == .forwardAttached {
                return Draft(fields: fields, body: "\n", attachedMessage: raw)
            }
            let who = from.first.map(DraftText.format) ?? "someone"
            var body = "\n----- Forwarded message from \(who) -----\n\n"
            for name in ["Date", "From", "To", "Cc", "Subject"] {
                if let value = header[name] {
                    body += "\(name): \(DraftText.oneLine(EncodedWords.decode(value)))\n"
                }
            }
            body += "\n" + MessageRenderer.render(raw).lines.filter(isQuotable).map(\.text).joined(separator: "\n")
            body += "\n\n----- End forwarded message -----\n"
            return Draft(fields: fields, body: body)
        }
    }

    /// One `Re:` however many the original had (and the German `Aw:` mail clients add).
    public static func replySubject(_ subject: String) -> String {
        let base = strippingPrefixes(subject, ["re", "aw"])
        return "Re: " + (base.isEmpty ? "your message" : base)
    }

    public static func forwardSubject(_ subject: String) -> String {
        let base = subject.trimmingCharacters(in: .whitespaces)
        let lower = base.lowercased()
        return lower.hasPrefix("fwd:") || lower.hasPrefix("fw:") ? base : "Fwd: " + base
    }

    /// Leading `Re:`, `RE[2]:`, `Aw:`… taken off, repeatedly.
    static func strippingPrefixes(_ subject: String, _ prefixes: [String]) -> String {
        var rest = Substring(subject.trimmingCharacters(in: .whitespaces))
        while true {
            let lower = rest.lowercased()
            guard let prefix = prefixes.first(where: { lower.hasPrefix($0) }) else { break }
            var after = rest.dropFirst(prefix.count)
            if after.first == "[", let close = after.firstIndex(of: "]"), after[after.index(after: after.startIndex)..<close].allSatisfy(\.isNumber) {
                after = after[after.index(after: close)...]
            }
            guard after.first == ":" else { break }
            rest = after.dropFirst().drop { $0 == " " || $0 == "\t" }
        }
        return String(rest)
    }

    /// The `<id@host>` tokens of a Message-ID, In-Reply-To or References field; anything else
    /// there (comments, phrases, a malformed id with blanks or controls) is left behind.
    static func messageIDs(_ value: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[open...close]
            let inner = id.dropFirst().dropLast()
            if !inner.isEmpty, id.count <= 250, inner.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "<" }) {
                ids.append(String(id))
            }
            rest = rest[rest.index(after: close)...]
        }
        return ids
    }

    private static func addresses(_ header: MessageHeader, _ name: String) -> [Address] {
        header.all(name).flatMap(AddressList.parse).filter(DraftText.isUsable)
    }

    private static func unique(_ list: [Address], excluding: [Address]) -> [Address] {
        var seen = Set(excluding.map { $0.mailbox.lowercased() })
        return list.filter { seen.insert($0.mailbox.lowercased()).inserted }
    }

    private static func isQuotable(_ line: BodyLine) -> Bool {
        switch line.kind {
        case .text, .quote, .link, .header: true
        case .signature, .attachment: false
        }
    }

    /// The original's text as the pager shows it (decoded, format=flowed paragraphs joined),
    /// without signature and attachment markers, each line behind `>`; long lines are wrapped
    /// first, keeping their own quote marks.
    static func quote(_ raw: [UInt8]) -> String {
        var lines = MessageRenderer.render(raw).lines.filter(isQuotable).map(\.text)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        return lines.flatMap(wrap).map { line in
            line.isEmpty ? ">" : line.hasPrefix(">") ? ">" + line : "> " + line
        }.joined(separator: "\n")
    }

    static func wrap(_ line: String) -> [String] {
        guard line.count > longLine else { return [line] }
        let marks = line.prefix { $0 == ">" || $0 == " " }
        let level = marks.filter { $0 == ">" }
        let prefix = level.isEmpty ? "" : level + " "
        var wrapped: [String] = []
        var current = ""
        for word in line.dropFirst(marks.count).split(separator: " ") {
            if !current.isEmpty, prefix.count + current.count + 1 + word.count > quoteWidth {
                wrapped.append(prefix + current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { wrapped.append(prefix + current) }
        return wrapped
    }
}

/// Header text for the draft: one line, and addresses written so they read back the same.
enum DraftText {
    /// Controls (a CR or LF above all) become spaces: a decoded subject or name may hold
    /// `=0D=0A`, and must not end its line.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}" ? " " : scalar
        })).trimmingCharacters(in: .whitespaces)
    }

    /// A mailbox with a domain and no blank or control in it, or an empty group.
    static func isUsable(_ address: Address) -> Bool {
        if address.mailbox.isEmpty { return address.name != nil }
        return address.mailbox.contains("@") && address.mailbox.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F }
            && !address.mailbox.contains("<") && !address.mailbox.contains(">") && !address.mailbox.contains(",")
    }

    static let specials = Set("()<>[]:;@\\,.\"")

    /// `Name <box@host>`, the name quoted when it holds a special character.
    static func format(_ address: Address) -> String {
        let name = address.name.map(oneLine).flatMap { $0.isEmpty ? nil : $0 }
        if address.mailbox.isEmpty { return "\(quoted(name ?? "undisclosed-recipients")):;" }
        guard let name else { return address.mailbox }
        return "\(quoted(name)) <\(address.mailbox)>"
    }

    static func quoted(_ name: String) -> String {
        guard name.contains(where: specials.contains) else { return name }
        return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
