import Foundation
import GRDB

/// Whole messages kept between visits (`cache_bodies = true`), so opening a message again does
/// not download it again. Bounded by the total size of the stored messages: the least recently
/// opened go first. Bodies of messages that left the server are dropped by `retain(only:)`, so
/// deleted mail does not linger on disk.
public final class BodyCache: Sendable {
    /// What happened to the cache file at open, for the user to read once; nil when it opened normally.
    public let notice: String?
    /// The most raw bytes the cache holds; a larger message is not stored at all.
    public let byteLimit: Int
    let database: DatabaseQueue

    private init(database: DatabaseQueue, notice: String?, byteLimit: Int) {
        self.database = database
        self.notice = notice
        self.byteLimit = byteLimit
    }

    /// - Parameters:
    ///   - account: the configured account name (or the URL when there is no configuration).
    ///   - server: the identity of the mailbox, `user@host:port`.
    /// - Throws: `CacheError` when the directory cannot be made or is not safe.
    public static func open(
        in directory: CacheDirectory = .standard(),
        account: String,
        server: String,
        byteLimit: Int = 256 << 20
    ) throws(CacheError) -> BodyCache {
        let (queue, notice) = try CacheDatabase.open(
            .bodies, in: directory, account: account, server: server,
            migrator: migrator, checkSchema: checkSchema)
        return BodyCache(database: queue, notice: notice, byteLimit: max(0, byteLimit))
    }

    /// The stored message, which becomes the most recently used; nil when it is not stored, or was
    /// stored under a different listed size (a server that reused the UID for another message).
    /// - Throws: `CacheError` when the file is there but cannot be read.
    public func message(uid: String, size: Int) throws(CacheError) -> [UInt8]? {
        let raw: Data?
        do {
            raw = try database.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT size, raw FROM body WHERE uid = ?", arguments: [uid]),
                      row[0] as Int == size
                else { return nil }
                return row[1] as Data
            }
        } catch {
            throw .readFailed(.bodies, reason: CacheDatabase.reason(error))
        }
        guard let raw else { return nil }
        // Recency only steers eviction: when this write fails (a full disk) the message is still
        // good, and the failure shows again on the next store, which reports it.
        try? database.write { db in
            try db.execute(sql: "UPDATE body SET used = \(Self.nextUse) WHERE uid = ?", arguments: [uid])
        }
        return [UInt8](raw)
    }

    /// Stores a downloaded message (the bytes `RETR` returned) under its UID and listed size, then
    /// evicts the least recently used others until the total fits. All in one transaction, so a
    /// failed write leaves the previous content as it was.
    /// - Throws: `CacheError` when the file cannot be written.
    public func store(uid: String, size: Int, raw: [UInt8]) throws(CacheError) {
        do {
            try database.write { db in
                guard raw.count <= byteLimit else {
                    // Keeping an older copy under this UID would outlive the one just downloaded.
                    try db.execute(sql: "DELETE FROM body WHERE uid = ?", arguments: [uid])
                    return
                }
                try db.execute(
                    sql: "INSERT OR REPLACE INTO body (uid, size, length, used, raw) VALUES (?, ?, ?, \(Self.nextUse), ?)",
                    arguments: [uid, size, raw.count, Data(raw)])
                var total = try Int.fetchOne(db, sql: "SELECT coalesce(sum(length), 0) FROM body") ?? 0
                guard total > byteLimit else { return }
                let oldestFirst = try Row.fetchAll(
                    db, sql: "SELECT uid, length FROM body WHERE uid <> ? ORDER BY used", arguments: [uid])
                let evict = try db.cachedStatement(sql: "DELETE FROM body WHERE uid = ?")
                for row in oldestFirst where total > byteLimit {
                    try evict.execute(arguments: [row[0] as String])
                    total -= row[1] as Int
                }
            }
        } catch {
            throw .writeFailed(.bodies, reason: CacheDatabase.reason(error))
        }
    }

    /// Drops every stored message whose UID the server no longer lists.
    /// - Throws: `CacheError` when the directory cannot be listed or a file removed.
    public func retain(only current: Set<String>) throws(CacheError) {
        do {
            try database.write { db in
                let stored = try Set(String.fetchCursor(db, sql: "SELECT uid FROM body"))
                let evict = try db.cachedStatement(sql: "DELETE FROM body WHERE uid = ?")
                for uid in stored.subtracting(current) { try evict.execute(arguments: [uid]) }
            }
        } catch {
            throw .writeFailed(.bodies, reason: CacheDatabase.reason(error))
        }
    }

    /// A counter rather than a clock, so a clock set back cannot reorder the recency.
    private static let nextUse = "(SELECT coalesce(max(used), 0) + 1 FROM body)"

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // `raw` comes last: SQLite reads a row's columns in order, so the bookkeeping columns
            // never drag in a message's overflow pages.
            try db.execute(sql: """
                CREATE TABLE body (
                    uid TEXT NOT NULL PRIMARY KEY,
                    size INTEGER NOT NULL,
                    length INTEGER NOT NULL,
                    used INTEGER NOT NULL,
                    raw BLOB NOT NULL
                );
                CREATE INDEX body_used ON body (used);
                """)
        }
        return migrator
    }

    /// Fails with "no such table/column" when the file holds a schema this code does not expect.
    private static let checkSchema: @Sendable (Database) throws -> Void = { db in
        try db.execute(sql: "SELECT uid, size, length, used, raw FROM body LIMIT 0")
    }
}
