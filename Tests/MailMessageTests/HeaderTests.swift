import TestSupport
import XCTest
@testable import MailMessage

final class MessageHeaderTests: XCTestCase {
    func testUnfoldsCRLFAndBareLF() {
        let raw = Array("Subject: a long\r\n  folded\r\n\tsubject\r\nFrom: x@y\n\nbody".utf8)
        let (h, start) = MessageHeader.parse(raw)
        XCTAssertEqual(h["subject"], "a long  folded\tsubject")
        XCTAssertEqual(h["FROM"], "x@y")
        XCTAssertEqual(Array(raw[start...]), Array("body".utf8))
    }

    func testFirstAndAll() {
        let (h, _) = MessageHeader.parse(Array("Received: one\nReceived: two\nX: y\n\n".utf8))
        XCTAssertEqual(h["received"], "one")
        XCTAssertEqual(h.all("Received"), ["one", "two"])
        XCTAssertEqual(h.all("nope"), [])
        XCTAssertNil(h["nope"])
    }

    func testMissingSeparatorStartsBodyAtFirstNonHeaderLine() {
        let raw = Array("From: a@b\nSubject: hi\nHello there, how are you?\nSecond line\n".utf8)
        let (h, start) = MessageHeader.parse(raw)
        XCTAssertEqual(h.fields.count, 2)
        XCTAssertEqual(String(decoding: raw[start...], as: UTF8.self), "Hello there, how are you?\nSecond line\n")
    }

    func testNoHeaderAtAll() {
        let raw = Array("just text\n".utf8)
        let (h, start) = MessageHeader.parse(raw)
        XCTAssertTrue(h.fields.isEmpty)
        XCTAssertEqual(start, 0)
    }

    func testHeaderOnlyWithoutBody() {
        let raw = Array("Subject: x\r\nFrom: y".utf8)
        let (h, start) = MessageHeader.parse(raw)
        XCTAssertEqual(h["From"], "y")
        XCTAssertEqual(start, raw.count)
    }

    func testMboxFromLineAndObsoleteBlankBeforeColon() {
        let raw = Array("From someone@example.com Tue Mar  5 10:00:00 2024\nSubject : obsolete\n\n".utf8)
        let (h, _) = MessageHeader.parse(raw)
        XCTAssertEqual(h["Subject"], "obsolete")
    }

    func testRawUTF8AndLatin1HeaderBytes() {
        let raw = Array("Subject: Grüße\n".utf8) + Array("X-Latin: Gr".utf8) + [0xFC, 0xDF, 0x65] + Array("\n\n".utf8)
        let (h, _) = MessageHeader.parse(raw)
        XCTAssertEqual(h["Subject"], "Grüße")
        XCTAssertEqual(h["X-Latin"], "Grüße")
    }

    /// Yahoo cuts long raw 8-bit names in the middle of a character: the stray lead byte must
    /// not turn into a Windows-1252 letter that reads as part of the name.
    func testRawUTF8CutInsideACharacterEndsInAReplacementCharacter() {
        func name(_ raw: [UInt8]) -> String? {
            let message = Array("Content-Type: application/pdf\nContent-Disposition: attachment; filename=\"".utf8)
                + raw + Array("\"\n\nx".utf8)
            return MessageRenderer.render(message).attachments.first?.filename
        }
        let full = Array("Отчет по проекту что".utf8)
        XCTAssertEqual(name(full.dropLast()), "Отчет по проекту чт\u{FFFD}")
        XCTAssertEqual(name(Array("Notiz что ".utf8) + [0xE2, 0x80]), "Notiz что \u{FFFD}", "a lead byte and one of its two continuations")
        XCTAssertEqual(AttachmentName.safe(name(full.dropLast()) ?? ""), "Отчет по проекту чт\u{FFFD}")
    }

    func testOneStrayByteInValidUTF8IsAReplacementCharacter() {
        let raw = Array("Subject: Prüfung".utf8) + [0xA0] + Array("Übersicht.pdf\n".utf8)
            + Array("X-Run: Größe".utf8) + [0xFF, 0xFE, 0x80] + Array("ß\n\n".utf8)
        let (h, _) = MessageHeader.parse(raw)
        XCTAssertEqual(h["Subject"], "Prüfung\u{FFFD}Übersicht.pdf")
        XCTAssertEqual(h["X-Run"], "Größe\u{FFFD}ß", "one run of bad bytes, one replacement character")
    }

