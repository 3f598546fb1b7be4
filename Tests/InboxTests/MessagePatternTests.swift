import Foundation
import Inbox
import MailMessage
import XCTest

/// A pattern the test knows to be valid, relative dates counted from `now`, days in UTC.
func pattern(_ text: String, now: Date = Date(timeIntervalSince1970: 30 * 86_400)) -> MessagePattern {
    do {
        return try MessagePattern(text, now: now, calendar: utcCalendar)
    } catch {
        preconditionFailure("\(text): \(error)")
    }
}

let utcCalendar: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar
}()

final class MessagePatternTests: XCTestCase {
    private let day: TimeInterval = 86_400

    private func row(_ number: Int = 1, from: String = "Alice Example", address: String? = "alice@example.org",
                     to: String = "Bob, Carol", subject: String = "Quarterly report", size: Int = 2000,
                     date: Date? = Date(timeIntervalSince1970: 10 * 86_400)) -> MessageRow {
        MessageRow(
            listing: MessageListing(number: number, uid: "uid-\(number)", size: size),
            summary: MessageSummary(from: from, fromAddress: address, to: to, subject: subject, date: date,
                                    messageID: nil, hasAttachments: false))
    }

    private func matches(_ text: String, _ row: MessageRow, flags: MessageFlags = []) -> Bool {
        pattern(text).matches(row, flags: flags)
    }

    private func error(_ text: String) -> PatternError? {
        do {
            _ = try MessagePattern(text, now: Date(timeIntervalSince1970: 30 * day), calendar: utcCalendar)
            return nil
        } catch {
            return error
        }
    }

    func testPlainTextIsASenderOrSubjectSubstringIgnoringCase() {
        let r = row()
        XCTAssertTrue(matches("QUARTERLY rep", r), "spaces are part of the text")
        XCTAssertTrue(matches("alice ex", r))
        XCTAssertTrue(matches("@example.org", r), "the address counts as the sender")
        XCTAssertFalse(matches("bob", r), "To is not searched by plain text")
        XCTAssertTrue(matches("!report", row(subject: "!report now")), "without ~ even ! is text, as in mutt")
        XCTAssertFalse(matches("report", MessageRow(listing: MessageListing(number: 1, uid: nil, size: 1))),
                       "a row whose header has not arrived matches no text")
    }

