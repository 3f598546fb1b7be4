import Foundation
import GRDB

/// The opening rules both caches share. SQLite in WAL mode never leaves a half-written
/// transaction behind after a crash or a full disk; what it cannot survive (a file overwritten,
/// truncated, or from an unknown schema) is detected here and replaced by an empty cache, because
/// a cache is only ever a copy of what the server has.
enum CacheDatabase {
    static func open(
        _ kind: CacheKind,
        in directory: CacheDirectory,
        account: String,
        server: String,
        migrator: DatabaseMigrator,
        checkSchema: @escaping @Sendable (Database) throws -> Void
    ) throws(CacheError) -> (queue: DatabaseQueue, notice: String?) {
        let othersCouldWrite = try directory.prepare()
        let path = directory.file(kind, account: account, server: server).path
        var notice: String?
        if try !isTrustworthy(kind, path, othersCouldWrite: othersCouldWrite) {
            try discard(kind, path)
            notice = "The \(kind.name) could be changed by other users, so it has been emptied."
        }
        try create(kind, path)
        do {
            return (try connect(path, kind: kind, migrator: migrator, checkSchema: checkSchema), notice)
        } catch let error where isDamage(error) {
            try discard(kind, path)
            try create(kind, path)
            do {
                let queue = try connect(path, kind: kind, migrator: migrator, checkSchema: checkSchema)
                return (queue, "The \(kind.name) was damaged and has been rebuilt.")
            } catch {
                throw .unavailable(kind, path: path, reason: reason(error))
            }
        } catch {
            throw .unavailable(kind, path: path, reason: reason(error))
        }
    }

    /// The words SQLite has for a failure, without the SQL or arguments GRDB adds to its description.
    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "SQLite error \(error.resultCode.rawValue)" }
        return error.localizedDescription
    }

    private static func connect(
        _ path: String,
        kind: CacheKind,
        migrator: DatabaseMigrator,
        checkSchema: @escaping @Sendable (Database) throws -> Void
    ) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.journalMode = .wal
        // Two readers open on the same account wait for each other's short transactions.
        configuration.busyMode = .timeout(5)
        configuration.label = "mailbag.\(kind.rawValue)"
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.read { db in
            // A truncated or overwritten file can open fine and only fail on the pages it lost;
            // quick_check reads every page once, which costs little next to fetching headers.
            guard try String.fetchAll(db, sql: "PRAGMA quick_check") == ["ok"] else { throw Damage() }
            // A newer Mailbag's schema is unknown to this one.
            if try migrator.hasBeenSuperseded(db) { throw Damage() }
        }
        try migrator.migrate(queue)
        try queue.read(checkSchema)
        return queue
    }

    /// Raised when the file opens but is not a cache this version can use.
    private struct Damage: Error {}

    /// Failures that mean the file itself is bad, as opposed to a busy lock, a full disk or a
    /// permission problem, which deleting the file would not cure. SQLITE_ERROR is what a foreign
    /// or mismatched schema produces ("no such column", "table already exists").
    private static func isDamage(_ error: any Error) -> Bool {
        if error is Damage { return true }
        guard let error = error as? DatabaseError else { return false }
        return [.SQLITE_NOTADB, .SQLITE_CORRUPT, .SQLITE_ERROR].contains(error.resultCode)
            || error.extendedResultCode == .SQLITE_IOERR_SHORT_READ
    }

    /// The database and its WAL must be plain files the user owns and nobody else can write,
    /// because the reader shows their text without sanitizing it again. Files only readable by
    /// others are made private and kept.
    private static func isTrustworthy(_ kind: CacheKind, _ path: String, othersCouldWrite: Bool) throws(CacheError) -> Bool {
        var trustworthy = true
        for suffix in ["", "-wal", "-shm"] {
            let file = path + suffix
            var info = stat()
            // lstat: SQLite would follow a symbolic link and write wherever it points.
            guard lstat(file, &info) == 0 else { continue }
            let mode = info.st_mode & 0o777
            if othersCouldWrite || info.st_mode & S_IFMT != S_IFREG || info.st_uid != geteuid() || mode & 0o022 != 0 {
                trustworthy = false
            } else if mode & 0o077 != 0 && chmod(file, 0o600) != 0 {
                throw .unavailable(kind, path: file, reason: CacheDirectory.lastError())
            }
        }
        return trustworthy
    }

    private static func discard(_ kind: CacheKind, _ path: String) throws(CacheError) {
        for suffix in CacheDirectory.fileSuffixes {
            let file = String(path.dropLast(".sqlite".count)) + suffix
            if let failure = CacheDirectory.removeIfPresent(file) {
                throw .unavailable(kind, path: file, reason: failure)
            }
        }
    }

    /// Creates the empty database file 0600 before SQLite sees it: SQLite gives its WAL and
    /// shared-memory files the database's mode, and would otherwise create it under the umask.
    private static func create(_ kind: CacheKind, _ path: String) throws(CacheError) {
        let fd = Foundation.open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { return }
            throw .unavailable(kind, path: path, reason: CacheDirectory.lastError())
        }
        defer { close(fd) }
        // The umask may have taken bits away; SQLite needs read and write.
        guard fchmod(fd, 0o600) == 0 else {
            throw .unavailable(kind, path: path, reason: CacheDirectory.lastError())
        }
    }
}
