import Foundation
import Glibc
import MailMessage
import Synchronization

/// A local mail folder that whole messages are delivered into, byte for byte as `RETR` returned
/// them: an mbox file (mboxrd) or a Maildir. Every delivery is on disk (fsynced) when `deliver`
/// returns, because a caller may delete the server's copy right after.
///
/// What a path names is decided by what is there: a directory holding `cur`, `new` and `tmp` is
/// a Maildir, a file is an mbox. A folder that does not exist yet is a Maildir when the path ends
/// in `/`, else an mbox; `create()` makes it.
public struct MailFolder: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case mbox
        case maildir
    }

    /// The path with `~` and `$HOME` expanded, without a trailing `/`.
    public let path: String
    public let kind: Kind
    /// Whether the folder was there when it was resolved.
    public let exists: Bool

    /// Resolves what `spec` names, without creating anything.
    /// - Throws: `MailFolderError` when `spec` is empty, or names a directory that is not a Maildir.
    public init(_ spec: String, home: String = MailFolder.homeDirectory()) throws(MailFolderError) {
        let expanded = Self.expand(spec, home: home)
        guard !expanded.isEmpty else { throw .noPath }
        let wantsMaildir = expanded.hasSuffix("/")
        var trimmed = expanded
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        path = trimmed
        var info = stat()
        if stat(trimmed, &info) == 0 {
            exists = true
            if info.st_mode & S_IFMT == S_IFDIR {
                guard ["cur", "new", "tmp"].allSatisfy({ Self.isDirectory("\(trimmed)/\($0)") }) else {
                    throw .notAFolder(trimmed, "it is a directory without the cur, new and tmp of a Maildir")
                }
                kind = .maildir
            } else if info.st_mode & S_IFMT == S_IFREG {
                kind = .mbox
                try Self.checkMbox(trimmed)
            } else {
                throw .notAFolder(trimmed, "it is neither a file nor a directory")
            }
        } else if errno == ENOENT {
            exists = false
            kind = wantsMaildir ? .maildir : .mbox
        } else {
            throw .cannotOpen(trimmed, Self.reason())
        }
    }

    /// `~`, `~/…`, `$HOME` and `${HOME}` become the home directory.
    static func expand(_ spec: String, home: String) -> String {
        var result = spec
        if result == "~" {
            result = home
        } else if result.hasPrefix("~/") {
            result = home + result.dropFirst()
        }
        return result.replacingOccurrences(of: "${HOME}", with: home).replacingOccurrences(of: "$HOME", with: home)
    }

    public static func homeDirectory() -> String {
        if let home = getenv("HOME").map({ String(cString: $0) }), !home.isEmpty { return home }
        if let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir { return String(cString: dir) }
        return "/"
    }

    /// Makes a folder that does not exist yet (its parent directory must): a Maildir with its
    /// three directories, or an empty mbox. Mode 0700/0600: mail is private.
    /// - Throws: `MailFolderError` when the mbox file or Maildir cannot be made.
    public func create() throws(MailFolderError) {
        switch kind {
        case .maildir:
            for dir in [path, "\(path)/tmp", "\(path)/new", "\(path)/cur"] {
                if mkdir(dir, 0o700) != 0, errno != EEXIST { throw .cannotCreate(dir, Self.reason()) }
            }
        case .mbox:
            let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw .cannotCreate(path, Self.reason()) }
            close(fd)
        }
        Self.syncDirectory(Self.parent(of: path))
    }

    /// Writes one message and returns once it is on disk. An mbox gets the message appended
    /// (under an `fcntl` lock and a `FOLDER.lock` dot-lock, as mutt takes them); a Maildir gets
    /// a new file in `new/`, or in `cur/` flagged seen when `seen`.
    /// - Returns: where the message went, for the user: the folder, or the Maildir file.
    /// - Throws: `MailFolderError` when the message cannot be written (or the mbox locked).
    @discardableResult
    public func deliver(_ raw: [UInt8], seen: Bool = false) throws(MailFolderError) -> String {
        try deliver([raw], seen: seen)[0]
    }

    /// Writes several messages at the cost of one: an mbox takes them in one append under one
    /// lock and one fsync, a Maildir's directory is fsynced once for all. They are all on disk
    /// when this returns; after a failure, none of an mbox's are, and a Maildir keeps those
    /// written before it.
    /// - Returns: where each message went, in order.
    /// - Throws: `MailFolderError` when a message cannot be written (or the mbox locked).
    @discardableResult
    public func deliver(_ messages: [[UInt8]], seen: Bool = false) throws(MailFolderError) -> [String] {
        guard !messages.isEmpty else { return [] }
        switch kind {
        case .mbox:
            try appendToMbox(messages)
            return messages.map { _ in path }
        case .maildir:
            return try deliverToMaildir(messages, seen: seen)
        }
    }

    // MARK: mbox

    /// An existing non-empty file that does not start with a `From ` line is not an mbox, and
    /// appending to it would bury a message where no mail program finds it.
    private static func checkMbox(_ path: String) throws(MailFolderError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path, reason()) }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 5)
        let count = read(fd, &head, 5)
        guard count == 0 || (count == 5 && head == Array("From ".utf8)) else {
            throw .notAFolder(path, "it is a file that does not start with a \"From \" line, so it is not an mbox")
        }
    }

    private func appendToMbox(_ messages: [[UInt8]]) throws(MailFolderError) {
        let dotLock = try DotLock(for: path)
        defer { dotLock.release() }
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .cannotOpen(path, Self.reason()) }
        defer { close(fd) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        while fcntl(fd, F_SETLKW, &lock) != 0 {
            guard errno == EINTR else { throw .cannotLock(path, Self.reason()) }
        }
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else { throw .cannotWrite(path, Self.reason()) }
        var entry: [UInt8] = []
        entry.reserveCapacity(messages.reduce(0) { $0 + $1.count + $1.count / 64 + 128 })
        // Each message starts after a blank line, which is what ends the one before.
        if end > 0 {
            let tail = Self.lastBytes(fd, count: 2, fileSize: end)
            if tail.last != UInt8(ascii: "\n") { entry.append(contentsOf: Array("\n\n".utf8)) }
            else if tail != Array("\n\n".utf8) { entry.append(UInt8(ascii: "\n")) }
        }
        let date = Self.asctime(time(nil))
        for raw in messages {
            entry.append(contentsOf: Array("From \(Self.envelopeSender(raw)) \(date)\n".utf8))
            Self.appendQuoted(raw, to: &entry)
            if entry.last != UInt8(ascii: "\n") { entry.append(UInt8(ascii: "\n")) }
            entry.append(UInt8(ascii: "\n"))
        }
        do throws(MailFolderError) {
            try Self.writeAll(entry, to: fd, path: path)
            guard fsync(fd) == 0 else { throw .cannotWrite(path, Self.reason()) }
        } catch {
            // A half-written message would be read as a damaged one; the mbox goes back to how it was.
            _ = ftruncate(fd, end)
            _ = fsync(fd)
            throw error
        }
    }

    /// mboxrd: a line of the message that is `From ` after any number of `>` gets one more `>`,
    /// so no line of the body can pass for the start of a message, and a reader that strips one
    /// `>` from such lines gets the original bytes back.
    static func appendQuoted(_ raw: [UInt8], to out: inout [UInt8]) {
        var lineStart = true
        var index = 0
        while index < raw.count {
            if lineStart {
                var probe = index
                while probe < raw.count, raw[probe] == UInt8(ascii: ">") { probe += 1 }
                if raw[probe...].starts(with: fromPrefix) { out.append(UInt8(ascii: ">")) }
            }
            let byte = raw[index]
            out.append(byte)
            lineStart = byte == UInt8(ascii: "\n")
            index += 1
        }
    }

    private static let fromPrefix = Array("From ".utf8)

    /// The `From ` line's address: the Return-Path the server recorded, else the first From
    /// address, else MAILER-DAEMON as mutt writes for a bounce. No spaces, so the line parses.
    static func envelopeSender(_ raw: [UInt8]) -> String {
        let header = MessageHeader.parse(raw).header
        var sender = ""
        if let path = header["Return-Path"] {
            sender = path.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
        }
        if sender.isEmpty, let from = header["From"] { sender = AddressList.parse(from).first?.mailbox ?? "" }
        let safe = String(sender.unicodeScalars.map { $0.value > 0x20 && $0.value < 0x7F ? Character($0) : "_" })
        return safe.isEmpty ? "MAILER-DAEMON" : safe
    }

    /// The `From ` line's date, in UTC and in asctime's form ("Sat Dec  5 01:58:19 2026") whatever
    /// the locale.
    static func asctime(_ seconds: time_t) -> String {
        var when = seconds
        var parts = tm()
        gmtime_r(&when, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = parts.tm_mday < 10 ? " \(parts.tm_mday)" : "\(parts.tm_mday)"
        return "\(days[Int(parts.tm_wday)]) \(months[Int(parts.tm_mon)]) \(day) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) \(parts.tm_year + 1900)"
    }

    private static func lastBytes(_ fd: Int32, count: Int, fileSize: off_t) -> [UInt8] {
        let wanted = Int(min(off_t(count), fileSize))
        var bytes = [UInt8](repeating: 0, count: wanted)
        let got = pread(fd, &bytes, wanted, fileSize - off_t(wanted))
        return got == wanted ? bytes : []
    }

    // MARK: Maildir

    private func deliverToMaildir(_ messages: [[UInt8]], seen: Bool) throws(MailFolderError) -> [String] {
        var delivered: [String] = []
        // The renames are only durable once the directory holding the new names is; this runs
        // after a failure too, for the messages moved before it.
        defer { if !delivered.isEmpty { Self.syncDirectory("\(path)/\(seen ? "cur" : "new")") } }
        for raw in messages { delivered.append(try moveIntoMaildir(raw, seen: seen)) }
        return delivered
    }

    /// Writes one message in `tmp/`, fsyncs it and renames it into place.
    private func moveIntoMaildir(_ raw: [UInt8], seen: Bool) throws(MailFolderError) -> String {
        let name = Self.uniqueName()
        let temporary = "\(path)/tmp/\(name)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .cannotCreate(temporary, Self.reason()) }
        do throws(MailFolderError) {
            defer { close(fd) }
            try Self.writeAll(raw, to: fd, path: temporary)
            guard fsync(fd) == 0 else { throw .cannotWrite(temporary, Self.reason()) }
        } catch {
            unlink(temporary)
            throw error
        }
        let final = seen ? "\(path)/cur/\(name):2,S" : "\(path)/new/\(name)"
        guard rename(temporary, final) == 0 else {
            let why = Self.reason()
            unlink(temporary)
            throw .cannotWrite(final, why)
        }
        return final
    }

    private static let deliveries = DeliveryCounter()

    /// `seconds.MmicrosecondsPpid_Qcounter.host`, the form Dovecot and mutt use: unique across
    /// processes (pid), deliveries in one process (counter) and machines sharing the folder (host).
    static func uniqueName() -> String {
        var now = timeval()
        gettimeofday(&now, nil)
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let hostName = String(decoding: host.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self).replacingOccurrences(of: "/", with: "\\057")
            .replacingOccurrences(of: ":", with: "\\072")
        return "\(now.tv_sec).M\(now.tv_usec)P\(getpid())Q\(deliveries.next()).\(hostName.isEmpty ? "localhost" : hostName)"
    }

    // MARK: Files

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(MailFolderError) {
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(path, reason())
            }
            written += result
        }
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    static func reason() -> String { String(cString: strerror(errno)) }
}

