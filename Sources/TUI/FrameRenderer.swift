import Foundation
import Inbox
import MailMessage

/// The index flag letters, shared by the rows and the help screen's legend. Read state as in
/// mutt: `N` unread and new since the last visit, `O` unread but in the index before, nothing
/// once read.
enum IndexFlag {
    static let marked: Character = "D"
    static let tagged: Character = "*"
    static let new: Character = "N"
    static let old: Character = "O"
    static let flagged: Character = "!"
    static let attachment: Character = "@"
    /// One line each on the help screen: together they are wider than a terminal.
    static let legend: [(flag: Character, meaning: String)] = [
        (marked, "marked for deletion"), (tagged, "tagged"), (new, "unread and new since the last visit"),
        (old, "unread, in the index before"), (flagged, "flagged"), (attachment, "has attachments"),
    ]
}

/// The help screen's lines, generated from the key map so they always match the real bindings.
enum HelpScreen {
    static let keyColumn = 18

    static func lines(keyMap: KeyMap) -> [[Span]] {
        var lines: [[Span]] = []
        for context in KeyContext.allCases {
            lines.append([Span(context.rawValue, .helpSection)])
            for binding in keyMap.bindings[context] ?? [] {
                lines.append(entry(KeyMap.keyNames(binding.keys), binding.summary))
            }
            for binding in keyMap.mouse[context] ?? [] {
                let name = switch binding.gesture {
                case .click: "click"
                case .wheelUp: "wheel up"
                case .wheelDown: "wheel down"
                }
                lines.append(entry(name, binding.summary))
            }
            lines.append([])
        }
        lines.append([Span("Flags", .helpSection)])
        for (flag, meaning) in IndexFlag.legend {
            lines.append(entry(String(flag), meaning))
        }
        return lines
    }

    private static func entry(_ keys: String, _ summary: String) -> [Span] {
        [Span("  " + TerminalText.fit(keys, width: keyColumn - 2), .helpKey), Span(summary, .helpText)]
    }
}

/// Turns the reader's state into a `Frame`. Pure: no terminal calls, `now` injected for dates.
public struct FrameRenderer {
    let reader: Reader
    let now: Date

    public init(reader: Reader, now: Date) {
        self.reader = reader
        self.now = now
    }

    public func render() -> Frame {
        let layout = reader.layout
        var frame = Frame(width: layout.width, height: layout.height)
        if layout.tooSmall {
            renderTooSmall(into: &frame)
            return frame
        }
        if let row = layout.titleRow {
            frame[row] = FrameLine([Span(titleText(), .title)], fill: .title)
        }
        switch reader.phase {
        case .farewell(let summary, _), .finished(let summary):
            renderFarewell(summary, layout: layout, into: &frame)
        default:
            if reader.helpVisible {
                renderHelp(layout: layout, into: &frame)
            } else if let menu = reader.attachmentMenu {
                renderAttachments(menu, layout: layout, into: &frame)
            } else if reader.screen == .pager, let pager = reader.pager {
                renderPager(pager, layout: layout, into: &frame)
            } else {
                renderIndex(layout: layout, into: &frame)
            }
        }
        renderMessageRow(layout: layout, into: &frame)
        clip(&frame)
        return frame
    }

    private func titleText() -> String {
        // On the way out the key hints no longer apply.
        if reader.phase != .browsing { return "mailbag" }
        if reader.helpVisible { return "Help: " + reader.keyMap.hints(for: .help) }
        if reader.attachmentMenu != nil { return reader.keyMap.hints(for: .attachments) }
        return reader.keyMap.hints(for: reader.screen == .pager ? .pager : .index)
    }

    private func renderTooSmall(into frame: inout Frame) {
        guard frame.height > 0 else { return }
        frame[0] = FrameLine([Span("Terminal too small", .error)], fill: .error)
        if frame.height > 1 {
            frame[1] = FrameLine([Span("(needs \(ScreenLayout.minimumWidth)×\(ScreenLayout.minimumHeight))", .notice)], fill: .indexRow)
        }
        clip(&frame)
    }

