import Foundation
import GRDB
import MailMessage
import POP3
import Synchronization

/// The summaries of one account's messages kept between visits, keyed by UIDL, so a second visit
/// fetches `TOP n 0` only for messages it has not seen; the UIDs of the previous visit, which is
/// what makes a message "new"; which messages the user read or flagged; and the server's
/// capabilities, so a login need not ask for them. Only a server with UIDL has anything to key
/// summaries and states by. A visit reads all of it once (`contents`), then writes what it
/// fetched (`store`), what the user read or flagged (`storeStates`) and what changed
/// (`recordVisit`).
///
/// Calls are synchronous and short (one transaction each); the queue serializes them, so the
/// cache can be shared between tasks.
public final class HeaderCache: Sendable {
    /// What happened to the cache file at open (it was damaged, or others could change it), for
    /// the user to read once; nil when the cache opened normally.
    public let notice: String?
    let database: DatabaseQueue
    /// A read of the contents that `preload()` started and nobody has taken yet.
    private let preloaded = Mutex<Task<Result<Contents, CacheError>, Never>?>(nil)
    /// The remembered capabilities by meta key, with when they were learned: read at open and kept
    /// here, so a login never waits for them behind `preload()`'s read of the whole cache.
    private let remembered: Mutex<RememberedCapabilities>
    private typealias RememberedCapabilities = [String: (text: String, learned: Double)]
    private let stored: Mutex<Bool>

    private init(database: DatabaseQueue, notice: String?, remembered: RememberedCapabilities, holdsSummaries: Bool) {
        self.database = database
        self.notice = notice
        self.remembered = Mutex(remembered)
        stored = Mutex(holdsSummaries)
    }

    /// Whether any summary was cached, as of the open or a later `store`: what decides, before
    /// the login, whether a visit is a first one. Known without waiting for `preload()`.
    public var holdsSummaries: Bool { stored.withLock { $0 } }

