import Foundation
import Inbox
import MailMessage
import XCTest

/// Builds a model with `count` messages whose summaries all arrived.
func makeModel(_ count: Int, uids: Bool = true, loaded: Bool = true) -> InboxModel {
    let model = InboxModel(account: "alice@example.org")
    let listings = (1...count).map { MessageListing(number: $0, uid: uids ? "uid-\($0)" : nil, size: $0 * 100) }
    model.apply(.listing(listings))
    if loaded {
        model.apply(listings.map { listing in
            InboxEvent.summary(number: listing.number, summary(listing.number))
        })
    }
    return model
}

func summary(_ n: Int, from: String? = nil, subject: String? = nil, date: Date? = nil) -> MessageSummary {
    MessageSummary(
        from: from ?? "Sender \(n)", fromAddress: "sender\(n)@example.org", to: "alice@example.org",
        subject: subject ?? "Subject \(n)", date: date ?? Date(timeIntervalSince1970: Double(n) * 86_400),
        messageID: "<\(n)@example.org>", hasAttachments: false)
}

final class InboxModelTests: XCTestCase {
    func testListingSelectsTheNewestMessage() {
        let model = makeModel(5)
        XCTAssertEqual(model.visibleCount, 5)
        XCTAssertEqual(model.selectedRow?.number, 5)
    }

    func testNavigationStopsAtBothEnds() {
        let model = makeModel(5)
        XCTAssertFalse(model.moveSelection(by: 1))
        XCTAssertTrue(model.moveSelection(by: -2))
        XCTAssertEqual(model.selectedRow?.number, 3)
        model.moveSelection(by: -100)
        XCTAssertEqual(model.selectedRow?.number, 1)
        model.selectLast()
        XCTAssertEqual(model.selectedRow?.number, 5)
        model.selectFirst()
        XCTAssertEqual(model.selectedRow?.number, 1)
        XCTAssertTrue(model.select(number: 4))
        XCTAssertFalse(model.select(number: 42))
        XCTAssertEqual(model.selectedRow?.number, 4)
    }

    func testEmptyModelHasNoSelection() {
        let model = InboxModel(account: "a")
        model.apply(.listing([]))
        XCTAssertNil(model.selectedRow)
        XCTAssertFalse(model.moveSelection(by: 1))
        model.markSelectedAndAdvance()
        XCTAssertTrue(model.commitPlan().isEmpty)
    }

    func testSummariesArriveInAnyOrderWhileScrolling() {
        let model = makeModel(3, loaded: false)
        XCTAssertNil(model.row(number: 2)?.summary)
        XCTAssertFalse(model.status.headersComplete)
        model.apply(.summary(number: 3, summary(3)))
        model.apply(.summaryFailed(number: 1, reason: "TOP failed"))
        XCTAssertEqual(model.status.headersLoaded, 2)
        XCTAssertEqual(model.row(number: 1)?.summaryFailure, "TOP failed")
        model.apply(.summary(number: 2, summary(2)))
        XCTAssertEqual(model.status.headersLoaded, 3)
        XCTAssertTrue(model.status.headersComplete)
        model.apply(.summary(number: 99, summary(99)))
        XCTAssertEqual(model.rows.count, 3)
    }

