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
