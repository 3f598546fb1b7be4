import Foundation
@testable import POP3
import POP3Server
import XCTest

/// XOAUTH2 and OAUTHBEARER logins against the fake server, which accepts the tokens of
/// `ServerBehavior.bearerTokens` and refuses others with an RFC 7628 JSON challenge.
final class OAuth2SessionTests: XCTestCase {
    private static let bearerMechanisms: [AuthMechanism] = [.oauthBearer, .xoauth2]
    /// As long as a real provider's token: no initial response fits a 255-octet line with it.
    private static let longToken = "ya29." + String(repeating: "a0AfH6SMBx", count: 20)

    private func behavior(tokens: [String: String] = ["alice-token": "alice", longToken: "alice"]) -> ServerBehavior {
        ServerBehavior(saslMechanisms: ["PLAIN", "XOAUTH2", "OAUTHBEARER"], bearerTokens: tokens)
    }

    /// A token source handing out `tokens` in turn, counting how often it was asked.
    private final class Tokens: Sendable {
        let asked = LockedBox(0)
        let tokens: [String]

        init(_ tokens: String...) {
            self.tokens = tokens
        }

        var credential: Credential {
            .bearerToken { [self] in
                let turn = asked.withLockedValue { count in
                    count += 1
                    return count
                }
                return tokens[min(turn, tokens.count) - 1]
            }
        }

        var count: Int { asked.withLockedValue { $0 } }
    }

    private func session(_ port: Int, _ mechanisms: [AuthMechanism]? = nil) async throws -> POP3Session {
        var configuration = SessionFixture.plaintext(port)
        configuration.allowedMechanisms = mechanisms
        return try await POP3Session.connect(configuration)
    }

    func testEachMechanismLogsInWithAnInitialResponseOrAfterAnEmptyChallenge() async throws {
        for mechanism in Self.bearerMechanisms {
            for token in ["alice-token", Self.longToken] {
                try await withPOP3Server(behavior: behavior()) { server, port in
                    let session = try await self.session(port, [mechanism])
                    let tokens = Tokens(token)
                    try await session.login(user: "alice", credential: tokens.credential)
                    let stat = try await session.stat()
                    XCTAssertEqual(stat.count, 3)
                    XCTAssertEqual(tokens.count, 1)
                    _ = try await session.quit()
                    let auth = server.commandLog.filter { $0.hasPrefix("AUTH") }
                    if token == Self.longToken {
                        XCTAssertEqual(auth, ["AUTH \(mechanism.rawValue)"], "a long token is sent after the server's `+ `")
                    } else {
                        XCTAssertEqual(auth.count, 1)
                        XCTAssertTrue(auth[0].hasPrefix("AUTH \(mechanism.rawValue) "), "\(auth)")
                    }
                }
            }
        }
    }

    func testTheStandardMechanismIsPreferredAndNoPasswordMechanismIsTried() async throws {
        try await withPOP3Server(behavior: behavior()) { server, port in
            let session = try await self.session(port)
            try await session.login(user: "alice", credential: Tokens("alice-token").credential)
            await session.close()
            XCTAssertEqual(server.commandLog.filter { $0.hasPrefix("AUTH") }.map { $0.split(separator: " ")[1] }, ["OAUTHBEARER"])
        }
        // A bearer token never goes to a password mechanism, and a password never to a token one.
        try await withPOP3Server(behavior: ServerBehavior(saslMechanisms: ["PLAIN"])) { server, port in
            let session = try await self.session(port)
            let tokens = Tokens("alice-token")
            await assertThrowsPOP3Error(.noOAuth2Mechanism(offered: ["PLAIN", "APOP", "USER"])) {
                try await session.login(user: "alice", credential: tokens.credential)
            }
            XCTAssertEqual(tokens.count, 0, "no token is asked for that cannot be used")
            XCTAssertFalse(server.commandLog.contains { $0.hasPrefix("AUTH") || $0.hasPrefix("USER") })
            await session.close()
        }
        try await withPOP3Server(behavior: behavior()) { server, port in
            let session = try await self.session(port)
            try await session.login(user: "alice", password: "wonderland")
            await session.close()
            XCTAssertFalse(server.commandLog.contains { $0.contains("XOAUTH2") || $0.contains("OAUTHBEARER") })
        }
    }

