import Foundation

/// Turns message bytes into a `RenderedMessage`. Pure: no I/O, and bounded in depth, part
/// count and line count by `RenderOptions`, so a hostile message costs bounded time.
public enum MessageRenderer {
    public static func render(_ bytes: [UInt8], options: RenderOptions = .init()) -> RenderedMessage {
        build(bytes, options: options, partial: false)
    }

    /// Renders a message whose body may be cut short, such as the reply to `TOP n 20`:
    /// a character split by the cut is dropped instead of spoiling the charset detection of
    /// the whole part, and the result is marked `isPartial`.
    public static func partialRender(_ bytes: [UInt8], options: RenderOptions = .init()) -> RenderedMessage {
        build(bytes, options: options, partial: true)
    }

    /// The attachment numbered `index` (1-based, as in `AttachmentInfo.index`). The same
    /// options as for `render` give the same numbering.
    static func attachmentPart(_ index: Int, in bytes: [UInt8], options: RenderOptions) -> MIMEPart? {
        guard index >= 1 else { return nil }
        var count = 0
        var found: MIMEPart?
        forEachAttachmentPart(bytes, options) { part, _ in
            count += 1
            if count == index { found = part }
        }
        return found
    }

    /// The parts `render` lists as attachments, in its order; `insideMessage` is true for a
    /// part within an attached message (which holds its bytes).
    static func forEachAttachmentPart(_ bytes: [UInt8], _ options: RenderOptions, _ body: (MIMEPart, _ insideMessage: Bool) -> Void) {
        var parser = MIMEParser(maxDepth: options.maxDepth, maxParts: options.maxParts)
        var messageDepth = 0
        PartWalker.walk(parser.parseMessage(bytes)) { event in
            switch event {
            case .attachment(let part, _):
                body(part, messageDepth > 0)
            case .message(let part, _):
                body(part, messageDepth > 0)
                messageDepth += 1
            case .endMessage:
                messageDepth -= 1
            case .inline:
                break
            }
        }
    }

    private static func build(_ bytes: [UInt8], options: RenderOptions, partial: Bool) -> RenderedMessage {
        var parser = MIMEParser(maxDepth: options.maxDepth, maxParts: options.maxParts)
        let root = parser.parseMessage(bytes)
        var builder = BodyBuilder(options: options, partial: partial)
        PartWalker.walk(root) { builder.handle($0) }
        if parser.hitLimit {
            builder.separate()
            builder.append(.text, "[-- Some parts nest too deep or are too many and are only listed --]")
        }
        builder.finish()
        return RenderedMessage(
            briefHeaders: HeaderBlock.brief(root.header, timeZone: options.timeZone),
            fullHeaders: HeaderBlock.full(root.header),
            lines: builder.lines,
            attachments: builder.attachments,
            isPartial: partial
        )
    }
}

extension AttachmentInfo {
    init(part: MIMEPart, index: Int) {
        let name: String
        if let declared = part.filename {
            name = declared
        } else if case .message = part.content {
            name = "message-\(index).eml"
        } else {
            name = "attachment-\(index)" + AttachmentName.suggestedExtension(for: part.contentType.mimeType)
        }
        self.init(index: index, filename: name, mimeType: part.contentType.mimeType, size: part.decodedSize)
    }
}

// MARK: - Choosing what to show

/// Decides, once, which parts are shown inline and which are attachments, so `render` and
/// the save plans always agree on the numbering.
enum PartWalker {
    enum Event {
        case inline(MIMEPart)
        /// `marker` is false for the resources of multipart/related (inline images): they are
        /// listed and savable but would only clutter the text with markers.
        case attachment(MIMEPart, marker: Bool)
        case message(MIMEPart, inner: MIMEPart)
        case endMessage
    }

