/// A table being collected cell by cell, and the column layout of receipts and order summaries: cells
/// that hold only inline content and line breaks are aligned in columns, `cellGap` apart, when the table
/// fits. Widths are `DisplayWidth`'s, measured as the sanitizer will leave the text.
struct HTMLTable {
    struct Cell {
        /// Lines of the cell; an empty line between others is a paragraph gap.
        var lines: [[UInt8]] = [[]]
        var span = 1
        var alignRight = false
        var width = 0

        mutating func breakLine(_ kind: HTMLLayout.Break) {
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

    static let cellGap = 2
    /// Without a target width, tables wider than this flow instead of aligning.
    static let defaultWidth = 120
    /// More columns than a terminal could show side by side; such tables flow.
    static let maxColumns = 200

    /// False once the table has met content that cannot go in a column; it then flows as it is read.
    var buffering = true
    var rows: [[Cell]] = []
    var row: [Cell]?
    var cell = Cell()
    /// Stack index of the open cell.
    var cellFrame: Int?

    /// Adds the open row, if any, to the rows.
    mutating func endRow() {
        if let row {
            rows.append(row)
            self.row = nil
        }
    }

    /// Starts collecting a cell, in a row of its own when the markup left out the `<tr>`.
    mutating func startCell(span: Int, alignRight: Bool) {
        if row == nil {
            row = []
        }
        cell = Cell(span: min(max(span, 1), 100), alignRight: alignRight)
    }

    /// Adds a word to the last line of the open cell, after a space when `spaced` and the line has text.
    mutating func append<Text: Collection<UInt8>>(_ text: Text, spaced: Bool) {
        let last = cell.lines.count - 1
        if spaced, !cell.lines[last].isEmpty {
            cell.lines[last].append(UInt8(ascii: " "))
        }
        cell.lines[last].append(contentsOf: text)
    }

    /// Adds the open cell, normalized, to its row.
    mutating func finishCell() {
        var finished = cell
        finished.finish()
        if row == nil {
            row = []
        }
        row?.append(finished)
    }

    /// The rows as aligned lines, one per line of the tallest cell of each row, or nil when they do not
    /// make at least two columns or would be wider than `width`.
    static func alignedLines(_ rows: [[Cell]], width: Int) -> [[UInt8]]? {
        guard let (widths, used) = columns(of: rows), totalWidth(widths, used) <= width else { return nil }
        var lines: [[UInt8]] = []
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
                    let available = columns.reduce(0) { $0 + widths[$1] } + cellGap * (columns.count - 1)
                    if !first {
                        padding += cellGap
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
                lines.append(output)
            }
        }
        return lines
    }

    /// Column widths and which columns hold anything, or nil when the rows do not make at least two
    /// columns (or make absurdly many).
    private static func columns(of rows: [[Cell]]) -> (widths: [Int], used: [Bool])? {
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
}
