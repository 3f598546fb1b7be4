import Foundation
import POP3
import XCTest

/// One of the real POP3 servers `scripts/test` starts on loopback: Dovecot, Courier, Cyrus and
/// popa3d. Each has a reading user with the same 12 seeded messages and a scratch user that
/// tests refill with `reset`. A server whose variables are missing fails the test, never skips.
struct RealServer: CustomStringConvertible {
    let name: String
    let host: String
    let plainPort: Int
    /// Implicit TLS (pop3s); nil for popa3d, which has no TLS.
    let tlsPort: Int?
    let user: String
    let scratchUser: String
    let password: String
    let caFile: String
    private let resetScratch: (_ messages: [String]) throws -> Void

    var description: String { name }

    /// Every transport the server offers: implicit TLS, STLS, or (popa3d) only clear text.
    var transports: [ConnectionSecurity] { tlsPort == nil ? [.plaintext] : [.implicitTLS, .startTLS] }

    /// The transport a user would pick.
    var preferredTransport: ConnectionSecurity { transports[0] }

    static func all(file: StaticString = #filePath, line: UInt = #line) throws -> [RealServer] {
        let dovecot = try DovecotRig.current(file: file, line: line)
        let rigged = try ["COURIER", "CYRUS", "POPA3D"].map { try rig($0, file: file, line: line) }
        return [RealServer(
            name: "Dovecot", host: dovecot.host, plainPort: dovecot.plainPort, tlsPort: dovecot.tlsPort, user: "alice",
            scratchUser: "erin", password: dovecot.password, caFile: dovecot.caFile,
            resetScratch: { try dovecot.resetMailbox("erin", $0) })] + rigged
    }

    static func named(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> RealServer {
        try XCTUnwrap(try all(file: file, line: line).first { $0.name == name }, file: file, line: line)
    }

    /// A server started by its `scripts/NAME-rig`, from the variables it wrote.
    private static func rig(_ prefix: String, file: StaticString, line: UInt) throws -> RealServer {
        let env = ProcessInfo.processInfo.environment
        func value(_ key: String) throws -> String {
            let name = "MAILBAG_TEST_\(prefix)_\(key)"
            guard let value = env[name], !value.isEmpty else {
                XCTFail("\(name) is not set: run the tests through scripts/test, which starts every server.", file: file, line: line)
                throw DovecotRig.RigError.missing(name)
            }
            return value
        }
        let script = try value("RIG")
        let scratch = try value("SCRATCH_USER")
        return RealServer(
            name: prefix.prefix(1) + prefix.dropFirst().lowercased(), host: try value("HOST"),
            plainPort: Int(try value("POP3_PORT")) ?? 0, tlsPort: env["MAILBAG_TEST_\(prefix)_POP3S_PORT"].flatMap { Int($0) },
            user: try value("USER"), scratchUser: scratch, password: try value("PASSWORD"), caFile: try value("CA_FILE"),
            resetScratch: { try runRigReset(script, user: scratch, messages: $0) })
    }

    private static func runRigReset(_ script: String, user: String, messages: [String]) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rig-reset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String] = []
        for (index, text) in messages.enumerated() {
            let path = directory.appendingPathComponent(String(format: "%03d.eml", index)).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["reset", user] + files
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RigReset.failed("\(script) reset \(user) exited with \(process.terminationStatus)")
        }
    }

    enum RigReset: Error { case failed(String) }

    /// Replaces the scratch user's mailbox with these messages, message 1 first.
    func resetScratch(_ messages: [String]) throws { try resetScratch(messages) }

    func configuration(_ security: ConnectionSecurity) -> POP3Configuration {
        var config = POP3Configuration(
            host: host, port: security == .implicitTLS ? tlsPort ?? 0 : plainPort, security: security,
            allowPlaintext: security == .plaintext)
        config.caFile = caFile
        config.connectTimeout = .seconds(10)
        config.idleTimeout = .seconds(20)
        return config
    }

    func login(_ user: String, _ security: ConnectionSecurity, mechanisms: [AuthMechanism]? = nil) async throws -> POP3Session {
        var config = configuration(security)
        config.allowedMechanisms = mechanisms
        let session = try await POP3Session.connect(config)
        do {
            try await session.login(user: user, password: password)
        } catch {
            await session.close()
            throw error
        }
        return session
    }

    /// The command-line words that reach this server as `user`, as a user would type them.
    func arguments(_ user: String, _ security: ConnectionSecurity) -> [String] {
        let escapedUser = user.replacingOccurrences(of: "@", with: "%40")
        switch security {
        case .implicitTLS:
            return ["pop3s://\(escapedUser)@\(host):\(tlsPort ?? 0)", "--ca-file", caFile, "--password-command", "echo '\(password)'"]
        case .startTLS:
            return ["pop3://\(escapedUser)@\(host):\(plainPort)", "--ca-file", caFile, "--password-command", "echo '\(password)'"]
        case .plaintext:
            return ["pop3://\(escapedUser)@\(host):\(plainPort)", "--insecure-plaintext", "--password-command", "echo '\(password)'"]
        }
    }

    /// The password mechanisms Mailbag knows that this server offers on `security`, as a fresh
    /// session sees them (the bearer-token ones have tests of their own).
    func offeredMechanisms(_ security: ConnectionSecurity) async throws -> [AuthMechanism] {
        let session = try await POP3Session.connect(configuration(security))
        let capabilities = await session.capabilities
        let greeting = await session.greeting
        await session.close()
        return AuthMechanism.strongestFirst.filter { mechanism in
            switch mechanism {
            case .cramMD5, .saslPlain, .saslLogin: capabilities.sasl.contains(mechanism.rawValue)
            case .oauthBearer, .xoauth2: false
            case .apop: greeting.apopTimestamp != nil
            case .userPass: capabilities.user || !capabilities.advertised
            }
        }
    }

    /// The scratch user's subjects, in message order, read on a session of their own.
    func scratchSubjects() async throws -> [String] {
        let session = try await login(scratchUser, preferredTransport)
        var subjects: [String] = []
        for entry in try await session.list() {
            let header = String(decoding: try await session.top(entry.number, lines: 0), as: UTF8.self)
            let subject = header.split(whereSeparator: \.isNewline).first { $0.hasPrefix("Subject: ") }
            subjects.append(subject.map { String($0.dropFirst("Subject: ".count)) } ?? "")
        }
        _ = try await session.quit()
        return subjects
    }
}