/// The `FOLDER.lock` file mutt, procmail and mail.local create beside an mbox, for programs that
/// do not take `fcntl` locks (or whose locks NFS loses).
struct DotLock {
    let path: String

    /// Waits up to `timeout` seconds for another program to release the lock. A lock file older
    /// than five minutes is taken as left behind by a crashed program, as mutt does.
    init(for folder: String, timeout: Int = 10) throws(MailFolderError) {
        path = "\(folder).lock"
        var waited = 0
        while true {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 {
                close(fd)
                return
            }
            guard errno == EEXIST else { throw .cannotLock(folder, "cannot create \(path): \(MailFolder.reason())") }
            var info = stat()
            if stat(path, &info) == 0, time(nil) - info.st_mtim.tv_sec > 300 {
                unlink(path)
                continue
            }
            guard waited < timeout * 10 else {
                throw .cannotLock(folder, "\(path) has been there for \(timeout) seconds; another mail program is writing to it (remove the file if none is)")
            }
            usleep(100_000)
            waited += 1
        }
    }

    func release() { unlink(path) }
}

/// Counts deliveries within this process, for unique Maildir names.
final class DeliveryCounter: Sendable {
    private let value = Mutex(0)

    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}

public enum MailFolderError: Error, Equatable, CustomStringConvertible {
    case noPath
    case notAFolder(String, String)
    case cannotOpen(String, String)
    case cannotCreate(String, String)
    case cannotLock(String, String)
    case cannotWrite(String, String)

    public var description: String {
        switch self {
        case .noPath: "Give a folder: a file for an mbox, or a path ending in / for a Maildir."
        case .notAFolder(let path, let why): "\(path) is not a mail folder: \(why)."
        case .cannotOpen(let path, let why): "Cannot open \(path): \(why)."
        case .cannotCreate(let path, let why): "Cannot create \(path): \(why)."
        case .cannotLock(let path, let why): "Cannot lock \(path): \(why)."
        case .cannotWrite(let path, let why): "Cannot write \(path): \(why); nothing was saved there."
        }
    }
}
