import Foundation
import MailMessage
import POP3
import XCTest
@testable import Inbox

final class HeaderCacheTests: XCTestCase {
    private var scratch: CacheScratch!

    override func setUpWithError() throws {
        scratch = try CacheScratch()
    }

    override func tearDown() {
        scratch = nil
    }

    private func open(account: String = "work", server: String = "alice@mail.example.org:995") throws -> HeaderCache {
        try HeaderCache.open(in: scratch.cache, account: account, server: server)
    }

    func testStoredSummariesComeBackUnchanged() throws {
        let cache = try open()
        XCTAssertNil(cache.notice)
        let bare = MessageSummary(from: "", fromAddress: nil, to: "", subject: "", date: nil, messageID: nil, hasAttachments: false)
        try cache.store([
            (uid: "a", size: 100, summary: CachedSummaryFixture.make(1)),
            (uid: "b", size: 200, summary: CachedSummaryFixture.make(2)),
            (uid: "c", size: 300, summary: bare),
        ])
        let found = try cache.summaries(for: [
            MessageListing(number: 1, uid: "a", size: 100),
            MessageListing(number: 2, uid: "b", size: 200),
            MessageListing(number: 3, uid: "c", size: 300),
            MessageListing(number: 4, uid: "d", size: 400),
            MessageListing(number: 5, uid: nil, size: 500),
        ])
        XCTAssertEqual(found, ["a": CachedSummaryFixture.make(1), "b": CachedSummaryFixture.make(2), "c": bare])
    }

    func testSummariesSurviveReopening() throws {
        try open().store([(uid: "a", size: 100, summary: CachedSummaryFixture.make(1))])
        let reopened = try open()
        XCTAssertNil(reopened.notice)
        XCTAssertEqual(try reopened.summaries(for: [MessageListing(number: 1, uid: "a", size: 100)]),
                       ["a": CachedSummaryFixture.make(1)])
    }

    func testStoringAgainReplacesTheEntry() throws {
        let cache = try open()
        try cache.store([(uid: "a", size: 100, summary: CachedSummaryFixture.make(1))])
        try cache.store([(uid: "a", size: 120, summary: CachedSummaryFixture.make(2))])
        XCTAssertEqual(try cache.summaries(for: [MessageListing(number: 1, uid: "a", size: 120)]),
                       ["a": CachedSummaryFixture.make(2)])
    }

    func testAnEntryWithAnotherSizeIsAMiss() throws {
        let cache = try open()
        try cache.store([(uid: "1", size: 100, summary: CachedSummaryFixture.make(1))])
        // A server that numbers its UIDs reuses "1" for a different message after a deletion.
        XCTAssertEqual(try cache.summaries(for: [MessageListing(number: 1, uid: "1", size: 4242)]), [:])
    }

    func testAnUnchangedListingIsMatchedByPositionAsALookupWouldMatchIt() throws {
        let cache = try open()
        try cache.store((1...6).filter { $0 != 4 }.map { (uid: "u\($0)", size: $0 * 100, summary: CachedSummaryFixture.make($0)) })
        var rows = (1...6).map { MessageListing(number: $0, uid: "u\($0)", size: $0 * 100) }
        rows[1].size = 999
        let visit = VisitedUIDs(rows.compactMap(\.uid))
        try cache.recordVisit(visit, since: cache.contents())
        let expected: [MessageSummary?] = [CachedSummaryFixture.make(1), nil, CachedSummaryFixture.make(3), nil,
                                           CachedSummaryFixture.make(5), CachedSummaryFixture.make(6)]
        let contents = try cache.contents()
        XCTAssertEqual(contents.summaries(for: rows, visit: visit), expected)
        XCTAssertEqual(rows.map { contents.summary(uid: $0.uid!, size: $0.size) }, expected)

        // Reordered, shortened, or with a row the server gave no UID: no longer the same visit.
        let reordered = Array(rows.reversed())
        XCTAssertEqual(contents.summaries(for: reordered, visit: VisitedUIDs(reordered.compactMap(\.uid))), expected.reversed())
        let shorter = Array(rows.dropFirst())
        XCTAssertEqual(contents.summaries(for: shorter, visit: VisitedUIDs(shorter.compactMap(\.uid))), Array(expected.dropFirst()))
        var unnamed = rows
        unnamed.append(MessageListing(number: 7, uid: nil, size: 700))
        XCTAssertEqual(contents.summaries(for: unnamed, visit: VisitedUIDs(unnamed.compactMap(\.uid))), expected + [nil])
    }

