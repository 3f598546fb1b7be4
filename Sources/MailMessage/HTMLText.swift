/// Plain-text rendering of an HTML mail body, for a terminal that has no browser.
///
/// Layout rules, chosen for reading mail in a pager:
/// - `p`, `h1`–`h6`, `blockquote`, `pre`, `table`, `hr`, `dl` and top-level lists are paragraphs, separated by
///   one blank line; `div`, `tr`, `li`, `dt`, `dd`, `br` and the other block elements only end the line.
///   There is never more than one blank line in a row (inside `pre` too), and none at the start or end.
/// - Headings are underlined: `h1` with `=`, `h2`–`h6` with `-`, as wide as the heading text.
/// - List items start with `• ` (ordered lists: `1. `, `a. `, `i. ` … after `type`, `start` and `value`);
///   nested lists and item continuation lines are indented under the item's text.
/// - `blockquote` lines start with `> ` per level; a blank line inside a quote keeps its `>` marks.
/// - Links become `text [n]` with `links[n-1]` holding the URL; identical URLs share a number. No number is
///   added when the text already is the address (`mailto:` or web), or for `javascript:`, `vbscript:`,
///   `data:` and same-page `#` links. An image link without alt text shows as `[image] [n]`.
/// - Images show their alt text as `[image: alt]`; images without alt text (spacers, tracking pixels) vanish.
/// - Tables whose cells hold only inline content and `p`/`div`/`br` (receipts, order summaries) are laid out
///   in aligned columns, two spaces apart, honouring `colspan` and right alignment; columns empty in every row
///   are dropped. Other tables (layout tables, wide ones) flow row by row, cells two spaces apart.
/// - Content the sender hid (`display:none`, `visibility:hidden`, `max-height:0` with `overflow:hidden`,
///   the `hidden` attribute, `template`) is dropped, like a mail client would: it is mostly preview-pane
///   padding or the mobile copy of what is shown anyway.
/// - `script`, `style`, `title`, `textarea`, `iframe`, `noembed`, `noframes`, comments (including Outlook
///   conditional comments) and declarations produce no text; `CDATA` sections are shown as text.
/// - A no-break space keeps words together but is output as a plain space; lines are right-trimmed, and a
///   line holding only spaces or invisible format characters counts as blank. A line holding only `--`
///   becomes `-- `, the signature separator, whose trailing space HTML cannot keep.
/// - With `width`, paragraphs wrap at spaces so lines fit (a single longer word stays whole); `pre` text and
///   aligned table rows never wrap.
/// - Text is not sanitized here: control characters from the message pass through for the caller's sanitizer.
///
/// The scanner never recurses and keeps only counters and indices per open element, so the work is linear in
/// the input whatever its nesting; indentation stops growing after a fixed depth.
public struct HTMLText: Sendable, Equatable {
    /// Display lines without line terminators.
    public var lines: [String]
    /// Link targets; `links[0]` is referred to as `[1]` in the text.
    public var links: [String]

    public init(lines: [String] = [], links: [String] = []) {
        self.lines = lines
        self.links = links
    }

    public static func render(_ html: String, width: Int? = nil) -> HTMLText {
        var tokenizer = HTMLTokenizer(Array(html.utf8))
        var layout = HTMLLayout(width: width.map { max(1, $0) })
        while let token = tokenizer.next() {
            switch token {
            case .text(let range):
                layout.text(tokenizer.bytes, range, decodingEntities: true)
            case .cdata(let range):
                layout.text(tokenizer.bytes, range, decodingEntities: false)
            case .start(let name):
                layout.start(name, tokenizer)
            case .end(let name):
                layout.end(name)
            }
        }
        return layout.finish()
    }
}

// MARK: - Tokenizer

/// A forgiving HTML tokenizer in the spirit of the WHATWG rules, reduced to what text rendering needs.
private struct HTMLTokenizer {
    enum Token {
        case text(Range<Int>)
        case cdata(Range<Int>)
        case start(HTMLName)
        case end(HTMLName)
    }

    struct Attribute {
        var name: Range<Int>
        var value: Range<Int>?
    }

