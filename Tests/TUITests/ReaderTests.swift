import Foundation
import Inbox
import MailMessage
import XCTest
@testable import TUI

final class ReaderDeletionTests: XCTestCase {
    func testMarkTwoQuitConfirmCommitsExactlyThoseUIDs() {
        let h = ReaderHarness(count: 5)
        h.press(.home)
        h.type("d")  // first message, mark, move on
        h.type("jd")  // skip 2, mark 3
        XCTAssertEqual(h.reader.model.status.marked, 2)
        h.type("q")
        XCTAssertEqual(h.reader.prompt?.label, "Delete 2 messages from the server? [y/n/c] ")
        XCTAssertTrue(h.screenText.contains("Delete 2 messages from the server? [y/n/c]"))
        h.type("y")
        XCTAssertEqual(h.backend.calls.last, .commit(CommitPlan(entries: [
            MessageListing(number: 1, uid: "uid-1", size: 1001),
            MessageListing(number: 3, uid: "uid-3", size: 1003),
        ])))
        XCTAssertEqual(h.reader.phase, .committing)
        XCTAssertTrue(h.screenText.contains("Deleting 2 messages on the server…"))
        h.type("q")  // keys wait while the server works
        XCTAssertEqual(h.reader.phase, .committing)

        let report = CommitReport(
            deleted: [MessageListing(number: 1, uid: "uid-1", size: 1001)],
            skipped: [SkippedDeletion(message: MessageListing(number: 3, uid: "uid-3", size: 1003), reason: "message 3 is no longer the message you marked")],
            serverText: "dewey POP3 server signing off (1 message left)")
        h.reader.apply([.committed(report), .closed])
        let screen = h.screenText
        XCTAssertTrue(screen.contains("Deleted 1 message from the server."), screen)
        XCTAssertTrue(screen.contains("Kept message 3: message 3 is no longer the message you marked."), screen)
        XCTAssertTrue(screen.contains("Press any key to exit."))
        XCTAssertNil(h.reader.exitSummary)
        h.type(" ")
        XCTAssertEqual(h.reader.exitSummary, .committed(report))
        XCTAssertEqual(h.reader.exitSummary?.deletedCount, 1)
    }

    func testTheReportLeavesOnItsOwnAfterAPause() {
        let h = ReaderHarness(count: 2)
        h.type("dqy")
        h.reader.apply([.committed(CommitReport(deleted: [], skipped: [], serverText: nil))])
        let start = Date()
        h.reader.tick(now: start)
        h.reader.tick(now: start.addingTimeInterval(1))
        XCTAssertNil(h.reader.exitSummary)
        h.reader.tick(now: start.addingTimeInterval(3.1))
        XCTAssertNotNil(h.reader.exitSummary)
    }

    func testNoQuitsWithoutDeleting() {
        let h = ReaderHarness(count: 3)
        h.type("ddqn")
        XCTAssertEqual(h.backend.calls.last, .quitWithoutDeleting)
        XCTAssertFalse(h.backend.calls.contains { if case .commit = $0 { true } else { false } })
        XCTAssertTrue(h.screenText.contains("Closing the session without deleting anything"))
        h.reader.apply([.closed])
        XCTAssertEqual(h.reader.exitSummary, .leftUnchanged)
    }

    func testCancelOrEscapeGoesBackWithMarksKept() {
        let h = ReaderHarness(count: 3)
        h.type("dqc")
        XCTAssertNil(h.reader.prompt)
        XCTAssertEqual(h.reader.phase, .browsing)
        h.type("q\u{1B}")
        XCTAssertNil(h.reader.prompt)
        h.type("qz")  // not an answer: the question stays
        XCTAssertNotNil(h.reader.prompt)
        XCTAssertEqual(h.reader.model.status.marked, 1)
        XCTAssertEqual(h.backend.calls, [])
    }

    func testQuitWithoutMarksDoesNotAsk() {
        let h = ReaderHarness(count: 3)
        h.type("q")
        XCTAssertNil(h.reader.prompt)
        XCTAssertEqual(h.backend.calls, [.quitWithoutDeleting])
    }

    func testXAlwaysLeavesWithoutDeleting() {
        let h = ReaderHarness(count: 3)
        h.type("ddx")
        XCTAssertEqual(h.backend.calls, [.quitWithoutDeleting])
        h.reader.apply([.closed])
        XCTAssertEqual(h.reader.exitSummary, .leftUnchanged)
        XCTAssertEqual(h.reader.exitSummary?.description, "Left the mailbox unchanged: nothing was deleted.")
    }

    func testASilentServerDoesNotKeepTheUserWaitingForever() {
        let h = ReaderHarness(count: 1)
        h.type("x")
        let start = Date()
        h.reader.tick(now: start)
        h.reader.tick(now: start.addingTimeInterval(14))
        XCTAssertNil(h.reader.exitSummary)
        h.reader.tick(now: start.addingTimeInterval(15))
        XCTAssertEqual(h.reader.exitSummary, .leftUnchanged)
    }

    func testConnectionLostIsToldInPlainWordsAndNothingIsSent() {
        let h = ReaderHarness(count: 3)
        h.type("d")
        h.reader.apply([.connectionLost("The server closed the connection."), .closed])
        let screen = h.screenText
        XCTAssertTrue(screen.contains("Connection lost, nothing was deleted from the server: The server closed"), screen)
        XCTAssertTrue(screen.contains("DISCONNECTED"), screen)
        h.type("q")
        XCTAssertNil(h.reader.prompt, "no deletion question once the connection is gone")
        XCTAssertEqual(h.reader.exitSummary, .connectionLost("The server closed the connection."))
        XCTAssertEqual(h.backend.calls, [])
        XCTAssertTrue(h.reader.exitSummary!.description.contains("Nothing was deleted from the server."))
    }

    /// The backend gave up reconnecting but is still there: the marks can still be committed,
    /// which reconnects.
    func testMarksCanBeCommittedAfterReconnectingGaveUp() {
        let h = ReaderHarness(count: 3)
        h.type("d")
        h.reader.apply([.connectionLost("The server closed the connection.")])
        h.type("q")
        XCTAssertEqual(h.reader.prompt?.purpose, .confirmQuit(count: 1))
        h.type("y")
        XCTAssertEqual(h.backend.calls.count { if case .commit = $0 { true } else { false } }, 1)
    }

    func testConnectionLostDuringTheCommit() {
        let h = ReaderHarness(count: 3)
        h.type("dqy")
        h.reader.apply([.connectionLost("reset by peer"), .closed])
        XCTAssertTrue(h.screenText.contains("Nothing was deleted from the server."))
        h.type("k")
        XCTAssertEqual(h.reader.exitSummary, .connectionLost("reset by peer"))
    }

