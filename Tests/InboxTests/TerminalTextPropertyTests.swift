import Foundation
import Inbox
import TestSupport
import XCTest

/// `TerminalText.printable`, the last gate before the terminal, over seeded random Unicode:
/// what it returns holds no scalar a terminal could act on or draw unpredictably, applying it
/// twice changes nothing, and printable ASCII passes untouched.
final class TerminalTextPropertyTests: XCTestCase {
    static let pieces = [
        "a", "Z", " ", "\t", "\n", "\r", "é", "東京", "😀", "e\u{301}", "\u{1B}[2J", "\u{1B}]0;x\u{7}", "\u{9B}31m",
        "\u{85}", "\u{0}", "\u{7F}", "\u{202E}", "\u{2066}", "\u{200B}", "\u{FEFF}", "\u{2028}", "\u{E000}", "\u{378}",
        "\u{E0041}", "\u{FFFD}", "\u{10FFFF}",
    ]

    static func randomText(_ rng: inout SeededRandom) -> String {
        var s = ""
        for _ in 0..<rng.below(60) {
            if rng.below(3) == 0 {
                let v = UInt32(truncatingIfNeeded: rng.next() % 0x11_0000)
                s.unicodeScalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
            } else {
                s += pieces[rng.below(pieces.count)]
            }
        }
        return s
    }

    /// Controls (TAB too: it moves the cursor), DEL, C1, and format, separator, surrogate,
    /// private-use and unassigned scalars.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    func testPrintableLeavesNoUnsafeScalarAndIsIdempotent() {
        var rng = SeededRandom(seed: 0x7072_696E)
        for round in 0..<3_000 {
            let input = Self.randomText(&rng)
            let shown = TerminalText.printable(input)
            if let bad = shown.unicodeScalars.first(where: Self.isUnsafe) {
                XCTFail("round \(round): U+\(String(bad.value, radix: 16, uppercase: true)) survives in \(shown.debugDescription)")
            }
            XCTAssertEqual(TerminalText.printable(shown), shown, "round \(round)")
            XCTAssertEqual(shown.unicodeScalars.count, input.unicodeScalars.count, "round \(round): one scalar for one")
            XCTAssertEqual(TerminalText.width(of: shown), TerminalText.width(of: input), "round \(round): measured as drawn")
        }
    }

    func testPrintableASCIIIsUnchanged() {
        var rng = SeededRandom(seed: 0x6173_6369)
        for _ in 0..<2_000 {
            let s = String(decoding: (0..<rng.below(200)).map { _ in UInt8(0x20 + rng.below(0x5F)) }, as: UTF8.self)
            XCTAssertEqual(TerminalText.printable(s), s)
        }
    }
}