    func testAVisitInAnyOrderIsMatchedAsALookupWouldMatchIt() throws {
        // Byte order is not the listing's here ("b10" sorts before "b2"), and some are not cached.
        let listed = ["z9", "b2", "a1", "b10", "m5", "c3", "b1"]
        let cache = try open()
        try cache.store(listed.indices.filter { $0 != 3 && $0 != 5 }.map {
            (uid: listed[$0], size: $0 * 10, summary: CachedSummaryFixture.make($0))
        })
        let rows = listed.indices.map { MessageListing(number: $0 + 1, uid: listed[$0], size: $0 * 10) }
        let visit = VisitedUIDs(listed)
        try cache.recordVisit(visit, since: cache.contents())
        let contents = try cache.contents()
        let expected = listed.indices.map { $0 == 3 || $0 == 5 ? nil : CachedSummaryFixture.make($0) }
        XCTAssertEqual(contents.summaries(for: rows, visit: visit), expected)
        XCTAssertEqual(rows.map { contents.summary(uid: $0.uid!, size: $0.size) }, expected)
        XCTAssertNil(contents.summary(uid: "b", size: 0))
        XCTAssertNil(contents.summary(uid: "zz", size: 0))
    }

    func testAPreloadIsTakenOnceAndLaterReadsAreFresh() async throws {
        let cache = try open()
        try cache.store([(uid: "a", size: 100, summary: CachedSummaryFixture.make(1))])
        cache.preload()
        let preloaded = try await cache.preloadedContents()
        XCTAssertEqual(preloaded.summary(uid: "a", size: 100), CachedSummaryFixture.make(1))
        try cache.store([(uid: "b", size: 200, summary: CachedSummaryFixture.make(2))])
        let fresh = try await cache.preloadedContents()
        XCTAssertEqual(fresh.summary(uid: "b", size: 200), CachedSummaryFixture.make(2))
    }

    func testCapabilitiesAreRememberedPerSecurity() throws {
        let cache = try open()
        XCTAssertNil(cache.knownCapabilities(security: .implicitTLS))
        let underTLS = Capabilities.parse(["TOP", "UIDL", "PIPELINING", "SASL PLAIN LOGIN", "IMPLEMENTATION ü"])
        try cache.rememberCapabilities(underTLS, security: .implicitTLS)
        try cache.rememberCapabilities(Capabilities.parse(["USER", "SASL CRAM-MD5"]), security: .plaintext)
        try cache.rememberCapabilities(.assumedWithoutCAPA, security: .startTLS)
        let reopened = try open()
        XCTAssertEqual(reopened.knownCapabilities(security: .implicitTLS), underTLS)
        XCTAssertEqual(reopened.knownCapabilities(security: .plaintext)?.sasl, ["CRAM-MD5"])
        XCTAssertNil(reopened.knownCapabilities(security: .startTLS), "guesses are not remembered")
    }

    func testRememberedCapabilitiesAreAskedForAgainAfterADay() throws {
        let cache = try open()
        let capabilities = Capabilities.parse(["UIDL", "PIPELINING", "SASL PLAIN"])
        let learned = Date(timeIntervalSinceReferenceDate: 800_000_000)
        try cache.rememberCapabilities(capabilities, security: .implicitTLS, now: learned)
        XCTAssertEqual(cache.knownCapabilities(security: .implicitTLS, now: learned + 23 * 3600), capabilities)
        let nextDay = learned + 25 * 3600
        XCTAssertNil(cache.knownCapabilities(security: .implicitTLS, now: nextDay))
        XCTAssertNil(cache.knownCapabilities(security: .implicitTLS, now: learned - 60), "learned in the future")
        // The session asked the server again and heard the same: that starts another day.
        try cache.rememberCapabilities(capabilities, security: .implicitTLS, now: nextDay)
        XCTAssertEqual(cache.knownCapabilities(security: .implicitTLS, now: nextDay + 3600), capabilities)
    }

