import Foundation
import POP3Server
import XCTest

/// One test per `ServerBehavior` knob: each changes exactly the thing it documents.
final class ServerBehaviorTests: XCTestCase {
    let messages = [
        ServerMessage(uid: "a", text: "Subject: a\r\n\r\nfirst body line\r\nsecond\r\n"),
        ServerMessage(uid: "b", text: "Subject: b\r\n\r\n" + String(repeating: "0123456789abcdef\r\n", count: 200)),
    ]

    func withServer(_ behavior: ServerBehavior, _ body: (InMemoryPOP3Server, Int) async throws -> Void) async throws {
        let server = InMemoryPOP3Server(users: ["alice": "wonderland"], messages: messages, behavior: behavior)
        let port = try await server.start()
        do {
            try await body(server, port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func connect(_ port: Int) async throws -> (client: ServerTestClient, greeting: String) {
        let client = try await ServerTestClient.connect(port: port)
        return (client, try await client.readLine())
    }

    func login(_ client: ServerTestClient) async throws {
        _ = try await client.command("USER alice")
        try await assertPrefix(await client.command("PASS wonderland"), "+OK")
    }

    func testGreetingOverrideWithoutTimestampDisablesAPOP() async throws {
        try await withServer(ServerBehavior(greetingOverride: "+OK popa3d ready")) { _, port in
            let (client, greeting) = try await connect(port)
            XCTAssertEqual(greeting, "+OK popa3d ready")
            try await assertPrefix(await client.command("APOP alice 0123456789abcdef0123456789abcdef"), "-ERR")
            await client.close()
        }
    }

    func testCustomCapabilitiesAreSentVerbatim() async throws {
        let lines = ["TOP", "UIDL", "LOGIN-DELAY 900", "EXPIRE NEVER", "X-WEIRD  two  spaces"]
        try await withServer(ServerBehavior(capabilities: lines)) { _, port in
            let (client, _) = try await connect(port)
            try await assertEqual(await client.multiline("CAPA").lines, lines)
            await client.close()
        }
    }

    func testCapaFailsLikePopa3d() async throws {
        try await withServer(ServerBehavior(capaFails: true)) { _, port in
            let (client, _) = try await connect(port)
            try await assertEqual(await client.command("CAPA"), "-ERR Unknown command")
            try await login(client)
            try await assertEqual(await client.command("CAPA"), "-ERR Unknown command")
            try await assertPrefix(await client.command("STAT"), "+OK 2 ")
            await client.close()
        }
    }

    func testPipeliningAndSASLCanBeHidden() async throws {
        try await withServer(ServerBehavior(pipelining: false, saslMechanisms: [])) { _, port in
            let (client, _) = try await connect(port)
            let capa = try await client.multiline("CAPA").lines
            XCTAssertFalse(capa.contains("PIPELINING"), "\(capa)")
            XCTAssertFalse(capa.contains { $0.hasPrefix("SASL") }, "\(capa)")
            try await assertPrefix(await client.command("AUTH PLAIN"), "-ERR")
            await client.close()
        }
    }

    func testLoginErrorAnswersEveryLoginMechanism() async throws {
        let line = "-ERR [LOGIN-DELAY] Wait 15 minutes between logins"
        try await withServer(ServerBehavior(loginError: line)) { _, port in
            let (client, _) = try await connect(port)
            _ = try await client.command("USER alice")
            try await assertEqual(await client.command("PASS wonderland"), line)
            try await assertEqual(await client.command("APOP alice 00000000000000000000000000000000"), line)
            let plain = Data("\0alice\0wonderland".utf8).base64EncodedString()
            try await assertEqual(await client.command("AUTH PLAIN \(plain)"), line)
            _ = try await client.command("AUTH LOGIN")
            _ = try await client.command(Data("alice".utf8).base64EncodedString())
            try await assertEqual(await client.command(Data("wonderland".utf8).base64EncodedString()), line)
            try await assertPrefix(await client.command("STAT"), "-ERR", "still in AUTHORIZATION")
            await client.close()
        }
    }

    func testLongLineOnCommand() async throws {
        try await withServer(ServerBehavior(longLineOnCommand: "LIST")) { _, port in
            let (client, _) = try await connect(port)
            try await login(client)
            let long = try await client.command("LIST 1")
            XCTAssertTrue(long.hasPrefix("+OK xxx"))
            XCTAssertEqual(long.utf8.count, 4 + 64 * 1024)
            try await assertPrefix(await client.command("UIDL 1"), "+OK 1 a", "other commands are unaffected")
            await client.close()
        }
    }

    func testDropDuringRETRClosesAfterTheGivenBytes() async throws {
        let behavior = ServerBehavior(dropDuringRETR: .init(message: 2, afterBytes: 100))
        try await withServer(behavior) { server, port in
            let (client, _) = try await connect(port)
            try await login(client)
            try await assertEqual(await client.multiline("RETR 1").lines, ["Subject: a", "", "first body line", "second"])
            _ = try await client.command("DELE 1")
            try await assertPrefix(await client.command("RETR 2"), "+OK")
            let rest = try await client.readUntilClosed()
            XCTAssertEqual(rest, Array(("Subject: b\r\n\r\n" + String(repeating: "0123456789abcdef\r\n", count: 6)).utf8.prefix(100)))
            XCTAssertEqual(server.messages.count, 2, "a dropped session deletes nothing")
        }
    }

    func testSilentAfterCommand() async throws {
        try await withServer(ServerBehavior(silentAfter: "RETR 2")) { server, port in
            let (client, _) = try await connect(port)
            try await login(client)
            try await assertPrefix(await client.command("RETR 1"), "+OK")
            _ = try await client.readBody()
            try await client.send("RETR 2\r\nNOOP\r\n")
            do {
                let line = try await client.readLine(timeout: .milliseconds(400))
                XCTFail("server answered \(line)")
            } catch is ServerTestClient.Timeout {}
            XCTAssertFalse(client.isClosed, "silence is not a close")
            XCTAssertEqual(server.commandLog.suffix(2), ["RETR 2", "NOOP"])
            await client.close()
        }
    }

    func testPerReplyDelayIsLatencyNotThroughput() async throws {
        try await withServer(ServerBehavior(perReplyDelay: .milliseconds(150))) { _, port in
            let clock = ContinuousClock()
            let connected = clock.now
            let (client, _) = try await connect(port)
            XCTAssertGreaterThanOrEqual(clock.now - connected, .milliseconds(150), "the greeting is delayed too")
            try await login(client)

            let single = clock.now
            try await assertEqual(await client.command("NOOP"), "+OK")
            XCTAssertGreaterThanOrEqual(clock.now - single, .milliseconds(150))

            let batch = clock.now
            try await client.send(String(repeating: "NOOP\r\n", count: 10) + "STAT\r\n")
            for _ in 0..<10 { try await assertEqual(await client.readLine(), "+OK") }
            try await assertPrefix(await client.readLine(), "+OK 2 ")
            let elapsed = clock.now - batch
            XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(150))
            XCTAssertLessThan(elapsed, .milliseconds(1_000), "pipelined replies share one delay, not eleven")
            await client.close()
        }
    }

    func testRawRepliesMostSpecificPatternWins() async throws {
        let behavior = ServerBehavior(rawReplies: [
            "UIDL": "+OK\r\n1 bad uid\r\n1 dup\r\n.\r\n",
            "RETR": "-ERR general\r\n",
            "RETR 2": "+OK\nbare LF reply\n.\n",
        ])
        try await withServer(behavior) { server, port in
            let (client, _) = try await connect(port)
            try await login(client)
            try await assertEqual(await client.multiline("uidl").lines, ["1 bad uid", "1 dup"])
            try await assertEqual(await client.command("RETR 1"), "-ERR general")
            try await client.send("RETR 2\r\n")
            let raw = Array("+OK\nbare LF reply\n.\n".utf8)
            try await assertEqual(await client.readBytes(raw.count), raw)
            try await assertEqual(await client.command("RETR 22"), "-ERR general", "RETR 2 does not match RETR 22")
            _ = try await client.command("DELE 1")
            _ = try await client.command("QUIT")
            XCTAssertEqual(server.messages.map(\.uid), ["b"])
        }
    }
}
