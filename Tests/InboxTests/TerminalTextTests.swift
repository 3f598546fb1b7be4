import Foundation
import Inbox
import MailMessage
import XCTest

final class TerminalTextTests: XCTestCase {
    func testWidthsOfWideCombiningAndEmojiText() {
        XCTAssertEqual(TerminalText.width(of: "abc"), 3)
        XCTAssertEqual(TerminalText.width(of: "日本語"), 6)
        XCTAssertEqual(TerminalText.width(of: "e\u{301}"), 1, "a combining accent takes no cell")
        XCTAssertEqual(TerminalText.width(of: "😀"), 2)
        XCTAssertEqual(TerminalText.width(of: "한국어 ok"), 9)
        XCTAssertEqual(TerminalText.width(of: "\u{1B}[31m"), 5, "a stray control draws as one replacement cell")
    }

    func testPrefixNeverSplitsACharacter() {
        XCTAssertEqual(TerminalText.prefix("日本語", width: 3), "日")
        XCTAssertEqual(TerminalText.prefix("e\u{301}e\u{301}", width: 1), "e\u{301}", "the accent stays with its base")
        XCTAssertEqual(TerminalText.prefix("a😀b", width: 2), "a")
        XCTAssertEqual(TerminalText.prefix("abc", width: 0), "")
    }

    func testFitPadsOrCutsWithAnEllipsisToTheExactWidth() {
        XCTAssertEqual(TerminalText.fit("ab", width: 4), "ab  ")
        XCTAssertEqual(TerminalText.fit("ab", width: 4, alignRight: true), "  ab")
        XCTAssertEqual(TerminalText.fit("abcdef", width: 4), "abc…")
        // Two cells left before the ellipsis cannot hold half of 本: pad instead.
        let cut = TerminalText.fit("日本語", width: 4)
        XCTAssertEqual(cut, "日… ")
        XCTAssertEqual(TerminalText.width(of: cut), 4)
        for width in 1...12 {
            for text in ["Grüße aus Köln", "東京タワーの夜景", "cafe\u{301} ☕️ 😀😀", "x"] {
                XCTAssertEqual(TerminalText.width(of: TerminalText.fit(text, width: width)), width, "\(text) at \(width)")
            }
        }
        XCTAssertEqual(TerminalText.fit("abc", width: 0), "")
    }

    func testPrintableReplacesEveryControl() {
        let hostile = "a\u{1B}]0;pwned\u{07}b\u{9B}c\u{202E}d\u{7F}\te\u{2028}"
        let clean = TerminalText.printable(hostile)
        for scalar in clean.unicodeScalars {
            XCTAssertFalse(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value), "control U+\(String(scalar.value, radix: 16)) left")
            XCTAssertNotEqual(scalar.properties.generalCategory, .format)
        }
        XCTAssertTrue(clean.hasPrefix("a\u{FFFD}]0;pwned\u{FFFD}b"))
        XCTAssertTrue(clean.contains(" e"), "a tab becomes a space")
        XCTAssertEqual(TerminalText.printable("日本 e\u{301}"), "日本 e\u{301}")
    }

    func testWrapBreaksAtSpacesByDisplayWidth() {
        XCTAssertEqual(TerminalText.wrap("the quick brown fox", width: 10), ["the quick ", "brown fox"])
        XCTAssertEqual(TerminalText.wrap("aaaa bbbb", width: 4), ["aaaa", "bbbb"])
        XCTAssertEqual(TerminalText.wrap("abcdefghij", width: 4), ["abcd", "efgh", "ij"])
        XCTAssertEqual(TerminalText.wrap("日本語の文章", width: 5), ["日本", "語の", "文章"])
        XCTAssertEqual(TerminalText.wrap("", width: 5), [""])
        XCTAssertEqual(TerminalText.wrap("日", width: 1), ["日"], "a character wider than the line still gets a line")
        for line in TerminalText.wrap("Ünïcödé with cafe\u{301}s and 😀 emoji everywhere 😀😀😀", width: 7) {
            XCTAssertLessThanOrEqual(TerminalText.width(of: line), 7)
        }
    }

    func testExpandTabsToEightColumnStops() {
        XCTAssertEqual(TerminalText.expandTabs("a\tb"), "a       b")
        XCTAssertEqual(TerminalText.expandTabs("日\tb"), "日      b")
        XCTAssertEqual(TerminalText.expandTabs("no tabs"), "no tabs")
    }

    /// The HTML layout (in MailMessage) and the screen measure alike: a table's columns line up by the
    /// widths the terminal's own measure reports, once the message has been sanitized and made printable.
    func testHTMLTablesAlignByTheTerminalsWidths() {
        let cells = [
            "東京 Tokyo", "cafe\u{301}", "party 🎉", "flag 🇩🇪", "plain", "e\u{301}\u{200B}x", "한국어", "\u{E000}pua", "\u{600}5",
        ]
        let html = "<table>" + cells.map { "<tr><td>\($0)</td><td>|</td></tr>" }.joined() + "</table>"
        let lines = HTMLText.render(html).lines.map { TerminalText.printable(Sanitizer.clean($0)) }
        XCTAssertEqual(lines.count, cells.count)
        let bars = lines.map { line in line.firstIndex(of: "|").map { TerminalText.width(of: line[..<$0]) } }
        let widest = cells.map { TerminalText.width(of: TerminalText.printable(Sanitizer.clean($0))) }.max()!
        XCTAssertEqual(bars, Array(repeating: widest + 2, count: cells.count), "\(lines)")
    }
}

