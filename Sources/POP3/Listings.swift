/// One line of a LIST reply (scan listing).
public struct ListEntry: Sendable, Equatable {
    public var number: Int
    public var size: Int

    public init(number: Int, size: Int) {
        self.number = number
        self.size = size
    }
}

/// One usable line of a UIDL reply.
public struct UIDEntry: Sendable, Equatable {
    public var number: Int
    /// 1–70 characters in 0x21–0x7E (RFC 1939 section 7), unique in the listing.
    public var uid: String

    public init(number: Int, uid: String) {
        self.number = number
        self.uid = uid
    }
}

/// A UIDL line that was left out of `UIDListing.entries`, so that nothing downstream (file names, an
/// index keyed by UID) ever sees it.
public struct UIDProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        case malformedLine
        case invalidUID
        /// The UID is used by more than one message; none of them keeps it.
        case duplicateUID
        /// The message number appears more than once.
        case duplicateNumber
        /// The line comes after as many entries as the maildrop has messages (or
        /// `UIDListing.maxEntries` when that is not known), and was not read.
        case beyondMessageCount(limit: Int)
    }

    public var number: Int?
    /// The offending text, with non-printable bytes shown as `\xNN`.
    public var text: String
    public var reason: Reason

    public init(number: Int?, text: String, reason: Reason) {
        self.number = number
        self.text = text
        self.reason = reason
    }

    public var description: String {
        let message = number.map { "message \($0)" } ?? "a UIDL line"
        switch reason {
        case .malformedLine: return "\(message): the UIDL line \"\(text)\" is malformed"
        case .invalidUID: return "\(message): the UID \"\(text)\" is not 1–70 printable ASCII characters"
        case .duplicateUID: return "\(message): the UID \"\(text)\" is also used by another message"
        case .duplicateNumber: return "\(message): listed more than once"
        case .beyondMessageCount(let limit):
            return "\(message): the UIDL listing goes on after \(limit) entries, more than the maildrop has messages, "
                + "so the rest was ignored"
        }
    }
}

public struct UIDListing: Sendable, Equatable {
    /// More messages than any maildrop this client opens: the bound on entries when the message
    /// count is not known. A 32 MB listing of `1 a` lines would otherwise make 8 million.
    public static let maxEntries = 1_000_000
    /// Examples of each kind of problem kept in `problems`; `problemCounts` counts them all.
    static let problemsKeptPerKind = 8

    public var entries: [UIDEntry]
    /// The first few problems of each kind, in the order found: a hostile listing can hold
    /// millions of bad lines, and keeping each would cost more than the listing itself.
    public var problems: [UIDProblem]
    /// How many lines had each kind of problem, those left out of `problems` included.
    public var problemCounts: [UIDProblem.Reason: Int]

    /// One sentence per kind of problem, with how many there were: a warning each would flood
    /// the terminal.
    public var problemSummary: [String] {
        var seen: Set<UIDProblem.Reason> = []
        return problems.compactMap { first in
            guard seen.insert(first.reason).inserted else { return nil }
            let count = problemCounts[first.reason, default: 1]
            return count == 1 ? first.description : "\(first.description), and \(count - 1) more like it"
        }
    }

    public init(entries: [UIDEntry], problems: [UIDProblem]) {
        self.entries = entries
        self.problems = problems
        problemCounts = problems.reduce(into: [:]) { $0[$1.reason, default: 0] += 1 }
    }

    private init(entries: [UIDEntry], problems: ProblemLog) {
        self.entries = entries
        self.problems = problems.kept
        problemCounts = problems.counts
    }

    /// Counts every problem, keeps the first few of each kind; a problem's text is only made
    /// when it is kept.
    private struct ProblemLog {
        var kept: [UIDProblem] = []
        var counts: [UIDProblem.Reason: Int] = [:]

        mutating func add(_ reason: UIDProblem.Reason, _ problem: () -> UIDProblem) {
            let count = counts[reason, default: 0]
            counts[reason] = count + 1
            if count < UIDListing.problemsKeptPerKind { kept.append(problem()) }
        }
    }