    /// Text that is not UTF-8 at all, or mostly not, is Windows-1252 as before, even where two
    /// of its bytes happen to form a UTF-8 sequence.
    func testWindows1252HeaderTextStillDecodes() {
        let raw = Array("Subject: R".utf8) + [0xE9] + Array("sum".utf8) + [0xE9, 0x20, 0x96, 0x20, 0x4D, 0xFC] + Array("ller.pdf\n".utf8)
            + Array("X-Mixed: Gr".utf8) + Array("üße ".utf8) + [0xE9, 0x74, 0xE9] + Array("\n".utf8)
            + Array("X-Quote: ".utf8) + [0x93, 0x61, 0x94] + Array("\n\n".utf8)
        let (h, _) = MessageHeader.parse(raw)
        XCTAssertEqual(h["Subject"], "Résumé – Müller.pdf")
        XCTAssertEqual(h["X-Mixed"], "Grüße été", "as many Latin-1 spots as UTF-8 characters: a pasted fragment")
        XCTAssertEqual(h["X-Quote"], "\u{201C}a\u{201D}")
    }

    func testFieldCountIsBounded() {
        var raw = [UInt8]()
        for _ in 0..<(MessageHeader.maxFields + 100) { raw += Array("X: y\n".utf8) }
        let (h, _) = MessageHeader.parse(raw + Array("\nbody".utf8))
        XCTAssertEqual(h.fields.count, MessageHeader.maxFields)
    }

    /// Reading only some fields must find exactly the first value a full parse has under each
    /// name, through folding, obsolete forms and mangled bytes alike.
    func testReadingSomeFieldsAgreesWithTheFullParse() throws {
        let names = ["From", "subject", "CONTENT-TYPE", "Received"]
        let wanted = FieldNames(names)
        var rng = SeededRandom(seed: 1_939)
        var inputs = try CorpusTests.messages().map(\.bytes)
        inputs += [Array("From sender@example.org Mon Jan 1\nfrom: a\n  b\nX: \n\tcontinued\nSubject :c\n\n".utf8),
                   Array("Received: one\n Subject: not a field\n\tmore\nrEcEiVeD: two\n\nbody".utf8),
                   Array("  indented first line\nSubject: x\n".utf8)]
        inputs += inputs.flatMap { input in (0..<30).map { _ in MutationTests.mutate(input, &rng) } }
        for input in inputs {
            let full = MessageHeader.parse(input).header
            XCTAssertEqual(MessageHeader.firstValues(input, of: wanted), names.map { full[$0] }, String(decoding: input.prefix(200), as: UTF8.self))
        }
    }
}

final class EncodedWordsTests: XCTestCase {
    func testBAndQInManyCharsets() {
        XCTAssertEqual(EncodedWords.decode("=?UTF-8?B?R3LDvMOfZQ==?="), "Grüße")
        XCTAssertEqual(EncodedWords.decode("=?iso-8859-1?q?caf=E9_cr=e8me?="), "café crème")
        XCTAssertEqual(EncodedWords.decode("=?koi8-r?B?8NLJ18XU?="), "Привет")
        XCTAssertEqual(EncodedWords.decode("=?ISO-2022-JP?B?GyRCJDMkcxsoQg==?="), "こん")
        XCTAssertEqual(EncodedWords.decode("=?shift_jis?B?grGC8YLJgr+CzQ==?="), "こんにちは")
        XCTAssertEqual(EncodedWords.decode("=?gb2312?B?xOO6ww==?="), "你好")
        XCTAssertEqual(EncodedWords.decode("=?big5?B?p0Gmbg==?="), "你好")
        XCTAssertEqual(EncodedWords.decode("=?euc-kr?B?vsiz5w==?="), "안녕")
        XCTAssertEqual(EncodedWords.decode("=?windows-1251?Q?=CF=F0=E8=E2=E5=F2?="), "Привет")
    }

    func testWhitespaceBetweenAdjacentWordsIsDropped() {
        XCTAssertEqual(EncodedWords.decode("=?utf-8?q?a?= =?utf-8?q?b?="), "ab")
        XCTAssertEqual(EncodedWords.decode("=?utf-8?q?a?=\t  =?iso-8859-1?q?b?="), "ab")
        XCTAssertEqual(EncodedWords.decode("=?utf-8?q?a?= b =?utf-8?q?c?="), "a b c")
        XCTAssertEqual(EncodedWords.decode("Re: =?utf-8?q?a?= x"), "Re: a x")
        XCTAssertEqual(EncodedWords.decode("=?utf-8?q?a_?= =?utf-8?q?_b?="), "a  b")
    }

