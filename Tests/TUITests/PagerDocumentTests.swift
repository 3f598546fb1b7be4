import Inbox
import MailMessage
import XCTest
@testable import TUI

final class PagerDocumentTests: XCTestCase {
    private let message = RenderedMessage(
        briefHeaders: [HeaderLine(name: "Subject", value: "A subject long enough to wrap onto a second line here")],
        fullHeaders: [HeaderLine(name: "X-A-Very-Long-Header-Name-Indeed", value: "value")],
        lines: [
            BodyLine(kind: .text, text: "plain\ttabbed"),
            BodyLine(kind: .quote(level: 1), text: "> one"),
            BodyLine(kind: .quote(level: 2), text: "> > two"),
            BodyLine(kind: .quote(level: 5), text: "> > > > > five"),
            BodyLine(kind: .signature, text: "-- "),
            BodyLine(kind: .link, text: "[1] https://example.org/"),
            BodyLine(kind: .attachment, text: "[-- Attachment #1: a.pdf --]"),
            BodyLine(kind: .header, text: "From: someone"),
        ],
        attachments: [AttachmentInfo(index: 1, filename: "a.pdf", mimeType: "application/pdf", size: 2048)])

    func testStylesFollowLineKinds() {
        let document = PagerDocument(message: message, raw: nil, mode: .brief, width: 80)
        let styles = document.lines.map { $0.spans.last!.style }
        XCTAssertEqual(Array(styles.suffix(8)), [.pagerText, .quote1, .quote2, .quote3, .signature, .link, .attachment, .headerName])
        XCTAssertEqual(document.lines[1].text, "Attachment: [1] a.pdf (application/pdf, 2.0 KB)")
        XCTAssertEqual(document.lines[3].text, "plain   tabbed", "tabs expand to the next stop")
    }

    /// Issue 18: the raw view ran every CRLF line together ("\r\n" is one Character).
    func testRawViewShowsOneLinePerLineOfTheMessage() {
        let raw = Array("Date: Wed, 2 Dec 2026 10:00:00 +0000\r\nFrom: =?euc-kr?B?x9GxuQ==?= <a@example.kr>\r\nSubject: hi\r\n\r\nbody\nbare LF\r\n".utf8)
        let document = PagerDocument(message: message, raw: raw, mode: .raw, width: 200)
        XCTAssertEqual(document.lines.map(\.text), [
            "Date: Wed, 2 Dec 2026 10:00:00 +0000", "From: =?euc-kr?B?x9GxuQ==?= <a@example.kr>", "Subject: hi", "", "body", "bare LF", "",
        ])
    }

    func testHeaderValuesWrapUnderTheValue() {
        let document = PagerDocument(message: message, raw: nil, mode: .brief, width: 30)
        XCTAssertEqual(document.lines[0].text, "Subject: A subject long enough")
        XCTAssertTrue(document.lines[1].text.hasPrefix("         "), "continuations line up under the value")
        XCTAssertTrue(document.lines.allSatisfy { TerminalText.width(of: $0.text) <= 30 })
        XCTAssertEqual(document.lines[0].source, document.lines[1].source)
    }

    func testAHeaderNameWiderThanTheScreenStillShowsItsValue() {
        let document = PagerDocument(message: message, raw: nil, mode: .fullHeaders, width: 20)
        XCTAssertTrue(document.lines.contains { $0.text.contains("value") })
        XCTAssertTrue(document.lines.allSatisfy { TerminalText.width(of: $0.text) <= 20 })
    }

    func testHighlightSplitsSpansAtMatchesIgnoringCase() {
        let spans = PagerDocument.highlight([Span("Foo bar FOO", .pagerText)], "foo")
        XCTAssertEqual(spans, [Span("Foo", .searchMatch), Span(" bar ", .pagerText), Span("FOO", .searchMatch)])
        XCTAssertEqual(PagerDocument.highlight([Span("x", .link)], nil), [Span("x", .link)])
    }

    func testFindWrapsBothWays() {
        let document = PagerDocument(message: message, raw: nil, mode: .brief, width: 80)
        let two = document.lines.firstIndex { $0.text == "> > two" }!
        XCTAssertEqual(document.find("TWO", after: 0, forward: true)?.line, two)
        XCTAssertEqual(document.find("two", after: two, forward: true)?.wrapped, true)
        XCTAssertEqual(document.find("subject", after: 0, forward: false)?.wrapped, true)
        XCTAssertNil(document.find("absent", after: 0, forward: true))
    }
}
