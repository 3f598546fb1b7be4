import Foundation
import Inbox
import MailMessage
import XCTest

/// The model sorted by threads: collapse, marks on hidden rows, thread navigation.
final class ThreadedInboxTests: XCTestCase {
    /// Seven messages: 1 ← 2 ← 3 and 1 ← 5 (thread A), 4 alone, 6 ← 7 (thread B), newest last.
    private func threadedModel() -> InboxModel {
        let model = makeModel(7)
        let parents = [2: 1, 3: 2, 5: 1, 7: 6]
        model.apply(parents.map { number, parent in
            var reply = summary(number, subject: "Re: Subject \(parent)")
            reply.inReplyTo = "<\(parent)@example.org>"
            return InboxEvent.summary(number: number, reply)
        })
        model.sort(by: .threads)
        return model
    }

    private func shown(_ model: InboxModel) -> [Int] { (0..<model.visibleCount).map { model.visibleRow($0).number } }

    func testSortingByThreadsGroupsRepliesUnderWhatTheyAnswer() {
        let model = threadedModel()
        XCTAssertEqual(shown(model), [4, 1, 2, 3, 5, 6, 7])
        XCTAssertEqual((0..<7).map { model.threadRow($0)?.tree }, ["", "", "├─>", "│ └─>", "└─>", "", "└─>"])
        XCTAssertEqual(model.threadRow(2)?.hidesSubject, true, "2 says Re: Subject 1, as 1 does")
        XCTAssertEqual(model.threadRow(3)?.hidesSubject, false, "3 answers 2 but says Re: Subject 2")
        XCTAssertEqual(model.selectedRow?.number, 7, "the selection stays on the message it was on")
        model.sort(by: .threads)
        XCTAssertEqual(shown(model), [6, 7, 1, 2, 3, 5, 4], "again reverses the order of threads")
        model.sort(by: .number)
        XCTAssertNil(model.threadRow(0))
        XCTAssertEqual(model.toggleSelectedThread(), .notThreaded)
        XCTAssertNil(model.selectThread(forward: true))
    }

    func testCollapsedThreadsShowTheirHiddenMarksAndExpandAgain() throws {
        let model = threadedModel()
        XCTAssertTrue(model.select(number: 3))
        model.markSelectedAndAdvance()
        model.toggleTagSelectedAndAdvance()  // tags 5
        XCTAssertTrue(model.select(number: 2))
        XCTAssertEqual(model.toggleSelectedThread(), .collapsed(hidden: 3))
        XCTAssertEqual(shown(model), [4, 1, 6, 7])
        XCTAssertEqual(model.selectedRow?.number, 1, "the selection moves to the thread's first row")
        let collapsed = try XCTUnwrap(model.threadRow(1))
        XCTAssertEqual(collapsed.hidden, 3)
        // Nothing here has been read: the hidden messages are unread and old (seen before) too.
        XCTAssertEqual(collapsed.hiddenFlags, [.marked, .tagged, .unread, .old])
        XCTAssertEqual(collapsed.tree, "")
        XCTAssertEqual(model.status.marked, 1)
        XCTAssertEqual(model.commitPlan().entries.map(\.number), [3], "a hidden mark is still committed")
        XCTAssertEqual(model.toggleSelectedThread(), .expanded(shown: 4))
        XCTAssertEqual(shown(model), [4, 1, 2, 3, 5, 6, 7])
        XCTAssertEqual(model.threadRow(1)?.hidden, 0)
        model.selectFirst()
        XCTAssertEqual(model.toggleSelectedThread(), .single)
    }

    func testCollapsingSurvivesNewHeadersAndJumpingIntoAThreadOpensIt() {
        let model = threadedModel()
        XCTAssertTrue(model.select(number: 6))
        _ = model.toggleSelectedThread()
        XCTAssertEqual(shown(model), [4, 1, 2, 3, 5, 6])
        model.apply(.summary(number: 4, summary(4, subject: "Changed")))
        XCTAssertEqual(shown(model), [4, 1, 2, 3, 5, 6], "a collapsed thread stays collapsed while headers arrive")
        XCTAssertTrue(model.select(number: 7))
        XCTAssertEqual(shown(model), [4, 1, 2, 3, 5, 6, 7])
        XCTAssertEqual(model.selectedRow?.number, 7)
    }

    func testAPatternActionTakesMessagesInCollapsedThreads() {
        let model = threadedModel()
        XCTAssertEqual(model.toggleAllThreads()?.collapsed, true)
        XCTAssertEqual(shown(model), [4, 1, 6])
        let pattern = try! MessagePattern("~s \"Re: Subject 1\"", now: Date())
        XCTAssertEqual(model.change(.tag, matching: pattern).changed, 2)
        XCTAssertEqual(model.threadRow(1)?.hiddenFlags, [.tagged, .unread, .old])
        XCTAssertEqual(model.toggleAllThreads()?.collapsed, false)
        XCTAssertEqual(shown(model).count, 7)
    }

    func testSearchFindsAMessageInACollapsedThreadAndOpensIt() throws {
        let model = threadedModel()
        _ = model.toggleAllThreads()
        model.selectFirst()
        XCTAssertEqual(model.search(try MessagePattern("~s \"Subject 6\"", now: Date())), .found(wrapped: false))
        XCTAssertEqual(model.selectedRow?.number, 6)
        XCTAssertEqual(model.searchAgain(), .found(wrapped: false))
        XCTAssertEqual(model.selectedRow?.number, 7, "the collapsed thread opened to show the match")
        XCTAssertEqual(shown(model), [4, 1, 6, 7])
        XCTAssertEqual(model.searchAgain(), .found(wrapped: true))
        XCTAssertEqual(model.selectedRow?.number, 6)
    }

    func testNextAndPreviousThread() {
        let model = threadedModel()
        model.selectFirst()
        XCTAssertEqual(model.selectThread(forward: true), true)
        XCTAssertEqual(model.selectedRow?.number, 1)
        model.moveSelection(by: 2)
        XCTAssertEqual(model.selectThread(forward: true), true)
        XCTAssertEqual(model.selectedRow?.number, 6)
        XCTAssertEqual(model.selectThread(forward: true), false)
        XCTAssertEqual(model.selectThread(forward: false), true)
        XCTAssertEqual(model.selectedRow?.number, 1)
        XCTAssertEqual(model.selectThread(forward: false), true)
        XCTAssertEqual(model.selectThread(forward: false), false)
        XCTAssertEqual(model.selectedRow?.number, 4)
    }

    func testTheLimitThreadsOnlyWhatItShows() throws {
        let model = threadedModel()
        model.setLimit(try MessagePattern("~s \"Subject 1\"", now: Date()))
        XCTAssertEqual(shown(model), [1, 2, 5])
        XCTAssertEqual((0..<3).map { model.threadRow($0)?.tree }, ["", "├─>", "└─>"])
    }
}