    // MARK: Index

    private func renderIndex(layout: ScreenLayout, into frame: inout Frame) {
        let model = reader.model
        let dates = CompactDate(now: now, calendar: reader.options.calendar)
        let page = reader.indexTop..<min(reader.indexTop + layout.bodyHeight, model.visibleCount)
        let pageDates = page.map { dates.format(model.visibleRow($0).summary?.date) }
        let dateWidth = max(TerminalText.width(of: dates.format(model.oldestDate)), pageDates.map { TerminalText.width(of: $0) }.max() ?? 0)
        let columns = IndexLayout(width: layout.width, largestNumber: model.listings.last?.number ?? 1, dateWidth: dateWidth)

        if page.isEmpty {
            frame[layout.bodyTop] = FrameLine([Span(emptyIndexText(), .notice)])
        }
        for (offset, position) in page.enumerated() {
            let row = model.visibleRow(position)
            frame[layout.bodyTop + offset] = indexLine(
                row, thread: model.threadRow(position), selected: position == model.selection, date: pageDates[offset], columns: columns)
        }
        if let divider = layout.previewDivider {
            renderPreview(divider: divider, height: layout.previewHeight, width: layout.width, into: &frame)
        }
        frame[layout.statusRow] = indexStatus(width: layout.width)
    }

    private func emptyIndexText() -> String {
        let model = reader.model
        if !model.listingReceived { return reader.connectionLost == nil ? "Reading the message list…" : "" }
        if model.listings.isEmpty { return "No messages on the server." }
        return "No message matches “\(model.limit?.text ?? "")”. Press l, then Enter on an empty line, to show all."
    }

    /// One index row. A collapsed thread's row also shows what its hidden messages are marked
    /// with, so that a mark is never out of sight.
    private func indexLine(_ row: MessageRow, thread: ThreadRow?, selected: Bool, date: String, columns: IndexLayout) -> FrameLine {
        let model = reader.model
        let hiddenFlags = thread?.hiddenFlags ?? []
        let marked = model.isMarked(row) || hiddenFlags.contains(.marked)
        let tagged = model.isTagged(row) || hiddenFlags.contains(.tagged)
        let new = model.isNew(row) || hiddenFlags.contains(.new)
        let unread = !model.isRead(row) || hiddenFlags.contains(.unread)
        let flagged = model.isFlagged(row) || hiddenFlags.contains(.flagged)
        // Unread goes before flagged, so that what is still to read always stands out; the `!`
        // keeps its own style.
        let style: StyleName = selected ? .indexSelected : marked ? .indexMarked : tagged ? .indexTagged
            : new ? .indexNew : unread ? .indexUnread : flagged ? .indexFlagged : .indexRow
        let flags = String([
            marked ? IndexFlag.marked : " ",
            tagged ? IndexFlag.tagged : " ",
            new ? IndexFlag.new : unread ? IndexFlag.old : " ",
            flagged ? IndexFlag.flagged : " ",
            row.summary?.hasAttachments == true ? IndexFlag.attachment : " ",
        ])
        var subject: String
        if let summary = row.summary {
            subject = thread?.hidesSubject == true ? "" : summary.subject
        } else if let failure = row.summaryFailure {
            subject = "(header unreadable: \(failure))"
        } else {
            subject = "…"
        }
        if let thread {
            subject = thread.tree + (thread.hidden > 0 ? "(+\(thread.hidden)) " : "") + subject
        }
        let cells = columns.cells([
            .number: String(row.number), .flags: flags, .date: date,
            .from: row.summary?.from ?? "", .size: ByteCount.format(row.listing.size), .subject: subject,
        ])
        var spans: [Span] = []
        for cell in cells {
            if cell.column == .flags && !selected {
                for character in cell.text {
                    let flagStyle: StyleName = switch character {
                    case IndexFlag.marked: .indexMarked
                    case IndexFlag.tagged: .indexTagged
                    case IndexFlag.new: .indexNew
                    case IndexFlag.old: .indexUnread
                    case IndexFlag.flagged: .indexFlagged
                    case IndexFlag.attachment: .attachment
                    default: style
                    }
                    spans.append(Span(String(character), flagStyle))
                }
            } else {
                spans.append(Span(cell.text, style))
            }
        }
        return FrameLine(merged(spans), fill: style)
    }

