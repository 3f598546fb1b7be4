import Foundation
import Inbox
import MailMessage
@testable import TUI
import XCTest

/// `r`, `g`, `f`: download if need be, write the draft, hand it to the editor, ask before sending.
final class ReaderReplyTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-reader-reply-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func harness() -> ReaderHarness {
        var options = ReaderOptions(saveDirectory: NSTemporaryDirectory())
        options.composer = Composer(
            identity: Identity(from: Address(name: "Alice", mailbox: "alice@pop.example")), sendmailCommand: "true",
            draftsDirectory: directory)
        return ReaderHarness(options: options)
    }

    private func draftPath(_ h: ReaderHarness) throws -> String {
        let requests = h.reader.takeRequests()
        guard case .editDraft(let path)? = requests.last else {
            XCTFail("no editor requested: \(requests)")
            throw CocoaError(.fileNoSuchFile)
        }
        return path
    }

    func testReplyDownloadsThenOpensTheEditorThenAsks() throws {
        let h = harness()
        h.press(.home)
        h.type("r")
        XCTAssertEqual(h.backend.calls.last, .fetchMessage(1, "uid-1"))
        h.deliver(1, raw: Array("From: Sender <s1@example.org>\r\nSubject: Plans\r\nMessage-ID: <one@x>\r\n\r\nHello.\r\n".utf8))
        XCTAssertNil(h.reader.pager, "replying from the index stays in the index")
        let path = try draftPath(h)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("From: Alice <alice@pop.example>\nTo: Sender <s1@example.org>\n"), text)
        XCTAssertTrue(text.contains("Subject: Re: Plans\nIn-Reply-To: <one@x>\n"), text)

        h.reader.finishedEditing(.exited(0))
        XCTAssertEqual(h.reader.prompt?.purpose, .confirmSend)
        h.type("e")
        XCTAssertEqual(h.reader.takeRequests(), [.editDraft(path: path)], "e edits the same draft again")
        h.reader.finishedEditing(.exited(0))
        h.type("y")
        XCTAssertEqual(h.reader.takeRequests(), [.sendDraft(path: path, attachedMessage: nil)])
        h.reader.finishedSending(.success("Sender <s1@example.org>"))
        XCTAssertEqual(h.reader.notice, Notice(text: "Sent to Sender <s1@example.org>.", isError: false))
    }

    func testNoKeepsTheDraftAndSaysWhere() throws {
        let h = harness()
        h.press(.home, .enter)
        h.deliver(1)
        XCTAssertNotNil(h.reader.pager)
        h.type("g")
        let path = try draftPath(h)
        h.reader.finishedEditing(.exited(0))
        h.type("n")
        XCTAssertEqual(h.reader.notice?.text, "Not sent. The draft is kept at \(path).")
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(h.reader.takeRequests(), [])
    }

    func testEscAtSendKeepsTheDraftAndSaysWhere() throws {
        let h = harness()
        h.press(.home, .enter)
        h.deliver(1)
        h.type("r")
        let path = try draftPath(h)
        h.reader.finishedEditing(.exited(0))
        h.press(.escape)
        XCTAssertNil(h.reader.prompt)
        XCTAssertEqual(h.reader.notice?.text, "Not sent. The draft is kept at \(path).")
    }

    func testAFailedEditorSendsNothing() throws {
        let h = harness()
        h.press(.home, .enter)
        h.deliver(1)
        h.type("r")
        let path = try draftPath(h)
        h.reader.finishedEditing(.exited(1))
        XCTAssertNil(h.reader.prompt)
        XCTAssertEqual(h.reader.notice?.isError, true)
        XCTAssertTrue(h.reader.notice?.text.contains(path) == true, h.reader.notice?.text ?? "")
    }

    func testForwardAsksInlineOrAttached() throws {
        let h = harness()
        h.press(.home, .enter)
        h.deliver(1)
        h.type("f")
        guard case .forwardHow(1)? = h.reader.prompt?.purpose else { return XCTFail("\(String(describing: h.reader.prompt))") }
        h.type("y")
        let path = try draftPath(h)
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).contains("Subject: Fwd: Subject number 1\n"))
        h.reader.finishedEditing(.exited(0))
        h.type("y")
        guard case .sendDraft(path: path, attachedMessage: let attached?)? = h.reader.takeRequests().last else { return XCTFail("no send with the message attached") }
        XCTAssertTrue(String(decoding: attached, as: UTF8.self).hasPrefix("From: Sender 1\r\n"))
    }

    func testWithoutAComposerTheKeysSaySo() {
        let h = ReaderHarness()
        h.press(.home, .enter)
        h.deliver(1)
        h.type("r")
        XCTAssertEqual(h.reader.notice?.isError, true)
        XCTAssertEqual(h.reader.takeRequests(), [])
    }

    func testRawSourceMovedToCapitalR() {
        let h = harness()
        h.press(.home, .enter)
        h.deliver(1)
        h.type("R")
        XCTAssertEqual(h.reader.pager?.mode, .raw)
    }
}