    func testAccountsAndServersHaveSeparateCaches() throws {
        try open().store([(uid: "a", size: 100, summary: CachedSummaryFixture.make(1))])
        let listing = [MessageListing(number: 1, uid: "a", size: 100)]
        XCTAssertEqual(try open(account: "home").summaries(for: listing), [:])
        XCTAssertEqual(try open(server: "alice@other.example.org:995").summaries(for: listing), [:])
        XCTAssertEqual(try open().summaries(for: listing).count, 1)
    }

    func testNewUIDsAcrossThreeVisits() throws {
        let first = try open().recordVisit(uids: ["a", "b"])
        XCTAssertEqual(first, [], "the first visit has nothing to compare with")
        XCTAssertEqual(try open().recordVisit(uids: ["a", "b", "c"]), ["c"])
        XCTAssertEqual(try open().recordVisit(uids: ["b", "c", "d", "e"]), ["d", "e"])
        // "a" vanished at the third visit, so a message reappearing under it is new again.
        XCTAssertEqual(try open().recordVisit(uids: ["a", "b", "c", "d", "e"]), ["a"])
    }

    func testAnEmptyFirstVisitStillCounts() throws {
        XCTAssertEqual(try open().recordVisit(uids: []), [])
        XCTAssertEqual(try open().recordVisit(uids: ["a"]), ["a"])
    }

    func testVanishedMessagesAreEvicted() throws {
        let cache = try open()
        _ = try cache.recordVisit(uids: ["a", "b", "c"])
        try cache.store([
            (uid: "a", size: 1, summary: CachedSummaryFixture.make(1)),
            (uid: "b", size: 2, summary: CachedSummaryFixture.make(2)),
            (uid: "c", size: 3, summary: CachedSummaryFixture.make(3)),
        ])
        _ = try cache.recordVisit(uids: ["b"])
        let all = [
            MessageListing(number: 1, uid: "a", size: 1),
            MessageListing(number: 2, uid: "b", size: 2),
            MessageListing(number: 3, uid: "c", size: 3),
        ]
        XCTAssertEqual(Set(try cache.summaries(for: all).keys), ["b"])
        let remaining = try cache.database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM summary") }
        XCTAssertEqual(remaining, 1)
    }

    func testAnUnchangedVisitWritesNothing() throws {
        let cache = try open()
        _ = try cache.recordVisit(uids: ["a", "b"])
        try cache.store([(uid: "a", size: 1, summary: CachedSummaryFixture.make(1))])
        let before = try cache.database.read(\.totalChangesCount)
        XCTAssertEqual(try cache.recordVisit(uids: ["a", "b"]), [])
        XCTAssertEqual(try cache.database.read(\.totalChangesCount), before)
        XCTAssertEqual(try cache.recordVisit(uids: ["a", "b", "c"]), ["c"])
        XCTAssertGreaterThan(try cache.database.read(\.totalChangesCount), before)
    }

    func testSummariesOfUIDsNoVisitListedAreEvicted() throws {
        let cache = try open()
        _ = try cache.recordVisit(uids: ["a"])
        // Stored during a session that then lost its connection and found "x" gone on the next.
        try cache.store([(uid: "a", size: 1, summary: CachedSummaryFixture.make(1)),
                         (uid: "x", size: 2, summary: CachedSummaryFixture.make(2))])
        // An unchanged mailbox is recognized without looking at the summaries; the next visit
        // that differs evicts what no visit lists.
        _ = try cache.recordVisit(uids: ["a"])
        _ = try cache.recordVisit(uids: ["a", "b"])
        let remaining = try cache.database.read { try String.fetchAll($0, sql: "SELECT uid FROM summary") }
        XCTAssertEqual(remaining, ["a"])
    }

