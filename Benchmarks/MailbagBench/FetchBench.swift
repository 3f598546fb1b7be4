import Foundation
import POP3Server

/// Issue 19's `mailbag fetch` against mpop and fetchmail: each empties the same Dovecot mailbox
/// (keeping the server's copies) into a fresh local folder through the latency proxy, timed as a
/// whole process from start to exit, and every run is checked to have delivered every message.
struct FetchBench {
    enum Client: String, CaseIterable {
        case mailbag, mpop, fetchmail
    }

    let user: String
    let password: String
    let messages: Int
    let mailbag: String
    let work: URL

    init(user: String, password: String, messages: Int) throws {
        self.user = user
        self.password = password
        self.messages = messages
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        mailbag = directory.appendingPathComponent("mailbag").path
        guard FileManager.default.isExecutableFile(atPath: mailbag) else {
            throw BenchFailure("No mailbag binary beside MailbagBench (\(mailbag)): scripts/bench builds it.")
        }
        for tool in ["/usr/bin/mpop", "/usr/bin/fetchmail"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw BenchFailure("\(tool) is missing: scripts/bench installs mpop and fetchmail from Debian.")
        }
        work = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-bench-fetch-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    static func version(_ tool: String, _ argument: String) -> String {
        let output = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [argument]
        process.standardOutput = output
        process.standardError = output
        guard (try? process.run()) != nil else { return tool }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // "mpop version 1.4.18", "This is fetchmail release 6.4.37+GSS+…": name and number.
        let words = text.split(separator: "\n").first { $0.contains("version") || $0.contains("release") }?.split(separator: " ") ?? []
        guard let at = words.firstIndex(where: { $0 == "version" || $0 == "release" }), at + 1 < words.count else { return tool }
        return "\((tool as NSString).lastPathComponent) \(words[at + 1].prefix { $0 != "+" })"
    }

    /// Seconds from start to exit for `client` fetching the whole mailbox at `port`.
    func run(_ client: Client, port: Int) async throws -> Double {
        let run = work.appendingPathComponent("\(client.rawValue)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: run) }
        let (executable, arguments, environment) = try command(client, port: port, in: run)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let log = run.appendingPathComponent("output.log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw BenchFailure("Cannot create \(log.path)") }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        let start = ContinuousClock.now
        let status = try await process.runToExit()
        let seconds = start.secondsSince
        try handle.close()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard status == 0 else { throw BenchFailure("\(client.rawValue) exited with \(status): \(output.suffix(600))") }
        let delivered = try count(client, in: run)
        guard delivered == messages else {
            throw BenchFailure("\(client.rawValue) delivered \(delivered) of \(messages) messages: \(output.suffix(600))")
        }
        return seconds
    }

    /// Each client's own way into a local folder: Mailbag and mpop write a Maildir (Mailbag
    /// fsyncs every message before the next), fetchmail, which has no folder writer of its own,
    /// writes one BSMTP file, its lightest delivery (no MDA process per message).
    private func command(_ client: Client, port: Int, in run: URL) throws -> (String, [String], [String: String]) {
        let environment = ["HOME": run.path, "PATH": "/usr/bin:/bin"]
        switch client {
        case .mailbag:
            return (mailbag, [
                "fetch", "pop3://\(user)@127.0.0.1:\(port)", "--to", run.appendingPathComponent("Maildir").path + "/",
                "--insecure-plaintext", "--no-cache", "--password-command", "echo '\(password)'",
            ], environment)
        case .mpop:
            let maildir = run.appendingPathComponent("Maildir")
            for sub in ["cur", "new", "tmp"] {
                try FileManager.default.createDirectory(at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            return ("/usr/bin/mpop", [
                "--host=127.0.0.1", "--port=\(port)", "--tls=off", "--auth=plain", "--user=\(user)",
                "--passwordeval=echo '\(password)'", "--keep=on", "--only-new=off",
                "--uidls-file=\(run.appendingPathComponent("uidls").path)",
                "--delivery=maildir,\(maildir.path)", "--quiet",
            ], environment)
        case .fetchmail:
            let rc = run.appendingPathComponent("fetchmailrc")
            try """
                set no syslog
                poll 127.0.0.1 service \(port) protocol POP3 auth password
                  user "\(user)" password "\(password)"
                  keep fetchall sslproto '' no rewrite

                """.write(to: rc, atomically: true, encoding: .utf8)
            chmod(rc.path, 0o600)
            return ("/usr/bin/fetchmail", [
                "--fetchmailrc", rc.path, "--pidfile", run.appendingPathComponent("pid").path,
                "--bsmtp", run.appendingPathComponent("mail.bsmtp").path, "--silent", "--nosoftbounce",
            ], environment.merging(["FETCHMAILHOME": run.path]) { $1 })
        }
    }

    private func count(_ client: Client, in run: URL) throws -> Int {
        switch client {
        case .mailbag, .mpop:
            let maildir = run.appendingPathComponent("Maildir")
            return try ["new", "cur"].reduce(0) { total, sub in
                total + (try FileManager.default.contentsOfDirectory(atPath: maildir.appendingPathComponent(sub).path).count)
            }
        case .fetchmail:
            let text = try Data(contentsOf: run.appendingPathComponent("mail.bsmtp"))
            return text.split(separator: UInt8(ascii: "\n")).filter { $0.starts(with: Array("MAIL FROM:".utf8)) }.count
        }
    }

    /// The table: medians of `repeats` per client and latency, and each rival's time ÷ Mailbag's.
    static func table(bench: FetchBench, clients: [Client], target: Int, delays: [Int], repeats: Int) async throws {
        let rivals = clients.filter { $0 != .mailbag }
        let versions = rivals.map { $0 == .mpop ? version("/usr/bin/mpop", "--version") : version("/usr/bin/fetchmail", "--version") }
        print()
        print("mailbag fetch\(versions.isEmpty ? "" : " against " + versions.joined(separator: " and ")),")
        print("Dovecot in plaintext, user \(bench.user) (\(bench.messages) messages), whole process start to exit, medians of \(repeats):")
        let proxy = TCPProxy(targetPort: target)
        let port = try await proxy.start()
        var rows: [[String]] = []
        for delay in delays {
            proxy.oneWayDelay = .milliseconds(delay)
            var medians: [Client: Double] = [:]
            for client in clients {
                var times: [Double] = []
                for _ in 0..<repeats { times.append(try await bench.run(client, port: port)) }
                medians[client] = times.sorted()[times.count / 2]
            }
            var row = ["\(delay) ms"] + clients.map { Table.seconds(medians[$0]!) }
            if let mailbag = medians[.mailbag] {
                row += rivals.map { String(format: "%.2f×", medians[$0]! / mailbag) }
            }
            rows.append(row)
        }
        await proxy.stop()
        try? FileManager.default.removeItem(at: bench.work)
        let names = clients.map { $0 == .mailbag ? "mailbag fetch" : $0.rawValue }
        let ratios = clients.contains(.mailbag) ? rivals.map { "\($0.rawValue) ÷ Mailbag" } : []
        Table.markdown(["one-way"] + names + ratios, rows)
    }
}