    func testACommitCutBeforeQUITKeepsTheMarksAndQTriesAgain() {
        let h = ReaderHarness(count: 3)
        h.type("dqy")
        let report = CommitReport(deleted: [], skipped: [], serverText: nil,
                                  outcome: .nothingDeleted("The connection dropped before QUIT was sent."))
        h.reader.apply([.committed(report)])
        XCTAssertTrue(h.screenText.contains("Nothing was deleted: The connection dropped"), h.screenText)
        XCTAssertNil(h.reader.exitSummary)
        XCTAssertEqual(h.reader.model.marks.count, 1)
        h.type("qy")
        XCTAssertEqual(h.backend.calls.filter { if case .commit = $0 { true } else { false } }.count, 2)
    }

    func testEscStopsAReconnectionWhileBrowsingOrCommitting() {
        let h = ReaderHarness(count: 3)
        h.press(.escape)
        XCTAssertEqual(h.backend.calls.last, .stopReconnecting)
        h.type("dqy")
        h.press(.escape)
        XCTAssertEqual(h.backend.calls.suffix(2).first.map { if case .commit = $0 { true } else { false } }, true)
        XCTAssertEqual(h.backend.calls.last, .stopReconnecting)
    }

    func testAnUnknownOutcomeSaysWhatANewSessionFound() {
        let gone = MessageListing(number: 1, uid: "uid-1", size: 1)
        let left = MessageListing(number: 2, uid: "uid-2", size: 1)
        let report = CommitReport(deleted: [gone, left], skipped: [], serverText: "\u{1B}]0;owned\u{07}some deleted messages not removed",
                                  outcome: .unknown("The server answered QUIT with an error.", gone: [gone]))
        let text = ExitSummary.committed(report).description
        XCTAssertTrue(text.contains("1 of the 2 messages sent for deletion is gone from the server, 1 still there"), text)
        XCTAssertFalse(text.contains("\u{1B}"), "server text reaches the terminal sanitized: \(text)")
        XCTAssertEqual(ExitSummary.committed(report).deletedCount, 1)
        let unchecked = CommitReport(deleted: [gone], skipped: [], serverText: nil, outcome: .unknown("cut", gone: nil))
        XCTAssertTrue(ExitSummary.committed(unchecked).description.contains("is unknown"))
    }

    func testOpeningAfterTheConnectionIsGoneExplainsWhy() {
        let h = ReaderHarness(count: 3)
        h.reader.apply([.connectionLost("timeout")])
        h.press(.enter)
        XCTAssertEqual(h.backend.calls, [])
        XCTAssertTrue(h.reader.notice?.text.contains("was not downloaded before the connection was lost") ?? false)
    }
}

final class ReaderIndexTests: XCTestCase {
    func testMovementKeys() {
        let h = ReaderHarness(count: 50, height: 12)
        XCTAssertEqual(h.reader.model.selectedRow?.number, 50)
        h.type("k")
        h.press(.up)
        XCTAssertEqual(h.reader.model.selectedRow?.number, 48)
        h.press(.home)
        XCTAssertEqual(h.reader.model.selectedRow?.number, 1)
        XCTAssertEqual(h.reader.indexTop, 0)
        h.press(.pageDown)
        let page = h.reader.layout.bodyHeight
        XCTAssertEqual(h.reader.model.selectedRow?.number, 1 + page)
        h.type(" ")
        XCTAssertEqual(h.reader.model.selectedRow?.number, 1 + 2 * page)
        h.press(.pageUp)
        XCTAssertEqual(h.reader.model.selectedRow?.number, 1 + page)
        h.press(.end)
        XCTAssertEqual(h.reader.model.selectedRow?.number, 50)
        XCTAssertEqual(h.reader.indexTop, 50 - page)
        h.press(.home)
        h.press(.down)
        h.type("j")
        XCTAssertEqual(h.reader.model.selectedRow?.number, 3)
    }

    func testTheSelectedRowIsAlwaysOnScreen() {
        let h = ReaderHarness(count: 100, height: 10)
        for key in "jjjjjjjjjjkkkkkkkkkkkkkkkkkkkkGgjjjjjjjjjjjjjjjjj" {
            h.type(String(key))
            let rows = h.reader.layout.bodyHeight
            let selection = h.reader.model.selection
            XCTAssertTrue((h.reader.indexTop..<h.reader.indexTop + rows).contains(selection))
        }
    }

    func testJumpToANumberByTypingDigits() {
        let h = ReaderHarness(count: 30)
        h.type("1")
        XCTAssertEqual(h.reader.prompt?.text, "1")
        h.type("2\n")
        XCTAssertEqual(h.reader.model.selectedRow?.number, 12)
        h.type("99\n")
        XCTAssertEqual(h.reader.notice?.text, "There is no message 99.")
        h.type("7")
        h.press(.backspace, .backspace)
        XCTAssertNil(h.reader.prompt, "backspace on an empty line cancels")
    }

    func testLimitAndClear() {
        let h = ReaderHarness(count: 12)
        h.type("lnumber 1\n")
        XCTAssertEqual(h.reader.model.visibleCount, 4)  // 1, 10, 11, 12
        XCTAssertTrue(h.screenText.contains("limit “number 1”: 4 shown"))
        h.type("3\n")
        XCTAssertEqual(h.reader.notice?.text, "Message 3 is hidden by the limit.")
        h.type("l")
        XCTAssertEqual(h.reader.prompt?.text, "number 1", "the prompt starts from the current limit")
        h.press(.control("u"))
        h.type("\n")
        XCTAssertEqual(h.reader.model.visibleCount, 12)
    }

    func testSearchPromptAndRepeat() {
        let h = ReaderHarness(count: 12)
        h.press(.home)
        h.type("/NUMBER 1\n")
        XCTAssertEqual(h.reader.model.selectedRow?.number, 10)
        h.type("n")
        XCTAssertEqual(h.reader.model.selectedRow?.number, 11)
        h.type("P")
        XCTAssertEqual(h.reader.model.selectedRow?.number, 10)
        h.type("/zzz\n")
        XCTAssertEqual(h.reader.notice, Notice(text: "Not found: zzz", isError: true))
        h.type("/abc\u{1B}")
        XCTAssertNil(h.reader.prompt)
        XCTAssertEqual(h.reader.model.searchPattern?.text, "zzz", "Esc cancels without searching")
    }

    func testPromptEditingKeys() {
        let h = ReaderHarness(count: 3)
        h.type("/hello world")
        h.press(.control("w"))
        XCTAssertEqual(h.reader.prompt?.text, "hello ")
        h.press(.backspace)
        XCTAssertEqual(h.reader.prompt?.text, "hello")
        h.type("日本")
        XCTAssertEqual(h.reader.prompt?.text, "hello日本")
        let frame = h.frame()
        XCTAssertEqual(frame.cursor?.row, 23)
        XCTAssertEqual(frame.cursor?.column, TerminalText.width(of: "Search sender and subject: hello日本"))
        h.press(.control("g"))
        XCTAssertNil(h.reader.prompt)
    }

