import Foundation

/// What the index can be sorted by. `number` is the server's order, which is arrival order;
/// `threads` is mutt's `sort=threads` (`MessageThreads`).
public enum SortKey: String, Sendable, CaseIterable {
    case number, date, from, subject, size, threads
}

/// The index order. Choosing the current key again reverses it, as in mutt.
public struct SortOrder: Sendable, Equatable {
    public var key: SortKey
    public var reversed: Bool

    public init(key: SortKey = .number, reversed: Bool = false) {
        self.key = key
        self.reversed = reversed
    }

    public mutating func choose(_ key: SortKey) {
        if key == self.key {
            reversed.toggle()
        } else {
            self.key = key
            reversed = false
        }
    }

    /// Row indices in this order; ties keep message-number order so the result is stable.
    func sorted(_ indices: [Int], row: (Int) -> MessageRow) -> [Int] {
        let keyed = indices.map { index in
            let row = row(index)
            return (index: index, key: SortValue(row, key: key), number: row.number)
        }
        let ordered = keyed.sorted { a, b in
            if a.key != b.key { return reversed ? b.key < a.key : a.key < b.key }
            return reversed ? a.number > b.number : a.number < b.number
        }
        return ordered.map(\.index)
    }
}

/// A row's comparable value for one sort key. Rows whose summary has not arrived sort first
/// (as the oldest / emptiest), so loading does not scatter them through the list.
private enum SortValue: Comparable {
    case integer(Int)
    case time(Double)
    case text(String)

    init(_ row: MessageRow, key: SortKey) {
        switch key {
        // `MessageThreads` orders threads; a row on its own is a thread of one, in number order.
        case .number, .threads: self = .integer(row.number)
        case .size: self = .integer(row.listing.size)
        case .date: self = .time(row.summary?.date?.timeIntervalSince1970 ?? -.infinity)
        case .from: self = .text((row.summary?.from ?? "").lowercased())
        // "Re: Fwd: Lunch" sorts with "Lunch": replies belong next to what they answer.
        case .subject: self = .text(BaseSubject.of(row.summary?.subject ?? "").lowercased())
        }
    }
}