    private func indexStatus(width: Int) -> FrameLine {
        let model = reader.model
        let status = model.status
        // Before the listing there is nothing to count: say what is being waited for instead.
        var parts = [model.account]
        if model.listingReceived { parts.append("\(ExitSummary.count(status.messages, "message")), \(ByteCount.format(status.totalSize))") }
        if status.marked > 0 { parts.append("\(status.marked) marked (\(ByteCount.format(status.markedSize)))") }
        if status.tagged > 0 { parts.append("\(status.tagged) tagged") }
        if status.unread > 0 { parts.append("\(status.unread) unread") }
        if status.new > 0 { parts.append("\(status.new) new") }
        if let loading = model.loadingStatus, reader.connectionLost == nil { parts.append(loading) }
        if model.listingReceived && !status.headersComplete {
            parts.append("headers \(status.headersLoaded)/\(status.messages)")
        }
        if let limit = model.limit { parts.append("limit “\(limit.text)”: \(status.shown) shown") }
        let order = model.sortOrder
        if order != SortOrder() { parts.append("sorted by \(order.key.rawValue) \(order.reversed ? "↓" : "↑")") }
        let right = status.shown > 0 ? " \(model.selection + 1)/\(status.shown) " : ""
        return statusLine(left: parts.joined(separator: " | "), right: right, width: width)
    }

    /// The status bar: a red "disconnected" tag while the connection is gone, then `left`
    /// (cut to fit) and `right` flush right.
    private func statusLine(left: String, right: String, width: Int) -> FrameLine {
        var spans: [Span] = []
        var room = width - TerminalText.width(of: right)
        if reader.connectionLost != nil {
            let tag = " DISCONNECTED, nothing deleted "
            spans.append(Span(TerminalText.fit(tag, width: min(TerminalText.width(of: tag), max(room, 0))), .error))
            room -= TerminalText.width(of: tag)
        }
        spans.append(Span(TerminalText.fit(" " + left, width: max(room, 0)), .status))
        spans.append(Span(right, .status))
        return FrameLine(spans, fill: .status)
    }

    private func renderPreview(divider: Int, height: Int, width: Int, into frame: inout Frame) {
        guard let row = reader.model.selectedRow else {
            frame[divider] = FrameLine([Span(" Preview", .title)], fill: .title)
            return
        }
        frame[divider] = FrameLine([Span(" Preview of message \(row.number) (p hides it)", .title)], fill: .title)
        let lines: [[Span]]
        // A downloaded message is complete, so it beats the TOP preview.
        if let message = reader.cache.peek(row.number)?.rendered ?? reader.previews[row.number] {
            lines = previewLines(message, height: height, width: width)
        } else if let failure = reader.previewFailures[row.number] {
            lines = [[Span("Preview unavailable: \(failure)", .error)]]
        } else if reader.connectionLost != nil {
            lines = [[Span("No preview: the connection is gone.", .notice)]]
        } else {
            lines = [[Span("Loading the first lines…", .notice)]]
        }
        for (offset, spans) in lines.prefix(height).enumerated() {
            frame[divider + 1 + offset] = FrameLine(spans, fill: .pagerText)
        }
    }

    private func previewLines(_ message: RenderedMessage, height: Int, width: Int) -> [[Span]] {
        var short = message
        short.lines = Array(message.lines.prefix(height))
        return PagerDocument(message: short, raw: nil, mode: .brief, width: width).lines.map(\.spans)
    }

    // MARK: Pager

