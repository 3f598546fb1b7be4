import Foundation
@testable import MailMessage
import XCTest

final class DraftTests: XCTestCase {
    private let me = Identity(from: Address(name: "Dave Reader", mailbox: "dave@example.org"), otherAddresses: ["dave@old.example.org"])

    private func message(_ headers: String, body: String = "Hello there.\n") -> [UInt8] {
        Array((headers.split(separator: "\n").joined(separator: "\r\n") + "\r\n\r\n" + body.replacingOccurrences(of: "\n", with: "\r\n")).utf8)
    }

    private let original = """
        From: Alice Example <alice@example.com>
        To: Dave Reader <dave@example.org>, bob@example.net
        Cc: Carol <carol@example.net>, dave@old.example.org
        Subject: Re: RE: Lunch plans
        Date: Mon, 2 Nov 2026 10:00:00 +0000
        Message-ID: <m3@example.com>
        References: <m1@example.com> <m2@example.com>
        """

    // MARK: Addresses

    func testReplyGoesToTheSenderAlone() {
        let draft = DraftBuilder.build(.reply, original: message(original), identity: me)
        XCTAssertEqual(draft["From"], "Dave Reader <dave@example.org>")
        XCTAssertEqual(draft["To"], "Alice Example <alice@example.com>")
        XCTAssertEqual(draft["Cc"], "")
    }

    func testReplyToIsHonoured() {
        let draft = DraftBuilder.build(.reply, original: message(original + "\nReply-To: list@example.com"), identity: me)
        XCTAssertEqual(draft["To"], "list@example.com")
    }

    func testGroupReplyCopiesEveryoneButTheUser() {
        let draft = DraftBuilder.build(.groupReply, original: message(original), identity: me)
        XCTAssertEqual(draft["To"], "Alice Example <alice@example.com>")
        XCTAssertEqual(draft["Cc"], "bob@example.net, Carol <carol@example.net>")
    }

    func testGroupReplyDropsDuplicatesOfTheReplyTarget() {
        let draft = DraftBuilder.build(
            .groupReply, original: message(original + "\nReply-To: carol@example.net"), identity: me)
        XCTAssertEqual(draft["To"], "carol@example.net")
        XCTAssertEqual(draft["Cc"], "bob@example.net")
    }

    func testReplyToOwnMessageGoesToItsRecipients() {
        let own = """
            From: dave@example.org
            To: Alice Example <alice@example.com>
            Subject: Question
            """
        XCTAssertEqual(DraftBuilder.build(.reply, original: message(own), identity: me)["To"], "Alice Example <alice@example.com>")
    }

    func testNamesWithSpecialsAreQuoted() {
        let draft = DraftBuilder.build(.reply, original: message("From: \"Doe, Jane\" <jane@example.com>\nSubject: x"), identity: me)
        XCTAssertEqual(draft["To"], "\"Doe, Jane\" <jane@example.com>")
    }

    // MARK: Subject and threading

    func testReSubjectsDoNotStack() {
        XCTAssertEqual(DraftBuilder.replySubject("Re: RE: Lunch plans"), "Re: Lunch plans")
        XCTAssertEqual(DraftBuilder.replySubject("Re[2]: Aw: Lunch"), "Re: Lunch")
        XCTAssertEqual(DraftBuilder.replySubject("Lunch"), "Re: Lunch")
        XCTAssertEqual(DraftBuilder.replySubject("Return of the king"), "Re: Return of the king")
        XCTAssertEqual(DraftBuilder.forwardSubject("Fwd: Lunch"), "Fwd: Lunch")
        XCTAssertEqual(DraftBuilder.forwardSubject("Lunch"), "Fwd: Lunch")
    }

    func testThreadingHeaders() {
        let draft = DraftBuilder.build(.reply, original: message(original), identity: me)
        XCTAssertEqual(draft["Subject"], "Re: Lunch plans")
        XCTAssertEqual(draft["In-Reply-To"], "<m3@example.com>")
        XCTAssertEqual(draft["References"], "<m1@example.com> <m2@example.com> <m3@example.com>")
    }

    func testReferencesFallBackToInReplyToAndStayBounded() {
        let answer = "From: a@example.com\nSubject: x\nMessage-ID: <b@x>\nIn-Reply-To: <a@x> (the first)"
        XCTAssertEqual(DraftBuilder.build(.reply, original: message(answer), identity: me)["References"], "<a@x> <b@x>")
        let long = "From: a@example.com\nSubject: x\nMessage-ID: <new@x>\nReferences: " + (1...40).map { "<r\($0)@x>" }.joined(separator: " ")
        let references = DraftBuilder.build(.reply, original: message(long), identity: me)["References"]!.split(separator: " ")
        XCTAssertEqual(references.count, DraftBuilder.maxReferences)
        XCTAssertEqual(references.first, "<r1@x>")
        XCTAssertEqual(references.last, "<new@x>")
    }

