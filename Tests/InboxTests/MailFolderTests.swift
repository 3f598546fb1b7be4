import Foundation
@testable import Inbox
import XCTest

/// Folders are read back by Python's `mailbox` module, an independent reader: what Mailbag writes
/// must come back as the exact bytes it was given.
final class MailFolderTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-folder-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(atPath: directory)
    }

    static let tricky: [[UInt8]] = [
        "Return-Path: <alice@example.org>\r\nFrom: Alice <alice@example.org>\r\nSubject: one\r\n\r\nhello\r\n",
        "From: bob@example.org\r\nSubject: from lines\r\n\r\nFrom here on\r\n>From there\r\n>>From everywhere\r\n From not at start\r\nFromage\r\n",
        "Subject: no sender, bare LF\n\nFrom the top\n\n\nend\n",
        "Subject: dots\r\n\r\n.\r\n..\r\nlast line without newline",
    ].map { Array($0.utf8) }

    func testMboxReadsBackByteIdenticalAfterUnquoting() throws {
        let folder = try MailFolder("\(directory!)/box")
        XCTAssertEqual(folder.kind, .mbox)
        XCTAssertFalse(folder.exists)
        try folder.create()
        for message in Self.tricky { try folder.deliver(message) }
        var expected = Self.tricky
        // An mbox message ends with a line end; one without gets it.
        expected[3] += Array("\n".utf8)
        XCTAssertEqual(try readMbox(folder.path), expected)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder.path).lock"), "the dot-lock is released")
        let text = try String(contentsOfFile: folder.path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("From alice@example.org "), text)
        XCTAssertTrue(text.contains("\n>From here on\r\n>>From there\r\n>>>From everywhere\r\n From not"), text)
        XCTAssertTrue(text.contains("\nFrom MAILER-DAEMON "), text)
    }

    func testMboxAppendsToAFileAnotherProgramWrote() throws {
        let path = "\(directory!)/existing"
        try python("""
            import mailbox, email
            box = mailbox.mbox(sys.argv[1])
            box.add(email.message_from_bytes(b'Subject: old\\n\\nold body\\n'))
            box.flush()
            """, path)
        let folder = try MailFolder(path)
        XCTAssertTrue(folder.exists)
        try folder.deliver(Self.tricky[0])
        let messages = try readMbox(path)
        XCTAssertEqual(messages.count, 2)
        XCTAssertEqual(messages[1], Self.tricky[0])
    }

    func testMaildirReadsBackByteIdentical() throws {
        let folder = try MailFolder("\(directory!)/Maildir/")
        XCTAssertEqual(folder.kind, .maildir)
        try folder.create()
        XCTAssertEqual(try MailFolder("\(directory!)/Maildir").kind, .maildir, "an existing Maildir needs no slash")
        var names: [String] = []
        for (index, message) in Self.tricky.enumerated() { names.append(try folder.deliver(message, seen: index == 1)) }
        XCTAssertTrue(names[0].hasPrefix("\(folder.path)/new/"), names[0])
        XCTAssertTrue(names[1].hasPrefix("\(folder.path)/cur/") && names[1].hasSuffix(":2,S"), names[1])
        XCTAssertEqual(Set(names).count, names.count)
        let read = try python("""
            import mailbox
            box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
            for key in box.keys():
                print(box.get_message(key).get_flags() + ' ' + box.get_bytes(key).hex())
            """, folder.path)
        let lines = read.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: false) }
        let messages = lines.map { Self.unhex($0[1]) }
        XCTAssertEqual(Set(messages), Set(Self.tricky))
        XCTAssertEqual(lines.filter { $0[0] == "S" }.map { Self.unhex($0[1]) }, [Self.tricky[1]])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "\(folder.path)/tmp"), [], "nothing is left in tmp")
    }

    /// `fetch` delivers a batch at a time; it reads back as the same messages one by one would.
    func testABatchReadsBackLikeSingleDeliveries() throws {
        let mbox = try MailFolder("\(directory!)/batch")
        try mbox.deliver(Self.tricky[0])
        try mbox.deliver(Array(Self.tricky[1...2]))
        XCTAssertEqual(try readMbox(mbox.path), Array(Self.tricky[0...2]))
        let maildir = try MailFolder("\(directory!)/batch-dir/")
        try maildir.create()
        let names = try maildir.deliver(Self.tricky)
        XCTAssertEqual(Set(names).count, Self.tricky.count)
        XCTAssertEqual(Set(try names.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }), Set(Self.tricky))
    }

    func testConcurrentDeliveriesIntoOneMboxStayWhole() throws {
        let folder = try MailFolder("\(directory!)/busy")
        try folder.create()
        let messages = (0..<64).map { Array("Subject: \($0)\r\n\r\nFrom \($0)\r\n\(String(repeating: "x", count: $0 * 97))\r\n".utf8) }
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for index in stride(from: worker, to: messages.count, by: 8) { _ = try? folder.deliver(messages[index]) }
        }
        XCTAssertEqual(Set(try readMbox(folder.path)), Set(messages))
    }

    func testMboxWaitsForAnotherProgramsFcntlLock() throws {
        let folder = try MailFolder("\(directory!)/locked")
        try folder.create()
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", """
            import fcntl, sys, time
            f = open(sys.argv[1], 'a')
            fcntl.lockf(f, fcntl.LOCK_EX)
            open(sys.argv[1] + '.held', 'w').close()
            time.sleep(1.0)
            """, folder.path]
        try holder.run()
        while !FileManager.default.fileExists(atPath: "\(folder.path).held") { usleep(10_000) }
        let start = Date()
        try folder.deliver(Self.tricky[0])
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 0.5, "the delivery waited for the lock")
        holder.waitUntilExit()
        XCTAssertEqual(try readMbox(folder.path), [Self.tricky[0]])
    }

    func testWhatAPathNames() throws {
        XCTAssertEqual(MailFolder.expand("~/Mail/x", home: "/h"), "/h/Mail/x")
        XCTAssertEqual(MailFolder.expand("$HOME/Mail/", home: "/h"), "/h/Mail/")
        XCTAssertEqual(MailFolder.expand("${HOME}/a~b", home: "/h"), "/h/a~b")
        XCTAssertEqual(try MailFolder("~/inbox", home: directory).path, "\(directory!)/inbox")
        try FileManager.default.createDirectory(atPath: "\(directory!)/plain", withIntermediateDirectories: false)
        XCTAssertThrowsError(try MailFolder("\(directory!)/plain")) {
            XCTAssertTrue("\($0)".contains("without the cur, new and tmp"), "\($0)")
        }
        _ = FileManager.default.createFile(atPath: "\(directory!)/notes.txt", contents: Data("hello".utf8))
        XCTAssertThrowsError(try MailFolder("\(directory!)/notes.txt")) {
            XCTAssertTrue("\($0)".contains("not an mbox"), "\($0)")
        }
        XCTAssertThrowsError(try MailFolder("")) { XCTAssertEqual($0 as? MailFolderError, .noPath) }
    }

    func testAsctimeIsTheFromLineDate() {
        XCTAssertEqual(MailFolder.asctime(1_796_435_899), "Sat Dec  5 01:58:19 2026")
        XCTAssertEqual(MailFolder.asctime(0), "Thu Jan  1 00:00:00 1970")
    }

    // MARK: Python

    /// Every message of an mbox as Python reads it, with mboxrd's quoting taken off.
    private func readMbox(_ path: String) throws -> [[UInt8]] {
        let out = try python("""
            import mailbox, re
            for key in mailbox.mbox(sys.argv[1]).keys():
                raw = mailbox.mbox(sys.argv[1]).get_bytes(key)
                print(re.sub(rb'(?m)^>(>*From )', rb'\\1', raw).hex())
            """, path)
        return out.split(separator: "\n").map { Self.unhex($0) }
    }

    @discardableResult
    private func python(_ script: String, _ argument: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sys\n" + script, argument]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "python failed")
        return String(decoding: data, as: UTF8.self)
    }

    private static func unhex(_ text: Substring) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}
