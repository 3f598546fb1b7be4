import Foundation
import Inbox
import MailMessage
import XCTest

/// What `mailbag show --save-attachments` writes: every entry of the message's save plan.
final class AttachmentStoreTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    /// 19 messages, each attached directly in the next, the innermost carrying a 200 KB file.
    static func nestedMessages(levels: Int = 19, payload: Int = 200_000) -> [UInt8] {
        let data = Data((0..<payload).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) })
        var message = "Subject: innermost\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n"
            + "--in\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
            + "--in\r\nContent-Type: application/octet-stream; name=data.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            + "\r\n--in--\r\n"
        for level in 0..<levels {
            message = "Subject: level \(level)\r\nContent-Type: message/rfc822\r\n\r\n" + message
        }
        return Array(message.utf8)
    }

    func testNestedMessagesAreSavedOnceAsTheOutermostAttachedMessage() throws {
        let message = Self.nestedMessages()
        XCTAssertEqual(MessageRenderer.render(message).attachments.count, 20, "19 messages and the file are listed")
        let plan = try AttachmentSavePlan.all(in: message)
        let store = AttachmentStore(directory: directory)
        for entry in plan.entries { _ = try store.save(entry) }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertEqual(names, ["message-1.eml"])
        let saved = try Data(contentsOf: directory.appendingPathComponent("message-1.eml"))
        XCTAssertEqual(saved.count, plan.totalBytes)
        XCTAssertLessThan(saved.count, message.count, "one save writes less than the message itself")
        let outerHeader = "Subject: level 18\r\nContent-Type: message/rfc822\r\n\r\n"
        XCTAssertEqual(Array(saved), Array(message.dropFirst(outerHeader.utf8.count)), "the attached message's own bytes")
    }

    /// One entry alone, such as the file inside an attached message, under its safe name.
    func testOneEntryInsideAMessageIsSavedAlone() throws {
        let message = Self.nestedMessages(levels: 2)
        XCTAssertNil(try AttachmentSavePlan.one(4, in: message))
        let entry = try XCTUnwrap(AttachmentSavePlan.one(3, in: message)?.entries.first)
        XCTAssertEqual(entry.info.filename, "data.bin")
        let url = try AttachmentStore(directory: directory).save(entry)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["data.bin"])
        XCTAssertEqual(try Data(contentsOf: url).count, 200_000)
    }
}
