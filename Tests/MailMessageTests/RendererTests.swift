import TestSupport
import XCTest
@testable import MailMessage

private let utc = RenderOptions(timeZone: TimeZone(identifier: "UTC")!)

/// Message bytes from a literal; `crlf` turns every LF into CRLF as on the wire.
private func message(_ s: String, crlf: Bool = false) -> [UInt8] {
    Array((crlf ? s.replacingOccurrences(of: "\n", with: "\r\n") : s).utf8)
}

final class RendererTests: XCTestCase {
    func testBriefHeadersAndDateInTheOptionsZone() {
        let m = message("""
        From: "Doe, Jane" <jane@example.com>
        To: a@x.org, B <b@x.org>
        Cc: undisclosed-recipients:;
        Subject: =?utf-8?q?Caf=C3=A9?=
        Date: Tue, 05 Mar 2024 23:15:30 +0000
        X-Other: ignored

        Hi
        """)
        var options = utc
        options.timeZone = TimeZone(secondsFromGMT: 3600 + 1800)!
        let r = MessageRenderer.render(m, options: options)
        XCTAssertEqual(r.briefHeaders, [
            HeaderLine(name: "From", value: "Doe, Jane <jane@example.com>"),
            HeaderLine(name: "To", value: "a@x.org, B <b@x.org>"),
            HeaderLine(name: "Cc", value: "undisclosed-recipients"),
            HeaderLine(name: "Date", value: "Wed, 6 Mar 2024 00:45:30 +0130"),
            HeaderLine(name: "Subject", value: "Café"),
        ])
        XCTAssertEqual(r.fullHeaders.count, 6)
        XCTAssertEqual(r.fullHeaders[5], HeaderLine(name: "X-Other", value: "ignored"))
        XCTAssertEqual(r.lines, [BodyLine(kind: .text, text: "Hi")])
        XCTAssertFalse(r.isPartial)
    }

    func testUnparseableDateIsShownAsWritten() {
        let r = MessageRenderer.render(message("Date: sometime soon\n\nx"), options: utc)
        XCTAssertEqual(r.briefHeaders, [HeaderLine(name: "Date", value: "sometime soon")])
    }

    func testQuoteLevelsAndSignature() {
        let m = message("""
        Subject: q

        On Monday Bob wrote:
        > first
        >> second
        > > also second
        >>> third
        not quoted
        -- 
        Sig line
        > not a quote in a signature
        """)
        let kinds = MessageRenderer.render(m, options: utc).lines.map(\.kind)
        XCTAssertEqual(kinds, [.text, .quote(level: 1), .quote(level: 2), .quote(level: 2), .quote(level: 3), .text,
                               .signature, .signature, .signature])
    }

    func testTabsExpandAndLongLinesStayWhole() {
        let long = String(repeating: "x", count: 5000)
        let m = message("Subject: t\n\na\tb\n12345678\tc\n\(long)\n")
        let lines = MessageRenderer.render(m, options: utc).lines.map(\.text)
        XCTAssertEqual(lines, ["a       b", "12345678        c", long])
    }

    func testBodyIsSanitized() {
        let m = message("Subject: t\n\nhello \u{1B}]0;title\u{07}world\u{1B}[31m!\u{202E}\n")
        XCTAssertEqual(MessageRenderer.render(m, options: utc).lines.map(\.text), ["hello world!"])
    }

    func testAlternativePrefersPlainUnlessEmpty() {
        let m = message("""
        Content-Type: multipart/alternative; boundary=alt

        --alt
        Content-Type: text/plain

        plain version
        --alt
        Content-Type: text/html

        <p>html version</p>
        --alt--
        """)
        XCTAssertEqual(MessageRenderer.render(m, options: utc).lines.map(\.text), ["plain version"])
        let empty = message("""
        Content-Type: multipart/alternative; boundary=alt

        --alt
        Content-Type: text/plain

        \("  ")
        --alt
        Content-Type: text/html

        html version
        --alt--
        """)
        XCTAssertEqual(MessageRenderer.render(empty, options: utc).lines.map(\.text), ["html version"])
    }

