import Foundation
import Inbox
import MailMessage
import XCTest

/// The user's HTML converter is used when it works, and the built-in one takes over when it
/// hangs, fails or prints nothing.
final class ExternalHTMLConverterTests: XCTestCase {
    private let html = "<html><body><p>Hello <b>there</b></p></body></html>"

    private func message(_ converter: ExternalHTMLConverter) -> [String] {
        let bytes = Array("From: a@example.org\r\nSubject: s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\(html)\r\n".utf8)
        let rendered = MessageRenderer.render(bytes, options: RenderOptions(htmlConverter: converter.convert))
        return rendered.lines.map(\.text).filter { !$0.isEmpty }
    }

    func testAWorkingConverterIsUsed() {
        let converter = ExternalHTMLConverter(command: "sed -e 's/<[^>]*>//g' | tr a-z A-Z")
        XCTAssertEqual(converter.convert(html), "HELLO THERE")
        XCTAssertEqual(message(converter), ["HELLO THERE"])
    }

    func testAHangingConverterIsStoppedAndTheBuiltInOneTakesOver() {
        let converter = ExternalHTMLConverter(command: "sleep 30", timeout: .milliseconds(300))
        let start = Date()
        XCTAssertNil(converter.convert(html))
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "the timeout was not enforced")
        XCTAssertEqual(message(converter), ["Hello there"])
    }

    func testAFailingOrSilentConverterFallsBack() {
        XCTAssertNil(ExternalHTMLConverter(command: "cat >/dev/null; exit 3").convert(html))
        XCTAssertNil(ExternalHTMLConverter(command: "cat >/dev/null").convert(html))
        XCTAssertNil(ExternalHTMLConverter(command: "no-such-converter-anywhere").convert(html))
        XCTAssertEqual(message(ExternalHTMLConverter(command: "exit 1")), ["Hello there"])
    }

    /// The HTML is far larger than a pipe holds, so writing it to a converter that has already
    /// exited raises SIGPIPE, which by default ends the whole process.
    func testAConverterThatIgnoresItsInputDoesNotKillTheProcess() {
        let large = "<p>" + String(repeating: "word ", count: 1 << 20) + "</p>"
        let converter = ExternalHTMLConverter(command: "echo converted")
        for _ in 0..<5 { XCTAssertEqual(converter.convert(large), "converted\n") }
    }

    /// More output than the bound is not used: the built-in conversion takes over.
    func testOutputIsBounded() {
        let converter = ExternalHTMLConverter(command: "yes mail | head -c 100000", maxOutput: 1000)
        XCTAssertNil(converter.convert(html))
        XCTAssertEqual(message(converter), ["Hello there"])
        XCTAssertEqual(ExternalHTMLConverter(command: "yes mail | head -c 900", maxOutput: 1000).convert(html)?.utf8.count, 900)
    }
}
