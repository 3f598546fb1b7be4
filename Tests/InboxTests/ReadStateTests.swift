import Foundation
@testable import Inbox
import MailMessage
import XCTest

/// Issue 18 item 4: read and flagged states, mutt's meaning of new (`N`) and old (`O`), and the
/// patterns that select by them.
final class ReadStateTests: XCTestCase {
    /// The messages a limit to `text` shows.
    private func numbers(_ model: InboxModel, _ text: String) -> [Int] {
        model.setLimit(pattern(text))
        defer { model.setLimit(nil) }
        return (0..<model.visibleCount).map { model.visibleRow($0).number }
    }

    func testOpeningReadsAMessageAndTheCountsFollow() {
        let model = makeModel(5)
        model.apply(.newMessages(uids: ["uid-4", "uid-5"]))
        XCTAssertEqual(model.status.unread, 5)
        XCTAssertEqual(model.status.new, 2)
        model.markRead(number: 5)
        model.markRead(number: 5)
        model.markRead(number: 1)
        XCTAssertEqual(model.rows.filter(model.isRead).map(\.number), [1, 5])
        XCTAssertEqual(model.rows.filter(model.isNew).map(\.number), [4], "read mail is never new")
        XCTAssertEqual(model.status.unread, 3)
        XCTAssertEqual(model.status.new, 1)
        XCTAssertEqual(model.takeUnsavedStates(), ["uid-1": MessageState(read: true), "uid-5": MessageState(read: true)])
        XCTAssertEqual(model.takeUnsavedStates(), [:], "each change is handed over once")
    }

    func testNAndFToggleAndUndoRestoresThem() {
        let model = makeModel(3)
        model.select(number: 2)
        XCTAssertEqual(model.toggleReadSelected().summary, "marked message 2 read")
        XCTAssertEqual(model.toggleFlagSelected().summary, "flagged message 2")
        XCTAssertTrue(model.isRead(model.selectedRow!))
        XCTAssertTrue(model.isFlagged(model.selectedRow!))
        XCTAssertEqual(model.toggleReadSelected().summary, "marked message 2 unread")
        XCTAssertFalse(model.isRead(model.selectedRow!))
        XCTAssertEqual(model.undo()?.summary, "marked message 2 unread")
        XCTAssertTrue(model.isRead(model.selectedRow!))
        XCTAssertEqual(model.undo()?.summary, "flagged message 2")
        XCTAssertFalse(model.isFlagged(model.selectedRow!))
        XCTAssertEqual(model.status.unread, 2)
        XCTAssertEqual(model.takeUnsavedStates(), ["uid-2": MessageState(read: true)], "the latest state of each UID")
    }

    func testTaggedTogglesReadAllThenUnreadAll() {
        let model = makeModel(4)
        model.markRead(number: 1)
        model.change(.tag, matching: pattern("~z <350"))
        XCTAssertEqual(model.toggleReadTagged(), FlagChangeOutcome(matched: 3, changed: 2, summary: "marked 2 messages read"))
        XCTAssertEqual(model.toggleReadTagged(), FlagChangeOutcome(matched: 3, changed: 3, summary: "marked 3 messages unread"))
        XCTAssertEqual(model.toggleFlagTagged().summary, "flagged 3 messages")
        XCTAssertEqual(model.toggleFlagTagged().summary, "unflagged 3 messages")
        XCTAssertEqual(model.undo()?.summary, "unflagged 3 messages")
        XCTAssertEqual(model.rows.filter(model.isFlagged).map(\.number), [1, 2, 3])
        XCTAssertEqual(model.status.unread, 4)
    }

    func testPatternsSelectByReadStateAsMuttDoes() {
        let model = makeModel(5)
        model.apply(.newMessages(uids: ["uid-4", "uid-5"]))
        model.markRead(number: 1)
        model.markRead(number: 5)
        model.select(number: 3)
        model.toggleFlagSelected()
        XCTAssertEqual(numbers(model, "~N"), [4], "new: unread and not in the previous visit")
        XCTAssertEqual(numbers(model, "~O"), [2, 3], "old: unread and listed before")
        XCTAssertEqual(numbers(model, "~U"), [2, 3, 4])
        XCTAssertEqual(numbers(model, "~R"), [1, 5])
        XCTAssertEqual(numbers(model, "~F"), [3])
        XCTAssertEqual(numbers(model, "~U !~F"), [2, 4])
    }

    func testStoredStatesArriveAfterTheListingAndTheSessionWins() {
        let model = makeModel(3)
        model.markRead(number: 3)
        model.select(number: 3)
        model.toggleReadSelected()
        _ = model.takeUnsavedStates()
        // The cache was read before the user made message 3 unread again.
        model.apply(.messageStates(["uid-1": MessageState(read: true, flagged: true), "uid-3": MessageState(read: true), "gone": MessageState(read: true)]))
        XCTAssertEqual(model.rows.filter(model.isRead).map(\.number), [1])
        XCTAssertEqual(model.rows.filter(model.isFlagged).map(\.number), [1])
        XCTAssertEqual(model.status.unread, 2)
        XCTAssertEqual(model.takeUnsavedStates(), [:], "what came from the cache is not written back")
    }

    /// A server without UIDL: the state holds by the header for the session, and nothing is
    /// handed over to be kept, since nothing would name the message on the next visit.
    func testRowsWithoutUIDsKeepTheirStateForTheSessionOnly() {
        let model = makeModel(2, uids: false, loaded: false)
        let fingerprint = HeaderFingerprint(headerBytes: Array("Subject: x\r\n\r\n".utf8))
        model.apply(.summary(number: 1, summary(1), fingerprint: fingerprint))
        model.markRead(number: 1)
        model.select(number: 2)
        model.toggleFlagSelected()
        XCTAssertEqual(model.takeUnsavedStates(), [:])
        XCTAssertEqual(model.status.unread, 1)
        // A new session renumbers: the header still names message 1, the number names nothing.
        model.apply(.listing([MessageListing(number: 1, uid: nil, size: 200), MessageListing(number: 2, uid: nil, size: 100)], session: 1))
        model.apply(.summary(number: 2, summary(1), fingerprint: fingerprint))
        XCTAssertEqual(model.rows.filter(model.isRead).map(\.number), [2])
        XCTAssertEqual(model.rows.filter(model.isFlagged).map(\.number), [])
        XCTAssertEqual(model.status.unread, 1)
    }

    /// A first visit shows rows before their UIDs: a message read then is kept once its UID comes.
    func testAStateSetBeforeTheUIDsIsKeptByUIDOnceTheyCome() {
        let model = makeModel(2, uids: false)
        model.markRead(number: 2)
        XCTAssertEqual(model.takeUnsavedStates(), [:])
        model.apply(.identified([MessageListing(number: 1, uid: "a", size: 100), MessageListing(number: 2, uid: "b", size: 200)]))
        XCTAssertEqual(model.takeUnsavedStates(), ["b": MessageState(read: true)])
        XCTAssertEqual(model.rows.filter(model.isRead).map(\.number), [2])
    }
}
