import Foundation
import MailMessage
import POP3
import XCTest
@testable import Inbox

/// The mailbox load without sockets: requests out, replies fed in, effects checked.
final class MailboxLoaderTests: XCTestCase {
    private let pipelining = Capabilities(top: true, uidl: true, user: true, pipelining: true)

    private func ok(_ text: String = "") -> POP3Reply { .status(StatusLine(isOK: true, text: text)) }

    private func body(_ lines: [String]) -> POP3Reply {
        .multiLine(StatusLine(isOK: true, text: ""), body: Array(lines.map { $0 + "\r\n" }.joined().utf8))
    }

    private func list(_ numbers: ClosedRange<Int>, size: Int = 100) -> POP3Reply { body(numbers.map { "\($0) \(size)" }) }
    private func uidl(_ numbers: [Int]) -> POP3Reply { body(numbers.enumerated().map { "\($0.offset + 1) uid-\($0.element)" }) }
    private func summary(_ n: Int) -> MessageSummary { MessageSummary.parse(headerBytes: Array("Subject: m\(n)\r\n\r\n".utf8)) }

    private func events(_ effects: [MailboxLoader.Effect]) -> [String] {
        effects.map { effect in
            switch effect {
            case .event(.listing(let rows, let cached, let session)):
                "listing \(rows.count) rows, \(cached.compactMap { $0 }.count) cached, session \(session)"
            case .event(.identified(let rows)): "identified \(rows.compactMap(\.uid).count)"
            case .event(.headersComplete): "complete"
            case .event(.newMessages(let uids)): "new \(uids.count)"
            case .event(.messageStates(let states)): "states \(states.keys.sorted())"
            case .event(.notice(let text)): "notice \(text)"
            case .event(.summaries(let batch)): "summary \(batch.map(\.number))"
            case .event: "event"
            case .remember(let fetched): "remember \(fetched.map(\.row.number))"
            case .recordVisit(let visit, _): "visit \(visit.uids.count)"
            }
        }
    }

    /// Feeds every header of a `fetchHeaders` request; returns the effects' descriptions.
    private func arrive(_ numbers: [Int], _ loader: inout MailboxLoader) -> [String] {
        numbers.flatMap { events(loader.headerArrived(number: $0, .success(summary($0)), fingerprint: nil)) }
    }

    func testAFirstVisitShowsRowsThenAsksForUIDsBehindTheFirstScreenful() throws {
        var loader = MailboxLoader(contents: nil, window: 8, headersBeforeUIDs: 2)
        loader.begin(session: 1, capabilities: pipelining)
        XCTAssertEqual(loader.next(), .send([.list(nil)]))
        XCTAssertEqual(loader.next(), .await(.list(nil)))
        XCTAssertEqual(events(try loader.received(list(1...6), for: .list(nil))), ["listing 6 rows, 0 cached, session 1"])
        XCTAssertEqual(loader.phase, .awaitingUIDs(headersFirst: 2))
        XCTAssertEqual(loader.next(), .send([.top(6, lines: 0), .top(5, lines: 0), .uidl(nil), .top(4, lines: 0), .top(3, lines: 0),
                                             .top(2, lines: 0), .top(1, lines: 0)]))
        XCTAssertEqual(loader.next(), .fetchHeaders([6, 5]))
        XCTAssertEqual(arrive([6, 5], &loader), ["summary [6]", "summary [5]"], "nothing is cached before the UIDs")
        XCTAssertEqual(loader.next(), .await(.uidl(nil)))
        XCTAssertEqual(events(try loader.received(uidl(Array(1...6)), for: .uidl(nil))),
                       ["identified 6", "remember [6, 5]", "new 0", "visit 6"])
        XCTAssertEqual(loader.row(number: 2, uid: "uid-2")?.number, 2)
        XCTAssertEqual(loader.next(), .fetchHeaders([4, 3, 2, 1]))
        XCTAssertEqual(arrive([4, 3, 2, 1], &loader).suffix(2), ["remember [4, 3, 2, 1]", "complete"])
        XCTAssertNil(loader.next())
    }

    /// Without PIPELINING each header waits for the one before, so UIDL goes first, alone.
    func testWithoutPipeliningAFirstVisitAsksForUIDsFirst() throws {
        var loader = MailboxLoader(contents: nil, window: 8, headersBeforeUIDs: 2)
        loader.begin(session: 1, capabilities: Capabilities(top: true, uidl: true, user: true, pipelining: false))
        _ = loader.next()
        _ = loader.next()
        _ = try loader.received(list(1...3), for: .list(nil))
        XCTAssertEqual(loader.next(), .send([.uidl(nil)]))
        XCTAssertEqual(loader.next(), .fetchHeaders([3, 2]))
    }

    func testAServerWithoutUIDLListsAndFetchesEveryHeaderWithFingerprints() throws {
        var loader = MailboxLoader(contents: nil, window: 8)
        loader.begin(session: 1, capabilities: Capabilities(top: true, uidl: false, user: true, pipelining: true))
        XCTAssertEqual(loader.next(), .send([.list(nil)]))
        XCTAssertEqual(loader.next(), .await(.list(nil)))
        _ = try loader.received(list(1...2), for: .list(nil))
        XCTAssertEqual(loader.phase, .listed)
        XCTAssertTrue(loader.wantsFingerprint(1))
        XCTAssertEqual(loader.next(), .fetchHeaders([2, 1]))
        XCTAssertEqual(arrive([2, 1], &loader), ["summary [2]", "summary [1]", "remember [2, 1]", "complete"])
    }