    func testSortPromptChoosesAndReverses() {
        let h = ReaderHarness(count: 3)
        h.type("od")
        XCTAssertEqual(h.reader.model.sortOrder, SortOrder(key: .date))
        XCTAssertEqual(h.reader.model.visibleRow(0).number, 3, "oldest first")
        h.type("od")
        XCTAssertEqual(h.reader.model.sortOrder, SortOrder(key: .date, reversed: true))
        XCTAssertTrue(h.screenText.contains("sorted by date ↓"))
        h.type("o\u{1B}")
        XCTAssertNil(h.reader.prompt)
        XCTAssertEqual(h.reader.model.sortOrder, SortOrder(key: .date, reversed: true))
    }

    func testUnmarkAndUnmarkAll() {
        let h = ReaderHarness(count: 4)
        h.press(.home)
        h.type("dddk")
        XCTAssertEqual(h.reader.model.status.marked, 3)
        h.type("u")
        XCTAssertEqual(h.reader.model.status.marked, 2)
        h.type("U~A\n")
        XCTAssertEqual(h.reader.model.status.marked, 0)
        XCTAssertEqual(h.reader.notice?.text, "Unmarked 2 messages (2 already were).")
    }

    func testMouseClickSelectsAndWheelScrolls() {
        let h = ReaderHarness(count: 10)
        let top = h.reader.layout.bodyTop
        h.reader.handle(.mouse(.click, row: top + 2, column: 5))
        XCTAssertEqual(h.reader.model.selectedRow?.number, 3)
        h.reader.handle(.mouse(.wheelDown, row: 0, column: 0))
        XCTAssertEqual(h.reader.model.selectedRow?.number, 6)
        h.reader.handle(.mouse(.wheelUp, row: 0, column: 0))
        XCTAssertEqual(h.reader.model.selectedRow?.number, 3)
        h.reader.handle(.mouse(.click, row: top + 40, column: 0))
        XCTAssertEqual(h.reader.model.selectedRow?.number, 3, "a click below the rows changes nothing")
    }

    func testCtrlLAsksForARedraw() {
        let h = ReaderHarness(count: 1)
        h.press(.control("l"))
        XCTAssertEqual(h.reader.takeRequests(), [.redraw])
        XCTAssertEqual(h.reader.takeRequests(), [])
    }

    func testHelpIsGeneratedFromTheKeyMap() {
        let h = ReaderHarness(count: 1, height: 200)
        h.type("?")
        XCTAssertTrue(h.reader.helpVisible)
        let screen = h.screenText
        for (_, bindings) in KeyMap.standard.bindings {
            for binding in bindings {
                XCTAssertTrue(screen.contains(binding.summary), binding.summary)
            }
        }
        XCTAssertTrue(screen.contains("0-9"))
        XCTAssertTrue(screen.contains("Ctrl-L"))
        XCTAssertTrue(screen.contains("wheel down"))
        for (flag, meaning) in IndexFlag.legend {
            XCTAssertTrue(screen.contains("  \(flag)" + String(repeating: " ", count: HelpScreen.keyColumn - 3) + meaning), meaning)
        }
        h.type("q")
        XCTAssertFalse(h.reader.helpVisible)
        XCTAssertEqual(h.backend.calls, [], "q closes help, it does not quit")
    }

    func testTheREADMEKeyTablesMatchTheKeyMap() throws {
        let readme = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("README.md"),
            encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        for (context, heading) in [(KeyContext.index, "| index | |"), (.pager, "| pager | |"), (.attachments, "| attachments | |")] {
            let rows = lines.drop { $0 != heading }.dropFirst(2).prefix { $0.hasPrefix("|") }
            XCTAssertFalse(rows.isEmpty, heading)
            // The keys are the backticked names in each row's first cell; `\|` is the | key.
            let documented = Set(rows.flatMap { row -> [String] in
                let first = row.replacingOccurrences(of: "\\|", with: "\u{0}").split(separator: "|").first ?? ""
                return first.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }
                    .map { $0.element.replacingOccurrences(of: "\u{0}", with: "|") }
            })
            let bindings = KeyMap.standard.bindings[context] ?? []
            for binding in bindings {
                XCTAssertTrue(binding.keys.contains { documented.contains($0.name) }, "README's \(context) table lacks: \(binding.summary)")
            }
            let bound = Set(bindings.flatMap { $0.keys.map(\.name) })
            for name in documented {
                XCTAssertTrue(bound.contains(name), "README's \(context) table names `\(name)`, which is not bound there")
            }
        }
    }

    func testEveryKeyOfTheMapDoesSomethingInItsContext() {
        // Keys bound twice in one context would make one binding dead.
        for (context, bindings) in KeyMap.standard.bindings {
            var seen: Set<Key> = []
            for key in bindings.flatMap(\.keys) {
                XCTAssertTrue(seen.insert(key).inserted, "\(key.name) bound twice in \(context)")
            }
        }
    }

    func testProgressiveLoadingShowsProgressAndPlaceholders() {
        let h = ReaderHarness(count: 0)
        XCTAssertTrue(h.screenText.contains("No messages on the server."))
        let fresh = Reader(model: InboxModel(account: "a"), backend: FakeBackend(), options: ReaderOptions())
        fresh.resize(width: 80, height: 24)
        XCTAssertTrue(FrameRenderer(reader: fresh, now: Date()).render().lines.map(\.text).joined().contains("Reading the message list…"))
        fresh.apply([.listing((1...3).map { MessageListing(number: $0, uid: nil, size: 10) })])
        fresh.apply([.summaryFailed(number: 1, reason: "TOP refused")])
        let text = FrameRenderer(reader: fresh, now: Date()).render().lines.map(\.text).joined(separator: "\n")
        XCTAssertTrue(text.contains("headers 1/3"), text)
        XCTAssertTrue(text.contains("(header unreadable: TOP refused)"), text)
        XCTAssertTrue(text.contains("…"))
    }

    /// A mark held by number (no UIDs yet, or none at all) cannot follow a reconnection: the
    /// reader says so instead of dropping it silently.
    func testAMarkLostToANewSessionIsToldAbout() {
        let reader = Reader(model: InboxModel(account: "a"), backend: FakeBackend(), options: ReaderOptions())
        reader.resize(width: 120, height: 24)
        let rows = (1...3).map { MessageListing(number: $0, uid: nil, size: 10) }
        reader.apply([.listing(rows)])
        reader.model.select(number: 2)
        reader.model.markSelectedAndAdvance()
        reader.apply([.listing(rows)])
        XCTAssertEqual(reader.notice?.text, "1 deletion mark was dropped: after the lost connection, a message number without a UID may name another message. Mark it again.")
        XCTAssertEqual(reader.model.marks.count, 0)
    }

    func testNoticesFromTheBackendShowUntilTheNextKey() {
        let h = ReaderHarness(count: 2)
        h.reader.apply([.notice("2 messages have no UIDL.")])
        XCTAssertTrue(h.screenText.contains("2 messages have no UIDL."))
        h.type("k")
        XCTAssertNil(h.reader.notice)
    }
}

