import Foundation
import Inbox
import POP3
import XCTest

/// The reader's backend and model against Dovecot through a proxy that can cut the connection:
/// marks survive the cut, and the commit deletes exactly the marked messages still there.
final class ReconnectThroughProxyTests: XCTestCase {
    func testMarksSurviveACutAndAMessageDeletedMeanwhileIsReportedNotMisdeleted() async throws {
        let server = try RealServer.named("Dovecot")
        try server.resetScratch((1...6).map { DovecotRig.message($0, subject: "Proxy \($0)") })
        // Dovecot locks the mailbox: the other client gets in while the reader waits to reconnect.
        var h = try await ReaderModel.start(server, firstBackoff: .seconds(3))
        try h.pump { $0.contains { if case .headersComplete = $0 { true } else { false } } }
        let uids = (1...6).map { h.model.row(number: $0)?.listing.uid }
        for number in [2, 4] {
            XCTAssertTrue(h.model.select(number: number))
            h.model.markSelectedAndAdvance()
        }

        h.proxy.cutAll()
        let other = try await server.login(server.scratchUser, server.preferredTransport)
        try await other.delete(1)
        try await other.delete(2)
        _ = try await other.quit()

        try h.pump { $0.contains { if case .notice("Reconnected.") = $0 { true } else { false } } }
        try h.pump { events in events.filter { if case .listing = $0 { true } else { false } }.count == 2 }
        XCTAssertEqual(h.model.commitPlan().entries.map(\.uid), [uids[3]], "the mark on message 4 followed its UID")
        XCTAssertTrue(h.log.contains { if case .notice(let text) = $0 { text.contains("2 messages are gone") } else { false } })

        h.backend.commit(h.model.commitPlan())
        try h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        let report = try XCTUnwrap(h.log.compactMap { if case .committed(let r) = $0 { r } else { nil } }.first)
        XCTAssertEqual(report.confirmedDeletions.map(\.uid), [uids[3]])
        await h.proxy.stop()
        let left = try await server.scratchSubjects()
        XCTAssertEqual(left, ["Proxy 3", "Proxy 5", "Proxy 6"])
    }
}
