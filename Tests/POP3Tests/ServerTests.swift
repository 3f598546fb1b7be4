import Foundation
@testable import POP3Server
import XCTest

/// Drives `InMemoryPOP3Server` over real loopback sockets with raw command lines.
final class ServerTests: XCTestCase {
    static let users = ["alice": "wonderland", "bob": "s3cret pass"]

    static let first = "From: Ann <ann@example.org>\r\nSubject: one\r\n\r\nHello\r\n.leading dot\r\n..two dots\r\n"
    static let second = "From: ben@example.org\nSubject: two\n\nbare LF body\nline 2\nline 3\n"
    static let third = "Subject: three\r\n\r\nno final newline"

    static var sample: [ServerMessage] {
        [
            ServerMessage(uid: "uid-1", text: first),
            ServerMessage(uid: "uid-2", text: second),
            ServerMessage(uid: "uid-3", text: third),
        ]
    }

    /// RFC 1939 sizes count the CRLF form: bare LFs become CRLF, a missing final CRLF is added.
    static let sizes = [first.utf8.count, second.utf8.count + 6, third.utf8.count + 2]

    func withServer(
        behavior: ServerBehavior = ServerBehavior(),
        messages: [ServerMessage] = ServerTests.sample,
        _ body: (InMemoryPOP3Server, Int) async throws -> Void
    ) async throws {
        let server = InMemoryPOP3Server(users: Self.users, messages: messages, behavior: behavior)
        let port = try await server.start()
        do {
            try await body(server, port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func loggedIn(_ port: Int, user: String = "alice") async throws -> ServerTestClient {
        let client = try await ServerTestClient.connect(port: port)
        _ = try await client.readLine()
        try await assertEqual(await client.command("USER \(user)").prefix(3), "+OK")
        let reply = try await client.command("PASS \(Self.users[user]!)")
        XCTAssertTrue(reply.hasPrefix("+OK"), reply)
        return client
    }

    func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    // MARK: - AUTHORIZATION

    func testGreetingCarriesAPOPTimestampAndCAPAListsExtensions() async throws {
        try await withServer { _, port in
            let client = try await ServerTestClient.connect(port: port)
            let greeting = try await client.readLine()
            XCTAssertTrue(greeting.hasPrefix("+OK "), greeting)
            XCTAssertNotNil(greeting.range(of: #"<[^<>@ ]+@[^<> ]+>$"#, options: .regularExpression), greeting)
            let (status, lines) = try await client.multiline("CAPA")
            XCTAssertTrue(status.hasPrefix("+OK"))
            for expected in ["TOP", "UIDL", "USER", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING",
                             "SASL PLAIN LOGIN CRAM-MD5"] {
                XCTAssertTrue(lines.contains(expected), "CAPA lacks \(expected): \(lines)")
            }
            XCTAssertFalse(lines.contains("STLS"), "STLS offered without a certificate")
            try await assertEqual(await client.command("QUIT"), "+OK Mailbag POP3 server signing off")
            _ = try await client.readUntilClosed()
        }
    }

    func testUserPassThenEveryTransactionCommand() async throws {
        try await withServer { _, port in
            let client = try await ServerTestClient.connect(port: port)
            _ = try await client.readLine()
            try await assertPrefix(await client.command("user alice"), "+OK")
            let total = Self.sizes.reduce(0, +)
            try await assertEqual(await client.command("PASS wonderland"), "+OK Logged in, 3 messages (\(total) octets)")
            try await assertEqual(await client.command("STAT"), "+OK 3 \(total)")

            let list = try await client.multiline("LIST")
            XCTAssertEqual(list.status, "+OK 3 messages (\(total) octets)")
            XCTAssertEqual(list.lines, (1...3).map { "\($0) \(Self.sizes[$0 - 1])" })
            try await assertEqual(await client.command("LIST 2"), "+OK 2 \(Self.sizes[1])")

            try await assertEqual(await client.multiline("UIDL").lines, ["1 uid-1", "2 uid-2", "3 uid-3"])
            try await assertEqual(await client.command("UIDL 3"), "+OK 3 uid-3")

            let retr = try await client.multiline("RETR 1")
            XCTAssertEqual(retr.status, "+OK \(Self.sizes[0]) octets")
            XCTAssertEqual(retr.lines, [
                "From: Ann <ann@example.org>", "Subject: one", "", "Hello", "..leading dot", "...two dots",
            ])
            try await assertEqual(await client.multiline("RETR 2").lines, [
                "From: ben@example.org", "Subject: two", "", "bare LF body", "line 2", "line 3",
            ])
            try await assertEqual(await client.multiline("RETR 3").lines, ["Subject: three", "", "no final newline"])

            try await assertEqual(await client.multiline("TOP 2 0").lines, ["From: ben@example.org", "Subject: two", ""])
            try await assertEqual(await client.multiline("TOP 2 2").lines, [
                "From: ben@example.org", "Subject: two", "", "bare LF body", "line 2",
            ])
            try await assertEqual(await client.multiline("TOP 1 99").lines.count, 6)
            try await assertEqual(await client.command("NOOP"), "+OK")
            try await assertPrefix(await client.command("QUIT"), "+OK")
            _ = try await client.readUntilClosed()
        }
    }

    func testPasswordMayContainSpaces() async throws {
        try await withServer { _, port in
            let client = try await loggedIn(port, user: "bob")
            try await assertPrefix(await client.command("STAT"), "+OK 3 ")
            await client.close()
        }
    }

    func testWrongPasswordGivesAuthCodeAndStaysInAuthorization() async throws {
        try await withServer { _, port in
            let client = try await ServerTestClient.connect(port: port)
            _ = try await client.readLine()
            try await assertPrefix(await client.command("PASS wonderland"), "-ERR", "PASS before USER")
            _ = try await client.command("USER alice")
            try await assertPrefix(await client.command("PASS nope"), "-ERR [AUTH]")
            try await assertPrefix(await client.command("PASS wonderland"), "-ERR", "USER must be sent again")
            _ = try await client.command("USER alice")
            _ = try await client.command("NOOP")
            try await assertEqual(await client.command("PASS wonderland"), "-ERR Send USER first",
                                  "PASS must follow USER immediately")
            _ = try await client.command("USER nobody")
            try await assertPrefix(await client.command("PASS wonderland"), "-ERR [AUTH]")
            _ = try await client.command("USER alice")
            try await assertPrefix(await client.command("PASS wonderland"), "+OK")
            await client.close()
        }
    }

    func testTransactionCommandsAreRefusedBeforeLoginAndLoginCommandsAfter() async throws {
        try await withServer { _, port in
            let client = try await ServerTestClient.connect(port: port)
            _ = try await client.readLine()
            for command in ["STAT", "LIST", "UIDL", "TOP 1 0", "RETR 1", "DELE 1", "RSET", "NOOP", "FROB"] {
                try await assertPrefix(await client.command(command), "-ERR", command)
            }
            _ = try await client.command("USER alice")
            _ = try await client.command("PASS wonderland")
            for command in ["USER alice", "PASS wonderland", "APOP alice 0123", "AUTH PLAIN", "STLS", "FROB"] {
                try await assertPrefix(await client.command(command), "-ERR", command)
            }
            await client.close()
        }
    }

    func testAPOPWithRFC1939TestVector() async throws {
        let behavior = ServerBehavior(greetingOverride: "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>")
        let server = InMemoryPOP3Server(users: ["mrose": "tanstaaf"], messages: [], behavior: behavior)
        let port = try await server.start()
        let client = try await ServerTestClient.connect(port: port)
        try await assertEqual(await client.readLine(), "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>")
        try await assertPrefix(await client.command("APOP mrose c4c9334bac560ecc979e58001b3e22fa"), "-ERR [AUTH]")
        try await assertPrefix(await client.command("APOP mrose c4c9334bac560ecc979e58001b3e22fb"), "+OK")
        await client.close()
        await server.stop()
    }

    func testAPOPWithGeneratedTimestamp() async throws {
        try await withServer { _, port in
            let client = try await ServerTestClient.connect(port: port)
            let greeting = try await client.readLine()
            let timestamp = String(greeting[greeting.firstIndex(of: "<")!...])
            let digest = ServerSession.md5Hex(timestamp + "wonderland")
            try await assertPrefix(await client.command("APOP alice \(digest.uppercased())"), "+OK")
            try await assertPrefix(await client.command("STAT"), "+OK 3")
            await client.close()
        }
    }

    func testAPOPIsRefusedWithoutTimestamp() async throws {
        try await withServer(behavior: ServerBehavior(apopTimestamp: false)) { _, port in
            let client = try await ServerTestClient.connect(port: port)
            try await assertEqual(await client.readLine(), "+OK Mailbag POP3 server ready")
            try await assertPrefix(await client.command("APOP alice \(ServerSession.md5Hex("wonderland"))"), "-ERR")
            await client.close()
        }
    }

    func testAuthPlainWithAndWithoutInitialResponse() async throws {
        try await withServer { _, port in
            let client = try await ServerTestClient.connect(port: port)
            _ = try await client.readLine()
            try await assertPrefix(await client.command("AUTH PLAIN \(base64("\0alice\0wrong"))"), "-ERR [AUTH]")
            try await assertPrefix(await client.command("AUTH PLAIN \(base64("bob\0alice\0wonderland"))"), "-ERR [AUTH]",
                                   "authzid of another user must not log in")
            try await assertEqual(await client.command("AUTH PLAIN"), "+ ")
            try await assertPrefix(await client.command(base64("alice\0alice\0wonderland")), "+OK")
            await client.close()

            let second = try await ServerTestClient.connect(port: port)
            _ = try await second.readLine()
            try await assertPrefix(await second.command("AUTH plain \(base64("\0bob\0s3cret pass"))"), "+OK")
            await second.close()
        }
    }

    func testAuthLoginPromptsForUserAndPassword() async throws {
        try await withServer { _, port in
            let client = try await ServerTestClient.connect(port: port)
            _ = try await client.readLine()
            try await assertEqual(await client.command("AUTH LOGIN"), "+ VXNlcm5hbWU6")
            try await assertEqual(await client.command(base64("alice")), "+ UGFzc3dvcmQ6")
            try await assertPrefix(await client.command(base64("wonderland")), "+OK")
            await client.close()

            let second = try await ServerTestClient.connect(port: port)
            _ = try await second.readLine()
            try await assertEqual(await second.command("AUTH LOGIN \(base64("alice"))"), "+ UGFzc3dvcmQ6")
            try await assertPrefix(await second.command(base64("nope")), "-ERR [AUTH]")
            await second.close()
        }
    }

    func testCramMD5HelperMatchesRFC2195Vector() {
        XCTAssertEqual(
            ServerSession.hmacMD5Hex(key: "tanstaaftanstaaf", message: "<1896.697170952@postoffice.reston.mci.net>"),
            "b913a602c7eda7a495b4e6e7334d3890"
        )
    }

    func testAuthCramMD5() async throws {
        try await withServer { _, port in
            let client = try await ServerTestClient.connect(port: port)
            _ = try await client.readLine()
            try await assertPrefix(await client.command("AUTH CRAM-MD5 \(base64("x"))"), "-ERR")
            let prompt = try await client.command("AUTH CRAM-MD5")
            XCTAssertTrue(prompt.hasPrefix("+ "), prompt)
            let challenge = String(decoding: Data(base64Encoded: String(prompt.dropFirst(2)))!, as: UTF8.self)
            XCTAssertTrue(challenge.hasPrefix("<") && challenge.hasSuffix(">"), challenge)
            let digest = ServerSession.hmacMD5Hex(key: "wonderland", message: challenge)
            try await assertPrefix(await client.command(base64("alice \(digest)")), "+OK")
            await client.close()
        }
    }

    func testSASLCancelBadBase64AndUnknownMechanisms() async throws {
        try await withServer(behavior: ServerBehavior(saslMechanisms: ["PLAIN"])) { _, port in
            let client = try await ServerTestClient.connect(port: port)
            _ = try await client.readLine()
            try await assertEqual(await client.command("AUTH PLAIN"), "+ ")
            try await assertEqual(await client.command("*"), "-ERR Authentication cancelled")
            try await assertEqual(await client.command("AUTH PLAIN"), "+ ")
            try await assertEqual(await client.command("not base64!"), "-ERR Invalid base64 in SASL response")
            try await assertPrefix(await client.command("AUTH LOGIN"), "-ERR", "LOGIN is not offered")
            try await assertPrefix(await client.command("AUTH GSSAPI"), "-ERR")
            try await assertPrefix(await client.command("AUTH"), "-ERR")
            try await assertPrefix(await client.command("AUTH PLAIN ="), "-ERR [AUTH]", "empty initial response")
            let capa = try await client.multiline("CAPA").lines
            XCTAssertTrue(capa.contains("SASL PLAIN"), "\(capa)")
            await client.close()
        }
    }

    // MARK: - TRANSACTION and UPDATE

    func testDeleHidesMessageUntilRset() async throws {
        try await withServer { _, port in
            let client = try await loggedIn(port)
            try await assertEqual(await client.command("DELE 2"), "+OK Message 2 deleted")
            try await assertEqual(await client.command("STAT"), "+OK 2 \(Self.sizes[0] + Self.sizes[2])")
            try await assertEqual(await client.multiline("LIST").lines, ["1 \(Self.sizes[0])", "3 \(Self.sizes[2])"])
            try await assertEqual(await client.multiline("UIDL").lines, ["1 uid-1", "3 uid-3"])
            for command in ["LIST 2", "UIDL 2", "RETR 2", "TOP 2 0", "DELE 2"] {
                try await assertEqual(await client.command(command), "-ERR Message 2 already deleted", command)
            }
            try await assertPrefix(await client.command("RSET"), "+OK Maildrop has 3 messages")
            try await assertEqual(await client.multiline("UIDL").lines, ["1 uid-1", "2 uid-2", "3 uid-3"])
            await client.close()
        }
    }

    func testBadMessageArguments() async throws {
        try await withServer { _, port in
            let client = try await loggedIn(port)
            for command in ["RETR 0", "RETR 4", "RETR -1", "RETR +1", "RETR x", "LIST 99", "DELE 1e3",
                            "RETR", "RETR 1 2", "TOP 1", "TOP 1 x", "TOP 1 -1", "LIST 1 2"] {
                try await assertPrefix(await client.command(command), "-ERR", command)
            }
            try await assertEqual(await client.command("STAT"), "+OK 3 \(Self.sizes.reduce(0, +))", "nothing was deleted")
            await client.close()
        }
    }

    func testOnlyQuitInTransactionDeletes() async throws {
        try await withServer { server, port in
            let dropped = try await loggedIn(port)
            try await assertPrefix(await dropped.command("DELE 1"), "+OK")
            await dropped.close()

            let quitBeforeLogin = try await ServerTestClient.connect(port: port)
            _ = try await quitBeforeLogin.readLine()
            try await assertPrefix(await quitBeforeLogin.command("QUIT"), "+OK")
            _ = try await quitBeforeLogin.readUntilClosed()
            XCTAssertEqual(server.messages.map(\.uid), ["uid-1", "uid-2", "uid-3"])

            let quitting = try await loggedIn(port)
            try await assertPrefix(await quitting.command("DELE 1"), "+OK")
            try await assertPrefix(await quitting.command("DELE 3"), "+OK")
            try await assertEqual(await quitting.command("QUIT"), "+OK Mailbag POP3 server signing off (1 messages left)")
            try await assertEqual(await quitting.readUntilClosed(), [])
            XCTAssertEqual(server.messages.map(\.uid), ["uid-2"])

            let after = try await loggedIn(port)
            try await assertEqual(await after.multiline("UIDL").lines, ["1 uid-2"])
            await after.close()
        }
    }

    func testDuplicateUIDsDeleteExactlyTheMarkedMessage() async throws {
        let messages = [ServerMessage(uid: "same", text: "Subject: a\r\n\r\na\r\n"),
                        ServerMessage(uid: "same", text: "Subject: b\r\n\r\nb\r\n")]
        try await withServer(messages: messages) { server, port in
            let client = try await loggedIn(port)
            try await assertEqual(await client.multiline("UIDL").lines, ["1 same", "2 same"])
            _ = try await client.command("DELE 2")
            _ = try await client.command("QUIT")
            XCTAssertEqual(server.messages, [messages[0]])
        }
    }

    func testInvalidUIDsAreSentVerbatim() async throws {
        let messages = [ServerMessage(uid: "", text: "a\r\n"), ServerMessage(uid: "has space/..", text: "b\r\n")]
        try await withServer(messages: messages) { _, port in
            let client = try await loggedIn(port)
            try await assertEqual(await client.multiline("UIDL").lines, ["1 ", "2 has space/.."])
            await client.close()
        }
    }

    func testPipelinedCommandsAreAnsweredInOrder() async throws {
        try await withServer { server, port in
            let client = try await ServerTestClient.connect(port: port)
            _ = try await client.readLine()
            try await client.send("USER alice\r\nPASS wonderland\r\nSTAT\r\nTOP 1 0\r\nUIDL 2\nNOOP\r\nLIST 3\r\nQUIT\r\n")
            try await assertPrefix(await client.readLine(), "+OK")
            try await assertPrefix(await client.readLine(), "+OK Logged in")
            try await assertEqual(await client.readLine(), "+OK 3 \(Self.sizes.reduce(0, +))")
            try await assertEqual(await client.readLine(), "+OK")
            try await assertEqual(await client.readBody(), ["From: Ann <ann@example.org>", "Subject: one", ""])
            try await assertEqual(await client.readLine(), "+OK 2 uid-2")
            try await assertEqual(await client.readLine(), "+OK")
            try await assertEqual(await client.readLine(), "+OK 3 \(Self.sizes[2])")
            try await assertPrefix(await client.readLine(), "+OK Mailbag POP3 server signing off")
            _ = try await client.readUntilClosed()
            XCTAssertEqual(server.commandLog, [
                "USER alice", "PASS wonderland", "STAT", "TOP 1 0", "UIDL 2", "NOOP", "LIST 3", "QUIT",
            ])
        }
    }

    func testConcurrentSessionsWithoutLockingBothLogIn() async throws {
        try await withServer { server, port in
            let one = try await loggedIn(port)
            let two = try await loggedIn(port, user: "bob")
            try await assertPrefix(await one.command("DELE 1"), "+OK")
            try await assertEqual(await two.command("LIST 1"), "+OK 1 \(Self.sizes[0])", "each session has its own marks")
            _ = try await one.command("QUIT")
            try await assertEqual(await two.command("UIDL 1"), "+OK 1 uid-1", "numbering is fixed for the session")
            _ = try await two.command("QUIT")
            XCTAssertEqual(server.messages.map(\.uid), ["uid-2", "uid-3"])
            XCTAssertEqual(server.sessionCount, 2)
        }
    }

    func testMailboxLockGivesInUseUntilTheHolderLeaves() async throws {
        try await withServer(behavior: ServerBehavior(lockMailbox: true)) { _, port in
            let holder = try await loggedIn(port)
            let other = try await ServerTestClient.connect(port: port)
            _ = try await other.readLine()
            _ = try await other.command("USER bob")
            try await assertEqual(await other.command("PASS s3cret pass"),
                           "-ERR [IN-USE] Mailbox is locked by another POP3 session")
            try await assertPrefix(await other.command("STAT"), "-ERR", "still in AUTHORIZATION")
            _ = try await holder.command("QUIT")
            _ = try await holder.readUntilClosed()
            _ = try await other.command("USER bob")
            try await assertPrefix(await other.command("PASS s3cret pass"), "+OK")
            await other.close()

            // A dropped connection releases the lock too, as soon as the server notices the close.
            let next = try await loggedIn(port)
            await next.close()
            let last = try await ServerTestClient.connect(port: port)
            _ = try await last.readLine()
            var reply = ""
            for _ in 0..<50 where !reply.hasPrefix("+OK") {
                _ = try await last.command("USER alice")
                reply = try await last.command("PASS wonderland")
                if !reply.hasPrefix("+OK") { try await Task.sleep(for: .milliseconds(20)) }
            }
            XCTAssertTrue(reply.hasPrefix("+OK"), reply)
            await last.close()
        }
    }

    func testDeliverWhileRunningShowsUpInLaterSessions() async throws {
        try await withServer { server, port in
            let early = try await loggedIn(port)
            server.deliver(ServerMessage(uid: "uid-4", text: "Subject: four\r\n\r\nnew\r\n"))
            try await assertPrefix(await early.command("STAT"), "+OK 3 ")
            try await assertPrefix(await early.command("RETR 4"), "-ERR")
            let late = try await loggedIn(port)
            try await assertEqual(await late.command("UIDL 4"), "+OK 4 uid-4")
            _ = try await early.command("DELE 1")
            _ = try await early.command("QUIT")
            XCTAssertEqual(server.messages.map(\.uid), ["uid-2", "uid-3", "uid-4"])
            await late.close()
        }
    }

    func testCommandLogRecordsEveryLineAcrossSessions() async throws {
        try await withServer { server, port in
            let one = try await ServerTestClient.connect(port: port)
            _ = try await one.readLine()
            _ = try await one.multiline("CAPA")
            let two = try await ServerTestClient.connect(port: port)
            _ = try await two.readLine()
            _ = try await two.command("AUTH PLAIN")
            _ = try await two.command(base64("\0alice\0wonderland"))
            _ = try await one.command("NOOP")
            XCTAssertEqual(server.commandLog, ["CAPA", "AUTH PLAIN", base64("\0alice\0wonderland"), "NOOP"])
            XCTAssertFalse(server.commandLog.contains { $0.hasPrefix("PASS") })
            XCTAssertEqual(server.sessionCount, 2)
            await one.close()
            await two.close()
        }
    }

    func testOverlongClientLineIsRefusedAndClosed() async throws {
        try await withServer { _, port in
            let client = try await ServerTestClient.connect(port: port)
            _ = try await client.readLine()
            try await client.send(String(repeating: "A", count: 9000))
            try await assertEqual(await client.readLine(), "-ERR Line too long")
            _ = try await client.readUntilClosed()
        }
    }

    func testStopClosesOpenConnectionsWithoutDeleting() async throws {
        let server = InMemoryPOP3Server(users: Self.users, messages: Self.sample)
        let port = try await server.start()
        let client = try await loggedIn(port)
        _ = try await client.command("DELE 1")
        await server.stop()
        _ = try await client.readUntilClosed()
        XCTAssertEqual(server.messages.count, 3)
        do {
            _ = try await ServerTestClient.connect(port: port)
            XCTFail("the listener is still open")
        } catch {}
    }

    func testStartErrors() async throws {
        let server = InMemoryPOP3Server(users: [:], messages: [])
        do {
            try await server.start(implicitTLS: true)
            XCTFail("implicit TLS without a certificate")
        } catch let error as ServerError {
            XCTAssertEqual(error, .tlsNotConfigured)
        }
        let port = try await server.start()
        do {
            try await InMemoryPOP3Server(users: [:], messages: []).start(port: port)
            XCTFail("bound a port that is in use")
        } catch let error as ServerError {
            guard case .bindFailed(_, port, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.description.hasPrefix("Could not listen on 127.0.0.1:\(port)"))
        }
        await server.stop()
    }
}