    private func renderPager(_ pager: PagerState, layout: ScreenLayout, into frame: inout Frame) {
        let lines = pager.document.lines
        let visible = pager.top..<min(pager.top + layout.bodyHeight, lines.count)
        for (offset, index) in visible.enumerated() {
            frame[layout.bodyTop + offset] = FrameLine(PagerDocument.highlight(lines[index].spans, pager.search), fill: .pagerText)
        }
        for row in (layout.bodyTop + visible.count)..<(layout.bodyTop + layout.bodyHeight) {
            frame[row] = FrameLine(fill: .pagerText)
        }
        var left = "Message \(pager.number)"
        if let row = reader.model.row(number: pager.number) {
            if reader.model.isMarked(row) { left += " [marked for deletion]" }
            if reader.model.isTagged(row) { left += " [tagged]" }
            if !reader.model.isRead(row) { left += " [unread]" }
            if reader.model.isFlagged(row) { left += " [flagged]" }
            if let summary = row.summary { left += ": \(summary.from) — \(summary.subject)" }
        }
        switch pager.mode {
        case .brief: break
        case .fullHeaders: left = "[all headers] " + left
        case .raw: left = "[raw source] " + left
        }
        let position: String
        if lines.count <= layout.bodyHeight {
            position = "all"
        } else {
            let last = min(pager.top + layout.bodyHeight, lines.count)
            position = "\(pager.top + 1)-\(last)/\(lines.count) \(last * 100 / lines.count)%"
        }
        frame[layout.statusRow] = statusLine(left: left, right: " \(position) ", width: layout.width)
    }

    // MARK: Help

    private func renderHelp(layout: ScreenLayout, into frame: inout Frame) {
        let lines = HelpScreen.lines(keyMap: reader.keyMap)
        for (offset, spans) in lines.dropFirst(reader.helpTop).prefix(layout.bodyHeight).enumerated() {
            frame[layout.bodyTop + offset] = FrameLine(spans, fill: .helpText)
        }
        let last = min(reader.helpTop + layout.bodyHeight, lines.count)
        frame[layout.statusRow] = statusLine(left: "Help", right: " \(reader.helpTop + 1)-\(last)/\(lines.count) ", width: layout.width)
    }

    /// One row per part: number, name, type and size, as mutt's attachment menu lists them.
    private func renderAttachments(_ menu: AttachmentMenu, layout: ScreenLayout, into frame: inout Frame) {
        let attachments = reader.cachedAttachments(of: menu.number)
        let nameWidth = max(min(attachments.map { TerminalText.width(of: $0.filename) }.max() ?? 0, layout.width / 2), 8)
        for (offset, info) in attachments.prefix(layout.bodyHeight).enumerated() {
            let style: StyleName = offset == menu.selection ? .indexSelected : .indexRow
            let name = info.filename.isEmpty ? "(no name)" : info.filename
            let text = "\(TerminalText.fit(String(info.index), width: 3, alignRight: true))  \(TerminalText.fit(name, width: nameWidth))  "
                + "\(TerminalText.fit(ByteCount.format(info.size), width: 6, alignRight: true))  \(info.mimeType)"
            frame[layout.bodyTop + offset] = FrameLine([Span(text, style)], fill: style)
        }
        frame[layout.statusRow] = statusLine(
            left: "Attachments of message \(menu.number)", right: " \(menu.selection + 1)/\(attachments.count) ", width: layout.width)
    }

    // MARK: Leaving

    private func renderFarewell(_ summary: ExitSummary, layout: ScreenLayout, into frame: inout Frame) {
        var row = layout.bodyTop + 1
        for line in summary.lines {
            for piece in TerminalText.wrap(line, width: max(layout.width - 2, 1)) where row < layout.statusRow {
                let style: StyleName = summary.deletedCount == 0 && summary != .leftUnchanged ? .error : .pagerText
                frame[row] = FrameLine([Span(" " + piece, style)], fill: .pagerText)
                row += 1
            }
        }
        frame[layout.statusRow] = statusLine(left: reader.model.account, right: "", width: layout.width)
    }

    // MARK: Bottom line