    let bytes: [UInt8]
    /// Attributes of the start tag returned last.
    private var attributes: [Attribute] = []
    private var position = 0
    // Where the last `>`, `"` and `'` are lets every "is there a closing one?" question be answered without
    // scanning ahead, so broken markup cannot make the scan quadratic.
    private let lastClose: Int
    private let lastDoubleQuote: Int
    private let lastSingleQuote: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        lastClose = bytes.lastIndex(of: UInt8(ascii: ">")) ?? -1
        lastDoubleQuote = bytes.lastIndex(of: UInt8(ascii: "\"")) ?? -1
        lastSingleQuote = bytes.lastIndex(of: UInt8(ascii: "'")) ?? -1
    }

    mutating func next() -> Token? {
        let count = bytes.count
        while position < count {
            let start = position
            guard bytes[start] == UInt8(ascii: "<"), opensMarkup(at: start) else {
                var index = start + 1
                while index < count, !(bytes[index] == UInt8(ascii: "<") && opensMarkup(at: index)) {
                    index += 1
                }
                position = index
                return .text(start..<index)
            }
            if let token = markup(at: start) {
                return token
            }
        }
        return nil
    }

    /// The value of the named attribute of the last start tag, entities decoded; `""` when it has no value.
    func attribute(_ name: String) -> String? {
        guard let value = attributeValue(name) else { return nil }
        guard let value else { return "" }
        return String(decoding: decoded(value), as: UTF8.self)
    }

    /// The bytes of an attribute value with character references decoded.
    func decoded(_ value: Range<Int>) -> ArraySlice<UInt8> {
        guard bytes[value].contains(UInt8(ascii: "&")) else { return bytes[value] }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(value.count)
        var index = value.lowerBound
        while index < value.upperBound {
            if bytes[index] == UInt8(ascii: "&"),
               let entity = HTMLEntity.decode(bytes, at: index, end: value.upperBound, inAttribute: true) {
                HTMLEntity.append(entity.scalar, to: &decoded)
                index = entity.next
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return decoded[...]
    }

    /// The value of the named attribute, if it has one.
    func valueRange(_ name: String) -> Range<Int>? {
        attributeValue(name) ?? nil
    }

    /// Calls `body` with each `property: value` declaration of a `style` value, both trimmed.
    func forEachDeclaration(in style: Range<Int>, _ body: (_ property: Range<Int>, _ value: Range<Int>) -> Void) {
        var start = style.lowerBound
        while start < style.upperBound {
            var end = start
            while end < style.upperBound, bytes[end] != UInt8(ascii: ";") {
                end += 1
            }
            if let colon = bytes[start..<end].firstIndex(of: UInt8(ascii: ":")) {
                body(trimmed(start..<colon), trimmed(colon + 1..<end))
            }
            start = end + 1
        }
    }

    /// Whether the bytes in `range` start with `prefix` (given in lower case), ignoring case.
    func range(_ range: Range<Int>, startsWith prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { prefix in
            range.count >= prefix.count && zip(bytes[range], prefix).allSatisfy { $0.htmlLowercased == $1 }
        }
    }

    /// Whether the bytes in `range` are `literal` (given in lower case), ignoring case.
    func range(_ range: Range<Int>, is literal: StaticString) -> Bool {
        range.count == literal.utf8CodeUnitCount && self.range(range, startsWith: literal)
    }

    private func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower].isHTMLSpace {
            lower += 1
        }
        while upper > lower, bytes[upper - 1].isHTMLSpace {
            upper -= 1
        }
        return lower..<upper
    }

    /// The first attribute with this name: `nil` when absent, `.some(nil)` when present without a value.
    private func attributeValue(_ name: String) -> Range<Int>?? {
        let attribute = attributes.first { attribute in
            attribute.name.count == name.utf8.count
                && bytes[attribute.name].elementsEqual(name.utf8) { $0.htmlLowercased == $1 }
        }
        return attribute.map(\.value)
    }

    /// A `<` starts markup only before a letter, `/`, `!` or `?`, and only if a `>` follows somewhere;
    /// otherwise it is text, as in `a < b` or a stray `<` at the end of a truncated message.
    private func opensMarkup(at index: Int) -> Bool {
        guard index < lastClose else { return false }
        let next = bytes[index + 1]
        return next.isHTMLLetter || next == UInt8(ascii: "/") || next == UInt8(ascii: "!") || next == UInt8(ascii: "?")
    }

    private mutating func markup(at start: Int) -> Token? {
        let kind = bytes[start + 1]
        if kind == UInt8(ascii: "!") {
            if matches("--", at: start + 2, caseInsensitive: false) {
                skipComment(from: start + 4)
                return nil
            }
            if matches("[cdata[", at: start + 2, caseInsensitive: true) {
                let contentStart = start + 9
                let end = find("]]>", from: contentStart) ?? bytes.count
                position = min(end + 3, bytes.count)
                return .cdata(contentStart..<end)
            }
            skipPast(UInt8(ascii: ">"), from: start + 2)
            return nil
        }
        if kind == UInt8(ascii: "?") {
            skipPast(UInt8(ascii: ">"), from: start + 2)
            return nil
        }
        if kind == UInt8(ascii: "/") {
            let nameStart = start + 2
            guard nameStart < bytes.count, bytes[nameStart].isHTMLLetter else {
                skipPast(UInt8(ascii: ">"), from: nameStart)
                return nil
            }
            let nameEnd = tagNameEnd(from: nameStart)
            skipPast(UInt8(ascii: ">"), from: nameEnd)
            return .end(HTMLName(bytes[nameStart..<nameEnd]))
        }
        return startTag(at: start)
    }

    private mutating func startTag(at start: Int) -> Token? {
        let count = bytes.count
        let nameEnd = tagNameEnd(from: start + 1)
        let name = HTMLName(bytes[start + 1..<nameEnd])
        attributes.removeAll(keepingCapacity: true)
        var index = nameEnd
        while true {
            while index < count, bytes[index].isHTMLSpace || bytes[index] == UInt8(ascii: "/") {
                index += 1
            }
            guard index < count else {
                // A tag cut off by the end of the input hides the rest, as in browsers.
                position = count
                return nil
            }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                break
            }
            let attributeStart = index
            index += 1
            while index < count, !bytes[index].isHTMLSpace, bytes[index] != UInt8(ascii: "/"),
                  bytes[index] != UInt8(ascii: ">"), bytes[index] != UInt8(ascii: "=") {
                index += 1
            }
            var attribute = Attribute(name: attributeStart..<index, value: nil)
            var cursor = index
            while cursor < count, bytes[cursor].isHTMLSpace {
                cursor += 1
            }
            if cursor < count, bytes[cursor] == UInt8(ascii: "=") {
                cursor += 1
                while cursor < count, bytes[cursor].isHTMLSpace {
                    cursor += 1
                }
                (attribute.value, index) = attributeValue(from: cursor)
            }
            attributes.append(attribute)
        }
        position = index
        if name.tag == .rawText {
            skipRawText(closing: start + 1..<nameEnd)
            return nil
        }
        return .start(name)
    }

    private func attributeValue(from start: Int) -> (Range<Int>, next: Int) {
        let count = bytes.count
        guard start < count else { return (start..<start, start) }
        let quote = bytes[start]
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            let valueStart = start + 1
            let lastQuote = quote == UInt8(ascii: "\"") ? lastDoubleQuote : lastSingleQuote
            var end = valueStart
            if lastQuote >= valueStart {
                // Browsers let an unclosed quote run to the next quote, swallowing text and tags on the way.
                // A value that reaches a `<` after a `>` is taken as unclosed and ends at that `>` instead.
                var firstClose: Int?
                while bytes[end] != quote {
                    if bytes[end] == UInt8(ascii: ">"), firstClose == nil {
                        firstClose = end
                    } else if bytes[end] == UInt8(ascii: "<"), let firstClose {
                        return (valueStart..<firstClose, firstClose)
                    }
                    end += 1
                }
                return (valueStart..<end, end + 1)
            }
            // An unclosed quote would swallow the rest of the message; end the value at the tag instead.
            while end < count, bytes[end] != UInt8(ascii: ">") {
                end += 1
            }
            return (valueStart..<end, end)
        }
        var end = start
        while end < count, !bytes[end].isHTMLSpace, bytes[end] != UInt8(ascii: ">") {
            end += 1
        }
        return (start..<end, end)
    }

    private mutating func skipComment(from start: Int) {
        if matches(">", at: start, caseInsensitive: false) {
            position = start + 1
        } else if matches("->", at: start, caseInsensitive: false) {
            position = start + 2
        } else if let end = find("-->", from: start) {
            position = end + 3
        } else {
            position = bytes.count
        }
    }

    private mutating func skipRawText(closing name: Range<Int>) {
        let count = bytes.count
        let name = bytes[name].map(\.htmlLowercased)
        var index = position
        while let candidate = find("</", from: index) {
            let nameEnd = candidate + 2 + name.count
            if nameEnd <= count, zip(bytes[(candidate + 2)...], name).allSatisfy({ $0.htmlLowercased == $1 }),
               nameEnd >= count || bytes[nameEnd].isHTMLSpace || bytes[nameEnd] == UInt8(ascii: "/")
               || bytes[nameEnd] == UInt8(ascii: ">") {
                skipPast(UInt8(ascii: ">"), from: nameEnd)
                return
            }
            index = candidate + 2
        }
        position = count
    }

    private mutating func skipPast(_ byte: UInt8, from start: Int) {
        var index = start
        while index < bytes.count, bytes[index] != byte {
            index += 1
        }
        position = min(index + 1, bytes.count)
    }

    private func tagNameEnd(from start: Int) -> Int {
        var index = start
        while index < bytes.count, !bytes[index].isHTMLSpace, bytes[index] != UInt8(ascii: "/"),
              bytes[index] != UInt8(ascii: ">") {
            index += 1
        }
        return index
    }

    private func matches(_ literal: String, at start: Int, caseInsensitive: Bool) -> Bool {
        let literal = literal.utf8
        guard start + literal.count <= bytes.count else { return false }
        return zip(bytes[start...], literal).allSatisfy { caseInsensitive ? $0.htmlLowercased == $1 : $0 == $1 }
    }

    private func find(_ literal: String, from start: Int) -> Int? {
        let literal = Array(literal.utf8)
        var index = start
        while index + literal.count <= bytes.count {
            if bytes[index] == literal[0], matches(literal, at: index) {
                return index
            }
            index += 1
        }
        return nil
    }

    private func matches(_ literal: [UInt8], at start: Int) -> Bool {
        literal.indices.allSatisfy { bytes[start + $0] == literal[$0] }
    }
}

// MARK: - Elements

private enum HTMLTag: Equatable {
    case link, image, lineBreak, rule, paragraph, block, heading(Int), list(ordered: Bool), item
    case definitionList, term, definition, blockquote, pre, table, row, cell, template
    /// Elements whose content is not markup and never displayed; the tokenizer skips it.
    case rawText
    /// Other elements that never have content or an end tag.
    case void
    case other

    fileprivate static let names: [UInt64: HTMLTag] = {
        var names: [String: HTMLTag] = [
            "a": .link, "img": .image, "br": .lineBreak, "hr": .rule, "p": .paragraph,
            "h1": .heading(1), "h2": .heading(2), "h3": .heading(3),
            "h4": .heading(4), "h5": .heading(5), "h6": .heading(6),
            "ul": .list(ordered: false), "menu": .list(ordered: false), "dir": .list(ordered: false),
            "ol": .list(ordered: true), "li": .item, "dl": .definitionList, "dt": .term, "dd": .definition,
            "blockquote": .blockquote, "pre": .pre, "listing": .pre,
            "table": .table, "tr": .row, "td": .cell, "th": .cell, "template": .template,
        ]
        for name in [
            "div", "center", "section", "article", "header", "footer", "nav", "aside", "main", "address",
            "figure", "figcaption", "form", "fieldset", "legend", "details", "summary", "caption", "hgroup",
            "option", "dialog",
        ] {
            names[name] = .block
        }
        for name in ["script", "style", "title", "textarea", "iframe", "noembed", "noframes"] {
            names[name] = .rawText
        }
        for name in [
            "area", "base", "col", "embed", "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
        ] {
            names[name] = .void
        }
        return Dictionary(uniqueKeysWithValues: names.map { (HTMLName.key($0.key.utf8), $0.value) })
    }()
}