    func testMultibyteCharacterSplitAcrossWords() {
        // "€" is E2 82 AC; split between two words.
        XCTAssertEqual(EncodedWords.decode("=?utf-8?q?=E2=82?= =?utf-8?q?=AC?="), "€")
        XCTAssertEqual(EncodedWords.decode("=?utf-8?B?4oI=?= =?utf-8?B?rA==?="), "€")
    }

    func testMalformedWordsStayReadable() {
        XCTAssertEqual(EncodedWords.decode("=?utf-8?x?abc?="), "=?utf-8?x?abc?=")
        XCTAssertEqual(EncodedWords.decode("=?utf-8?q?unterminated"), "=?utf-8?q?unterminated")
        XCTAssertEqual(EncodedWords.decode("price =? 5 ?="), "price =? 5 ?=")
        XCTAssertEqual(EncodedWords.decode("=??q?x?="), "=??q?x?=")
        XCTAssertEqual(EncodedWords.decode("=?utf-8?q?=ZZ?="), "=ZZ")
    }

    func testLenientForms() {
        XCTAssertEqual(EncodedWords.decode("=?x-unknown?q?caf=E9?="), "café")
        XCTAssertEqual(EncodedWords.decode("=?utf-8*en?q?hello?="), "hello")
        XCTAssertEqual(EncodedWords.decode("=?utf-8?b?SGVsbG8?="), "Hello")
        XCTAssertEqual(EncodedWords.decode("=?utf-8?q?with spaces?="), "with spaces")
        XCTAssertEqual(EncodedWords.decode("Fwd:=?utf-8?q?glued?="), "Fwd:glued")
    }

    func testPlainTextPassesThrough() {
        XCTAssertEqual(EncodedWords.decode("Hello world"), "Hello world")
        XCTAssertEqual(EncodedWords.decode(""), "")
    }
}

