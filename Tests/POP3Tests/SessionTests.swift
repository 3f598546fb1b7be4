import Foundation
import POP3
import POP3Server
import XCTest

/// End-to-end: POP3Session against InMemoryPOP3Server over loopback (plaintext allowed; TLS is in TLSTests).
final class SessionTests: XCTestCase {

    /// Runs `topBatch` for `numbers` on a `SessionFixture.numbered` mailbox, checks that each
    /// reply is that message's header, and returns the numbers in the order they were delivered.
    private func fetchFixtureHeaders(_ session: POP3Session, _ numbers: [Int], file: StaticString = #filePath, line: UInt = #line) async throws -> [Int] {
        let delivered = LockedBox<[(Int, String)]>([])
        try await session.topBatch(numbers, lines: 0) { number, result in
            let text = (try? result.get()).map { String(decoding: $0, as: UTF8.self) } ?? "failed"
            delivered.withLockedValue { $0.append((number, text)) }
        }
        let results = delivered.withLockedValue { $0 }
        for (number, text) in results {
            XCTAssertEqual(text, "Subject: message \(number)\r\nX-N: \(number)\r\n\r\n", file: file, line: line)
        }
        return results.map(\.0)
    }

    // MARK: Authorization

    func testEveryMechanismLogsIn() async throws {
        let expectedLine: [AuthMechanism: String] = [
            .cramMD5: "AUTH CRAM-MD5", .saslPlain: "AUTH PLAIN ", .saslLogin: "AUTH LOGIN", .apop: "APOP alice ",
            .userPass: "USER alice",
        ]
        for mechanism in AuthMechanism.allCases where !mechanism.takesBearerToken {
            try await withPOP3Server { server, port in
                let session = try await SessionFixture.loggedIn(port) { $0.allowedMechanisms = [mechanism] }
                let state = await session.state
                XCTAssertEqual(state, .transaction)
                let stat = try await session.stat()
                XCTAssertEqual(stat.count, 3)
                _ = try await session.quit()
                XCTAssertTrue(
                    server.commandLog.contains { $0.hasPrefix(expectedLine[mechanism]!) },
                    "\(mechanism): \(server.commandLog)")
            }
        }
    }

    func testStrongestOfferedMechanismIsTheDefault() async throws {
        try await withPOP3Server { server, port in
            let session = try await SessionFixture.loggedIn(port)
            await session.close()
            XCTAssertEqual(server.commandLog.filter { $0.hasPrefix("AUTH") || $0.hasPrefix("USER") }, ["AUTH CRAM-MD5"])
        }
        try await withPOP3Server(behavior: ServerBehavior(saslMechanisms: ["LOGIN", "PLAIN"])) { server, port in
            let session = try await SessionFixture.loggedIn(port)
            await session.close()
            XCTAssertTrue(server.commandLog.contains { $0.hasPrefix("AUTH PLAIN ") }, "\(server.commandLog)")
        }
    }

    func testNothingIsWrittenBehindTheLoginUntilItIsAnswered() async throws {
        // Silent from AUTH on: a client that pipelined behind the login has sent CAPA already.
        for pipelining in [true, false] {
            try await withPOP3Server(behavior: ServerBehavior(pipelining: pipelining, silentAfter: "AUTH")) { server, port in
                var configuration = SessionFixture.plaintext(port)
                configuration.allowedMechanisms = [.saslPlain]
                configuration.idleTimeout = SessionFixture.silence
                let session = try await POP3Session.connect(configuration)
                await assertThrowsPOP3Error(.timeout(seconds: 1)) {
                    try await session.login(user: "alice", password: "wonderland", then: [.list(nil), .top(1, lines: 0)])
                }
                XCTAssertEqual(server.commandLog.last.map { String($0.prefix(10)) }, "AUTH PLAIN", "pipelining: \(pipelining)")
            }
        }
    }

    /// Courier loses what was written behind the command that completes a login; Cyrus leaves it
    /// unanswered. Every mechanism and prefetch must still list on such a server.
    func testAServerThatLosesInputWrittenWithTheLoginStillLists() async throws {
        let completing: [(AuthMechanism, String)] = [(.saslPlain, "AUTH"), (.saslLogin, "d29uZGVybGFuZA=="), (.cramMD5, "YWxpY2Ug"), (.apop, "APOP"), (.userPass, "PASS")]
        let listings: [([POP3Command], [String])] = [([.stat, .uidl(nil)], ["STAT", "UIDL"]), ([.list(nil), .top(1, lines: 0)], ["LIST", "TOP"]), ([], [])]
        for (mechanism, command) in completing {
            for (then, listing) in listings {
                try await withPOP3Server(behavior: ServerBehavior(losesInputWithLogin: true)) { server, port in
                    var configuration = SessionFixture.plaintext(port)
                    configuration.allowedMechanisms = [mechanism]
                    configuration.idleTimeout = .seconds(2)
                    let session = try await POP3Session.connect(configuration)
                    let replies = try await session.login(user: "alice", password: "wonderland", then: then)
                    for reply in replies {
                        let answer = try await reply.value()
                        XCTAssertEqual(answer.statusLine?.isOK, true, "\(mechanism)")
                    }
                    let sizes = try await session.list()
                    XCTAssertEqual(sizes.count, 3, "\(mechanism), \(then)")
                    _ = try await session.quit()
                    let sent = server.commandLog.map { String($0.prefix { $0 != " " }) }
                    let completed = try XCTUnwrap(sent.firstIndex { $0.hasPrefix(command) }, "\(sent)")
                    XCTAssertEqual(Array(sent[(completed + 1)...].prefix(1 + listing.count)), ["CAPA"] + listing, "\(mechanism)")
                }
            }
        }
    }

