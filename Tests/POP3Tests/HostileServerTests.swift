import Foundation
import POP3
import POP3Server
import XCTest

/// The real session against the fake server scripted to misbehave as issue 17 found servers do:
/// amplifying listings, endless drips, echoed credentials, oversized messages.
final class HostileServerTests: XCTestCase {

    // MARK: Counts, not only bytes

    /// 1 MB of `1 a` lines is 200,000 entries; after STAT said 3 messages only 3 are read, and the
    /// rest is one counted problem, not 200,000 kept ones.
    func testUIDLBeyondTheMessageCountIsCountedNotKept() async throws {
        let lines = 200_000
        let raw = "+OK\r\n" + String(repeating: "1 a\r\n", count: lines) + ".\r\n"
        try await withPOP3Server(behavior: ServerBehavior(rawReplies: ["UIDL": raw])) { _, port in
            let session = try await SessionFixture.loggedIn(port)
            let stat = try await session.stat()
            XCTAssertEqual(stat.count, 3)
            let listing = try await session.uidl()
            XCTAssertEqual(listing.entries, [], "message 1 is listed three times, so no UID is trusted")
            XCTAssertEqual(listing.problemCounts, [.duplicateNumber: 3, .beyondMessageCount(limit: 3): lines - 3])
            XCTAssertLessThanOrEqual(listing.problems.count, 16)
            XCTAssertEqual(
                listing.problemSummary,
                [
                    "a UIDL line: the UIDL listing goes on after 3 entries, more than the maildrop has messages, "
                        + "so the rest was ignored, and \(lines - 4) more like it",
                    "message 1: listed more than once, and 2 more like it",
                ])
            await session.close()
        }
    }

    /// Without STAT or LIST the bound is `UIDListing.maxEntries`; the good lines within the
    /// count are kept.
    func testUIDLKeepsTheEntriesWithinTheCount() async throws {
        let raw = "+OK\r\n" + (1...50).map { "\($0) uid-\($0)\r\n" }.joined() + ".\r\n"
        try await withPOP3Server(behavior: ServerBehavior(rawReplies: ["UIDL": raw])) { _, port in
            let session = try await SessionFixture.loggedIn(port)
            let unbounded = try await session.uidl()
            XCTAssertEqual(unbounded.entries.count, 50)
            _ = try await session.list()
            let bounded = try await session.uidl()
            XCTAssertEqual(bounded.entries.map(\.uid), ["uid-1", "uid-2", "uid-3"])
            XCTAssertEqual(bounded.problemCounts, [.beyondMessageCount(limit: 3): 47])
            await session.close()
        }
    }

    func testLISTWithMoreLinesThanSTATIsAnError() async throws {
        let raw = "+OK\r\n" + (1...10).map { "\($0) 100\r\n" }.joined() + ".\r\n"
        try await withPOP3Server(behavior: ServerBehavior(rawReplies: ["LIST": raw])) { _, port in
            let session = try await SessionFixture.loggedIn(port)
            _ = try await session.stat()
            await assertThrowsPOP3Error(.tooManyLines(command: "LIST", limit: 3)) { try await session.list() }
            XCTAssertEqual(
                POP3Error.tooManyLines(command: "LIST", limit: 3).description,
                "The server's reply to LIST has more than 3 lines, more than it can have, so it was not used; "
                    + "the server may be broken or hostile.")
            // The reply was read whole: the session goes on.
            let stat = try await session.stat()
            XCTAssertEqual(stat.count, 3)
            await session.close()
        }
    }

    /// Refused once line 513 arrives, before the rest of a 1 MB reply is buffered.
    func testEndlessCAPAEndsTheConnection() async throws {
        let raw = "+OK\r\n" + String(repeating: "X-JUNK\r\n", count: 130_000) + ".\r\n"
        try await withPOP3Server(behavior: ServerBehavior(rawReplies: ["CAPA": raw])) { _, port in
            await assertThrowsPOP3Error(.tooManyLines(command: "CAPA", limit: 512)) {
                try await POP3Session.connect(SessionFixture.plaintext(port))
            }
        }
        let fine = (1...512).map { "X-\($0)" } + ["USER", "UIDL", "TOP"]
        try await withPOP3Server(behavior: ServerBehavior(capabilities: Array(fine.suffix(512)))) { _, port in
            let session = try await POP3Session.connect(SessionFixture.plaintext(port))
            let capabilities = await session.capabilities
            XCTAssertTrue(capabilities.uidl)
            XCTAssertEqual(capabilities.raw.count, 512)
            await session.close()
        }
    }

    // MARK: A deadline per reply