final class AddressListTests: XCTestCase {
    func testTheSimpleFastPathAgreesWithTheGeneralParser() {
        var rng = SeededRandom(seed: 5_322)
        let pieces = ["Ada", "Lovelace", " ", "  ", "\t", "<", ">", "@", ".", "example", "org", "J.", "ü", "\r\n ", "=", "?",
                      "\"", "(", ",", "x"]
        var accepted = 0
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...9, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            guard let simple = AddressList.parseSimple(text) else { continue }
            accepted += 1
            XCTAssertEqual(simple, AddressList.parseAnyForm(text), text.debugDescription)
        }
        XCTAssertGreaterThan(accepted, 500)
        XCTAssertNil(AddressList.parseSimple("=?UTF-8?B?SsO8cmdlbg==?= <j@example.de>"), "encoded words take the general path")
        XCTAssertEqual(AddressList.parse(" Ada  Lovelace <ada @example.org> "), [Address(name: "Ada Lovelace", mailbox: "ada@example.org")])
    }

    func testDisplayNamesAndQuotedStrings() {
        let a = AddressList.parse(#"John Doe <john@example.com>, "Doe, Jane" <jane@example.com>, bare@example.org"#)
        XCTAssertEqual(a.map(\.name), ["John Doe", "Doe, Jane", nil])
        XCTAssertEqual(a.map(\.mailbox), ["john@example.com", "jane@example.com", "bare@example.org"])
        XCTAssertEqual(a.map(\.display), ["John Doe", "Doe, Jane", "bare@example.org"])
    }

    func testCommentsAndEscapes() {
        let a = AddressList.parse(#"john@example.com (John (the man) Doe), "Quote \"Q\" Person" <q@x.org> (work)"#)
        XCTAssertEqual(a[0].name, "John (the man) Doe")
        XCTAssertEqual(a[0].mailbox, "john@example.com")
        XCTAssertEqual(a[1].name, #"Quote "Q" Person"#)
        XCTAssertEqual(a[1].mailbox, "q@x.org")
    }

    func testGroups() {
        let a = AddressList.parse("Team: ann@x.org, Bob <bob@x.org>;, carl@y.org")
        XCTAssertEqual(a.map(\.mailbox), ["ann@x.org", "bob@x.org", "carl@y.org"])
        let empty = AddressList.parse("undisclosed-recipients:;")
        XCTAssertEqual(empty, [Address(name: "undisclosed-recipients", mailbox: "")])
        XCTAssertEqual(empty[0].display, "undisclosed-recipients")
        // An empty group's name is decoded text like any other name: it is sanitized too
        // (found by the MIME fuzzer).
        for list in ["=?utf-8?q?=1B]0;pwned=07Team?=:;", "=?utf-8?b?G1syShtbMzFtVGVhbQ==?=:"] {
            XCTAssertEqual(AddressList.parse(list).map(\.display), ["Team"], list)
        }
    }

    func testEncodedWordsInNames() {
        let a = AddressList.parse("=?utf-8?q?J=C3=BCrgen?= =?utf-8?q?_M=C3=BCller?= <jm@example.de>")
        XCTAssertEqual(a[0].name, "Jürgen Müller")
        let q = AddressList.parse(#""=?iso-8859-1?q?Andr=E9?=" <andre@example.fr>"#)
        XCTAssertEqual(q[0].name, "André")
    }

    func testObsoleteAndBrokenForms() {
        XCTAssertEqual(AddressList.parse("<@relay.example:user@example.com>")[0].mailbox, "user@example.com")
        XCTAssertEqual(AddressList.parse("John Q. Public <jqp@example.com>")[0].name, "John Q. Public")
        let noBrackets = AddressList.parse("Jane Roe jane@example.com")
        XCTAssertEqual(noBrackets[0].name, "Jane Roe")
        XCTAssertEqual(noBrackets[0].mailbox, "jane@example.com")
        XCTAssertEqual(AddressList.parse("john . doe @ example . com")[0].mailbox, "john.doe@example.com")
        XCTAssertEqual(AddressList.parse("Unterminated <a@b.c")[0].mailbox, "a@b.c")
        XCTAssertEqual(AddressList.parse("").count, 0)
        XCTAssertEqual(AddressList.parse(" , ,").count, 0)
    }

    func testHostileNamesAreSanitized() {
        let a = AddressList.parse("\"Evil\u{1B}]0;title\u{07}\u{202E}gpj.exe\" <e@x.org>")
        XCTAssertEqual(a[0].name, "Evilgpj.exe")
    }
}

final class MessageDateTests: XCTestCase {
    private func iso(_ d: Date?) -> String? {
        guard let d else { return nil }
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }

    /// `parse` answers from the fast path whenever it answers at all, so the fast path must
    /// agree with the general parser on every input it takes: near-canonical dates built from
    /// random parts, and the same with a few bytes changed, are fed to both.
    func testTheCanonicalFastPathAgreesWithTheGeneralParser() {
        var rng = SeededRandom(seed: 20_261_122)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let noise = Array(" \t,:+-()0123456789AZaz.".utf8)
        func digits(_ value: Int, width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        // Each field is usually canonical and sometimes one of the shapes the fast path must hand on.
        func field(_ canonical: @autoclosure () -> String, else odd: [String]) -> String {
            rng.chance(85) ? canonical() : odd[rng.below(odd.count)]
        }
        var accepted = 0
        var mutatedAccepted = 0
        for round in 0..<20_000 {
            let month = months[rng.below(12)]
            let zone = rng.pick(["+", "-"]) + digits(rng.below(24), width: 2) + digits(rng.below(60), width: 2)
            let separator = [" ", "  ", "\t", "", "-", ","]
            var text = field(rng.pick(["", "Tue, ", "Mon, "]), else: ["tue,", "Xyz, ", "Tue ,", "Tuesday, ", " Tue, ", "\tMon, ", "Tue "])
                + field(digits(1 + rng.below(31), width: 1 + rng.below(2)), else: ["0", "32", "99", "", "123", "00"])
                + field(" ", else: separator)
                + field(rng.chance(70) ? month : month.uppercased(), else: ["Sept", "Foo", "Ja", "March", "J an"])
                + field(" ", else: separator)
                + field(digits(1900 + rng.below(200), width: 4), else: ["24", "99", "103", "0000", "99999", "2O24"])
                + field(" ", else: separator)
                + field(digits(rng.below(24), width: 2), else: ["7", "24", "25", "", "007"])
                + ":" + field(digits(rng.below(60), width: 2), else: ["5", "60", "", "075"])
                + field(rng.pick(["", ":" + digits(rng.below(61), width: 2)]), else: [":", ":5", ":61", ".5", ":30.25"])
                + field(" ", else: separator)
                + field(zone, else: ["GMT", "UT", "Z", "EST", "+2400", "+0199", "+9959", "+01:00", "+01", "-", "+01000", ""])
                + field(rng.pick(["", " (CET)"]), else: ["  ", " extra", "(x)", " (", "\t", "\r\n", " (a (nested) one)"])
            let mutated = round % 2 == 1
            if mutated {
                var bytes = Array(text.utf8)
                for _ in 0...rng.below(2) {
                    let at = rng.below(bytes.count + 1)
                    switch rng.below(3) {
                    case 0: bytes.insert(rng.pick(noise), at: at)
                    case 1 where at < bytes.count: bytes.remove(at: at)
                    default: if at < bytes.count { bytes[at] = rng.pick(noise) }
                    }
                }
                text = String(decoding: bytes, as: UTF8.self)
            }
            guard let fast = MessageDate.parseCanonical(text) else { continue }
            accepted += 1
            if mutated { mutatedAccepted += 1 }
            XCTAssertEqual(fast, MessageDate.parseAnyForm(text), "round \(round): \(text.debugDescription)")
        }
        // Both kinds of input must reach the comparison, or the property proves nothing.
        XCTAssertGreaterThan(accepted, 1_000, "the fast path should take the common form")
        XCTAssertGreaterThan(mutatedAccepted, 100, "changed bytes the fast path still takes")
        XCTAssertNil(MessageDate.parseCanonical("Tue, 5 Mar 2024 10:15:30 EST"), "named zones take the general path")
    }

    func testRFC5322() {
        XCTAssertEqual(iso(MessageDate.parse("Tue, 05 Mar 2024 10:15:30 +0100")), "2024-03-05T09:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("5 Mar 2024 10:15:30 -0530")), "2024-03-05T15:45:30Z")
        XCTAssertEqual(iso(MessageDate.parse("Tue, 5 Mar 2024 10:15 +0000")), "2024-03-05T10:15:00Z")
        XCTAssertEqual(iso(MessageDate.parse("Thu, 29 Feb 2024 23:59:60 +0000")), "2024-02-29T23:59:59Z")
    }

    func testObsoleteForms() {
        XCTAssertEqual(iso(MessageDate.parse("Tue, 5 Mar 24 10:15:30 EST")), "2024-03-05T15:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("Fri, 5 Mar 99 10:15:30 GMT")), "1999-03-05T10:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("5 Mar 103 10:15:30 PDT")), "2003-03-05T17:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("Tue,  5   Mar 2024   10:15:30   +0100 (CET)")), "2024-03-05T09:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("Tue, 5 Mar 2024 10:15:30 Z")), "2024-03-05T10:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("Tue, 5 Mar 2024 10:15:30 A")), "2024-03-05T10:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("Tue, 5 Mar 2024 10:15:30")), "2024-03-05T10:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("Tuesday, 5 March 2024 10:15:30 CEST")), "2024-03-05T08:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("Mon, 5 mar 2024 10:15:30 +0100")), "2024-03-05T09:15:30Z")
    }

    func testNonStandardShapes() {
        XCTAssertEqual(iso(MessageDate.parse("Tue Mar  5 10:15:30 2024")), "2024-03-05T10:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("2024-03-05T10:15:30Z")), "2024-03-05T10:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("2024-03-05 10:15:30 +01:00")), "2024-03-05T09:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("Tue, 05-Mar-2024 10:15:30 GMT")), "2024-03-05T10:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("Tue, 5 Mar 2024 10:15:30 GMT+0100")), "2024-03-05T09:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("Tue, 5 Mar 2024 10:15:30 +01:00")), "2024-03-05T09:15:30Z")
        XCTAssertEqual(iso(MessageDate.parse("Tue, 5 Mar 2024 10:15:30.25 +0000")), "2024-03-05T10:15:30Z")
    }

    func testGarbageIsNil() {
        XCTAssertNil(MessageDate.parse(""))
        XCTAssertNil(MessageDate.parse("yesterday"))
        XCTAssertNil(MessageDate.parse("31 Feb 2024 10:00:00 +0000"))
        XCTAssertNil(MessageDate.parse("5 Mar 2024 25:00:00 +0000"))
        XCTAssertNil(MessageDate.parse("Mar 2024"))
    }
}

