import Foundation
import Inbox
import MailMessage
import XCTest
@testable import TUI

/// `o t`, collapsing with `+` and `=`, and `Ctrl-N`/`Ctrl-P` through the reader.
final class ReaderThreadTests: XCTestCase {
    /// Six messages: 1 ← 2 ← 3 and 1 ← 4 (one thread), 5 alone, 6 answering 5 by subject only.
    private func threadedHarness() -> ReaderHarness {
        let h = ReaderHarness(count: 6, width: 100)
        func mail(_ number: Int, _ subject: String, replyTo: Int? = nil, references: [Int] = []) -> InboxEvent {
            .summary(number: number, MessageSummary(
                from: "Sender \(number)", fromAddress: nil, to: "alice", subject: subject,
                date: ReaderHarness.now.addingTimeInterval(Double(number - 10) * 3600), messageID: "<\(number)@x>",
                hasAttachments: false, inReplyTo: replyTo.map { "<\($0)@x>" }, references: references.map { "<\($0)@x>" }))
        }
        h.reader.apply([
            mail(1, "Plans"), mail(2, "Re: Plans", replyTo: 1), mail(3, "Re: Plans", references: [1, 2]),
            mail(4, "Re: Plans for May", replyTo: 1), mail(5, "Lunch"), mail(6, "Re: Lunch"),
        ])
        return h
    }

    /// The subject column of each index row.
    private func subjects(_ h: ReaderHarness) -> [String] {
        // The subject follows the size column ("1001B").
        h.frame().lines[1...].prefix { !$0.text.hasPrefix(" alice") && !$0.text.isEmpty }.map { line in
            guard let size = line.text.range(of: "B ") else { return "" }
            return String(line.text[size.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
    }

    func testOTThreadsTheIndexWithMuttsTree() {
        let h = threadedHarness()
        h.type("o")
        XCTAssertEqual(h.reader.prompt?.label, "Sort by (d)ate (f)rom (s)ubject si(z)e (n)umber (t)hreads; the current key again reverses: ")
        h.type("t")
        XCTAssertEqual(subjects(h), ["Plans", "├─>", "│ └─>", "└─>Re: Plans for May", "Lunch", "└*>"])
        XCTAssertTrue(h.screenText.contains("sorted by threads ↑"))
        XCTAssertEqual(h.reader.model.selectedRow?.number, 6)
        h.type("ot")
        XCTAssertEqual(subjects(h), ["Lunch", "└*>", "Plans", "├─>", "│ └─>", "└─>Re: Plans for May"])
    }

    func testPlusCollapsesAThreadAndItsRowShowsHiddenMarks() {
        let h = threadedHarness()
        h.type("ot")
        h.type("3")
        h.press(.enter)
        h.type("dkkt")  // marks 3, back to 2 and tags it
        h.type("+")
        XCTAssertEqual(h.reader.notice?.text, "Collapsed the thread: 3 messages hidden.")
        XCTAssertEqual(subjects(h), ["(+3) Plans", "Lunch", "└*>"])
        let row = h.frame().lines[1]
        XCTAssertTrue(row.text.hasPrefix("1 D*  "), row.text)
        XCTAssertEqual(row.fill, .indexSelected)
        h.type("j")
        XCTAssertEqual(h.frame().lines[1].fill, .indexMarked, "a hidden mark shows on the collapsed row")
        h.type("k+")
        XCTAssertEqual(subjects(h).count, 6)
        XCTAssertNil(h.reader.notice)
    }

    func testEqualsCollapsesEveryThreadAndCtrlNCtrlPMoveByThread() {
        let h = threadedHarness()
        h.type("ot=")
        XCTAssertEqual(h.reader.notice?.text, "Collapsed 2 threads.")
        XCTAssertEqual(subjects(h), ["(+3) Plans", "(+1) Lunch"])
        h.type("=")
        XCTAssertEqual(h.reader.notice?.text, "Expanded 2 threads.")
        h.press(.home)
        h.press(.control("n"))
        XCTAssertEqual(h.reader.model.selectedRow?.number, 5)
        h.press(.control("n"))
        XCTAssertEqual(h.reader.notice, Notice(text: "This is the last thread.", isError: true))
        h.press(.control("p"))
        XCTAssertEqual(h.reader.model.selectedRow?.number, 1)
    }

    func testThreadKeysOutsideThreadsSaySo() {
        let h = threadedHarness()
        for key in ["+", "="] {
            h.type(key)
            XCTAssertEqual(h.reader.notice?.text, "The index is not in threads: press o t to thread it.")
        }
        h.press(.control("n"))
        XCTAssertEqual(h.reader.notice?.text, "The index is not in threads: press o t to thread it.")
        h.type("ot")
        h.press(.home)
        h.type("+")
        XCTAssertEqual(h.reader.notice?.text, "Collapsed the thread: 3 messages hidden.")
    }
}
