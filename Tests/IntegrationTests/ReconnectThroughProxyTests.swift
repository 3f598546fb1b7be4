import Foundation
import Inbox
import POP3
import POP3Server
import XCTest

/// The reader's backend and model against Dovecot through a proxy that can cut the connection:
/// marks survive the cut, and the commit deletes exactly the marked messages still there.
final class ReconnectThroughProxyTests: XCTestCase {
    func testMarksSurviveACutAndAMessageDeletedMeanwhileIsReportedNotMisdeleted() async throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", (1...6).map { DovecotRig.message($0, subject: "Proxy \($0)") })
        let proxy = TCPProxy(targetHost: rig.host, targetPort: rig.tlsPort)
        let proxyPort = try await proxy.start()
        var config = rig.configuration(.implicitTLS)
        config.port = proxyPort
        let options = POP3Backend.Options(
            keepalive: .milliseconds(300), reconnectBackoff: [1, 1, 2, 2, 4, 4].map { .seconds($0) })
        let backend = POP3Backend(account: "dave@dovecot", options: options) { [config, password = rig.password] in
            OpenedMailbox(session: try await {
                let session = try await POP3Session.connect(config)
                try await session.login(user: "dave", password: password)
                return session
            }())
        }
        let sink = EventSink()
        let model = InboxModel(account: "dave")
        var log: [InboxEvent] = []
        func pump(_ what: String, timeout: TimeInterval = 30, until condition: ([InboxEvent]) -> Bool) throws {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let events = sink.drain()
                model.apply(events)
                log += events
                if condition(log) { return }
                usleep(20_000)
            }
            XCTFail("timed out waiting for \(what): \(log.map { String(describing: $0).prefix(100) })")
            throw DovecotRig.RigError.missing(what)
        }
        backend.start(sink)
        try pump("headers") { $0.contains { if case .headersComplete = $0 { true } else { false } } }
        let uids = (1...6).map { model.row(number: $0)?.listing.uid }
        for number in [2, 4] {
            XCTAssertTrue(model.select(number: number))
            model.markSelectedAndAdvance()
        }

        proxy.cutAll()
        let other = try await rig.login("dave")
        try await other.delete(1)
        try await other.delete(2)
        _ = try await other.quit()

        try pump("the reconnection") { $0.contains { if case .notice("Reconnected.") = $0 { true } else { false } } }
        try pump("the new listing") { events in events.filter { if case .listing = $0 { true } else { false } }.count == 2 }
        XCTAssertEqual(model.commitPlan().entries.map(\.uid), [uids[3]], "the mark on message 4 followed its UID")
        XCTAssertTrue(log.contains { if case .notice(let text) = $0 { text.contains("2 messages are gone") } else { false } })

        backend.commit(model.commitPlan())
        try pump("the commit") { $0.contains { if case .closed = $0 { true } else { false } } }
        let report = try XCTUnwrap(log.compactMap { if case .committed(let r) = $0 { r } else { nil } }.first)
        XCTAssertEqual(report.confirmedDeletions.map(\.uid), [uids[3]])
        await proxy.stop()

        let check = try await rig.login("dave")
        let left = try await check.uidl().entries.map(\.uid)
        _ = try await check.quit()
        XCTAssertEqual(left, [uids[2], uids[4], uids[5]].compactMap { $0 })
    }
}