    /// A warm visit whose cache knows every UID and whose sizes add up to STAT's total needs
    /// nothing but STAT and UIDL; with new mail, LIST goes out with the new headers.
    func testACachedVisitListsFromSTATAndUIDLAndAsksOnlyForWhatIsNew() async throws {
        let scratch = try CacheScratch()
        let cache = try HeaderCache.open(in: scratch.cache, account: "a", server: "a@test")
        try cache.store((1...3).map { (uid: "uid-\($0)", size: 100, summary: summary($0)) })
        try cache.recordVisit(VisitedUIDs((1...3).map { "uid-\($0)" }), since: try cache.contents())
        let contents = try cache.contents()

        var warm = MailboxLoader(contents: contents, window: 8)
        warm.begin(session: 1, capabilities: pipelining)
        XCTAssertEqual(warm.next(), .send([.stat, .uidl(nil)]))
        XCTAssertEqual(warm.next(), .await(.stat))
        XCTAssertEqual(events(try warm.received(ok("3 300"), for: .stat)), [])
        XCTAssertEqual(warm.next(), .await(.uidl(nil)))
        XCTAssertEqual(events(try warm.received(uidl([1, 2, 3]), for: .uidl(nil))),
                       ["listing 3 rows, 3 cached, session 1", "new 0", "visit 3", "complete"])
        XCTAssertNil(warm.next())

        var newMail = MailboxLoader(contents: contents, window: 8)
        newMail.begin(session: 1, capabilities: pipelining)
        _ = newMail.next()
        _ = newMail.next()
        _ = try newMail.received(ok("4 400"), for: .stat)
        _ = newMail.next()
        XCTAssertEqual(events(try newMail.received(uidl([1, 2, 3, 4]), for: .uidl(nil))), [])
        XCTAssertEqual(newMail.next(), .send([.list(nil), .top(4, lines: 0)]))
        XCTAssertEqual(newMail.next(), .await(.list(nil)))
        XCTAssertEqual(events(try newMail.received(list(1...4), for: .list(nil))), ["listing 4 rows, 3 cached, session 1", "new 1", "visit 4"])
        XCTAssertEqual(newMail.next(), .fetchHeaders([4]))
    }

    /// The states kept for the listed UIDs go to the reader with what is new; a load that is
    /// not a visit (`mailbag list`) records none, so what was new stays new.
    func testStoredStatesComeWithTheListingAndALookRecordsNoVisit() async throws {
        let scratch = try CacheScratch()
        let cache = try HeaderCache.open(in: scratch.cache, account: "a", server: "a@test")
        // Message 3 was cached after the last visit (as `mailbag list` caches what it fetches).
        try cache.recordVisit(VisitedUIDs((1...2).map { "uid-\($0)" }), since: try cache.contents())
        try cache.store((1...3).map { (uid: "uid-\($0)", size: 100, summary: summary($0)) })
        try cache.storeStates(["uid-1": MessageState(read: true)])
        for recordsVisit in [true, false] {
            var loader = MailboxLoader(contents: try cache.contents(), window: 8, recordsVisit: recordsVisit)
            loader.begin(session: 1, capabilities: pipelining)
            _ = loader.next()
            _ = loader.next()
            _ = try loader.received(ok("3 300"), for: .stat)
            _ = loader.next()
            XCTAssertEqual(events(try loader.received(uidl([1, 2, 3]), for: .uidl(nil))),
                           ["listing 3 rows, 3 cached, session 1", "new 1", "states [\"uid-1\"]"] + (recordsVisit ? ["visit 3"] : []) + ["complete"])
        }
    }

    /// After a lost connection: LIST and UIDL, rows and summaries follow their UIDs, and only
    /// what the reader lacks is fetched again.
    func testANewSessionRelistsByUIDAndSaysWhatVanished() throws {
        var loader = MailboxLoader(contents: nil, window: 8, headersBeforeUIDs: 0)
        loader.begin(session: 1, capabilities: pipelining)
        _ = loader.next()
        _ = loader.next()
        _ = try loader.received(list(1...3), for: .list(nil))
        _ = loader.next()
        _ = try loader.received(uidl([1, 2, 3]), for: .uidl(nil))
        XCTAssertEqual(loader.next(), .fetchHeaders([3, 2, 1]))
        _ = arrive([3, 2], &loader)
        _ = loader.sessionLost()

        loader.begin(session: 2, capabilities: pipelining)
        XCTAssertEqual(loader.next(), .send([.list(nil), .uidl(nil)]))
        XCTAssertEqual(loader.next(), .await(.list(nil)))
        XCTAssertEqual(events(try loader.received(list(1...2), for: .list(nil))), [])
        XCTAssertEqual(loader.next(), .await(.uidl(nil)))
        // Message 2 (summarized) is gone; 1 and 3 are now numbers 1 and 2.
        XCTAssertEqual(events(try loader.received(uidl([1, 3]), for: .uidl(nil))),
                       ["notice 1 message is gone from the server since the connection was lost; marks on them were dropped.",
                        "listing 2 rows, 0 cached, session 2"])
        XCTAssertEqual(loader.next(), .fetchHeaders([1]), "message 1 (uid-1) never arrived; uid-3 did")
        XCTAssertEqual(loader.row(number: 2, uid: "uid-3")?.number, 2)
    }
}
