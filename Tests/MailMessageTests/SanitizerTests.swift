import TestSupport
import XCTest
@testable import MailMessage

final class SanitizerTests: XCTestCase {
    func testPlainTextIsUnchanged() {
        XCTAssertEqual(Sanitizer.clean("Hello, world\tand tabs"), "Hello, world\tand tabs")
        XCTAssertEqual(Sanitizer.clean("Grüße aus Köln — 東京"), "Grüße aus Köln — 東京")
    }

    func testRemovesCSISequencesWhole() {
        XCTAssertEqual(Sanitizer.clean("a\u{1B}[31mred\u{1B}[0m b"), "ared b")
        XCTAssertEqual(Sanitizer.clean("x\u{1B}[2J\u{1B}[1;1Hy"), "xy")
        XCTAssertEqual(Sanitizer.clean("x\u{1B}[?1049hy"), "xy")
    }

    func testRemovesOSCWithBELOrSTTerminator() {
        XCTAssertEqual(Sanitizer.clean("a\u{1B}]0;pwned\u{07}b"), "ab")
        XCTAssertEqual(Sanitizer.clean("a\u{1B}]52;c;ZXZpbA==\u{1B}\\b"), "ab")
        XCTAssertEqual(Sanitizer.clean("\u{1B}]8;;http://evil\u{1B}\\click\u{1B}]8;;\u{1B}\\"), "click")
    }

    func testUnterminatedOSCIsRemovedToTheEnd() {
        XCTAssertEqual(Sanitizer.clean("safe\u{1B}]0;title without end"), "safe")
    }

    func testRemovesDCSAndOtherStrings() {
        XCTAssertEqual(Sanitizer.clean("a\u{1B}Pq#0;2;0;0;0\u{1B}\\b"), "ab")
        XCTAssertEqual(Sanitizer.clean("a\u{1B}_apc\u{1B}\\b\u{1B}^pm\u{07}c\u{1B}Xsos\u{1B}\\d"), "abcd")
    }

    func testRemovesTwoCharacterEscapes() {
        XCTAssertEqual(Sanitizer.clean("a\u{1B}cb\u{1B}(Bc\u{1B}"), "abc")
    }

    func testRemovesC1IntroducersWithTheirSequences() {
        XCTAssertEqual(Sanitizer.clean("a\u{9B}31mb"), "ab")
        XCTAssertEqual(Sanitizer.clean("a\u{9D}0;title\u{9C}b"), "ab")
        XCTAssertEqual(Sanitizer.clean("a\u{85}b\u{8D}c"), "abc")
    }

    func testRemovesC0ExceptTabAndDEL() {
        XCTAssertEqual(Sanitizer.clean("a\u{0}b\u{7}c\u{8}d\re\nf\tg\u{7F}h"), "abcdef\tgh")
    }

    func testRemovesBidiAndInvisibleFormatCharacters() {
        XCTAssertEqual(Sanitizer.clean("invoice\u{202E}fdp.exe"), "invoicefdp.exe")
        XCTAssertEqual(Sanitizer.clean("\u{2066}a\u{2069}\u{200E}b\u{200F}c\u{061C}d"), "abcd")
        XCTAssertEqual(Sanitizer.clean("zero\u{200B}width\u{200D}join\u{2060}\u{FEFF}\u{00AD}"), "zerowidthjoin")
    }

    func testLineSeparatorsBecomeSpaces() {
        XCTAssertEqual(Sanitizer.clean("a\u{2028}b\u{2029}c"), "a b c")
    }
}

/// `Sanitizer.clean` over seeded random Unicode: what it returns holds nothing it promises to
/// remove, cleaning twice changes nothing, and printable ASCII passes untouched.
final class SanitizerPropertyTests: XCTestCase {
    /// Everything `clean` documents as removed: C0 but TAB, DEL, C1, bidi controls, invisible
    /// format characters, tag characters, and the line and paragraph separators.
    static func isRemoved(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x00AD, 0x061C, 0x180E, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0x2066...0x206F,
             0xFEFF, 0xFFF9...0xFFFB, 0xE0000...0xE007F:
            return true
        default: return false
        }
    }

    func testCleanRemovesEveryUnsafeScalarAndIsIdempotent() {
        var rng = SeededRandom(seed: 0x7361_6E69)
        for round in 0..<3_000 {
            let input = RenderPropertyTests.text(&rng, pieces: rng.below(60))
            let clean = Sanitizer.clean(input)
            if let bad = clean.unicodeScalars.first(where: Self.isRemoved) {
                XCTFail("round \(round): U+\(String(bad.value, radix: 16, uppercase: true)) survives in \(clean.debugDescription)")
            }
            XCTAssertEqual(Sanitizer.clean(clean), clean, "round \(round)")
            XCTAssertLessThanOrEqual(clean.unicodeScalars.count, input.unicodeScalars.count, "round \(round)")
        }
    }

    func testPrintableASCIIIsUnchanged() {
        var rng = SeededRandom(seed: 0x6173_6369)
        for _ in 0..<2_000 {
            let s = String(decoding: (0..<rng.below(200)).map { _ in UInt8(0x20 + rng.below(0x5F)) }, as: UTF8.self)
            XCTAssertEqual(Sanitizer.clean(s), s)
        }
    }
}
