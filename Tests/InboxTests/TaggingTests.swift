import Foundation
@testable import Inbox
import MailMessage
import XCTest

final class TaggingTests: XCTestCase {
    private func tagged(_ model: InboxModel) -> [Int] { model.rows.filter(model.isTagged).map(\.number) }
    private func marked(_ model: InboxModel) -> [Int] { model.rows.filter(model.isMarked).map(\.number) }

    func testTTogglesTheTagAndMovesOn() {
        let model = makeModel(4)
        model.selectFirst()
        model.toggleTagSelectedAndAdvance()
        XCTAssertEqual(model.selectedRow?.number, 2)
        model.toggleTagSelectedAndAdvance()
        XCTAssertEqual(tagged(model), [1, 2])
        XCTAssertEqual(model.status.tagged, 2)
        model.select(number: 1)
        model.toggleTagSelectedAndAdvance()
        XCTAssertEqual(tagged(model), [2])
        XCTAssertTrue(model.commitPlan().isEmpty, "a tag deletes nothing")
    }

    func testPatternActionsTakeOnlyShownMatches() {
        let model = makeModel(6)
        model.apply(.summary(number: 2, summary(2, subject: "invoice March")))
        model.apply(.summary(number: 4, summary(4, subject: "Invoice April")))
        model.apply(.summary(number: 6, summary(6, from: "Billing", subject: "INVOICE May")))
        XCTAssertEqual(model.change(.tag, matching: pattern("~s invoice")), FlagChangeOutcome(matched: 3, changed: 3, summary: "tagged 3 messages"))
        XCTAssertEqual(tagged(model), [2, 4, 6])
        model.setLimit(pattern("~f billing"))
        XCTAssertEqual(model.change(.untag, matching: pattern("~A")), FlagChangeOutcome(matched: 1, changed: 1, summary: "untagged message 6"))
        XCTAssertEqual(tagged(model), [2, 4], "rows hidden by the limit are left alone")
        model.setLimit(nil)
        XCTAssertEqual(model.change(.tag, matching: pattern("~s invoice")), FlagChangeOutcome(matched: 3, changed: 1, summary: "tagged message 6"))
        XCTAssertEqual(model.change(.tag, matching: pattern("~s invoice")), FlagChangeOutcome(matched: 3, changed: 0, summary: nil))
        XCTAssertEqual(model.change(.mark, matching: pattern("~s nothing")), FlagChangeOutcome(matched: 0, changed: 0, summary: nil))
    }

    func testDAndUPatternsMarkAndUnmarkByIdentity() {
        let model = makeModel(5)
        model.change(.mark, matching: pattern("~z >250"))
        XCTAssertEqual(marked(model), [3, 4, 5])
        XCTAssertEqual(model.commitPlan().entries.map(\.uid), ["uid-3", "uid-4", "uid-5"])
        model.change(.unmark, matching: pattern("~D ~z <450"))
        XCTAssertEqual(marked(model), [5])
        XCTAssertEqual(model.status.marked, 1)
        XCTAssertEqual(model.status.markedSize, 500)
    }

    func testTagPrefixActionsTakeEveryTaggedMessage() {
        let model = makeModel(5)
        model.change(.tag, matching: pattern("~z 200-300 | ~z 500"))
        model.setLimit(pattern("~z <250"))
        XCTAssertEqual(model.changeTagged(.mark), FlagChangeOutcome(matched: 3, changed: 3, summary: "marked 3 messages for deletion"))
        XCTAssertEqual(marked(model), [2, 3, 5], "the status line counts every tagged message, and ; takes them all")
        XCTAssertEqual(model.changeTagged(.mark), FlagChangeOutcome(matched: 3, changed: 0, summary: nil))
        XCTAssertEqual(model.changeTagged(.unmark).changed, 3)
        XCTAssertEqual(marked(model), [])
        XCTAssertEqual(model.changeTagged(.untag).changed, 3)
        XCTAssertEqual(model.status.tagged, 0)
        XCTAssertEqual(model.changeTagged(.mark), FlagChangeOutcome(matched: 0, changed: 0, summary: nil))
    }

    func testMatchingSeesMarksTagsAndNewFlags() {
        let model = makeModel(4)
        model.apply(.newMessages(uids: ["uid-4"]))
        model.select(number: 1)
        model.markSelectedAndAdvance()
        model.toggleTagSelectedAndAdvance()
        model.change(.tag, matching: pattern("~N"))
        XCTAssertEqual(tagged(model), [2, 4])
        model.change(.mark, matching: pattern("~T !~N"))
        XCTAssertEqual(marked(model), [1, 2])
        model.setLimit(pattern("~D | ~T"))
        XCTAssertEqual(model.visibleCount, 3)
        model.setLimit(nil)
        model.selectFirst()
        XCTAssertEqual(model.search(pattern("!~D")), .found(wrapped: false))
        XCTAssertEqual(model.selectedRow?.number, 3)
    }