    func testAServerSilentAfterTheLoginIsReportedWithTheFix() async throws {
        try await withPOP3Server(behavior: ServerBehavior(silentAfter: "CAPA")) { _, port in
            var configuration = SessionFixture.plaintext(port)
            configuration.knownCapabilities = { Capabilities(top: true, uidl: true, user: true, pipelining: true, sasl: ["PLAIN"]) }
            configuration.idleTimeout = SessionFixture.silence
            let session = try await POP3Session.connect(configuration)
            await assertThrowsPOP3Error(.silentAfterLogin(commands: 3, seconds: 1)) {
                try await session.login(user: "alice", password: "wonderland", then: [.list(nil), .top(1, lines: 0)])
            }
        }
        // With pipelining turned off, the same server is asked lock-step and the CAPA after login is
        // the only command left unanswered: a plain timeout.
        try await withPOP3Server(behavior: ServerBehavior(silentAfter: "CAPA")) { server, port in
            var configuration = SessionFixture.plaintext(port)
            configuration.knownCapabilities = { Capabilities(top: true, uidl: true, user: true, pipelining: true, sasl: ["PLAIN"]) }
            configuration.idleTimeout = SessionFixture.silence
            configuration.pipelining = false
            let session = try await POP3Session.connect(configuration)
            await assertThrowsPOP3Error(.timeout(seconds: 1)) {
                try await session.login(user: "alice", password: "wonderland", then: [.list(nil), .top(1, lines: 0)])
            }
            XCTAssertEqual(server.commandLog.last, "CAPA")
        }
    }

    func testTheLoginIsTimedByItsOwnAnswerNotByWhatWasPipelinedBehindIt() async throws {
        // Capabilities known in advance, so the only CAPA is the one behind the login, and it is
        // never answered: the login's time must not wait for it.
        try await withPOP3Server(behavior: ServerBehavior(silentAfter: "CAPA")) { _, port in
            var configuration = SessionFixture.plaintext(port)
            configuration.knownCapabilities = { Capabilities(top: true, uidl: true, user: true, pipelining: true, sasl: ["PLAIN"]) }
            configuration.idleTimeout = SessionFixture.silence
            let session = try await POP3Session.connect(configuration)
            let before = ContinuousClock.now
            let login = Task { _ = try await session.login(user: "alice", password: "wonderland", then: [.list(nil), .top(1, lines: 0)]) }
            var answered = await session.loggedInAt
            while answered == nil, ContinuousClock.now - before < .seconds(1) {
                try await Task.sleep(for: .milliseconds(5))
                answered = await session.loggedInAt
            }
            let loggedInAt = try XCTUnwrap(answered, "the login's answer was not timed while CAPA was outstanding")
            XCTAssertGreaterThan(loggedInAt, before)
            await assertThrowsPOP3Error(.silentAfterLogin(commands: 3, seconds: 1)) { try await login.value }
        }
        try await withPOP3Server(behavior: ServerBehavior(pipelining: false)) { _, port in
            let session = try await POP3Session.connect(SessionFixture.plaintext(port))
            let noLoginYet = await session.loggedInAt
            XCTAssertNil(noLoginYet)
            let before = ContinuousClock.now
            try await session.login(user: "alice", password: "wonderland")
            let answered = await session.loggedInAt
            let loggedInAt = try XCTUnwrap(answered)
            XCTAssertTrue((before...ContinuousClock.now).contains(loggedInAt))
            await session.close()
        }
    }

    func testCommandsWrittenBehindTheLoginAreAnsweredInOrder() async throws {
        for (mechanism, then) in AuthMechanism.allCases.filter({ !$0.takesBearerToken }).flatMap({ m in [(m, [POP3Command.stat, .uidl(nil)]), (m, [.list(nil), .top(1, lines: 0)])] }) {
            try await withPOP3Server { server, port in
                var configuration = SessionFixture.plaintext(port)
                configuration.allowedMechanisms = [mechanism]
                let session = try await POP3Session.connect(configuration)
                let replies = try await session.login(user: "alice", password: "wonderland", then: then)
                XCTAssertEqual(replies.count, 2)
                let sizes = try await session.list()
                XCTAssertEqual(sizes.map(\.number), [1, 2, 3])
                if then[0] == .stat {
                    let total = try POP3Session.totals(try await replies[0].value())
                    XCTAssertEqual(total.count, 3)
                    XCTAssertEqual(total.size, sizes.map(\.size).reduce(0, +))
                    let uids = POP3Session.uids(try await replies[1].value())
                    let asked = try await session.uidl()
                    XCTAssertEqual(uids, asked, "\(mechanism)")
                } else {
                    let listed = try await replies[0].value()
                    XCTAssertEqual(try POP3Session.listEntries(listed), sizes, "\(mechanism)")
                }
                // Each written once, right after the CAPA that follows the login.
                let sent = server.commandLog.map { String($0.prefix { $0 != " " }) }
                let capa = try XCTUnwrap(sent.lastIndex(of: "CAPA"))
                XCTAssertEqual(Array(sent[(capa + 1)...].prefix(3)), (then[0] == .stat ? ["STAT", "UIDL"] : ["LIST", "TOP"]) + ["LIST"], "\(mechanism)")
                await session.close()
            }
        }
    }

    func testOnlyTransactionCommandsFollowALoginOrGoThroughAPipeline() async throws {
        try await withPOP3Server { server, port in
            let session = try await POP3Session.connect(SessionFixture.plaintext(port))
            await assertThrowsPOP3Error(.invalidArgument("only STAT, LIST, UIDL, TOP, RETR, DELE, RSET and NOOP can follow a login")) {
                try await session.login(user: "alice", password: "wonderland", then: [.pass("wonderland")])
            }
            XCTAssertEqual(server.commandLog.filter { $0.hasPrefix("PASS") || $0.hasPrefix("AUTH") }, [], "refused before anything was sent")
            try await session.login(user: "alice", password: "wonderland")
            await assertThrowsPOP3Error(.invalidArgument("only STAT, LIST, UIDL, TOP, RETR, DELE, RSET and NOOP can be pipelined")) {
                _ = try await session.pipeline([.stat, .quit])
            }
            await session.close()
        }
    }

    /// A refused login leaves the session ready for another, which then lists in step.
    func testARefusedPipelinedPLAINLoginLeavesTheSessionReadyForAnotherTry() async throws {
        for then in [[], [POP3Command.stat, .uidl(nil)], [.list(nil), .top(1, lines: 0)]] {
            try await withPOP3Server { server, port in
                var configuration = SessionFixture.plaintext(port)
                configuration.allowedMechanisms = [.saslPlain]
                let session = try await POP3Session.connect(configuration)
                do {
                    try await session.login(user: "alice", password: "wrong", then: then)
                    XCTFail("a wrong password logged in")
                } catch let error as POP3Error {
                    guard case .authFailed = error else { return XCTFail("\(error)") }
                }
                let replies = try await session.login(user: "alice", password: "wonderland", then: then)
                XCTAssertEqual(replies.count, then.count)
                let sizes = try await session.list()
                XCTAssertEqual(sizes.count, 3)
                let stat = try await session.stat()
                XCTAssertEqual(stat.count, 3)
                let capabilities = await session.capabilities
                XCTAssertTrue(capabilities.pipelining)
                _ = try await session.quit()
                XCTAssertEqual(server.commandLog.filter { $0 == "CAPA" }.count, 2, "one before login, one after the login that worked")
            }
        }
    }