    func testTextTerms() {
        let r = row()
        XCTAssertTrue(matches("~f alice", r))
        XCTAssertTrue(matches("~f ALICE@EXAMPLE", r))
        XCTAssertFalse(matches("~f report", r))
        XCTAssertTrue(matches("~s report", r))
        XCTAssertFalse(matches("~s alice", r))
        XCTAssertTrue(matches("~t carol", r))
        XCTAssertFalse(matches("~t alice", r))
        XCTAssertTrue(matches("~s \"quarterly report\"", r), "quotes keep spaces")
        XCTAssertTrue(matches("~s 'ly rep'", r))
        XCTAssertTrue(matches(#"~s a\|b"#, row(subject: "a|b")), "a backslash takes the next character as text")
    }

    func testSizes() {
        XCTAssertTrue(matches("~z >1K", row(size: 1025)))
        XCTAssertFalse(matches("~z >1K", row(size: 1024)))
        XCTAssertTrue(matches("~z <10K", row(size: 10 * 1024 - 1)))
        XCTAssertFalse(matches("~z <10K", row(size: 10 * 1024)))
        XCTAssertTrue(matches("~z 10K-1M", row(size: 1 << 20)))
        XCTAssertTrue(matches("~z 10k-1m", row(size: 10 * 1024)))
        XCTAssertFalse(matches("~z 10K-1M", row(size: (1 << 20) + 1)))
        XCTAssertTrue(matches("~z -100", row(size: 100)))
        XCTAssertTrue(matches("~z 5M-", row(size: 6 << 20)))
        XCTAssertTrue(matches("~z 2000", row(size: 2000)))
        XCTAssertFalse(matches("~z 2000", row(size: 2001)))
        XCTAssertTrue(matches("~z >1M", MessageRow(listing: MessageListing(number: 1, uid: nil, size: 2 << 20))),
                      "the size is known before the header")
    }

    func testDates() {
        // 10 days after the epoch is 11/01/1970; "now" is 31/01/1970, both UTC.
        let r = row(date: Date(timeIntervalSince1970: 10 * day + 3600))
        XCTAssertTrue(matches("~d 11/01/1970", r))
        XCTAssertTrue(matches("~d 11/01/70", r), "two-digit years from 70 are 19xx")
        XCTAssertTrue(matches("~d 11/01", r), "without a year: this year")
        XCTAssertFalse(matches("~d 12/01/1970", r))
        XCTAssertTrue(matches("~d 11/01/1970-", r))
        XCTAssertFalse(matches("~d 12/01/1970-", r))
        XCTAssertTrue(matches("~d -11/01/1970", r), "until includes the whole day")
        XCTAssertFalse(matches("~d -10/01/1970", r))
        XCTAssertTrue(matches("~d 01/01/1970-15/01/1970", r))
        XCTAssertTrue(matches("~d <20d", r))
        XCTAssertFalse(matches("~d <19d", r))
        XCTAssertTrue(matches("~d >2w", r))
        XCTAssertFalse(matches("~d >3w", r))
        XCTAssertTrue(matches("~d <1m", r))
        XCTAssertTrue(matches("~d >400H", r))
        XCTAssertFalse(matches("~d >500H", r))
        XCTAssertFalse(matches("~d <1y", row(date: nil)), "a message without a date is in no range")
    }

    func testFlags() {
        let r = row()
        XCTAssertTrue(matches("~N", r, flags: .new))
        XCTAssertFalse(matches("~N", r, flags: [.marked, .tagged]))
        XCTAssertTrue(matches("~D", r, flags: .marked))
        XCTAssertTrue(matches("~T", r, flags: .tagged))
        XCTAssertTrue(matches("~A", r))
        XCTAssertTrue(matches("!~D", r))
    }

    func testPrecedenceNegationAndGrouping() {
        let alice = row(from: "Alice", subject: "lunch", size: 100)
        let bob = row(from: "Bob", address: nil, subject: "report", size: 5000)
        // Juxtaposition binds tighter than |: (~f alice ~s report) | ~z >1K.
        XCTAssertFalse(matches("~f alice ~s report | ~z >1K", alice))
        XCTAssertTrue(matches("~f alice ~s report | ~z >1K", bob))
        XCTAssertTrue(matches("~f alice (~s report | ~z <1K)", alice))
        XCTAssertFalse(matches("~f alice (~s report | ~z <1K)", bob))
        XCTAssertTrue(matches("~f alice|~f bob", bob), "| needs no blanks around it")
        XCTAssertTrue(matches("!~f alice ~s report", bob), "! binds to the term after it")
        XCTAssertFalse(matches("!(~f alice | ~s report)", bob))
        XCTAssertTrue(matches("!!~f bob", bob))
        XCTAssertTrue(matches("((~f bob))", bob))
    }

    func testTheTypedTextIsKept() {
        XCTAssertEqual(pattern("  ~s foo  ").text, "~s foo")
        XCTAssertEqual(pattern("lunch").description, "lunch")
    }

    func testBadPatternsSayHowToWriteThem() {
        let cases: [(String, PatternError)] = [
            ("", .empty),
            ("   ", .empty),
            ("~x foo", .unknownTerm("~x")),
            ("~", .unknownTerm("~")),
            ("~c bob", .unavailable("~c", reason: "the index keeps only From, To and Subject, not Cc; use ~t for To.")),
            ("~f", .missingText(term: "~f")),
            ("~s | ~f a", .missingText(term: "~s")),
            ("~s \"\"", .missingText(term: "~s")),
            ("~z", .badSize("")),
            ("~z >1Q", .badSize(">1Q")),
            ("~z 1.5M", .badSize("1.5M")),
            ("~z 2M-1K", .badSize("2M-1K")),
            ("~z -", .badSize("-")),
            ("~z <0", .badSize("<0")),
            ("~z >99999999999999999999", .badSize(">99999999999999999999")),
            ("~d", .badDate("")),
            ("~d 31/02/2026", .badDate("31/02/2026")),
            ("~d 1/13/2026", .badDate("1/13/2026")),
            ("~d 2026-12-01", .badDate("2026-12-01")),
            ("~d 15/01/2026-01/01/2026", .badDate("15/01/2026-01/01/2026")),
            ("~d <3x", .badDate("<3x")),
            ("~d >w", .badDate(">w")),
            ("(~f a", .unclosedParenthesis),
            ("~f a)", .unopenedParenthesis),
            (") ~f a", .unopenedParenthesis),
            ("() ~f a", .emptyGroup),
            ("~s \"open", .unclosedQuote),
            ("~f a |", .missingOperand("|")),
            ("| ~f a", .missingOperand("|")),
            ("~f a ||~f b", .missingOperand("|")),
            ("~f a !", .missingOperand("!")),
            ("~s foo bar", .bareText("bar")),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(error(text), expected, text)
        }
    }

    func testErrorMessagesAreSentencesWithAWayOut() {
        XCTAssertEqual(PatternError.badSize(">1Q").description,
                       "“>1Q” is not a size range: write ~z >1M, ~z <10K or ~z 10K-1M (K = 1024 bytes, M = 1024 K).")
        XCTAssertEqual(PatternError.bareText("bar").description,
                       "“bar” has no ~f, ~s…: write ~s bar (or quote text with spaces), or drop every ~ for a plain sender-or-subject search.")
        XCTAssertTrue(PatternError.unknownTerm("~x").description.contains("~f ~s ~t ~z ~d ~N ~O ~U ~R ~F ~D ~T or ~A"))
    }
}