final class ReaderPagerTests: XCTestCase {
    func testOpenDownloadsShowsProgressThenThePager() {
        let h = ReaderHarness(count: 3)
        h.press(.enter)
        XCTAssertEqual(h.backend.calls, [.fetchMessage(3, "uid-3")])
        h.reader.apply([.fetchProgress(number: 3, received: 512, total: 1024)])
        XCTAssertTrue(h.screenText.contains("Downloading message 3: 512B of 1.0K (50%)"), h.screenText)
        h.deliver(3)
        XCTAssertEqual(h.reader.screen, .pager)
        let screen = h.screenText
        XCTAssertTrue(screen.contains("From: Sender 3"))
        XCTAssertTrue(screen.contains("Hello there."))
        XCTAssertNil(h.reader.progress)
        h.type("q")
        XCTAssertEqual(h.reader.screen, .index)
        h.press(.enter)
        XCTAssertEqual(h.reader.screen, .pager, "a downloaded message opens from the cache")
        XCTAssertEqual(h.backend.calls.count, 1)
    }

    func testALargeMessageAsksFirst() {
        let h = ReaderHarness(count: 3, sizes: [3: 5 << 20])
        h.press(.enter)
        XCTAssertEqual(h.reader.prompt?.label, "Message 3 is 5.0M. Download it? [y/n] ")
        XCTAssertEqual(h.backend.calls, [])
        h.type("n")
        XCTAssertNil(h.reader.prompt)
        XCTAssertEqual(h.backend.calls, [])
        h.press(.enter)
        h.type("y")
        XCTAssertEqual(h.backend.calls, [.fetchMessage(3, "uid-3")])
    }

    func testTheThresholdIsConfigurable() {
        let h = ReaderHarness(count: 3, options: ReaderOptions(largeMessageThreshold: 100))
        h.press(.enter)
        XCTAssertNotNil(h.reader.prompt)
    }

    func testAFailedDownloadSaysWhy() {
        let h = ReaderHarness(count: 3)
        h.press(.enter)
        h.reader.apply([.fetchFailed(number: 3, reason: "-ERR no such message")])
        XCTAssertEqual(h.reader.notice, Notice(text: "Could not download message 3: -ERR no such message", isError: true))
        XCTAssertEqual(h.reader.screen, .index)
    }

    func testScrollingWrappingAndSearch() {
        let body = (1...100).map { "line \($0) " + String(repeating: "word ", count: 30) }
        let h = ReaderHarness(count: 1, width: 40, height: 12)
        h.press(.enter)
        h.deliver(1, body: body)
        let pager = { h.reader.pager! }
        XCTAssertTrue(pager().document.lines.allSatisfy { TerminalText.width(of: $0.text) <= 40 })
        XCTAssertGreaterThan(pager().document.lines.count, 300, "long lines wrap")
        h.type("j")
        XCTAssertEqual(pager().top, 1)
        h.type("k")
        h.type("k")
        XCTAssertEqual(pager().top, 0)
        h.type(" ")
        XCTAssertEqual(pager().top, h.reader.layout.bodyHeight)
        h.type("G")
        XCTAssertEqual(pager().top, pager().document.lines.count - h.reader.layout.bodyHeight)
        h.press(.home)
        h.type("/line 50 \n")
        XCTAssertTrue(pager().document.lines[pager().top].text.hasPrefix("line 50 "))
        XCTAssertTrue(h.frame().lines.contains { $0.spans.contains { $0.style == .searchMatch } })
        h.type("P")
        XCTAssertTrue(pager().document.lines[pager().top].text.hasPrefix("line 50 "), "the only match, found again")
        XCTAssertEqual(h.reader.notice?.text, "Search wrapped to the bottom.")
        h.type("/no such text\n")
        XCTAssertEqual(h.reader.notice?.isError, true)
    }

    func testResizeKeepsThePlace() {
        let body = (1...60).map { "paragraph \($0) " + String(repeating: "text ", count: 40) }
        let h = ReaderHarness(count: 1, width: 100, height: 20)
        h.press(.enter)
        h.deliver(1, body: body)
        h.type("/paragraph 30 \n")
        let source = h.reader.pager!.document.lines[h.reader.pager!.top].source
        h.reader.resize(width: 30, height: 10)
        let pager = h.reader.pager!
        XCTAssertEqual(pager.document.width, 30)
        XCTAssertEqual(pager.document.lines[pager.top].source, source)
    }

