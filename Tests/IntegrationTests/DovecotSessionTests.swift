import Foundation
import POP3
import Synchronization
import XCTest

/// The POP3 session layer against a real Dovecot.
final class DovecotSessionTests: XCTestCase {
    func testImplicitTLSLoginAndStat() async throws {
        let rig = try DovecotRig.current()
        let session = try await rig.login("alice", .implicitTLS)
        let stat = try await session.stat()
        XCTAssertGreaterThan(stat.count, 0)
        let greeting = await session.greeting
        XCTAssertFalse(greeting.text.isEmpty)
        _ = try await session.quit()
    }

    func testSTLSUpgradesAndReissuesCapa() async throws {
        let rig = try DovecotRig.current()
        let session = try await POP3Session.connect(rig.configuration(.startTLS))
        let caps = await session.capabilities
        // After TLS Dovecot no longer offers STLS: proof that CAPA was asked again over TLS.
        XCTAssertFalse(caps.stls)
        XCTAssertTrue(caps.uidl)
        try await session.login(user: "alice", password: rig.password)
        let stat = try await session.stat()
        XCTAssertGreaterThan(stat.count, 0)
        _ = try await session.quit()
    }

    func testKnownCapabilitiesGoStraightToSTLSAndLogIn() async throws {
        let rig = try DovecotRig.current()
        let first = try await POP3Session.connect(rig.configuration(.startTLS))
        var configuration = rig.configuration(.startTLS)
        let known = await first.capabilitiesBeforeLogin
        configuration.knownCapabilities = { known }
        await first.close()
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-trace-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: trace) }
        configuration.trace = try ProtocolTrace(path: trace.path)
        let session = try await POP3Session.connect(configuration)
        let encrypted = await session.isEncrypted
        XCTAssertTrue(encrypted)
        let replies = try await session.login(user: "alice", password: rig.password, then: [.stat, .uidl(nil)])
        let uids = POP3Session.uids(try await replies[1].value())
        let sizes = try await session.list()
        XCTAssertEqual(sizes.count, uids?.entries.count)
        _ = try await session.quit()
        let sent = try String(contentsOf: trace, encoding: .utf8).split(separator: "\n").compactMap { line in
            line.firstRange(of: "C: ").map { String(line[$0.upperBound...].prefix { $0 != " " }) }
        }
        XCTAssertEqual(Array(sent.prefix(2)), ["STLS", "AUTH"], "\(sent)")
        XCTAssertEqual(sent.filter { $0 == "CAPA" }.count, 1, "only the one after login: \(sent)")
    }

    func testUnknownCertificateAuthorityIsRefusedWithAReason() async throws {
        let rig = try DovecotRig.current()
        var config = rig.configuration(.implicitTLS)
        config.caFile = nil
        do {
            _ = try await POP3Session.connect(config)
            XCTFail("a self-signed test CA must not be trusted without --ca-file")
        } catch let error as POP3Error {
            guard case .tlsVerification = error else { return XCTFail("expected a verification error, got \(error)") }
            XCTAssertTrue(error.description.lowercased().contains("certificate"), error.description)
        }
    }

    func testWrongPasswordIsAnAuthenticationError() async throws {
        let rig = try DovecotRig.current()
        let session = try await POP3Session.connect(rig.configuration(.implicitTLS))
        do {
            try await session.login(user: "alice", password: "not-the-password")
            XCTFail("login with a wrong password succeeded")
        } catch let error as POP3Error {
            guard case .authFailed = error else { return XCTFail("expected authFailed, got \(error)") }
        }
        await session.close()
    }

    func testSecondSessionIsToldTheMailboxIsInUse() async throws {
        let rig = try DovecotRig.current()
        let first = try await rig.login("erin")
        do {
            _ = try await rig.login("erin")
            XCTFail("a second concurrent login succeeded although pop3_lock_session is on")
        } catch let error as POP3Error {
            guard case .inUse = error else { return XCTFail("expected inUse, got \(error)") }
            XCTAssertTrue(error.description.contains("another session"), error.description)
        }
        _ = try await first.quit()
    }

    func testDeleteResetAndQuitSemantics() async throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", (1...3).map { DovecotRig.message($0, subject: "Semantics \($0)") })

        var session = try await rig.login("dave")
        try await session.delete(1)
        try await session.reset()
        _ = try await session.quit()
        session = try await rig.login("dave")
        let afterReset = try await session.stat().count
        XCTAssertEqual(afterReset, 3, "RSET must undo DELE")

        try await session.delete(2)
        _ = try await session.quit()
        session = try await rig.login("dave")
        let subjects = try await subjectsOf(session)
        XCTAssertEqual(subjects, ["Semantics 1", "Semantics 3"])
        _ = try await session.quit()
    }

    func testDroppedConnectionDeletesNothing() async throws {
        let rig = try DovecotRig.current()
        try rig.resetMailbox("dave", (1...3).map { DovecotRig.message($0, subject: "Dropped \($0)") })
        var session = try await rig.login("dave")
        try await session.delete(1)
        try await session.delete(3)
        await session.close()
        session = try await rig.login("dave")
        let count = try await session.stat().count
        XCTAssertEqual(count, 3)
        _ = try await session.quit()
    }

    func testPipelinedHeadersOf500Messages() async throws {
        let rig = try DovecotRig.current()
        let session = try await rig.login("bob")
        let caps = await session.capabilities
        XCTAssertTrue(caps.pipelining, "Dovecot advertises PIPELINING")
        let count = try await session.stat().count
        XCTAssertEqual(count, 500)
        let collected = Collected()
        try await session.topBatch(Array(1...count), lines: 0) { number, result in
            await collected.add(number, result)
        }
        let results = await collected.items
        XCTAssertEqual(results.map(\.0), Array(1...count), "replies arrive in order")
        for (number, result) in results {
            let header = try result.get()
            XCTAssertTrue(String(decoding: header, as: UTF8.self).contains("Subject:"), "message \(number) has a header")
        }
        _ = try await session.quit()
    }

    /// STAT and UIDL written right behind the login's answer, for every mechanism, match what
    /// is asked for after it.
    func testAListingWrittenBehindTheLoginMatchesOneAskedForAfterIt() async throws {
        let rig = try DovecotRig.current()
        let plain = try await rig.login("bob")
        let (expectedSizes, expectedUIDs) = (try await plain.list(), try await plain.uidl())
        _ = try await plain.quit()
        for mechanism: AuthMechanism in [.cramMD5, .saslPlain, .saslLogin, .userPass] {
            var configuration = rig.configuration(.implicitTLS)
            configuration.allowedMechanisms = [mechanism]
            let session = try await POP3Session.connect(configuration)
            let replies = try await session.login(user: "bob", password: rig.password, then: [.stat, .uidl(nil)])
            let total = try POP3Session.totals(try await replies[0].value())
            let uids = POP3Session.uids(try await replies[1].value())
            XCTAssertEqual(uids, expectedUIDs, "\(mechanism)")
            XCTAssertEqual(total.count, 500, "\(mechanism)")
            XCTAssertEqual(total.size, expectedSizes.map(\.size).reduce(0, +), "STAT's total is the sum of LIST's sizes")
            let sizes = try await session.list()
            XCTAssertEqual(sizes, expectedSizes, "the session goes on in step")
            _ = try await session.quit()
        }
    }

    func testRetrieveReportsProgressAndUIDLIsStable() async throws {
        let rig = try DovecotRig.current()
        let session = try await rig.login("bob")
        let first = try await session.uidl()
        let entry = try await session.list(7)
        let progress = ProgressLog()
        let bytes = try await session.retrieve(7, expectedSize: entry.size) { received in
            progress.record(received)
        }
        XCTAssertFalse(bytes.isEmpty)
        XCTAssertEqual(progress.last, bytes.count)
        let second = try await session.uidl()
        XCTAssertEqual(first.entries, second.entries)
        XCTAssertEqual(Set(first.entries.map(\.uid)).count, 500)
        _ = try await session.quit()
    }

    private func subjectsOf(_ session: POP3Session) async throws -> [String] {
        let count = try await session.stat().count
        var subjects: [String] = []
        for number in 1...max(count, 1) where count > 0 {
            let header = String(decoding: try await session.top(number, lines: 0), as: UTF8.self)
            let line = header.split(whereSeparator: \.isNewline).first { $0.hasPrefix("Subject: ") }
            subjects.append(line.map { String($0.dropFirst("Subject: ".count)) } ?? "")
        }
        return subjects
    }
}

actor Collected {
    var items: [(Int, Result<[UInt8], POP3Error>)] = []
    func add(_ number: Int, _ result: Result<[UInt8], POP3Error>) { items.append((number, result)) }
}

final class ProgressLog: Sendable {
    private let values = Mutex<[Int]>([])
    func record(_ value: Int) { values.withLock { $0.append(value) } }
    var last: Int? { values.withLock { $0.last } }
}
