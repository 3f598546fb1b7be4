import Foundation
import XCTest
@testable import MailMessage

/// The corpus: real-world-shaped messages (Corpus/NAME.eml) with the exact text `mailbag show`
/// prints for them (Corpus/NAME.expected), rendered in UTC.
///
/// After an intended rendering change, regenerate the expectations with
/// `MAILBAG_UPDATE_CORPUS=1 swift test --filter CorpusTests` and review the diff.
final class CorpusTests: XCTestCase {
    static let options = RenderOptions(timeZone: TimeZone(identifier: "UTC")!)

    static func corpusURL() throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Corpus", withExtension: nil), "Corpus resource is missing")
    }

    static func messages() throws -> [(name: String, bytes: [UInt8])] {
        let dir = try corpusURL()
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".eml") }
            .sorted()
        return try names.map { name in
            (String(name.dropLast(4)), Array(try Data(contentsOf: dir.appendingPathComponent(name))))
        }
    }

    func testCorpusIsComplete() throws {
        let messages = try Self.messages()
        XCTAssertGreaterThanOrEqual(messages.count, 30)
        let dir = try Self.corpusURL()
        for (name, _) in messages {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name + ".expected").path),
                          "\(name).eml has no \(name).expected")
        }
    }

    func testEveryMessageRendersAsExpected() throws {
        let update = ProcessInfo.processInfo.environment["MAILBAG_UPDATE_CORPUS"] == "1"
        let sourceDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")
        let dir = try Self.corpusURL()
        for (name, bytes) in try Self.messages() {
            let rendered = MessageRenderer.render(bytes, options: Self.options).plainText
            if update {
                try Data(rendered.utf8).write(to: sourceDir.appendingPathComponent(name + ".expected"))
                continue
            }
            let expectedURL = dir.appendingPathComponent(name + ".expected")
            guard let expected = try? String(contentsOf: expectedURL, encoding: .utf8) else { continue }
            if rendered != expected {
                XCTFail("\(name): rendering differs from \(name).expected\n" + Self.firstDifference(rendered, expected))
            }
        }
    }

    /// Every corpus message also renders when only its first lines arrived (a TOP n 20 preview).
    func testPartialRenderOfEveryMessage() throws {
        for (name, bytes) in try Self.messages() {
            let (_, bodyStart) = MessageHeader.parse(bytes)
            var cut = bodyStart
            var newlines = 0
            while cut < bytes.count, newlines < 20 {
                if bytes[cut] == 0x0A { newlines += 1 }
                cut += 1
            }
            let preview = MessageRenderer.partialRender(Array(bytes[..<cut]), options: Self.options)
            let full = MessageRenderer.render(bytes, options: Self.options)
            XCTAssertTrue(preview.isPartial, name)
            XCTAssertEqual(preview.briefHeaders, full.briefHeaders, name)
        }
    }

    /// Every displayed string is free of terminal controls, whatever the message contains.
    func testNothingRenderedContainsControls() throws {
        for (name, bytes) in try Self.messages() {
            let r = MessageRenderer.render(bytes, options: Self.options)
            var strings = r.lines.map(\.text) + r.attachments.map(\.filename)
            strings += (r.briefHeaders + r.fullHeaders).flatMap { [$0.name, $0.value] }
            for s in strings {
                XCTAssertEqual(Sanitizer.clean(s), s, "\(name): unsanitized text \(s.debugDescription)")
                XCTAssertFalse(s.contains("\t"), "\(name): unexpanded tab in \(s.debugDescription)")
            }
        }
    }

    private static func firstDifference(_ a: String, _ b: String) -> String {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for k in 0..<max(la.count, lb.count) {
            let x = k < la.count ? String(la[k]) : "<none>"
            let y = k < lb.count ? String(lb[k]) : "<none>"
            if x != y { return "line \(k + 1):\n  got:      \(x.debugDescription)\n  expected: \(y.debugDescription)" }
        }
        return ""
    }
}
