import Foundation
import MailMessage

/// The index as conversations, as mutt's `sort=threads` shows it: each reply under the message it
/// answers, threads ordered by their newest message, the messages of a thread by date.
///
/// Built by a simplified form of Jamie Zawinski's algorithm (https://www.jwz.org/doc/threading.html):
/// a container per Message-ID, each `References` chain linking its IDs parent to child, the
/// message hung under the last of them (`In-Reply-To` when there is no `References`); loops
/// broken; a referenced message that is not listed (deleted, or hidden by the limit) kept as a
/// missing parent that its replies share without a row of their own. A reply without any
/// reference whose subject says it is one ("Re: …") joins the earliest thread with the same
/// base subject, as mutt's pseudo-threads do.
///
/// A pure function of the rows and their summaries. Every row given appears exactly once,
/// whatever the headers say: a reference loop, a message naming itself, two messages with one
/// Message-ID, or a row whose header has not arrived (a thread of its own) only change where a
/// row hangs, never whether it is there.
public struct MessageThreads: Sendable {
    /// One row of the threaded index.
    public struct Entry: Sendable, Equatable {
        /// The row, as an index into the listings given.
        public var index: Int
        /// Where in `entries` the row this one answers is; nil for a thread's first row and for
        /// the replies to a missing message.
        public var parent: Int?
        /// 0 for a thread's first row; the replies to a missing first message are at depth 1.
        public var depth: Int
        /// Whether no later reply to the same message follows (the tree's `└` rather than `├`).
        public var isLastChild: Bool
        /// The first of the replies to a missing message, which opens its thread (`┌`).
        public var opensThread: Bool
        /// Joined to its thread by subject alone (mutt draws `*>`).
        public var bySubject: Bool
        /// Its base subject is that of the row it answers, so the index need not repeat it.
        public var hidesSubject: Bool
    }

    /// Every row, in index order.
    public private(set) var entries: [Entry] = []
    /// Where each thread's rows are in `entries`, in index order.
    public private(set) var threads: [Range<Int>] = []

    /// - Parameters:
    ///   - rows: the indices into `listings` and `summaries` to thread (those the limit shows).
    ///   - reversed: newest thread first instead of last; a thread's own order stays by date.
    public init(rows: [Int], listings: [MessageListing], summaries: [MessageSummary?], reversed: Bool = false) {
        summaries.withUnsafeBufferPointer { summaries in
            // Reading through the buffer keeps each summary in place instead of copying it.
            var builder = Builder(rows: rows, listings: listings, summaries: summaries)
            builder.link()
            builder.breakLoops()
            (entries, threads) = builder.emit(reversed: reversed)
        }
    }

