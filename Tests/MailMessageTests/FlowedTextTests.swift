import MailMessage
import XCTest

final class FlowedTextTests: XCTestCase {
    private func reflow(_ text: String, delSp: Bool = false) -> [String] {
        FlowedText.reflow(text, delSp: delSp).map { "\($0.quoteLevel)|\($0.text)" }
    }

    func testSoftBreaksJoinAndKeepTheirSpace() {
        let text = "This is a long \r\nparagraph that was \r\nwrapped.\r\nA fixed line.\r\n\r\nNext paragraph.\r\n"
        XCTAssertEqual(reflow(text), [
            "0|This is a long paragraph that was wrapped.",
            "0|A fixed line.",
            "0|",
            "0|Next paragraph.",
        ])
    }

    func testDelSpRemovesTheSoftBreakSpace() {
        // DelSp=yes lets senders break inside words, as for languages written without spaces.
        let text = "Donaudampf \nschifffahrt \ngesellschaft.\n日本語の \n文章です。\n"
        XCTAssertEqual(reflow(text, delSp: true), ["0|Donaudampfschifffahrtgesellschaft.", "0|日本語の文章です。"])
        XCTAssertEqual(reflow(text, delSp: false), ["0|Donaudampf schifffahrt gesellschaft.", "0|日本語の 文章です。"])
    }

    func testQuotedReplyKeepsLevels() {
        let text = """
        Sounds good, see \r
        you then.\r
        \r
        On Mon, Ann wrote:\r
        > Lunch on Friday? We could \r
        > try the new place.\r
        >\r
        >> Are you free this \r
        >> week?\r
        > Let me know.\r
        """
        XCTAssertEqual(FlowedText.reflow(text, delSp: false).map(\.quoteLevel), [0, 0, 0, 1, 1, 2, 1])
        XCTAssertEqual(reflow(text), [
            "0|Sounds good, see you then.",
            "0|",
            "0|On Mon, Ann wrote:",
            "1|Lunch on Friday? We could try the new place.",
            "1|",
            "2|Are you free this week?",
            "1|Let me know.",
        ])
    }

    func testChangeOfQuoteDepthEndsAFlowedParagraph() {
        let text = "> quoted and flowed \nnot quoted \n>> deeper\n"
        XCTAssertEqual(reflow(text), ["1|quoted and flowed ", "0|not quoted ", "2|deeper"])
        XCTAssertEqual(reflow(text, delSp: true), ["1|quoted and flowed", "0|not quoted", "2|deeper"])
    }

    func testSpaceStuffingIsRemoved() {
        let text = " From the start\n  indented by one\n> >not a second level\n>  stuffed quote\n"
        XCTAssertEqual(reflow(text), [
            "0|From the start",
            "0| indented by one",
            "1|>not a second level",
            "1| stuffed quote",
        ])
    }

    func testSignatureSeparatorIsNeverFlowed() {
        let text = "Cheers, \n-- \nBob \nExample Corp\n> -- \n> quoted sig\n"
        XCTAssertEqual(reflow(text), ["0|Cheers, ", "0|-- ", "0|Bob Example Corp", "1|-- ", "1|quoted sig"])
    }

    func testEdgeCases() {
        XCTAssertEqual(reflow(""), [])
        XCTAssertEqual(reflow("\n"), ["0|"])
        XCTAssertEqual(reflow("no newline at end"), ["0|no newline at end"])
        XCTAssertEqual(reflow("dangling soft break "), ["0|dangling soft break "])
        XCTAssertEqual(reflow("dangling soft break ", delSp: true), ["0|dangling soft break"])
        XCTAssertEqual(reflow(">>>\n"), ["3|"])
        XCTAssertEqual(reflow("a \n\nb"), ["0|a ", "0|b"])
    }
}
