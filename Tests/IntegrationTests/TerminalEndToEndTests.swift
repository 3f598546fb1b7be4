import Foundation
import POP3
import XCTest

/// The interactive reader in a real terminal (tmux) against Dovecot, driven as a person would.
final class TerminalEndToEndTests: XCTestCase {
    private func reader(_ rig: DovecotRig, user: String = "dave", width: Int = 100, height: Int = 30) throws -> TmuxTerminal {
        try TmuxTerminal(command: [
            try MailbagProcess.binary(), rig.url(user), "--ca-file", rig.caFile,
            "--password-command", "echo '\(rig.password)'", "--no-mouse",
        ], width: width, height: height)
    }

    private func seedDave(_ rig: DovecotRig) throws {
        try rig.resetMailbox("dave", (1...5).map { DovecotRig.message($0, subject: "Terminal test \($0)") })
    }

    private func uids(_ rig: DovecotRig, user: String = "dave") async throws -> [String] {
        let session = try await rig.login(user)
        let listing = try await session.uidl()
        _ = try await session.quit()
        return listing.entries.map(\.uid)
    }

    func testIndexShowsDecodedSubjectsAndOpeningShowsTheBody() throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", [
            DovecotRig.message(1, subject: "=?UTF-8?B?0J/RgNC40LLQtdGC?= =?ISO-8859-1?Q?_caf=E9?="),
            DovecotRig.message(2, subject: "Plain second"),
        ])
        let term = try reader(rig)
        try term.waitFor(text: "Привет café")
        try term.waitFor(text: "Plain second")
        try term.send("Home", "Enter")
        try term.waitFor(text: "Body of message 1.")
        // The raw view: the message as the server sent it, one line per line.
        try term.send("R")
        try term.waitFor(text: "Subject: =?UTF-8?B?0J/RgNC40LLQtdGC?=")
        let raw = try term.screen().split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertTrue(raw.contains { $0.hasPrefix("Subject: =?UTF-8?B?") && !$0.contains("From:") }, raw.joined(separator: "\n"))
        XCTAssertTrue(raw.contains { $0.hasPrefix("From: ") && !$0.contains("Subject:") }, raw.joined(separator: "\n"))
        try term.send("R")
        try term.waitFor(text: "Body of message 1.")
        try term.send("q")
        try term.waitFor(text: "Plain second")
        try term.send("x")
        try term.waitFor(text: "[exit 0]")
    }

    /// Issue 18: mail delivered while the reader is open shows up after `$`, a message another
    /// client deleted meanwhile goes, and the marks stay on their messages; `q` `y` then deletes
    /// exactly the marked UIDs.
    func testDollarShowsNewMailAndKeepsTheMarks() async throws {
        let rig = try DovecotRig.current()
        try seedDave(rig)
        let before = try await uids(rig)
        let term = try reader(rig)
        try term.waitFor(text: "Terminal test 5")
        try term.send("Home", "j", "j", "d")
        try term.waitFor(text: "1 marked")
        try rig.deliver("dave", DovecotRig.message(6, subject: "Arrived while reading"))
        // Dovecot locks the mailbox against a second POP3 session, so "another client" is a
        // program working on the Maildir itself.
        let maildir = URL(fileURLWithPath: rig.maildirRoot.path).appendingPathComponent("dave/Maildir")
        var removed = 0
        for sub in ["cur", "new"] {
            let directory = maildir.appendingPathComponent(sub)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
                let file = directory.appendingPathComponent(name)
                if try String(contentsOf: file, encoding: .utf8).contains("Subject: Terminal test 1\n") {
                    try FileManager.default.removeItem(at: file)
                    removed += 1
                }
            }
        }
        XCTAssertEqual(removed, 1)
        try term.send("$")
        try term.waitFor(text: "1 new message.")
        let screen = try term.screen()
        XCTAssertTrue(screen.contains("Arrived while reading"), screen)
        XCTAssertFalse(screen.contains("Terminal test 1"), screen)
        XCTAssertTrue(screen.contains("1 marked"), screen)
        try term.send("q")
        try term.waitFor(text: "Delete 1 message from the server? [y/n/c]")
        try term.send("y")
        try term.waitFor(text: "[exit 0]", timeout: 30)
        let after = try await uids(rig)
        XCTAssertEqual(Array(after.prefix(3)), [before[1], before[3], before[4]], "message 3 (marked) and 1 (deleted elsewhere) are gone")
        XCTAssertEqual(after.count, 4)
    }

    /// Issue 18: `v` runs the user's mailcap entry for an attachment, with the part's bytes.
    func testAMailcapEntryRunsForAnAttachment() throws {
        let rig = try DovecotRig.current()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-mailcap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let mailcap = out.appendingPathComponent("mailcap")
        try "application/x-mailbag-test; cp %s \(out.path)/viewed; needsterminal\n".write(to: mailcap, atomically: true, encoding: .utf8)
        try rig.resetMailbox("dave", ["""
            From: a@example.org
            Subject: With a part
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain

            see attached
            --b
            Content-Type: application/x-mailbag-test; name="part.bin"
            Content-Disposition: attachment; filename="part.bin"
            Content-Transfer-Encoding: base64

            dmlld2VkIGJ5IG1haWxjYXA=
            --b--

            """])
        let term = try TmuxTerminal(command: [
            try MailbagProcess.binary(), rig.url("dave"), "--ca-file", rig.caFile,
            "--password-command", "echo '\(rig.password)'", "--no-mouse",
        ], width: 100, height: 30, environment: ["MAILCAPS": mailcap.path])
        try term.waitFor(text: "With a part")
        try term.send("Enter")
        try term.waitFor(text: "see attached")
        try term.send("v")
        try term.waitFor(text: "Attachments of message 1")
        try term.send("Enter")
        try term.waitFor(text: "The command finished.")
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("viewed"), encoding: .utf8), "viewed by mailcap")
        try term.send("q", "x")
        try term.waitFor(text: "[exit 0]")
    }

    /// Issue 18 item 7: `c` changes to another configured account; marks kept with `n` are
    /// still there on coming back, and nothing is deleted anywhere by changing.
    func testChangingAccountKeepsTheMarksForComingBack() async throws {
        let rig = try DovecotRig.current()
        try seedDave(rig)
        let before = try await uids(rig)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-accounts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent("mailbag"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let account = { (user: String) in """
            host = "\(rig.host)"
            port = \(rig.tlsPort)
            user = "\(user)"
            password_command = "echo '\(rig.password)'"
            ca_file = "\(rig.caFile)"
            """ }
        try "[accounts.mine]\n\(account("dave"))\n\n[accounts.other]\n\(account("bob"))\n"
            .write(to: home.appendingPathComponent("mailbag/config.toml"), atomically: true, encoding: .utf8)
        let term = try TmuxTerminal(
            command: [try MailbagProcess.binary(), "mine", "--no-mouse"], width: 100, height: 30,
            environment: ["XDG_CONFIG_HOME": home.path, "XDG_CACHE_HOME": home.appendingPathComponent("cache").path])
        try term.waitFor(text: "Terminal test 5")
        try term.send("Home", "d")
        try term.waitFor(text: "1 marked")
        try term.send("c")
        try term.waitFor(text: "Change to account (other):")
        try term.type("other")
        try term.send("Enter")
        try term.waitFor(text: "Delete 1 marked message here before changing?")
        try term.send("n")
        try term.waitFor(text: "bob@")
        try term.send("c")
        try term.type("mine")
        try term.send("Enter")
        try term.waitFor(text: "Back on mine.")
        XCTAssertTrue(try term.screen().contains("1 marked"))
        try term.send("x")
        try term.waitFor(text: "[exit 0]", timeout: 30)
        let after = try await uids(rig)
        XCTAssertEqual(after, before, "changing account deleted nothing")
    }

    /// Issue 18: `T` tags by pattern, `;d` marks every tagged message, and `q` `y` deletes
    /// exactly those UIDs, checked on the server.
    func testTagByPatternThenDeleteTheTaggedOnes() async throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", [
            DovecotRig.message(1, subject: "Invoice March"), DovecotRig.message(2, subject: "Lunch"),
            DovecotRig.message(3, subject: "Invoice April"), DovecotRig.message(4, subject: "Party"),
            DovecotRig.message(5, subject: "invoice May"),
        ])
        let before = try await uids(rig)
        let term = try reader(rig)
        try term.waitFor(text: "Invoice March")
        try term.send("T")
        try term.type("~s invoice")
        try term.send("Enter")
        try term.waitFor(text: "3 tagged")
        // Typed literally: to tmux a bare ";" separates commands.
        try term.type(";d")
        try term.waitFor(text: "3 marked")
        try term.send("q")
        try term.waitFor(text: "Delete 3 messages from the server? [y/n/c]")
        try term.send("y")
        try term.waitFor(text: "[exit 0]", timeout: 30)
        let after = try await uids(rig)
        XCTAssertEqual(after, [before[1], before[3]], "exactly the three invoices are gone")
    }

    /// Issue 18: the terminal stayed blank while logging in. Against a server that accepts the
    /// connection and never greets, the screen is up at once and says what it waits for.
    func testTheLoginStatusIsOnScreenBeforeTheServerAnswers() throws {
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(silent, $0, length) == 0 && getsockname(silent, $0, &length) == 0 }
        }
        // Listening but never accepting: the kernel completes the handshake, nobody greets.
        XCTAssertTrue(bound && listen(silent, 4) == 0)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let term = try TmuxTerminal(command: [
            try MailbagProcess.binary(), "pop3://u@127.0.0.1:\(port)", "--insecure-plaintext",
            "--password-command", "echo p", "--no-mouse", "--timeout", "30",
        ], width: 100, height: 12)
        try term.waitFor(text: "Connecting to 127.0.0.1:\(port)…", timeout: 10)
        try term.send("x")
        try term.waitFor(text: "[exit")
    }

    /// Issue 18: `| less` ended with status 1, because the command ran outside the terminal's
    /// process group. Now it shows the message, `q` ends it, and the index comes back whole.
    func testPipeToLessGetsTheTerminalAndTheIndexComesBack() throws {
        let rig = try DovecotRig.current()
        try seedDave(rig)
        let term = try reader(rig)
        try term.waitFor(text: "Terminal test 5")
        try term.send("|")
        try term.waitFor(text: "Pipe message 5 to command:")
        try term.type("less")
        try term.send("Enter")
        try term.waitFor(text: "Body of message 5.")
        let paged = try term.screen()
        XCTAssertFalse(paged.contains("ended with status"), paged)
        try term.send("q")
        try term.waitFor(text: "The command finished. Press Enter to return.")
        try term.send("Enter")
        try term.waitFor(text: "Terminal test 1")
        let screen = try term.screen()
        for n in 1...5 { XCTAssertTrue(screen.contains("Terminal test \(n)"), screen) }
        try term.send("x")
        try term.waitFor(text: "[exit 0]")
    }

    func testMarkTwoQuitAndConfirmDeletesExactlyThoseTwo() async throws {
        let rig = try DovecotRig.current()
        try seedDave(rig)
        let before = try await uids(rig)
        XCTAssertEqual(before.count, 5)

        let term = try reader(rig)
        try term.waitFor(text: "Terminal test 5")
        try term.send("Home", "j", "d", "d")
        try term.waitFor(text: "2 marked")
        try term.send("q")
        try term.waitFor(text: "Delete 2 messages from the server? [y/n/c]")
        try term.send("y")
        try term.waitFor(text: "[exit 0]", timeout: 30)
        XCTAssertTrue(try term.screen().contains("Deleted 2 messages"))

        let after = try await uids(rig)
        XCTAssertEqual(after, [before[0], before[3], before[4]], "exactly messages 2 and 3 are gone")
    }

    func testExitAfterMarksDeletesNothing() async throws {
        let rig = try DovecotRig.current()
        try seedDave(rig)
        let before = try await uids(rig)
        let term = try reader(rig)
        try term.waitFor(text: "Terminal test 5")
        try term.send("Home", "d", "d", "d")
        try term.waitFor(text: "3 marked")
        try term.send("x")
        try term.waitFor(text: "[exit 0]")
        XCTAssertTrue(try term.screen().contains("nothing was deleted"))
        let after = try await uids(rig)
        XCTAssertEqual(after, before)
    }

    func testQuitAnsweringNoDeletesNothing() async throws {
        let rig = try DovecotRig.current()
        try seedDave(rig)
        let before = try await uids(rig)
        let term = try reader(rig)
        try term.waitFor(text: "Terminal test 5")
        try term.send("Home", "d")
        try term.waitFor(text: "1 marked")
        try term.send("q")
        try term.waitFor(text: "Delete 1 message")
        try term.send("c")
        try term.waitFor("the prompt to close") { !$0.contains("[y/n/c]") }
        try term.send("q")
        try term.waitFor(text: "[y/n/c]")
        try term.send("n")
        try term.waitFor(text: "[exit 0]")
        let after = try await uids(rig)
        XCTAssertEqual(after, before)
    }

    func testHostileSubjectReachesTheScreenWithoutEscapes() throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", [
            "From: Mallory <m@example.org>\nSubject: Invoice\u{1B}]0;pwned\u{07}\u{1B}[2J\u{1B}[31m due \u{202E}gpj.exe\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n\nx\n",
        ])
        let term = try reader(rig)
        try term.waitFor(text: "Invoice")
        let plain = try term.screen()
        XCTAssertTrue(plain.contains("Invoice due gpj.exe"), plain)
        let styled = try term.screen(escapes: true)
        // capture-pane -e renders the reader's own colours as SGR; anything else would be the mail's.
        let withoutSGR = styled.replacingOccurrences(of: "\u{1B}\\[[0-9;:]*m", with: "", options: .regularExpression)
        XCTAssertFalse(withoutSGR.contains("\u{1B}"), "an escape sequence other than colour reached the screen")
        XCTAssertFalse(styled.contains("pwned"))
        XCTAssertFalse(plain.contains("\u{202E}"))
        try term.send("x")
        try term.waitFor(text: "[exit 0]")
    }

    func testResizeRedrawsAndTinyTerminalShowsANotice() throws {
        let rig = try DovecotRig.current()
        try seedDave(rig)
        let term = try reader(rig, width: 100, height: 30)
        try term.waitFor(text: "Terminal test 5")
        try term.resize(width: 60, height: 12)
        try term.waitFor("a 60-column redraw") { screen in
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return screen.contains("Terminal test 5") && lines.allSatisfy { $0.count <= 60 }
        }
        try term.resize(width: 12, height: 3)
        try term.waitFor("the too-small notice") { !$0.contains("Terminal test") && !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        try term.resize(width: 100, height: 30)
        try term.waitFor(text: "Terminal test 1")
        try term.send("x")
        try term.waitFor(text: "[exit 0]")
    }

    func testAWrongPasswordCanBeTypedAgain() throws {
        let rig = try DovecotRig.current()
        try seedDave(rig)
        let term = try TmuxTerminal(command: [try MailbagProcess.binary(), rig.url("dave"), "--ca-file", rig.caFile, "--no-mouse"])
        try term.waitFor(text: "Password for dave@")
        try term.type("not-it")
        try term.send("Enter")
        try term.waitFor(text: "rejected the user name or password")
        try term.waitFor("a second prompt") { $0.components(separatedBy: "Password for dave@").count == 3 }
        XCTAssertFalse(try term.screen().contains("not-it"), "the password is not echoed")
        try term.type(rig.password)
        try term.send("Enter")
        try term.waitFor(text: "Terminal test 5")
        try term.send("x")
        try term.waitFor(text: "[exit 0]")
    }

    func testDemoStartsAndQuitsCleanly() throws {
        let term = try TmuxTerminal(command: [try MailbagProcess.binary(), "--demo"], width: 120, height: 40)
        try term.waitFor(text: "sam@demo")
        try term.waitFor(text: "33 messages")
        try term.send("?")
        try term.waitFor(text: "Help")
        try term.send("q")
        try term.send("x")
        try term.waitFor(text: "[exit 0]")
    }

    /// The reader end to end on the two servers that lose commands written with the login.
    func testTheReaderListsOpensAndDeletesOnCourierAndCyrus() async throws {
        for name in ["Courier", "Cyrus"] {
            let server = try RealServer.named(name)
            try server.resetScratch((1...4).map { DovecotRig.message($0, subject: "\(name) terminal \($0)") })
            let term = try TmuxTerminal(command: [try MailbagProcess.binary()]
                + server.arguments(server.scratchUser, server.preferredTransport) + ["--no-mouse", "--no-cache"])
            try term.waitFor(text: "\(name) terminal 4")
            try term.send("Home", "Enter")
            try term.waitFor(text: "Body of message 1.")
            try term.send("q")
            try term.waitFor(text: "\(name) terminal 2")
            try term.send("j", "d")
            try term.waitFor(text: "1 marked")
            try term.send("q")
            try term.waitFor(text: "Delete 1 message from the server? [y/n/c]")
            try term.send("y")
            try term.waitFor(text: "[exit 0]", timeout: 30)
            XCTAssertTrue(try term.screen().contains("Deleted 1 message"), name)
            let left = try await server.scratchSubjects()
            XCTAssertEqual(left, [1, 3, 4].map { "\(name) terminal \($0)" }, name)
        }
    }
}