    private func renderMessageRow(layout: ScreenLayout, into frame: inout Frame) {
        let row = layout.messageRow
        if let prompt = reader.prompt {
            let (line, cursor) = promptLine(prompt, width: layout.width)
            frame[row] = line
            if !prompt.candidates.isEmpty {
                let listed = "\(prompt.candidates.count) matches: " + prompt.candidates.joined(separator: "  ")
                frame[layout.statusRow] = FrameLine([Span(TerminalText.fit(listed, width: layout.width), .notice)], fill: .indexRow)
            }
            if !prompt.purpose.isSingleKey { frame.cursor = (row, cursor) }
            return
        }
        if case .farewell = reader.phase {
            frame[row] = FrameLine([Span("Press any key to exit.", .notice)])
            return
        }
        if reader.phase == .committing {
            let count = reader.model.commitPlan().entries.count
            frame[row] = FrameLine([Span("Deleting \(ExitSummary.count(count, "message")) on the server…", .notice)])
            return
        }
        if case .closing = reader.phase {
            frame[row] = FrameLine([Span("Closing the session without deleting anything…", .notice)])
            return
        }
        if let message = reader.bottomMessage {
            var lines = TerminalText.wrap(message.text, width: layout.width).map(String.init)
            if lines.count > layout.messageLines {
                lines = Array(lines.prefix(layout.messageLines))
                lines[lines.count - 1] = TerminalText.fit(lines[lines.count - 1] + "…", width: layout.width)
            }
            for (offset, line) in lines.enumerated() {
                frame[row + offset] = FrameLine([Span(line, message.isError ? .error : .notice)], fill: message.isError ? .error : .indexRow)
            }
            return
        }
        if let progress = reader.progress {
            var text = "Downloading message \(progress.number): \(ByteCount.format(progress.received))"
            if let total = progress.total, total > 0 {
                text += " of \(ByteCount.format(total)) (\(min(progress.received * 100 / total, 100))%)"
            }
            frame[row] = FrameLine([Span(text + "…", .notice)])
            return
        }
    }

    /// The prompt label and typed text; when too long, the start scrolls away so the end
    /// (where the cursor is) stays visible.
    private func promptLine(_ prompt: Prompt, width: Int) -> (FrameLine, Int) {
        var label = prompt.label
        var text = Substring(prompt.text)
        while TerminalText.width(of: label) + TerminalText.width(of: text) >= width {
            if TerminalText.width(of: label) > width / 2, !label.isEmpty {
                label.removeFirst()
            } else if !text.isEmpty {
                text = text.dropFirst()
            } else {
                break
            }
        }
        let cursor = TerminalText.width(of: label) + TerminalText.width(of: text)
        return (FrameLine([Span(label, .prompt), Span(String(text), .indexRow)]), min(cursor, max(width - 1, 0)))
    }

    // MARK: Helpers

    /// Adjacent spans of one style joined, so the terminal gets fewer calls.
    private func merged(_ spans: [Span]) -> [Span] {
        var out: [Span] = []
        for span in spans {
            if let last = out.last, last.style == span.style {
                out[out.count - 1].append(span)
            } else {
                out.append(span)
            }
        }
        return out
    }

    /// Cuts every line to the frame width so nothing can wrap onto the next row, whatever
    /// a line was built from.
    private func clip(_ frame: inout Frame) {
        for row in frame.lines.indices {
            // Most lines are already plain text that fits: leave those as built.
            var used = 0
            let fits = frame.lines[row].spans.allSatisfy { span in
                used += span.text.utf8.count
                return !span.text.isEmpty && TerminalText.isPlainASCII(span.text)
            }
            if fits && used <= frame.width { continue }
            var room = frame.width
            var spans: [Span] = []
            for span in frame.lines[row].spans where room > 0 {
                let piece = TerminalText.prefix(span.text, width: room)
                room -= TerminalText.width(of: piece)
                if !piece.isEmpty { spans.append(Span(String(piece), span.style)) }
            }
            frame.lines[row].spans = spans
        }
    }
}
