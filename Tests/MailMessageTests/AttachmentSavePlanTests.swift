import TestSupport
import XCTest
@testable import MailMessage

final class AttachmentSavePlanTests: XCTestCase {
    /// `levels` attached messages, each inside a multipart of the next, the innermost with a
    /// base64 attachment of `payload` bytes: the shape that made one save write a copy per level.
    static func nested(levels: Int, payload: Int) -> [UInt8] {
        var random = SeededRandom(seed: 0x6E65_7374)
        let data = (0..<payload).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        var message = Array("""
            Subject: innermost\r
            Content-Type: multipart/mixed; boundary=inner\r
            \r
            --inner\r
            Content-Type: text/plain\r
            \r
            hello\r
            --inner\r
            Content-Type: application/octet-stream\r
            Content-Disposition: attachment; filename=data.bin\r
            Content-Transfer-Encoding: base64\r
            \r
            \(Data(data).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed]))\r
            --inner--\r

            """.utf8)
        for k in 0..<levels {
            message = Array("""
                Subject: level \(k)\r
                Content-Type: multipart/mixed; boundary=b\(k)\r
                \r
                --b\(k)\r
                Content-Type: text/plain\r
                \r
                level \(k)\r
                --b\(k)\r
                Content-Type: message/rfc822\r
                \r

                """.utf8) + message + Array("\r\n--b\(k)--\r\n".utf8)
        }
        return message
    }

    func testAnAttachedMessageIsSavedOnceAsItself() throws {
        let m = Self.nested(levels: 9, payload: 300_000)
        let rendered = MessageRenderer.render(m)
        XCTAssertEqual(rendered.attachments.count, 10, "9 messages and the file inside the last are all listed")
        let plan = try AttachmentSavePlan.all(in: m)
        XCTAssertEqual(plan.entries.map(\.info.index), [1])
        XCTAssertEqual(plan.entries[0].info.filename, "message-1.eml")
        let eml = plan.entries[0].data()
        XCTAssertEqual(eml.count, plan.totalBytes)
        XCTAssertLessThan(plan.totalBytes, m.count)
        // The .eml is the attached message's own bytes, with everything nested inside it.
        XCTAssertEqual(MessageRenderer.render(eml).attachments.count, 9)
        XCTAssertTrue(String(decoding: eml.prefix(40), as: UTF8.self).hasPrefix("Subject: level 7"))
    }

    func testAttachmentsBesideAMessageAreSavedAndTheOnesInsideItAreNot() throws {
        let inner = String(decoding: Self.nested(levels: 1, payload: 30), as: UTF8.self)
        let m = Array("""
            Content-Type: multipart/mixed; boundary=top\r
            \r
            --top\r
            Content-Type: application/pdf; name=a.pdf\r
            Content-Transfer-Encoding: base64\r
            \r
            JVBERi0xLjQ=\r
            --top\r
            Content-Type: message/rfc822\r
            \r
            \(inner)\r
            --top\r
            Content-Type: text/plain; name=notes.txt\r
            Content-Disposition: attachment\r
            \r
            notes\r
            --top--\r

            """.utf8)
        XCTAssertEqual(MessageRenderer.render(m).attachments.map(\.filename),
                       ["a.pdf", "message-2.eml", "message-3.eml", "data.bin", "notes.txt"])
        let plan = try AttachmentSavePlan.all(in: m)
        XCTAssertEqual(plan.entries.map(\.info.filename), ["a.pdf", "message-2.eml", "notes.txt"])
        XCTAssertEqual(plan.entries.map { $0.data().count }, plan.entries.map(\.info.size))
        XCTAssertEqual(plan.totalBytes, plan.entries.map(\.info.size).reduce(0, +))
    }

    func testOneAttachmentMayBeAnyNumberIncludingOneInsideAMessage() throws {
        let m = Self.nested(levels: 3, payload: 1_000)
        let plan = try XCTUnwrap(AttachmentSavePlan.one(4, in: m))
        XCTAssertEqual(plan.entries.map(\.info.filename), ["data.bin"])
        XCTAssertEqual(plan.entries[0].data().count, 1_000)
        XCTAssertEqual(try AttachmentSavePlan.one(1, in: m)?.entries.first?.info.filename, "message-1.eml")
        XCTAssertNil(try AttachmentSavePlan.one(5, in: m))
        XCTAssertNil(try AttachmentSavePlan.one(0, in: m))
    }

    func testASaveBeyondItsBoundIsRefusedWithTheSizes() {
        let m = Self.nested(levels: 2, payload: 3_000)
        XCTAssertThrowsError(try AttachmentSavePlan.all(in: m, options: .init(), maxTotal: 1_024)) { error in
            guard case .tooLarge(let total, let limit, let size)? = error as? AttachmentSaveError else {
                return XCTFail("\(error)")
            }
            XCTAssertGreaterThan(total, 1_024)
            XCTAssertEqual(limit, 1_024)
            XCTAssertEqual(size, m.count)
            XCTAssertTrue("\(error)".contains("nothing was written"), "\(error)")
        }
        XCTAssertEqual(AttachmentSavePlan.maxTotal(forMessageSize: 40), 80)
        XCTAssertEqual(AttachmentSavePlan.maxTotal(forMessageSize: .max), .max)
    }
}
