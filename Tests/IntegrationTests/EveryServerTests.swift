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
            }
        }
    }

    /// The commit after a cut, on every server: mark the last message, the connection drops,
    /// another client deletes message 1, then the commit deletes exactly the marked message.
    func testACutConnectionNeverLosesOrMisappliesAMark() async throws {
        for server in try RealServer.all() {
            try server.resetScratch((1...5).map { DovecotRig.message($0, subject: "\(server) cut \($0)") })
            var h = try await ReaderModel.start(server)
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
}

/// The reader's model and backend on a real server, reached through a proxy the test can cut.
struct ReaderModel {
    let proxy: TCPProxy
    let backend: POP3Backend
    let sink = EventSink()
    let model = InboxModel(account: "test")
    var log: [InboxEvent] = []

    static func start(_ server: RealServer) async throws -> ReaderModel {
        let security = server.preferredTransport
        let proxy = TCPProxy(targetPort: security == .implicitTLS ? server.tlsPort ?? 0 : server.plainPort)
        var config = server.configuration(security)
        config.port = try await proxy.start()
        let proxied = config
        let (user, password) = (server.scratchUser, server.password)
        let open: @Sendable () async throws -> POP3Session = {
            let session = try await POP3Session.connect(proxied)
            try await session.login(user: user, password: password, prefetchingListing: .sizes)
            return session
        }
        let options = POP3Backend.Options(reconnectBackoff: [.milliseconds(200), .seconds(1), .seconds(2)])
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