    func testSortByEachKeyAndReverseOnSecondChoice() {
        let model = InboxModel(account: "a")
        model.apply(.listing([
            MessageListing(number: 1, uid: "a", size: 300),
            MessageListing(number: 2, uid: "b", size: 100),
            MessageListing(number: 3, uid: "c", size: 200),
        ]))
        model.apply([
            .summary(number: 1, summary(1, from: "carol", subject: "Re: beta", date: Date(timeIntervalSince1970: 300))),
            .summary(number: 2, summary(2, from: "Alice", subject: "gamma", date: Date(timeIntervalSince1970: 100))),
            .summary(number: 3, summary(3, from: "bob", subject: "Alpha", date: Date(timeIntervalSince1970: 200))),
        ])
        func order() -> [Int] { (0..<model.visibleCount).map { model.visibleRow($0).number } }
        XCTAssertEqual(order(), [1, 2, 3])
        model.sort(by: .date)
        XCTAssertEqual(order(), [2, 3, 1])
        model.sort(by: .date)
        XCTAssertEqual(model.sortOrder, SortOrder(key: .date, reversed: true))
        XCTAssertEqual(order(), [1, 3, 2])
        model.sort(by: .from)
        XCTAssertEqual(order(), [2, 3, 1], "case-insensitive")
        model.sort(by: .subject)
        XCTAssertEqual(order(), [3, 1, 2], "Re: sorts with its base subject")
        model.sort(by: .size)
        XCTAssertEqual(order(), [2, 3, 1])
        model.sort(by: .size)
        XCTAssertEqual(order(), [1, 3, 2])
        model.sort(by: .number)
        XCTAssertEqual(order(), [1, 2, 3])
    }

    func testSelectionFollowsTheMessageThroughASort() {
        let model = makeModel(4)
        model.select(number: 2)
        model.sort(by: .number)
        XCTAssertEqual(model.selection, 2)
        XCTAssertEqual(model.selectedRow?.number, 2)
    }

    func testRowsWithoutSummaryKeepTheirPlaceWhileLoadingUnderADateSort() {
        let model = makeModel(3, loaded: false)
        model.sort(by: .date)
        model.apply(.summary(number: 1, summary(1, date: Date(timeIntervalSince1970: 500))))
        let order = (0..<model.visibleCount).map { model.visibleRow($0).number }
        XCTAssertEqual(order, [2, 3, 1])
    }

    func testLimitMatchesSenderOrSubjectIgnoringCase() {
        let model = makeModel(3)
        model.apply(.summary(number: 2, summary(2, from: "Zoë Example", subject: "Quarterly REPORT")))
        model.setLimit(pattern("report"))
        XCTAssertEqual(model.visibleCount, 1)
        XCTAssertEqual(model.selectedRow?.number, 2)
        XCTAssertEqual(model.status.shown, 1)
        XCTAssertEqual(model.status.messages, 3)
        model.setLimit(pattern("ZOË"))
        XCTAssertEqual(model.visibleCount, 1)
        model.setLimit(pattern("sender3@example"))
        XCTAssertEqual(model.visibleRow(0).number, 3, "the address counts as sender")
        model.setLimit(pattern("nothing like this"))
        XCTAssertEqual(model.visibleCount, 0)
        XCTAssertNil(model.selectedRow)
        model.setLimit(nil)
        XCTAssertNil(model.limit)
        XCTAssertEqual(model.visibleCount, 3)
    }

    func testLimitPicksUpSummariesAsTheyArrive() {
        let model = makeModel(2, loaded: false)
        model.setLimit(pattern("invoice"))
        XCTAssertEqual(model.visibleCount, 0)
        model.apply(.summary(number: 2, summary(2, subject: "Your invoice")))
        XCTAssertEqual(model.visibleCount, 1)
    }

    func testSearchForwardBackwardAndWrap() {
        let model = makeModel(5)
        model.apply(.summary(number: 2, summary(2, subject: "lunch")))
        model.apply(.summary(number: 4, summary(4, subject: "Lunch again")))
        model.selectFirst()
        XCTAssertEqual(model.search(pattern("LUNCH")), .found(wrapped: false))
        XCTAssertEqual(model.selectedRow?.number, 2)
        XCTAssertEqual(model.searchAgain(), .found(wrapped: false))
        XCTAssertEqual(model.selectedRow?.number, 4)
        XCTAssertEqual(model.searchAgain(), .found(wrapped: true))
        XCTAssertEqual(model.selectedRow?.number, 2)
        XCTAssertEqual(model.searchAgain(reverse: true), .found(wrapped: true))
        XCTAssertEqual(model.selectedRow?.number, 4)
        XCTAssertEqual(model.search(pattern("lunch"), forward: false), .found(wrapped: false))
        XCTAssertEqual(model.selectedRow?.number, 2)
        XCTAssertEqual(model.search(pattern("no such thing")), .notFound)
        XCTAssertEqual(model.selectedRow?.number, 2)
    }