/// An element name, identified without building a `String` for every tag of a long message.
private struct HTMLName {
    let tag: HTMLTag
    /// Equal for equal names, ignoring case.
    let key: UInt64

    init(_ name: ArraySlice<UInt8>) {
        key = Self.key(name)
        tag = HTMLTag.names[key] ?? .other
    }

    var isVoid: Bool {
        switch tag {
        case .image, .lineBreak, .rule, .void: return true
        default: return false
        }
    }

    /// Names of up to 8 bytes are packed exactly; longer ones are hashed into keys with the top bit set,
    /// which packed names never have.
    static func key<Name: Collection<UInt8>>(_ name: Name) -> UInt64 {
        if name.count <= 8 {
            return name.reduce(0) { $0 << 8 | UInt64($1.htmlLowercased) }
        }
        return name.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1.htmlLowercased)) &* 0x100_0000_01B3 } | 1 << 63
    }
}

// MARK: - Layout

private struct HTMLLayout {
    private enum Break {
        case line, paragraph
    }

    private enum FrameKind: Int, CaseIterable {
        case list, item, quote, pre, link, heading, table, cell, definitions, definition
    }

    /// Inherited state of the element being rendered; each open element saves its parent's and restores it.
    private struct Context {
        var prefix: [UInt8] = []
        var prefixWidth = 0
        var depth = 0
        var pre = 0
        /// Stack index of the innermost list.
        var list: Int?
        /// Stack index of the innermost definition list.
        var definitions: Int?
        /// Index in `tables` of the innermost table.
        var table: Int?
        /// Stack index of the open link.
        var link: Int?
        /// Stack index of the open heading.
        var heading: Int?
    }

    private struct Frame {
        let kind: FrameKind
        let saved: Context
        /// Lists: ordinal of the next item. Headings: the level.
        var number = 1
        /// Lists: 0 for bullets, else the `type` letter of an ordered list.
        var style: UInt8 = 0
        /// Lists and definition lists: stack index of the open item or definition.
        var item: Int?
        /// Links: `contentCount` when the link opened, to tell whether it enclosed any text.
        var contentMark = 0
        var sawImage = false
        var href: String?
        /// Headings: the widest line so far, for the underline.
        var textWidth = 0
    }

    private struct TableCell {
        /// Lines of the cell; an empty line between others is a paragraph gap.
        var lines: [[UInt8]] = [[]]
        var span = 1
        var alignRight = false
        var width = 0

        mutating func breakLine(_ kind: Break) {
            let last = lines.count - 1
            if !lines[last].isEmpty {
                lines.append([])
                if kind == .paragraph {
                    lines.append([])
                }
            } else if kind == .paragraph, last > 0, !lines[last - 1].isEmpty {
                lines.append([])
            }
        }

        /// Normalizes the collected lines: blank-looking lines become gaps, gaps collapse and never lead or trail.
        mutating func finish() {
            var result: [[UInt8]] = []
            for text in lines {
                if HTMLBlank.isBlank(text[...]) {
                    if let previous = result.last, !previous.isEmpty {
                        result.append([])
                    }
                } else {
                    result.append(text)
                }
            }
            if result.last?.isEmpty == true {
                result.removeLast()
            }
            lines = result.isEmpty ? [[]] : result
            width = lines.map { DisplayWidth.ofSanitized(utf8: $0) }.max() ?? 0
        }
    }

    private struct TableState {
        var buffering = true
        var rows: [[TableCell]] = []
        var row: [TableCell]?
        var cell = TableCell()
        /// Stack index of the open cell.
        var cellFrame: Int?
    }

    /// The list marker waiting for the item's first line: it replaces `replaced` indentation bytes of the
    /// prefix at `offset`, so content nested in the item (a quote, say) still lines up.
    private struct Marker {
        var offset: Int
        var replaced: Int
        var text: [UInt8]
    }

    private static let maxVisualDepth = 16
    private static let cellGap = 2
    private static let ruleWidth = 40
    /// Without a target width, tables wider than this flow instead of aligning.
    private static let defaultTableWidth = 120
    /// More columns than a terminal could show side by side; such tables flow.
    private static let maxColumns = 200
    private static let maxLinkTextBytes = 1024

    private let width: Int?
    private var lines: [String] = []
    private var links: [String] = []
    private var linkNumbers: [String: Int] = [:]

    private var line: [UInt8] = []
    private var lineOpen = false
    /// Whether the open line holds text rather than an underline, a rule or a table row.
    private var lineIsText = false
    private var lineWidth = 0
    /// Bytes of the open line before its text (prefix and marker).
    private var lineTextStart = 0
    private var linePrefix: [UInt8] = []
    private var linePrefixWidth = 0
    private var lastPrefix: [UInt8] = []
    private var pendingBlank = false
    /// Spaces owed before the next word: 1 for collapsed whitespace, `cellGap` between table cells.
    private var pendingSpace = 0
    private var word: [UInt8] = []
    private var marker: Marker?

    private var context = Context()
    private var stack: [Frame] = []
    private var openCounts = [Int](repeating: 0, count: FrameKind.allCases.count)
    private var tables: [TableState] = []
    private var hidden: (name: HTMLName, depth: Int)?
    private var contentCount = 0
    private var linkText: [UInt8] = []
    private var preStart = false
    private var preAfterCR = false

    init(width: Int?) {
        self.width = width
    }

    mutating func finish() -> HTMLText {
        flushWord()
        popTo(0)
        finishLine()
        return HTMLText(lines: lines, links: links)
    }

    // MARK: Text