    static func walk(_ part: MIMEPart, _ visit: (Event) -> Void) {
        switch part.content {
        case .message(let inner):
            visit(.message(part, inner: inner))
            walk(inner, visit)
            visit(.endMessage)
        case .multipart(let children):
            switch part.contentType.subtype {
            case "alternative":
                let scores = children.map(score)
                if let best = scores.max(), best > 0, let chosen = scores.firstIndex(of: best) {
                    walk(children[chosen], visit)
                    // Some mailers hide real attachments inside the HTML alternative
                    // (Apple Mail's alternative[plain, mixed[html, pdf]]); never lose them.
                    for (k, other) in children.enumerated() where k != chosen {
                        salvage(other, inMixed: false, visit)
                    }
                } else {
                    children.forEach { walk($0, visit) }
                }
            case "related":
                let root = relatedRoot(part, children)
                for (k, child) in children.enumerated() {
                    if k == root {
                        walk(child, visit)
                    } else if case .leaf = child.content {
                        visit(.attachment(child, marker: false))
                    } else {
                        walk(child, visit)
                    }
                }
            default:
                children.forEach { walk($0, visit) }
            }
        case .leaf:
            leaf(part, visit)
        }
    }

    private static func leaf(_ part: MIMEPart, _ visit: (Event) -> Void) {
        guard showsInline(part) else {
            visit(.attachment(part, marker: true))
            return
        }
        if part.isAttachmentDisposition {
            visit(.attachment(part, marker: true))
        } else if part.filename != nil {
            // An inline text file: show it, and list it so it can be saved.
            visit(.attachment(part, marker: true))
            visit(.inline(part))
        } else {
            visit(.inline(part))
        }
    }

    private static func showsInline(_ part: MIMEPart) -> Bool {
        switch (part.contentType.type, part.contentType.subtype) {
        case ("text", _), ("message", "delivery-status"), ("message", "disposition-notification"),
             ("message", "global-delivery-status"), ("message", "global-disposition-notification"):
            return true
        default:
            return false
        }
    }

    private static func salvage(_ part: MIMEPart, inMixed: Bool, _ visit: (Event) -> Void) {
        switch part.content {
        case .message:
            visit(.attachment(part, marker: true))
        case .multipart(let children):
            let mixed = part.contentType.subtype != "alternative" && part.contentType.subtype != "related"
            children.forEach { salvage($0, inMixed: mixed, visit) }
        case .leaf:
            if part.isAttachmentDisposition || (inMixed && !showsInline(part)) {
                visit(.attachment(part, marker: true))
            }
        }
    }

    /// How well an alternative suits a text terminal: plain text first (unless it is an
    /// empty placeholder), then HTML, then other text.
    private static func score(_ part: MIMEPart) -> Int {
        switch part.content {
        case .leaf:
            guard !part.isAttachmentDisposition, part.isText else { return 0 }
            switch part.contentType.subtype {
            case "plain": return isBlank(part) ? 0 : 4
            case "html": return 3
            default: return 1
            }
        case .multipart(let children):
            if part.contentType.subtype == "related", !children.isEmpty {
                return score(children[relatedRoot(part, children)])
            }
            return children.map(score).max() ?? 0
        case .message:
            return 1
        }
    }

    private static func isBlank(_ part: MIMEPart) -> Bool {
        let sample = part.storage.withUnsafeBufferPointer { buf -> [UInt8] in
            let body = UnsafeBufferPointer(rebasing: buf[part.body.lowerBound..<min(part.body.upperBound, part.body.lowerBound + 65_536)])
            return part.encoding.decode(body)
        }
        return sample.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }

    private static func relatedRoot(_ part: MIMEPart, _ children: [MIMEPart]) -> Int {
        if let start = part.contentType["start"]?.trimmingWhitespace().trimmingAngleBrackets(),
           let k = children.firstIndex(where: { $0.contentID == start }) {
            return k
        }
        return 0
    }
}

// MARK: - Building the lines

struct BodyBuilder {
    let options: RenderOptions
    let partial: Bool
    private(set) var lines: [BodyLine] = []
    private(set) var attachments: [AttachmentInfo] = []
    private var cutOff = false

    init(options: RenderOptions, partial: Bool) {
        self.options = options
        self.partial = partial
    }

