import Foundation
import XCTest
@testable import Inbox

final class CacheDirectoryTests: XCTestCase {
    private var scratch: CacheScratch!

    override func setUpWithError() throws {
        scratch = try CacheScratch()
    }

    override func tearDown() {
        scratch = nil
    }

    func testStandardLocationFollowsXDG() {
        XCTAssertEqual(CacheDirectory.standard(environment: ["XDG_CACHE_HOME": "/var/cache/me", "HOME": "/home/me"]).url.path,
                       "/var/cache/me/mailbag")
        XCTAssertEqual(CacheDirectory.standard(environment: ["HOME": "/home/me"]).url.path, "/home/me/.cache/mailbag")
        XCTAssertEqual(CacheDirectory.standard(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/home/me"]).url.path,
                       "/home/me/.cache/mailbag", "XDG ignores a relative base directory")
    }

    func testFileNamesComeFromAStableHashOfTheIdentity() {
        let name = scratch.cache.file(.headers, account: "work", server: "alice@mail.example.org:995").lastPathComponent
        XCTAssertEqual(name, "headers-\(CacheDirectory.fingerprint("work"))-\(CacheDirectory.fingerprint("alice@mail.example.org:995")).sqlite")
        // FNV-1a's published test vectors: the value must not change between runs or versions.
        XCTAssertEqual(CacheDirectory.fingerprint(""), "cbf29ce484222325")
        XCTAssertEqual(CacheDirectory.fingerprint("a"), "af63dc4c8601ec8c")
        XCTAssertEqual(CacheDirectory.fingerprint("../../x").count, 16)
    }

    func testAFileInThePlaceOfTheDirectoryIsRefused() throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: scratch.cache.url.path, contents: Data()))
        XCTAssertThrowsError(try HeaderCache.open(in: scratch.cache, account: "work", server: "s")) { error in
            XCTAssertEqual(error as? CacheError, .notADirectory(path: scratch.cache.url.path))
        }
    }

    func testMissingParentsAreCreated() throws {
        let deep = CacheDirectory(url: scratch.root.appendingPathComponent("x/y/mailbag", isDirectory: true))
        _ = try HeaderCache.open(in: deep, account: "work", server: "s")
        XCTAssertEqual(try scratch.mode(deep.url), 0o700)
    }

    func testClearRemovesOneAccountOrAll() throws {
        for account in ["work", "home"] {
            _ = try HeaderCache.open(in: scratch.cache, account: account, server: "a@one:995")
            _ = try HeaderCache.open(in: scratch.cache, account: account, server: "a@two:995")
            _ = try BodyCache.open(in: scratch.cache, account: account, server: "a@one:995")
        }
        let unrelated = scratch.cache.url.appendingPathComponent("notes.txt")
        try Data("mine".utf8).write(to: unrelated)

        XCTAssertEqual(try scratch.cache.clear(account: "work"), 3)
        let left = try scratch.names()
        XCTAssertFalse(left.contains { $0.contains(CacheDirectory.fingerprint("work")) })
        XCTAssertEqual(left.filter { $0.hasSuffix(".sqlite") }.count, 3)

        XCTAssertEqual(try scratch.cache.clear(account: nil), 3)
        XCTAssertEqual(try scratch.names(), ["notes.txt"])
    }

    func testClearingWithoutACacheDoesNothing() throws {
        XCTAssertEqual(try scratch.cache.clear(account: nil), 0)
        XCTAssertEqual(try scratch.cache.clear(account: "work"), 0)
    }
}