    func testExternalHTMLConverterAndFallback() {
        let m = message("Content-Type: text/html\n\n<b>bold</b>\n")
        var options = utc
        options.htmlConverter = { html in html.contains("<b>") ? "CONVERTED" : nil }
        XCTAssertEqual(MessageRenderer.render(m, options: options).lines.map(\.text), ["CONVERTED"])
        options.htmlConverter = { _ in nil }
        XCTAssertEqual(MessageRenderer.render(m, options: options).lines.map(\.text), ["bold"])
    }

    func testAttachmentsAreListedWithDecodedSizeAndRetrievable() throws {
        let m = message("""
        Content-Type: multipart/mixed; boundary="==b=="

        --==b==
        Content-Type: text/plain; charset=utf-8

        See attached.
        --==b==
        Content-Type: application/pdf; name="report.pdf"
        Content-Disposition: attachment; filename="report.pdf"
        Content-Transfer-Encoding: base64

        SGVsbG8sIHdv
        cmxkIQ==
        --==b==
        Content-Type: image/png
        Content-Transfer-Encoding: base64

        iVBORw0KGgo=
        --==b==--
        """, crlf: true)
        let r = MessageRenderer.render(m, options: utc)
        XCTAssertEqual(r.attachments, [
            AttachmentInfo(index: 1, filename: "report.pdf", mimeType: "application/pdf", size: 13),
            AttachmentInfo(index: 2, filename: "attachment-2.png", mimeType: "image/png", size: 8),
        ])
        XCTAssertEqual(r.lines.filter { $0.kind == .attachment }.map(\.text), [
            "[-- Attachment #1: report.pdf (application/pdf, 13 bytes) --]",
            "[-- Attachment #2: attachment-2.png (image/png, 8 bytes) --]",
        ])
        let a = try AttachmentSavePlan.one(1, in: m)?.entries.first
        XCTAssertEqual(a?.info.filename, "report.pdf")
        XCTAssertEqual(a?.data(), Array("Hello, world!".utf8))
        XCTAssertEqual(try AttachmentSavePlan.one(2, in: m)?.entries.first?.data(), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertNil(try AttachmentSavePlan.one(3, in: m))
        XCTAssertNil(try AttachmentSavePlan.one(0, in: m))
    }

    func testAttachmentHiddenInNonChosenAlternativeIsStillListed() {
        let m = message("""
        Content-Type: multipart/alternative; boundary=a

        --a
        Content-Type: text/plain

        plain
        --a
        Content-Type: multipart/mixed; boundary=m

        --m
        Content-Type: text/html

        <p>html</p>
        --m
        Content-Type: application/pdf; name=doc.pdf

        PDF
        --m--
        --a--
        """)
        let r = MessageRenderer.render(m, options: utc)
        XCTAssertEqual(r.attachments.map(\.filename), ["doc.pdf"])
        XCTAssertEqual(r.lines.first?.text, "plain")
    }

    func testRelatedListsResourcesWithoutMarkers() {
        let m = message("""
        Content-Type: multipart/related; boundary=r; start="<root@x>"

        --r
        Content-Type: image/gif
        Content-ID: <img@x>

        GIF
        --r
        Content-Type: text/plain
        Content-ID: <root@x>

        root text
        --r--
        """)
        let r = MessageRenderer.render(m, options: utc)
        XCTAssertEqual(r.lines.map(\.text), ["root text"])
        XCTAssertEqual(r.attachments.map(\.mimeType), ["image/gif"])
    }

    func testEmbeddedMessageIsInlineWithItsHeaders() throws {
        let m = message("""
        Subject: outer
        Content-Type: multipart/mixed; boundary=o

        --o
        Content-Type: text/plain

        Forwarding this.
        --o
        Content-Type: message/rfc822

        From: Inner <inner@x.org>
        Subject: inner subject
        Date: Mon, 4 Mar 2024 08:00:00 +0000

        inner body
        --o--
        """)
        let r = MessageRenderer.render(m, options: utc)
        XCTAssertEqual(r.lines.map(\.text), [
            "Forwarding this.",
            "",
            "[-- Attachment #1: message-1.eml (message/rfc822, 97 bytes) --]",
            "From: Inner <inner@x.org>",
            "Date: Mon, 4 Mar 2024 08:00:00 +0000",
            "Subject: inner subject",
            "",
            "inner body",
        ])
        XCTAssertEqual(r.lines[3].kind, .header)
        let eml = try XCTUnwrap(AttachmentSavePlan.one(1, in: m)?.entries.first).data()
        XCTAssertTrue(String(decoding: eml, as: UTF8.self).hasSuffix("inner body"))
    }

    func testMissingBoundaryIsGuessedAndBrokenOneShownAsText() {
        let guessed = message("""
        Content-Type: multipart/mixed

        --guess
        Content-Type: text/plain

        found it
        --guess--
        """)
        XCTAssertEqual(MessageRenderer.render(guessed, options: utc).lines.map(\.text), ["found it"])
        let broken = message("""
        Content-Type: multipart/mixed; boundary=nothere

        just some text
        """)
        XCTAssertEqual(MessageRenderer.render(broken, options: utc).lines.map(\.text), ["just some text"])
    }

    func testMissingCloseDelimiterKeepsLastPart() {
        let m = message("""
        Content-Type: multipart/mixed; boundary=b

        --b

        first
        --b

        second, truncated
        """)
        XCTAssertEqual(MessageRenderer.render(m, options: utc).lines.map(\.text), ["first", "", "second, truncated"])
    }

    func testPartialRenderDropsCutCharacter() {
        var m = message("Content-Type: text/plain; charset=utf-8\n\nGrüße aus K")
        m += [0xC3]
        let r = MessageRenderer.partialRender(m, options: utc)
        XCTAssertTrue(r.isPartial)
        XCTAssertEqual(r.lines.map(\.text), ["Grüße aus K"])
    }

    func testDepthPartAndLineBounds() {
        var nested = "Content-Type: multipart/mixed; boundary=b0\n\n"
        for d in 1...50 { nested += "--b\(d - 1)\nContent-Type: multipart/mixed; boundary=b\(d)\n\n" }
        nested += "--b50\n\ndeep text\n"
        let r = MessageRenderer.render(message(nested), options: utc)
        XCTAssertEqual(r.lines.last?.text, "[-- Some parts nest too deep or are too many and are only listed --]")
        XCTAssertEqual(r.attachments.count, 1)

        var many = "Content-Type: multipart/mixed; boundary=b\n\n"
        for k in 0..<5000 { many += "--b\n\npart \(k)\n" }
        var options = utc
        options.maxParts = 100
        let manyParts = MessageRenderer.render(message(many), options: options)
        XCTAssertEqual(manyParts.lines.filter { $0.text.hasPrefix("part ") }.count, 99)

        options.maxLines = 10
        let lines = MessageRenderer.render(message("Subject: x\n\n" + String(repeating: "l\n", count: 100)), options: options)
        XCTAssertEqual(lines.lines.count, 11)
        XCTAssertEqual(lines.lines.last?.text, "[-- Cut off after 10 lines --]")
    }

    func testNoSeparatorAndNoHeaders() {
        XCTAssertEqual(MessageRenderer.render(message("From: a@b\nHello there\n"), options: utc).lines.map(\.text), ["Hello there"])
        let r = MessageRenderer.render(message("no header here\nat all\n"), options: utc)
        XCTAssertEqual(r.briefHeaders, [])
        XCTAssertEqual(r.lines.map(\.text), ["no header here", "at all"])
    }

    func testEmptyInput() {
        let r = MessageRenderer.render([], options: utc)
        XCTAssertEqual(r.lines, [])
        XCTAssertEqual(r.attachments, [])
    }

    func testPlainTextDump() {
        let m = message("""
        From: a@b.c
        Subject: s
        Content-Type: multipart/mixed; boundary=b

        --b

        body
        --b
        Content-Type: application/zip; name=x.zip

        PK
        --b--
        """)
        XCTAssertEqual(MessageRenderer.render(m, options: utc).plainText, """
        From: a@b.c
        Subject: s

        body

        [-- Attachment #1: x.zip (application/zip, 2 bytes) --]

        Attachments:
          #1 x.zip (application/zip, 2 bytes)

        """)
    }

    func testHTMLLinksBecomeLinkLines() {
        let m = message("""
        Content-Type: text/html; charset=utf-8

        <p>Visit <a href="https://example.com/a">our shop</a> and <a href="https://example.com/b">blog</a>.</p>
        """)
        let r = MessageRenderer.render(m, options: utc)
        XCTAssertEqual(r.lines.filter { $0.kind == .link }.map(\.text), ["[1] https://example.com/a", "[2] https://example.com/b"])
        XCTAssertEqual(r.lines.first?.kind, .text)
    }

    func testHTMLCharsetIsSniffedFromMeta() {
        let m = message("Content-Type: text/html\n\n<meta charset=\"koi8-r\"><p>") + [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4] + message("</p>")
        XCTAssertEqual(MessageRenderer.render(m, options: utc).lines.map(\.text), ["Привет"])
    }

    func testFlowedQuotesKeepTheirLevel() {
        let m = message("Content-Type: text/plain; format=flowed\n\nReply \ntext\n> quoted \n> more\n>> deeper\n-- \nsig\n")
        let r = MessageRenderer.render(m, options: utc)
        XCTAssertEqual(r.lines, [
            BodyLine(kind: .text, text: "Reply text"),
            BodyLine(kind: .quote(level: 1), text: "> quoted more"),
            BodyLine(kind: .quote(level: 2), text: ">> deeper"),
            BodyLine(kind: .signature, text: "-- "),
            BodyLine(kind: .signature, text: "sig"),
        ])
    }

    func testSinglePartAttachmentMessage() throws {
        let m = message("""
        Subject: scan
        Content-Type: application/pdf; name="=?utf-8?q?Scan_=E2=84=961.pdf?="
        Content-Transfer-Encoding: base64

        JVBERi0xLjQ=
        """)
        let r = MessageRenderer.render(m, options: utc)
        XCTAssertEqual(r.attachments, [AttachmentInfo(index: 1, filename: "Scan №1.pdf", mimeType: "application/pdf", size: 8)])
        XCTAssertEqual(r.lines.map(\.kind), [.attachment])
        XCTAssertEqual(try AttachmentSavePlan.all(in: m).entries.map { $0.data() }, [Array("%PDF-1.4".utf8)])
    }

    func testEncodedEmbeddedMessageIsDecodedFirst() {
        let inner = "Subject: inside\n\nhidden body\n"
        let m = message("""
        Content-Type: message/rfc822
        Content-Transfer-Encoding: base64

        \(Data(inner.utf8).base64EncodedString())
        """)
        let r = MessageRenderer.render(m, options: utc)
        XCTAssertEqual(r.lines.map(\.text), ["[-- Attachment #1: message-1.eml (message/rfc822, 29 bytes) --]", "Subject: inside", "",
                                             "hidden body"])
    }

    func testSizeDescription() {
        func d(_ n: Int) -> String { AttachmentInfo(index: 1, filename: "", mimeType: "", size: n).sizeDescription }
        XCTAssertEqual(d(0), "0 bytes")
        XCTAssertEqual(d(1), "1 byte")
        XCTAssertEqual(d(1023), "1023 bytes")
        XCTAssertEqual(d(1024), "1.0 KB")
        XCTAssertEqual(d(1536), "1.5 KB")
        XCTAssertEqual(d(20 * 1024 * 1024), "20.0 MB")
    }
}

final class AttachmentNameTests: XCTestCase {
    func testSafeNames() {
        XCTAssertEqual(AttachmentName.safe("report.pdf"), "report.pdf")
        XCTAssertEqual(AttachmentName.safe("../../etc/passwd"), "passwd")
        XCTAssertEqual(AttachmentName.safe("C:\\Users\\me\\evil.exe"), "evil.exe")
        XCTAssertEqual(AttachmentName.safe(".bashrc"), "bashrc")
        XCTAssertEqual(AttachmentName.safe("-rf"), "rf")
        XCTAssertEqual(AttachmentName.safe("..."), "attachment")
        XCTAssertEqual(AttachmentName.safe(""), "attachment")
        XCTAssertEqual(AttachmentName.safe("/"), "attachment")
        XCTAssertEqual(AttachmentName.safe("a..b"), "a.b")
        XCTAssertEqual(AttachmentName.safe("bad\u{0}\u{1B}[31mname\u{202E}txt.exe"), "badnametxt.exe")
        XCTAssertEqual(AttachmentName.safe("what?:*.txt"), "what___.txt")
        XCTAssertEqual(AttachmentName.safe("trailing. "), "trailing")
        let long = AttachmentName.safe(String(repeating: "é", count: 300) + ".pdf")
        XCTAssertLessThanOrEqual(long.utf8.count, 255)
        XCTAssertTrue(long.hasSuffix(".pdf"))
        // A cut right after a dot must not join it to the extension's (found by the fuzzer).
        let cutAtDot = AttachmentName.safe(String(repeating: "a", count: 250) + ".yyyy.pdf")
        XCTAssertEqual(cutAtDot, String(repeating: "a", count: 250) + ".pdf")
        // One character longer than the whole limit, then a dotfile's name: the cut must not
        // leave the dotfile.
        for planted in [".bashrc", ".profile", ".gitconfig"] {
            let name = AttachmentName.safe("x" + String(repeating: "\u{0301}", count: 200) + planted)
            XCTAssertFalse(name.hasPrefix("."), name)
            XCTAssertLessThanOrEqual(name.utf8.count, 255)
        }
    }