    mutating func text(_ bytes: [UInt8], _ range: Range<Int>, decodingEntities: Bool) {
        guard hidden == nil else { return }
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if context.pre == 0, !byte.isHTMLSpace, byte != UInt8(ascii: "&") {
                var end = index + 1
                while end < range.upperBound, !bytes[end].isHTMLSpace, bytes[end] != UInt8(ascii: "&") {
                    end += 1
                }
                word.append(contentsOf: bytes[index..<end])
                index = end
                continue
            }
            if byte == UInt8(ascii: "&"), decodingEntities,
               let entity = HTMLEntity.decode(bytes, at: index, end: range.upperBound, inAttribute: false) {
                if entity.scalar < 0x80 {
                    character(UInt8(entity.scalar))
                } else {
                    HTMLEntity.append(entity.scalar, to: &word)
                    preStart = false
                }
                index = entity.next
            } else {
                character(byte)
                index += 1
            }
        }
    }

    private mutating func character(_ byte: UInt8) {
        if context.pre > 0 {
            preCharacter(byte)
        } else if byte.isHTMLSpace {
            flushWord()
            pendingSpace = max(pendingSpace, 1)
        } else {
            word.append(byte)
        }
    }

    private mutating func preCharacter(_ byte: UInt8) {
        let afterCR = preAfterCR
        let atStart = preStart
        preAfterCR = byte == UInt8(ascii: "\r")
        preStart = false
        switch byte {
        case UInt8(ascii: "\n") where afterCR:
            break
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
            // The newline right after `<pre>` belongs to the markup, not the text.
            if !atStart {
                flushWord()
                forcedBreak()
            }
        case UInt8(ascii: "\t"):
            flushWord()
            let column = lineOpen ? lineWidth - linePrefixWidth : 0
            word.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 8 - column % 8))
        default:
            word.append(byte)
        }
    }

    private mutating func flushWord() {
        guard !word.isEmpty else { return }
        emit(word)
        word.removeAll(keepingCapacity: true)
    }

    /// Sends a word to the open table cell when the table is still being collected, else to the line.
    private mutating func emit<Text: Collection<UInt8>>(_ text: Text) {
        contentCount += 1
        if context.link != nil, linkText.count < Self.maxLinkTextBytes {
            if pendingSpace > 0, !linkText.isEmpty {
                linkText.append(UInt8(ascii: " "))
            }
            linkText.append(contentsOf: text)
        }
        if let table = context.table, tables[table].buffering {
            if tables[table].cellFrame != nil {
                let last = tables[table].cell.lines.count - 1
                if pendingSpace > 0, !tables[table].cell.lines[last].isEmpty {
                    tables[table].cell.lines[last].append(UInt8(ascii: " "))
                }
                tables[table].cell.lines[last].append(contentsOf: text)
                pendingSpace = 0
                return
            }
            // Browsers move text found between rows out of the table; invisible text there changes nothing.
            if HTMLBlank.isBlank(text) {
                return
            }
            unbuffer()
        }
        appendWord(text, width: DisplayWidth.ofSanitized(utf8: text))
    }

    // MARK: Lines

    private mutating func openLine() {
        var prefix = context.prefix
        if let marker, marker.offset + marker.replaced <= prefix.count {
            prefix.replaceSubrange(marker.offset..<marker.offset + marker.replaced, with: marker.text)
        }
        marker = nil
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: prefix)
        lineTextStart = prefix.count
        lineWidth = DisplayWidth.ofSanitized(utf8: prefix)
        linePrefix = context.prefix
        linePrefixWidth = context.prefixWidth
        lineOpen = true
        lineIsText = false
    }

    private mutating func appendWord<Text: Collection<UInt8>>(_ text: Text, width textWidth: Int) {
        if !lineOpen {
            openLine()
        } else if pendingSpace > 0 {
            if let width, context.pre == 0, line.count > lineTextStart, lineWidth + pendingSpace + textWidth > width {
                finishLine()
                openLine()
            } else {
                line.append(contentsOf: repeatElement(UInt8(ascii: " "), count: pendingSpace))
                lineWidth += pendingSpace
            }
        }
        line.append(contentsOf: text)
        lineWidth += textWidth
        lineIsText = true
        pendingSpace = 0
    }

    private mutating func appendRaw(_ text: [UInt8]) {
        if !lineOpen {
            openLine()
        }
        line.append(contentsOf: text)
        lineWidth += DisplayWidth.ofSanitized(utf8: text)
    }

    private mutating func finishLine() {
        pendingSpace = 0
        guard lineOpen else { return }
        lineOpen = false
        if line.contains(0xC2) {
            line = HTMLBlank.replacingNoBreakSpaces(line)
        }
        HTMLBlank.trimTrailingBlanks(&line)
        guard line.count > lineTextStart, !HTMLBlank.isBlank(line[lineTextStart...]) else {
            requestBlank()
            return
        }
        // HTML collapses the space that makes `--` the signature separator; put it back for the caller.
        if lineIsText, line[lineTextStart...].elementsEqual("--".utf8) {
            line.append(UInt8(ascii: " "))
        }
        if pendingBlank {
            let common = zip(lastPrefix, linePrefix).prefix { $0 == $1 }.map(\.0)
            lines.append(String(decoding: common.reversed().drop { $0 == UInt8(ascii: " ") }.reversed(), as: UTF8.self))
            pendingBlank = false
        }
        lines.append(String(decoding: line, as: UTF8.self))
        lastPrefix = linePrefix
        if let heading = context.heading {
            stack[heading].textWidth = max(stack[heading].textWidth, DisplayWidth.ofSanitized(utf8: line) - linePrefixWidth)
        }
    }

    private mutating func requestBlank() {
        pendingBlank = !lines.isEmpty
    }

    private mutating func blockBreak(_ kind: Break) {
        flushWord()
        pendingSpace = 0
        if let table = context.table, tables[table].buffering {
            if tables[table].cellFrame != nil {
                tables[table].cell.breakLine(kind)
            }
            return
        }
        finishLine()
        if kind == .paragraph {
            requestBlank()
        }
    }

    /// `<br>` (and a newline in `pre`): ends the line, or makes a blank line when the line is empty.
    private mutating func forcedBreak() {
        if let table = context.table, tables[table].buffering {
            blockBreak(.line)
        } else if lineOpen {
            finishLine()
        } else {
            requestBlank()
        }
    }

    // MARK: Elements

    mutating func start(_ name: HTMLName, _ source: HTMLTokenizer) {
        if let current = hidden {
            guard current.depth == 1, HTMLStyle.ends(current.name.tag, byStart: name.tag) else {
                if name.key == current.name.key, !name.isVoid {
                    hidden = (name, current.depth + 1)
                }
                return
            }
            hidden = nil
        }
        if name.tag == .template || HTMLStyle.hides(source) {
            if !name.isVoid {
                hidden = (name, 1)
            }
            return
        }
        flushWord()
        switch name.tag {
        case .link:
            startLink(source)
        case .image:
            image(source)
        case .lineBreak:
            forcedBreak()
        case .rule:
            unbuffer()
            blockBreak(.paragraph)
            let count = width.map { max(1, $0 - context.prefixWidth) } ?? Self.ruleWidth
            appendRaw(Array(String(repeating: "─", count: count).utf8))
            blockBreak(.paragraph)
        case .paragraph:
            blockBreak(.paragraph)
        case .block:
            blockBreak(.line)
        case .definitionList:
            startDefinitions()
        case .term:
            endDefinition()
            blockBreak(.line)
        case .heading(let level):
            startHeading(level)
        case .list(let ordered):
            startList(ordered: ordered, source)
        case .item:
            startItem(source)
        case .definition:
            startDefinition()
        case .blockquote:
            unbuffer()
            blockBreak(.paragraph)
            push(.quote, indent: Array("> ".utf8))
        case .pre:
            unbuffer()
            blockBreak(.paragraph)
            push(.pre)
            context.pre += 1
            preStart = true
            preAfterCR = false
        case .table:
            unbuffer()
            blockBreak(.paragraph)
            tables.append(TableState())
            push(.table)
            context.table = tables.count - 1
            // A table is a scope boundary: an item, definition, heading or link inside it does not close
            // the ones around it.
            context.list = nil
            context.definitions = nil
            context.heading = nil
            context.link = nil
        case .row:
            startRow()
        case .cell:
            startCell(source)
        case .template, .rawText, .void, .other:
            break
        }
    }

    mutating func end(_ name: HTMLName) {
        if let current = hidden {
            guard current.depth == 1, HTMLStyle.ends(current.name.tag, byEnd: name.tag) else {
                if name.key == current.name.key {
                    hidden = current.depth == 1 ? nil : (name, current.depth - 1)
                }
                return
            }
            hidden = nil
        }
        flushWord()
        switch name.tag {
        case .link:
            if let link = context.link {
                popTo(link)
            }
        case .lineBreak:
            forcedBreak()
        case .paragraph:
            blockBreak(.paragraph)
        case .block, .term:
            blockBreak(.line)
        case .definitionList:
            popNearest(.definitions)
        case .heading:
            if let heading = context.heading {
                popTo(heading)
            }
        case .list:
            popNearest(.list)
        case .item:
            if let list = context.list, let item = stack[list].item {
                popTo(item)
            }
        case .definition:
            endDefinition()
        case .blockquote:
            popNearest(.quote)
        case .pre:
            popNearest(.pre)
        case .table:
            popNearest(.table)
        case .row:
            if let table = context.table {
                endRow(table)
            } else {
                blockBreak(.line)
            }
        case .cell:
            if let table = context.table, let cell = tables[table].cellFrame {
                popTo(cell)
            }
        case .image, .rule, .template, .rawText, .void, .other:
            break
        }
    }

    private mutating func push(_ kind: FrameKind, indent: [UInt8] = []) {
        stack.append(Frame(kind: kind, saved: context))
        openCounts[kind.rawValue] += 1
        guard !indent.isEmpty else { return }
        context.depth += 1
        if context.depth <= Self.maxVisualDepth {
            context.prefix += indent
            context.prefixWidth += DisplayWidth.ofSanitized(utf8: indent)
        }
    }

    private mutating func popNearest(_ kind: FrameKind) {
        guard openCounts[kind.rawValue] > 0, let index = stack.lastIndex(where: { $0.kind == kind }) else { return }
        popTo(index)
    }

    /// Closes the frame at `index` and everything opened inside it.
    private mutating func popTo(_ index: Int) {
        while stack.count > index {
            flushWord()
            close(stack.count - 1)
            let frame = stack.removeLast()
            openCounts[frame.kind.rawValue] -= 1
            context = frame.saved
        }
    }

    private mutating func close(_ index: Int) {
        let frame = stack[index]
        switch frame.kind {
        case .list:
            blockBreak(frame.saved.list == nil ? .paragraph : .line)
        case .item:
            blockBreak(.line)
            marker = nil
            if let list = frame.saved.list {
                stack[list].item = nil
            }
        case .quote, .pre, .definitions:
            blockBreak(.paragraph)
        case .definition:
            blockBreak(.line)
            if let definitions = frame.saved.definitions {
                stack[definitions].item = nil
            }
        case .link:
            closeLink(frame)
        case .heading:
            blockBreak(.line)
            // Read after the break: finishing the last heading line updates the width.
            let textWidth = stack[index].textWidth
            if textWidth > 0 {
                let underline: Character = frame.number == 1 ? "=" : "-"
                appendRaw(Array(String(repeating: underline, count: textWidth).utf8))
            }
            blockBreak(.paragraph)
        case .table:
            closeTable()
        case .cell:
            closeCell()
        }
    }

    private mutating func startLink(_ source: HTMLTokenizer) {
        if let link = context.link {
            popTo(link)
        }
        guard let href = source.attribute("href").flatMap(HTMLLinks.target) else { return }
        push(.link)
        stack[stack.count - 1].href = href
        stack[stack.count - 1].contentMark = contentCount
        context.link = stack.count - 1
        linkText.removeAll(keepingCapacity: true)
    }

    private mutating func closeLink(_ frame: Frame) {
        guard let href = frame.href else { return }
        // Whitespace at the end of the link text still separates the reference from what follows.
        let trailingSpace = pendingSpace
        if contentCount == frame.contentMark {
            guard frame.sawImage else { return }
            pendingSpace = max(pendingSpace, 1)
            emit("[image]".utf8)
        } else if HTMLLinks.textRepeats(linkText, href: href) {
            return
        }
        let number: Int
        if let known = linkNumbers[href] {
            number = known
        } else {
            links.append(href)
            number = links.count
            linkNumbers[href] = number
        }
        pendingSpace = max(pendingSpace, 1)
        emit("[\(number)]".utf8)
        pendingSpace = trailingSpace
    }

    private mutating func image(_ source: HTMLTokenizer) {
        if let link = context.link {
            stack[link].sawImage = true
        }
        guard let altRange = source.valueRange("alt") else { return }
        let alt = source.decoded(altRange).split(whereSeparator: \.isHTMLSpace)
        guard !alt.isEmpty else { return }
        pendingSpace = max(pendingSpace, 1)
        emit("[image:".utf8)
        for (index, part) in alt.enumerated() {
            pendingSpace = 1
            if index == alt.count - 1 {
                emit(part + [UInt8(ascii: "]")])
            } else {
                emit(part)
            }
        }
        pendingSpace = 1
    }

    private mutating func startDefinitions() {
        unbuffer()
        blockBreak(.paragraph)
        push(.definitions)
        context.definitions = stack.count - 1
    }

    private mutating func startDefinition() {
        unbuffer()
        if context.definitions == nil {
            startDefinitions()
        }
        endDefinition()
        blockBreak(.line)
        let definitions = context.definitions
        push(.definition, indent: Array("    ".utf8))
        if let definitions {
            stack[definitions].item = stack.count - 1
        }
    }

    /// A `dt` or `dd` ends the open definition, like a new `li` ends the previous item.
    private mutating func endDefinition() {
        if let definitions = context.definitions, let open = stack[definitions].item {
            popTo(open)
        }
    }

    private mutating func startHeading(_ level: Int) {
        unbuffer()
        if let heading = context.heading {
            popTo(heading)
        }
        blockBreak(.paragraph)
        push(.heading)
        stack[stack.count - 1].number = level
        context.heading = stack.count - 1
    }

    private mutating func startList(ordered: Bool, _ source: HTMLTokenizer) {
        unbuffer()
        blockBreak(context.list == nil ? .paragraph : .line)
        push(.list)
        let list = stack.count - 1
        if ordered {
            let type = source.attribute("type")?.utf8.first ?? UInt8(ascii: "1")
            stack[list].style = Array("aAiI".utf8).contains(type) ? type : UInt8(ascii: "1")
            stack[list].number = source.attribute("start").flatMap(HTMLLayout.integer) ?? 1
        }
        context.list = list
    }

    private mutating func startItem(_ source: HTMLTokenizer) {
        unbuffer()
        if context.list == nil {
            startList(ordered: false, source)
        }
        guard let list = context.list else { return }
        if let open = stack[list].item {
            popTo(open)
        }
        blockBreak(.line)
        let number = source.attribute("value").flatMap(HTMLLayout.integer) ?? stack[list].number
        stack[list].number = number &+ 1
        let text = HTMLLists.marker(number, style: stack[list].style)
        let markerWidth = DisplayWidth.ofSanitized(utf8: text)
        let offset = context.prefix.count
        push(.item, indent: [UInt8](repeating: UInt8(ascii: " "), count: markerWidth))
        stack[list].item = stack.count - 1
        marker = Marker(offset: offset, replaced: context.prefix.count - offset, text: text)
    }

    // MARK: Tables

    private mutating func startRow() {
        guard let table = context.table else {
            blockBreak(.line)
            return
        }
        endRow(table)
        if tables[table].buffering {
            tables[table].row = []
        }
    }

    private mutating func endRow(_ table: Int) {
        if let cell = tables[table].cellFrame {
            popTo(cell)
        }
        if tables[table].buffering {
            if let row = tables[table].row {
                tables[table].rows.append(row)
                tables[table].row = nil
            }
        } else {
            finishLine()
        }
    }

    private mutating func startCell(_ source: HTMLTokenizer) {
        guard let table = context.table else {
            if lineOpen {
                pendingSpace = Self.cellGap
            }
            return
        }
        if let cell = tables[table].cellFrame {
            popTo(cell)
        }
        if tables[table].buffering {
            if tables[table].row == nil {
                tables[table].row = []
            }
            let span = source.attribute("colspan").flatMap(HTMLLayout.integer) ?? 1
            tables[table].cell = TableCell(
                span: min(max(span, 1), 100),
                alignRight: HTMLStyle.alignsRight(source)
            )
            pendingSpace = 0
        } else if lineOpen {
            pendingSpace = Self.cellGap
        }
        push(.cell)
        tables[table].cellFrame = stack.count - 1
    }

    private mutating func closeCell() {
        guard let table = context.table else { return }
        tables[table].cellFrame = nil
        guard tables[table].buffering else { return }
        var cell = tables[table].cell
        cell.finish()
        if tables[table].row == nil {
            tables[table].row = []
        }
        tables[table].row?.append(cell)
        pendingSpace = 0
    }

    private mutating func closeTable() {
        guard let table = context.table else { return }
        if let row = tables[table].row {
            tables[table].rows.append(row)
            tables[table].row = nil
        }
        if tables[table].buffering {
            tables[table].buffering = false
            layOut(tables[table].rows)
        }
        blockBreak(.paragraph)
        tables.removeLast()
    }

    /// Gives up collecting the innermost table: what was collected so far flows as ordinary lines and the
    /// open cell stays open, so the content that made the table unsuitable for columns continues it.
    private mutating func unbuffer() {
        guard let table = context.table, tables[table].buffering else { return }
        let state = tables[table]
        tables[table] = TableState(buffering: false, cellFrame: state.cellFrame)
        let carried = pendingSpace
        for row in state.rows {
            flow(row)
            finishLine()
        }
        if let row = state.row {
            flow(row)
        }
        guard state.cellFrame != nil else {
            pendingSpace = carried
            return
        }
        flow(state.cell)
        if !state.cell.lines[state.cell.lines.count - 1].isEmpty {
            pendingSpace = carried
        } else if state.cell.lines.count == 1, lineOpen {
            pendingSpace = Self.cellGap
        }
    }

    private mutating func flow(_ row: [TableCell]) {
        for cell in row {
            flow(cell)
        }
    }

    private mutating func flow(_ cell: TableCell) {
        let last = cell.lines.count - 1
        for (index, text) in cell.lines.enumerated() {
            if index > 0 {
                finishLine()
                if text.isEmpty, index < last {
                    requestBlank()
                }
            }
            guard !text.isEmpty else { continue }
            if index == 0, lineOpen {
                pendingSpace = Self.cellGap
            }
            guard width != nil else {
                appendWord(text, width: DisplayWidth.ofSanitized(utf8: text))
                continue
            }
            for part in text.split(separator: UInt8(ascii: " ")) {
                appendWord(part, width: DisplayWidth.ofSanitized(utf8: part))
                pendingSpace = 1
            }
            pendingSpace = 0
        }
    }

    private mutating func layOut(_ allRows: [[TableCell]]) {
        let rows = allRows.filter { row in row.contains { $0.width > 0 } }
        guard let (widths, used) = Self.columns(of: rows),
              context.prefixWidth + Self.totalWidth(widths, used) <= width ?? Self.defaultTableWidth else {
            for row in rows {
                flow(row)
                finishLine()
            }
            return
        }
        for row in rows {
            let height = row.map(\.lines.count).max() ?? 0
            for lineIndex in 0..<height {
                var output: [UInt8] = []
                var padding = 0
                var column = 0
                var first = true
                for cell in row {
                    let columns = (column..<column + cell.span).filter { used[$0] }
                    column += cell.span
                    guard !columns.isEmpty else { continue }
                    let available = columns.reduce(0) { $0 + widths[$1] } + Self.cellGap * (columns.count - 1)
                    if !first {
                        padding += Self.cellGap
                    }
                    first = false
                    let text = lineIndex < cell.lines.count ? cell.lines[lineIndex] : []
                    let fill = max(0, available - DisplayWidth.ofSanitized(utf8: text))
                    if cell.alignRight {
                        padding += fill
                    }
                    if !text.isEmpty {
                        output += repeatElement(UInt8(ascii: " "), count: padding)
                        output += text
                        padding = 0
                    }
                    if !cell.alignRight {
                        padding += fill
                    }
                }
                appendRaw(output)
                finishLine()
            }
        }
    }

    /// Column widths and which columns hold anything, or nil when the rows do not make at least two
    /// columns (or make absurdly many).
    private static func columns(of rows: [[TableCell]]) -> (widths: [Int], used: [Bool])? {
        guard rows.allSatisfy({ row in row.reduce(0) { $0 + $1.span } <= maxColumns }) else { return nil }
        var widths: [Int] = []
        for row in rows {
            var column = 0
            for cell in row {
                if widths.count < column + cell.span {
                    widths += repeatElement(0, count: column + cell.span - widths.count)
                }
                if cell.span == 1 {
                    widths[column] = max(widths[column], cell.width)
                }
                column += cell.span
            }
        }
        // A spanning cell over columns that are otherwise empty gets the first of them.
        var used = widths.map { $0 > 0 }
        for row in rows {
            var column = 0
            for cell in row {
                if cell.width > 0, !(column..<column + cell.span).contains(where: { used[$0] }) {
                    used[column] = true
                    widths[column] = max(widths[column], cell.width)
                }
                column += cell.span
            }
        }
        return used.filter { $0 }.count > 1 ? (widths, used) : nil
    }

    private static func totalWidth(_ widths: [Int], _ used: [Bool]) -> Int {
        let columns = zip(widths, used).filter(\.1).map(\.0)
        return columns.reduce(0, +) + cellGap * (columns.count - 1)
    }

    /// HTML's rules for parsing integers: leading whitespace, an optional sign, then digits up to the first
    /// other character, so `start="3."` is 3.
    private static func integer(_ text: String) -> Int? {
        var bytes = text.utf8.drop { $0.isHTMLSpace }
        let negative = bytes.first == UInt8(ascii: "-")
        if negative || bytes.first == UInt8(ascii: "+") {
            bytes = bytes.dropFirst()
        }
        let digits = bytes.prefix { $0.isHTMLDigit }.prefix(9)
        guard !digits.isEmpty else { return nil }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return negative ? -value : value
    }
}

