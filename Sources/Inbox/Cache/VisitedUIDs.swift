/// The UIDs one visit listed, in listing order, as the header cache keeps them: one blob of
/// LF-separated UIDs (a UID never holds a control character). Comparing two visits is then one
/// byte comparison in the common case, where nothing changed or new mail was only appended.
public struct VisitedUIDs: Sendable, Equatable {
    let bytes: [UInt8]
    /// The UIDs as given; nil for a visit read back from the cache, whose UIDs are only split out
    /// of `bytes` when the visits differ, which a warm start with unchanged mail never needs.
    private let listed: [String]?

    public var uids: [String] { listed ?? bytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) } }

    public init(_ uids: [String]) {
        listed = uids
        var bytes: [UInt8] = []
        bytes.reserveCapacity(uids.reduce(0) { $0 + $1.utf8.count + 1 })
        for uid in uids {
            if !bytes.isEmpty { bytes.append(0x0A) }
            // A native string's bytes are copied in one go; element by element costs 20,000 loops.
            if uid.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
                bytes.append(contentsOf: uid.utf8)
            }
        }
        self.bytes = bytes
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
        listed = nil
    }

    /// Each UID's bytes, in order, without making a string of it; valid only during the call.
    func forEachUID(_ body: (Slice<UnsafeBufferPointer<UInt8>>) -> Void) {
        bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let end = buffer[start...].firstIndex(of: 0x0A) ?? buffer.count
                body(buffer[start..<end])
                start = end + 1
            }
        }
    }

    public static func == (a: VisitedUIDs, b: VisitedUIDs) -> Bool { a.bytes == b.bytes }

    public var isEmpty: Bool { bytes.isEmpty }

    /// The UIDs here that `previous` did not list.
    func added(since previous: VisitedUIDs) -> Set<String> {
        if self == previous { return [] }
        if bytes.count > previous.bytes.count, bytes.starts(with: previous.bytes),
           previous.bytes.isEmpty || bytes[previous.bytes.count] == 0x0A {
            // New mail arrived after the previous visit and nothing left: the rest is new.
            let previousCount = previous.bytes.isEmpty ? 0 : previous.bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            return Set(uids.dropFirst(previousCount))
        }
        return Set(uids).subtracting(previous.uids)
    }
}
