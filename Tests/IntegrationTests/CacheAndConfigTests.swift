import Foundation
import POP3
import XCTest

/// The header cache and the config file, through the real binary against Dovecot.
final class CacheAndConfigTests: XCTestCase {
    private var home: URL!

    override func setUpWithError() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: home)
    }

    private var environment: [String: String] {
        ["XDG_CACHE_HOME": home.appendingPathComponent("cache").path, "XDG_CONFIG_HOME": home.appendingPathComponent("config").path]
    }

    private func list(_ rig: DovecotRig, _ extra: [String] = [], trace: URL? = nil) throws -> MailbagProcess.Result {
        var arguments = ["list", rig.url("dave"), "--ca-file", rig.caFile, "--password-command", "echo '\(rig.password)'"] + extra
        if let trace { arguments += ["--trace", trace.path] }
        return try MailbagProcess.run(arguments, environment: environment)
    }

    /// The commands the trace shows the client sending, without their arguments.
    private func commands(in trace: URL) throws -> [String] {
        try String(contentsOf: trace, encoding: .utf8).split(separator: "\n").compactMap { line in
            line.firstRange(of: "C: ").map { String(line[$0.upperBound...].prefix { $0 != " " }) }
        }
    }

    private func topCommands(in trace: URL) throws -> Int {
        try commands(in: trace).filter { $0 == "TOP" }.count
    }

    /// `list` fills the cache but is no visit (issue 18): only the reader's visit decides what
    /// is new, and listing again does not use that up.
    func testSecondListFetchesOnlyNewHeadersAndFlagsThemNew() throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", (1...4).map { DovecotRig.message($0, subject: "Cached \($0)") })
        let trace = home.appendingPathComponent("trace.log")

        let first = try list(rig, trace: trace)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(try topCommands(in: trace), 4)
        XCTAssertFalse(first.stdout.contains(" N "), "nothing is new on the first visit:\n\(first.stdout)")
        XCTAssertEqual(try commands(in: trace).filter { $0 == "CAPA" || $0 == "AUTH" }, ["CAPA", "AUTH", "CAPA"])

        let second = try list(rig, trace: trace)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(try topCommands(in: trace), 0, "a warm cache needs no TOP")
        XCTAssertEqual(try commands(in: trace).filter { ["STAT", "LIST", "UIDL"].contains($0) }, ["STAT", "UIDL"],
                       "the cached sizes, adding up to STAT's total, spare LIST")
        XCTAssertEqual(second.stdout.split(separator: "\n").count, 4)
        XCTAssertTrue(second.stdout.contains("Cached 3"))
        XCTAssertEqual(try commands(in: trace).filter { $0 == "CAPA" || $0 == "AUTH" }, ["AUTH", "CAPA"],
                       "the capabilities from the first visit spare asking before login")

        let reader = try TmuxTerminal(command: [
            try MailbagProcess.binary(), rig.url("dave"), "--ca-file", rig.caFile,
            "--password-command", "echo '\(rig.password)'", "--no-mouse",
        ], environment: environment)
        try reader.waitFor(text: "Cached 4")
        try reader.send("x")
        try reader.waitFor(text: "[exit 0]")

        try rig.deliver("dave", DovecotRig.message(5, subject: "Fresh arrival"))
        let third = try list(rig, trace: trace)
        XCTAssertEqual(try topCommands(in: trace), 1, "only the new message's header is fetched")
        XCTAssertEqual(try commands(in: trace).filter { ["STAT", "LIST", "UIDL"].contains($0) }, ["STAT", "UIDL", "LIST"],
                       "a UID the cache lacks needs LIST for its size")
        let fresh = try XCTUnwrap(third.stdout.split(separator: "\n").first { $0.contains("Fresh arrival") })
        XCTAssertTrue(fresh.contains(" N "), "the delivered message is flagged new: \(fresh)")
        XCTAssertFalse(third.stdout.split(separator: "\n").first { $0.contains("Cached 1") }!.contains(" N "))
        let again = try list(rig, trace: trace)
        XCTAssertTrue(try XCTUnwrap(again.stdout.split(separator: "\n").first { $0.contains("Fresh arrival") }).contains(" N "),
                      "listing again leaves it new:\n\(again.stdout)")

        let noCache = try list(rig, ["--no-cache"], trace: trace)
        XCTAssertEqual(noCache.status, 0, noCache.stderr)
        XCTAssertEqual(try topCommands(in: trace), 5)
    }

    func testDeletedMessagesVanishAndACorruptCacheIsRebuilt() throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", (1...3).map { DovecotRig.message($0, subject: "Vanish \($0)") })
        XCTAssertEqual(try list(rig).status, 0)

        try rig.resetMailbox("dave", [DovecotRig.message(2, subject: "Vanish 2")])
        let after = try list(rig)
        XCTAssertEqual(after.status, 0, after.stderr)
        XCTAssertEqual(after.stdout.split(separator: "\n").count, 1)

        let cacheDir = home.appendingPathComponent("cache/mailbag")
        let files = try FileManager.default.contentsOfDirectory(atPath: cacheDir.path).filter { $0.hasPrefix("headers") && !$0.contains("-wal") && !$0.contains("-shm") }
        XCTAssertFalse(files.isEmpty)
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: cacheDir.path)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o777, 0o700)
        for file in files {
            try Data(repeating: 0x5A, count: 4096).write(to: cacheDir.appendingPathComponent(file))
        }
        let rebuilt = try list(rig)
        XCTAssertEqual(rebuilt.status, 0, rebuilt.stderr)
        XCTAssertTrue(rebuilt.stderr.lowercased().contains("rebuilt"), rebuilt.stderr)
        XCTAssertTrue(rebuilt.stdout.contains("Vanish 2"))

        let cleared = try MailbagProcess.run(["cache", "clear"], environment: environment)
        XCTAssertEqual(cleared.status, 0, cleared.stderr)
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: cacheDir.path).filter { $0.hasPrefix("headers") }.isEmpty)
    }

    func testAccountFromTheConfigFileAndConfigCheck() throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", [DovecotRig.message(1, subject: "Configured")])
        let dir = home.appendingPathComponent("config/mailbag")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = dir.appendingPathComponent("config.toml")
        try """
            default_account = "work"

            [accounts.work]
            host = "\(rig.host)"
            port = \(rig.tlsPort)
            user = "dave"
            security = "tls"
            ca_file = "\(rig.caFile)"
            password_command = "echo '\(rig.password)'"
            """.write(to: config, atomically: true, encoding: .utf8)
        chmod(config.path, 0o600)

        let byDefault = try MailbagProcess.run(["list", "--json"], environment: environment)
        XCTAssertEqual(byDefault.status, 0, byDefault.stderr)
        XCTAssertTrue(byDefault.stdout.contains("\"subject\":\"Configured\""), byDefault.stdout)
        let byName = try MailbagProcess.run(["show", "work", "1"], environment: environment)
        XCTAssertEqual(byName.status, 0, byName.stderr)
        XCTAssertTrue(byName.stdout.contains("Body of message 1."))

        let check = try MailbagProcess.run(["config", "check"], environment: environment)
        XCTAssertEqual(check.status, 0, check.stderr + check.stdout)

        try """
            default_account = "work"
            [accounts.work]
            host = "\(rig.host)"
            user = "dave"
            security = "none"
            pasword_command = "echo x"
            """.write(to: config, atomically: true, encoding: .utf8)
        chmod(config.path, 0o600)
        let bad = try MailbagProcess.run(["config", "check"], environment: environment)
        XCTAssertNotEqual(bad.status, 0)
        let report = bad.stdout + bad.stderr
        XCTAssertTrue(report.contains("config.toml:5:"), report)
        XCTAssertTrue(report.contains("config.toml:6:"), report)
        XCTAssertTrue(report.contains("password_command"), "suggests the right key: \(report)")

        chmod(config.path, 0o666)
        let open = try MailbagProcess.run(["list"], environment: environment)
        XCTAssertNotEqual(open.status, 0)
        XCTAssertTrue(open.stderr.contains("chmod"), open.stderr)
    }
}