// MARK: - Helpers

/// What inline styles and presentational attributes say about hiding and aligning content.
private enum HTMLStyle {
    static func hides(_ source: HTMLTokenizer) -> Bool {
        if source.attribute("hidden") != nil {
            return true
        }
        guard let style = source.valueRange("style") else { return false }
        var hidden = false
        var zeroHeight = false
        var clipped = false
        source.forEachDeclaration(in: style) { property, value in
            if source.range(property, is: "display") {
                hidden = hidden || source.range(value, startsWith: "none")
            } else if source.range(property, is: "visibility") {
                hidden = hidden || source.range(value, startsWith: "hidden")
            } else if source.range(property, is: "max-height") {
                zeroHeight = source.range(value, startsWith: "0")
                    && !source.bytes[value].contains { (0x31...0x39).contains($0) }
            } else if source.range(property, is: "overflow") {
                clipped = source.range(value, startsWith: "hidden")
            }
        }
        return hidden || (zeroHeight && clipped)
    }

    static func alignsRight(_ source: HTMLTokenizer) -> Bool {
        if let align = source.valueRange("align"), source.range(align, is: "right") {
            return true
        }
        guard let style = source.valueRange("style") else { return false }
        var right = false
        source.forEachDeclaration(in: style) { property, value in
            if source.range(property, is: "text-align") {
                right = source.range(value, startsWith: "right")
            }
        }
        return right
    }

