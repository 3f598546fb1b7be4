import Foundation
import Inbox
import XCTest

/// Everything printed goes through `DisplayText`, and a `DisplayText` holds nothing a terminal
/// would obey.
final class DisplayTextTests: XCTestCase {
    /// What a hostile server put in its QUIT reply (issue 17): an OSC title, a screen clear,
    /// colours, a C1 CSI, a right-to-left override and a bell.
    private let hostile = "bye\u{1B}]0;owned\u{07}\u{1B}[2J\u{1B}[31mred\u{9B}1m\u{202E}txt.exe\u{07}"

    private func assertInert(_ text: DisplayText, allowingNewlines: Bool = false, file: StaticString = #filePath, line: UInt = #line) {
        for scalar in text.string.unicodeScalars {
            if allowingNewlines, scalar == "\n" { continue }
            let value = scalar.value
            XCTAssertFalse(value < 0x20 || (0x7F...0x9F).contains(value), "control U+\(String(value, radix: 16)) in \(text.string.debugDescription)", file: file, line: line)
            XCTAssertNotEqual(scalar.properties.generalCategory, .format, "format character in \(text.string.debugDescription)", file: file, line: line)
        }
    }

    func testOneLineKeepsTheWordsAndNothingATerminalWouldObey() {
        let text = DisplayText(hostile)
        assertInert(text)
        XCTAssertTrue(text.string.hasPrefix("bye"))
        XCTAssertTrue(text.string.contains("red"))
        XCTAssertTrue(text.string.contains("txt.exe"))
        let broken = DisplayText("one\ntwo\r\nthree")
        assertInert(broken)
        XCTAssertFalse(broken.string.contains("\n"), "one line stays one line")
    }

    func testLinesKeepTheirBreaksAndLoseEverythingElse() {
        let text = DisplayText(lines: "first \(hostile)\r\nsecond\tcolumn\nthird\u{85}fourth")
        assertInert(text, allowingNewlines: true)
        XCTAssertEqual(text.string.split(separator: "\n", omittingEmptySubsequences: false).count, 4)
        XCTAssertTrue(text.string.contains("second column"))
    }

    func testPlainTextAndLiteralsPassUnchanged() {
        XCTAssertEqual(DisplayText("Deleted 3 messages from the server.").string, "Deleted 3 messages from the server.")
        XCTAssertEqual(DisplayText("Привет — café 日本").string, "Привет — café 日本")
        let literal: DisplayText = "ok"
        XCTAssertEqual((literal + DisplayText(" \(hostile)")).string, "ok " + DisplayText(hostile).string)
    }

    /// The type is the door only if nothing walks around it: no source file but the console
    /// writes to the standard streams itself.
    func testOnlyTheConsoleWritesToTheStandardStreams() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources").standardized
        let console = "Inbox/Service/Console.swift"
        let forbidden = try NSRegularExpression(
            pattern: #"(^|[^A-Za-z0-9_.])(print|debugPrint|fputs|putchar|puts)\(|FileHandle\.standard(Output|Error)"#)
        var offenders: [String] = []
        let files = try XCTUnwrap(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        for case let file as URL in files where file.pathExtension == "swift" && !file.path.hasSuffix(console) {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }
                if forbidden.firstMatch(in: code, range: NSRange(code.startIndex..., in: code)) != nil {
                    offenders.append("\(file.lastPathComponent):\(number + 1): \(code)")
                }
            }
        }
        XCTAssertEqual(offenders, [], "write through Console with a DisplayText instead")
    }
}
