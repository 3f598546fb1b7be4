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
    public enum Reason: Sendable, Equatable {
        case malformedLine
        case invalidUID
        /// The UID is used by more than one message; none of them keeps it.
        case duplicateUID
        /// The message number appears more than once.
        case duplicateNumber
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
        }
    }
}

public struct UIDListing: Sendable, Equatable {
    public var entries: [UIDEntry]
    public var problems: [UIDProblem]

    public init(entries: [UIDEntry], problems: [UIDProblem]) {
        self.entries = entries
        self.problems = problems
    }

    /// Lines are split on LF with an optional CR; empty lines are ignored.
    static func parse(_ body: [UInt8]) -> UIDListing {
        var candidates: [(number: Int, uid: String)] = []
        var problems: [UIDProblem] = []
        for line in Listing.lines(body) {
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 1, omittingEmptySubsequences: true)
            guard fields.count == 2, let number = Listing.number(fields[0]), number > 0 else {
                problems.append(UIDProblem(number: nil, text: Listing.printable(line[...]), reason: .malformedLine))
                continue
            }
            // Trailing spaces are tolerated; anything else after the UID makes it invalid.
            var uid = fields[1][...]
            while uid.last == UInt8(ascii: " ") { uid = uid.dropLast() }
            guard let valid = UIDListing.validUID(uid) else {
                problems.append(UIDProblem(number: number, text: Listing.printable(uid), reason: .invalidUID))
                continue
            }
            candidates.append((number, valid))
        }
        var uidCounts: [String: Int] = [:]
        var numberCounts: [Int: Int] = [:]
        for candidate in candidates {
            uidCounts[candidate.uid, default: 0] += 1
            numberCounts[candidate.number, default: 0] += 1
        }
        var entries: [UIDEntry] = []
        for candidate in candidates {
            if numberCounts[candidate.number, default: 0] > 1 {
                problems.append(UIDProblem(number: candidate.number, text: candidate.uid, reason: .duplicateNumber))
            } else if uidCounts[candidate.uid, default: 0] > 1 {
                problems.append(UIDProblem(number: candidate.number, text: candidate.uid, reason: .duplicateUID))
            } else {
                entries.append(UIDEntry(number: candidate.number, uid: candidate.uid))
            }
        }
        return UIDListing(entries: entries, problems: problems)
    }

    static func validUID(_ bytes: ArraySlice<UInt8>) -> String? {
        guard (1...70).contains(bytes.count), bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Helpers shared by the listing parsers.
enum Listing {
    static func lines(_ body: [UInt8]) -> [ArraySlice<UInt8>] {
        body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).compactMap { line in
            let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            return trimmed.isEmpty ? nil : trimmed
        }
    }

    static func stringLines(_ body: [UInt8]) -> [String] {
        lines(body).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A positive decimal number of reasonable size (no sign, no spaces).
    static func number(_ bytes: some Collection<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18, bytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(String(decoding: bytes, as: UTF8.self))
    }

    static func listEntry(_ line: some Collection<UInt8>) -> ListEntry? {
        let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard fields.count >= 2, let number = number(fields[0]), number > 0, let size = Listing.number(fields[1])
        else { return nil }
        return ListEntry(number: number, size: size)
    }

    static func printable(_ bytes: ArraySlice<UInt8>) -> String {
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
