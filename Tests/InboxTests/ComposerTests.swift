import Foundation
import Inbox
import MailMessage
import XCTest

final class ComposerTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-composer-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func composer(sendmail: String) -> Composer {
        Composer(identity: Identity(from: Address(name: "Dave", mailbox: "dave@example.org")), sendmailCommand: sendmail,
                 draftsDirectory: directory.appendingPathComponent("drafts"))
    }

    private let draft = Draft(fields: [
        HeaderField(name: "From", value: "Dave <dave@example.org>"),
        HeaderField(name: "To", value: "Zoë <zoe@example.com>"),
        HeaderField(name: "Subject", value: "Re: Lunch"),
    ], body: "Fine.\n")

    func testTheFromDefaultsToTheUserAtTheHost() {
        var account = AccountConfig(name: "home", host: "pop.example.net", user: "bob")
        XCTAssertEqual(Composer(account: account).identity.from.mailbox, "bob@pop.example.net")
        XCTAssertEqual(Composer(account: account).sendmailCommand, "/usr/sbin/sendmail -t -oi")
        account.user = "bob@example.net"
        XCTAssertEqual(Composer(account: account).identity.from.mailbox, "bob@example.net")
        account.from = "Bob B <b@example.org>"
        account.sendmailCommand = "msmtp -t"
        let composer = Composer(account: account)
        XCTAssertEqual(composer.identity.from, Address(name: "Bob B", mailbox: "b@example.org"))
        XCTAssertEqual(composer.identity.addresses, ["b@example.org", "bob@example.net"], "the login is the user's too")
        XCTAssertEqual(composer.sendmailCommand, "msmtp -t")
    }

    func testDraftsArePrivateFiles() throws {
        let path = try composer(sendmail: "true").save(draft)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("drafts").path)
        XCTAssertEqual((folder[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), draft.text)
    }

    func testSendingHandsTheEncodedMessageToTheCommandAndRemovesTheDraft() async throws {
        let output = directory.appendingPathComponent("sent.eml")
        let composer = composer(sendmail: "cat > '\(output.path)'")
        let path = try composer.save(draft)
        let recipients = try await composer.send(draftAt: path, attachedMessage: nil)
        XCTAssertEqual(recipients, "Zoë <zoe@example.com>")
        let sent = try String(contentsOf: output, encoding: .utf8)
        XCTAssertTrue(sent.contains("To: =?UTF-8?B?Wm/Dqw==?= <zoe@example.com>\n"), sent)
        XCTAssertTrue(sent.hasSuffix("\n\nFine.\n"), sent)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testAFailedSendKeepsTheDraftAndNamesIt() async throws {
        let composer = composer(sendmail: "exit 75")
        let path = try composer.save(draft)
        do {
            _ = try await composer.send(draftAt: path, attachedMessage: nil)
            XCTFail("a failing sendmail must not count as sent")
        } catch {
            XCTAssertTrue(error.description.contains("exited with status 75"), error.description)
            XCTAssertTrue(error.description.contains("The draft is kept at \(path)"), error.description)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
    }

    func testWhatSendmailSaysOnFailingIsPassedOn() async throws {
        let composer = composer(sendmail: "echo 'msmtp: account work not found' >&2; exit 78")
        let path = try composer.save(draft)
        do {
            _ = try await composer.send(draftAt: path, attachedMessage: nil)
            XCTFail("a failing sendmail must not count as sent")
        } catch {
            XCTAssertTrue(error.description.hasPrefix(
                "Not sent: `echo 'msmtp: account work not found' >&2; exit 78` failed: it exited with status 78, saying “msmtp: account work not found”."),
                error.description)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("drafts").path).count, 1,
                       "only the draft stays")
    }

    func testADraftWithoutRecipientsIsNotHandedOn() async throws {
        let marker = directory.appendingPathComponent("ran")
        let composer = composer(sendmail: "touch '\(marker.path)'")
        var empty = draft
        empty.fields.removeAll { $0.name == "To" }
        let path = try composer.save(empty)
        do {
            _ = try await composer.send(draftAt: path, attachedMessage: nil)
            XCTFail("nobody to send to")
        } catch {
            XCTAssertEqual(error, .unsendable(.noRecipients, path))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path))
    }
}