    func testKnownCapabilitiesSaveTheCAPABeforeLogin() async throws {
        for mechanism in AuthMechanism.allCases where !mechanism.takesBearerToken {
            try await withPOP3Server { server, port in
                var configuration = SessionFixture.plaintext(port)
                configuration.allowedMechanisms = [mechanism]
                configuration = try await configuration.knowingCapabilities()
                let before = server.commandLog.count
                let session = try await POP3Session.connect(configuration)
                try await session.login(user: "alice", password: "wonderland", then: [.stat, .uidl(nil)])
                let sizes = try await session.list()
                XCTAssertEqual(sizes.count, 3)
                _ = try await session.quit()
                let sent = server.commandLog.dropFirst(before).map { String($0.prefix { $0 != " " }) }
                XCTAssertNotEqual(sent.first, "CAPA", "\(mechanism): \(sent)")
                XCTAssertEqual(sent.filter { $0 == "CAPA" }.count, 1, "only the one after login: \(mechanism): \(sent)")
            }
        }
    }

    func testKnownCapabilitiesAreLookedUpOnceTheGreetingIsIn() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("session-trace-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withPOP3Server { server, port in
            var configuration = try await SessionFixture.plaintext(port).knowingCapabilities()
            let known = await configuration.knownCapabilities()
            configuration.trace = try ProtocolTrace(path: path)
            // The reader opens its cache while connecting: the lookup must come after the greeting.
            let traceAtLookup = LockedBox<String?>(nil)
            configuration.knownCapabilities = {
                let text = try? String(contentsOfFile: path, encoding: .utf8)
                traceAtLookup.withLockedValue { $0 = text }
                return known
            }
            let session = try await POP3Session.connect(configuration)
            let remembered = await session.capabilitiesBeforeLogin
            XCTAssertEqual(remembered, known)
            let seen = traceAtLookup.withLockedValue { $0 } ?? "(never looked up)"
            XCTAssertTrue(seen.contains("S: +OK"), "looked up before the greeting: \(seen)")
            await session.close()
        }
    }

    func testStaleKnownCapabilitiesAreAskedForAfreshAndTheLoginTriedOnceMore() async throws {
        // The server dropped PLAIN since the capabilities were remembered.
        try await withPOP3Server(behavior: ServerBehavior(saslMechanisms: ["LOGIN"])) { server, port in
            var configuration = SessionFixture.plaintext(port)
            configuration.knownCapabilities = { Capabilities(top: true, uidl: true, user: true, pipelining: true, sasl: ["PLAIN"]) }
            configuration.allowedMechanisms = [.saslPlain, .saslLogin]
            let session = try await POP3Session.connect(configuration)
            let replies = try await session.login(user: "alice", password: "wonderland", then: [.stat, .uidl(nil)])
            let uids = try await replies[1].value()
            XCTAssertEqual(POP3Session.uids(uids)?.entries.count, 3)
            let fresh = await session.capabilitiesBeforeLogin
            XCTAssertEqual(fresh.sasl, ["LOGIN"])
            _ = try await session.quit()
            let sent = server.commandLog.map { String($0.prefix { $0 != " " }) }
            XCTAssertEqual(Array(sent.prefix(8)), ["AUTH", "CAPA", "AUTH", "YWxpY2U=", "d29uZGVybGFuZA==", "CAPA", "STAT", "UIDL"], "\(sent)")
            XCTAssertEqual(server.commandLog.filter { $0.hasPrefix("AUTH") }.map { String($0.prefix(10)) }, ["AUTH PLAIN", "AUTH LOGIN"])
        }
    }

    func testAWrongPasswordWithKnownCapabilitiesIsSentOnce() async throws {
        try await withPOP3Server { server, port in
            var configuration = SessionFixture.plaintext(port)
            configuration.allowedMechanisms = [.saslPlain]
            configuration = try await configuration.knowingCapabilities()
            let session = try await POP3Session.connect(configuration)
            do {
                try await session.login(user: "alice", password: "wrong")
                XCTFail("a wrong password logged in")
            } catch let error as POP3Error {
                guard case .authFailed = error else { return XCTFail("\(error)") }
            }
            XCTAssertEqual(server.commandLog.filter { $0.hasPrefix("AUTH") }.count, 1, "\(server.commandLog)")
            // Asked afresh after the refusal, and the same: nothing explains the refusal but the password.
            let capabilities = await session.capabilitiesBeforeLogin
            let known = await configuration.knownCapabilities()
            XCTAssertEqual(capabilities, known)
        }
    }

    func testLongPLAINCredentialsUseAnEmptyChallengeInsteadOfAnInitialResponse() async throws {
        let password = String(repeating: "p", count: 200)
        let server = InMemoryPOP3Server(
            users: ["alice": password], messages: [], behavior: ServerBehavior(saslMechanisms: ["PLAIN"]))
        let port = try await server.start()
        var configuration = SessionFixture.plaintext(port)
        configuration.allowedMechanisms = [.saslPlain]
        let session = try await POP3Session.connect(configuration)
        try await session.login(user: "alice", password: password)
        await session.close()
        await server.stop()
        let authLines = server.commandLog.filter { $0.hasPrefix("AUTH") }
        XCTAssertEqual(authLines, ["AUTH PLAIN"])
    }

    func testMechanismRefusedBeforeCredentialsFallsBackToTheNextOne() async throws {
        // CRAM-MD5 is advertised but refused by AUTH: the client moves on to PLAIN.
        let behavior = ServerBehavior(
            capabilities: ["USER", "TOP", "UIDL", "SASL CRAM-MD5 PLAIN"], saslMechanisms: ["PLAIN"])
        try await withPOP3Server(behavior: behavior) { server, port in
            let session = try await SessionFixture.loggedIn(port)
            let state = await session.state
            XCTAssertEqual(state, .transaction)
            await session.close()
            XCTAssertEqual(
                server.commandLog.filter { $0.hasPrefix("AUTH") }.map { String($0.prefix(13)) },
                ["AUTH CRAM-MD5", "AUTH PLAIN AG"])
        }
    }

    /// RFC 6856: a server offering UTF8 is told, alone and before the credentials, that the
    /// client reads UTF-8 headers; one that refuses it is logged in to all the same, and one that
    /// does not offer it is never asked.
    func testUTF8IsAskedForBeforeTheLoginWhenOffered() async throws {
        for (offered, answer) in [(true, "+OK UTF8 enabled\r\n"), (true, nil), (false, nil)] {
            var behavior = ServerBehavior(capabilities: ["TOP", "UIDL", "SASL PLAIN"] + (offered ? ["UTF8 USER"] : []), saslMechanisms: ["PLAIN"])
            if let answer { behavior.rawReplies = ["UTF8": answer] }
            try await withPOP3Server(behavior: behavior) { server, port in
                let session = try await SessionFixture.loggedIn(port)
                let state = await session.state
                XCTAssertEqual(state, .transaction)
                await session.close()
                XCTAssertEqual(server.commandLog.map { String($0.prefix(10)) }.prefix(3),
                               offered ? ["CAPA", "UTF8", "AUTH PLAIN"] : ["CAPA", "AUTH PLAIN", "CAPA"], "\(offered) \(String(describing: answer))")
            }
        }
    }

    func testUTF8GoesOutAheadOfTheLoginWithoutAWaitOnlyWhenTheServerPipelines() async throws {
        // Silent from UTF8 on: the login's command reaches the server only if UTF8's answer was not waited for.
        for pipelining in [true, false] {
            let capabilities = ["TOP", "UIDL", "SASL PLAIN", "UTF8 USER"] + (pipelining ? ["PIPELINING"] : [])
            try await withPOP3Server(behavior: ServerBehavior(capabilities: capabilities, saslMechanisms: ["PLAIN"], silentAfter: "UTF8")) {
                server, port in
                var configuration = SessionFixture.plaintext(port)
                configuration.idleTimeout = SessionFixture.silence
                let session = try await POP3Session.connect(configuration)
                await assertThrowsPOP3Error(.timeout(seconds: 1)) {
                    try await session.login(user: "alice", password: "wonderland")
                }
                XCTAssertEqual(server.commandLog.map { String($0.prefix(10)) }, pipelining ? ["CAPA", "UTF8", "AUTH PLAIN"] : ["CAPA", "UTF8"])
            }
        }
    }

    func testOnlyMechanismRefusedIsReportedAsARefusedCommand() async throws {
        let behavior = ServerBehavior(capabilities: ["SASL CRAM-MD5"], saslMechanisms: [])
        try await withPOP3Server(behavior: behavior) { _, port in
            var configuration = SessionFixture.plaintext(port)
            configuration.allowedMechanisms = [.cramMD5]
            let session = try await POP3Session.connect(configuration)
            await assertThrowsPOP3Error(.serverError(command: "AUTH CRAM-MD5", text: "Unsupported SASL mechanism")) {
                try await session.login(user: "alice", password: "wonderland")
            }
            await session.close()
        }
    }

    func testNoAllowedMechanismOffered() async throws {
        try await withPOP3Server(behavior: ServerBehavior(apopTimestamp: false, saslMechanisms: ["PLAIN"])) {
            server, port in
            var configuration = SessionFixture.plaintext(port)
            configuration.allowedMechanisms = [.cramMD5, .apop]
            let session = try await POP3Session.connect(configuration)
            await assertThrowsPOP3Error(.noUsableMechanism(offered: ["PLAIN", "USER"])) {
                try await session.login(user: "alice", password: "wonderland")
            }
            XCTAssertEqual(server.commandLog, ["CAPA"])
            await session.close()
        }
    }

    func testWrongPasswordIsTriedOncePerOfferedMechanismAndNamesThem() async throws {
        try await withPOP3Server { server, port in
            let session = try await POP3Session.connect(SessionFixture.plaintext(port))
            await assertThrowsPOP3Error(.authFailed("Authentication failed", tried: ["CRAM-MD5", "PLAIN", "LOGIN", "APOP", "USER"])) {
                try await session.login(user: "alice", password: "wrong")
            }
            let state = await session.state
            XCTAssertEqual(state, .authorization)
            let attempts = server.commandLog.compactMap { line -> String? in
                if line.hasPrefix("AUTH ") { return String(line.split(separator: " ")[1]) }
                return line.hasPrefix("APOP") || line.hasPrefix("USER") ? String(line.prefix(4)) : nil
            }
            XCTAssertEqual(attempts, ["CRAM-MD5", "PLAIN", "LOGIN", "APOP", "USER"])
            await session.close()
        }
    }

    /// A greeting with an APOP timestamp from a server that cannot serve APOP for this account.
    func testARefusedAPOPMovesOnToTheNextAllowedMechanism() async throws {
        try await withPOP3Server(behavior: ServerBehavior(saslMechanisms: [], refuseAPOP: true)) { server, port in
            var configuration = SessionFixture.plaintext(port)
            configuration.allowedMechanisms = [.apop, .userPass]
            let session = try await POP3Session.connect(configuration)
            try await session.login(user: "alice", password: "wonderland")
            let state = await session.state
            XCTAssertEqual(state, .transaction)
            XCTAssertEqual(server.commandLog.filter { $0.hasPrefix("APOP") || $0.hasPrefix("USER") }.map { String($0.prefix(4)) }, ["APOP", "USER"])
            await session.close()
        }
    }

    func testSecondSessionOnLockedMailboxIsInUse() async throws {
        try await withPOP3Server(behavior: ServerBehavior(lockMailbox: true)) { _, port in
            let first = try await SessionFixture.loggedIn(port)
            let second = try await POP3Session.connect(SessionFixture.plaintext(port))
            do {
                try await second.login(user: "alice", password: "wonderland")
                XCTFail("the second login succeeded")
            } catch let error as POP3Error {
                guard case .inUse(let text) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(text, "Mailbox is locked by another POP3 session")
                XCTAssertTrue(error.description.hasPrefix("The mailbox is locked by another session"))
            }
            await first.close()
            await second.close()
        }
    }

    func testResponseCodesOnLoginBecomeTypedErrors() async throws {
        let cases: [(String, [String]?, POP3Error)] = [
            ("-ERR [LOGIN-DELAY] too soon", ["USER", "LOGIN-DELAY 900"], .loginDelay(seconds: 900, text: "too soon")),
            ("-ERR [LOGIN-DELAY] too soon", nil, .loginDelay(seconds: nil, text: "too soon")),
            ("-ERR [SYS/TEMP] disk full", nil, .sysTemp("disk full")),
            ("-ERR [SYS/PERM] account disabled", nil, .sysPerm("account disabled")),
            ("-ERR [IN-USE] locked", nil, .inUse("locked")),
            ("-ERR [AUTH] nope", nil, .authFailed("nope", tried: ["CRAM-MD5", "PLAIN", "LOGIN", "USER"])),
            ("-ERR nope", nil, .authFailed("nope", tried: ["CRAM-MD5", "PLAIN", "LOGIN", "USER"])),
        ]
        for (line, capabilities, expected) in cases {
            let behavior = ServerBehavior(apopTimestamp: false, capabilities: capabilities, loginError: line)
            try await withPOP3Server(behavior: behavior) { _, port in
                let session = try await POP3Session.connect(SessionFixture.plaintext(port))
                await assertThrowsPOP3Error(expected) { try await session.login(user: "alice", password: "wonderland") }
                await session.close()
            }
        }
    }

    func testCAPAErrorStillLogsInWithUSERAndPASS() async throws {
        try await withPOP3Server(behavior: ServerBehavior(apopTimestamp: false, capaFails: true)) { server, port in
            let session = try await SessionFixture.loggedIn(port)
            let capabilities = await session.capabilities
            XCTAssertFalse(capabilities.advertised)
            XCTAssertEqual(server.commandLog.prefix(3), ["CAPA", "USER alice", "PASS wonderland"])
            // TOP and UIDL are tried although nothing advertised them.
            let uids = try await session.uidl()
            XCTAssertEqual(uids.entries.map(\.uid), ["uid-1", "uid-2", "uid-3"])
            let header = try await session.top(2, lines: 0)
            XCTAssertEqual(String(decoding: header, as: UTF8.self), "From: ben@example.org\r\nSubject: two\r\n\r\n")
            _ = try await session.quit()
        }
    }

    func testGreetingWithErrorIsTyped() async throws {
        try await withPOP3Server(behavior: ServerBehavior(greetingOverride: "-ERR [SYS/TEMP] overloaded")) { _, port in
            await assertThrowsPOP3Error(.sysTemp("overloaded")) {
                try await POP3Session.connect(SessionFixture.plaintext(port))
            }
        }
        try await withPOP3Server(behavior: ServerBehavior(greetingOverride: "-ERR go away")) { _, port in
            await assertThrowsPOP3Error(.greetingRejected("go away")) {
                try await POP3Session.connect(SessionFixture.plaintext(port))
            }
        }
    }

    func testGreetingTimestampIsParsed() async throws {
        try await withPOP3Server(behavior: ServerBehavior(greetingOverride: "+OK hi <1.2@host.example>")) { _, port in
            let session = try await POP3Session.connect(SessionFixture.plaintext(port))
            let greeting = await session.greeting
            XCTAssertEqual(greeting, Greeting(text: "hi <1.2@host.example>", apopTimestamp: "<1.2@host.example>"))
            await session.close()
        }
    }

    func testPlaintextRequiresExplicitOptIn() async throws {
        try await withPOP3Server { server, port in
            var configuration = SessionFixture.plaintext(port)
            configuration.allowPlaintext = false
            await assertThrowsPOP3Error(.plaintextNotAllowed) { try await POP3Session.connect(configuration) }
            XCTAssertEqual(server.sessionCount, 0)
        }
    }

    func testSTLSNotOfferedStopsBeforeAnyCredential() async throws {
        // This server has no certificate, so it cannot offer STLS.
        try await withPOP3Server { server, port in
            let configuration = POP3Configuration(host: "127.0.0.1", port: port, security: .startTLS)
            await assertThrowsPOP3Error(.stlsNotOffered) { try await POP3Session.connect(configuration) }
            XCTAssertEqual(server.commandLog, ["CAPA"])
        }
    }

    func testWithoutCAPAAnSTLSRefusalStopsBeforeAnyCredential() async throws {
        try await withPOP3Server(behavior: ServerBehavior(capaFails: true)) { server, port in
            let configuration = POP3Configuration(host: "127.0.0.1", port: port, security: .startTLS)
            await assertThrowsPOP3Error(.stlsRefused("STLS not supported")) {
                try await POP3Session.connect(configuration)
            }
            XCTAssertEqual(server.commandLog, ["CAPA", "STLS"])
        }
    }

    func testArgumentsWithLineBreaksAreRefusedLocally() async throws {
        try await withPOP3Server { server, port in
            let session = try await POP3Session.connect(SessionFixture.plaintext(port))
            do {
                try await session.login(user: "alice\r\nDELE 1", password: "wonderland")
                XCTFail("login succeeded")
            } catch {
                guard case .invalidArgument = error as? POP3Error else { return XCTFail("\(error)") }
            }
            XCTAssertEqual(credentialLines(server.commandLog), [])
            await session.close()
        }
    }

    // MARK: States

    func testStatesAreEnforcedWithoutARoundTrip() async throws {
        try await withPOP3Server { server, port in
            let session = try await POP3Session.connect(SessionFixture.plaintext(port))
            await assertThrowsPOP3Error(.wrongState(command: "STAT", state: .authorization)) {
                try await session.stat()
            }
            await assertThrowsPOP3Error(.wrongState(command: "RETR", state: .authorization)) {
                try await session.retrieve(1)
            }
            await assertThrowsPOP3Error(.wrongState(command: "TOP", state: .authorization)) {
                try await session.topBatch([1], lines: 0) { _, _ in }
            }
            XCTAssertEqual(server.commandLog, ["CAPA"])

            try await session.login(user: "alice", password: "wonderland")
            await assertThrowsPOP3Error(.wrongState(command: "login", state: .transaction)) {
                try await session.login(user: "alice", password: "wonderland")
            }
            let farewell = try await session.quit()
            XCTAssertTrue(farewell.hasPrefix("Mailbag POP3 server signing off"), farewell)
            let state = await session.state
            XCTAssertEqual(state, .update)
            let logged = server.commandLog.count
            await assertThrowsPOP3Error(.wrongState(command: "NOOP", state: .update)) { try await session.noop() }
            await assertThrowsPOP3Error(.wrongState(command: "QUIT", state: .update)) { try await session.quit() }
            XCTAssertEqual(server.commandLog.count, logged)
        }
    }

    func testQuitBeforeLoginAndCommandsAfterClose() async throws {
        try await withPOP3Server { _, port in
            let session = try await POP3Session.connect(SessionFixture.plaintext(port))
            _ = try await session.quit()
            let state = await session.state
            XCTAssertEqual(state, .closed)
            await assertThrowsPOP3Error(.wrongState(command: "login", state: .closed)) {
                try await session.login(user: "alice", password: "wonderland")
            }

            let other = try await SessionFixture.loggedIn(port)
            await other.close()
            await assertThrowsPOP3Error(.wrongState(command: "STAT", state: .closed)) { try await other.stat() }
        }
    }

    // MARK: Transaction

    func testTransactionCommands() async throws {
        try await withPOP3Server { server, port in
            let session = try await SessionFixture.loggedIn(port)
            let sizes = [SessionFixture.first, SessionFixture.second, SessionFixture.third].map(\.utf8.count)
            let stat = try await session.stat()
            XCTAssertEqual(stat.count, 3)
            XCTAssertEqual(stat.size, sizes.reduce(0, +))
            let list = try await session.list()
            XCTAssertEqual(list, zip(1..., sizes).map { ListEntry(number: $0, size: $1) })
            let second = try await session.list(2)
            XCTAssertEqual(second, ListEntry(number: 2, size: sizes[1]))
            let uids = try await session.uidl()
            XCTAssertEqual(
                uids,
                UIDListing(
                    entries: [
                        UIDEntry(number: 1, uid: "uid-1"), UIDEntry(number: 2, uid: "uid-2"),
                        UIDEntry(number: 3, uid: "uid-3"),
                    ], problems: []))
            let third = try await session.uidl(3)
            XCTAssertEqual(third, UIDEntry(number: 3, uid: "uid-3"))
            let message = try await session.retrieve(1, expectedSize: sizes[0])
            XCTAssertEqual(String(decoding: message, as: UTF8.self), SessionFixture.first)
            let top = try await session.top(1, lines: 1)
            XCTAssertEqual(
                String(decoding: top, as: UTF8.self), "From: Ann <ann@example.org>\r\nSubject: one\r\n\r\nHello\r\n")
            try await session.noop()

            try await session.delete(1)
            await assertThrowsPOP3Error(.serverError(command: "RETR 1", text: "Message 1 already deleted")) {
                try await session.retrieve(1)
            }
            try await session.reset()
            try await session.delete(2)
            _ = try await session.quit()
            XCTAssertEqual(server.messages.map(\.uid), ["uid-1", "uid-3"])
        }
    }

    func testMissingMessageIsAServerErrorAndTheSessionGoesOn() async throws {
        try await withPOP3Server { _, port in
            let session = try await SessionFixture.loggedIn(port)
            await assertThrowsPOP3Error(.serverError(command: "RETR 99", text: "No such message")) {
                try await session.retrieve(99)
            }
            await assertThrowsPOP3Error(.invalidArgument("message numbers start at 1, not 0")) {
                try await session.delete(0)
            }
            let stat = try await session.stat()
            XCTAssertEqual(stat.count, 3)
            await session.close()
        }
    }

    func testDroppingTheConnectionDeletesNothing() async throws {
        try await withPOP3Server { server, port in
            let session = try await SessionFixture.loggedIn(port)
            try await session.delete(1)
            try await session.delete(2)
            await session.close()
            let state = await session.state
            XCTAssertEqual(state, .closed)
            XCTAssertFalse(server.commandLog.contains("QUIT"))
            XCTAssertEqual(server.messages.count, 3)
        }
    }

    func testRetrieveStreamsWithProgress() async throws {
        let big =
            "Subject: big\r\n\r\n"
            + String(repeating: "0123456789abcdefghijklmnopqrstuvwxyz\r\n..dot\r\n", count: 40_000)
        try await withPOP3Server(messages: [ServerMessage(uid: "big", text: big)]) { _, port in
            let session = try await SessionFixture.loggedIn(port)
            let reports = LockedBox<[Int]>([])
            let message = try await session.retrieve(1, expectedSize: big.utf8.count) { bytes in
                reports.withLockedValue { $0.append(bytes) }
            }
            XCTAssertEqual(message.count, big.utf8.count)
            XCTAssertEqual(message, Array(big.utf8))
            let values = reports.withLockedValue { $0 }
            XCTAssertGreaterThan(values.count, 1)
            XCTAssertEqual(values, values.sorted())
            XCTAssertEqual(values.last, big.utf8.count)
            await session.close()
        }
    }

    func testOversizedMessageIsRefusedBeforeRETRWhenItsSizeIsKnown() async throws {
        try await withPOP3Server { server, port in
            let session = try await SessionFixture.loggedIn(port) { $0.maxMessageSize = 10 }
            await assertThrowsPOP3Error(.messageTooLarge(limit: 10)) {
                try await session.retrieve(1, expectedSize: 100)
            }
            XCTAssertFalse(server.commandLog.contains { $0.hasPrefix("RETR") })
            let state = await session.state
            XCTAssertEqual(state, .transaction)
            await session.close()
        }
    }

    func testOversizedMessageDuringRETREndsTheSession() async throws {
        try await withPOP3Server { _, port in
            let session = try await SessionFixture.loggedIn(port) { $0.maxMessageSize = 20 }
            await assertThrowsPOP3Error(.messageTooLarge(limit: 20)) { try await session.retrieve(1) }
            let state = await session.state
            XCTAssertEqual(state, .closed)
        }
    }

    // MARK: Hostile servers

    func testOverlongStatusLineIsFatal() async throws {
        try await withPOP3Server(behavior: ServerBehavior(longLineOnCommand: "STAT")) { _, port in
            let session = try await SessionFixture.loggedIn(port)
            await assertThrowsPOP3Error(.lineTooLong(limit: 8192)) { try await session.stat() }
            let state = await session.state
            XCTAssertEqual(state, .closed)
            await assertThrowsPOP3Error(.wrongState(command: "NOOP", state: .closed)) { try await session.noop() }
        }
    }

    func testEOFInTheMiddleOfRETR() async throws {
        let behavior = ServerBehavior(dropDuringRETR: .init(message: 1, afterBytes: 30))
        try await withPOP3Server(behavior: behavior) { server, port in
            let session = try await SessionFixture.loggedIn(port)
            try await session.delete(2)
            await assertThrowsPOP3Error(.connectionClosed) { try await session.retrieve(1) }
            let state = await session.state
            XCTAssertEqual(state, .closed)
            XCTAssertEqual(server.messages.count, 3)
        }
    }

    func testInvalidAndDuplicateUIDLsAreReportedNotUsed() async throws {
        let raw =
            "+OK\r\n1 uid-1\r\n2 dup\r\n3 dup\r\n4 \u{1B}[2J\r\n5 " + String(repeating: "x", count: 71) + "\r\n.\r\n"
        try await withPOP3Server(behavior: ServerBehavior(rawReplies: ["UIDL": raw])) { _, port in
            let session = try await SessionFixture.loggedIn(port)
            let listing = try await session.uidl()
            XCTAssertEqual(listing.entries, [UIDEntry(number: 1, uid: "uid-1")])
            XCTAssertEqual(listing.problems.map(\.number), [4, 5, 2, 3])
            XCTAssertEqual(listing.problems.map(\.reason), [.invalidUID, .invalidUID, .duplicateUID, .duplicateUID])
            await session.close()
        }
    }

    func testSilenceTimeout() async throws {
        try await withPOP3Server(behavior: ServerBehavior(silentAfter: "NOOP")) { _, port in
            let session = try await SessionFixture.loggedIn(port) { $0.idleTimeout = SessionFixture.silence }
            let started = ContinuousClock.now
            await assertThrowsPOP3Error(.timeout(seconds: 1)) { try await session.noop() }
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
            let state = await session.state
            XCTAssertEqual(state, .closed)
        }
    }

    func testConnectionRefused() async throws {
        let server = InMemoryPOP3Server(users: [:], messages: [])
        let port = try await server.start()
        await server.stop()
        do {
            _ = try await POP3Session.connect(SessionFixture.plaintext(port))
            XCTFail("connected to a closed port")
        } catch {
            guard case .connectFailed(let host, let failedPort, let reason) = error as? POP3Error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(host, "127.0.0.1")
            XCTAssertEqual(failedPort, port)
            XCTAssertEqual(reason, "connection refused")
        }
    }

    // MARK: Pipelining

    func testTopBatchDeliversInRequestOrder() async throws {
        try await withPOP3Server(messages: SessionFixture.numbered(40)) { server, port in
            let session = try await SessionFixture.loggedIn(port) { $0.pipelineWindow = 8 }
            let capabilities = await session.capabilities
            XCTAssertTrue(capabilities.pipelining)
            let numbers = Array((1...40).reversed()) + [7, 3]
            let delivered = try await self.fetchFixtureHeaders(session, numbers)
            XCTAssertEqual(delivered, numbers)
            XCTAssertEqual(server.commandLog.filter { $0.hasPrefix("TOP") }, numbers.map { "TOP \($0) 0" })
            await session.close()
        }
    }

    func testTopBatchKeepsAtMostTheWindowInFlight() async throws {
        // The server stops answering at TOP 5: with a window of 3 the client has sent TOP 1–4 (answered)
        // and TOP 5–7 (in flight), never more.
        try await withPOP3Server(behavior: ServerBehavior(silentAfter: "TOP 5"), messages: SessionFixture.numbered(10))
        { server, port in
            let session = try await SessionFixture.loggedIn(port) {
                $0.pipelineWindow = 3
                $0.idleTimeout = SessionFixture.silence
            }
            let delivered = LockedBox<[Int]>([])
            await assertThrowsPOP3Error(.timeout(seconds: 1)) {
                try await session.topBatch(Array(1...10), lines: 0) { number, result in
                    XCTAssertNotNil(try? result.get())
                    delivered.withLockedValue { $0.append(number) }
                }
            }
            XCTAssertEqual(delivered.withLockedValue { $0 }, [1, 2, 3, 4])
            XCTAssertEqual(server.commandLog.filter { $0.hasPrefix("TOP") }, (1...7).map { "TOP \($0) 0" })
        }
    }

    func testTopBatchPausesDrainsWhatIsInFlightAndReturnsTheAnsweredPrefix() async throws {
        try await withPOP3Server(messages: SessionFixture.numbered(40)) { server, port in
            let session = try await SessionFixture.loggedIn(port) { $0.pipelineWindow = 4 }
            let delivered = LockedBox<[Int]>([])
            let answered = try await session.topBatch(
                Array(1...40), lines: 0, shouldPause: { delivered.withLockedValue { $0.count >= 5 } }
            ) { number, result in
                XCTAssertNotNil(try? result.get())
                delivered.withLockedValue { $0.append(number) }
            }
            let tops = server.commandLog.filter { $0.hasPrefix("TOP") }
            // Everything sent was answered and handed over; nothing was sent once the pause began.
            XCTAssertEqual(delivered.withLockedValue { $0 }, Array(1...answered))
            XCTAssertEqual(tops, (1...answered).map { "TOP \($0) 0" })
            XCTAssertTrue((5...8).contains(answered), "answered \(answered)")
            let stat = try await session.stat()
            XCTAssertEqual(stat.count, 40)
            await session.close()
        }
    }

    func testAPipelineIsOneWriteOnlyWhenTheServerPipelines() async throws {
        // Silent after LIST: only a pipelining client has already sent UIDL.
        try await withPOP3Server(behavior: ServerBehavior(silentAfter: "LIST"), messages: SessionFixture.numbered(3))
        { server, port in
            let session = try await SessionFixture.loggedIn(port) { $0.idleTimeout = SessionFixture.silence }
            let replies = try await session.pipeline([.list(nil), .uidl(nil)])
            await assertThrowsPOP3Error(.timeout(seconds: 1)) { _ = try await replies[0].value() }
            XCTAssertEqual(server.commandLog.suffix(2), ["LIST", "UIDL"])
        }
        try await withPOP3Server(behavior: ServerBehavior(pipelining: false, silentAfter: "LIST"), messages: SessionFixture.numbered(3))
        { server, port in
            let session = try await SessionFixture.loggedIn(port) { $0.idleTimeout = SessionFixture.silence }
            await assertThrowsPOP3Error(.timeout(seconds: 1)) { _ = try await session.pipeline([.list(nil), .uidl(nil)]) }
            XCTAssertEqual(server.commandLog.last, "LIST")
        }
    }

    func testARefusedUIDLIsNoUIDs() async throws {
        try await withPOP3Server(behavior: ServerBehavior(rawReplies: ["UIDL": "-ERR not here\r\n"]), messages: SessionFixture.numbered(3))
        { _, port in
            let session = try await SessionFixture.loggedIn(port)
            let replies = try await session.pipeline([.list(nil), .uidl(nil)])
            let (list, uidl) = (try await replies[0].value(), try await replies[1].value())
            XCTAssertEqual(try POP3Session.listEntries(list).count, 3)
            XCTAssertNil(POP3Session.uids(uidl))
            let stat = try await session.stat()
            XCTAssertEqual(stat.count, 3, "in step after the refusal")
            await session.close()
        }
    }

    func testTopBatchIsLockStepWithoutPIPELINING() async throws {
        let behavior = ServerBehavior(pipelining: false, silentAfter: "TOP 5")
        try await withPOP3Server(behavior: behavior, messages: SessionFixture.numbered(10)) { server, port in
            let session = try await SessionFixture.loggedIn(port) {
                $0.pipelineWindow = 3
                $0.idleTimeout = SessionFixture.silence
            }
            let capabilities = await session.capabilities
            XCTAssertFalse(capabilities.pipelining)
            await assertThrowsPOP3Error(.timeout(seconds: 1)) {
                try await session.topBatch(Array(1...10), lines: 0) { _, _ in }
            }
            XCTAssertEqual(server.commandLog.filter { $0.hasPrefix("TOP") }, (1...5).map { "TOP \($0) 0" })
        }
    }

    /// Headers written ahead (`pipeline`) are taken by the batch that asks for them, in its
    /// order, and never asked for twice; those it does not reach wait for a later batch.
    func testABatchTakesTheHeadersWrittenAheadForIt() async throws {
        try await withPOP3Server(messages: SessionFixture.numbered(6)) { server, port in
            let session = try await SessionFixture.loggedIn(port)
            let ahead = try await session.pipeline([.top(6, lines: 0), .top(1, lines: 0), .top(5, lines: 0)])
            let inFlight = [6: ahead[0], 1: ahead[1], 5: ahead[2]]
            let delivered = LockedBox<[Int]>([])
            try await session.topBatch([6, 5, 4], lines: 0, inFlight: inFlight) { number, result in
                XCTAssertEqual(try? result.get(), Array("Subject: message \(number)\r\nX-N: \(number)\r\n\r\n".utf8))
                delivered.withLockedValue { $0.append(number) }
            }
            XCTAssertEqual(delivered.withLockedValue { $0 }, [6, 5, 4])
            let later = try await self.fetchFixtureHeadersTaking([1: inFlight[1]!], session, [3, 2, 1])
            XCTAssertEqual(later, [3, 2, 1])
            XCTAssertEqual(server.commandLog.filter { $0.hasPrefix("TOP") }, ["TOP 6 0", "TOP 1 0", "TOP 5 0", "TOP 4 0", "TOP 3 0", "TOP 2 0"], "each asked once")
            let stat = try await session.stat()
            XCTAssertEqual(stat.count, 6, "in step after both batches")
            await session.close()
        }
    }

    private func fetchFixtureHeadersTaking(_ inFlight: [Int: PendingReply], _ session: POP3Session, _ numbers: [Int]) async throws -> [Int] {
        let delivered = LockedBox<[Int]>([])
        try await session.topBatch(numbers, lines: 0, inFlight: inFlight) { number, result in
            XCTAssertEqual(try? result.get(), Array("Subject: message \(number)\r\nX-N: \(number)\r\n\r\n".utf8))
            delivered.withLockedValue { $0.append(number) }
        }
        return delivered.withLockedValue { $0 }
    }

    func testTopBatchReportsAPerMessageErrorAndContinues() async throws {
        try await withPOP3Server(messages: SessionFixture.numbered(5)) { _, port in
            let session = try await SessionFixture.loggedIn(port)
            let results = LockedBox<[(Int, Result<[UInt8], POP3Error>)]>([])
            try await session.topBatch([1, 99, 2], lines: 0) { number, result in
                results.withLockedValue { $0.append((number, result)) }
            }
            let delivered = results.withLockedValue { $0 }
            XCTAssertEqual(delivered.map(\.0), [1, 99, 2])
            XCTAssertNotNil(try? delivered[0].1.get())
            XCTAssertEqual(delivered[1].1.failure, .serverError(command: "TOP 99 0", text: "No such message"))
            XCTAssertNotNil(try? delivered[2].1.get())
            let stat = try await session.stat()
            XCTAssertEqual(stat.count, 5)
            await session.close()
        }
    }

    func testConcurrentCallersAreServedOneAtATime() async throws {
        try await withPOP3Server(behavior: ServerBehavior(pipelining: false), messages: SessionFixture.numbered(5)) {
            _, port in
            let session = try await SessionFixture.loggedIn(port)
            async let stat = session.stat()
            async let list = session.list()
            async let uids = session.uidl()
            async let top = session.top(4, lines: 0)
            let (statResult, listResult, uidResult, topResult) = try await (stat, list, uids, top)
            XCTAssertEqual(statResult.count, 5)
            XCTAssertEqual(listResult.count, 5)
            XCTAssertEqual(uidResult.entries.count, 5)
            XCTAssertEqual(String(decoding: topResult, as: UTF8.self), "Subject: message 4\r\nX-N: 4\r\n\r\n")
            await session.close()
        }
    }

    // MARK: Trace

    func testTraceRedactsCredentials() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("session-trace-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let trace = try ProtocolTrace(path: path)
        for mechanism in [AuthMechanism.saslPlain, .saslLogin, .cramMD5, .apop, .userPass] {
            try await withPOP3Server { _, port in
                let session = try await SessionFixture.loggedIn(port) {
                    $0.trace = trace
                    $0.allowedMechanisms = [mechanism]
                }
                _ = try await session.retrieve(1)
                _ = try await session.quit()
            }
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let plain = Data([0] + Array("alice".utf8) + [0] + Array("wonderland".utf8)).base64EncodedString()
        for secret in ["wonderland", Data("wonderland".utf8).base64EncodedString(), plain] {
            XCTAssertFalse(text.contains(secret), "the trace contains \(secret)")
        }
        for expected in [
            "C: AUTH PLAIN ***", "C: AUTH LOGIN", "C: AUTH CRAM-MD5", "C: ***", "C: USER alice", "C: PASS ***",
            "S: <\(SessionFixture.first.utf8.count) bytes>", "C: RETR 1", "S: +OK Logged in",
        ] {
            XCTAssertTrue(text.contains(expected), "the trace lacks \(expected)")
        }
        XCTAssertNotNil(text.range(of: #"C: APOP alice \*\*\*"#, options: .regularExpression))
        XCTAssertFalse(text.contains("leading dot"), "message bodies are not traced")
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