final class MessageSummaryTests: XCTestCase {
    func testSummaryFromHeaderBlock() {
        let raw = """
        Return-Path: <x@y>\r
        From: =?utf-8?q?Ren=C3=A9e?= <renee@example.fr>\r
        To: Bob <bob@example.com>, carol@example.com\r
        Subject: =?utf-8?B?8J+OiSBQYXJ0eQ==?=\r
         =?utf-8?q?_tonight?=\r
        Date: Tue, 05 Mar 2024 10:15:30 +0100\r
        Message-ID: <abc@example.fr>\r
        Content-Type: multipart/mixed; boundary="b1"\r
        \r

        """
        let s = MessageSummary.parse(headerBytes: Array(raw.utf8))
        XCTAssertEqual(s.from, "Renée")
        XCTAssertEqual(s.fromAddress, "renee@example.fr")
        XCTAssertEqual(s.to, "Bob, carol@example.com")
        XCTAssertEqual(s.subject, "🎉 Party tonight")
        XCTAssertEqual(s.date, Date(timeIntervalSince1970: 1_709_630_130))
        XCTAssertEqual(s.messageID, "<abc@example.fr>")
        XCTAssertTrue(s.hasAttachments)
    }

    func testHostileSubjectIsSanitized() {
        let raw = "From: a@b\nSubject: =?utf-8?q?=1B]0;owned=07Hi=E2=80=AE?=\u{1B}[2J there\n\n"
        let s = MessageSummary.parse(headerBytes: Array(raw.utf8))
        XCTAssertEqual(s.subject, "Hi there")
    }

