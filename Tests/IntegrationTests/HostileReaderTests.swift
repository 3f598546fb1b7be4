import Foundation
import POP3Server
import XCTest

/// Issue 17 through the real reader in a real terminal, against the scriptable server: what a
/// hostile server says reaches the screen and the last line only through the sanitizer, and
/// sizes no message has neither crash nor show as numbers.
final class HostileReaderTests: XCTestCase {
    func testHugeSizesAndAnEscapeLadenQUITReplyReachTheTerminalInert() async throws {
        let messages = (1...10).map { n in
            ServerMessage(uid: "huge-\(n)", text: "From: a@example.org\r\nSubject: Hostile size \(n)\r\n\r\nBody \(n).\r\n")
        }
        // Ten sizes whose sum no Int holds crashed the reader's total (SIGILL).
        let list = "+OK 10 messages\r\n" + (1...10).map { "\($0) 999999999999999999\r\n" }.joined() + ".\r\n"
        let quit = "+OK bye\u{1B}]0;owned\u{07}\u{1B}[2J\u{1B}[31mred\u{9B}1m\u{202E}gpj.exe\u{07}\r\n"
        let server = InMemoryPOP3Server(
            users: ["u": "p"], messages: messages, behavior: ServerBehavior(rawReplies: ["LIST": list, "QUIT": quit]))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let term = try TmuxTerminal(command: [
            try MailbagProcess.binary(), "pop3://u@127.0.0.1:\(port)", "--insecure-plaintext",
            "--password-command", "echo p", "--no-mouse",
        ], width: 110, height: 20)
        try term.waitFor(text: "Hostile size 10")
        let index = try term.screen()
        XCTAssertTrue(index.contains("10 messages, huge?"), index)
        XCTAssertTrue(index.contains("huge?"), "a row's size is shown as implausible: \(index)")
        try term.send("d")
        try term.waitFor(text: "1 marked")
        try term.send("q")
        try term.waitFor(text: "Delete 1 message from the server? [y/n/c]")
        try term.send("y")
        try term.waitFor(text: "[exit 0]", timeout: 30)
        let last = try term.screen()
        XCTAssertTrue(last.contains("The server said: bye"), last)
        XCTAssertTrue(last.contains("red"), "the words stay, the escapes go: \(last)")
        XCTAssertTrue(last.contains("Deleted 1 message"), "the screen was not cleared by ESC[2J: \(last)")
        let withEscapes = try term.screen(escapes: true)
        XCTAssertFalse(withEscapes.contains("\u{1B}[31m"), "the server's colour reached the terminal")
        XCTAssertFalse(last.contains("\u{202E}"), "a bidi override reached the terminal")
        XCTAssertFalse(try term.title().contains("owned"), "the server retitled the terminal")
    }
}

extension HostileReaderTests {
    /// Issue 17 item 4: a 30 MB UIDL of `1 a` lines cost 976 MB and printed 6.3 million warning
    /// lines. Counted against the message count now: bounded memory, one warning per kind.
    func testAHugeUIDLCostsBoundedMemoryAndOneWarning() async throws {
        let messages = (1...3).map { ServerMessage(uid: "ok-\($0)", text: "From: a@example.org\r\nSubject: Small \($0)\r\n\r\nx\r\n") }
        let flood = "+OK\r\n" + String(repeating: "1 a\r\n", count: 6_000_000) + ".\r\n"
        let server = InMemoryPOP3Server(users: ["u": "p"], messages: messages, behavior: ServerBehavior(rawReplies: ["UIDL": flood]))
        let port = try await server.start()
        defer { Task { await server.stop() } }
        // GNU time reports the child's peak resident set in kilobytes on the last stderr line.
        let result = try MailbagProcess.run(
            ["-f", "%M", try MailbagProcess.binary(), "list", "pop3://u@127.0.0.1:\(port)", "--insecure-plaintext",
             "--password-command", "echo p", "--timeout", "60"],
            executable: "/usr/bin/time")
        let lines = result.stderr.split(separator: "\n")
        let peakKB = try XCTUnwrap(lines.last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }, result.stderr)
        XCTAssertLessThan(peakKB, 200 * 1024, "peak RSS \(peakKB / 1024) MB for a 30 MB UIDL")
        XCTAssertLessThanOrEqual(lines.count, 6, "one warning per kind of problem, not one per line: \(lines.prefix(8))")
        XCTAssertTrue(result.stdout.contains("Small 3"), "the mailbox is still listed: \(result.stdout) \(result.stderr)")
    }
}

extension HostileReaderTests {
    /// Issue 17 item 6: an attached message nested 19 deep was saved 19 times over. Through
    /// `show --save-attachments` it is now one file, its own bytes, and nothing else.
    func testANestedAttachedMessageIsSavedOnceAsItself() async throws {
        var inner = "From: deep@example.org\r\nSubject: level 0\r\n\r\n" + String(repeating: "payload line\r\n", count: 2000)
        for level in 1...19 {
            inner = "From: a@example.org\r\nSubject: level \(level)\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"level\(level).eml\"\r\n\r\n" + inner
        }
        let outer = "From: b@example.org\r\nSubject: nested\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            + "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: message/rfc822\r\n"
            + "Content-Disposition: attachment; filename=\"nest.eml\"\r\n\r\n" + inner + "\r\n--b--\r\n"
        let server = InMemoryPOP3Server(users: ["u": "p"], messages: [ServerMessage(uid: "n1", text: outer)])
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-nested-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try MailbagProcess.run([
            "show", "pop3://u@127.0.0.1:\(port)", "1", "--insecure-plaintext", "--password-command", "echo p",
            "--save-attachments", directory.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertEqual(files, ["nest.eml"], "one file for the attached message: \(files)")
        let saved = try Data(contentsOf: directory.appendingPathComponent("nest.eml"))
        XCTAssertLessThanOrEqual(saved.count, outer.utf8.count, "a save writes no more than the message")
        XCTAssertTrue(String(decoding: saved, as: UTF8.self).contains("Subject: level 19"))
    }
}
