import Foundation
import POP3
import POP3Server
import XCTest

/// `mailbag fetch` against Dovecot, through a proxy that cuts the connection: a cut run loses
/// nothing and deletes nothing, and a re-run finishes the job with no message twice in the folder.
final class FetchCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-fetch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    private let subjects = (1...8).map { "Fetch \($0)" }

    func testACutMidFetchIsFinishedByARerunWithoutDuplicates() async throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("erin", subjects.enumerated().map { DovecotRig.message($0.offset + 1, subject: $0.element) })
        let proxy = TCPProxy(targetPort: rig.plainPort)
        let port = try await proxy.start()
        let mbox = directory.appendingPathComponent("inbox").path
        // One RETR at a time, so the cut falls after exactly three deliveries.
        proxy.cut(whenClientSends: "RETR", occurrence: 4)
        let cut = try fetch(rig, port: port, ["--to", mbox, "--only-new", "--no-pipelining"])
        XCTAssertNotEqual(cut.status, 0, cut.stderr)
        XCTAssertEqual(try mboxSubjects(mbox), Array(subjects.prefix(3)), cut.stderr)

        let rerun = try fetch(rig, port: port, ["--to", mbox, "--only-new"])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("Fetched 5 messages into \(mbox); skipped 3 fetched before."), rerun.stderr)
        XCTAssertEqual(try mboxSubjects(mbox), subjects)
        let again = try fetch(rig, port: port, ["--to", mbox, "--only-new"])
        XCTAssertTrue(again.stderr.contains("Fetched 0 messages"), again.stderr)
        XCTAssertEqual(try mboxSubjects(mbox), subjects, "nothing twice")

        // The record of a folder that is gone is not trusted.
        try FileManager.default.removeItem(atPath: mbox)
        let afresh = try fetch(rig, port: port, ["--to", mbox, "--only-new"])
        XCTAssertTrue(afresh.stderr.contains("Fetched 8 messages"), afresh.stderr)
        XCTAssertEqual(try mboxSubjects(mbox), subjects)
        await proxy.stop()
    }

    func testACutInsideAPipelinedBatchLeavesAPrefixThatARerunCompletes() async throws {
        let rig = try DovecotRig.current()
        let many = (1...40).map { "Batch \($0)" }
        try rig.resetMailbox("erin", many.enumerated().map { DovecotRig.message($0.offset + 1, subject: $0.element) })
        let proxy = TCPProxy(targetPort: rig.plainPort)
        let port = try await proxy.start()
        let maildir = directory.path + "/Batch/"
        proxy.cut(whenClientSends: "RETR", occurrence: 20)
        let cut = try fetch(rig, port: port, ["--to", maildir, "--only-new"])
        XCTAssertNotEqual(cut.status, 0, cut.stderr)
        let delivered = try maildirSubjects(maildir)
        XCTAssertEqual(delivered, Array(many.prefix(delivered.count)), "whatever arrived before the cut, in order")
        XCTAssertLessThan(delivered.count, 40)

        let rerun = try fetch(rig, port: port, ["--to", maildir, "--only-new"])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertEqual(Set(try maildirSubjects(maildir)), Set(many))
        XCTAssertEqual(try maildirSubjects(maildir).count, 40, "nothing twice")
        await proxy.stop()
    }

    func testDeleteRemovesExactlyWhatWasFetchedEvenAfterACutBeforeQuit() async throws {
        let rig = try DovecotRig.current()
        let large = DovecotRig.message(9, subject: "Too large") + String(repeating: "x", count: 20_000) + "\n"
        try rig.resetMailbox("erin", subjects.enumerated().map { DovecotRig.message($0.offset + 1, subject: $0.element) } + [large])
        let proxy = TCPProxy(targetPort: rig.plainPort)
        let port = try await proxy.start()
        let maildir = directory.path + "/Archive/"
        proxy.cut(whenClientSends: "DELE", occurrence: 2)
        let cut = try fetch(rig, port: port, ["--to", maildir, "--delete", "--max-message-size", "10KB"])
        XCTAssertNotEqual(cut.status, 0, cut.stderr)
        XCTAssertEqual(try maildirSubjects(maildir), subjects, "every copy is on disk")
        let afterCut = try await serverSubjects(rig)
        XCTAssertEqual(afterCut.count, 9, "a cut before QUIT deletes nothing")

        let rerun = try fetch(rig, port: port, ["--to", maildir, "--delete", "--max-message-size", "10KB"])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("Fetched 0 messages into \(directory.path)/Archive; deleted 8 from the server; skipped 8 fetched before; skipped 1 more"), rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("over max_message_size (10K); raise it with --max-message-size"), rerun.stderr)
        let left = try await serverSubjects(rig)
        XCTAssertEqual(left, ["Too large"], "only the fetched messages are gone")
        XCTAssertEqual(try maildirSubjects(maildir), subjects, "nothing twice")
        await proxy.stop()
    }

    private func fetch(_ rig: DovecotRig, port: Int, _ arguments: [String]) throws -> MailbagProcess.Result {
        try MailbagProcess.run(
            ["fetch", "pop3://erin@\(rig.host):\(port)", "--insecure-plaintext", "--password-command", "echo '\(rig.password)'", "--timeout", "10"]
                + arguments)
    }

    private func serverSubjects(_ rig: DovecotRig) async throws -> [String] {
        let session = try await rig.login("erin")
        var subjects: [String] = []
        for entry in try await session.list() {
            subjects.append(Self.subject(try await session.top(entry.number, lines: 0)))
        }
        _ = try await session.quit()
        return subjects
    }

    private func mboxSubjects(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("Subject: ") }
            .map { String($0.dropFirst("Subject: ".count)).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// In delivery order: Maildir names start with the time, then the counter.
    private func maildirSubjects(_ path: String) throws -> [String] {
        let new = URL(fileURLWithPath: path).appendingPathComponent("new")
        let files = try FileManager.default.contentsOfDirectory(atPath: new.path).sorted {
            Self.deliveryOrder($0) < Self.deliveryOrder($1)
        }
        return try files.map { Self.subject([UInt8](try Data(contentsOf: new.appendingPathComponent($0)))) }
    }

    private static func deliveryOrder(_ name: String) -> Int {
        Int(name.split(separator: "Q").dropFirst().first?.split(separator: ".").first ?? "") ?? 0
    }

    private static func subject(_ raw: [UInt8]) -> String {
        let line = String(decoding: raw, as: UTF8.self).split(whereSeparator: \.isNewline).first { $0.hasPrefix("Subject: ") }
        return line.map { String($0.dropFirst("Subject: ".count)).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
    }
}
