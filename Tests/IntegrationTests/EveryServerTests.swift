import Foundation
import Inbox
import POP3
import POP3Server
import XCTest

/// The same scenarios against every real server the rig runs (Dovecot, Courier, Cyrus, popa3d),
/// over every transport each offers. Courier and Cyrus lose or ignore what a client writes behind
/// its login, so these are the tests that keep Mailbag lock-step until the login is answered.
final class EveryServerTests: XCTestCase {
    func testEveryMechanismEachServerOffersLogsInOverEveryTransport() async throws {
        for server in try RealServer.all() {
            for security in server.transports {
                let mechanisms = try await server.offeredMechanisms(security)
                XCTAssertFalse(mechanisms.isEmpty, "\(server) \(security)")
                for mechanism in mechanisms {
                    let session = try await server.login(server.user, security, mechanisms: [mechanism])
                    let (count, _) = try await session.stat()
                    XCTAssertEqual(count, 12, "\(server) \(security) \(mechanism)")
                    _ = try await session.quit()
                }
            }
        }
    }

    func testListAndShowWorkOnEveryServerAndTransport() throws {
        for server in try RealServer.all() {
            for security in server.transports {
                let list = try MailbagProcess.run(["list"] + server.arguments(server.user, security) + ["--timeout", "15"])
                XCTAssertEqual(list.status, 0, "\(server) \(security): \(list.stderr)")
                XCTAssertEqual(list.stdout.split(separator: "\n").count, 12, "\(server) \(security): \(list.stdout)")
                let show = try MailbagProcess.run(["show"] + server.arguments(server.user, security) + ["1", "--timeout", "15"])
                XCTAssertEqual(show.status, 0, "\(server) \(security): \(show.stderr)")
                XCTAssertTrue(show.stdout.contains("Subject:"), "\(server) \(security): \(show.stdout)")
                // Raw UTF-8 headers (RFC 6532) arrive as sent: Courier, which offers UTF8 (RFC
                // 6856), sends a "Cannot display Unicode content" notice instead unless asked.
                let raw = try MailbagProcess.run(["show"] + server.arguments(server.user, security) + ["12", "--timeout", "15", "--no-cache"])
                XCTAssertEqual(raw.status, 0, "\(server) \(security): \(raw.stderr)")
                // Courier's notice carries the original as an attachment: the first Subject counts.
                let subject = raw.stdout.split(separator: "\n").first { $0.hasPrefix("Subject: ") }
                XCTAssertEqual(subject, "Subject: Raw UTF-8 Ünïcödé subject", "\(server) \(security): \(raw.stdout)")
            }
        }
    }

    /// The commit after a cut, on every server: mark the last message, the connection drops,
    /// another client deletes message 1, then the commit deletes exactly the marked message.
    func testACutConnectionNeverLosesOrMisappliesAMark() async throws {
        for server in try RealServer.all() {
            try server.resetScratch((1...5).map { DovecotRig.message($0, subject: "\(server) cut \($0)") })
            // Dovecot locks the mailbox: the other client gets in while the reader waits to reconnect.
            var h = try await ReaderModel.start(server, firstBackoff: .seconds(3))
            try h.pump { $0.contains { if case .headersComplete = $0 { true } else { false } } }
            XCTAssertTrue(h.model.select(number: 5), "\(server)")
            h.model.markSelectedAndAdvance()
            let plan = h.model.commitPlan()
            h.proxy.cutAll()
            let other = try await server.login(server.scratchUser, server.preferredTransport)
            try await other.delete(1)
            _ = try await other.quit()
            h.backend.commit(plan)
            try h.pump(timeout: 60) { $0.contains { if case .committed = $0 { true } else { false } } }
            let report = try XCTUnwrap(h.log.compactMap { if case .committed(let r) = $0 { r } else { nil } }.first)
            XCTAssertEqual(report.outcome, .confirmed, "\(server)")
            XCTAssertEqual(report.skipped, [], "\(server)")
            let left = try await server.scratchSubjects()
            XCTAssertEqual(left, (2...4).map { "\(server) cut \($0)" }, "\(server)")
            await h.proxy.stop()
        }
    }