    func testMarksMoveOnAndTheCommitPlanListsMarkedRowsInNumberOrder() {
        let model = makeModel(5)
        model.sort(by: .number)  // the current key again: reversed, 5 4 3 2 1
        model.selectFirst()
        model.markSelectedAndAdvance()
        XCTAssertEqual(model.selectedRow?.number, 4)
        model.moveSelection(by: 1)
        model.markSelectedAndAdvance()
        XCTAssertEqual(model.selectedRow?.number, 2)
        XCTAssertEqual(model.commitPlan().entries, [
            MessageListing(number: 3, uid: "uid-3", size: 300),
            MessageListing(number: 5, uid: "uid-5", size: 500),
        ])
        XCTAssertEqual(model.status.marked, 2)
        XCTAssertEqual(model.status.markedSize, 800)
        model.select(number: 3)
        model.unmarkSelected()
        XCTAssertEqual(model.selectedRow?.number, 3, "u does not move")
        XCTAssertEqual(model.commitPlan().entries.map(\.number), [5])
        model.change(.unmark, matching: pattern("~A"))
        XCTAssertTrue(model.commitPlan().isEmpty)
    }

    func testMarkingTheLastRowStaysThere() {
        let model = makeModel(2)
        model.markSelectedAndAdvance()
        XCTAssertEqual(model.selectedRow?.number, 2)
        XCTAssertTrue(model.isMarked(model.selectedRow!))
    }

    func testMarksAreKeyedByUIDAcrossANewListing() {
        let model = makeModel(3)
        model.select(number: 2)
        model.markSelectedAndAdvance()
        // The server renumbered: the marked message (uid-2) is now number 1, and number 2 is
        // a different message. The mark must follow the UID, not the number.
        model.apply(.listing([
            MessageListing(number: 1, uid: "uid-2", size: 200),
            MessageListing(number: 2, uid: "uid-3", size: 300),
        ]))
        XCTAssertEqual(model.commitPlan().entries, [MessageListing(number: 1, uid: "uid-2", size: 200)])
    }

    func testAHostileListingWithRepeatedOrUnorderedNumbersIsShownInNumberOrder() {
        let model = InboxModel(account: "alice@example.org")
        model.apply(.listing([
            MessageListing(number: 3, uid: "c", size: 300),
            MessageListing(number: 1, uid: "a", size: 100),
            MessageListing(number: 3, uid: "c2", size: 310),
        ]))
        model.apply(.summary(number: 3, summary(3)))
        XCTAssertEqual((0..<model.visibleCount).map { model.visibleRow($0).listing.uid }, ["a", "c", "c2"])
        XCTAssertEqual(model.row(number: 3)?.listing.uid, "c")
        XCTAssertEqual(model.row(number: 3)?.summary, summary(3))
        XCTAssertNil(model.row(number: 2))
        XCTAssertEqual(model.status.totalSize, 710)
    }

    func testCachedSummariesArriveWithTheListingByPosition() {
        let model = InboxModel(account: "alice@example.org")
        model.apply(.listing([
            MessageListing(number: 2, uid: "b", size: 200),
            MessageListing(number: 1, uid: "a", size: 100),
            MessageListing(number: 3, uid: "c", size: 300),
        ], cached: [summary(2), nil, summary(3, date: Date(timeIntervalSince1970: 5))]))
        XCTAssertEqual(model.rows.map(\.summary), [nil, summary(2), summary(3, date: Date(timeIntervalSince1970: 5))])
        XCTAssertEqual(model.status.headersLoaded, 2)
        XCTAssertFalse(model.status.headersComplete)
        XCTAssertEqual(model.oldestDate, Date(timeIntervalSince1970: 5))
        model.apply(.summary(number: 1, summary(1)))
        XCTAssertTrue(model.status.headersComplete)
    }

