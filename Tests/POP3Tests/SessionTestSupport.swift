import Foundation
import POP3
import POP3Server
import Synchronization
import XCTest

/// Shared setup for the end-to-end session tests against `InMemoryPOP3Server`.
enum SessionFixture {
    /// A plaintext session to the fake server on `port`, logged in as alice.
    static func loggedIn(_ port: Int, _ configure: (inout POP3Configuration) -> Void = { _ in }) async throws -> POP3Session {
        var configuration = plaintext(port)
        configure(&configuration)
        let session = try await POP3Session.connect(configuration)
        try await session.login(user: "alice", password: "wonderland")
        return session
    }

    static let users = ["alice": "wonderland", "bob": "s3cret pass"]

    /// The idle timeout of a test that waits for a silent server to time out: long enough for a
    /// loopback reply on a loaded machine, short enough that such tests cost little.
    static let silence: Duration = .milliseconds(100)

    static let first = "From: Ann <ann@example.org>\r\nSubject: one\r\n\r\nHello\r\n.leading dot\r\n..two dots\r\n.\r\n"
    static let second = "From: ben@example.org\r\nSubject: two\r\n\r\nsecond body\r\n"
    static let third = "Subject: three\r\n\r\nthird body\r\n"

    static var sample: [ServerMessage] {
        [
            ServerMessage(uid: "uid-1", text: first), ServerMessage(uid: "uid-2", text: second),
            ServerMessage(uid: "uid-3", text: third),
        ]
    }

    static func numbered(_ count: Int) -> [ServerMessage] {
        (1...count).map {
            ServerMessage(uid: "n\($0)", text: "Subject: message \($0)\r\nX-N: \($0)\r\n\r\nbody \($0)\r\n")
        }
    }

    static func plaintext(_ port: Int) -> POP3Configuration {
        POP3Configuration(
            host: "127.0.0.1", port: port, security: .plaintext, allowPlaintext: true,
            connectTimeout: .seconds(5), idleTimeout: .seconds(10))
    }
}

extension POP3Configuration {
    /// This configuration with what a first connection learns before login as its
    /// `knownCapabilities`, the way the reader remembers them between visits.
    func knowingCapabilities() async throws -> POP3Configuration {
        let first = try await POP3Session.connect(self)
        var known = self
        let capabilities = await first.capabilitiesBeforeLogin
        known.knownCapabilities = { capabilities }
        await first.close()
        return known
    }
}

/// A value shared with callbacks that run on other threads.
final class LockedBox<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ value: Value) {
        self.value = Mutex(value)
    }

    func withLockedValue<T: Sendable>(_ body: (inout Value) -> T) -> T {
        value.withLock { body(&$0) }
    }
}

/// Runs `body` against a fresh server and always stops it.
func withPOP3Server(
    behavior: ServerBehavior = ServerBehavior(),
    messages: [ServerMessage] = SessionFixture.sample,
    tls: ServerTLS? = nil,
    implicitTLS: Bool = false,
    _ body: (InMemoryPOP3Server, Int) async throws -> Void
) async throws {
    let server = InMemoryPOP3Server(users: SessionFixture.users, messages: messages, behavior: behavior, tls: tls)
    let port = try await server.start(implicitTLS: implicitTLS)
    do {
        try await body(server, port)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

/// Asserts that `operation` throws the POP3Error `expected`.
func assertThrowsPOP3Error<T>(
    _ expected: POP3Error,
    file: StaticString = #filePath,
    line: UInt = #line,
    _ operation: () async throws -> T
) async {
    do {
        _ = try await operation()
        XCTFail("expected \(expected), nothing was thrown", file: file, line: line)
    } catch {
        XCTAssertEqual(error as? POP3Error, expected, file: file, line: line)
    }
}

/// Lines that would carry a credential, to prove none was sent.
func credentialLines(_ log: [String]) -> [String] {
    log.filter { line in
        let upper = line.uppercased()
        return ["USER", "PASS", "APOP", "AUTH"].contains { upper.hasPrefix($0) }
            || line.contains("wonderland") || line.contains("YWxpY2")
    }
}

/// A throwaway CA and server certificates (good, expired, wrong name, unknown issuer) made with openssl.
struct ClientTLSFixtures: Sendable {
    let directory: URL

    var caFile: String { path("ca.pem") }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// For `kind` in good, expired, wrongname, untrusted.
    func serverTLS(_ kind: String) throws -> ServerTLS {
        try ServerTLS(certificateChainFile: path("\(kind).pem"), privateKeyFile: path("\(kind).key"))
    }

    /// Made once per test process: openssl is slow enough to matter.
    static let shared: Result<ClientTLSFixtures, any Error> = Result { try make() }

    private static func make() throws -> ClientTLSFixtures {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mailbag-client-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let fixtures = ClientTLSFixtures(directory: directory)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for ca in ["ca", "otherca"] {
            try OpenSSL.run(
                ["req", "-x509"] + ec + [
                    "-keyout", "\(ca).key", "-out", "\(ca).pem", "-days", "3", "-subj", "/CN=Mailbag Client Test \(ca)",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                ], in: directory)
        }
        let leaves: [(name: String, sans: String, days: String, ca: String)] = [
            ("good", "DNS:localhost,IP:127.0.0.1,IP:::1", "3", "ca"),
            ("expired", "DNS:localhost,IP:127.0.0.1", "-1", "ca"),
            ("wrongname", "DNS:other.example", "3", "ca"),
            ("untrusted", "DNS:localhost,IP:127.0.0.1", "3", "otherca"),
        ]
        for leaf in leaves {
            let extensions =
                "subjectAltName=\(leaf.sans)\nbasicConstraints=critical,CA:FALSE\n"
                + "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
            try extensions.write(toFile: fixtures.path("\(leaf.name).ext"), atomically: true, encoding: .utf8)
            try OpenSSL.run(
                ["req"] + ec + [
                    "-keyout", "\(leaf.name).key", "-out", "\(leaf.name).csr", "-subj", "/CN=\(leaf.name)",
                ],
                in: directory)
            try OpenSSL.run(
                [
                    "x509", "-req", "-in", "\(leaf.name).csr", "-CA", "\(leaf.ca).pem", "-CAkey", "\(leaf.ca).key",
                    "-CAcreateserial", "-out", "\(leaf.name).pem", "-days", leaf.days, "-extfile", "\(leaf.name).ext",
                ], in: directory)
        }
        return fixtures
    }
}

/// The openssl command line, for certificates made at test time.
enum OpenSSL {
    static func run(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(
                domain: "openssl", code: Int(process.terminationStatus),
                userInfo: [
                    NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")) failed: "
                        + String(decoding: message, as: UTF8.self)
                ])
        }
    }
}
