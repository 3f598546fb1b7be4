/// The UIDs one visit listed, in listing order, as the header cache keeps them: one blob of
/// LF-separated UIDs (a UID never holds a control character). Comparing two visits is then one
/// byte comparison in the common case, where nothing changed or new mail was only appended.
public struct VisitedUIDs: Sendable, Equatable {
    public let uids: [String]
    let bytes: [UInt8]

    public init(_ uids: [String]) {
        self.uids = uids
        var bytes: [UInt8] = []
        bytes.reserveCapacity(uids.reduce(0) { $0 + $1.utf8.count + 1 })
        for uid in uids {
            if !bytes.isEmpty { bytes.append(0x0A) }
            bytes.append(contentsOf: uid.utf8)
        }
        self.bytes = bytes
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
        uids = bytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
    }

    public static func == (a: VisitedUIDs, b: VisitedUIDs) -> Bool { a.bytes == b.bytes }

    public var isEmpty: Bool { uids.isEmpty }

    /// The UIDs here that `previous` did not list.
    func added(since previous: VisitedUIDs) -> Set<String> {
        if self == previous { return [] }
        if bytes.count > previous.bytes.count, bytes.starts(with: previous.bytes),
           previous.bytes.isEmpty || bytes[previous.bytes.count] == 0x0A {
            // New mail arrived after the previous visit and nothing left: the rest is new.
            return Set(uids.dropFirst(previous.uids.count))
        }
        return Set(uids).subtracting(previous.uids)
    }
}
