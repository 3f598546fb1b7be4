import Foundation
import Inbox
import MailMessage
import XCTest
@testable import TUI

final class ReaderTaggingTests: XCTestCase {
    private func tagged(_ h: ReaderHarness) -> [Int] { h.reader.model.rows.filter(h.reader.model.isTagged).map(\.number) }
    private func marked(_ h: ReaderHarness) -> [Int] { h.reader.model.rows.filter(h.reader.model.isMarked).map(\.number) }

    func testTTagsAndMovesOnAndTheIndexShowsIt() {
        let h = ReaderHarness(count: 4, width: 100)
        h.press(.home)
        h.type("dktt")  // mark 1, back to it, tag 1 and 2
        XCTAssertEqual(tagged(h), [1, 2])
        XCTAssertEqual(h.reader.model.selectedRow?.number, 3)
        let frame = h.frame()
        XCTAssertTrue(frame.lines[1].text.hasPrefix("1 D*   "), frame.lines[1].text)
        XCTAssertTrue(frame.lines[2].text.hasPrefix("2  *  @"), frame.lines[2].text)
        XCTAssertEqual(frame.lines[1].fill, .indexMarked, "the deletion mark shows first")
        XCTAssertTrue(frame.lines[1].spans.contains { $0.text == "*" && $0.style == .indexTagged })
        XCTAssertEqual(frame.lines[2].fill, .indexTagged)
        XCTAssertTrue(frame.lines[22].text.contains("1 marked (1001B) | 2 tagged"), frame.lines[22].text)
        h.type("kt")
        XCTAssertEqual(tagged(h), [1])
    }

    func testTPatternThenSemicolonDMarksExactlyTheTaggedUIDs() {
        let h = ReaderHarness(count: 12)
        h.type("T")
        XCTAssertEqual(h.reader.prompt?.label, "Tag the messages matching: ")
        h.type("~s \"number 1\"\n")
        XCTAssertEqual(tagged(h), [1, 10, 11, 12])
        XCTAssertEqual(h.reader.notice?.text, "Tagged 4 messages.")
        h.type(";")
        XCTAssertEqual(h.reader.prompt?.label, "4 tagged messages: d mark for deletion, u unmark, t untag, N read/unread, F flag/unflag, s save, A archive, | pipe: ")
        h.type("d")
        XCTAssertNil(h.reader.prompt)
        XCTAssertEqual(marked(h), [1, 10, 11, 12])
        XCTAssertEqual(h.reader.notice?.text, "Marked 4 messages for deletion.")
        h.type("qy")
        XCTAssertEqual(h.backend.calls.last, .commit(CommitPlan(entries: [1, 10, 11, 12].map {
            MessageListing(number: $0, uid: "uid-\($0)", size: 1000 + $0)
        })))
    }

    func testSemicolonWithoutTagsOrWithAnUnsupportedKeySaysSo() {
        let h = ReaderHarness(count: 3)
        h.type(";")
        XCTAssertNil(h.reader.prompt)
        XCTAssertEqual(h.reader.notice, Notice(text: "No tagged messages: tag with t, or T and a pattern.", isError: true))
        h.type("t;x")
        XCTAssertNotNil(h.reader.prompt, "a key that is no tag action leaves the question up")
        h.type("\u{1B};\u{1B}")
        XCTAssertNil(h.reader.prompt)
        XCTAssertEqual(h.backend.calls, [])
        h.type(";t")
        XCTAssertEqual(tagged(h), [])
        XCTAssertEqual(h.reader.notice?.text, "Untagged message 3.")
    }

