import Foundation
import XCTest
@testable import Inbox

final class BodyCacheTests: XCTestCase {
    private var scratch: CacheScratch!

    override func setUpWithError() throws {
        scratch = try CacheScratch()
    }

    override func tearDown() {
        scratch = nil
    }

    private func open(byteLimit: Int = 1 << 20) throws -> BodyCache {
        try BodyCache.open(in: scratch.cache, account: "work", server: "alice@mail.example.org:995", byteLimit: byteLimit)
    }

    private func bytes(_ count: Int, _ seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0) &+ seed }
    }

    func testAStoredMessageIsThereAfterReopening() throws {
        let raw = bytes(50_000, 7)
        try open().store(uid: "a", size: 50_123, raw: raw)
        let reopened = try open()
        XCTAssertNil(reopened.notice)
        XCTAssertEqual(try reopened.message(uid: "a", size: 50_123), raw)
        XCTAssertNil(try reopened.message(uid: "b", size: 1))
        XCTAssertEqual(try scratch.mode(scratch.file(.bodies)), 0o600)
        XCTAssertEqual(try scratch.mode(scratch.cache.url), 0o700)
    }

    func testAnotherListedSizeIsAMiss() throws {
        let cache = try open()
        try cache.store(uid: "1", size: 100, raw: bytes(90, 1))
        XCTAssertNil(try cache.message(uid: "1", size: 5000))
    }

    func testTheLeastRecentlyUsedGoFirst() throws {
        let cache = try open(byteLimit: 100)
        try cache.store(uid: "a", size: 40, raw: bytes(40, 1))
        try cache.store(uid: "b", size: 40, raw: bytes(40, 2))
        XCTAssertNotNil(try cache.message(uid: "a", size: 40))
        try cache.store(uid: "c", size: 40, raw: bytes(40, 3))
        XCTAssertEqual(try cache.message(uid: "a", size: 40), bytes(40, 1))
        XCTAssertNil(try cache.message(uid: "b", size: 40))
        XCTAssertEqual(try cache.message(uid: "c", size: 40), bytes(40, 3))
        let total = try cache.database.read { try Int.fetchOne($0, sql: "SELECT sum(length) FROM body") }
        XCTAssertEqual(total, 80)
    }

    func testAMessageLargerThanTheLimitIsNotStored() throws {
        let cache = try open(byteLimit: 100)
        try cache.store(uid: "a", size: 30, raw: bytes(30, 1))
        try cache.store(uid: "big", size: 60, raw: bytes(60, 2))
        try cache.store(uid: "big", size: 101, raw: bytes(101, 3))
        XCTAssertNil(try cache.message(uid: "big", size: 101))
        XCTAssertNil(try cache.message(uid: "big", size: 60), "the older copy must not outlive the newer download")
        XCTAssertEqual(try cache.message(uid: "a", size: 30), bytes(30, 1))
    }

    func testMessagesThatLeftTheServerAreDropped() throws {
        let cache = try open()
        for uid in ["a", "b", "c"] { try cache.store(uid: uid, size: 10, raw: bytes(10, 0)) }
        try cache.retain(only: ["b", "z"])
        XCTAssertNil(try cache.message(uid: "a", size: 10))
        XCTAssertNotNil(try cache.message(uid: "b", size: 10))
        XCTAssertNil(try cache.message(uid: "c", size: 10))
    }

    func testUIDsWithOddCharactersAreOnlyData() throws {
        let uids = ["../x", "/etc/passwd", #"a"b"#, "..", "it's"]
        let cache = try open()
        for (index, uid) in uids.enumerated() { try cache.store(uid: uid, size: index, raw: bytes(10, UInt8(index))) }
        for (index, uid) in uids.enumerated() { XCTAssertEqual(try cache.message(uid: uid, size: index), bytes(10, UInt8(index))) }
        XCTAssertTrue(try scratch.names().allSatisfy { $0.hasPrefix("bodies-") })
    }

    func testAFailedWriteKeepsThePreviousContent() throws {
        let cache = try open()
        try cache.store(uid: "kept", size: 10, raw: bytes(10, 1))
        try cache.database.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 1
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        XCTAssertThrowsError(try cache.store(uid: "lost", size: 100_000, raw: bytes(100_000, 2))) { error in
            guard case .writeFailed(.bodies, _) = error as? CacheError else { return XCTFail("unexpected error \(error)") }
        }
        XCTAssertEqual(try cache.message(uid: "kept", size: 10), bytes(10, 1))
        XCTAssertNil(try cache.message(uid: "lost", size: 100_000))
    }

    func testADamagedFileIsRebuiltWithANotice() throws {
        try FileManager.default.createDirectory(at: scratch.cache.url, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(
            atPath: scratch.file(.bodies).path, contents: Data(repeating: 0xA5, count: 2048),
            attributes: [.posixPermissions: 0o600]))
        let cache = try open()
        XCTAssertEqual(cache.notice, "The message cache was damaged and has been rebuilt.")
        try cache.store(uid: "a", size: 3, raw: [1, 2, 3])
        XCTAssertEqual(try open().message(uid: "a", size: 3), [1, 2, 3])
    }
}
