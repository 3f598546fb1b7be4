import Foundation
import Inbox
import MailMessage
import XCTest
@testable import TUI

/// Issue 18 item 4 in the reader: opening reads, `N` and `F` as in mutt, the flags column and
/// the unread style, and what the backend is given to keep.
final class ReaderReadStateTests: XCTestCase {
    private func row(_ h: ReaderHarness, _ number: Int) -> FrameLine { h.frame().lines[number] }

    func testOpeningReadsTheMessageAndNInThePagerMakesItUnreadAgain() {
        let h = ReaderHarness(count: 3, read: false)
        XCTAssertTrue(row(h, 3).text.hasPrefix("3   O  "), row(h, 3).text)
        h.press(.enter)
        XCTAssertEqual(h.backend.remembered, [:], "nothing is read before it is shown")
        h.deliver(3)
        XCTAssertEqual(h.reader.screen, .pager)
        XCTAssertTrue(h.reader.model.isRead(h.reader.model.row(number: 3)!))
        XCTAssertEqual(h.backend.remembered, ["uid-3": MessageState(read: true)])
        XCTAssertFalse(h.frame().lines[22].text.contains("[unread]"))

        h.type("N")
        XCTAssertEqual(h.reader.screen, .pager, "the pager stays on the message")
        XCTAssertTrue(h.frame().lines[22].text.contains("Message 3 [unread]"), h.frame().lines[22].text)
        h.type("F")
        XCTAssertTrue(h.frame().lines[22].text.contains("Message 3 [unread] [flagged]"), h.frame().lines[22].text)
        XCTAssertEqual(h.backend.remembered, ["uid-3": MessageState(read: false, flagged: true)])
        h.type("q")
        h.type("k")
        XCTAssertTrue(row(h, 3).text.hasPrefix("3   O! "), row(h, 3).text)
        XCTAssertTrue(h.frame().lines[22].text.contains("3 unread"), h.frame().lines[22].text)
    }

    func testNAndFInTheIndexToggleMoveOnAndShowInTheFlagsColumn() {
        let h = ReaderHarness(count: 3, width: 100, read: false)
        h.press(.home)
        h.type("N")
        XCTAssertEqual(h.reader.model.selectedRow?.number, 2, "N moves on, as d and t do")
        XCTAssertTrue(row(h, 1).text.hasPrefix("1       "), row(h, 1).text)
        XCTAssertEqual(row(h, 1).fill, .indexRow, "a read row is an ordinary row")
        h.type("F")
        XCTAssertEqual(h.reader.model.selectedRow?.number, 3)
        let unreadFlagged = row(h, 2)
        XCTAssertTrue(unreadFlagged.text.hasPrefix("2   O!@"), unreadFlagged.text)
        XCTAssertEqual(unreadFlagged.fill, .indexUnread, "what is still to read stands out first")
        XCTAssertTrue(unreadFlagged.spans.contains { $0.text == "!" && $0.style == .indexFlagged })
        XCTAssertTrue(unreadFlagged.spans.contains { $0.text.contains("Subject number 2") && $0.style == .indexUnread })
        h.type("kN")
        XCTAssertTrue(row(h, 2).text.hasPrefix("2    !@"), row(h, 2).text)
        XCTAssertEqual(row(h, 2).fill, .indexFlagged)
        h.type("z")
        XCTAssertEqual(h.reader.notice?.text, "Undid: marked message 2 read")
        XCTAssertEqual(h.backend.remembered, ["uid-1": MessageState(read: true), "uid-2": MessageState(flagged: true)])
        XCTAssertTrue(h.frame().lines[22].text.contains("2 unread"), h.frame().lines[22].text)
    }

    func testSemicolonNAndFActOnEveryTaggedMessage() {
        let h = ReaderHarness(count: 3, read: false)
        h.type("T~z <1003\n;")
        XCTAssertEqual(h.reader.prompt?.label, "2 tagged messages: d mark for deletion, u unmark, t untag, N read/unread, F flag/unflag, s save, A archive, | pipe: ")
        h.type("N")
        XCTAssertEqual(h.reader.notice?.text, "Marked 2 messages read.")
        h.type(";N")
        XCTAssertEqual(h.reader.notice?.text, "Marked 2 messages unread.")
        h.type(";F")
        XCTAssertEqual(h.reader.notice?.text, "Flagged 2 messages.")
        XCTAssertEqual(h.backend.remembered, ["uid-1": MessageState(flagged: true), "uid-2": MessageState(flagged: true)])
        h.type("l~F ~U\n")
        XCTAssertEqual(h.reader.model.visibleCount, 2)
    }

    /// A message without a UID (a server without UIDL) is read for the session; nothing is
    /// handed to the backend to keep, since nothing would name it on the next visit.
    func testAMessageWithoutAUIDIsReadForTheSessionOnly() {
        let h = ReaderHarness(count: 0)
        h.reader.apply([.listing([MessageListing(number: 1, uid: nil, size: 10)])])
        h.press(.enter)
        h.deliver(1)
        h.type("F")
        XCTAssertNil(h.reader.notice, "before every header is in, the UIDs may still come")
        h.reader.apply([.headersComplete])
        h.type("F")
        XCTAssertEqual(h.reader.notice?.text,
                       "Read and flagged last until you quit: the server gives no UIDs (no UIDL) to remember messages by.")
        h.type("F")
        XCTAssertNil(h.reader.notice, "said once")
        XCTAssertTrue(h.reader.model.isRead(h.reader.model.row(number: 1)!))
        XCTAssertTrue(h.reader.model.isFlagged(h.reader.model.row(number: 1)!))
        XCTAssertEqual(h.backend.remembered, [:])
    }
}