    /// The thread the entry at `position` is in, as an index into `threads`.
    public func thread(containing position: Int) -> Int {
        var (low, high) = (0, threads.count)
        while low < high {
            let middle = (low + high) / 2
            if threads[middle].upperBound <= position { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The tree drawn before the subject of the entry at `position`, as mutt draws it:
    /// `├─>` for a reply with a later sibling, `└─>` for the last, `│ ` where an earlier
    /// level goes on below; nothing for a thread's first row.
    public func treePrefix(at position: Int) -> String {
        let entry = entries[position]
        guard entry.depth > 0 else { return "" }
        var levels: [String] = []
        var ancestor = entry.parent
        while let above = ancestor, entries[above].depth > 0 {
            levels.append(entries[above].isLastChild ? "  " : "│ ")
            ancestor = entries[above].parent
        }
        let corner = entry.opensThread ? "┌" : entry.isLastChild ? "└" : "├"
        return levels.reversed().joined() + corner + (entry.bySubject ? "*" : "─") + ">"
    }
}

/// The containers of the threading algorithm. Containers `0..<rows.count` are the rows, in the
/// order given; missing parents are added after them.
private struct Builder {
    let rows: [Int]
    let summaries: UnsafeBufferPointer<MessageSummary?>
    /// Each container's parent, -1 for none.
    var parent: [Int]
    var byID: [String: Int] = [:]
    /// Each row's date (-infinity without one, so it sorts as the oldest), number and subject.
    let dates: [Double]
    let numbers: [Int]
    let subjects: [String]

    init(rows: [Int], listings: [MessageListing], summaries: UnsafeBufferPointer<MessageSummary?>) {
        self.rows = rows
        self.summaries = summaries
        parent = Array(repeating: -1, count: rows.count)
        dates = rows.map { summaries[$0]?.date?.timeIntervalSinceReferenceDate ?? -.infinity }
        numbers = rows.map { listings[$0].number }
        subjects = rows.map { summaries[$0]?.subject ?? "" }
        byID.reserveCapacity(rows.count * 2)
        // A second message with an ID already taken gets no container by ID: its own references
        // still place it, and nothing can point at both.
        for (row, index) in rows.enumerated() {
            if let id = summaries[index]?.messageID, byID[id] == nil { byID[id] = row }
        }
    }

    var rowCount: Int { rows.count }

    private mutating func container(_ id: String) -> Int {
        if let found = byID[id] { return found }
        let added = parent.count
        parent.append(-1)
        byID[id] = added
        return added
    }

    /// Each row's references linked parent to child where nothing linked them yet, then the row
    /// hung under its nearest reference: its own header has the last word on its parent.
    mutating func link() {
        for row in 0..<rowCount {
            guard let summary = summaries[rows[row]] else { continue }
            let own = summary.messageID
            var previous = -1
            func follow(_ id: String, _ builder: inout Builder) {
                guard id != own else { return }
                let current = builder.container(id)
                guard current != row else { return }
                if previous >= 0 && previous != current && builder.parent[current] < 0 {
                    builder.parent[current] = previous
                }
                previous = current
            }
            for id in summary.references { follow(id, &self) }
            if let inReplyTo = summary.inReplyTo, !summary.references.contains(inReplyTo) { follow(inReplyTo, &self) }
            if previous >= 0 { parent[row] = previous }
        }
    }

    /// Cuts one link of every loop (A's references name B and B's name A), walking each chain
    /// of parents once: linear, however the references tangle.
    mutating func breakLoops() {
        // 0: not reached yet, 1: on the chain being walked, 2: done.
        var state = [UInt8](repeating: 0, count: parent.count)
        var chain: [Int] = []
        for start in parent.indices where state[start] == 0 {
            var current = start
            while current >= 0 && state[current] == 0 {
                state[current] = 1
                chain.append(current)
                current = parent[current]
            }
            if current >= 0 && state[current] == 1, let last = chain.last { parent[last] = -1 }
            for container in chain { state[container] = 2 }
            chain.removeAll(keepingCapacity: true)
        }
    }

    /// Each container's children, at `list[start[container]..<start[container + 1]]`.
    private func children() -> (start: [Int], list: [Int]) {
        var start = [Int](repeating: 0, count: parent.count + 1)
        for container in parent.indices where parent[container] >= 0 { start[parent[container] + 1] += 1 }
        for container in parent.indices { start[container + 1] += start[container] }
        var list = [Int](repeating: 0, count: start[parent.count])
        var next = start
        for container in parent.indices where parent[container] >= 0 {
            list[next[parent[container]]] = container
            next[parent[container]] += 1
        }
        return (start, list)
    }

    private func earlier(_ a: Int, _ b: Int) -> Bool {
        dates[a] != dates[b] ? dates[a] < dates[b] : numbers[a] < numbers[b]
    }

    /// The rows under `container`, looking through missing parents, which have no row to show.
    private func rowsUnder(_ container: Int, _ children: (start: [Int], list: [Int]), into found: inout [Int]) {
        var pending = Array(children.list[children.start[container]..<children.start[container + 1]])
        while let next = pending.popLast() {
            if next < rowCount {
                found.append(next)
            } else {
                pending.append(contentsOf: children.list[children.start[next]..<children.start[next + 1]])
            }
        }
    }

    /// Replies without references joined, by base subject, to the earliest thread with it:
    /// `joined` says which thread each joined, `joinedTo` lists them by thread.
    private func groupBySubject(_ tops: [Int], underMissing: [Int: [Int]]) -> (joined: [Int: Int], joinedTo: [Int: [Int]]) {
        let loose = tops.filter { top in
            guard top < rowCount, let summary = summaries[rows[top]] else { return false }
            return summary.references.isEmpty && summary.inReplyTo == nil && BaseSubject.isReply(summary.subject)
        }
        guard !loose.isEmpty else { return ([:], [:]) }
        // A thread's subject and date are its first row's; a missing parent's, its earliest reply's.
        func first(_ top: Int) -> Int { top < rowCount ? top : underMissing[top]?.min(by: earlier) ?? top }
        var earliest: [Substring: Int] = [:]
        for top in tops {
            let base = BaseSubject.of(subjects[first(top)])
            guard !base.isEmpty else { continue }
            if let known = earliest[base], !earlier(first(top), first(known)) { continue }
            earliest[base] = top
        }
        var joined: [Int: Int] = [:]
        var joinedTo: [Int: [Int]] = [:]
        for row in loose {
            guard let anchor = earliest[BaseSubject.of(subjects[row])], anchor != row else { continue }
            joined[row] = anchor
            joinedTo[anchor, default: []].append(row)
        }
        return (joined, joinedTo)
    }

    /// The entries, thread by thread, and where each thread is.
    func emit(reversed: Bool) -> ([MessageThreads.Entry], [Range<Int>]) {
        let children = children()
        // A thread starts at a row without a parent, or at a missing parent whose replies are
        // several rows (one reply stands in for a missing parent of its own).
        var tops: [Int] = []
        var underMissing: [Int: [Int]] = [:]
        for container in parent.indices where parent[container] < 0 {
            if container < rowCount {
                tops.append(container)
                continue
            }
            var found: [Int] = []
            rowsUnder(container, children, into: &found)
            if found.count == 1 {
                tops.append(found[0])
            } else if found.count > 1 {
                tops.append(container)
                underMissing[container] = found
            }
        }
        let (joined, joinedTo) = groupBySubject(tops, underMissing: underMissing)

        struct Pending {
            var row: Int
            var parent: Int?
            var depth: Int
            var isLast: Bool
            var opensThread: Bool
            var bySubject: Bool
        }
        // Built in container rows; turned into listing indices once the threads are in order.
        var entries: [MessageThreads.Entry] = []
        entries.reserveCapacity(rowCount)
        var threads: [(range: Range<Int>, newest: Double, first: Int)] = []
        threads.reserveCapacity(tops.count)
        var pending: [Pending] = []
        var found: [Int] = []
        // Each entry's base subject, beside `entries`, for its replies to compare theirs with.
        var bases: [Substring] = []
        bases.reserveCapacity(rowCount)
        func push(_ replies: [Int], joinedBySubject: [Int], parent: Int?, depth: Int, underMissing: Bool) {
            let ordered = (replies + joinedBySubject).sorted(by: earlier)
            for (offset, row) in ordered.enumerated().reversed() {
                pending.append(Pending(
                    row: row, parent: parent, depth: depth, isLast: offset == ordered.count - 1,
                    opensThread: underMissing && offset == 0, bySubject: !joinedBySubject.isEmpty && joined[row] != nil))
            }
        }
        for top in tops where joined[top] == nil {
            let start = entries.count
            let joinedHere = joinedTo[top] ?? []
            if top < rowCount {
                pending.append(Pending(row: top, parent: nil, depth: 0, isLast: true, opensThread: false, bySubject: false))
            } else {
                push(underMissing[top] ?? [], joinedBySubject: joinedHere, parent: nil, depth: 1, underMissing: true)
            }
            var newest = -Double.infinity
            while let item = pending.popLast() {
                let position = entries.count
                newest = max(newest, dates[item.row])
                // A reply to a missing message is compared with the thread's first row.
                let answered = item.parent ?? (position == start ? nil : start)
                let base = BaseSubject.of(subjects[item.row])
                entries.append(MessageThreads.Entry(
                    index: item.row, parent: item.parent, depth: item.depth, isLastChild: item.isLast,
                    opensThread: item.opensThread, bySubject: item.bySubject,
                    hidesSubject: answered.map { !base.isEmpty && bases[$0] == base } ?? false))
                bases.append(base)
                found.removeAll(keepingCapacity: true)
                rowsUnder(item.row, children, into: &found)
                let joinedBySubject = item.depth == 0 ? joinedHere : []
                if !found.isEmpty || !joinedBySubject.isEmpty {
                    push(found, joinedBySubject: joinedBySubject, parent: position, depth: item.depth + 1, underMissing: false)
                }
            }
            threads.append((start..<entries.count, newest, entries[start].index))
        }

        // Threads by their newest message, as mutt's `sort_aux=last-date`: the one with the
        // latest reply comes last, where the index starts.
        threads.sort { a, b in
            let ascending = a.newest != b.newest ? a.newest < b.newest : numbers[a.first] < numbers[b.first]
            return reversed ? !ascending : ascending
        }
        var ordered: [MessageThreads.Entry] = []
        ordered.reserveCapacity(entries.count)
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(threads.count)
        for thread in threads {
            let shift = ordered.count - thread.range.lowerBound
            for var entry in entries[thread.range] {
                entry.index = rows[entry.index]
                entry.parent = entry.parent.map { $0 + shift }
                ordered.append(entry)
            }
            ranges.append((thread.range.lowerBound + shift)..<(thread.range.upperBound + shift))
        }
        return (ordered, ranges)
    }
}
