import Foundation
import GRDB
import MailMessage

/// The summaries of one account's messages kept between visits, keyed by UIDL, so a second visit
/// fetches `TOP n 0` only for messages it has not seen; and the UIDs of the previous visit, which
/// is what makes a message "new". Only a server with UIDL has anything to key it by.
///
/// Calls are synchronous and short (one transaction each); the queue serializes them, so the
/// cache can be shared between tasks.
public final class HeaderCache: Sendable {
    /// What happened to the cache file at open (it was damaged, or others could change it), for
    /// the user to read once; nil when the cache opened normally.
    public let notice: String?
    let database: DatabaseQueue

    private init(database: DatabaseQueue, notice: String?) {
        self.database = database
        self.notice = notice
    }

    /// - Parameters:
    ///   - account: the configured account name (or the URL when there is no configuration).
    ///   - server: the identity of the mailbox, `user@host:port`; a changed host gets a fresh cache.
    public static func open(
        in directory: CacheDirectory = .standard(),
        account: String,
        server: String
    ) throws(CacheError) -> HeaderCache {
        let (queue, notice) = try CacheDatabase.open(
            .headers, in: directory, account: account, server: server,
            migrator: migrator, checkSchema: checkSchema)
        return HeaderCache(database: queue, notice: notice)
    }

    /// The cached summaries of the listed messages, by UID. An entry whose size differs from the
    /// listing is left out: some servers reuse a UID for another message, and the size gives that
    /// away. One scan of the table, because a mailbox holds about what the cache holds.
    public func summaries(for messages: [MessageListing]) throws(CacheError) -> [String: MessageSummary] {
        var sizes: [String: Int] = [:]
        sizes.reserveCapacity(messages.count)
        for message in messages {
            if let uid = message.uid { sizes[uid] = message.size }
        }
        guard !sizes.isEmpty else { return [:] }
        do {
            return try database.read { db in
                var found: [String: MessageSummary] = [:]
                found.reserveCapacity(sizes.count)
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT uid, size, sender, sender_address, recipients, subject, date, message_id, has_attachments
                    FROM summary
                    """)
                while let row = try rows.next() {
                    let uid: String = row[0]
                    guard let size = sizes[uid], size == row[1] as Int else { continue }
                    found[uid] = MessageSummary(
                        from: row[2], fromAddress: row[3], to: row[4], subject: row[5],
                        date: (row[6] as Double?).map(Date.init(timeIntervalSinceReferenceDate:)),
                        messageID: row[7], hasAttachments: row[8])
                }
                return found
            }
        } catch {
            throw .readFailed(.headers, reason: CacheDatabase.reason(error))
        }
    }

    /// Adds or replaces summaries, all in one transaction: either every entry is stored or, when the
    /// write fails (a full disk), none is and the cache keeps its previous content.
    public func store(_ entries: [(uid: String, size: Int, summary: MessageSummary)]) throws(CacheError) {
        guard !entries.isEmpty else { return }
        do {
            try database.write { db in
                let insert = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO summary
                        (uid, size, sender, sender_address, recipients, subject, date, message_id, has_attachments)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for entry in entries {
                    let summary = entry.summary
                    // The reference-date interval is what Date stores, so it comes back bit for bit.
                    try insert.execute(arguments: [
                        entry.uid, entry.size, summary.from, summary.fromAddress, summary.to, summary.subject,
                        summary.date?.timeIntervalSinceReferenceDate, summary.messageID, summary.hasAttachments,
                    ])
                }
            }
        } catch {
            throw .writeFailed(.headers, reason: CacheDatabase.reason(error))
        }
    }

    /// Records the UIDs the server lists now and returns those absent at the previous visit (the
    /// `N` flag). Summaries of messages that are gone are evicted. On the first visit nothing is
    /// new: without a previous visit, every message would be.
    public func recordVisit(uids current: Set<String>) throws(CacheError) -> Set<String> {
        do {
            return try database.write { db in
                let visitedBefore = try Bool.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'visited'") ?? false
                let previous = try Set(String.fetchCursor(db, sql: "SELECT uid FROM seen"))
                let forget = try db.cachedStatement(sql: "DELETE FROM seen WHERE uid = ?")
                for uid in previous.subtracting(current) { try forget.execute(arguments: [uid]) }
                let added = current.subtracting(previous)
                let remember = try db.cachedStatement(sql: "INSERT INTO seen (uid) VALUES (?)")
                for uid in added { try remember.execute(arguments: [uid]) }
                // Also catches summaries stored for UIDs that were never part of a recorded visit.
                try db.execute(sql: "DELETE FROM summary WHERE uid NOT IN (SELECT uid FROM seen)")
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('visited', 1)")
                return visitedBefore ? added : []
            }
        } catch {
            throw .writeFailed(.headers, reason: CacheDatabase.reason(error))
        }
    }

    /// A change to how `MessageSummary.parse` reads headers needs a new migration that empties
    /// `summary`, or messages cached before it would keep their old summaries forever.
    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE summary (
                    uid TEXT NOT NULL PRIMARY KEY,
                    size INTEGER NOT NULL,
                    sender TEXT NOT NULL,
                    sender_address TEXT,
                    recipients TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    date REAL,
                    message_id TEXT,
                    has_attachments INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE seen (uid TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;
                CREATE TABLE meta (key TEXT NOT NULL PRIMARY KEY, value) WITHOUT ROWID;
                """)
        }
        return migrator
    }

    /// Fails with "no such table/column" when the file holds a schema this code does not expect.
    private static let checkSchema: @Sendable (Database) throws -> Void = { db in
        try db.execute(sql: """
            SELECT uid, size, sender, sender_address, recipients, subject, date, message_id, has_attachments
            FROM summary LIMIT 0;
            SELECT uid FROM seen LIMIT 0;
            SELECT key, value FROM meta LIMIT 0;
            """)
    }
}
