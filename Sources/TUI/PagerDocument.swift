import Foundation
import Inbox
import MailMessage

/// What the pager shows of a message.
public enum PagerMode: Sendable, Equatable {
    /// The usual headers (From, To, Cc, Date, Subject) and the rendered body.
    case brief
    /// Every header field and the rendered body.
    case fullHeaders
    /// The message source as it came from the server (decoded and sanitized, nothing interpreted).
    case raw
}

/// A message laid out for one width: styled screen lines, long lines wrapped by display width.
public struct PagerDocument: Sendable {
    public struct Line: Sendable, Equatable {
        public var spans: [Span]
        /// The line that was wrapped to make this one, so a position survives a resize.
        public var source: Int

        public var text: String { spans.map(\.text).joined() }
    }

    public let width: Int
    public private(set) var lines: [Line] = []
    private var sourceCount = 0

    public init(message: RenderedMessage, raw: [UInt8]?, mode: PagerMode, width: Int) {
        self.width = max(width, 1)
        switch mode {
        case .raw:
            let text = Charset.decode(raw ?? [], label: nil)
            // "\r\n" is one Character in Swift, so splitting at "\n" alone never splits mail.
            for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
                let clean = Sanitizer.clean(String(line))
                append(clean, style: .pagerText)
            }
        case .brief, .fullHeaders:
            for header in mode == .brief ? message.briefHeaders : message.fullHeaders {
                appendHeader(header.name, header.value, valueStyle: .headerValue)
            }
            for attachment in message.attachments {
                appendHeader("Attachment", "[\(attachment.index)] \(attachment.summary)", valueStyle: .attachment)
            }
            append("", style: .pagerText)
            for line in message.lines {
                append(line.text, style: Self.style(of: line.kind))
            }
        }
    }

    static func style(of kind: BodyLine.Kind) -> StyleName {
        switch kind {
        case .text: .pagerText
        case .quote(let level): level <= 1 ? .quote1 : level == 2 ? .quote2 : .quote3
        case .signature: .signature
        case .attachment: .attachment
        case .link: .link
        case .header: .headerName
        }
    }

    private mutating func append(_ text: String, style: StyleName) {
        let expanded = TerminalText.expandTabs(text)
        for piece in TerminalText.wrap(expanded, width: width) {
            lines.append(Line(spans: [Span(String(piece), style)], source: sourceCount))
        }
        sourceCount += 1
    }

    /// "Name: value", wrapped under the value; a name taking more than half the width gets
    /// lines of its own so the value keeps room.
    private mutating func appendHeader(_ name: String, _ value: String, valueStyle: StyleName) {
        defer { sourceCount += 1 }
        let label = name + ": "
        let labelWidth = TerminalText.width(of: label)
        if labelWidth > width / 2 {
            for piece in TerminalText.wrap(label, width: width) {
                lines.append(Line(spans: [Span(String(piece), .headerName)], source: sourceCount))
            }
            for piece in TerminalText.wrap(value, width: width) {
                lines.append(Line(spans: [Span(String(piece), valueStyle)], source: sourceCount))
            }
            return
        }
        let first = TerminalText.prefix(value, width: width - labelWidth)
        lines.append(Line(spans: [Span(label, .headerName), Span(String(first), valueStyle)], source: sourceCount))
        let rest = Substring(value).dropFirst(first.count).drop(while: { $0 == " " })
        if rest.isEmpty { return }
        let indent = String(repeating: " ", count: labelWidth)
        for piece in TerminalText.wrap(rest, width: width - labelWidth) {
            lines.append(Line(spans: [Span(indent, valueStyle), Span(String(piece), valueStyle)], source: sourceCount))
        }
    }

    /// The first wrapped line made from source line `source` (for keeping the reader's place).
    public func firstLine(ofSource source: Int) -> Int {
        lines.firstIndex { $0.source >= source } ?? max(lines.count - 1, 0)
    }

    /// The next line after (or before, backwards) `line` containing `pattern`, ignoring case,
    /// wrapping around the end. Nil when no line matches.
    public func find(_ pattern: String, after line: Int, forward: Bool) -> (line: Int, wrapped: Bool)? {
        guard !lines.isEmpty, !pattern.isEmpty else { return nil }
        let count = lines.count
        for step in 1...count {
            let position = forward ? line + step : line - step
            let index = (position % count + count) % count
            if lines[index].text.range(of: pattern, options: .caseInsensitive) != nil {
                return (index, position < 0 || position >= count)
            }
        }
        return nil
    }

    /// `spans` with every occurrence of `pattern` (ignoring case) in the match style.
    public static func highlight(_ spans: [Span], _ pattern: String?) -> [Span] {
        guard let pattern, !pattern.isEmpty else { return spans }
        var out: [Span] = []
        for span in spans {
            var rest = Substring(span.text)
            while let match = rest.range(of: pattern, options: .caseInsensitive) {
                if match.lowerBound > rest.startIndex { out.append(Span(String(rest[..<match.lowerBound]), span.style)) }
                out.append(Span(String(rest[match]), .searchMatch))
                rest = rest[match.upperBound...]
            }
            if !rest.isEmpty { out.append(Span(String(rest), span.style)) }
        }
        return out
    }
}