    func testHeadersAndRawToggle() {
        let h = ReaderHarness(count: 1)
        h.press(.enter)
        h.deliver(1, raw: Array("X-Evil: \u{1B}]0;owned\u{07}\r\nSubject: hi\r\n\r\nbody\r\n".utf8))
        XCTAssertFalse(h.screenText.contains("Received:"))
        h.type("h")
        XCTAssertEqual(h.reader.pager?.mode, .fullHeaders)
        XCTAssertTrue(h.screenText.contains("Received: from somewhere"))
        h.type("h")
        XCTAssertEqual(h.reader.pager?.mode, .brief)
        h.type("R")
        XCTAssertEqual(h.reader.pager?.mode, .raw)
        let screen = h.screenText
        XCTAssertTrue(screen.contains("X-Evil:"))
        XCTAssertFalse(screen.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        XCTAssertTrue(screen.contains("[raw source]"))
        h.type("R")
        XCTAssertEqual(h.reader.pager?.mode, .brief)
    }

    func testNextPreviousAndMarkInThePager() {
        let h = ReaderHarness(count: 3)
        h.press(.enter)
        h.deliver(3)
        h.type("J")
        XCTAssertEqual(h.reader.notice?.text, "This is the last message.")
        h.type("K")
        XCTAssertEqual(h.backend.calls.last, .fetchMessage(2, "uid-2"))
        h.deliver(2)
        XCTAssertEqual(h.reader.pager?.number, 2)
        h.type("d")
        XCTAssertTrue(h.reader.model.isMarked(h.reader.model.row(number: 2)!))
        XCTAssertEqual(h.reader.pager?.number, 3, "d shows the next message (cached)")
        h.type("u")
        XCTAssertFalse(h.reader.model.isMarked(h.reader.model.row(number: 3)!))
        h.type("x")
        XCTAssertEqual(h.backend.calls.last, .quitWithoutDeleting)
    }

    func testPipeHandsTheRawMessageToTheRunLoop() {
        let h = ReaderHarness(count: 2)
        h.type("|")
        XCTAssertEqual(h.backend.calls, [.fetchMessage(2, "uid-2")], "piping an undownloaded message fetches it first")
        h.deliver(2, raw: Array("raw bytes".utf8))
        XCTAssertEqual(h.reader.prompt?.label, "Pipe message 2 to command: ")
        h.type("wc -c\n")
        XCTAssertEqual(h.reader.takeRequests(), [.pipe(command: "wc -c", input: Array("raw bytes".utf8))])
        h.reader.tell("The command finished.", failed: false)
        XCTAssertEqual(h.reader.notice?.text, "The command finished.")
    }
}

final class ReaderSaveTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-save-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    private func mode(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    func testSaveTheWholeMessageNeverOverwrites() throws {
        let h = ReaderHarness(count: 1, options: ReaderOptions(saveDirectory: directory.path))
        h.press(.enter)
        h.deliver(1, raw: Array("the source".utf8))
        h.type("s")
        XCTAssertEqual(h.reader.prompt?.label, "Save into a folder (Enter) or m as a file: ")
        h.type("m")
        h.type("\n")
        XCTAssertEqual(h.reader.prompt?.text, directory.path + "/message-1.eml")
        h.type("\n")
        let first = directory.appendingPathComponent("message-1.eml")
        XCTAssertEqual(try Data(contentsOf: first), Data("the source".utf8))
        XCTAssertEqual(try mode(first), 0o600)
        h.type("sm\n\n")
        XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent("message-1-1.eml")), Data("the source".utf8))
        XCTAssertTrue(h.reader.notice?.text.contains("message-1-1.eml") ?? false)
    }

    func testSaveAnAttachmentUnderASafeName() throws {
        let raw = Array("""
            From: a@example.org\r
            Subject: files\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b"\r
            \r
            --b\r
            Content-Type: text/plain\r
            \r
            see attached\r
            --b\r
            Content-Type: application/octet-stream; name="../../.bashrc"\r
            Content-Disposition: attachment; filename="../../.bashrc"\r
            Content-Transfer-Encoding: base64\r
            \r
            aGVsbG8=\r
            --b--\r

            """.utf8)
        let rendered = MessageRenderer.render(raw)
        XCTAssertEqual(rendered.attachments.count, 1)
        let h = ReaderHarness(count: 1, options: ReaderOptions(saveDirectory: directory.path))
        h.press(.enter)
        h.reader.apply([.message(number: 1, raw: raw, rendered: rendered)])
        XCTAssertTrue(h.screenText.contains("Attachment: [1]"))
        h.type("s")
        XCTAssertEqual(h.reader.prompt?.label, "Save into a folder (Enter), m as a file, or attachment 1: ")
        h.type("1\n")
        let proposed = h.reader.prompt?.text ?? ""
        XCTAssertTrue(proposed.hasPrefix(directory.path + "/"))
        XCTAssertFalse(proposed.dropFirst(directory.path.count + 1).contains("/"))
        h.type("\n")
        let saved = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertEqual(saved.count, 1)
        XCTAssertFalse(saved[0].hasPrefix("."))
        XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent(saved[0])), Data("hello".utf8))
        // A directory typed as the destination gets the attachment's safe name.
        h.type("s1\n")
        h.press(.control("u"))
        h.type(directory.path + "\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).count, 2)
    }

    /// The reader's `s` goes through the same save plan as `mailbag show --save-attachments`: an
    /// attached message is one .eml of its own bytes, and a file inside it is saved alone.
    func testAnAttachedMessageIsSavedAsItselfAndAFileInsideItAlone() throws {
        var raw = "Subject: inner\r\nContent-Type: application/octet-stream; name=data.bin\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n"
        for level in 0..<5 { raw = "Subject: level \(level)\r\nContent-Type: message/rfc822\r\n\r\n" + raw }
        let bytes = Array(raw.utf8)
        let rendered = MessageRenderer.render(bytes)
        XCTAssertEqual(rendered.attachments.count, 6)
        let h = ReaderHarness(count: 1, options: ReaderOptions(saveDirectory: directory.path))
        h.press(.enter)
        h.reader.apply([.message(number: 1, raw: bytes, rendered: rendered)])
        h.type("s1\n\n")
        let eml = try Data(contentsOf: directory.appendingPathComponent("message-1.eml"))
        XCTAssertEqual(Array(eml), Array(bytes.dropFirst("Subject: level 4\r\nContent-Type: message/rfc822\r\n\r\n".utf8.count)))
        h.type("s6\n\n")
        XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent("data.bin")), Data("hello".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), ["data.bin", "message-1.eml"])
    }

    /// The exact downloaded bytes go into the folder; a new folder is created only after a yes,
    /// and the prompt proposes the folder used last.
    func testSaveIntoAFolderAsksBeforeCreatingItAndRemembersIt() throws {
        let h = ReaderHarness(count: 2, options: ReaderOptions(saveDirectory: directory.path))
        h.press(.enter)
        let raw = Array("Subject: kept\r\n\r\nFrom the body\r\n".utf8)
        h.deliver(2, raw: raw)
        let maildir = directory.path + "/Saved/"
        h.type("s\n")
        XCTAssertEqual(h.reader.prompt?.text, "")
        h.type(maildir + "\n")
        XCTAssertEqual(h.reader.prompt?.label, "\(directory.path)/Saved does not exist. Create it as a new Maildir? [y/n] ")
        h.type("n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: maildir))
        h.type("s\n" + maildir + "\ny")
        let cur = try FileManager.default.contentsOfDirectory(atPath: maildir + "cur")
        XCTAssertEqual(cur.count, 1)
        XCTAssertTrue(cur[0].hasSuffix(":2,S"), "an opened message is saved as read")
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: maildir + "cur/" + cur[0]))), raw)
        XCTAssertEqual(h.reader.notice?.text, "Saved message 2 to \(directory.path)/Saved.")
        h.type("s\n")
        XCTAssertEqual(h.reader.prompt?.text, maildir, "the last folder is proposed again")
        h.type("\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: maildir + "cur").count, 2, "an existing folder is not asked about")
    }

    /// Tab in the folder prompt completes what was typed as a shell would, lists the matches it
    /// cannot choose between above the prompt, and the completed folder is the one saved into.
    func testTabCompletesTheFolderPromptAndListsAmbiguousMatches() throws {
        for maildir in ["Lists", "Later"] {
            for sub in ["cur", "new", "tmp"] {
                try FileManager.default.createDirectory(atPath: "\(directory.path)/\(maildir)/\(sub)", withIntermediateDirectories: true)
            }
        }
        let h = ReaderHarness(count: 1, options: ReaderOptions(saveDirectory: directory.path))
        h.press(.enter)
        h.deliver(1, raw: Array("Subject: kept\r\n\r\nbody\r\n".utf8))
        h.type("s\n" + directory.path + "/L\t")
        XCTAssertEqual(h.reader.prompt?.text, directory.path + "/L", "two matches share no more than the L")
        XCTAssertEqual(h.frame().lines[h.reader.layout.statusRow].text.trimmingCharacters(in: .whitespaces), "2 matches: Later/  Lists/")
        h.type("i\t")
        XCTAssertEqual(h.reader.prompt?.text, directory.path + "/Lists/")
        XCTAssertEqual(h.reader.prompt?.candidates, [], "the list goes with the next key")
        h.type("\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/Lists/cur").count, 1)
    }

    /// `A` saves into the archive folder and only then marks; the report says where it went.
    func testArchiveSavesThenMarksAndTheReportSaysWhere() throws {
        var options = ReaderOptions(saveDirectory: directory.path)
        let mbox = directory.path + "/archive"
        do {
            let h = ReaderHarness(count: 1, options: options)
            h.type("A")
            XCTAssertEqual(h.reader.notice?.isError, true)
            XCTAssertTrue(h.reader.notice?.text.contains("No archive folder") ?? false)
            XCTAssertTrue(h.reader.model.commitPlan().entries.isEmpty)
        }
        options.archiveFolder = mbox
        let h = ReaderHarness(count: 3, options: options)
        h.type("A")
        XCTAssertTrue(h.reader.model.commitPlan().entries.isEmpty, "nothing is marked before the copy is written")
        let raw = Array("Subject: old news\r\n\r\nbody\r\n".utf8)
        h.deliver(3, raw: raw)
        XCTAssertTrue(try String(contentsOfFile: mbox, encoding: .utf8).hasSuffix("Subject: old news\r\n\r\nbody\r\n\n"))
        let plan = h.reader.model.commitPlan()
        XCTAssertEqual(plan.entries.map(\.number), [3])
        h.type("q")
        h.type("y")
        XCTAssertEqual(h.reader.phase, .committing)
        let report = CommitReport(deleted: plan.entries, skipped: [], serverText: "bye")
        h.reader.apply([.committed(report), .closed])
        h.type(" ")
        XCTAssertEqual(h.reader.exitSummary?.lines, ["Deleted 1 message from the server.", "Saved before deleting: 1 message in \(mbox).", "The server said: bye"])
    }

    /// `;A` downloads the tagged messages, delivers them all into the archive Maildir, and only
    /// then marks them, as one action that one `z` takes back.
    func testArchivingTheTaggedMessagesMarksThemOnlyOnceAllAreSaved() throws {
        var options = ReaderOptions(saveDirectory: directory.path)
        options.archiveFolder = directory.path + "/Archive/"
        let h = ReaderHarness(count: 4, options: options)
        h.reader.model.select(number: 1)
        h.type("t")
        h.reader.model.select(number: 3)
        h.type("t;A")
        XCTAssertTrue(h.reader.model.commitPlan().entries.isEmpty, "nothing is marked before the copies are written")
        h.deliver(1, raw: Array("Subject: one\r\n\r\nfirst\r\n".utf8))
        XCTAssertTrue(h.reader.model.commitPlan().entries.isEmpty, "one copy of two is not enough")
        h.deliver(3, raw: Array("Subject: three\r\n\r\nthird\r\n".utf8))
        XCTAssertEqual(h.reader.model.commitPlan().entries.map(\.number).sorted(), [1, 3])
        let saved = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/Archive/cur")
        XCTAssertEqual(saved.count, 2)
        XCTAssertEqual(h.reader.notice?.text, "Archived 2 messages to \(directory.path)/Archive/; they are marked for deletion.")
        h.type("z")
        XCTAssertTrue(h.reader.model.commitPlan().entries.isEmpty, "one undo takes back the whole batch")
    }

    func testABadChoiceOrUnwritablePlaceIsExplained() {
        let h = ReaderHarness(count: 1, options: ReaderOptions(saveDirectory: "/nonexistent/dir"))
        h.press(.enter)
        h.deliver(1, attachments: [AttachmentInfo(index: 1, filename: "a.txt", mimeType: "text/plain", size: 1)])
        h.type("s7\n")
        XCTAssertEqual(h.reader.notice?.isError, true)
        h.type("sm\n\n")
        XCTAssertEqual(h.reader.notice?.isError, true)
        XCTAssertTrue(h.reader.notice?.text.contains("/nonexistent/dir") ?? false)
    }
}