    func testNewUIDsWhenMailWasAppendedRemovedOrReordered() {
        let before = VisitedUIDs(["a", "b", "c"])
        XCTAssertEqual(VisitedUIDs(["a", "b", "c"]).added(since: before), [])
        XCTAssertEqual(VisitedUIDs(["a", "b", "c", "d", "e"]).added(since: before), ["d", "e"])
        XCTAssertEqual(VisitedUIDs(["a", "b", "cd"]).added(since: before), ["cd"], "a longer last UID is not a prefix")
        XCTAssertEqual(VisitedUIDs(["b", "c", "d"]).added(since: before), ["d"])
        XCTAssertEqual(VisitedUIDs(["c", "b", "a"]).added(since: before), [])
        XCTAssertEqual(VisitedUIDs(["a"]).added(since: VisitedUIDs([])), ["a"])
        XCTAssertEqual(VisitedUIDs([]).added(since: before), [])
    }

    /// A cache written by the first schema (one `seen` row per UID) keeps its previous visit.
    func testTheFirstSchemaIsMigrated() throws {
        let cache = try open()
        try cache.store([(uid: "a", size: 1, summary: CachedSummaryFixture.make(1))])
        try cache.database.write { db in
            try db.execute(sql: """
                CREATE TABLE seen (uid TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;
                INSERT INTO seen (uid) VALUES ('a'), ('b');
                DELETE FROM meta;
                INSERT INTO meta (key, value) VALUES ('visited', 1);
                DELETE FROM grdb_migrations WHERE identifier = 'v2';
                """)
        }
        try cache.database.close()
        let migrated = try open()
        XCTAssertNil(migrated.notice)
        XCTAssertEqual(try migrated.recordVisit(uids: ["a", "b", "c"]), ["c"])
        XCTAssertEqual(try migrated.summaries(for: [MessageListing(number: 1, uid: "a", size: 1)]).count, 1)
        let tables = try migrated.database.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE name = 'seen'") }
        XCTAssertEqual(tables, [])
    }

    /// Read and flagged states come back by UID; one back at the default loses its row, and a
    /// visit that no longer lists a message forgets its state with its summary.
    func testReadAndFlaggedStatesAreKeptByUID() throws {
        let cache = try open()
        _ = try cache.recordVisit(uids: ["a", "b", "c"])
        try cache.storeStates([
            "a": MessageState(read: true), "b": MessageState(read: true, flagged: true), "c": MessageState(flagged: true),
        ])
        try cache.storeStates(["c": MessageState(), "b": MessageState(flagged: true)])
        XCTAssertEqual(try open().contents().states, ["a": MessageState(read: true), "b": MessageState(flagged: true)])
        let rows = try cache.database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM message_state") }
        XCTAssertEqual(rows, 2, "a message at the default has no row")

        _ = try cache.recordVisit(uids: ["b", "c"])
        XCTAssertEqual(try open().contents().states, ["b": MessageState(flagged: true)])
    }

    /// A cache from before read states (schema v2) keeps its previous visit, and the mail it
    /// held counts as read: an upgrade does not turn a mailbox into unread mail.
    func testTheSecondSchemaIsMigratedWithItsMailRead() throws {
        let cache = try open()
        try cache.store([(uid: "a", size: 1, summary: CachedSummaryFixture.make(1)),
                         (uid: "b", size: 2, summary: CachedSummaryFixture.make(2))])
        _ = try cache.recordVisit(uids: ["a", "b"])
        try cache.database.write { db in
            try db.execute(sql: """
                DROP TABLE message_state;
                ALTER TABLE summary DROP COLUMN in_reply_to;
                ALTER TABLE summary DROP COLUMN refs;
                DELETE FROM grdb_migrations WHERE identifier = 'v4';
                DELETE FROM grdb_migrations WHERE identifier = 'v3';
                """)
        }
        try cache.database.close()
        let migrated = try open()
        XCTAssertNil(migrated.notice)
        let contents = try migrated.contents()
        XCTAssertEqual(contents.states, ["a": MessageState(read: true), "b": MessageState(read: true)])
        XCTAssertEqual(contents.newUIDs(VisitedUIDs(["a", "b", "c"])), ["c"], "the previous visit is kept")
        XCTAssertEqual(try migrated.summaries(for: [MessageListing(number: 1, uid: "a", size: 1)]).count, 0,
                       "summaries without threading headers are fetched again (v4)")
    }