    func testUndoRestoresExactlyWhatTheLastActionChanged() {
        let model = makeModel(5)
        model.select(number: 2)
        model.markSelectedAndAdvance()
        model.change(.mark, matching: pattern("~z >150"))
        XCTAssertEqual(marked(model), [2, 3, 4, 5])
        XCTAssertEqual(model.undo(), UndoOutcome(summary: "marked 3 messages for deletion", notFound: 0))
        XCTAssertEqual(marked(model), [2], "the mark made before the pattern stays")
        XCTAssertEqual(model.undo(), UndoOutcome(summary: "marked message 2 for deletion", notFound: 0))
        XCTAssertEqual(marked(model), [])
        XCTAssertNil(model.undo())
    }

    func testUndoOfAnUnmarkOrUntagPutsThemBack() {
        let model = makeModel(4)
        model.change(.mark, matching: pattern("~A"))
        model.change(.tag, matching: pattern("~z <250"))
        model.change(.unmark, matching: pattern("~A"))
        model.changeTagged(.untag)
        XCTAssertEqual(marked(model), [])
        XCTAssertEqual(tagged(model), [])
        XCTAssertEqual(model.undo()?.summary, "untagged 2 messages")
        XCTAssertEqual(tagged(model), [1, 2])
        XCTAssertEqual(model.undo()?.summary, "unmarked 4 messages")
        XCTAssertEqual(marked(model), [1, 2, 3, 4])
        XCTAssertEqual(model.commitPlan().entries.map(\.uid), ["uid-1", "uid-2", "uid-3", "uid-4"])
        model.select(number: 3)
        model.unmarkSelected()
        XCTAssertEqual(model.undo()?.summary, "unmarked message 3")
        XCTAssertEqual(marked(model), [1, 2, 3, 4])
    }

    func testActionsThatChangeNothingAreNotUndone() {
        let model = makeModel(3)
        model.select(number: 1)
        model.markSelectedAndAdvance()
        model.select(number: 1)
        model.markSelectedAndAdvance()  // already marked
        model.unmarkSelected()  // 2 was never marked
        XCTAssertEqual(model.undo()?.summary, "marked message 1 for deletion")
        XCTAssertNil(model.undo())
    }

    func testTheHistoryIsBounded() {
        let model = makeModel(60)
        model.selectFirst()
        for _ in 0..<60 { model.markSelectedAndAdvance() }
        var undone = 0
        while model.undo() != nil { undone += 1 }
        XCTAssertEqual(undone, 50)
        XCTAssertEqual(marked(model), Array(1...10), "the oldest actions can no longer be undone")
    }

    func testUndoFindsMessagesByUIDInANewSession() {
        let model = makeModel(4)
        model.change(.mark, matching: pattern("~z >250"))  // 3 and 4
        model.change(.unmark, matching: pattern("~A"))
        // A new session: message 2 was deleted elsewhere, so 3 and 4 are now numbered 2 and 3.
        model.apply(.listing([
            MessageListing(number: 1, uid: "uid-1", size: 100),
            MessageListing(number: 2, uid: "uid-3", size: 300),
            MessageListing(number: 3, uid: "uid-4", size: 400),
        ], session: 1))
        XCTAssertEqual(model.undo(), UndoOutcome(summary: "unmarked 2 messages", notFound: 0))
        XCTAssertEqual(model.commitPlan().entries.map(\.uid), ["uid-3", "uid-4"])
    }

    func testUndoNeverTrustsAnOldSessionsNumber() {
        let model = makeModel(3, uids: false)
        model.select(number: 2)
        model.markSelectedAndAdvance()
        model.unmarkSelected()
        model.select(number: 2)
        model.unmarkSelected()
        model.apply(.listing([
            MessageListing(number: 1, uid: nil, size: 100),
            MessageListing(number: 2, uid: nil, size: 300),
        ], session: 1))
        XCTAssertEqual(model.undo(), UndoOutcome(summary: "unmarked message 2", notFound: 1))
        XCTAssertTrue(model.commitPlan().isEmpty, "number 2 of the new session may be another message")
    }

    func testTagsFollowTheirMessageAndGainItsUID() {
        let model = InboxModel(account: "a")
        model.apply(.listing([MessageListing(number: 1, uid: nil, size: 10), MessageListing(number: 2, uid: nil, size: 20)]))
        model.select(number: 2)
        model.toggleTagSelectedAndAdvance()
        model.apply(.identified([MessageListing(number: 1, uid: "u1", size: 10), MessageListing(number: 2, uid: "u2", size: 20)]))
        XCTAssertEqual(model.status.tagged, 1)
        model.apply(.listing([MessageListing(number: 1, uid: "u2", size: 20)], session: 1))
        XCTAssertEqual(tagged(model), [1], "the tag went with UID u2 to its new number")
        model.changeTagged(.mark)
        XCTAssertEqual(model.commitPlan().entries.map(\.uid), ["u2"])
    }

    func testTagsHeldByNumberDoNotSurviveANewSession() {
        let model = makeModel(2, uids: false)
        model.selectFirst()
        model.toggleTagSelectedAndAdvance()
        model.apply(.listing([MessageListing(number: 1, uid: nil, size: 100), MessageListing(number: 2, uid: nil, size: 200)], session: 1))
        XCTAssertEqual(model.status.tagged, 0)
    }
}