    func testARefusedTokenIsRefreshedOnceAndTheLoginTriedAgain() async throws {
        for mechanism in Self.bearerMechanisms {
            try await withPOP3Server(behavior: behavior()) { server, port in
                let session = try await self.session(port, [mechanism])
                let tokens = Tokens("expired-token", "alice-token")
                try await session.login(user: "alice", credential: tokens.credential)
                XCTAssertEqual(tokens.count, 2)
                let state = await session.state
                XCTAssertEqual(state, .transaction)
                await session.close()
                // The JSON challenge is answered as each mechanism's specification says, and
                // nothing else is sent before the server's -ERR.
                let afterChallenge = mechanism == .oauthBearer ? "AQ==" : ""
                let log = server.commandLog.filter { $0 != "CAPA" }
                XCTAssertEqual(log.count, 3, "\(log)")
                XCTAssertEqual(log[1], afterChallenge, "\(mechanism)")
                XCTAssertTrue(log[2].hasPrefix("AUTH \(mechanism.rawValue) "), "\(log)")
            }
        }
    }

    func testAFreshTokenRefusedToEndsTheLoginAndSaysWhatToCheck() async throws {
        try await withPOP3Server(behavior: behavior()) { server, port in
            let session = try await self.session(port)
            let tokens = Tokens("expired-token", "bob-token")
            do {
                try await session.login(user: "alice", credential: tokens.credential)
                XCTFail("a refused token logged in")
            } catch let error as POP3Error {
                XCTAssertEqual(
                    error, .tokenRefused("Authentication failed", tried: ["OAUTHBEARER"], problem: "status invalid_token, scope pop3"))
                XCTAssertTrue(error.isAuthFailure)
                let shown = error.description
                XCTAssertTrue(shown.hasPrefix("The server refused the OAuth2 token with OAUTHBEARER, also a fresh one"), shown)
                XCTAssertTrue(shown.contains("(status invalid_token, scope pop3)"), shown)
                XCTAssertTrue(shown.contains("oauth2_token_command"), shown)
            }
            // Refreshed once, and no second mechanism carries the same refusal to the server.
            XCTAssertEqual(tokens.count, 2)
            XCTAssertEqual(server.commandLog.filter { $0.hasPrefix("AUTH") }.count, 2, "\(server.commandLog)")
            await session.close()
        }
    }

    func testATokenTheServerEchoesIsMaskedInErrorsAndTheTrace() async throws {
        let token = "ya29.secret-token"
        for mechanism in Self.bearerMechanisms {
            var echoing = behavior(tokens: [:])
            echoing.echoCredentials = true
            try await withPOP3Server(behavior: echoing) { server, port in
                let tracePath = FileManager.default.temporaryDirectory
                    .appendingPathComponent("mailbag-token-\(UUID().uuidString)").path
                defer { try? FileManager.default.removeItem(atPath: tracePath) }
                var configuration = SessionFixture.plaintext(port)
                configuration.allowedMechanisms = [mechanism]
                configuration.trace = try ProtocolTrace(path: tracePath)
                let session = try await POP3Session.connect(configuration)
                let forbidden = [
                    token, "refreshed-token", AuthEncoding.xoauth2(user: "alice", token: token),
                    AuthEncoding.oauthBearer(user: "alice", token: token, host: "127.0.0.1", port: port),
                ]
                do {
                    try await session.login(user: "alice", credential: Tokens(token, "refreshed-token").credential)
                    XCTFail("\(mechanism): a refused token logged in")
                } catch let error as POP3Error {
                    let shown = error.description
                    XCTAssertTrue(shown.contains("wrong password: ***"), "\(mechanism): \(shown)")
                    for secret in forbidden { XCTAssertFalse(shown.contains(secret), "\(mechanism): \(shown)") }
                }
                await session.close()
                XCTAssertTrue(server.commandLog.contains { $0.hasPrefix("AUTH \(mechanism.rawValue) ") })
                let trace = try String(contentsOfFile: tracePath, encoding: .utf8)
                XCTAssertTrue(trace.contains("C: AUTH \(mechanism.rawValue) ***"), trace)
                XCTAssertTrue(trace.contains("S: -ERR wrong password: ***"), trace)
                for secret in forbidden { XCTAssertFalse(trace.contains(secret), "\(mechanism): \(trace)") }
            }
        }
    }

    func testATokenWithSpacesOrControlCharactersIsNeverSent() async throws {
        try await withPOP3Server(behavior: behavior()) { server, port in
            let session = try await self.session(port)
            await assertThrowsPOP3Error(
                .invalidArgument("the OAuth2 token is empty or contains spaces or control characters")
            ) {
                try await session.login(user: "alice", credential: Tokens("alice-token\u{1}user=bob").credential)
            }
            XCTAssertFalse(server.commandLog.contains { $0.hasPrefix("AUTH") })
            await session.close()
        }
    }
}
