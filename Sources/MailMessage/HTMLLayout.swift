/// Places the tokens of an HTML body on display lines (the rules are `HTMLText`'s). It keeps a stack of
/// open elements, each saving the inherited `Context` it replaced, and builds one line at a time; tables
/// are collected in `HTMLTable`s until they can be aligned or must flow.
struct HTMLLayout {
    enum Break {
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
        /// Links: `references.wordCount` when the link opened, to tell whether it enclosed any text.
        var contentMark = 0
        var sawImage = false
        var href: String?
        /// Headings: the widest line so far, for the underline.
        var textWidth = 0
    }

    /// The list marker waiting for the item's first line: it replaces `replaced` indentation bytes of the
    /// prefix at `offset`, so content nested in the item (a quote, say) still lines up.
    private struct Marker {
        var offset: Int
        var replaced: Int
        var text: [UInt8]
    }

    /// The finished lines, and the blank line owed before the next one.
    private struct Output {
        var lines: [String] = []
        var pendingBlank = false
        /// The prefix of the last line, so a blank line between two quoted lines keeps their common `>` marks.
        var lastPrefix: [UInt8] = []

        /// Asks for one blank line before the next line; none ever leads the output.
        mutating func requestBlank() {
            pendingBlank = !lines.isEmpty
        }

        mutating func append(_ line: [UInt8], prefix: [UInt8]) {
            if pendingBlank {
                let common = zip(lastPrefix, prefix).prefix { $0 == $1 }.map(\.0)
                lines.append(String(decoding: common.reversed().drop { $0 == UInt8(ascii: " ") }.reversed(), as: UTF8.self))
                pendingBlank = false
            }
            lines.append(String(decoding: line, as: UTF8.self))
            lastPrefix = prefix
        }
    }

    /// The line being built.
    private struct OpenLine {
        var bytes: [UInt8] = []
        var isOpen = false
        /// Whether it holds text rather than an underline, a rule or a table row.
        var isText = false
        var width = 0
        /// Bytes before its text (prefix and marker).
        var textStart = 0
        /// The context's prefix when the line opened, and its width.
        var prefix: [UInt8] = []
        var prefixWidth = 0
    }

    /// Text read but not yet placed: the word being collected and the spaces owed before it.
    private struct Pending {
        var word: [UInt8] = []
        /// 1 for collapsed whitespace, `HTMLTable.cellGap` between table cells.
        var space = 0
    }

    /// Where `pre` text stands: the newline right after `<pre>` belongs to the markup, and an LF after a
    /// CR is the same line break.
    private struct PreText {
        var atStart = false
        var afterCR = false
    }

    /// Link reference numbers: identical addresses share one. The open link's text is kept to tell whether
    /// it already spells out its address.
    private struct References {
        var links: [String] = []
        var numbers: [String: Int] = [:]
        var linkText: [UInt8] = []
        /// Words placed so far; a link that closes at the count it opened with enclosed no text.
        var wordCount = 0

        mutating func number(for href: String) -> Int {
            if let known = numbers[href] {
                return known
            }
            links.append(href)
            numbers[href] = links.count
            return links.count
        }
    }

    /// An element the sender hid, whose content is being skipped: elements of the same name nest in it,
    /// and one whose end tag is optional also ends where a browser would close it implicitly.
    private struct Hidden {
        let name: HTMLName
        var depth = 1

        func isClosed(byStart tag: HTMLName) -> Bool {
            depth == 1 && HTMLStyle.ends(name.tag, byStart: tag.tag)
        }

        func isClosed(byEnd tag: HTMLName) -> Bool {
            depth == 1 && HTMLStyle.ends(name.tag, byEnd: tag.tag)
        }
    }

    private static let maxVisualDepth = 16
    private static let ruleWidth = 40
    private static let maxLinkTextBytes = 1024

    private let width: Int?
    private var output = Output()
    private var line = OpenLine()
    private var pending = Pending()
    private var pre = PreText()
    private var references = References()
    private var marker: Marker?

    private var context = Context()
    private var stack: [Frame] = []
    private var openCounts = [Int](repeating: 0, count: FrameKind.allCases.count)
    private var tables: [HTMLTable] = []
    private var hidden: Hidden?

    init(width: Int?) {
        self.width = width
    }

    mutating func finish() -> HTMLText {
        flushWord()
        popTo(0)
        finishLine()
        return HTMLText(lines: output.lines, links: references.links)
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
                pending.word.append(contentsOf: bytes[index..<end])
                index = end
                continue
            }
            if byte == UInt8(ascii: "&"), decodingEntities,
               let entity = HTMLEntity.decode(bytes, at: index, end: range.upperBound, inAttribute: false) {
                if entity.scalar < 0x80 {
                    character(UInt8(entity.scalar))
                } else {
                    HTMLEntity.append(entity.scalar, to: &pending.word)
                    pre.atStart = false
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
            pending.space = max(pending.space, 1)
        } else {
            pending.word.append(byte)
        }
    }