    /// Lines are split on LF with an optional CR; empty lines are ignored. A listing holds one
    /// line per message (100,000 and more), so this is one pass over views of `body` with one
    /// hash lookup per line; only kept entries and kept problems allocate. At most `maxEntries`
    /// lines are read as entries, the maildrop's message count when the caller knows it.
    static func parse(_ body: [UInt8], maxEntries: Int = UIDListing.maxEntries) -> UIDListing {
        var candidates: [UIDEntry] = []
        candidates.reserveCapacity(min(body.count / 24, maxEntries))
        var problems = ProblemLog()
        // Servers list in ascending order, which rules out a repeated number without counting;
        // many also hand out UIDs that only grow, which rules out a repeated UID without hashing.
        var ascending = true
        var ascendingUIDs = true
        // The last kept UID's bytes, compared as bytes: through `String.utf8` this comparison
        // cost more than the rest of the parse.
        var previousUID: UnsafeBufferPointer<UInt8>?
        Listing.forEachLine(body) { line in
            guard candidates.count < maxEntries else {
                problems.add(.beyondMessageCount(limit: maxEntries)) {
                    UIDProblem(number: nil, text: Listing.printable(line), reason: .beyondMessageCount(limit: maxEntries))
                }
                return
            }
            // "n uid": the number, one space, the UID (RFC 1939 section 7). Trailing spaces are
            // tolerated; anything else after the UID makes it invalid.
            var start = line.startIndex
            while start < line.endIndex, line[start] == 0x20 { start += 1 }
            guard let space = line[start...].firstIndex(of: 0x20), space + 1 < line.endIndex,
                  let number = Listing.number(line[start..<space]), number > 0 else {
                problems.add(.malformedLine) { UIDProblem(number: nil, text: Listing.printable(line), reason: .malformedLine) }
                return
            }
            var uid = line[(space + 1)...]
            while uid.last == 0x20 { uid = uid.dropLast() }
            guard let valid = UIDListing.validUID(uid) else {
                problems.add(.invalidUID) { UIDProblem(number: number, text: Listing.printable(uid), reason: .invalidUID) }
                return
            }
            let uidBytes = UnsafeBufferPointer(rebasing: uid)
            if let previous = candidates.last {
                if number <= previous.number { ascending = false }
                if ascendingUIDs, let previousUID, !previousUID.lexicographicallyPrecedes(uidBytes) { ascendingUIDs = false }
            }
            previousUID = uidBytes
            candidates.append(UIDEntry(number: number, uid: valid))
        }
        var numberCounts: [Int: Int] = [:]
        if !ascending {
            for candidate in candidates { numberCounts[candidate.number, default: 0] += 1 }
        }
        var sharesUID = [Bool](repeating: false, count: candidates.count)
        if !ascendingUIDs {
            var firstUse: [String: Int] = [:]
            firstUse.reserveCapacity(candidates.count)
            for (index, candidate) in candidates.enumerated() {
                if let first = firstUse[candidate.uid] {
                    sharesUID[first] = true
                    sharesUID[index] = true
                } else {
                    firstUse[candidate.uid] = index
                }
            }
        }
        var entries: [UIDEntry] = []
        entries.reserveCapacity(candidates.count)
        for (index, candidate) in candidates.enumerated() {
            if numberCounts[candidate.number, default: 0] > 1 {
                problems.add(.duplicateNumber) {
                    UIDProblem(number: candidate.number, text: candidate.uid, reason: .duplicateNumber)
                }
            } else if sharesUID[index] {
                problems.add(.duplicateUID) { UIDProblem(number: candidate.number, text: candidate.uid, reason: .duplicateUID) }
            } else {
                entries.append(candidate)
            }
        }
        return UIDListing(entries: entries, problems: problems)
    }

    static func validUID(_ bytes: some Collection<UInt8>) -> String? {
        guard (1...70).contains(bytes.count), bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Helpers shared by the listing parsers.
enum Listing {
    /// Each non-empty line of `body`, without its CR LF (or bare LF). The lines are views into
    /// `body`, valid until `forEachLine` returns: listings run to 100,000 lines, and copying or
    /// reference-counting each would cost more than parsing it.
    static func forEachLine(_ body: [UInt8], _ each: (Slice<UnsafeBufferPointer<UInt8>>) throws -> Void) rethrows {
        try body.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                var end = start
                while end < buffer.count, buffer[end] != 0x0A { end += 1 }
                var contentEnd = end
                if contentEnd > start, buffer[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                if contentEnd > start { try each(buffer[start..<contentEnd]) }
                start = end + 1
            }
        }
    }

    static func stringLines(_ body: [UInt8]) -> [String] {
        var lines: [String] = []
        forEachLine(body) { lines.append(String(decoding: $0, as: UTF8.self)) }
        return lines
    }

    /// A decimal number of reasonable size (no sign, no spaces): 18 digits cannot overflow.
    static func number(_ bytes: some Collection<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// "n size", and whatever a server adds after a space (RFC 1939 allows more information).
    static func listEntry<Line: Collection<UInt8>>(_ line: Line) -> ListEntry? {
        var i = line.startIndex
        func nextField() -> Line.SubSequence {
            while i < line.endIndex, line[i] == 0x20 { i = line.index(after: i) }
            let start = i
            while i < line.endIndex, line[i] != 0x20 { i = line.index(after: i) }
            return line[start..<i]
        }
        guard let number = number(nextField()), number > 0, let size = Listing.number(nextField()) else { return nil }
        return ListEntry(number: number, size: size)
    }

    static func printable(_ bytes: some Collection<UInt8>) -> String {
        var result = ""
        for byte in bytes.prefix(80) {
            if (0x20...0x7E).contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let digits = String(byte, radix: 16, uppercase: true)
                result += "\\x" + (digits.count == 1 ? "0" + digits : digits)
            }
        }
        return bytes.count > 80 ? result + "…" : result
    }
}