    mutating func handle(_ event: PartWalker.Event) {
        switch event {
        case .inline(let part):
            separate()
            renderText(part)
        case .attachment(let part, let marker):
            let info = AttachmentInfo(part: part, index: attachments.count + 1)
            attachments.append(info)
            if marker {
                separate()
                append(.attachment, "[-- Attachment #\(info.index): \(info.summary) --]")
            }
        case .message(let part, let inner):
            let info = AttachmentInfo(part: part, index: attachments.count + 1)
            attachments.append(info)
            separate()
            append(.attachment, "[-- Attachment #\(info.index): \(info.summary) --]")
            for h in HeaderBlock.brief(inner.header, timeZone: options.timeZone) {
                append(.header, "\(h.name): \(h.value)")
            }
            append(.text, "")
        case .endMessage:
            break
        }
    }

    /// One blank line between parts, however they ended.
    mutating func separate() {
        if let last = lines.last, !last.text.isEmpty { append(.text, "") }
    }

    mutating func append(_ kind: BodyLine.Kind, _ text: String) {
        guard !cutOff else { return }
        guard lines.count < max(1, options.maxLines) else {
            cutOff = true
            return
        }
        lines.append(BodyLine(kind: kind, text: text))
    }

    mutating func finish() {
        while let last = lines.last, last.text.isEmpty, last.kind == .text { lines.removeLast() }
        if cutOff {
            lines.append(BodyLine(kind: .text, text: "[-- Cut off after \(options.maxLines) lines --]"))
        }
    }

    private mutating func renderText(_ part: MIMEPart) {
        var bytes = part.decodedBody()
        let label = part.contentType["charset"]
        if partial, TextLines.isUTF8Compatible(label) { TextLines.dropIncompleteUTF8Tail(&bytes) }
        var classifier = LineClassifier()

        if part.contentType.subtype == "html" {
            let html = Charset.decode(bytes, label: label ?? TextLines.sniffHTMLCharset(bytes))
            if let convert = options.htmlConverter, let text = convert(html) {
                appendPlain(text, &classifier)
                return
            }
            let rendered = HTMLText.render(html, width: options.htmlWidth)
            for line in rendered.lines {
                appendClassified(TextLines.display(line), &classifier)
            }
            trimTrailingBlankLines()
            if !rendered.links.isEmpty {
                append(.text, "")
                for (k, link) in rendered.links.enumerated() {
                    append(.link, "[\(k + 1)] " + TextLines.display(link))
                }
            }
            return
        }

        let text = Charset.decode(bytes, label: label)
        if part.contentType["format"]?.lowercased() == "flowed" {
            let delSp = part.contentType["delsp"]?.lowercased() == "yes"
            for (level, line) in FlowedText.reflow(text, delSp: delSp) {
                let shown = TextLines.display(line)
                if level > 0 {
                    let prefix = String(repeating: ">", count: level)
                    append(.quote(level: level), shown.isEmpty ? prefix : prefix + " " + shown)
                } else {
                    appendClassified(shown, &classifier)
                }
            }
            trimTrailingBlankLines()
            return
        }
        appendPlain(text, &classifier)
    }

    private mutating func appendPlain(_ text: String, _ classifier: inout LineClassifier) {
        TextLines.forEachLine(text) { line in
            appendClassified(TextLines.display(line), &classifier)
            return !cutOff
        }
        trimTrailingBlankLines()
    }

    private mutating func appendClassified(_ line: String, _ classifier: inout LineClassifier) {
        append(classifier.kind(of: line), line)
    }

    private mutating func trimTrailingBlankLines() {
        while let last = lines.last, last.kind == .text || last.kind == .signature, last.text.allSatisfy({ $0 == " " }) {
            lines.removeLast()
        }
    }
}

/// Quote levels and the signature, for one text part.
struct LineClassifier {
    private var inSignature = false

    mutating func kind(of line: String) -> BodyLine.Kind {
        if inSignature { return .signature }
        if line == "-- " {
            inSignature = true
            return .signature
        }
        let level = Self.quoteLevel(line)
        return level > 0 ? .quote(level: level) : .text
    }

    /// Leading `>` marks, optionally separated by single blanks (`> > text` is level 2).
    static func quoteLevel(_ line: String) -> Int {
        var level = 0
        var it = line.utf8.makeIterator()
        var pendingBlank = false
        while let c = it.next() {
            if c == 0x3E {
                level += 1
                pendingBlank = false
            } else if c == 0x20, level > 0, !pendingBlank {
                pendingBlank = true
            } else {
                break
            }
        }
        return level
    }
}