final class IndexLayoutTests: XCTestCase {
    func testEveryWidthFromTwentyUpFillsTheRowExactly() {
        for width in 20...200 {
            let layout = IndexLayout(width: width, largestNumber: 2000, dateWidth: 10)
            let total = layout.columns.map(\.width).reduce(0, +) + layout.columns.count - 1
            XCTAssertEqual(total, width, "width \(width)")
            let cells = layout.cells([
                .number: "1999", .flags: "DN@", .date: "2023-01-02", .from: "山田太郎 <taro@example.jp>",
                .size: "1.2M", .subject: "Re: 会議の議事録 — cafe\u{301} notes 😀",
            ])
            XCTAssertEqual(TerminalText.width(of: cells.map(\.text).joined()), width, "width \(width)")
        }
    }

    func testColumnsJoinAsTheWidthAllows() {
        let tiny = IndexLayout(width: 20, largestNumber: 9, dateWidth: 10)
        XCTAssertEqual(tiny.columns.map(\.column), [.number, .flags, .subject])
        let narrow = IndexLayout(width: 24, largestNumber: 9, dateWidth: 10)
        XCTAssertEqual(narrow.columns.map(\.column), [.number, .flags, .from, .subject])
        let medium = IndexLayout(width: 50, largestNumber: 99, dateWidth: 10)
        XCTAssertEqual(medium.columns.map(\.column), [.number, .flags, .date, .from, .subject])
        let wide = IndexLayout(width: 100, largestNumber: 999, dateWidth: 10)
        XCTAssertEqual(wide.columns.map(\.column), [.number, .flags, .date, .from, .size, .subject])
        XCTAssertEqual(wide.width(of: .number), 3)
        XCTAssertEqual(wide.width(of: .from), 24)
        XCTAssertGreaterThanOrEqual(wide.width(of: .subject), 16)
        let noDates = IndexLayout(width: 100, largestNumber: 9, dateWidth: 0)
        XCTAssertEqual(noDates.width(of: .date), 0)
    }

    func testCellsAlignNumbersRightAndNeverCutInsideACharacter() {
        let layout = IndexLayout(width: 40, largestNumber: 100, dateWidth: 0)
        let cells = layout.cells([.number: "7", .subject: "日本語日本語日本語日本語日本語日本語"])
        XCTAssertEqual(cells[0].text, "  7 ")
        let subject = cells.last!.text
        XCTAssertEqual(TerminalText.width(of: subject), layout.width(of: .subject))
        XCTAssertTrue(subject.hasSuffix("…") || subject.hasSuffix("… "))
    }

    func testHostileValuesAreMadePrintable() {
        let layout = IndexLayout(width: 60, largestNumber: 9, dateWidth: 0)
        let text = layout.cells([.subject: "hi\u{1B}[2Jthere", .from: "\u{9B}31m"]).map(\.text).joined()
        XCTAssertFalse(text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B })
    }
}

