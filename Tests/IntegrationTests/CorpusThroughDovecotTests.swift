import Foundation
import MailMessage
import XCTest

/// Every message of the MIME corpus, delivered to Dovecot and read back with `mailbag show`, must
/// print what the renderer makes of it in its wire form: decoding survives the real RETR path,
/// dot-stuffing and all. (CorpusTests holds the renderer itself to the expected texts; on the
/// wire lines end in CRLF, which changes the sizes of parts that are not base64.)
final class CorpusThroughDovecotTests: XCTestCase {
    private var corpus: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("MailMessageTests/Corpus")
    }

    /// What a POP3 server sends for a stored message: every line ending as CRLF.
    private func wireForm(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 40)
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "\n"), index == 0 || bytes[index - 1] != UInt8(ascii: "\r") {
                out.append(UInt8(ascii: "\r"))
            }
            out.append(byte)
        }
        return out
    }

    func testEveryCorpusMessageReadsBackAsTheRendererShowsIt() throws {
        let rig = try DovecotRig.current()
        let names = try FileManager.default.contentsOfDirectory(atPath: corpus.path)
            .filter { $0.hasSuffix(".eml") }.sorted()
        XCTAssertGreaterThan(names.count, 20)
        let messages = try names.map { [UInt8](try Data(contentsOf: corpus.appendingPathComponent($0))) }
        try rig.resetMailbox("dave", raw: messages)
        let common = ["--ca-file", rig.caFile, "--password-command", "echo '\(rig.password)'", "--no-cache"]
        let options = RenderOptions(timeZone: TimeZone(identifier: "UTC")!)
        for (index, name) in names.enumerated() {
            let expected = MessageRenderer.render(wireForm(messages[index]), options: options).plainText
            let shown = try MailbagProcess.run(["show", rig.url("dave"), String(index + 1)] + common, environment: ["TZ": "UTC"])
            XCTAssertEqual(shown.status, 0, "\(name): \(shown.stderr)")
            XCTAssertEqual(
                shown.stdout.trimmingCharacters(in: .newlines), expected.trimmingCharacters(in: .newlines),
                "\(name) reads back differently through Dovecot")
        }
    }
}