final class ReaderPreviewTests: XCTestCase {
    func testPreviewPaneAsksForTopOnceTheSelectionRests() {
        let h = ReaderHarness(count: 5)
        h.type("p")
        XCTAssertTrue(h.reader.previewVisible)
        XCTAssertNotNil(h.reader.layout.previewDivider)
        let t0 = Date()
        h.reader.tick(now: t0)
        h.reader.tick(now: t0.addingTimeInterval(0.05))
        XCTAssertEqual(h.backend.calls, [], "not while the selection may still be moving")
        h.reader.tick(now: t0.addingTimeInterval(0.2))
        XCTAssertEqual(h.backend.calls, [.fetchPreview(5, "uid-5", 20)])
        XCTAssertTrue(h.screenText.contains("Loading the first lines…"))
        h.reader.apply([.preview(number: 5, rendered: RenderedMessage(
            briefHeaders: [HeaderLine(name: "From", value: "Preview Sender")], fullHeaders: [],
            lines: [BodyLine(kind: .text, text: "first line of the body")], attachments: [], isPartial: true))])
        let screen = h.screenText
        XCTAssertTrue(screen.contains("Preview of message 5"))
        XCTAssertTrue(screen.contains("first line of the body"))
        h.reader.tick(now: t0.addingTimeInterval(1))
        XCTAssertEqual(h.backend.calls.count, 1, "asked once")
        h.type("k")
        h.reader.tick(now: t0.addingTimeInterval(2))
        h.reader.tick(now: t0.addingTimeInterval(3))
        XCTAssertEqual(h.backend.calls.last, .fetchPreview(4, "uid-4", 20))
        h.reader.apply([.fetchFailed(number: 4, reason: "TOP not supported")])
        XCTAssertTrue(h.screenText.contains("Preview unavailable: TOP not supported"))
        h.type("p")
        XCTAssertNil(h.reader.layout.previewDivider)
    }
}

final class FrameTests: XCTestCase {
    func testEverySizeFromTinyToLargeStaysInsideTheScreen() {
        let h = ReaderHarness(count: 30)
        h.reader.apply([.summary(number: 7, MessageSummary(
            from: "山田 太郎", fromAddress: nil, to: "", subject: "会議のお知らせ — cafe\u{301} 😀 long long long long long long",
            date: nil, messageID: nil, hasAttachments: true))])
        for (width, height) in [(20, 5), (21, 6), (33, 7), (40, 8), (80, 24), (132, 50), (19, 5), (20, 4), (5, 2), (0, 0)] {
            for previewOn in [false, true] {
                if h.reader.previewVisible != previewOn { h.type("p") }
                h.reader.resize(width: width, height: height)
                let frame = h.frame()
                XCTAssertEqual(frame.lines.count, height)
                for line in frame.lines {
                    XCTAssertLessThanOrEqual(TerminalText.width(of: line.text), width, "\(width)×\(height): \(line.text)")
                }
            }
        }
    }

    func testTinyTerminalsGetANotice() {
        let h = ReaderHarness(count: 3, width: 19, height: 5)
        XCTAssertEqual(h.frame().lines[0].text, "Terminal too small")
        h.reader.resize(width: 40, height: 4)
        XCTAssertTrue(h.frame().lines[1].text.hasPrefix("(needs 20×5)"))
        h.reader.resize(width: 20, height: 5)
        let frame = h.frame()
        XCTAssertTrue(frame.lines[0].text.hasPrefix("1 "), "no title bar at five rows: rows start at the top")
    }