    /// Elements whose end tag is optional end where a browser would close them implicitly; without this a
    /// hidden `<td>` or `<p>` left open would hide the rest of the message.
    static func ends(_ hidden: HTMLTag, byStart tag: HTMLTag) -> Bool {
        switch (hidden, tag) {
        case (.paragraph, .paragraph), (.paragraph, .block), (.paragraph, .table), (.paragraph, .list),
             (.paragraph, .definitionList), (.paragraph, .heading), (.paragraph, .blockquote), (.paragraph, .pre),
             (.paragraph, .rule), (.item, .item), (.cell, .cell), (.cell, .row), (.row, .row),
             (.term, .term), (.term, .definition), (.definition, .term), (.definition, .definition):
            return true
        default:
            return false
        }
    }

    static func ends(_ hidden: HTMLTag, byEnd tag: HTMLTag) -> Bool {
        switch (hidden, tag) {
        case (.paragraph, .block), (.paragraph, .cell), (.paragraph, .item), (.paragraph, .blockquote),
             (.paragraph, .table), (.item, .list), (.cell, .row), (.cell, .table), (.row, .table),
             (.term, .definitionList), (.definition, .definitionList):
            return true
        default:
            return false
        }
    }
}

private enum HTMLLinks {
    /// The address a link leads to, or nil when it leads nowhere a reader could go.
    static func target(_ href: String) -> String? {
        // URL parsers drop tabs and newlines anywhere and spaces and controls at the ends; so does this.
        var bytes = Array(href.utf8)
        bytes.removeAll { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let cleaned = trimmed(bytes[...])
        guard !cleaned.isEmpty, cleaned.first != UInt8(ascii: "#"),
              !hasPrefix(cleaned, "javascript:"), !hasPrefix(cleaned, "vbscript:"), !hasPrefix(cleaned, "data:")
        else { return nil }
        return String(decoding: cleaned, as: UTF8.self)
    }

    /// Whether the link text already spells out the address, so a reference number would only repeat it.
    static func textRepeats(_ text: [UInt8], href: String) -> Bool {
        let text = trimmed(text[...])
        // Addresses have a dot or an at sign and no spaces; "Shop now" needs no closer look.
        guard text.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "@") }),
              !text.contains(UInt8(ascii: " ")) else { return false }
        return bare(text).elementsEqual(bare(Array(href.utf8)[...]))
    }

    /// Drops ASCII spaces and controls and no-break spaces (U+00A0 as UTF-8) at both ends.
    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var bytes = bytes
        while true {
            if let first = bytes.first, first <= 0x20 {
                bytes.removeFirst()
            } else if bytes.starts(with: [0xC2, 0xA0]) {
                bytes.removeFirst(2)
            } else if let last = bytes.last, last <= 0x20 {
                bytes.removeLast()
            } else if bytes.count >= 2, bytes.suffix(2).elementsEqual([0xC2, 0xA0]) {
                bytes.removeLast(2)
            } else {
                return bytes
            }
        }
    }

    private static func hasPrefix(_ bytes: ArraySlice<UInt8>, _ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { prefix in
            bytes.count >= prefix.count && zip(bytes, prefix).allSatisfy { $0.htmlLowercased == $1 }
        }
    }

    private static func bare(_ address: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var address = address
        if hasPrefix(address, "mailto:") {
            address = address.dropFirst(7)
            address = address.prefix { $0 != UInt8(ascii: "?") }
        }
        if hasPrefix(address, "https://") {
            address = address.dropFirst(8)
        } else if hasPrefix(address, "http://") {
            address = address.dropFirst(7)
        }
        while address.last == UInt8(ascii: "/") {
            address.removeLast()
        }
        return address.map(\.htmlLowercased)[...]
    }
}