    func testDPatternUPatternAndCtrlT() {
        let h = ReaderHarness(count: 5)
        h.type("D~z >1003\n")
        XCTAssertEqual(marked(h), [4, 5])
        XCTAssertTrue(h.screenText.contains("2 marked"))
        h.type("D~z >1003\n")
        XCTAssertEqual(h.reader.notice?.text, "Nothing changed: the messages matching “~z >1003” already were marked for deletion.")
        h.type("U~f \"sender 5\"\n")
        XCTAssertEqual(marked(h), [4])
        h.type("T~A\n")
        h.press(.control("t"))
        XCTAssertEqual(h.reader.prompt?.label, "Untag the messages matching: ")
        h.type("~D\n")
        XCTAssertEqual(tagged(h), [1, 2, 3, 5])
        h.type("Dnobody\n")
        XCTAssertEqual(h.reader.notice, Notice(text: "No shown message matches “nobody”.", isError: true))
    }

    func testABadPatternIsExplainedAndChangesNothing() {
        let h = ReaderHarness(count: 3)
        h.type("D~z >1Q\n")
        XCTAssertEqual(h.reader.notice?.isError, true)
        XCTAssertEqual(h.reader.notice?.text, PatternError.badSize(">1Q").description)
        XCTAssertEqual(marked(h), [])
        h.type("l(~s x\n")
        XCTAssertEqual(h.reader.notice?.text, PatternError.unclosedParenthesis.description)
        XCTAssertNil(h.reader.model.limit)
        h.type("D\n")
        XCTAssertNil(h.reader.notice, "an empty pattern does nothing")
    }

    func testLimitAndSearchTakeTheSamePatterns() {
        let h = ReaderHarness(count: 6, width: 100)
        h.type("D~z <1003\n")
        h.type("l!~D\n")
        XCTAssertEqual(h.reader.model.visibleCount, 4)
        XCTAssertTrue(h.screenText.contains("limit “!~D”: 4 shown"))
        h.type("l")
        XCTAssertEqual(h.reader.prompt?.text, "!~D")
        h.press(.control("u"))
        h.type("\n")
        XCTAssertEqual(h.reader.model.visibleCount, 6)
        h.press(.home)
        h.type("/~D ~s 2\n")
        XCTAssertEqual(h.reader.model.selectedRow?.number, 2)
    }

    func testUndoTakesBackTheLastActionWholeAndSaysWhat() {
        let h = ReaderHarness(count: 14)
        h.type("D~s \"number 1\"\n")
        XCTAssertEqual(marked(h), [1, 10, 11, 12, 13, 14])
        h.press(.home)
        h.type("d")
        XCTAssertEqual(marked(h), [1, 10, 11, 12, 13, 14], "already marked: nothing to undo there")
        h.type("z")
        XCTAssertEqual(h.reader.notice, Notice(text: "Undid: marked 6 messages for deletion", isError: false))
        XCTAssertEqual(marked(h), [])
        XCTAssertTrue(h.screenText.contains("Undid: marked 6 messages for deletion"))
        h.type("z")
        XCTAssertEqual(h.reader.notice, Notice(text: "Nothing to undo.", isError: true))
    }

    func testUndoAfterTagPrefixAndInThePager() {
        let h = ReaderHarness(count: 4)
        h.press(.home)
        h.type("tt;d")
        XCTAssertEqual(marked(h), [1, 2])
        h.type("z")
        XCTAssertEqual(h.reader.notice?.text, "Undid: marked 2 messages for deletion")
        XCTAssertEqual(marked(h), [])
        XCTAssertEqual(tagged(h), [1, 2], "the tags stay: they were an earlier action")
        h.type("z")
        XCTAssertEqual(h.reader.notice?.text, "Undid: tagged message 2")
        h.press(.home)
        h.type("\n")
        h.deliver(1)
        h.deliver(2)
        XCTAssertEqual(h.reader.screen, .pager)
        XCTAssertTrue(h.screenText.contains("Message 1 [tagged]"), h.screenText)
        h.type("d")
        XCTAssertEqual(marked(h), [1])
        h.type("z")
        XCTAssertEqual(h.reader.notice?.text, "Undid: marked message 1 for deletion")
        XCTAssertEqual(marked(h), [])
    }
}