    func testSummariesAndFailuresFollowTheirUIDIntoANewListing() {
        let model = makeModel(3, loaded: false)
        model.apply([.summary(number: 2, summary(2)), .summaryFailed(number: 3, reason: "refused")])
        // A new session: uid-1 is gone, the rest are renumbered, one new message arrived.
        model.apply(.listing([
            MessageListing(number: 3, uid: "uid-new", size: 50),
            MessageListing(number: 1, uid: "uid-2", size: 200),
            MessageListing(number: 2, uid: "uid-3", size: 300),
        ]))
        XCTAssertEqual(model.rows.map(\.listing.uid), ["uid-2", "uid-3", "uid-new"])
        XCTAssertEqual(model.rows.map(\.summary), [summary(2), nil, nil])
        XCTAssertEqual(model.rows.map(\.summaryFailure), [nil, "refused", nil])
        XCTAssertEqual(model.status.headersLoaded, 2)
    }

    func testMarksFallBackToNumbersWithoutUIDL() {
        let model = makeModel(3, uids: false)
        model.select(number: 1)
        model.markSelectedAndAdvance()
        XCTAssertEqual(model.commitPlan().entries, [MessageListing(number: 1, uid: nil, size: 100)])
        XCTAssertEqual(model.marksLostToRenumbering, 0)
        // A new session's numbers may name other messages: the mark goes, and the model says so.
        model.apply(.listing((1...3).map { MessageListing(number: $0, uid: nil, size: $0 * 100) }))
        XCTAssertEqual(model.commitPlan().entries, [])
        XCTAssertEqual(model.marksLostToRenumbering, 1)
    }

    /// A first visit lists rows before UIDL has answered; a mark made meanwhile follows the UID.
    func testMarksMadeBeforeTheUIDsArriveAreKeyedByThemAfterwards() {
        let model = makeModel(3, uids: false)
        model.select(number: 2)
        model.markSelectedAndAdvance()
        XCTAssertEqual(model.selectedRow?.number, 3)
        let identified = (1...3).map { MessageListing(number: $0, uid: "uid-\($0)", size: $0 * 100) }
        model.apply(.identified(identified))
        XCTAssertEqual(model.rows.map(\.listing), identified)
        XCTAssertEqual(model.rows.compactMap(\.summary?.subject), ["Subject 1", "Subject 2", "Subject 3"])
        XCTAssertEqual(model.selectedRow?.number, 3, "the selection stays")
        XCTAssertEqual(model.commitPlan().entries, [identified[1]])
        model.apply(.newMessages(uids: ["uid-3"]))
        XCTAssertEqual(model.status.new, 1)
        // A row whose size differs is not the row that was listed: it keeps no UID.
        let other = makeModel(2, uids: false)
        other.apply(.identified([MessageListing(number: 1, uid: "uid-1", size: 999), MessageListing(number: 2, uid: "uid-2", size: 200)]))
        XCTAssertEqual(other.rows.map(\.listing.uid), [nil, "uid-2"])
    }

    func testNewFlagsComeFromTheCache() {
        let model = makeModel(3)
        XCTAssertEqual(model.status.new, 0)
        model.apply(.newMessages(uids: ["uid-2", "uid-3", "gone"]))
        XCTAssertTrue(model.isNew(model.row(number: 2)!))
        XCTAssertFalse(model.isNew(model.row(number: 1)!))
        XCTAssertEqual(model.status.new, 2)
    }

    func testStatusCounts() {
        let model = makeModel(4, loaded: false)
        model.apply(.connected(account: "bob@pop.example"))
        let status = model.status
        XCTAssertEqual(model.account, "bob@pop.example")
        XCTAssertEqual(status.messages, 4)
        XCTAssertEqual(status.totalSize, 1000)
        XCTAssertEqual(status.headersLoaded, 0)
        XCTAssertFalse(status.headersComplete)
        model.apply(.headersComplete)
        XCTAssertTrue(model.status.headersComplete)
    }