enum TextLines {
    /// Sanitized, with tabs expanded to 8-cell stops.
    static func display(_ line: some StringProtocol) -> String {
        DisplayWidth.expandingTabs(Sanitizer.clean(String(line)))
    }

    /// Calls `body` for each line (CRLF, LF or a lone CR end a line; no empty line is
    /// produced for the final line break). Stops when `body` returns false.
    static func forEachLine(_ text: String, _ body: (Substring) -> Bool) {
        let u = text.utf8
        var start = u.startIndex
        var i = start
        while i < u.endIndex {
            let c = u[i]
            if c == 0x0A || c == 0x0D {
                guard body(text[start..<i]) else { return }
                var next = u.index(after: i)
                if c == 0x0D, next < u.endIndex, u[next] == 0x0A { next = u.index(after: next) }
                start = next
                i = next
            } else {
                i = u.index(after: i)
            }
        }
        if start < u.endIndex { _ = body(text[start..<u.endIndex]) }
    }

    static func isUTF8Compatible(_ label: String?) -> Bool {
        guard let label, let name = Charset.normalize(label) else { return true }
        return name == "utf-8" || name == "utf8" || name == "us-ascii"
    }

    /// A multi-byte character cut by a truncated transfer is dropped, not decoded as junk.
    static func dropIncompleteUTF8Tail(_ bytes: inout [UInt8]) {
        let n = bytes.count
        var k = n - 1
        while k >= 0, k >= n - 3, bytes[k] & 0xC0 == 0x80 { k -= 1 }
        guard k >= 0, bytes[k] >= 0xC0 else { return }
        let lead = bytes[k]
        let needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        if n - k < needed { bytes.removeSubrange(k...) }
    }

    /// `<meta charset=…>` or `<meta http-equiv=… content="…; charset=…">` near the start of an
    /// HTML part that has no charset parameter.
    static func sniffHTMLCharset(_ bytes: [UInt8]) -> String? {
        let head = bytes.prefix(4096).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        let key = Array("charset=".utf8)
        guard head.count > key.count else { return nil }
        var i = 0
        while i + key.count <= head.count {
            if head[i] == key[0], Array(head[i..<(i + key.count)]) == key {
                var j = i + key.count
                while j < head.count, head[j] == 0x22 || head[j] == 0x27 || head[j] == 0x20 { j += 1 }
                var e = j
                while e < head.count, isCharsetByte(head[e]) { e += 1 }
                if e > j { return String(decoding: head[j..<e], as: UTF8.self) }
            }
            i += 1
        }
        return nil
    }

    private static func isCharsetByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F || c == 0x2E || c == 0x3A
    }
}

// MARK: - Header blocks

enum HeaderBlock {
    static func brief(_ header: MessageHeader, timeZone: TimeZone) -> [HeaderLine] {
        var out: [HeaderLine] = []
        for name in ["From", "To", "Cc"] {
            if let raw = header[name] { out.append(HeaderLine(name: name, value: HeaderText.addresses(raw))) }
        }
        if let raw = header["Date"] {
            let value = MessageDate.parse(raw).map { format($0, in: timeZone) } ?? HeaderText.unstructured(raw)
            out.append(HeaderLine(name: "Date", value: value))
        }
        if let raw = header["Subject"] {
            out.append(HeaderLine(name: "Subject", value: HeaderText.unstructured(raw)))
        }
        return out
    }

    static func full(_ header: MessageHeader) -> [HeaderLine] {
        header.fields.map { HeaderLine(name: Sanitizer.clean($0.name), value: HeaderText.unstructured($0.value)) }
    }

    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// RFC 5322 style (`Tue, 5 Mar 2024 10:00:00 +0100`) in the given zone, computed without
    /// DateFormatter so the output does not depend on the process locale.
    static func format(_ date: Date, in zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: date)
        let t = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let secs = t - days * 86_400
        let weekday = weekdays[((days % 7) + 7) % 7]
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let sign = offset < 0 ? "-" : "+"
        let absOffset = abs(offset) / 60
        return "\(weekday), \(day) \(months[month - 1]) \(year) \(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60)) "
            + "\(sign)\(two(absOffset / 60))\(two(absOffset % 60))"
    }

    private static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}
