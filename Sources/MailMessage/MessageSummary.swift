import Foundation

/// What the index shows for one message, built from its header block alone (`TOP n 0`).
/// Every string is decoded and sanitized, and squeezed onto one line.
public struct MessageSummary: Sendable, Equatable, Codable {
    /// The sender's display name, or the address when there is none.
    public var from: String
    public var fromAddress: String?
    /// The recipients' display names (or addresses), comma-separated.
    public var to: String
    public var subject: String
    public var date: Date?
    public var messageID: String?
    /// The first message ID of `In-Reply-To`, `<id>` as in `messageID`: the message this answers.
    public var inReplyTo: String?
    /// The message IDs of `References`, oldest first, each `<id>`: the thread this message is in.
    /// At most `maximumReferences`, the nearest kept: enough to place a reply whose nearer
    /// ancestors are missing, and bounded whatever a header holds.
    public var references: [String]
    /// True when the header says so: multipart/mixed, a top-level non-text type, or an
    /// attachment disposition on the message itself.
    public var hasAttachments: Bool

    public init(from: String, fromAddress: String?, to: String, subject: String, date: Date?,
                messageID: String?, hasAttachments: Bool, inReplyTo: String? = nil, references: [String] = []) {
        self.from = from
        self.fromAddress = fromAddress
        self.to = to
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.hasAttachments = hasAttachments
        self.inReplyTo = inReplyTo
        self.references = references
    }

    public static let maximumReferences = 20

    public static func parse(headerBytes: [UInt8]) -> MessageSummary {
        // The first field of each name counts, as `MessageHeader`'s subscript has it.
        let values = MessageHeader.firstValues(headerBytes, of: fieldsRead)
        let (rawFrom, rawTo, rawSubject, rawDate) = (values[0], values[1], values[2], values[3])
        let (rawMessageID, rawType, rawDisposition) = (values[4], values[5], values[6])
        let (rawInReplyTo, rawReferences) = (values[7], values[8])
        let fromList = rawFrom.map(AddressList.parse) ?? []
        let from: String
        if let first = fromList.first {
            from = first.display
        } else {
            from = HeaderText.unstructured(rawFrom ?? "")
        }
        let toList = (rawTo.map(AddressList.parse) ?? [])
        let to = toList.isEmpty ? HeaderText.unstructured(rawTo ?? "")
            : toList.map(\.display).joined(separator: ", ")
        // The `<id>` form, as `References` names it, so threading compares like with like.
        let messageID = rawMessageID.map { MessageIDs.parse($0).first ?? Sanitizer.clean($0.trimmingWhitespace()) }
        return MessageSummary(
            from: from,
            fromAddress: fromList.first.flatMap { $0.mailbox.isEmpty ? nil : $0.mailbox },
            to: to,
            subject: HeaderText.unstructured(rawSubject ?? ""),
            date: rawDate.flatMap(MessageDate.parse),
            messageID: (messageID?.isEmpty ?? true) ? nil : messageID,
            hasAttachments: Self.announcesAttachments(disposition: rawDisposition, type: rawType),
            inReplyTo: rawInReplyTo.flatMap { MessageIDs.parse($0).first },
            references: rawReferences.map { Array(MessageIDs.parse($0).suffix(maximumReferences)) } ?? []
        )
    }

    /// Every field `parse` looks at, in the order it takes their values; the index parses
    /// thousands of headers, so the rest (Received, DKIM-Signature and the like) is never decoded.
    private static let fieldsRead = FieldNames(["From", "To", "Subject", "Date", "Message-ID", "Content-Type", "Content-Disposition", "In-Reply-To", "References"])

    private static func announcesAttachments(disposition: String?, type raw: String?) -> Bool {
        if let disposition, ContentDisposition(disposition).isAttachment { return true }
        guard let raw else { return false }
        let (type, subtype) = ContentType.mediaType(raw)
        switch type {
        case "multipart": return subtype == "mixed"
        case "text", "message": return false
        default: return true
        }
    }
}

/// The message IDs in a `References` or `In-Reply-To` value.
public enum MessageIDs {
    /// Longest ID kept; a longer one is no real message's (RFC 5322 lines end at 998).
    static let maximumLength = 998

    /// Every `<id>` in `raw`, in order, with any folding blanks inside removed (some mailers fold
    /// long IDs). Text between IDs (phrases, comments, a quoted "message of …") is skipped, and
    /// so is anything that is no ID: empty or unterminated brackets, controls, too long.
    public static func parse(_ raw: String) -> [String] {
        var ids: [String] = []
        var current: [UInt8]?
        for byte in raw.utf8 {
            switch byte {
            case UInt8(ascii: "<"):
                current = []
            case UInt8(ascii: ">"):
                if let id = current, !id.isEmpty, id.count <= maximumLength {
                    ids.append("<" + String(decoding: id, as: UTF8.self) + ">")
                }
                current = nil
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                continue
            case 0..<0x20, 0x7F:
                current = nil
            default:
                current?.append(byte)
            }
        }
        return ids
    }
}

/// Decoding and sanitizing for header text shown on one line.
enum HeaderText {
    /// Unstructured text (Subject and the like): encoded words decoded, controls removed,
    /// blanks (TABs included) collapsed.
    static func unstructured(_ raw: String) -> String {
        AddressList.collapseBlanks(Sanitizer.clean(AddressList.collapseBlanks(EncodedWords.decode(raw))))
    }

    /// An address header as `Name <mailbox>, …`, or the decoded text when it has no address.
    static func addresses(_ raw: String) -> String {
        let list = AddressList.parse(raw)
        guard !list.isEmpty else { return unstructured(raw) }
        return list.map(\.formatted).joined(separator: ", ")
    }
}