    /// The properties every saved name has, over random names built from the pieces hostile
    /// names are made of: combining marks, bidi controls, NUL and other controls, `/`, `\`,
    /// `..`, leading dots and dashes, wide and astral characters, 1 to 4,000 bytes.
    func testEverySafeNameIsOneHarmlessComponent() {
        let pieces = [
            "a", "Z", "7", " ", ".", "..", "-", "~", "/", "\\", ":", "\u{0}", "\u{1B}[31m", "\u{7}", "\u{85}",
            "\u{0301}", "\u{0301}\u{0301}\u{0301}", "\u{202E}", "\u{2066}", "\u{200B}", "\u{FEFF}", "é", "中", "😀",
            ".bashrc", ".pdf", "-rf", "\t", "\r\n", String(repeating: "\u{0301}", count: 150), "x.", ".1",
        ]
        var random = SeededRandom(seed: 0x6D61_696C_6261_67)
        func check(_ name: String) {
            let safe = AttachmentName.safe(name)
            XCTAssertFalse(safe.isEmpty)
            XCTAssertFalse(safe.hasPrefix(".") || safe.hasPrefix("-"), safe)
            XCTAssertFalse(safe.contains("/") || safe.contains("\u{0}"), safe)
            XCTAssertFalse(safe.contains(".."), safe)
            XCTAssertLessThanOrEqual(safe.utf8.count, 255, safe)
            XCTAssertNotNil(String(validating: Array(safe.utf8), as: UTF8.self))
            XCTAssertEqual(AttachmentName.safe(safe), safe, "safe names are left as they are")
        }
        for _ in 0..<3_000 {
            var name = ""
            let target = 1 + random.below(4_000)
            while name.utf8.count < target { name += pieces[random.below(pieces.count)] }
            check(name)
        }
        // Random names rarely put a dot exactly where the cut falls, the joint between the cut
        // stem and the kept extension: try every position near it.
        for stem in 240...260 {
            for gap in 0...6 {
                check(String(repeating: "a", count: stem) + "." + String(repeating: "b", count: gap) + ".pdf")
            }
        }
    }
}
