import Foundation
import XCTest

/// `mailbag list` and `mailbag show` against Dovecot, run as a user runs them.
final class CommandLineTests: XCTestCase {
    private func common(_ rig: DovecotRig) -> [String] {
        ["--ca-file", rig.caFile, "--password-command", "echo '\(rig.password)'"]
    }

    func testListJSONPrintsEveryMessageOfA500MessageMailbox() throws {
        let rig = try DovecotRig.current()
        let result = try MailbagProcess.run(["list", rig.url("bob"), "--json"] + common(rig))
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 500)
        var numbers: [Int] = []
        var uids = Set<String>()
        for line in lines {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(Set(object.keys), ["address", "number", "uid", "size", "date", "from", "subject"])
            numbers.append(try XCTUnwrap(object["number"] as? Int))
            uids.insert(try XCTUnwrap(object["uid"] as? String))
            XCTAssertGreaterThan(try XCTUnwrap(object["size"] as? Int), 0)
            let date = try XCTUnwrap(object["date"] as? String)
            XCTAssertTrue(date.hasSuffix("Z"), "dates are ISO 8601 in UTC: \(date)")
        }
        XCTAssertEqual(numbers, Array(1...500))
        XCTAssertEqual(uids.count, 500)
    }

    func testListDecodesSubjectsAndStripsEscapes() throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", [
            """
            From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.de>
            To: dave@example.org
            Subject: =?UTF-8?B?0J/RgNC40LLQtdGC?= =?UTF-8?Q?_=E2=80=94_caf=C3=A9?=
            Date: Tue, 3 Nov 2026 08:15:00 +0100

            Hallo.

            """,
            "From: evil@example.org\nSubject: Hi\u{1B}]52;c;ZXZpbA==\u{07}\u{1B}[2J there\nDate: Tue, 3 Nov 2026 09:00:00 +0000\n\nx\n",
        ])
        let result = try MailbagProcess.run(["list", rig.url("dave"), "--json"] + common(rig))
        XCTAssertEqual(result.status, 0, result.stderr)
        let objects = try result.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(objects.count, 2)
        XCTAssertEqual(objects[0]["subject"] as? String, "Привет — café")
        XCTAssertEqual(objects[0]["from"] as? String, "Jörg Müller")
        XCTAssertEqual(objects[0]["date"] as? String, "2026-11-03T07:15:00Z")
        XCTAssertEqual(objects[1]["subject"] as? String, "Hi there")

        let text = try MailbagProcess.run(["list", rig.url("dave")] + common(rig))
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertFalse(text.stdout.contains("\u{1B}"), "no escape reaches the terminal")
        XCTAssertTrue(text.stdout.contains("Привет — café"))
    }

    func testShowPrintsDecodedAndRawMessage() throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", [
            """
            From: Ana <ana@example.org>
            To: dave@example.org
            Subject: Quoted
            Date: Tue, 3 Nov 2026 08:15:00 +0000
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            Ol=C3=A1, =
            mundo!
            .hidden dot line

            """,
        ])
        let shown = try MailbagProcess.run(["show", rig.url("dave"), "1"] + common(rig))
        XCTAssertEqual(shown.status, 0, shown.stderr)
        XCTAssertTrue(shown.stdout.contains("Olá, mundo!"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("Subject: Quoted"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains(".hidden dot line"), "dot-stuffed lines come back unstuffed")

        let raw = try MailbagProcess.run(["show", rig.url("dave"), "1", "--raw"] + common(rig))
        XCTAssertEqual(raw.status, 0, raw.stderr)
        XCTAssertTrue(raw.stdout.contains("Ol=C3=A1, =\r\nmundo!"), raw.stdout)
        XCTAssertTrue(raw.stdout.contains("\r\n.hidden dot line"))
    }

    func testShowSavesAttachmentsSafely() throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", [
            """
            From: Ana <ana@example.org>
            Subject: Files
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b1"

            --b1
            Content-Type: text/plain

            See attached.
            --b1
            Content-Type: application/octet-stream; name="../../etc/passwd"
            Content-Disposition: attachment; filename="../../etc/passwd"
            Content-Transfer-Encoding: base64

            aGVsbG8gd29ybGQ=
            --b1--

            """,
        ])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-att-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for _ in 0..<2 {
            let result = try MailbagProcess.run(["show", rig.url("dave"), "1", "--save-attachments", dir.path] + common(rig))
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(names.count, 2, "the second save gets a new name instead of overwriting: \(names)")
        for name in names {
            XCTAssertFalse(name.contains("/") || name.hasPrefix(".") || name.contains(".."), name)
            let path = dir.appendingPathComponent(name).path
            XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "hello world")
            let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            XCTAssertEqual(mode & 0o777, 0o600)
        }
    }

    func testTraceRedactsThePassword() throws {
        let rig = try DovecotRig.current()
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-trace-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: trace) }
        let result = try MailbagProcess.run(["list", rig.url("alice", .startTLS), "--trace", trace.path] + common(rig))
        XCTAssertEqual(result.status, 0, result.stderr)
        let text = try String(contentsOf: trace, encoding: .utf8)
        XCTAssertTrue(text.contains("STLS"), text)
        XCTAssertTrue(text.contains("TOP 1 0"), text)
        XCTAssertFalse(text.contains(rig.password), "the password leaked into the trace")
        XCTAssertFalse(text.contains(Data(("\u{0}alice\u{0}" + rig.password).utf8).base64EncodedString()), "the SASL PLAIN blob leaked")
    }

    func testErrorsAreOneSentenceAndNonzero() throws {
        let rig = try DovecotRig.current()
        let badURL = try MailbagProcess.run(["list", "imap://alice@\(rig.host)"])
        XCTAssertNotEqual(badURL.status, 0)
        XCTAssertTrue(badURL.stderr.contains("pop3"), badURL.stderr)

        let wrongPassword = try MailbagProcess.run(["list", rig.url("alice"), "--ca-file", rig.caFile, "--password-command", "echo wrong"])
        XCTAssertNotEqual(wrongPassword.status, 0)
        XCTAssertEqual(wrongPassword.stderr.split(separator: "\n").count, 1, wrongPassword.stderr)
        XCTAssertFalse(wrongPassword.stderr.contains("Fatal error"), wrongPassword.stderr)

        let untrusted = try MailbagProcess.run(["list", rig.url("alice"), "--password-command", "echo x"])
        XCTAssertNotEqual(untrusted.status, 0)
        XCTAssertTrue(untrusted.stderr.lowercased().contains("certificate"), untrusted.stderr)
    }

    /// `mailbag list | true` (the reader gone before the first line, as `head -1` is after it):
    /// the program ends as Unix tools do, by SIGPIPE, with nothing on stderr.
    func testAClosedStdoutEndsTheCommandQuietly() throws {
        let rig = try DovecotRig.current()
        let command = ([try MailbagProcess.binary(), "list", rig.url("bob")] + common(rig))
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let result = try MailbagProcess.run(
            ["-c", "\(command) | true; echo \"status ${PIPESTATUS[0]}\""], executable: "/bin/bash")
        XCTAssertEqual(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "status 141", result.stderr)
        XCTAssertEqual(result.stderr, "", "nothing but silence when the reader has gone")
    }

    /// `show --raw` writes the server's bytes unchanged into a pipe, and to a terminal only
    /// what the sanitizer lets through.
    func testRawMessageIsExactInAPipeAndSanitizedOnATerminal() throws {
        let rig = try DovecotRig.current()
        let message = "From: x@example.org\nSubject: raw\n\nbody \u{1B}]0;owned\u{07}\u{1B}[2Jend\n"
        try rig.resetMailbox("dave", [message])
        let piped = try MailbagProcess.run(["show", rig.url("dave"), "1", "--raw"] + common(rig))
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertTrue(piped.stdout.contains("\u{1B}]0;owned\u{07}"), "a pipe gets the bytes as sent")

        let command = ([try MailbagProcess.binary(), "show", rig.url("dave"), "1", "--raw"] + common(rig))
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        // script(1) gives the command a terminal and copies what it wrote to that terminal.
        let onTerminal = try MailbagProcess.run(["-qec", command, "/dev/null"], executable: "/usr/bin/script")
        XCTAssertEqual(onTerminal.status, 0, onTerminal.stderr)
        XCTAssertTrue(onTerminal.stdout.contains("body"), onTerminal.stdout)
        XCTAssertTrue(onTerminal.stdout.contains("end"), onTerminal.stdout)
        XCTAssertFalse(onTerminal.stdout.contains("\u{1B}"), "no escape reaches a terminal: \(onTerminal.stdout.debugDescription)")
    }

    /// Issue 20: keys in one order on every run (two listings can be diffed), and the sender's
    /// bare address beside the display name.
    func testListJSONKeysComeInOneOrderWithTheBareAddress() throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", ["From: Jörg Müller <joerg@example.de>\nSubject: a\nDate: Tue, 3 Nov 2026 08:15:00 +0100\n\nx\n"])
        let runs = try (1...3).map { _ in try MailbagProcess.run(["list", rig.url("dave"), "--json"] + common(rig)) }
        for run in runs { XCTAssertEqual(run.status, 0, run.stderr) }
        XCTAssertEqual(Set(runs.map(\.stdout)).count, 1, "the same listing printed differently: \(runs.map(\.stdout))")
        let line = runs[0].stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let keys = line.matches(of: /"([a-z]+)":/).map { String($0.1) }
        XCTAssertEqual(keys, ["address", "date", "from", "number", "size", "subject", "uid"], line)
        XCTAssertTrue(line.contains(#""address":"joerg@example.de""#), line)
        XCTAssertTrue(line.contains(#""from":"Jörg Müller""#), line)
    }

    /// Issue 20: `cache clear` of a name no account has said "Removed 0 cache files" and succeeded.
    func testClearingTheCacheOfAnUnknownAccountFails() throws {
        let result = try MailbagProcess.run(["cache", "clear", "nosuch"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("No account called nosuch has a cache"), result.stderr)
        let all = try MailbagProcess.run(["cache", "clear"])
        XCTAssertEqual(all.status, 0, all.stderr)
    }
}
