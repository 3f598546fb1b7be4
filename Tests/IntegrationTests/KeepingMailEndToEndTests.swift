import Foundation
import XCTest

/// Issue 19 in a real terminal against Dovecot: a batch archived into a Maildir, the rest
/// deleted with the safety net on, and what reached the disk and left the server checked.
final class KeepingMailEndToEndTests: XCTestCase {
    func testArchiveABatchThenDeleteTheRestWithTheSafetyNet() async throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", (1...5).map { DovecotRig.message($0, subject: "Keeping test \($0)") })
        let session = try await rig.login("dave")
        let before = try await session.uidl().entries.map(\.uid)
        _ = try await session.quit()

        let home = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-keeping-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent("mailbag"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let archive = home.appendingPathComponent("Mail/Archive").path
        let net = home.appendingPathComponent("Mail/deleted").path
        try FileManager.default.createDirectory(atPath: home.appendingPathComponent("Mail").path, withIntermediateDirectories: true)
        try """
            [accounts.mine]
            host = "\(rig.host)"
            port = \(rig.tlsPort)
            user = "dave"
            password_command = "echo '\(rig.password)'"
            ca_file = "\(rig.caFile)"
            archive = "\(archive)/"
            keep_deleted = "\(net)"
            """.write(to: home.appendingPathComponent("mailbag/config.toml"), atomically: true, encoding: .utf8)
        let term = try TmuxTerminal(
            command: [try MailbagProcess.binary(), "mine", "--no-mouse"], width: 120, height: 30,
            environment: ["XDG_CONFIG_HOME": home.path, "XDG_CACHE_HOME": home.appendingPathComponent("cache").path])
        try term.waitFor(text: "Keeping test 5")
        try term.type("1")
        try term.send("Enter", "t", "t")
        try term.waitFor(text: "2 tagged")
        try term.type(";A")
        try term.waitFor(text: "Archived 2 messages to \(archive)/")
        try term.send("d")
        try term.waitFor(text: "3 marked")
        try term.send("q")
        try term.waitFor(text: "Delete 3 messages from the server? [y/n/c]")
        try term.send("y")
        try term.waitFor(text: "[exit 0]", timeout: 30)
        // Joined: the terminal wraps the long paths.
        let farewell = try term.screen().replacingOccurrences(of: "\n", with: " ")
        XCTAssertTrue(farewell.contains("Deleted 3 messages"), farewell)
        XCTAssertTrue(farewell.contains("Saved before deleting: 2 messages in \(archive)/, 1 message in \(net)."), farewell)

        let check = try await rig.login("dave")
        let after = try await check.uidl().entries.map(\.uid)
        _ = try await check.quit()
        XCTAssertEqual(after, Array(before[3...]), "exactly the archived two and the deleted third are gone")

        let archivedFiles = try FileManager.default.contentsOfDirectory(atPath: archive + "/cur")
        let archivedText = try archivedFiles.map { try String(contentsOfFile: "\(archive)/cur/\($0)", encoding: .utf8) }
        XCTAssertEqual(archivedText.compactMap { $0.firstMatch(of: /Subject: (Keeping test \d)/)?.1 }.map(String.init).sorted(),
                       ["Keeping test 1", "Keeping test 2"])
        let netText = try String(contentsOfFile: net, encoding: .utf8)
        XCTAssertEqual(netText.matches(of: #/(?m)^From /#).count, 3, "the safety net holds every deleted message")
        for n in 1...3 { XCTAssertTrue(netText.contains("Subject: Keeping test \(n)\r\n"), "message \(n) is in the net") }
        XCTAssertFalse(netText.contains("Keeping test 4"))
    }
}
