#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A message as the wire needs it, computed once when the message enters the store.
struct StoredMessage: Sendable {
    /// Identity that survives renumbering, so QUIT deletes exactly what its session marked even when UIDs repeat.
    let id: Int
    let message: ServerMessage
    /// CRLF lines, dot-stuffed, ending in CRLF; the multi-line terminator is not included.
    let stuffed: [UInt8]
    /// Offset in `stuffed` just past the empty line that ends the header block.
    let bodyStart: Int
    /// RFC 1939 size: octets of the CRLF form before dot-stuffing.
    let size: Int

    init(id: Int, message: ServerMessage) {
        self.id = id
        self.message = message
        var stuffed: [UInt8] = []
        stuffed.reserveCapacity(message.bytes.count + message.bytes.count / 38 + 2)
        var dots = 0
        var bodyStart: Int?
        // Line by line with memchr and bulk appends: the demo's 5 MB message must not take a second
        // to store in a debug build.
        message.bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var start = 0
            while start < buffer.count {
                var newline = buffer.count
                if let found = memchr(base + start, 0x0A, buffer.count - start) {
                    newline = base.distance(to: UnsafePointer(found.assumingMemoryBound(to: UInt8.self)))
                }
                let crlf = newline < buffer.count && newline > start && base[newline - 1] == 0x0D
                let end = crlf ? newline - 1 : newline
                if base[start] == UInt8(ascii: ".") {
                    stuffed.append(UInt8(ascii: "."))
                    dots += 1
                }
                stuffed.append(contentsOf: UnsafeBufferPointer(start: base + start, count: end - start))
                stuffed.append(contentsOf: [0x0D, 0x0A])
                if bodyStart == nil && end == start { bodyStart = stuffed.count }
                start = newline + 1
            }
        }
        if stuffed.isEmpty { stuffed = [0x0D, 0x0A] }
        self.stuffed = stuffed
        self.size = stuffed.count - dots
        self.bodyStart = bodyStart ?? stuffed.count
    }

    /// The header block plus the first `lines` body lines, dot-stuffed, as TOP sends them.
    func top(lines: Int) -> ArraySlice<UInt8> {
        var end = bodyStart
        var remaining = lines
        while remaining > 0, end < stuffed.count {
            guard let newline = stuffed[end...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            end = newline + 1
            remaining -= 1
        }
        return stuffed[..<end]
    }
}

/// State shared by every session of one server: the maildrop, the lock, and what was received.
final class MailboxStore: Sendable {
    private struct State {
        var messages: [StoredMessage] = []
        var nextID = 1
        var commandLog: [String] = []
        var sessionCount = 0
        var lockHolder: Int?
        var drops = 0
    }

    let users: [String: String]
    private let state = Mutex(State())

    init(users: [String: String], messages: [ServerMessage]) {
        self.users = users
        for message in messages {
            deliver(message)
        }
    }

    var messages: [ServerMessage] { state.withLock { $0.messages.map(\.message) } }
    var commandLog: [String] { state.withLock { $0.commandLog } }
    var sessionCount: Int { state.withLock { $0.sessionCount } }

    func deliver(_ message: ServerMessage) {
        state.withLock { state in
            state.messages.append(StoredMessage(id: state.nextID, message: message))
            state.nextID += 1
        }
    }

    /// Registers a new connection and returns its session number (1-based).
    func openSession() -> Int {
        state.withLock { state in
            state.sessionCount += 1
            return state.sessionCount
        }
    }

    /// Counts one connection dropped by `ServerBehavior.dropOn`; false once `limit` were.
    func takeDrop(limit: Int) -> Bool {
        state.withLock { state in
            guard state.drops < limit else { return false }
            state.drops += 1
            return true
        }
    }

    func log(_ line: String) {
        state.withLock { $0.commandLog.append(line) }
    }

    /// Takes the maildrop lock (when locking is on) and the snapshot the session will number from.
    /// Returns nil when another session holds the lock.
    func enterTransaction(session: Int, lock: Bool) -> [StoredMessage]? {
        state.withLock { state in
            if lock {
                if let holder = state.lockHolder, holder != session { return nil }
                state.lockHolder = session
            }
            return state.messages
        }
    }

    /// UPDATE state: removes what the session deleted, releases the lock, returns how many messages remain.
    func commit(session: Int, deleting ids: Set<Int>) -> Int {
        state.withLock { state in
            state.messages.removeAll { ids.contains($0.id) }
            if state.lockHolder == session { state.lockHolder = nil }
            return state.messages.count
        }
    }

    func releaseLock(session: Int) {
        state.withLock { state in
            if state.lockHolder == session { state.lockHolder = nil }
        }
    }
}
