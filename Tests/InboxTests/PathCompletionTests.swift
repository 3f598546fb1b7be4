import Foundation
import XCTest
@testable import Inbox

final class PathCompletionTests: XCTestCase {
    private let home = "/home/ann"
    private let tree: [String: [(name: String, isDirectory: Bool)]] = [
        "/home/ann/": [("Mail", true), ("Maildir", true), ("mbox", false), (".hidden", true), ("notes.txt", false)],
        "/home/ann/Mail/": [("lists", true), ("archive", false)],
        "/srv/": [("mail", true)],
        ".": [("saved", true), ("scratch.mbox", false)],
    ]

    private func complete(_ typed: String) -> PathCompletion {
        let tree = self.tree
        return PathCompletion.complete(typed, home: home, list: { tree[$0] })
    }

    func testAUniqueMatchIsCompletedAndADirectoryGetsItsSlash() {
        XCTAssertEqual(complete("~/mb"), PathCompletion(text: "~/mbox", candidates: []))
        XCTAssertEqual(complete("~/Mail/l"), PathCompletion(text: "~/Mail/lists/", candidates: []))
        XCTAssertEqual(complete("$HOME/n"), PathCompletion(text: "$HOME/notes.txt", candidates: []), "what was typed stays as written")
        XCTAssertEqual(complete("/srv/m"), PathCompletion(text: "/srv/mail/", candidates: []))
        XCTAssertEqual(complete("sa"), PathCompletion(text: "saved/", candidates: []), "a bare name is relative to the current directory")
    }

    func testSeveralMatchesCompleteToWhatTheyShareAndAreListed() {
        XCTAssertEqual(complete("~/M"), PathCompletion(text: "~/Mail", candidates: ["Mail/", "Maildir/"]))
        XCTAssertEqual(complete("~/Mail"), PathCompletion(text: "~/Mail", candidates: ["Mail/", "Maildir/"]))
        XCTAssertEqual(complete("~"), PathCompletion(text: "~/", candidates: ["Mail/", "Maildir/", "mbox", "notes.txt"]),
                       "hidden entries only when asked for")
        XCTAssertEqual(complete("~/."), PathCompletion(text: "~/.hidden/", candidates: []))
    }

    func testNothingMatchingOrAnUnreadableDirectoryLeavesTheTextAlone() {
        XCTAssertEqual(complete("~/zzz"), PathCompletion(text: "~/zzz", candidates: []))
        XCTAssertEqual(complete("/nowhere/x"), PathCompletion(text: "/nowhere/x", candidates: []))
    }

    /// The real file system: a symbolic link to a directory completes as a directory.
    func testTheFileSystemListerFollowsLinks() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("completion-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/real", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: root + "/real")
        defer { try? FileManager.default.removeItem(atPath: root) }
        XCTAssertEqual(PathCompletion.complete(root + "/li"), PathCompletion(text: root + "/link/", candidates: []))
        XCTAssertEqual(PathCompletion.complete(root + "/"), PathCompletion(text: root + "/", candidates: ["link/", "real/"]))
    }
}
