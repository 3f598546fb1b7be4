import Foundation
import XCTest

/// Issue 19, done as a user does it: in the reader, reply to a message; a real MTA (the exim of
/// scripts/mta-rig) takes the reply through its sendmail interface and delivers it into the
/// Dovecot mailbox, where the reader finds it with `$`, threaded under the original.
final class ReplyEndToEndTests: XCTestCase {
    private var home: URL!

    override func setUpWithError() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-reply-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: home)
    }

    /// Delivery through exim's queue takes a moment: `$` once a second until `subject` is listed.
    private func checkMail(_ term: TmuxTerminal, until subject: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = Date().addingTimeInterval(20)
        var screen = ""
        while Date() < deadline {
            try term.send("$")
            Thread.sleep(forTimeInterval: 1)
            screen = try term.screen()
            if screen.contains(subject) { return }
        }
        XCTFail("\(subject) never arrived; the screen was:\n\(screen)", file: file, line: line)
    }

    private func sendmail(file: StaticString = #filePath, line: UInt = #line) throws -> (command: String, domain: String) {
        let env = ProcessInfo.processInfo.environment
        guard let command = env["MAILBAG_TEST_SENDMAIL"], let domain = env["MAILBAG_TEST_MAIL_DOMAIN"] else {
            XCTFail("MAILBAG_TEST_SENDMAIL is not set: run the tests through scripts/test, which starts the MTA rig.", file: file, line: line)
            throw DovecotRig.RigError.missing("MAILBAG_TEST_SENDMAIL")
        }
        return (command, domain)
    }

    /// A config for dave on the rig, replying through `sendmail`, and an "editor" that writes
    /// the answer below the quote without a terminal.
    private func setUp(_ rig: DovecotRig, sendmail: String, domain: String) throws -> (config: String, environment: [String: String]) {
        let config = home.appendingPathComponent("config.toml")
        try """
            [accounts.rig]
            host = "\(rig.host)"
            port = \(rig.tlsPort)
            user = "dave"
            ca_file = "\(rig.caFile)"
            password_command = "echo '\(rig.password)'"
            check_interval = 0
            from = "Dave Reader <dave@\(domain)>"
            sendmail_command = "\(sendmail)"

            """.write(to: config, atomically: true, encoding: .utf8)
        chmod(config.path, 0o600)
        let editor = home.appendingPathComponent("editor")
        try "#!/bin/sh\nprintf '\\nFriday works for me.\\n' >> \"$1\"\n".write(to: editor, atomically: true, encoding: .utf8)
        chmod(editor.path, 0o755)
        return (config.path, [
            "XDG_CACHE_HOME": home.appendingPathComponent("cache").path,
            "XDG_DATA_HOME": home.appendingPathComponent("data").path,
            "EDITOR": editor.path,
            "VISUAL": "",
        ])
    }

    private var drafts: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: home.appendingPathComponent("data/mailbag/drafts").path)) ?? []
    }

    func testReplyArrivesInTheMailboxThreadedUnderTheOriginal() throws {
        let rig = try DovecotRig.current()
        let (command, domain) = try sendmail()
        try rig.resetMailbox("dave", ["""
            From: Tess Tester <tess@example.org>
            Reply-To: Dave's Inbox <dave@\(domain)>
            To: dave@\(domain)
            Subject: Lunch on Friday?
            Date: Mon, 2 Nov 2026 10:00:00 +0000
            Message-ID: <reply-e2e-1@example.org>

            Shall we have lunch on Friday?

            """])
        let (config, environment) = try setUp(rig, sendmail: command, domain: domain)
        let term = try TmuxTerminal(command: [try MailbagProcess.binary(), "--config", config, "rig", "--no-mouse"], environment: environment)
        try term.waitFor(text: "Lunch on Friday?")
        try term.send("r")
        try term.waitFor(text: "Send? (n keeps the draft, e edits it again) [y/n/e]")
        XCTAssertEqual(drafts.count, 1, "the draft is a file until it is sent")
        try term.send("y")
        try term.waitFor(text: "Sent to")
        XCTAssertEqual(drafts, [], "a sent draft is removed")

        try checkMail(term, until: "Re: Lunch on Friday?")
        try term.type("/Re: Lunch")
        try term.send("Enter")
        try term.send("Enter")
        try term.waitFor(text: "Friday works for me.")
        try term.send("h")
        try term.waitFor(text: "In-Reply-To: <reply-e2e-1@example.org>")
        let screen = try term.screen()
        XCTAssertTrue(screen.contains("> Shall we have lunch on Friday?"), screen)
        XCTAssertTrue(screen.contains("Tess Tester wrote:"), screen)
        try term.send("x")
        try term.waitFor(text: "[exit 0]")

        // The message as delivered: addressed by Reply-To, from the configured From.
        let raw = try MailbagProcess.run(["show", "--config", config, "rig", "2", "--raw"], environment: environment)
        XCTAssertEqual(raw.status, 0, raw.stderr)
        XCTAssertTrue(raw.stdout.contains("To: \"Dave's Inbox\" <dave@\(domain)>") || raw.stdout.contains("To: Dave's Inbox <dave@\(domain)>"), raw.stdout)
        XCTAssertTrue(raw.stdout.contains("From: Dave Reader <dave@\(domain)>"), raw.stdout)
        XCTAssertTrue(raw.stdout.contains("References: <reply-e2e-1@example.org>"), raw.stdout)
        XCTAssertTrue(raw.stdout.contains("Message-ID: <"), raw.stdout)
    }

    /// Forwarded as an attachment, the original travels whole through exim as message/rfc822 and
    /// the reader lists it as the forward's attachment.
    func testForwardAsAttachmentArrivesWithTheOriginalAttached() throws {
        let rig = try DovecotRig.current()
        let (command, domain) = try sendmail()
        try rig.resetMailbox("dave", [DovecotRig.message(1, subject: "Worth passing on")])
        var (config, environment) = try setUp(rig, sendmail: command, domain: domain)
        // This editor fills in the recipient a forward starts without.
        let editor = home.appendingPathComponent("forward-editor")
        try "#!/bin/sh\nsed -i 's/^To:$/To: dave@\(domain)/' \"$1\"\nprintf 'FYI, see attached.\\n' >> \"$1\"\n"
            .write(to: editor, atomically: true, encoding: .utf8)
        chmod(editor.path, 0o755)
        environment["EDITOR"] = editor.path
        let term = try TmuxTerminal(command: [try MailbagProcess.binary(), "--config", config, "rig", "--no-mouse"], environment: environment)
        try term.waitFor(text: "Worth passing on")
        try term.send("f")
        try term.waitFor(text: "as an attachment (message/rfc822)? (n: inline) [y/n]")
        try term.send("y")
        try term.waitFor(text: "Send?")
        try term.send("y")
        try term.waitFor(text: "Sent to dave@\(domain).")
        try checkMail(term, until: "Fwd: Worth passing on")
        try term.type("/Fwd:")
        try term.send("Enter")
        try term.send("Enter")
        try term.waitFor(text: "FYI, see attached.")
        // The attached original is shown inline under its own headers, its body too.
        try term.waitFor(text: "Body of message 1.")
        try term.send("v")
        try term.waitFor(text: "message/rfc822")
        try term.send("q", "q")
        try term.send("x")
        try term.waitFor(text: "[exit 0]")
    }

    /// A sendmail that refuses keeps the draft, and the reader says where it is.
    func testFailedSendKeepsTheDraftAndSaysWhere() throws {
        let rig = try DovecotRig.current()
        let (_, domain) = try sendmail()
        try rig.resetMailbox("dave", [DovecotRig.message(1, subject: "Will not be answered")])
        let (config, environment) = try setUp(rig, sendmail: "exit 75", domain: domain)
        let term = try TmuxTerminal(command: [try MailbagProcess.binary(), "--config", config, "rig", "--no-mouse"],
                                    width: 160, environment: environment)
        try term.waitFor(text: "Will not be answered")
        try term.send("Enter")
        try term.waitFor(text: "Body of message 1.")
        try term.send("g")
        try term.waitFor(text: "Send?")
        try term.send("y")
        try term.waitFor(text: "exited with status 75")
        XCTAssertEqual(drafts.count, 1)
        let draft = try XCTUnwrap(drafts.first)
        try term.waitFor(text: draft)
        let text = try String(contentsOf: home.appendingPathComponent("data/mailbag/drafts/\(draft)"), encoding: .utf8)
        XCTAssertTrue(text.contains("Subject: Re: Will not be answered\n"), text)
        XCTAssertTrue(text.contains("In-Reply-To: <mailbag-test-1@example.org>\n"), text)
        XCTAssertTrue(text.hasSuffix("\nFriday works for me.\n"), text)
        try term.send("x")
        try term.waitFor(text: "[exit 0]")
    }
}