private enum HTMLLists {
    static func marker(_ number: Int, style: UInt8) -> [UInt8] {
        switch style {
        case 0:
            return Array("• ".utf8)
        case UInt8(ascii: "a"), UInt8(ascii: "A"):
            return Array((alphabetic(number, uppercase: style == UInt8(ascii: "A")) + ". ").utf8)
        case UInt8(ascii: "i"), UInt8(ascii: "I"):
            return Array((roman(number, uppercase: style == UInt8(ascii: "I")) + ". ").utf8)
        default:
            return Array("\(number). ".utf8)
        }
    }

    private static func alphabetic(_ number: Int, uppercase: Bool) -> String {
        guard number > 0 else { return "\(number)" }
        var remaining = number
        var letters: [UInt8] = []
        while remaining > 0 {
            remaining -= 1
            letters.append(UInt8(ascii: uppercase ? "A" : "a") + UInt8(remaining % 26))
            remaining /= 26
        }
        return String(decoding: letters.reversed(), as: UTF8.self)
    }

    private static func roman(_ number: Int, uppercase: Bool) -> String {
        guard (1...3999).contains(number) else { return "\(number)" }
        let symbols: [(Int, String)] = [
            (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
            (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
        ]
        var remaining = number
        var result = ""
        for (value, symbol) in symbols {
            while remaining >= value {
                result += symbol
                remaining -= value
            }
        }
        return uppercase ? result.uppercased() : result
    }
}

/// What counts as blank: a line or cell holding only these shows nothing.
private enum HTMLBlank {
    /// Whitespace and the invisible characters senders pad preview text with.
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0x0A, 0x0D, 0x34F, 0x115F, 0x1160, 0x3164, 0xFFA0:
            return true
        default:
            return scalar.properties.isWhitespace || scalar.properties.generalCategory == .format
        }
    }

    static func trimTrailingBlanks(_ bytes: inout [UInt8]) {
        while let last = bytes.last {
            if last < 0x80 {
                guard last.isHTMLSpace else { return }
                bytes.removeLast()
                continue
            }
            var start = bytes.count - 1
            while start > 0, bytes[start] & 0xC0 == 0x80 {
                start -= 1
            }
            var iterator = bytes[start...].makeIterator()
            var decoder = UTF8()
            guard case .scalarValue(let scalar) = decoder.decode(&iterator), isBlank(scalar) else { return }
            bytes.removeSubrange(start...)
        }
    }

    static func isBlank<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        if bytes.contains(where: { $0 < 0x80 && $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) {
            return false
        }
        return String(decoding: bytes, as: UTF8.self).unicodeScalars.allSatisfy(isBlank)
    }

    static func replacingNoBreakSpaces(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0xC2, index + 1 < bytes.count, bytes[index + 1] == 0xA0 {
                result.append(UInt8(ascii: " "))
                index += 2
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}

// MARK: - Entities

private enum HTMLEntity {
    /// Decodes the character reference at `start` (an `&`). Follows the HTML rules: numeric references with
    /// or without `;`, named ones with `;`, and the legacy names browsers also accept without it — except in
    /// attribute values before a letter, digit or `=`, where `&copy=1` in a URL is left alone.
    static func decode(_ bytes: [UInt8], at start: Int, end: Int, inAttribute: Bool) -> (scalar: UInt32, next: Int)? {
        var index = start + 1
        guard index < end else { return nil }
        if bytes[index] == UInt8(ascii: "#") {
            index += 1
            var hex = false
            if index < end, bytes[index] == UInt8(ascii: "x") || bytes[index] == UInt8(ascii: "X") {
                hex = true
                index += 1
            }
            let digitsStart = index
            var value: UInt32 = 0
            while index < end, let digit = bytes[index].htmlDigitValue(hex: hex) {
                if value <= 0x10FFFF {
                    value = value * (hex ? 16 : 10) + digit
                }
                index += 1
            }
            guard index > digitsStart else { return nil }
            if index < end, bytes[index] == UInt8(ascii: ";") {
                index += 1
            }
            return (numeric(value), index)
        }
        let nameStart = index
        while index < end, index - nameStart < 32, bytes[index].isHTMLLetter || bytes[index].isHTMLDigit {
            index += 1
        }
        guard index > nameStart else { return nil }
        if index < end, bytes[index] == UInt8(ascii: ";"),
           let value = named[String(decoding: bytes[nameStart..<index], as: UTF8.self)] {
            return (value, index + 1)
        }
        for length in stride(from: min(index - nameStart, 6), through: 2, by: -1) {
            let name = String(decoding: bytes[nameStart..<nameStart + length], as: UTF8.self)
            guard legacy.contains(name), let value = named[name] else { continue }
            let next = nameStart + length
            if inAttribute, next < end,
               bytes[next].isHTMLLetter || bytes[next].isHTMLDigit || bytes[next] == UInt8(ascii: "=") {
                return nil
            }
            return (value, next)
        }
        return nil
    }

    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: String(Unicode.Scalar(value) ?? "\u{FFFD}").utf8)
    }

    private static func numeric(_ value: UInt32) -> UInt32 {
        switch value {
        case 0, 0xD800...0xDFFF, 0x110000...:
            return 0xFFFD
        case 0x80...0x9F:
            // Pages labelled Latin-1 but written in windows-1252 refer to its punctuation this way.
            return Charset.windows1252Scalar(UInt8(value))
        default:
            return value
        }
    }

    /// HTML 4 Latin-1 names, U+00A0 to U+00FF in order; HTML accepts these without the `;`.
    private static let latin1 = [
        "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect",
        "uml", "copy", "ordf", "laquo", "not", "shy", "reg", "macr",
        "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot",
        "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
        "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil",
        "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml",
        "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times",
        "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig",
        "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
        "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml",
        "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide",
        "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
    ]

    private static let legacy: Set<String> = Set(latin1).union([
        "amp", "lt", "gt", "quot", "AMP", "LT", "GT", "QUOT", "COPY", "REG",
    ])