    /// An encoded CR LF in the original's subject or name must not become a header of the draft.
    func testEncodedLineBreaksCannotInjectHeaders() throws {
        let hostile = """
            From: =?UTF-8?Q?Eve=0D=0ABcc:_victim@example.com?= <eve@example.com>
            Subject: =?UTF-8?Q?hi=0D=0ABcc:_victim@example.com?=
            Message-ID: <ok@x>
            """
        let draft = DraftBuilder.build(.reply, original: message(hostile), identity: me)
        let parsed = try Draft.parse(draft.text, attachedMessage: nil)
        XCTAssertFalse(parsed.fields.contains { $0.name.lowercased() == "bcc" }, draft.text)
        XCTAssertEqual(parsed.fields.map(\.name), ["From", "To", "Subject", "In-Reply-To", "References"])
        let bytes = try OutgoingMessage.encode(parsed, date: Date(timeIntervalSince1970: 0), unique: "u")
        let headerBlock = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n\n")[0]
        XCTAssertFalse(headerBlock.lowercased().contains("\nbcc:"), headerBlock)
    }

    // MARK: Quoting

    func testBodyIsQuotedUnderAnAttributionWithoutTheSignature() {
        let draft = DraftBuilder.build(.reply, original: message(original, body: "Hello there.\n\n> earlier\n-- \nAlice\n"), identity: me)
        XCTAssertEqual(draft.body, "On Mon, 2 Nov 2026 10:00:00 +0000, Alice Example wrote:\n> Hello there.\n>\n>> earlier\n")
    }

    func testFlowedParagraphsAreReflowedThenWrappedForQuoting() {
        let paragraph = "This paragraph was sent as format=flowed, so its soft breaks join it into one long line that must be wrapped again."
        var words = paragraph.split(separator: " ")
        let first = words.prefix(6).joined(separator: " ") + " "
        words.removeFirst(6)
        let body = first + "\n" + words.joined(separator: " ") + "\n> quoted \n> continues\n"
        let raw = message("From: a@example.com\nSubject: x\nContent-Type: text/plain; format=flowed", body: body)
        let lines = DraftBuilder.build(.reply, original: raw, identity: me).body.split(separator: "\n").dropFirst()
        XCTAssertTrue(lines.allSatisfy { $0.count <= DraftBuilder.quoteWidth + 2 }, lines.joined(separator: "\n"))
        XCTAssertEqual(lines.filter { $0.hasPrefix("> ") && !$0.hasPrefix("> >") }.map { $0.dropFirst(2) }.joined(separator: " "), paragraph)
        XCTAssertEqual(lines.last, ">> quoted continues")
    }

    func testForwardInlineCarriesTheOriginal() {
        let draft = DraftBuilder.build(.forwardInline, original: message(original), identity: me)
        XCTAssertEqual(draft["Subject"], "Fwd: Re: RE: Lunch plans")
        XCTAssertEqual(draft["To"], "")
        XCTAssertTrue(draft.body.contains("----- Forwarded message from Alice Example <alice@example.com> -----"), draft.body)
        XCTAssertTrue(draft.body.contains("\nHello there.\n"), draft.body)
        XCTAssertNil(draft.attachedMessage)
    }

    // MARK: The edited file

    func testDraftTextRoundTripsAndDropsEmptyFields() throws {
        let draft = DraftBuilder.build(.reply, original: message(original), identity: me)
        let edited = draft.text.replacingOccurrences(of: "\n\nOn Mon", with: "\n\nSounds good.\n\nOn Mon")
            .replacingOccurrences(of: "Subject: Re: Lunch plans\n", with: "Subject: Re: Lunch\n plans\n")
        let parsed = try Draft.parse(edited, attachedMessage: nil)
        XCTAssertNil(parsed["Cc"])
        XCTAssertEqual(parsed["Subject"], "Re: Lunch plans")
        XCTAssertTrue(parsed.body.hasPrefix("Sounds good.\n\nOn Mon"))
        let dos = try Draft.parse(edited.replacingOccurrences(of: "\n", with: "\r\n"), attachedMessage: nil)
        XCTAssertEqual(dos.fields, parsed.fields, "an editor writing CR LF changes nothing")
        XCTAssertEqual(dos.body, parsed.body)
        XCTAssertThrowsError(try Draft.parse("To: a@b\nnot a header\n\nbody", attachedMessage: nil)) { error in
            XCTAssertEqual(error as? DraftError, .malformedHeader(line: 2, text: "not a header"))
        }
    }

    // MARK: Encoding

