import Foundation

/// How a message is rendered: injected converters, the time zone for dates, and the bounds
/// that keep hostile input cheap.
public struct RenderOptions: Sendable {
    /// An external HTML-to-text converter (e.g. w3m), injected by the caller with its own
    /// timeout. Returning nil falls back to the built-in converter.
    public var htmlConverter: (@Sendable (String) -> String?)?
    /// Dates in the brief header block are shown in this zone.
    public var timeZone: TimeZone
    /// Multipart / embedded-message nesting deeper than this is listed, not descended into.
    public var maxDepth: Int
    /// MIME parts beyond this count are ignored.
    public var maxParts: Int
    /// Body lines beyond this count are cut off with a marker line.
    public var maxLines: Int
    /// Wrap width handed to the built-in HTML converter; nil lets paragraphs stay one line.
    public var htmlWidth: Int?

    public init(htmlConverter: (@Sendable (String) -> String?)? = nil, timeZone: TimeZone = .current,
                maxDepth: Int = 20, maxParts: Int = 1_000, maxLines: Int = 200_000, htmlWidth: Int? = nil) {
        self.htmlConverter = htmlConverter
        self.timeZone = timeZone
        self.maxDepth = maxDepth
        self.maxParts = maxParts
        self.maxLines = maxLines
        self.htmlWidth = htmlWidth
    }
}

public struct HeaderLine: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One line the pager draws. Text is sanitized, tabs are expanded, and long lines are kept
/// whole (the pager wraps).
public struct BodyLine: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case text
        /// A quoted line; `level` is the number of leading `>` marks (or the flowed quote depth).
        case quote(level: Int)
        /// A line at or after the `-- ` signature separator of a text part.
        case signature
        /// An attachment marker, e.g. `[-- Attachment #1: report.pdf (application/pdf, 12 KB) --]`.
        case attachment
        /// A numbered link reference under an HTML part, e.g. `[1] https://example.org/`.
        case link
        /// A header line of an embedded message (message/rfc822).
        case header
    }

    public var kind: Kind
    public var text: String

    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }
}

/// An attachment as listed: `index` is 1-based, the number shown in markers and accepted by
/// `AttachmentSavePlan.one(_:in:)`. `filename` is the declared name, sanitized for display
/// (it may still contain `/`; use `AttachmentName.safe` before writing a file) or, when the
/// sender gave none, a generated one such as `attachment-2.pdf`. `size` is the decoded size.
public struct AttachmentInfo: Sendable, Equatable {
    public var index: Int
    public var filename: String
    public var mimeType: String
    public var size: Int

    public init(index: Int, filename: String, mimeType: String, size: Int) {
        self.index = index
        self.filename = filename
        self.mimeType = mimeType
        self.size = size
    }

    /// "name (type, size)": how every list and marker names an attachment.
    public var summary: String { "\(filename) (\(mimeType), \(sizeDescription))" }

    public var sizeDescription: String { Self.describe(size: size) }

    /// `512 bytes`, `12.3 KB`, `4.0 MB` (powers of 1024).
    public static func describe(size: Int) -> String {
        if size < 1024 { return size == 1 ? "1 byte" : "\(size) bytes" }
        let units = ["KB", "MB", "GB", "TB"]
        var value = Double(size) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}

/// A message ready for a pager that knows nothing about MIME.
public struct RenderedMessage: Sendable, Equatable {
    /// From, To, Cc, Date (in the options' time zone), Subject — those present, in that order.
    public var briefHeaders: [HeaderLine]
    /// Every header field of the message, decoded and sanitized, in order.
    public var fullHeaders: [HeaderLine]
    public var lines: [BodyLine]
    public var attachments: [AttachmentInfo]
    /// True for a render of a truncated message (a `TOP n k` preview): attachment sizes are
    /// then only what arrived.
    public var isPartial: Bool

    public init(briefHeaders: [HeaderLine], fullHeaders: [HeaderLine], lines: [BodyLine],
                attachments: [AttachmentInfo], isPartial: Bool = false) {
        self.briefHeaders = briefHeaders
        self.fullHeaders = fullHeaders
        self.lines = lines
        self.attachments = attachments
        self.isPartial = isPartial
    }

    /// The rendering as plain text, as `mailbag show` prints it: the brief headers, a blank
    /// line, the body lines, and (when there are any) a blank line and the attachment list.
    public var plainText: String {
        var out = ""
        for h in briefHeaders { out += "\(h.name): \(h.value)\n" }
        out += "\n"
        for line in lines { out += line.text + "\n" }
        if !attachments.isEmpty {
            out += "\nAttachments:\n"
            for a in attachments {
                out += "  #\(a.index) \(a.summary)\n"
            }
        }
        return out
    }
}