    /// - Parameters:
    ///   - account: the configured account name (or the URL when there is no configuration).
    ///   - server: the identity of the mailbox, `user@host:port`; a changed host gets a fresh cache.
    /// - Throws: `CacheError` when the database cannot be opened or made.
    public static func open(
        in directory: CacheDirectory = .standard(),
        account: String,
        server: String
    ) throws(CacheError) -> HeaderCache {
        let (queue, notice) = try CacheDatabase.open(
            .headers, in: directory, account: account, server: server,
            migrator: migrator, checkSchema: checkSchema)
        let holdsSummaries = (try? queue.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM summary)") ?? false }) ?? false
        // Capabilities that cannot be read are as good as none: the server is asked.
        let remembered = (try? queue.read { db -> RememberedCapabilities in
            var found: RememberedCapabilities = [:]
            for security in [ConnectionSecurity.implicitTLS, .startTLS, .plaintext] {
                let key = capabilitiesKey(security)
                if let text = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]),
                   let learned = try Double.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key + ".learned"]) {
                    found[key] = (text, learned)
                }
            }
            return found
        }) ?? [:]
        return HeaderCache(database: queue, notice: notice, remembered: remembered, holdsSummaries: holdsSummaries)
    }

    /// Everything the cache holds, read in one transaction. The reader reads it while the
    /// session logs in, so a warm index costs no cache time after the listing arrives.
    public struct Contents: Sendable {
        struct Entry: Sendable {
            var size: Int
            var summary: MessageSummary
        }

        /// Every cached UID in ascending byte order (SQLite's order for the key), and its entry at
        /// the same index: a sorted array costs less to build than a dictionary, and most servers
        /// hand out UIDs that only grow, so a visit is matched by walking both in step.
        let uids: [String]
        private let entries: [Entry]
        /// What the previous visit listed; nil before the first visit.
        var previousVisit: VisitedUIDs?
        /// The read and flagged states by UID; a message without one is unread and not flagged.
        public let states: [String: MessageState]
        /// The summaries of the previous visit's UIDs in its order, nil where the cache has none,
        /// and the sizes they were cached with. Arranged while the session logs in, so that a
        /// mailbox listed as it was last time (the usual case) is matched by position and handed
        /// on as this very array, without a lookup or a copy per message once it is listed.
        private let summariesInVisitOrder: [MessageSummary?]
        private let sizesInVisitOrder: [Int]

        /// `uids` must be in ascending byte order, `entries` beside them.
        init(uids: [String], entries: [Entry], previousVisit: VisitedUIDs?, states: [String: MessageState] = [:]) {
            self.uids = uids
            self.entries = entries
            self.previousVisit = previousVisit
            self.states = states
            var summaries: [MessageSummary?] = []
            var sizes: [Int] = []
            var finder = Finder(uids: uids)
            previousVisit?.forEachUID { uid in
                if let found = finder.find(uid) {
                    summaries.append(entries[found].summary)
                    sizes.append(entries[found].size)
                } else {
                    summaries.append(nil)
                    sizes.append(-1)
                }
            }
            summariesInVisitOrder = summaries
            sizesInVisitOrder = sizes
        }

        /// Finds UIDs in `uids` one after another: first the entry after the last one found,
        /// which is the one when UIDs only grow, and by binary search otherwise.
        private struct Finder {
            let uids: [String]
            var next = 0

            mutating func find(_ uid: some Collection<UInt8>) -> Int? {
                let found = next < uids.count && uids[next].utf8.elementsEqual(uid) ? next : Contents.index(of: uid, in: uids)
                if let found { next = found + 1 }
                return found
            }
        }

        /// Where `uid` is in `uids`, by binary search.
        private static func index(of uid: some Collection<UInt8>, in uids: [String]) -> Int? {
            var (low, high) = (0, uids.count)
            while low < high {
                let middle = (low + high) / 2
                if uids[middle].utf8.lexicographicallyPrecedes(uid) {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            return low < uids.count && uids[low].utf8.elementsEqual(uid) ? low : nil
        }

        /// The cached summary of the message listed with this UID and size. An entry whose size
        /// differs from the listing is no match: some servers reuse a UID for another message,
        /// and the size gives that away.
        public func summary(uid: String, size: Int) -> MessageSummary? {
            guard let found = Self.index(of: uid.utf8, in: uids), entries[found].size == size else { return nil }
            return entries[found].summary
        }

        /// The cached summaries of `rows`, in row order, nil where the cache has none or has
        /// another size; `visit` is `VisitedUIDs` of the rows' UIDs.
        public func summaries(for rows: [MessageListing], visit: VisitedUIDs) -> [MessageSummary?] {
            var (sizes, summaries) = entries(for: rows, visit: visit)
            for (position, row) in rows.enumerated() where row.size != sizes[position] {
                summaries[position] = nil
            }
            return summaries
        }

        /// The size and summary cached for each row's UID, in row order (-1 and nil where the
        /// cache has none), whatever size the row has; `visit` is `VisitedUIDs` of the rows' UIDs.
        public func entries(for rows: [MessageListing], visit: VisitedUIDs) -> (sizes: [Int], summaries: [MessageSummary?]) {
            // Every row has a UID then (the visit holds as many as there are rows), in the order cached.
            if visit == previousVisit && rows.count == summariesInVisitOrder.count {
                return (sizesInVisitOrder, summariesInVisitOrder)
            }
            var finder = Finder(uids: uids)
            var sizes: [Int] = []
            var summaries: [MessageSummary?] = []
            sizes.reserveCapacity(rows.count)
            summaries.reserveCapacity(rows.count)
            for row in rows {
                let found = row.uid.flatMap { finder.find($0.utf8) }
                sizes.append(found.map { entries[$0].size } ?? -1)
                summaries.append(found.map { entries[$0].summary })
            }
            return (sizes, summaries)
        }

        /// Whether no summary is cached.
        public var isEmpty: Bool { uids.isEmpty }

        /// The UIDs absent at the previous visit (`N` while unread). On the first visit nothing is
        /// new: without a previous visit, every message would be.
        public func newUIDs(_ current: VisitedUIDs) -> Set<String> {
            previousVisit.map(current.added(since:)) ?? []
        }
    }

    /// Starts reading the contents in the background, for a caller that logs in meanwhile: the
    /// read then costs no time once the listing is in. `preloadedContents()` takes the result.
    public func preload() {
        preloaded.withLock { task in
            guard task == nil else { return }
            task = Task { [self] in Result { () throws(CacheError) in try contents() } }
        }
    }

    /// What `preload()` read, waiting for it if need be; read now when nothing was preloaded.
    /// - Throws: `CacheError` when the database cannot be read.
    public func preloadedContents() async throws(CacheError) -> Contents {
        if let task = preloaded.withLock({ task in defer { task = nil }; return task }) {
            return try await task.value.get()
        }
        return try contents()
    }

    /// `refs` holds the IDs blank-separated: `MessageIDs.parse` leaves no blank inside one.
    private static func references(_ column: String) -> [String] {
        column.isEmpty ? [] : column.split(separator: " ").map(String.init)
    }

    /// - Throws: `CacheError` when the database cannot be read.
    public func contents() throws(CacheError) -> Contents {
        do {
            return try database.read { db in
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM summary") ?? 0
                var uids: [String] = []
                var entries: [Contents.Entry] = []
                uids.reserveCapacity(count)
                entries.reserveCapacity(count)
                // The key's order: BINARY collation compares the UTF-8 bytes, as `Contents` does.
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT uid, size, sender, sender_address, recipients, subject, date, message_id, has_attachments, in_reply_to, refs
                    FROM summary ORDER BY uid
                    """)
                while let row = try rows.next() {
                    uids.append(row[0])
                    entries.append(Contents.Entry(size: row[1], summary: MessageSummary(
                        from: row[2], fromAddress: row[3], to: row[4], subject: row[5],
                        date: (row[6] as Double?).map(Date.init(timeIntervalSinceReferenceDate:)),
                        messageID: row[7], hasAttachments: row[8], inReplyTo: row[9],
                        references: Self.references(row[10]))))
                }
                let visited = try Bool.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'visited'") ?? false
                let visit = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'visit'") ?? Data()
                var states: [String: MessageState] = [:]
                let stateRows = try Row.fetchCursor(db, sql: "SELECT uid, read, flagged FROM message_state")
                while let row = try stateRows.next() {
                    states[row[0]] = MessageState(read: row[1], flagged: row[2])
                }
                return Contents(
                    uids: uids, entries: entries, previousVisit: visited ? VisitedUIDs(bytes: Array(visit)) : nil, states: states)
            }
        } catch {
            throw .readFailed(.headers, reason: CacheDatabase.reason(error))
        }
    }

    /// Adds or replaces summaries, all in one transaction: either every entry is stored or, when the
    /// write fails (a full disk), none is and the cache keeps its previous content.
    /// - Throws: `CacheError` when the transaction fails; nothing of it is kept.
    public func store(_ entries: [(uid: String, size: Int, summary: MessageSummary)]) throws(CacheError) {
        guard !entries.isEmpty else { return }
        do {
            try database.write { db in
                let insert = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO summary
                        (uid, size, sender, sender_address, recipients, subject, date, message_id, has_attachments,
                         in_reply_to, refs)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for entry in entries {
                    let summary = entry.summary
                    // The reference-date interval is what Date stores, so it comes back bit for bit.
                    try insert.execute(arguments: [
                        entry.uid, entry.size, summary.from, summary.fromAddress, summary.to, summary.subject,
                        summary.date?.timeIntervalSinceReferenceDate, summary.messageID, summary.hasAttachments,
                        summary.inReplyTo, summary.references.joined(separator: " "),
                    ])
                }
            }
            stored.withLock { $0 = true }
        } catch {
            throw .writeFailed(.headers, reason: CacheDatabase.reason(error))
        }
    }

    /// Keeps what the user made of messages, by UID, all in one transaction. A message back at
    /// the default (unread, not flagged) loses its row: only what differs is stored.
    /// - Throws: `CacheError` when the transaction fails.
    public func storeStates(_ states: [String: MessageState]) throws(CacheError) {
        guard !states.isEmpty else { return }
        do {
            try database.write { db in
                let upsert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO message_state (uid, read, flagged) VALUES (?, ?, ?)")
                let remove = try db.cachedStatement(sql: "DELETE FROM message_state WHERE uid = ?")
                for (uid, state) in states {
                    if state == MessageState() {
                        try remove.execute(arguments: [uid])
                    } else {
                        try upsert.execute(arguments: [uid, state.read, state.flagged])
                    }
                }
            }
        } catch {
            throw .writeFailed(.headers, reason: CacheDatabase.reason(error))
        }
    }

    /// Records the UIDs the server lists now as the visit the next one compares with, and
    /// evicts the summaries and states of messages that are gone. Nothing is written when the
    /// mailbox is as `previous` (read at the start of this visit) found it.
    /// - Throws: `CacheError` when the transaction fails.
    public func recordVisit(_ current: VisitedUIDs, since previous: Contents) throws(CacheError) {
        guard current != previous.previousVisit else { return }
        let listed = Set(current.uids)
        let stale = previous.uids.filter { !listed.contains($0) }
        let staleStates = previous.states.keys.filter { !listed.contains($0) }
        do {
            try database.write { db in
                let evict = try db.cachedStatement(sql: "DELETE FROM summary WHERE uid = ?")
                for uid in stale { try evict.execute(arguments: [uid]) }
                let forget = try db.cachedStatement(sql: "DELETE FROM message_state WHERE uid = ?")
                for uid in staleStates { try forget.execute(arguments: [uid]) }
                try db.execute(
                    sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('visit', ?), ('visited', 1)",
                    arguments: [Data(current.bytes)])
            }
        } catch {
            throw .writeFailed(.headers, reason: CacheDatabase.reason(error))
        }
    }

    /// What the server announced before login when it was last asked, under this security (for
    /// `POP3Configuration.knownCapabilities`); nil when that was longer than `capabilitiesLifetime`
    /// before `now`, or when nothing is remembered: the server is then asked, so a mechanism or
    /// PIPELINING it added or dropped is noticed within a day.
    public func knownCapabilities(security: ConnectionSecurity, now: Date = Date()) -> Capabilities? {
        // A time ahead of `now` (the clock was set back) counts as stale too.
        guard let (text, learned) = remembered.withLock({ $0[Self.capabilitiesKey(security)] }),
              (0..<Self.capabilitiesLifetime).contains(now.timeIntervalSinceReferenceDate - learned)
        else { return nil }
        return Capabilities.parse(text.split(separator: "\n").map(String.init))
    }

    /// Keeps `POP3Session.capabilitiesBeforeLogin` for the next connections. Nothing is written
    /// when they are the ones `knownCapabilities` gave (the server was not asked), and never what
    /// the server did not announce (they are guesses then).
    /// - Throws: `CacheError` when the write fails.
    public func rememberCapabilities(_ capabilities: Capabilities, security: ConnectionSecurity, now: Date = Date()) throws(CacheError) {
        guard capabilities.advertised, capabilities != knownCapabilities(security: security, now: now) else { return }
        let key = Self.capabilitiesKey(security)
        let text = capabilities.raw.joined(separator: "\n")
        let learned = now.timeIntervalSinceReferenceDate
        do {
            try database.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?), (?, ?)",
                    arguments: [key, text, key + ".learned", learned])
            }
        } catch {
            throw .writeFailed(.headers, reason: CacheDatabase.reason(error))
        }
        remembered.withLock { $0[key] = (text, learned) }
    }

    /// How long remembered capabilities are used before the server is asked again.
    public static let capabilitiesLifetime: TimeInterval = 24 * 3600

    /// Per security, since a server may announce other mechanisms in clear than under TLS.
    private static func capabilitiesKey(_ security: ConnectionSecurity) -> String { "capabilities.\(security.rawValue)" }

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
        migrator.registerMigration("v2") { db in
            // The previous visit moves from one row per UID into one blob (`VisitedUIDs`).
            try db.execute(sql: """
                INSERT OR REPLACE INTO meta (key, value)
                    SELECT 'visit', CAST(group_concat(uid, char(10)) AS BLOB) FROM seen HAVING count(*) > 0;
                DROP TABLE seen;
                """)
        }
        migrator.registerMigration("v3") { db in
            // Read and flagged states, one row per message that is read or flagged. Mailbag kept
            // no read state before: the mail already in the cache counts as read, so that an
            // upgrade does not show a whole mailbox the user has been through as unread.
            try db.execute(sql: """
                CREATE TABLE message_state (
                    uid TEXT NOT NULL PRIMARY KEY,
                    read INTEGER NOT NULL,
                    flagged INTEGER NOT NULL
                ) WITHOUT ROWID;
                INSERT INTO message_state (uid, read, flagged) SELECT uid, 1, 0 FROM summary;
                """)
        }
        migrator.registerMigration("v4") { db in
            // Threading reads In-Reply-To and References. Summaries cached before have neither, and
            // an empty column would pass for "no references" forever, so they are fetched again
            // once; the previous visit (what is new) and the capabilities are kept.
            try db.execute(sql: """
                ALTER TABLE summary ADD COLUMN in_reply_to TEXT;
                ALTER TABLE summary ADD COLUMN refs TEXT NOT NULL DEFAULT '';
                DELETE FROM summary;
                """)
        }
        return migrator
    }

    /// Fails with "no such table/column" when the file holds a schema this code does not expect.
    private static let checkSchema: @Sendable (Database) throws -> Void = { db in
        try db.execute(sql: """
            SELECT uid, size, sender, sender_address, recipients, subject, date, message_id, has_attachments, in_reply_to, refs
            FROM summary LIMIT 0;
            SELECT key, value FROM meta LIMIT 0;
            SELECT uid, read, flagged FROM message_state LIMIT 0;
            """)
    }
}