    private func encoded(_ fields: [(String, String)], body: String, attached: [UInt8]? = nil) throws -> String {
        let draft = Draft(fields: fields.map { HeaderField(name: $0.0, value: $0.1) }, body: body, attachedMessage: attached)
        return String(decoding: try OutgoingMessage.encode(
            draft, date: Date(timeIntervalSince1970: 1_796_000_000), timeZone: TimeZone(identifier: "UTC")!, unique: "123.abc"), as: UTF8.self)
    }

    func testASCIIMessageIsSevenBitWithDateAndMessageID() throws {
        let text = try encoded([("From", "Dave <dave@example.org>"), ("To", "a@example.com"), ("Subject", "Re: Lunch")], body: "Fine.\n")
        XCTAssertEqual(text, """
            From: Dave <dave@example.org>
            To: a@example.com
            Subject: Re: Lunch
            Date: Mon, 30 Nov 2026 00:53:20 +0000
            Message-ID: <123.abc@example.org>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=us-ascii
            Content-Transfer-Encoding: 7bit

            Fine.

            """)
    }

    func testNonASCIIHeadersAreEncodedWordsAndBodyIsQuotedPrintable() throws {
        let text = try encoded(
            [("From", "Dave <dave@example.org>"), ("To", "Zoë Müller <zoe@example.com>, \"Doe, J\" <j@example.com>"), ("Subject", "Re: Café crème")],
            body: "Ça va = bien.\nFrom here \n")
        XCTAssertTrue(text.contains("To: =?UTF-8?B?Wm/DqyBNw7xsbGVy?= <zoe@example.com>, \"Doe, J\" <j@example.com>\n"), text)
        XCTAssertTrue(text.contains("Subject: =?UTF-8?B?UmU6IENhZsOpIGNyw6htZQ==?=\n"), text)
        XCTAssertTrue(text.contains("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n"), text)
        XCTAssertTrue(text.hasSuffix("\n\n=C3=87a va =3D bien.\n=46rom here=20\n"), text)
        // What Mailbag writes, Mailbag reads back as it was written.
        let header = MessageHeader.parse(Array(text.utf8)).header
        XCTAssertEqual(EncodedWords.decode(header["Subject"]!), "Re: Café crème")
        XCTAssertEqual(AddressList.parse(header["To"]!).map(\.name), ["Zoë Müller", "Doe, J"])
        XCTAssertEqual(MessageRenderer.render(Array(text.utf8)).lines.map(\.text), ["Ça va = bien.", "From here "])
    }

    func testLongHeadersAndLinesAreFolded() throws {
        let subject = String(repeating: "ü", count: 100)
        let to = (1...8).map { "person\($0)@example.com" }.joined(separator: ", ")
        let text = try encoded([("From", "d@example.org"), ("To", to), ("Subject", subject)], body: String(repeating: "é", count: 100) + "\n")
        let lines = text.split(separator: "\n")
        XCTAssertTrue(lines.allSatisfy { $0.count <= 78 }, text)
        let header = MessageHeader.parse(Array(text.utf8)).header
        XCTAssertEqual(EncodedWords.decode(header["Subject"]!), subject)
        XCTAssertEqual(AddressList.parse(header["To"]!).count, 8)
        XCTAssertEqual(MessageRenderer.render(Array(text.utf8)).lines.map(\.text), [String(repeating: "é", count: 100)])
    }

    func testForwardAsAttachmentIsMultipartWithTheOriginal() throws {
        let original = message(self.original)
        let text = try encoded([("From", "d@example.org"), ("To", "x@example.com"), ("Subject", "Fwd: Lunch")], body: "See below.\n", attached: original)
        XCTAssertTrue(text.contains("Content-Type: multipart/mixed; boundary=\"mailbag-123.abc\"\n"), text)
        XCTAssertTrue(text.contains("--mailbag-123.abc\nContent-Type: message/rfc822\n"), text)
        XCTAssertTrue(text.hasSuffix("--mailbag-123.abc--\n"), text)
        XCTAssertFalse(text.contains("\r"), "line ends are LF for sendmail")
        let rendered = MessageRenderer.render(Array(text.utf8))
        XCTAssertTrue(rendered.lines.map(\.text).contains("See below."))
        XCTAssertTrue(rendered.lines.map(\.text).contains("Hello there."), rendered.plainText)
    }

    func testUnsendableDraftsSayWhy() {
        XCTAssertThrowsError(try encoded([("From", "d@example.org"), ("Subject", "x")], body: "")) {
            XCTAssertEqual($0 as? DraftError, .noRecipients)
        }
        XCTAssertThrowsError(try encoded([("To", "x@example.com")], body: "")) {
            XCTAssertEqual($0 as? DraftError, .noSender)
        }
    }
}