    private mutating func preCharacter(_ byte: UInt8) {
        let afterCR = pre.afterCR
        let atStart = pre.atStart
        pre.afterCR = byte == UInt8(ascii: "\r")
        pre.atStart = false
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
            let column = line.isOpen ? line.width - line.prefixWidth : 0
            pending.word.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 8 - column % 8))
        default:
            pending.word.append(byte)
        }
    }

    private mutating func flushWord() {
        guard !pending.word.isEmpty else { return }
        emit(pending.word)
        pending.word.removeAll(keepingCapacity: true)
    }

    /// Sends a word to the open table cell when the table is still being collected, else to the line.
    private mutating func emit<Text: Collection<UInt8>>(_ text: Text) {
        references.wordCount += 1
        if context.link != nil, references.linkText.count < Self.maxLinkTextBytes {
            if pending.space > 0, !references.linkText.isEmpty {
                references.linkText.append(UInt8(ascii: " "))
            }
            references.linkText.append(contentsOf: text)
        }
        if let table = context.table, tables[table].buffering {
            if tables[table].cellFrame != nil {
                tables[table].append(text, spaced: pending.space > 0)
                pending.space = 0
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
        line.bytes.removeAll(keepingCapacity: true)
        line.bytes.append(contentsOf: prefix)
        line.textStart = prefix.count
        line.width = DisplayWidth.ofSanitized(utf8: prefix)
        line.prefix = context.prefix
        line.prefixWidth = context.prefixWidth
        line.isOpen = true
        line.isText = false
    }

    private mutating func appendWord<Text: Collection<UInt8>>(_ text: Text, width textWidth: Int) {
        if !line.isOpen {
            openLine()
        } else if pending.space > 0 {
            if let width, context.pre == 0, line.bytes.count > line.textStart,
               line.width + pending.space + textWidth > width {
                finishLine()
                openLine()
            } else {
                line.bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: pending.space))
                line.width += pending.space
            }
        }
        line.bytes.append(contentsOf: text)
        line.width += textWidth
        line.isText = true
        pending.space = 0
    }

    private mutating func appendRaw(_ text: [UInt8]) {
        if !line.isOpen {
            openLine()
        }
        line.bytes.append(contentsOf: text)
        line.width += DisplayWidth.ofSanitized(utf8: text)
    }

    private mutating func finishLine() {
        pending.space = 0
        guard line.isOpen else { return }
        line.isOpen = false
        if line.bytes.contains(0xC2) {
            line.bytes = HTMLBlank.replacingNoBreakSpaces(line.bytes)
        }
        HTMLBlank.trimTrailingBlanks(&line.bytes)
        guard line.bytes.count > line.textStart, !HTMLBlank.isBlank(line.bytes[line.textStart...]) else {
            output.requestBlank()
            return
        }
        // HTML collapses the space that makes `--` the signature separator; put it back for the caller.
        if line.isText, line.bytes[line.textStart...].elementsEqual("--".utf8) {
            line.bytes.append(UInt8(ascii: " "))
        }
        output.append(line.bytes, prefix: line.prefix)
        if let heading = context.heading {
            let textWidth = DisplayWidth.ofSanitized(utf8: line.bytes) - line.prefixWidth
            stack[heading].textWidth = max(stack[heading].textWidth, textWidth)
        }
    }

    private mutating func blockBreak(_ kind: Break) {
        flushWord()
        pending.space = 0
        if let table = context.table, tables[table].buffering {
            if tables[table].cellFrame != nil {
                tables[table].cell.breakLine(kind)
            }
            return
        }
        finishLine()
        if kind == .paragraph {
            output.requestBlank()
        }
    }

    /// `<br>` (and a newline in `pre`): ends the line, or makes a blank line when the line is empty.
    private mutating func forcedBreak() {
        if let table = context.table, tables[table].buffering {
            blockBreak(.line)
        } else if line.isOpen {
            finishLine()
        } else {
            output.requestBlank()
        }
    }

    // MARK: Elements

    mutating func start(_ name: HTMLName, _ source: HTMLTokenizer) {
        if let current = hidden {
            guard current.isClosed(byStart: name) else {
                if name.key == current.name.key, !name.isVoid {
                    hidden?.depth += 1
                }
                return
            }
            hidden = nil
        }
        if name.tag == .template || HTMLStyle.hides(source) {
            if !name.isVoid {
                hidden = Hidden(name: name)
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
            pre.atStart = true
            pre.afterCR = false
        case .table:
            unbuffer()
            blockBreak(.paragraph)
            tables.append(HTMLTable())
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
            guard current.isClosed(byEnd: name) else {
                if name.key == current.name.key {
                    hidden = current.depth == 1 ? nil : Hidden(name: name, depth: current.depth - 1)
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
        stack[stack.count - 1].contentMark = references.wordCount
        context.link = stack.count - 1
        references.linkText.removeAll(keepingCapacity: true)
    }

    private mutating func closeLink(_ frame: Frame) {
        guard let href = frame.href else { return }
        // Whitespace at the end of the link text still separates the reference from what follows.
        let trailingSpace = pending.space
        if references.wordCount == frame.contentMark {
            guard frame.sawImage else { return }
            pending.space = max(pending.space, 1)
            emit("[image]".utf8)
        } else if HTMLLinks.textRepeats(references.linkText, href: href) {
            return
        }
        let number = references.number(for: href)
        pending.space = max(pending.space, 1)
        emit("[\(number)]".utf8)
        pending.space = trailingSpace
    }

    private mutating func image(_ source: HTMLTokenizer) {
        if let link = context.link {
            stack[link].sawImage = true
        }
        guard let altRange = source.valueRange("alt") else { return }
        let alt = source.decoded(altRange).split(whereSeparator: \.isHTMLSpace)
        guard !alt.isEmpty else { return }
        pending.space = max(pending.space, 1)
        emit("[image:".utf8)
        for (index, part) in alt.enumerated() {
            pending.space = 1
            if index == alt.count - 1 {
                emit(part + [UInt8(ascii: "]")])
            } else {
                emit(part)
            }
        }
        pending.space = 1
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
            stack[list].number = source.attribute("start").flatMap(HTMLTokenizer.integer) ?? 1
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
        let number = source.attribute("value").flatMap(HTMLTokenizer.integer) ?? stack[list].number
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
            tables[table].endRow()
        } else {
            finishLine()
        }
    }

    private mutating func startCell(_ source: HTMLTokenizer) {
        guard let table = context.table else {
            if line.isOpen {
                pending.space = HTMLTable.cellGap
            }
            return
        }
        if let cell = tables[table].cellFrame {
            popTo(cell)
        }
        if tables[table].buffering {
            let span = source.attribute("colspan").flatMap(HTMLTokenizer.integer) ?? 1
            tables[table].startCell(span: span, alignRight: HTMLStyle.alignsRight(source))
            pending.space = 0
        } else if line.isOpen {
            pending.space = HTMLTable.cellGap
        }
        push(.cell)
        tables[table].cellFrame = stack.count - 1
    }

    private mutating func closeCell() {
        guard let table = context.table else { return }
        tables[table].cellFrame = nil
        guard tables[table].buffering else { return }
        tables[table].finishCell()
        pending.space = 0
    }

    private mutating func closeTable() {
        guard let table = context.table else { return }
        tables[table].endRow()
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
        tables[table] = HTMLTable(buffering: false, cellFrame: state.cellFrame)
        let carried = pending.space
        for row in state.rows {
            flow(row)
            finishLine()
        }
        if let row = state.row {
            flow(row)
        }
        guard state.cellFrame != nil else {
            pending.space = carried
            return
        }
        flow(state.cell)
        if !state.cell.lines[state.cell.lines.count - 1].isEmpty {
            pending.space = carried
        } else if state.cell.lines.count == 1, line.isOpen {
            pending.space = HTMLTable.cellGap
        }
    }

    private mutating func flow(_ row: [HTMLTable.Cell]) {
        for cell in row {
            flow(cell)
        }
    }

    private mutating func flow(_ cell: HTMLTable.Cell) {
        let last = cell.lines.count - 1
        for (index, text) in cell.lines.enumerated() {
            if index > 0 {
                finishLine()
                if text.isEmpty, index < last {
                    output.requestBlank()
                }
            }
            guard !text.isEmpty else { continue }
            if index == 0, line.isOpen {
                pending.space = HTMLTable.cellGap
            }
            guard width != nil else {
                appendWord(text, width: DisplayWidth.ofSanitized(utf8: text))
                continue
            }
            for part in text.split(separator: UInt8(ascii: " ")) {
                appendWord(part, width: DisplayWidth.ofSanitized(utf8: part))
                pending.space = 1
            }
            pending.space = 0
        }
    }

    private mutating func layOut(_ allRows: [[HTMLTable.Cell]]) {
        let rows = allRows.filter { row in row.contains { $0.width > 0 } }
        let available = (width ?? HTMLTable.defaultWidth) - context.prefixWidth
        guard let aligned = HTMLTable.alignedLines(rows, width: available) else {
            for row in rows {
                flow(row)
                finishLine()
            }
            return
        }
        for text in aligned {
            appendRaw(text)
            finishLine()
        }
    }
}