    private static let named: [String: UInt32] = {
        var table: [String: UInt32] = [
            // HTML 4 special characters, plus the upper-case legacy spellings and `apos`.
            "quot": 0x22, "amp": 0x26, "apos": 0x27, "lt": 0x3C, "gt": 0x3E,
            "QUOT": 0x22, "AMP": 0x26, "LT": 0x3C, "GT": 0x3E, "COPY": 0xA9, "REG": 0xAE,
            "OElig": 0x152, "oelig": 0x153, "Scaron": 0x160, "scaron": 0x161, "Yuml": 0x178,
            "circ": 0x2C6, "tilde": 0x2DC, "ensp": 0x2002, "emsp": 0x2003, "thinsp": 0x2009,
            "zwnj": 0x200C, "zwj": 0x200D, "lrm": 0x200E, "rlm": 0x200F,
            "ndash": 0x2013, "mdash": 0x2014, "lsquo": 0x2018, "rsquo": 0x2019, "sbquo": 0x201A,
            "ldquo": 0x201C, "rdquo": 0x201D, "bdquo": 0x201E, "dagger": 0x2020, "Dagger": 0x2021,
            "permil": 0x2030, "lsaquo": 0x2039, "rsaquo": 0x203A, "euro": 0x20AC,
            // HTML 4 symbols and Greek letters.
            "fnof": 0x192,
            "Alpha": 0x391, "Beta": 0x392, "Gamma": 0x393, "Delta": 0x394, "Epsilon": 0x395, "Zeta": 0x396,
            "Eta": 0x397, "Theta": 0x398, "Iota": 0x399, "Kappa": 0x39A, "Lambda": 0x39B, "Mu": 0x39C,
            "Nu": 0x39D, "Xi": 0x39E, "Omicron": 0x39F, "Pi": 0x3A0, "Rho": 0x3A1, "Sigma": 0x3A3,
            "Tau": 0x3A4, "Upsilon": 0x3A5, "Phi": 0x3A6, "Chi": 0x3A7, "Psi": 0x3A8, "Omega": 0x3A9,
            "alpha": 0x3B1, "beta": 0x3B2, "gamma": 0x3B3, "delta": 0x3B4, "epsilon": 0x3B5, "zeta": 0x3B6,
            "eta": 0x3B7, "theta": 0x3B8, "iota": 0x3B9, "kappa": 0x3BA, "lambda": 0x3BB, "mu": 0x3BC,
            "nu": 0x3BD, "xi": 0x3BE, "omicron": 0x3BF, "pi": 0x3C0, "rho": 0x3C1, "sigmaf": 0x3C2,
            "sigma": 0x3C3, "tau": 0x3C4, "upsilon": 0x3C5, "phi": 0x3C6, "chi": 0x3C7, "psi": 0x3C8,
            "omega": 0x3C9, "thetasym": 0x3D1, "upsih": 0x3D2, "piv": 0x3D6,
            "bull": 0x2022, "hellip": 0x2026, "prime": 0x2032, "Prime": 0x2033, "oline": 0x203E,
            "frasl": 0x2044, "weierp": 0x2118, "image": 0x2111, "real": 0x211C, "trade": 0x2122,
            "alefsym": 0x2135, "larr": 0x2190, "uarr": 0x2191, "rarr": 0x2192, "darr": 0x2193,
            "harr": 0x2194, "crarr": 0x21B5, "lArr": 0x21D0, "uArr": 0x21D1, "rArr": 0x21D2,
            "dArr": 0x21D3, "hArr": 0x21D4, "forall": 0x2200, "part": 0x2202, "exist": 0x2203,
            "empty": 0x2205, "nabla": 0x2207, "isin": 0x2208, "notin": 0x2209, "ni": 0x220B,
            "prod": 0x220F, "sum": 0x2211, "minus": 0x2212, "lowast": 0x2217, "radic": 0x221A,
            "prop": 0x221D, "infin": 0x221E, "ang": 0x2220, "and": 0x2227, "or": 0x2228,
            "cap": 0x2229, "cup": 0x222A, "int": 0x222B, "there4": 0x2234, "sim": 0x223C,
            "cong": 0x2245, "asymp": 0x2248, "ne": 0x2260, "equiv": 0x2261, "le": 0x2264,
            "ge": 0x2265, "sub": 0x2282, "sup": 0x2283, "nsub": 0x2284, "sube": 0x2286,
            "supe": 0x2287, "oplus": 0x2295, "otimes": 0x2297, "perp": 0x22A5, "sdot": 0x22C5,
            "lceil": 0x2308, "rceil": 0x2309, "lfloor": 0x230A, "rfloor": 0x230B,
            "lang": 0x27E8, "rang": 0x27E9, "loz": 0x25CA,
            "spades": 0x2660, "clubs": 0x2663, "hearts": 0x2665, "diams": 0x2666,
            // HTML 5 names common in mail templates.
            "Tab": 0x09, "NewLine": 0x0A, "excl": 0x21, "num": 0x23, "dollar": 0x24, "percnt": 0x25,
            "lpar": 0x28, "rpar": 0x29, "ast": 0x2A, "plus": 0x2B, "comma": 0x2C, "period": 0x2E,
            "sol": 0x2F, "colon": 0x3A, "semi": 0x3B, "equals": 0x3D, "quest": 0x3F, "commat": 0x40,
            "lsqb": 0x5B, "lbrack": 0x5B, "bsol": 0x5C, "rsqb": 0x5D, "rbrack": 0x5D, "Hat": 0x5E,
            "lowbar": 0x5F, "grave": 0x60, "lcub": 0x7B, "lbrace": 0x7B, "verbar": 0x7C, "vert": 0x7C,
            "rcub": 0x7D, "rbrace": 0x7D, "half": 0xBD, "pm": 0xB1, "div": 0xF7,
            "centerdot": 0xB7, "CenterDot": 0xB7, "angst": 0xC5, "ohm": 0x3A9,
            "numsp": 0x2007, "puncsp": 0x2008, "hairsp": 0x200A, "ZeroWidthSpace": 0x200B,
            "dash": 0x2010, "hyphen": 0x2010, "horbar": 0x2015, "lsquor": 0x201A, "rsquor": 0x2019,
            "ldquor": 0x201E, "rdquor": 0x201D, "OpenCurlyQuote": 0x2018, "CloseCurlyQuote": 0x2019,
            "OpenCurlyDoubleQuote": 0x201C, "CloseCurlyDoubleQuote": 0x201D, "bullet": 0x2022,
            "nldr": 0x2025, "mldr": 0x2026, "MediumSpace": 0x205F, "NoBreak": 0x2060, "TRADE": 0x2122,
            "copysr": 0x2117, "frac13": 0x2153, "frac23": 0x2154, "leftarrow": 0x2190, "uparrow": 0x2191,
            "rightarrow": 0x2192, "downarrow": 0x2193, "star": 0x2606, "starf": 0x2605, "bigstar": 0x2605,
            "phone": 0x260E, "female": 0x2640, "male": 0x2642, "spadesuit": 0x2660, "clubsuit": 0x2663,
            "heartsuit": 0x2665, "diamondsuit": 0x2666, "sung": 0x266A, "check": 0x2713,
            "checkmark": 0x2713, "cross": 0x2717,
        ]
        for (offset, name) in latin1.enumerated() {
            table[name] = 0xA0 + UInt32(offset)
        }
        return table
    }()
}

// MARK: - Bytes

private extension UInt8 {
    var isHTMLSpace: Bool {
        self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0C || self == 0x0D
    }

    var isHTMLLetter: Bool {
        (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self)
    }

    var isHTMLDigit: Bool {
        (0x30...0x39).contains(self)
    }

    var htmlLowercased: UInt8 {
        (0x41...0x5A).contains(self) ? self + 0x20 : self
    }

    func htmlDigitValue(hex: Bool) -> UInt32? {
        if isHTMLDigit {
            return UInt32(self - 0x30)
        }
        guard hex else { return nil }
        let lower = htmlLowercased
        return (0x61...0x66).contains(lower) ? UInt32(lower - 0x61 + 10) : nil
    }
}