    /// A cache from before threading: its summaries lack In-Reply-To and References, so they
    /// go (to be fetched again), while what was new and the capabilities stay.
    func testACacheWithoutThreadingHeadersIsMigrated() throws {
        let cache = try open()
        try cache.rememberCapabilities(Capabilities.parse(["USER", "UIDL"]), security: .implicitTLS)
        _ = try cache.recordVisit(uids: ["a", "b"])
        try cache.database.write { db in
            try db.execute(sql: """
                DROP TABLE summary;
                CREATE TABLE summary (
                    uid TEXT NOT NULL PRIMARY KEY, size INTEGER NOT NULL, sender TEXT NOT NULL,
                    sender_address TEXT, recipients TEXT NOT NULL, subject TEXT NOT NULL, date REAL,
                    message_id TEXT, has_attachments INTEGER NOT NULL
                ) WITHOUT ROWID;
                INSERT INTO summary VALUES ('a', 1, 'A', NULL, 'B', 'S', NULL, '<a@x>', 0);
                DELETE FROM grdb_migrations WHERE identifier = 'v4';
                """)
        }
        try cache.database.close()
        let migrated = try open()
        XCTAssertNil(migrated.notice, "a migration is no damage")
        XCTAssertFalse(migrated.holdsSummaries)
        XCTAssertEqual(try migrated.summaries(for: [MessageListing(number: 1, uid: "a", size: 1)]), [:])
        XCTAssertNotNil(migrated.knownCapabilities(security: .implicitTLS))
        XCTAssertEqual(try migrated.recordVisit(uids: ["a", "b", "c"]), ["c"])
        let threaded = CachedSummaryFixture.make(5)
        try migrated.store([(uid: "a", size: 1, summary: threaded)])
        try migrated.database.close()
        XCTAssertEqual(try open().summaries(for: [MessageListing(number: 1, uid: "a", size: 1)]), ["a": threaded])
        XCTAssertEqual(threaded.references, ["<2@example.org>", "<3@example.org>", "<4@example.org>"])
    }

    func testAHundredThousandMessages() throws {
        let count = 100_000
        let listing = (1...count).map { MessageListing(number: $0, uid: "UID-\($0)", size: 1000 + $0) }
        let cache = try open()
        XCTAssertEqual(try cache.recordVisit(uids: Set(listing.compactMap(\.uid))), [])
        // The way the backend stores them: one small batch per pipelined chunk of TOP replies.
        for chunk in stride(from: 0, to: count, by: 256) {
            let batch = listing[chunk..<min(chunk + 256, count)]
            try cache.store(batch.map { (uid: $0.uid!, size: $0.size, summary: CachedSummaryFixture.make($0.number)) })
        }

        let reopened = try open()
        let found = try reopened.summaries(for: listing)
        XCTAssertEqual(found.count, count)
        XCTAssertEqual(found["UID-77777"], CachedSummaryFixture.make(77_777))

        var next = Set(listing.dropFirst(10).compactMap(\.uid))
        next.formUnion((1...5).map { "NEW-\($0)" })
        XCTAssertEqual(try reopened.recordVisit(uids: next), Set((1...5).map { "NEW-\($0)" }))
        XCTAssertEqual(try reopened.summaries(for: listing).count, count - 10)
    }