    func testTheOldestDateFollowsArrivalsAndListings() {
        let model = makeModel(3, loaded: false)
        XCTAssertNil(model.oldestDate)
        model.apply(.summary(number: 2, summary(2)))
        XCTAssertEqual(model.oldestDate, Date(timeIntervalSince1970: 2 * 86_400))
        model.apply([.summary(number: 3, summary(3)), .summary(number: 1, summary(1, date: Date(timeIntervalSince1970: 5)))])
        XCTAssertEqual(model.oldestDate, Date(timeIntervalSince1970: 5))
        // A new session lists without message 1: its date no longer counts.
        model.apply(.listing([MessageListing(number: 1, uid: "uid-2", size: 200), MessageListing(number: 2, uid: "uid-3", size: 300)]))
        XCTAssertEqual(model.oldestDate, Date(timeIntervalSince1970: 2 * 86_400))
    }

    func testEventsTheModelDoesNotOwnChangeNothing() {
        let model = makeModel(2)
        let before = model.rows
        model.apply([.notice("hello"), .fetchFailed(number: 1, reason: "x"), .closed, .connectionLost("gone")])
        XCTAssertEqual(model.rows, before)
    }
}

final class EventSinkTests: XCTestCase {
    func testDrainReturnsEventsInOrderOnceFromManyThreads() {
        let sink = EventSink()
        DispatchQueue.concurrentPerform(iterations: 100) { i in
            sink.send(.notice("\(i)"))
        }
        let drained = sink.drain()
        XCTAssertEqual(drained.count, 100)
        XCTAssertTrue(sink.drain().isEmpty)
        sink.send(.headersComplete)
        sink.send(.closed)
        let next = sink.drain()
        guard case .headersComplete = next.first, case .closed = next.last else {
            return XCTFail("order lost: \(next)")
        }
    }
}

final class HostileSizeTests: XCTestCase {
    /// Ten messages of 999,999,999,999,999,999 bytes each: their total holds in no integer, and
    /// the status line says so instead of crashing the reader.
    func testSizesWhoseTotalOverflowsSaturate() {
        let model = InboxModel(account: "a")
        let rows = (1...10).map { MessageListing(number: $0, uid: "u\($0)", size: 999_999_999_999_999_999) }
        model.apply(.listing(rows))
        XCTAssertEqual(model.status.totalSize, .max)
        for number in 1...10 {
            XCTAssertTrue(model.select(number: number))
            model.markSelectedAndAdvance()
        }
        XCTAssertEqual(model.status.markedSize, .max)
        XCTAssertEqual(ByteCount.total([1, -5, 2]), 3, "a negative size counts as nothing")
        XCTAssertEqual(ByteCount.format(.max).count, 5)
    }
}

final class CommitReportTests: XCTestCase {
    func testAFailedSessionConfirmsNoDeletions() {
        let listing = MessageListing(number: 1, uid: "a", size: 1)
        let ok = CommitReport(deleted: [listing], skipped: [], serverText: "+OK bye")
        XCTAssertEqual(ok.confirmedDeletions, [listing])
        XCTAssertTrue(ok.succeeded)
        let failed = CommitReport(deleted: [listing], skipped: [], serverText: nil, outcome: .nothingDeleted("connection reset"))
        XCTAssertEqual(failed.confirmedDeletions, [])
        XCTAssertFalse(failed.succeeded)
        let other = MessageListing(number: 2, uid: "b", size: 1)
        let unknown = CommitReport(deleted: [listing, other], skipped: [], serverText: nil, outcome: .unknown("QUIT -ERR", gone: nil))
        XCTAssertEqual(unknown.confirmedDeletions, [], "nothing is known to be gone before a new session looked")
        XCTAssertFalse(unknown.succeeded)
        let verified = CommitReport(deleted: [listing, other], skipped: [], serverText: nil, outcome: .unknown("QUIT -ERR", gone: [other]))
        XCTAssertEqual(verified.confirmedDeletions, [other])
    }

    func testPlanIsSortedByNumber() {
        let plan = CommitPlan(entries: [MessageListing(number: 9, uid: "x", size: 1), MessageListing(number: 2, uid: "y", size: 1)])
        XCTAssertEqual(plan.entries.map(\.number), [2, 9])
    }
}