    /// One byte every 100 ms inside the body is never a second of silence, but it is far below
    /// 1 KiB/s: after the 1 s timeout's grace the reply has earned only a few ms more.
    func testDrippingReplyIsTooSlow() async throws {
        let commands: [(String, (POP3Session) async throws -> Void)] = [
            ("RETR", { _ = try await $0.retrieve(1) }),
            ("TOP", { _ = try await $0.top(1, lines: 5) }),
            ("LIST", { _ = try await $0.list() }),
        ]
        for (command, operation) in commands {
            let behavior = ServerBehavior(drip: (command: command, interval: .milliseconds(100)))
            try await withPOP3Server(behavior: behavior) { _, port in
                let session = try await SessionFixture.loggedIn(port) { $0.idleTimeout = .seconds(1) }
                let started = ContinuousClock.now
                do {
                    try await operation(session)
                    XCTFail("\(command): the drip was waited out")
                } catch POP3Error.replyTooSlow(let bytes, let seconds) {
                    XCTAssertEqual(seconds, 1, command)
                    XCTAssertLessThan(bytes, 100, command)
                    XCTAssertTrue(
                        POP3Error.replyTooSlow(bytes: bytes, seconds: seconds).description.hasPrefix(
                            "The server was too slow: it sent \(bytes) bytes of its reply in 1 seconds (less than 1 KiB/s)"),
                        command)
                }
                XCTAssertLessThan(ContinuousClock.now - started, .seconds(3), command)
                let state = await session.state
                XCTAssertEqual(state, .closed, command)
            }
        }
    }

    // MARK: Echoed credentials

    func testEchoedCredentialsAreMaskedInErrorsAndTrace() async throws {
        // The "=" is base64's padding character: only the encodings lose theirs.
        let password = "Tr0ub=4dor&3-s3cret"
        let forbidden = [
            password,
            "4dor&3-s3cret",
            Data(password.utf8).base64EncodedString(),
            String(Data(([0] + Array("alice".utf8) + [0] + Array(password.utf8))).base64EncodedString().prefix { $0 != "=" }),
        ]
        let echoed: [AuthMechanism] = [.userPass, .saslPlain, .saslLogin]
        for mechanism in AuthMechanism.allCases where !mechanism.takesBearerToken {
            try await withPOP3Server(behavior: ServerBehavior(echoCredentials: true)) { server, port in
                let tracePath = FileManager.default.temporaryDirectory
                    .appendingPathComponent("mailbag-echo-\(UUID().uuidString)").path
                defer { try? FileManager.default.removeItem(atPath: tracePath) }
                var configuration = SessionFixture.plaintext(port)
                configuration.allowedMechanisms = [mechanism]
                configuration.trace = try ProtocolTrace(path: tracePath)
                let session = try await POP3Session.connect(configuration)
                do {
                    try await session.login(user: "alice", password: password)
                    XCTFail("\(mechanism): a wrong password logged in")
                } catch let error as POP3Error {
                    guard case .authFailed = error else { return XCTFail("\(mechanism): \(error)") }
                    let shown = error.description
                    XCTAssertTrue(shown.contains("wrong password: "), "\(mechanism): \(shown)")
                    for secret in forbidden { XCTAssertFalse(shown.contains(secret), "\(mechanism): \(shown)") }
                    if echoed.contains(mechanism) { XCTAssertTrue(shown.contains("***"), "\(mechanism): \(shown)") }
                }
                await session.close()
                // The server did receive, and echo, the credential: the masking is the client's.
                if echoed.contains(mechanism) {
                    XCTAssertTrue(server.commandLog.contains { line in forbidden.contains { line.contains($0) } }, "\(mechanism)")
                }
                let trace = try String(contentsOfFile: tracePath, encoding: .utf8)
                XCTAssertTrue(trace.contains("S: -ERR wrong password: "), "\(mechanism): \(trace)")
                for secret in forbidden { XCTAssertFalse(trace.contains(secret), "\(mechanism): \(trace)") }
            }
        }
    }

    /// Masking is for showing: a password that also appears in protocol data ("3" in
    /// `+OK 3 187`) leaves the data as sent, and the SASL challenge reaches the mechanism whole.
    func testMaskingNeverCorruptsWhatIsParsed() async throws {
        let server = InMemoryPOP3Server(users: ["carol": "3"], messages: SessionFixture.sample)
        let port = try await server.start()
        for mechanism in AuthMechanism.allCases where !mechanism.takesBearerToken {
            var configuration = SessionFixture.plaintext(port)
            configuration.allowedMechanisms = [mechanism]
            let session = try await POP3Session.connect(configuration)
            try await session.login(user: "carol", password: "3")
            let stat = try await session.stat()
            XCTAssertEqual(stat.count, 3, "\(mechanism)")
            let said = try await session.quit()
            XCTAssertFalse(said.contains("3"), "\(mechanism): \(said)")
        }
        await server.stop()
    }

    // MARK: The size limit the message names

    func testTooLargeMessageNamesTheOptionThatRaisesTheLimit() async throws {
        try await withPOP3Server { _, port in
            let session = try await SessionFixture.loggedIn(port) { $0.maxMessageSize = 20 }
            await assertThrowsPOP3Error(.messageTooLarge(limit: 20)) { try await session.retrieve(1) }
            XCTAssertEqual(
                POP3Error.messageTooLarge(limit: 20).description,
                "The message is larger than the 20-byte limit, so it was not fetched; to fetch it, "
                    + "raise max_message_size in the config file or pass --max-message-size.")
        }
        // TOP's bound is not the message limit and no option raises it: the message says what it is.
        try await withPOP3Server { _, port in
            let session = try await SessionFixture.loggedIn(port) { $0.maxTopReplySize = 20 }
            await assertThrowsPOP3Error(.replyTooLarge(command: "TOP", limit: 20)) { try await session.top(1, lines: 5) }
            XCTAssertFalse(POP3Error.replyTooLarge(command: "TOP", limit: 20).description.contains("raise"))
        }
    }
}