    func testUIDsWithOddCharactersAreOnlyData() throws {
        let uids = [#"quo"te"#, "it's", "a/b", "..", "../../etc/passwd", "/absolute", "%2e%2e", "-rf", "x;DROP TABLE summary;--", "~"]
        let cache = try open()
        _ = try cache.recordVisit(uids: Set(uids))
        try cache.store(uids.enumerated().map { (uid: $1, size: $0, summary: CachedSummaryFixture.make($0)) })
        let listing = uids.enumerated().map { MessageListing(number: $0 + 1, uid: $1, size: $0) }
        let found = try open().summaries(for: listing)
        XCTAssertEqual(found.count, uids.count)
        for (index, uid) in uids.enumerated() { XCTAssertEqual(found[uid], CachedSummaryFixture.make(index)) }
        XCTAssertEqual(try open().recordVisit(uids: Set(uids)), [])
        for name in try scratch.names() {
            XCTAssertTrue(name.hasPrefix("headers-"), "unexpected file \(name)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.root.appendingPathComponent("etc").path))
    }

    func testAFailedWriteKeepsThePreviousContent() throws {
        let cache = try open()
        try cache.store([(uid: "kept", size: 1, summary: CachedSummaryFixture.make(1))])
        // A page limit on the connection fails writes exactly like a full disk (SQLITE_FULL).
        try cache.database.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 1
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        let batch = (1...2000).map { (uid: "lost-\($0)", size: $0, summary: CachedSummaryFixture.make($0)) }
        XCTAssertThrowsError(try cache.store(batch)) { error in
            guard case .writeFailed(.headers, let reason) = error as? CacheError else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertTrue(reason.contains("full"), reason)
            XCTAssertTrue(String(describing: error).hasPrefix("The header cache could not be updated"))
        }
        let listing = [MessageListing(number: 1, uid: "kept", size: 1), MessageListing(number: 2, uid: "lost-1", size: 1)]
        XCTAssertEqual(try cache.summaries(for: listing), ["kept": CachedSummaryFixture.make(1)])
        XCTAssertEqual(try open().summaries(for: listing), ["kept": CachedSummaryFixture.make(1)])
    }
}

/// A private scratch directory per test, holding the cache directory under test (not yet created,
/// so each test sees Mailbag create it).
final class CacheScratch {
    let root: URL
    let cache: CacheDirectory

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("mailbag-cache-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        cache = CacheDirectory(url: root.appendingPathComponent("mailbag", isDirectory: true))
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    func file(_ kind: CacheKind, account: String = "work", server: String = "alice@mail.example.org:995") -> URL {
        cache.file(kind, account: account, server: server)
    }

    func mode(_ url: URL) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    func setMode(_ mode: Int, _ url: URL) throws {
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    func names() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: cache.url.path))
    }
}

enum CachedSummaryFixture {
    static func make(_ index: Int, date: Date? = Date(timeIntervalSinceReferenceDate: 700_000_000.123_456)) -> MessageSummary {
        MessageSummary(
            from: "Sender \(index)", fromAddress: "sender\(index)@example.org", to: "Alice",
            subject: "Subject \(index) — ünïcödé", date: date, messageID: "<\(index)@example.org>",
            hasAttachments: index.isMultiple(of: 2),
            inReplyTo: index > 1 ? "<\(index - 1)@example.org>" : nil,
            references: (max(1, index - 3)..<max(1, index)).map { "<\($0)@example.org>" })
    }
}

/// One visit the way the reader makes it: read the contents, compare, record.
extension HeaderCache {
    /// The cached summaries of these messages, by UID.
    func summaries(for messages: [MessageListing]) throws -> [String: MessageSummary] {
        let contents = try contents()
        var found: [String: MessageSummary] = [:]
        for message in messages {
            if let uid = message.uid, let summary = contents.summary(uid: uid, size: message.size) { found[uid] = summary }
        }
        return found
    }

    /// Returns the UIDs new since the previous visit.
    func recordVisit(uids: Set<String>) throws -> Set<String> {
        let previous = try contents()
        let visit = VisitedUIDs(uids.sorted())
        try recordVisit(visit, since: previous)
        return previous.newUIDs(visit)
    }
}