    /// A cut at each step of a session, through a proxy that drops the connection when the
    /// client sends a given command (in clear, so the proxy can see it): the marks are honoured
    /// on the next session and the report is what the server did.
    func testACutAtEachStepKeepsMarksAndTheReportTrue() async throws {
        for server in try RealServer.all() {
            let subjects = (1...5).map { "\(server) step \($0)" }

            // During the listing, before the UIDs came (the renumbering case is
            // testACutConnectionNeverLosesOrMisappliesAMark: Dovecot locks the mailbox, so
            // another client can only get in while the reader is away).
            var h = try await scenario(server, subjects, cutOn: "UIDL")
            try h.pump { Self.reconnected($0) && $0.contains(where: Self.isHeadersComplete) }
            try await mark([5], in: &h, server: server)
            try await commit(&h, server, expect: .confirmed, left: [1, 2, 3, 4].map { subjects[$0 - 1] })

            // A preview (TOP n k) on the way, then a cut during a RETR: the download is tried
            // again on the new session.
            h = try await scenario(server, subjects)
            h.backend.fetchPreview(number: 3, uid: h.model.row(number: 3)?.listing.uid, lines: 5)
            try h.pump { $0.contains { if case .preview(3, let rendered) = $0 { rendered.plainText.contains("Body of message 3") } else { false } } }
            h.proxy.cut(whenClientSends: "RETR")
            let uid = try XCTUnwrap(h.model.row(number: 2)?.listing.uid, "\(server)")
            h.backend.fetchMessage(number: 2, uid: uid)
            try h.pump { $0.contains { if case .message = $0 { true } else { false } } }
            XCTAssertTrue(Self.reconnected(h.log), "\(server)")
            try await mark([2], in: &h, server: server)
            try await commit(&h, server, expect: .confirmed, left: [1, 3, 4, 5].map { subjects[$0 - 1] })

            // At the commit's UIDL, and between two DELEs: nothing was applied, so it runs again.
            h = try await scenario(server, subjects)
            try await mark([3], in: &h, server: server)
            h.proxy.cut(whenClientSends: "UIDL")
            try await commit(&h, server, expect: .confirmed, left: [1, 2, 4, 5].map { subjects[$0 - 1] })
            h = try await scenario(server, subjects)
            try await mark([2, 4], in: &h, server: server)
            h.proxy.cut(whenClientSends: "DELE", occurrence: 2)
            try await commit(&h, server, expect: .confirmed, left: [1, 3, 5].map { subjects[$0 - 1] })

            // After QUIT reached the server: the outcome is unknown, and the report says what a new
            // session found, which must be what really happened.
            h = try await scenario(server, subjects)
            try await mark([2], in: &h, server: server)
            h.proxy.cut(whenClientSends: "QUIT", afterForwarding: true)
            h.backend.commit(h.model.commitPlan())
            let report = try await committed(&h)
            guard case .unknown(_, let gone?) = report.outcome else { return XCTFail("\(server): \(report.outcome)") }
            let left = try await server.scratchSubjects()
            XCTAssertEqual(gone.map(\.number), left.contains(subjects[1]) ? [] : [2], "\(server): \(left)")
            XCTAssertEqual(Set(subjects).subtracting(left).subtracting([subjects[1]]), [], "\(server): only the marked one may go")
            await h.proxy.stop()
        }
    }

    private static func isHeadersComplete(_ event: InboxEvent) -> Bool {
        if case .headersComplete = event { true } else { false }
    }

    private static func reconnected(_ events: [InboxEvent]) -> Bool {
        events.contains { if case .notice(let text) = $0 { text == "Reconnected." } else { false } }
    }

    /// The scratch mailbox refilled with `subjects`, and a reader on it in clear through a proxy,
    /// armed to cut on `cutOn` from the start, or with its index loaded when nothing is armed.
    private func scenario(_ server: RealServer, _ subjects: [String], cutOn: String? = nil) async throws -> ReaderModel {
        try server.resetScratch(subjects.enumerated().map { DovecotRig.message($0.offset + 1, subject: $0.element) })
        var h = try await ReaderModel.start(server, security: .plaintext) { proxy in
            if let cutOn { proxy.cut(whenClientSends: cutOn) }
        }
        if cutOn == nil { try h.pump { $0.contains(where: Self.isHeadersComplete) } }
        return h
    }

    private func mark(_ numbers: [Int], in h: inout ReaderModel, server: RealServer) async throws {
        for number in numbers {
            XCTAssertTrue(h.model.select(number: number), "\(server)")
            h.model.markSelectedAndAdvance()
        }
    }

    private func committed(_ h: inout ReaderModel) async throws -> CommitReport {
        try h.pump(timeout: 90) { $0.contains { if case .committed = $0 { true } else { false } } }
        return try XCTUnwrap(h.log.compactMap { if case .committed(let r) = $0 { r } else { nil } }.first)
    }

    private func commit(_ h: inout ReaderModel, _ server: RealServer, expect: CommitReport.Outcome, left: [String]) async throws {
        h.backend.commit(h.model.commitPlan())
        let report = try await committed(&h)
        XCTAssertEqual(report.outcome, expect, "\(server)")
        XCTAssertEqual(report.skipped, [], "\(server)")
        let remaining = try await server.scratchSubjects()
        XCTAssertEqual(remaining, left, "\(server)")
        await h.proxy.stop()
    }
}

/// The reader's model and backend on a real server, reached through a proxy the test can cut.
struct ReaderModel {
    let proxy: TCPProxy
    let backend: POP3Backend
    let sink = EventSink()
    let model = InboxModel(account: "test")
    var log: [InboxEvent] = []

    /// `arm` runs on the proxy before the backend connects through it.
    static func start(
        _ server: RealServer, security: ConnectionSecurity? = nil, firstBackoff: Duration = .milliseconds(200),
        arm: (TCPProxy) -> Void = { _ in }
    ) async throws -> ReaderModel {
        let security = security ?? server.preferredTransport
        let proxy = TCPProxy(targetPort: security == .implicitTLS ? server.tlsPort ?? 0 : server.plainPort)
        var config = server.configuration(security)
        config.port = try await proxy.start()
        arm(proxy)
        let proxied = config
        let (user, password) = (server.scratchUser, server.password)
        let open: POP3Backend.Opener = { _ in
            try await OpenedMailbox.logIn(try await POP3Session.connect(proxied), user: user, credential: .password(password), cacheHoldsSummaries: false)
        }
        let options = POP3Backend.Options(reconnectBackoff: [firstBackoff, .seconds(1), .seconds(2)])
        let backend = POP3Backend(account: "\(user)@\(server)", options: options, open: open)
        let harness = ReaderModel(proxy: proxy, backend: backend)
        backend.start(harness.sink)
        return harness
    }

    /// Applies events to the model until `condition` holds on the events seen so far.
    mutating func pump(timeout: TimeInterval = 30, until condition: ([InboxEvent]) -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let events = sink.drain()
            model.apply(events)
            log += events
            if condition(log) { return }
            usleep(10_000)
        }
        throw PumpTimeout(events: log.map { String(describing: $0).prefix(100) }.joined(separator: "\n"))
    }

    struct PumpTimeout: Error { var events: String }
}