    func testTheIndexRowShowsFlagsDateSenderSizeAndSubject() {
        let h = ReaderHarness(count: 3, width: 100, read: false)
        h.press(.home)
        h.type("d")  // mark 1
        h.reader.apply([.newMessages(uids: ["uid-2"])])
        let frame = h.frame()
        let rows = frame.lines[1...3].map(\.text)
        XCTAssertTrue(rows[0].hasPrefix("1 D O  "), rows[0])
        XCTAssertTrue(rows[1].hasPrefix("2   N @"), rows[1])
        XCTAssertTrue(rows[0].contains("Sender 1"))
        XCTAssertTrue(rows[0].contains("1001B"))
        XCTAssertTrue(rows[0].contains("Subject number 1"))
        XCTAssertTrue(rows[0].contains("15:00"), "today's date is the time: \(rows[0])")
        XCTAssertEqual(frame.lines[2].fill, .indexSelected)
        XCTAssertEqual(frame.lines[1].fill, .indexMarked)
        XCTAssertEqual(frame.lines[3].fill, .indexUnread)
        XCTAssertTrue(frame.lines[2].spans.allSatisfy { $0.style == .indexSelected })
        XCTAssertTrue(frame.lines[3].spans.isEmpty == false)
    }

    func testStatusLine() {
        let h = ReaderHarness(count: 3, read: false)
        h.type("d")
        h.reader.apply([.newMessages(uids: ["uid-1"])])
        let status = h.frame().lines[22].text
        XCTAssertTrue(status.contains("1 marked (1003B) | 3 unread | 1 new"), status)
        XCTAssertTrue(status.contains("alice@pop.example"), status)
        XCTAssertTrue(status.contains("3 messages, 2.9K"), status)
        XCTAssertTrue(status.contains("1 marked (1003B)"), status)
        XCTAssertTrue(status.contains("1 new"), status)
        XCTAssertTrue(status.hasSuffix(" 3/3 "), status)
    }

    func testTheTitleBarIsGeneratedFromTheKeyMap() {
        let h = ReaderHarness(count: 1)
        XCTAssertEqual(h.frame().lines[0].text, KeyMap.standard.hints(for: .index))
        XCTAssertTrue(h.frame().lines[0].text.hasPrefix("q:Quit  Enter:Open  p:Preview  d:Mark"))
    }

    func testHostileServerTextNeverReachesTheScreenAsControls() {
        let h = ReaderHarness(count: 2)
        h.reader.apply([.summary(number: 1, MessageSummary(
            from: "\u{1B}]52;c;ZXZpbA==\u{07}evil", fromAddress: nil, to: "",
            subject: "\u{9B}2J\u{1B}[31mred\u{202E}gpj.exe\r\nInjected: yes", date: nil, messageID: nil, hasAttachments: false))])
        h.reader.apply([.notice("bad \u{1B}[5n notice")])
        h.press(.home)
        for line in h.frame().lines {
            for scalar in line.text.unicodeScalars {
                XCTAssertFalse(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value), "control in \(line.text.debugDescription)")
                XCTAssertNotEqual(scalar.properties.generalCategory, .format)
            }
        }
    }
}

/// Issue 18: the message line cut long notices at the screen width and said nothing about an
/// unbound key.
final class MessageLineTests: XCTestCase {
    func testAnUnboundKeySaysSoAndTheNextKeyClearsIt() {
        let h = ReaderHarness()
        h.type("Y")
        XCTAssertEqual(h.frame().lines.last?.text.trimmingCharacters(in: .whitespaces), "Key is not bound. Press ? for help.")
        h.type("j")
        XCTAssertFalse(h.screenText.contains("Key is not bound"))
    }

    func testALongNoticeWrapsAboveTheBottomInsteadOfBeingCut() {
        let h = ReaderHarness(width: 40, height: 12)
        let long = "Connection lost (the server closed the connection); reconnecting in 8 s, attempt 4 of 10. Esc stops; your marks are kept."
        h.reader.apply([.notice(long)])
        let frame = h.frame()
        let layout = h.reader.layout
        XCTAssertEqual(layout.messageLines, 3)
        let bottom = frame.lines.suffix(3).map { $0.text.trimmingCharacters(in: .whitespaces) }
        XCTAssertTrue(bottom.joined(separator: " ").hasPrefix("Connection lost (the server closed the"), "\(bottom)")
        XCTAssertTrue(bottom.last?.hasSuffix("…") == true, "a notice longer than three lines ends in an ellipsis: \(bottom)")
        XCTAssertTrue(frame.lines[layout.statusRow].text.contains("alice@pop.example"), "the status bar moves up, it is not overwritten")
        for line in frame.lines { XCTAssertLessThanOrEqual(TerminalText.width(of: line.text), 40) }

        h.type("j")
        XCTAssertEqual(h.reader.layout.messageLines, 1, "the rows come back once the notice is gone")
    }
}

/// Issue 18: `$` and `check_interval` ask the backend for a new session; the answer is shown.
final class NewMailTests: XCTestCase {
    func testDollarChecksOnceAndSaysHowItWent() {
        let h = ReaderHarness()
        h.type("$")
        XCTAssertEqual(h.backend.calls.filter { $0 == .checkForNewMail }.count, 1)
        XCTAssertTrue(h.screenText.contains("Checking for new mail…"))
        h.type("$")
        XCTAssertEqual(h.backend.calls.filter { $0 == .checkForNewMail }.count, 1, "one check at a time")
        h.reader.apply([.mailChecked(arrived: 0)])
        XCTAssertTrue(h.screenText.contains("No new mail."))
        h.type("$")
        h.reader.apply([.mailChecked(arrived: 2)])
        XCTAssertTrue(h.screenText.contains("2 new messages."))
    }

    func testTheIntervalChecksQuietlyUnlessMailArrived() {
        var options = ReaderOptions(saveDirectory: NSTemporaryDirectory())
        options.checkInterval = 300
        let h = ReaderHarness(options: options)
        let start = ReaderHarness.now
        h.reader.tick(now: start)
        h.reader.tick(now: start.addingTimeInterval(299))
        XCTAssertFalse(h.backend.calls.contains(.checkForNewMail))
        h.reader.tick(now: start.addingTimeInterval(300))
        XCTAssertEqual(h.backend.calls.filter { $0 == .checkForNewMail }.count, 1)
        XCTAssertFalse(h.screenText.contains("Checking"), "an automatic check does not talk")
        h.reader.apply([.mailChecked(arrived: 0)])
        XCTAssertFalse(h.screenText.contains("No new mail"))
        h.reader.tick(now: start.addingTimeInterval(400))
        XCTAssertEqual(h.backend.calls.filter { $0 == .checkForNewMail }.count, 1, "the interval counts from the last check")
        h.reader.tick(now: start.addingTimeInterval(600))
        XCTAssertEqual(h.backend.calls.filter { $0 == .checkForNewMail }.count, 2)
        h.reader.apply([.mailChecked(arrived: 1)])
        XCTAssertTrue(h.screenText.contains("1 new message."))
    }
}

/// Issue 18 item 6: `v` views an attachment, `L` opens a numbered link.
final class ViewAndLinkTests: XCTestCase {
    private let raw = Array("""
        From: a@example.org\r
        Subject: files\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary="b"\r
        \r
        --b\r
        Content-Type: text/html\r
        \r
        <p>See <a href="https://example.org/a?b=1">this</a> and <a href="https://example.net/">that</a></p>\r
        --b\r
        Content-Type: application/pdf; name="report.pdf"\r
        Content-Disposition: attachment; filename="report.pdf"\r
        Content-Transfer-Encoding: base64\r
        \r
        aGVsbG8=\r
        --b--\r

        """.utf8)

