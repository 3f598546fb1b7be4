import MailMessage

/// Messages already downloaded in this session, so going back to one does not send RETR again.
/// Bounded by total raw size (least recently used first out); the newest entry always stays,
/// however large, because it is the one on screen.
public struct MessageCache: Sendable {
    public struct Entry: Sendable {
        public var raw: [UInt8]
        public var rendered: RenderedMessage
    }

    public let byteLimit: Int
    private var entries: [Int: Entry] = [:]
    /// Message numbers, least recently used first.
    private var recency: [Int] = []
    private var bytes = 0

    public init(byteLimit: Int = 64 << 20) {
        self.byteLimit = byteLimit
    }

    public mutating func insert(number: Int, raw: [UInt8], rendered: RenderedMessage) {
        if let old = entries[number] { bytes -= old.raw.count }
        entries[number] = Entry(raw: raw, rendered: rendered)
        bytes += raw.count
        touch(number)
        while bytes > byteLimit && recency.count > 1 {
            let evicted = recency.removeFirst()
            bytes -= entries.removeValue(forKey: evicted)?.raw.count ?? 0
        }
    }

    /// The entry for `number`, which becomes the most recently used.
    public mutating func entry(_ number: Int) -> Entry? {
        guard let entry = entries[number] else { return nil }
        touch(number)
        return entry
    }

    /// The entry for `number` without counting as a use (for drawing).
    public func peek(_ number: Int) -> Entry? { entries[number] }

    public func contains(_ number: Int) -> Bool { entries[number] != nil }

    private mutating func touch(_ number: Int) {
        recency.removeAll { $0 == number }
        recency.append(number)
    }
}