    func testAttachmentFlag() {
        func flag(_ ct: String) -> Bool {
            MessageSummary.parse(headerBytes: Array("Content-Type: \(ct)\n\n".utf8)).hasAttachments
        }
        XCTAssertTrue(flag("multipart/mixed; boundary=x"))
        XCTAssertTrue(flag("MULTIPART/MIXED;\n boundary=x"))
        XCTAssertFalse(flag("multipart/alternative; boundary=x"))
        XCTAssertFalse(flag("text/plain; charset=utf-8"))
        XCTAssertTrue(flag("application/pdf; name=x.pdf"))
        XCTAssertFalse(MessageSummary.parse(headerBytes: Array("Subject: x\n\n".utf8)).hasAttachments)
    }

    func testMissingFieldsAndGroups() {
        let s = MessageSummary.parse(headerBytes: Array("To: undisclosed-recipients:;\n\n".utf8))
        XCTAssertEqual(s.from, "")
        XCTAssertNil(s.fromAddress)
        XCTAssertEqual(s.to, "undisclosed-recipients")
        XCTAssertEqual(s.subject, "")
        XCTAssertNil(s.date)
        XCTAssertNil(s.messageID)
    }

    func testThreadingHeadersAreKeptAsIDs() {
        let raw = """
        Message-ID:   <c@example.org> (a comment)\r
        In-Reply-To: <b@example.org> (Bob's message of Tuesday) <other@x>\r
        References: <a@example.org>\r
         <b@exa\r
         mple.org> "not an id" <> <unterminated\r
        \r

        """
        let s = MessageSummary.parse(headerBytes: Array(raw.utf8))
        XCTAssertEqual(s.messageID, "<c@example.org>")
        XCTAssertEqual(s.inReplyTo, "<b@example.org>")
        XCTAssertEqual(s.references, ["<a@example.org>", "<b@example.org>"])
        let bare = MessageSummary.parse(headerBytes: Array("Message-ID: no-brackets@x\nIn-Reply-To: junk\n\n".utf8))
        XCTAssertEqual(bare.messageID, "no-brackets@x")
        XCTAssertNil(bare.inReplyTo)
        XCTAssertEqual(bare.references, [])
    }

    func testReferencesKeepTheNearestAncestorsOfAHugeHeader() {
        let ids = (1...5000).map { "<\($0)@x>" }
        let s = MessageSummary.parse(headerBytes: Array("References: \(ids.joined(separator: "\r\n "))\r\n\r\n".utf8))
        XCTAssertEqual(s.references, Array(ids.suffix(MessageSummary.maximumReferences)))
        XCTAssertEqual(MessageIDs.parse("<a\u{1B}[2J@x> <ok@x>"), ["<ok@x>"], "an ID with a control in it is none")
    }

    func testCodableRoundTrip() throws {
        let s = MessageSummary(from: "A", fromAddress: "a@b", to: "B", subject: "S", date: Date(timeIntervalSince1970: 5),
                               messageID: "<m@x>", hasAttachments: true, inReplyTo: "<p@x>", references: ["<r@x>", "<p@x>"])
        let back = try JSONDecoder().decode(MessageSummary.self, from: JSONEncoder().encode(s))
        XCTAssertEqual(back, s)
    }
}
