#if canImport(Glibc)
import Glibc
#endif
import TestSupport
import XCTest
@testable import MailMessage

/// `DisplayWidth` is the one measure of terminal cells: the HTML layout, tab expansion and the
/// terminal (through `TerminalText`) all use it, so these tests pin what it answers and that the
/// layout built on it lines up once the sanitizer has run.
final class DisplayWidthTests: XCTestCase {
    func testWidthsOfEachKindOfScalar() {
        XCTAssertEqual(DisplayWidth.of("a" as Unicode.Scalar), 1)
        XCTAssertEqual(DisplayWidth.of("é" as Unicode.Scalar), 1)
        XCTAssertEqual(DisplayWidth.of("東" as Unicode.Scalar), 2)
        XCTAssertEqual(DisplayWidth.of("😀" as Unicode.Scalar), 2)
        XCTAssertEqual(DisplayWidth.of("\u{301}" as Unicode.Scalar), 0)
        // Unsafe or unknown scalars are drawn as U+FFFD: one cell.
        for unsafe: Unicode.Scalar in ["\u{0}", "\u{1B}", "\u{85}", "\u{200B}", "\u{202E}", "\u{E000}", "\u{378}"] {
            XCTAssertEqual(DisplayWidth.of(unsafe), 1, "U+\(String(unsafe.value, radix: 16))")
        }
        XCTAssertEqual(DisplayWidth.of("e\u{301}" as Character), 1)
        XCTAssertEqual(DisplayWidth.of("a東😀e\u{301}"), 6)
        XCTAssertEqual(DisplayWidth.of("plain"), 5)
    }

    /// The Latin range skips `wcwidth`; it must answer what the C library would.
    func testLatinFastPathAgreesWithTheCLibrary() throws {
        let symbol = try XCTUnwrap(dlsym(nil, "wcwidth"))
        let wcwidth = unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
        XCTAssertTrue(DisplayWidth.ensureUTF8Locale())
        for value in UInt32(0xA0)..<0x300 {
            let scalar = try XCTUnwrap(Unicode.Scalar(value))
            let libc = Int(wcwidth(Int32(value)))
            let expected = libc < 0 || DisplayWidth.isUnsafe(scalar) ? 1 : libc
            XCTAssertEqual(DisplayWidth.of(scalar), expected, "U+\(String(value, radix: 16))")
        }
    }

    func testTabsStopEveryEightCells() {
        XCTAssertEqual(DisplayWidth.expandingTabs("a\tb"), "a       b")
        XCTAssertEqual(DisplayWidth.expandingTabs("日本\tb"), "日本    b")
        XCTAssertEqual(DisplayWidth.expandingTabs("e\u{301}\tb"), "e\u{301}       b")
        XCTAssertEqual(DisplayWidth.expandingTabs("😀😀😀😀\tb"), "😀😀😀😀        b")
        XCTAssertEqual(DisplayWidth.expandingTabs("no tabs"), "no tabs")
    }

    /// A plain-text body's tab after a wide character lands where the terminal's next tab stop is.
    func testRenderedTabsAfterWideCharactersLandOnTheNextStop() {
        let utc = RenderOptions(timeZone: TimeZone(identifier: "UTC")!)
        let message = Array("Subject: t\n\n東京\tx\nnaïve\ty\n1234567\u{301}\tz\n".utf8)
        let lines = MessageRenderer.render(message, options: utc).lines.map(\.text)
        XCTAssertEqual(lines, ["東京    x", "naïve   y", "1234567\u{301} z"])
        for line in lines {
            XCTAssertEqual(DisplayWidth.of(line.dropLast()), 8, line)
        }
    }

    /// For every kind of scalar the layout's measure of text not yet sanitized is the width of what
    /// the sanitizer leaves of it.
    func testSanitizedWidthIsTheWidthOfWhatTheSanitizerLeaves() {
        var rng = SeededRandom(seed: 0x7769_6474)
        var checked = Set<Unicode.GeneralCategory>()
        for value in stride(from: UInt32(0), through: 0x10FFFF, by: 1) where value % 97 == 0 || value < 0x3000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            checked.insert(scalar.properties.generalCategory)
            let text = "a" + String(scalar) + (rng.below(2) == 0 ? "b" : "東")
            XCTAssertEqual(DisplayWidth.ofSanitized(utf8: text.utf8), DisplayWidth.of(Sanitizer.clean(text)),
                           "U+\(String(value, radix: 16))")
        }
        XCTAssertEqual(checked.count, 29, "every general category but the surrogates, which are no scalars")
        for sequence in ["\u{1B}[31mred", "x\u{1B}]0;title\u{7}y", "\u{9B}2Jz", "\u{1B}(Bq", "\u{2028}"] {
            XCTAssertEqual(DisplayWidth.ofSanitized(utf8: sequence.utf8), DisplayWidth.of(Sanitizer.clean(sequence)),
                           sequence.debugDescription)
        }
    }
}