final class CompactDateTests: XCTestCase {
    private var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Europe/Berlin")!
        return c
    }

    private func date(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 12, _ min: Int = 0) -> Date {
        calendar.date(from: DateComponents(year: y, month: m, day: d, hour: h, minute: min))!
    }

    func testEachRange() {
        // Thursday 2024-03-14 15:30 in Berlin.
        let format = CompactDate(now: date(2024, 3, 14, 15, 30), calendar: calendar)
        XCTAssertEqual(format.format(date(2024, 3, 14, 9, 5)), "09:05")
        XCTAssertEqual(format.format(date(2024, 3, 14, 0, 0)), "00:00")
        XCTAssertEqual(format.format(date(2024, 3, 13, 23, 59)), "Wed")
        XCTAssertEqual(format.format(date(2024, 3, 8)), "Fri")
        XCTAssertEqual(format.format(date(2024, 3, 7)), "Mar 07", "a week ago is no longer 'this week'")
        XCTAssertEqual(format.format(date(2024, 1, 1)), "Jan 01")
        XCTAssertEqual(format.format(date(2023, 12, 31)), "2023-12-31")
        XCTAssertEqual(format.format(date(999, 6, 5)), "0999-06-05")
        XCTAssertEqual(format.format(date(2024, 7, 1)), "Jul 01", "a future date this year")
        XCTAssertEqual(format.format(nil), "")
    }

    func testTheCalendarsZoneDecidesTheDay() {
        var tokyo = Calendar(identifier: .gregorian)
        tokyo.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        let now = date(2024, 3, 14, 15, 30)  // 23:30 in Tokyo
        let lateBerlin = date(2024, 3, 14, 17, 0)  // 01:00 on the 15th in Tokyo
        XCTAssertEqual(CompactDate(now: now, calendar: tokyo).format(lateBerlin), "Mar 15")
        XCTAssertEqual(CompactDate(now: now, calendar: calendar).format(lateBerlin), "17:00")
    }
}

final class ByteCountTests: XCTestCase {
    func testFormatsFitInFiveCells() {
        XCTAssertEqual(ByteCount.format(0), "0B")
        XCTAssertEqual(ByteCount.format(1023), "1023B")
        XCTAssertEqual(ByteCount.format(1024), "1.0K")
        XCTAssertEqual(ByteCount.format(4608), "4.5K")
        XCTAssertEqual(ByteCount.format(123 * 1024), "123K")
        XCTAssertEqual(ByteCount.format(1024 * 1024 - 1), "1023K")
        XCTAssertEqual(ByteCount.format(5 * 1024 * 1024 + 300_000), "5.3M")
        XCTAssertEqual(ByteCount.format(3 << 30), "3.0G")
        for n in [0, 1, 999, 1000, 10_188, 10_239, 10_240, 1_048_000, 99_999_999, Int(Int32.max)] {
            XCTAssertLessThanOrEqual(ByteCount.format(n).count, 5, "\(n)")
        }
    }

    /// Issue 17: ten LIST sizes of 999,999,999,999,999,999 bytes crashed the total. They now
    /// saturate, and neither a size nor a total beyond any real message is shown as a number.
    func testImplausibleSizesAreShownAsSuchAndNeverOverflow() {
        let hostile = Array(repeating: 999_999_999_999_999_999, count: 10)
        XCTAssertEqual(ByteCount.total(hostile), .max)
        XCTAssertEqual(ByteCount.format(ByteCount.total(hostile)), "huge?")
        XCTAssertEqual(ByteCount.format(999_999_999_999_999_999), "huge?")
        XCTAssertEqual(ByteCount.format(ByteCount.implausible - 1), "1023G")
        XCTAssertFalse(ByteCount.isPlausible(ByteCount.implausible))
        XCTAssertFalse(ByteCount.isPlausible(-1))
        XCTAssertTrue(ByteCount.isPlausible(40 << 20))
        XCTAssertEqual(ByteCount.total([1, -5, 2]), 3, "a negative size adds nothing")
    }
}

final class MessageCacheTests: XCTestCase {
    func testEvictsLeastRecentlyUsedButKeepsTheNewest() {
        let rendered = RenderedMessageFixture.empty
        var cache = MessageCache(byteLimit: 10)
        cache.insert(number: 1, raw: [UInt8](repeating: 0, count: 4), rendered: rendered)
        cache.insert(number: 2, raw: [UInt8](repeating: 0, count: 4), rendered: rendered)
        _ = cache.entry(1)
        cache.insert(number: 3, raw: [UInt8](repeating: 0, count: 4), rendered: rendered)
        XCTAssertTrue(cache.contains(1))
        XCTAssertFalse(cache.contains(2))
        XCTAssertTrue(cache.contains(3))
        cache.insert(number: 4, raw: [UInt8](repeating: 0, count: 50), rendered: rendered)
        XCTAssertTrue(cache.contains(4), "the newest stays even over the limit")
        XCTAssertFalse(cache.contains(1))
        XCTAssertFalse(cache.contains(3))
    }
}
