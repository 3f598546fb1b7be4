import Foundation
import POP3
import Synchronization
import XCTest

/// XOAUTH2 and OAUTHBEARER against the rig's Dovecot, whose oauth2 passdb asks the rig's
/// introspection service about each token (`scripts/dovecot-rig`): olivia has no password, only
/// tokens.
final class OAuth2DovecotTests: XCTestCase {
    private struct Tokens {
        let user: String
        let valid: String
        let expired: String
        let otherUser: String

        static func current(file: StaticString = #filePath, line: UInt = #line) throws -> Tokens {
            let env = ProcessInfo.processInfo.environment
            func value(_ name: String) throws -> String {
                guard let value = env[name], !value.isEmpty else {
                    XCTFail("\(name) is not set: run the tests through scripts/test, which starts Dovecot.", file: file, line: line)
                    throw DovecotRig.RigError.missing(name)
                }
                return value
            }
            return Tokens(
                user: try value("MAILBAG_TEST_OAUTH2_USER"), valid: try value("MAILBAG_TEST_OAUTH2_VALID_TOKEN"),
                expired: try value("MAILBAG_TEST_OAUTH2_EXPIRED_TOKEN"), otherUser: try value("MAILBAG_TEST_OAUTH2_OTHER_USER_TOKEN"))
        }
    }

    /// A token source handing out `tokens` in turn, counting how often it was asked.
    private final class Handout: Sendable {
        private let asked = CallCounter()
        private let tokens: [String]

        init(_ tokens: String...) {
            self.tokens = tokens
        }

        var credential: Credential {
            .bearerToken { [self] in tokens[min(asked.next(), tokens.count) - 1] }
        }

        var count: Int { asked.value }
    }

    private func session(_ rig: DovecotRig, _ mechanism: AuthMechanism) async throws -> POP3Session {
        var configuration = rig.configuration(.implicitTLS)
        configuration.allowedMechanisms = [mechanism]
        return try await POP3Session.connect(configuration)
    }

    func testAValidTokenLogsInWithEitherMechanism() async throws {
        let (rig, tokens) = (try DovecotRig.current(), try Tokens.current())
        for mechanism in [AuthMechanism.oauthBearer, .xoauth2] {
            let session = try await session(rig, mechanism)
            let handout = Handout(tokens.valid)
            try await session.login(user: tokens.user, credential: handout.credential)
            let stat = try await session.stat()
            XCTAssertEqual(stat.count, 3, "\(mechanism)")
            XCTAssertEqual(handout.count, 1)
            _ = try await session.quit()
        }
    }

    func testAnExpiredTokenIsRefreshedOnceAndTheLoginSucceeds() async throws {
        let (rig, tokens) = (try DovecotRig.current(), try Tokens.current())
        for mechanism in [AuthMechanism.oauthBearer, .xoauth2] {
            let session = try await session(rig, mechanism)
            let handout = Handout(tokens.expired, tokens.valid)
            try await session.login(user: tokens.user, credential: handout.credential)
            XCTAssertEqual(handout.count, 2, "\(mechanism)")
            _ = try await session.quit()
        }
    }

    func testAnExpiredOrAnotherUsersTokenIsRefusedWithWhatToCheck() async throws {
        let (rig, tokens) = (try DovecotRig.current(), try Tokens.current())
        let cases: [(AuthMechanism, String, String)] = [
            (.oauthBearer, tokens.expired, "status invalid_token"), (.xoauth2, tokens.otherUser, "status 401, scope mail"),
        ]
        for (mechanism, token, problem) in cases {
            let session = try await session(rig, mechanism)
            let handout = Handout(token)
            do {
                try await session.login(user: tokens.user, credential: handout.credential)
                XCTFail("\(mechanism): a refused token logged in")
            } catch let error as POP3Error {
                XCTAssertEqual(error, .tokenRefused("Authentication failed.", tried: [mechanism.rawValue], problem: problem))
                XCTAssertFalse(error.description.contains(token))
            }
            XCTAssertEqual(handout.count, 2, "refreshed once, then given up: \(mechanism)")
            await session.close()
        }
    }

    /// The whole path a Gmail user takes: the token command from the command line, the token kept
    /// out of the trace.
    func testListWithATokenCommandKeepsTheTokenOutOfTheTrace() throws {
        let (rig, tokens) = (try DovecotRig.current(), try Tokens.current())
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-oauth2-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let result = try MailbagProcess.run(
            ["list", rig.url(tokens.user), "--ca-file", rig.caFile, "--trace", trace,
             "--oauth2-token-command", "printf '%s\\n' \"$OLIVIA_TOKEN\""],
            environment: ["OLIVIA_TOKEN": tokens.valid])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.split(separator: "\n").count, 3)
        let written = try String(contentsOfFile: trace, encoding: .utf8)
        XCTAssertTrue(written.contains("C: AUTH OAUTHBEARER"), written)
        XCTAssertFalse(written.contains(tokens.valid), written)

        let refused = try MailbagProcess.run(
            ["list", rig.url(tokens.user), "--ca-file", rig.caFile, "--oauth2-token-command", "echo \(tokens.expired)"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("refused the OAuth2 token"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains(tokens.expired), refused.stderr)
    }
}

/// Counts calls from any thread.
private final class CallCounter: Sendable {
    private let count = Mutex(0)

    func next() -> Int {
        count.withLock { count in
            count += 1
            return count
        }
    }

    var value: Int { count.withLock { $0 } }
}