    private func opened() -> ReaderHarness {
        let h = ReaderHarness(count: 1)
        h.press(.enter)
        h.reader.apply([.message(number: 1, raw: raw, rendered: MessageRenderer.render(raw))])
        return h
    }

    func testVListsTheAttachmentsAndEnterViewsTheSelectedOneDecoded() {
        let h = opened()
        h.type("v")
        XCTAssertEqual(h.reader.attachmentMenu, AttachmentMenu(number: 1, selection: 0))
        let screen = h.screenText
        XCTAssertTrue(screen.contains("Attachments of message 1"), screen)
        XCTAssertTrue(screen.contains("report.pdf") && screen.contains("application/pdf"), screen)
        h.type("j\n")
        XCTAssertEqual(h.reader.takeRequests(), [.view(bytes: Array("hello".utf8), name: "report.pdf", contentType: "application/pdf")])
        XCTAssertNotNil(h.reader.attachmentMenu, "the menu stays after viewing, as mutt's")
        h.type("s")
        XCTAssertEqual(h.reader.prompt?.label, "Save to: ")
        h.type("\u{1B}q")
        XCTAssertNil(h.reader.attachmentMenu)
        XCTAssertEqual(h.reader.screen, .pager, "q leaves the menu, not the message")
    }

    func testLOpensTheNumberedLink() {
        let h = opened()
        h.type("L")
        XCTAssertEqual(h.reader.prompt?.label, "Open link 1-2 [1]: ")
        h.type("2\n")
        XCTAssertEqual(h.reader.takeRequests(), [.openLink("https://example.net/")])
    }

    func testFromTheIndexTheMessageIsFetchedFirstAndTheIndexStays() {
        let h = ReaderHarness(count: 1)
        h.type("v")
        XCTAssertEqual(h.backend.calls.last, .fetchMessage(1, "uid-1"))
        h.reader.apply([.message(number: 1, raw: raw, rendered: MessageRenderer.render(raw))])
        XCTAssertEqual(h.reader.attachmentMenu?.number, 1)
        XCTAssertEqual(h.reader.screen, .index, "the menu is over the index")
    }
}

/// Issue 18 item 7: `c` changes account; marks are committed first or kept for coming back.
final class ChangeAccountTests: XCTestCase {
    private func harness(others: [String]) -> ReaderHarness {
        var options = ReaderOptions(saveDirectory: NSTemporaryDirectory())
        options.otherAccounts = others
        return ReaderHarness(options: options)
    }

    func testWithoutOtherAccountsCSaysSo() {
        let h = harness(others: [])
        h.type("c")
        XCTAssertNil(h.reader.prompt)
        XCTAssertTrue(h.screenText.contains("No other account is configured"))
    }

    func testWithoutMarksTheChangeIsAsked() {
        let h = harness(others: ["home", "work"])
        h.type("c")
        XCTAssertEqual(h.reader.prompt?.label, "Change to account (home, work): ")
        h.type("nowhere\n")
        XCTAssertTrue(h.screenText.contains("There is no other account called “nowhere”."))
        h.type("chome\n")
        XCTAssertEqual(h.reader.takeRequests(), [.changeAccount("home")])
    }

    func testMarksAreKeptOrCommittedBeforeTheChange() {
        let h = harness(others: ["home"])
        h.type("d")
        h.type("chome\n")
        XCTAssertEqual(h.reader.prompt?.purpose, .confirmLeave(count: 1, account: "home"))
        h.type("c")
        XCTAssertNil(h.reader.prompt, "c cancels")
        XCTAssertTrue(h.reader.takeRequests().isEmpty)
        h.type("chome\nn")
        XCTAssertEqual(h.reader.takeRequests(), [.changeAccount("home")], "n keeps the marks and changes")
        h.type("chome\ny")
        XCTAssertEqual(h.reader.changeAfterCommit, "home")
        XCTAssertEqual(h.reader.phase, .committing)
        guard case .commit(let plan) = h.backend.calls.last else { return XCTFail("no commit: \(h.backend.calls)") }
        XCTAssertEqual(plan.entries.map(\.uid), ["uid-5"], "the newest, where the index opens")
    }
}

/// Issue 18: `;s` and `;|` act on every tagged message, downloading the missing ones first.
final class TaggedSaveAndPipeTests: XCTestCase {
    func testPipeTaggedDownloadsThenPipesThemAllInOrder() {
        let h = ReaderHarness(count: 4)
        h.press(.home)
        XCTAssertTrue(h.reader.model.select(number: 1))
        h.type("t")
        XCTAssertTrue(h.reader.model.select(number: 3))
        h.type("t;|")
        XCTAssertEqual(h.backend.calls.suffix(2), [.fetchMessage(1, "uid-1"), .fetchMessage(3, "uid-3")])
        XCTAssertNil(h.reader.prompt, "nothing is asked before the messages are in")
        h.deliver(3, raw: Array("three".utf8))
        XCTAssertNil(h.reader.prompt)
        h.deliver(1, raw: Array("one".utf8))
        XCTAssertEqual(h.reader.prompt?.label, "Pipe 2 tagged messages to command: ")
        h.type("cat\n")
        XCTAssertEqual(h.reader.takeRequests(), [.pipe(command: "cat", input: Array("one\nthree\n".utf8))])
    }

    func testSaveTaggedDeliversThemIntoOneFolder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tagged-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let h = ReaderHarness(count: 3, options: ReaderOptions(saveDirectory: NSTemporaryDirectory()))
        for number in [1, 2] {
            XCTAssertTrue(h.reader.model.select(number: number))
            h.type("t")
            h.deliver(number, raw: Array("From: a@example.org\r\nSubject: \(number)\r\n\r\nbody \(number)\r\n".utf8))
        }
        h.type(";s")
        XCTAssertEqual(h.reader.prompt?.label, "Save 2 tagged messages to folder: ")
        h.type(directory.path + "/\n")
        XCTAssertTrue(h.screenText.contains("Saved 2 messages to"), h.screenText)
        let delivered = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("cur").path)
        XCTAssertEqual(delivered.count, 2, "a Maildir with both, marked read")
    }
}

/// Issue 18: `t` tags in the pager too, staying on the message.
final class PagerTagTests: XCTestCase {
    func testTInThePagerTagsTheShownMessage() {
        let h = ReaderHarness(count: 3)
        h.press(.enter)
        h.deliver(3)
        h.type("t")
        XCTAssertEqual(h.reader.pager?.number, 3, "the pager stays")
        XCTAssertEqual(h.reader.model.taggedRows.map(\.number), [3])
        XCTAssertTrue(h.screenText.contains("[tagged]"), h.screenText)
        h.type("t")
        XCTAssertEqual(h.reader.model.taggedRows.map(\.number), [])
    }
}
