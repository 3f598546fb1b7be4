import Foundation
import POP3
import XCTest

/// The real Dovecot server `scripts/test` starts. Integration tests fail, never skip, when it is
/// missing: a green run without a server would prove nothing.
struct DovecotRig {
    let host: String
    let plainPort: Int
    let tlsPort: Int
    let caFile: String
    let password: String
    let maildirRoot: URL
    let logFile: URL

    static func current(file: StaticString = #filePath, line: UInt = #line) throws -> DovecotRig {
        let env = ProcessInfo.processInfo.environment
        func value(_ name: String) throws -> String {
            guard let value = env[name], !value.isEmpty else {
                XCTFail("\(name) is not set: run the tests through scripts/test, which starts Dovecot.", file: file, line: line)
                throw RigError.missing(name)
            }
            return value
        }
        return DovecotRig(
            host: try value("MAILBAG_TEST_HOST"),
            plainPort: Int(try value("MAILBAG_TEST_POP3_PORT")) ?? 0,
            tlsPort: Int(try value("MAILBAG_TEST_POP3S_PORT")) ?? 0,
            caFile: try value("MAILBAG_TEST_CA_FILE"),
            password: try value("MAILBAG_TEST_PASSWORD"),
            maildirRoot: URL(fileURLWithPath: try value("MAILBAG_TEST_MAILDIR_ROOT")),
            logFile: URL(fileURLWithPath: try value("MAILBAG_TEST_DOVECOT_LOG")))
    }

    enum RigError: Error { case missing(String) }

    func configuration(_ security: ConnectionSecurity) -> POP3Configuration {
        var config = POP3Configuration(host: host, port: security == .implicitTLS ? tlsPort : plainPort, security: security)
        config.caFile = caFile
        config.connectTimeout = .seconds(10)
        config.idleTimeout = .seconds(20)
        return config
    }

    func url(_ user: String, _ security: ConnectionSecurity = .implicitTLS) -> String {
        security == .implicitTLS ? "pop3s://\(user)@\(host):\(tlsPort)" : "pop3://\(user)@\(host):\(plainPort)"
    }

    func login(_ user: String, _ security: ConnectionSecurity = .implicitTLS) async throws -> POP3Session {
        let session = try await POP3Session.connect(configuration(security))
        try await session.login(user: user, password: password)
        return session
    }

    /// Replaces a user's mailbox with these messages, in order (message 1 first). Text is stored
    /// with LF line ends, as a local delivery agent writes Maildir files.
    func resetMailbox(_ user: String, _ messages: [String]) throws {
        try resetMailbox(user, raw: messages.map { Array($0.replacingOccurrences(of: "\r\n", with: "\n").utf8) })
    }

    func resetMailbox(_ user: String, raw messages: [[UInt8]]) throws {
        let maildir = maildirRoot.appendingPathComponent(user).appendingPathComponent("Maildir")
        let fm = FileManager.default
        let owner = try fm.attributesOfItem(atPath: maildir.path)
        for sub in ["cur", "new", "tmp"] {
            let dir = maildir.appendingPathComponent(sub)
            for name in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] {
                try fm.removeItem(at: dir.appendingPathComponent(name))
            }
        }
        for name in (try? fm.contentsOfDirectory(atPath: maildir.path)) ?? [] where name.hasPrefix("dovecot") {
            try fm.removeItem(at: maildir.appendingPathComponent(name))
        }
        let base = Int(Date().timeIntervalSince1970)
        for (index, bytes) in messages.enumerated() {
            let file = maildir.appendingPathComponent("new/\(base + index).M\(index)P\(getpid()).mailbag-test")
            try Data(bytes).write(to: file)
            try fm.setAttributes([
                .posixPermissions: 0o644,
                .ownerAccountID: owner[.ownerAccountID] as Any,
                .groupOwnerAccountID: owner[.groupOwnerAccountID] as Any,
            ], ofItemAtPath: file.path)
            // Dovecot orders new mail by file time; spacing the times keeps our order.
            try fm.setAttributes([.modificationDate: Date(timeIntervalSince1970: Double(base - 1000 + index))], ofItemAtPath: file.path)
        }
    }

    /// Adds a message after the existing ones, as a delivery agent would (tmp, then new).
    func deliver(_ user: String, _ text: String) throws {
        let maildir = maildirRoot.appendingPathComponent(user).appendingPathComponent("Maildir")
        let owner = try FileManager.default.attributesOfItem(atPath: maildir.path)
        let name = "\(Int(Date().timeIntervalSince1970)).M\(UUID().uuidString.prefix(8))P\(getpid()).mailbag-test"
        let temporary = maildir.appendingPathComponent("tmp/\(name)")
        try Data(text.utf8).write(to: temporary)
        try FileManager.default.setAttributes([
            .posixPermissions: 0o644,
            .ownerAccountID: owner[.ownerAccountID] as Any,
            .groupOwnerAccountID: owner[.groupOwnerAccountID] as Any,
        ], ofItemAtPath: temporary.path)
        try FileManager.default.moveItem(at: temporary, to: maildir.appendingPathComponent("new/\(name)"))
    }

    static func message(_ index: Int, subject: String) -> String {
        """
        From: Tester \(index) <tester\(index)@example.org>
        To: dave@example.org
        Subject: \(subject)
        Date: Mon, 2 Nov 2026 10:\(String(format: "%02d", index % 60)):00 +0000
        Message-ID: <mailbag-test-\(index)@example.org>

        Body of message \(index).

        """
    }
}
