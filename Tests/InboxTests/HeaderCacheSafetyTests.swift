import Foundation
import GRDB
import MailMessage
import XCTest
@testable import Inbox

/// Permissions and damage: the cache is rebuilt rather than trusted whenever it could have been
/// tampered with or cannot be read.
final class HeaderCacheSafetyTests: XCTestCase {
    private var scratch: CacheScratch!
    private let listing = [MessageListing(number: 1, uid: "a", size: 100)]

    override func setUpWithError() throws {
        scratch = try CacheScratch()
    }

    override func tearDown() {
        scratch = nil
    }

    private func open() throws -> HeaderCache {
        try HeaderCache.open(in: scratch.cache, account: "work", server: "alice@mail.example.org:995")
    }

    /// A closed cache holding one entry; closing lets SQLite fold the WAL back into the file.
    private func seed() throws {
        let cache = try open()
        _ = try cache.recordVisit(uids: ["a"])
        try cache.store([(uid: "a", size: 100, summary: CachedSummaryFixture.make(1))])
    }

    func testDirectoryAndFilesArePrivate() throws {
        let cache = try open()
        try cache.store([(uid: "a", size: 100, summary: CachedSummaryFixture.make(1))])
        XCTAssertEqual(try scratch.mode(scratch.cache.url), 0o700)
        let file = scratch.file(.headers)
        XCTAssertEqual(try scratch.mode(file), 0o600)
        let wal = URL(fileURLWithPath: file.path + "-wal")
        XCTAssertTrue(FileManager.default.fileExists(atPath: wal.path))
        XCTAssertEqual(try scratch.mode(wal), 0o600)
    }

    func testAnOpenDirectoryIsMadePrivate() throws {
        try seed()
        try scratch.setMode(0o755, scratch.cache.url)
        let cache = try open()
        XCTAssertEqual(try scratch.mode(scratch.cache.url), 0o700)
        XCTAssertNil(cache.notice, "others could only read, so the content is still trustworthy")
        XCTAssertEqual(try cache.summaries(for: listing).count, 1)
    }

    func testAReadableFileIsMadePrivateAndKept() throws {
        try seed()
        try scratch.setMode(0o644, scratch.file(.headers))
        let cache = try open()
        XCTAssertNil(cache.notice)
        XCTAssertEqual(try scratch.mode(scratch.file(.headers)), 0o600)
        XCTAssertEqual(try cache.summaries(for: listing).count, 1)
    }

    func testAFileOthersCouldWriteIsEmptied() throws {
        try seed()
        try scratch.setMode(0o666, scratch.file(.headers))
        let cache = try open()
        XCTAssertEqual(cache.notice, "The header cache could be changed by other users, so it has been emptied.")
        XCTAssertEqual(try scratch.mode(scratch.file(.headers)), 0o600)
        XCTAssertEqual(try cache.summaries(for: listing), [:])
    }

    func testADirectoryOthersCouldWriteEmptiesTheCache() throws {
        try seed()
        try scratch.setMode(0o777, scratch.cache.url)
        let cache = try open()
        XCTAssertNotNil(cache.notice)
        XCTAssertEqual(try scratch.mode(scratch.cache.url), 0o700)
        XCTAssertEqual(try cache.summaries(for: listing), [:])
    }

    func testASymbolicLinkIsReplacedNotFollowed() throws {
        try FileManager.default.createDirectory(at: scratch.cache.url, withIntermediateDirectories: true)
        let elsewhere = scratch.root.appendingPathComponent("elsewhere")
        try Data("precious".utf8).write(to: elsewhere)
        try FileManager.default.createSymbolicLink(at: scratch.file(.headers), withDestinationURL: elsewhere)
        let cache = try open()
        XCTAssertNotNil(cache.notice)
        try cache.store([(uid: "a", size: 100, summary: CachedSummaryFixture.make(1))])
        XCTAssertEqual(try String(contentsOf: elsewhere, encoding: .utf8), "precious")
        let type = try FileManager.default.attributesOfItem(atPath: scratch.file(.headers).path)[.type] as? FileAttributeType
        XCTAssertEqual(type, .typeRegular)
    }

    func testGarbageIsRebuiltWithANotice() throws {
        try FileManager.default.createDirectory(at: scratch.cache.url, withIntermediateDirectories: true)
        let file = scratch.file(.headers)
        XCTAssertTrue(FileManager.default.createFile(
            atPath: file.path, contents: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }),
            attributes: [.posixPermissions: 0o600]))
        try assertRebuilt()
    }

    func testATruncatedFileIsRebuiltWithANotice() throws {
        do {
            let cache = try open()
            try cache.store((1...3000).map { (uid: "u\($0)", size: $0, summary: CachedSummaryFixture.make($0)) })
        }
        let file = scratch.file(.headers)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
        XCTAssertGreaterThan(size, 100_000, "the WAL should have been folded into the file at close")
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()
        try assertRebuilt()
    }

    func testAForeignSchemaIsRebuiltWithANotice() throws {
        try FileManager.default.createDirectory(at: scratch.cache.url, withIntermediateDirectories: true)
        let foreign = try DatabaseQueue(path: scratch.file(.headers).path)
        try foreign.write { try $0.execute(sql: "CREATE TABLE summary (something TEXT)") }
        try foreign.close()
        try scratch.setMode(0o600, scratch.file(.headers))
        try assertRebuilt()
    }

    func testASchemaFromANewerVersionIsRebuiltWithANotice() throws {
        try seed()
        let newer = try DatabaseQueue(path: scratch.file(.headers).path)
        try newer.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
        try newer.close()
        try assertRebuilt()
    }

    func testARecordedMigrationWithMissingTablesIsRebuilt() throws {
        try seed()
        let broken = try DatabaseQueue(path: scratch.file(.headers).path)
        try broken.write { try $0.execute(sql: "DROP TABLE meta") }
        try broken.close()
        try assertRebuilt()
    }

    private func assertRebuilt(file: StaticString = #filePath, line: UInt = #line) throws {
        let cache = try open()
        XCTAssertEqual(cache.notice, "The header cache was damaged and has been rebuilt.", file: file, line: line)
        XCTAssertEqual(try cache.summaries(for: listing), [:], file: file, line: line)
        XCTAssertEqual(try cache.recordVisit(uids: ["a"]), [], "a rebuilt cache starts a first visit", file: file, line: line)
        try cache.store([(uid: "a", size: 100, summary: CachedSummaryFixture.make(1))])
        XCTAssertEqual(try open().summaries(for: listing).count, 1, file: file, line: line)
        XCTAssertNil(try open().notice, file: file, line: line)
        XCTAssertEqual(try scratch.mode(scratch.file(.headers)), 0o600, file: file, line: line)
    }
}
