/// The columns of an index row, left to right.
public enum IndexColumn: Sendable, Equatable {
    case number, flags, date, from, size, subject
}

/// How wide each index column is for a terminal width. Number, flags and subject are always
/// there; sender, then date, then size join as the width allows, because a sender is what a
/// reader scans first and a subject must keep enough room to be read.
public struct IndexLayout: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var column: IndexColumn
        public var width: Int
    }

    public static let flagsWidth = 5
    public static let sizeWidth = 5
    private static let minimumSubject = 16

    public private(set) var columns: [Column]

    /// - Parameters:
    ///   - largestNumber: the highest message number, which sets the number column's width.
    ///   - dateWidth: the widest compact date among the rows (0 hides the column).
    public init(width: Int, largestNumber: Int, dateWidth: Int) {
        let numberWidth = String(max(largestNumber, 1)).count
        var remaining = width - numberWidth - 1 - Self.flagsWidth - 1
        var from = 0, date = 0, size = 0
        if remaining >= 6 + 1 + 8 {
            from = min(max(remaining * 3 / 10, 6), 24)
            remaining -= from + 1
        }
        if dateWidth > 0 && remaining - (dateWidth + 1) >= Self.minimumSubject {
            date = dateWidth
            remaining -= date + 1
        }
        if remaining - (Self.sizeWidth + 1) >= Self.minimumSubject {
            size = Self.sizeWidth
            remaining -= size + 1
        }
        columns = [Column(column: .number, width: numberWidth), Column(column: .flags, width: Self.flagsWidth)]
        if date > 0 { columns.append(Column(column: .date, width: date)) }
        if from > 0 { columns.append(Column(column: .from, width: from)) }
        if size > 0 { columns.append(Column(column: .size, width: size)) }
        columns.append(Column(column: .subject, width: max(remaining, 0)))
    }

    public func width(of column: IndexColumn) -> Int {
        columns.first { $0.column == column }?.width ?? 0
    }

    /// Each shown column's text fitted to its width, a separating space included after every
    /// column but the last; together exactly the layout's width. Missing values draw blank.
    public func cells(_ values: [IndexColumn: String]) -> [(column: IndexColumn, text: String)] {
        columns.enumerated().map { index, spec in
            let value = TerminalText.printable(values[spec.column] ?? "")
            let alignRight = spec.column == .number || spec.column == .size
            let text = TerminalText.fit(value, width: spec.width, alignRight: alignRight)
            return (spec.column, index == columns.count - 1 ? text : text + " ")
        }
    }
}
