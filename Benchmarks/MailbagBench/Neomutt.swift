import Foundation

/// neomutt opening the same mailbox through the same proxy, timed as a whole process: it needs a
/// terminal, which `script` gives it, and `push <quit>` takes effect once the index is loaded.
struct Neomutt {
    let executable: String
    let workDirectory: URL

    static func find() -> Neomutt? {
        let path = "/usr/bin/neomutt"
        guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-bench-neomutt-\(getpid())")
        try? FileManager.default.createDirectory(at: work.appendingPathComponent("home"), withIntermediateDirectories: true)
        return Neomutt(executable: path, workDirectory: work)
    }

    var version: String {
        let output = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-v"]
        process.standardOutput = output
        guard (try? process.run()) != nil else { return "neomutt" }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").first.map(String.init) ?? "neomutt"
    }

    /// A fresh header-cache directory; a run with none is cold.
    func newCacheDirectory() -> URL {
        let url = workDirectory.appendingPathComponent("hcache-\(UUID().uuidString)/")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Seconds from start to exit after loading the index of `user` at `port`.
    func loadIndex(port: Int, user: String, password: String, headerCache: URL?) async throws -> Double {
        let home = workDirectory.appendingPathComponent("home").path
        // Everything that could prompt or wait is off; the second file keeps the password out of ps.
        let rc = """
            set ssl_starttls=no
            set ssl_force_tls=no
            set quit=yes
            set move=no
            set delete=no
            set confirm_append=no
            set confirm_create=no
            set wait_key=no
            set beep=no
            set sleep_time=0
            set mail_check_stats=no
            set record=""
            set folder="\(home)"
            set mbox="\(home)/mbox"
            set postponed="\(home)/postponed"
            set crypt_use_gpgme=no
            set message_cachedir=""
            set pop_user='\(user)'
            set pop_pass='\(password)'
            set header_cache='\(headerCache?.path ?? "")'

            """
        let rcFile = workDirectory.appendingPathComponent("neomuttrc")
        try rc.write(to: rcFile, atomically: true, encoding: .utf8)
        chmod(rcFile.path, 0o600)
        let command = "stty rows 50 cols 200; exec \(executable) -n -F \(rcFile.path) -f 'pop://127.0.0.1:\(port)/' -e 'push <quit>'"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qefc", command, "/dev/null"]
        process.environment = ["TERM": "xterm", "HOME": home, "PATH": "/usr/bin:/bin"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = ContinuousClock.now
        let status = try await process.runToExit()
        let seconds = start.secondsSince
        guard status == 0 else { throw BenchFailure("neomutt exited with status \(status)") }
        return seconds
    }
}

extension Process {
    /// Starts the process and returns its exit status once it ends, without blocking a thread.
    func runToExit() async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try run()
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}
