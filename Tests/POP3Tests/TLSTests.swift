import Foundation
import NIOCore
import NIOPosix
import POP3
import POP3Server
import XCTest

/// Implicit TLS, STLS and certificate verification against InMemoryPOP3Server with openssl-made certificates.
final class TLSTests: XCTestCase {
    private var fixtures: ClientTLSFixtures!

    override func setUpWithError() throws {
        fixtures = try ClientTLSFixtures.shared.get()
    }

    override class func tearDown() {
        if case .success(let fixtures) = ClientTLSFixtures.shared {
            try? FileManager.default.removeItem(at: fixtures.directory)
        }
        super.tearDown()
    }

    private func configuration(
        _ port: Int, host: String = "127.0.0.1", security: ConnectionSecurity,
        caFile: Bool = true
    ) -> POP3Configuration {
        POP3Configuration(
            host: host, port: port, security: security, caFile: caFile ? fixtures.caFile : nil,
            connectTimeout: .seconds(5), idleTimeout: .seconds(10))
    }

    func testImplicitTLSWithTheTestCAByIPAddress() async throws {
        try await withPOP3Server(tls: try fixtures.serverTLS("good"), implicitTLS: true) { _, port in
            let session = try await POP3Session.connect(self.configuration(port, security: .implicitTLS))
            let encrypted = await session.isEncrypted
            XCTAssertTrue(encrypted)
            try await session.login(user: "alice", password: "wonderland")
            let stat = try await session.stat()
            XCTAssertEqual(stat.count, 3)
            _ = try await session.quit()
        }
    }

    func testImplicitTLSByHostNameAndIPv6() async throws {
        try await withPOP3Server(tls: try fixtures.serverTLS("good"), implicitTLS: true) { _, port in
            let session = try await POP3Session.connect(
                self.configuration(port, host: "localhost", security: .implicitTLS))
            try await session.login(user: "alice", password: "wonderland")
            await session.close()
        }
        let server = InMemoryPOP3Server(users: SessionFixture.users, messages: [], tls: try fixtures.serverTLS("good"))
        let port = try await server.start(host: "::1", implicitTLS: true)
        do {
            let session = try await POP3Session.connect(self.configuration(port, host: "::1", security: .implicitTLS))
            try await session.login(user: "alice", password: "wonderland")
            await session.close()
        } catch {
            XCTFail("\(error)")
        }
        await server.stop()
    }

    func testSTLSUpgradesAndAsksForCapabilitiesAgain() async throws {
        try await withPOP3Server(tls: try fixtures.serverTLS("good")) { server, port in
            let session = try await POP3Session.connect(self.configuration(port, security: .startTLS))
            let encrypted = await session.isEncrypted
            XCTAssertTrue(encrypted)
            let capabilities = await session.capabilities
            XCTAssertFalse(capabilities.stls, "capabilities learned in clear were kept")
            XCTAssertEqual(server.commandLog, ["CAPA", "STLS", "CAPA"])
            try await session.login(user: "alice", password: "wonderland")
            let listing = try await session.uidl()
            XCTAssertEqual(listing.entries.count, 3)
            _ = try await session.quit()
        }
    }

    func testKnownCapabilitiesSendSTLSFirstAndAskForNothingBeforeLogin() async throws {
        try await withPOP3Server(tls: try fixtures.serverTLS("good")) { server, port in
            let configuration = try await self.configuration(port, security: .startTLS).knowingCapabilities()
            let before = server.commandLog.count
            let session = try await POP3Session.connect(configuration)
            let encrypted = await session.isEncrypted
            XCTAssertTrue(encrypted)
            try await session.login(user: "alice", password: "wonderland")
            _ = try await session.quit()
            let sent = server.commandLog.dropFirst(before).map { String($0.prefix { $0 != " " }) }
            XCTAssertEqual(Array(sent.prefix(2)), ["STLS", "AUTH"], "\(sent)")
            XCTAssertEqual(sent.filter { $0 == "CAPA" }.count, 1, "only the one after login: \(sent)")
        }
    }

    func testSTLSResponseInjectionIsFatalAndSendsNoCredential() async throws {
        let behavior = ServerBehavior(injectAfterSTLS: "+OK injected")
        try await withPOP3Server(behavior: behavior, tls: try fixtures.serverTLS("good")) { server, port in
            await assertThrowsPOP3Error(.responseInjection) {
                try await POP3Session.connect(self.configuration(port, security: .startTLS))
            }
            XCTAssertEqual(server.commandLog, ["CAPA", "STLS"])
        }
    }

    func testSTLSRefusedSendsNoCredential() async throws {
        let behavior = ServerBehavior(refuseSTLS: true)
        try await withPOP3Server(behavior: behavior, tls: try fixtures.serverTLS("good")) { server, port in
            await assertThrowsPOP3Error(.stlsRefused("TLS is temporarily unavailable")) {
                try await POP3Session.connect(self.configuration(port, security: .startTLS))
            }
            XCTAssertEqual(credentialLines(server.commandLog), [])
        }
    }

    func testSTLSNotAdvertisedSendsNoCredential() async throws {
        let behavior = ServerBehavior(offerSTLS: false)
        try await withPOP3Server(behavior: behavior, tls: try fixtures.serverTLS("good")) { server, port in
            await assertThrowsPOP3Error(.stlsNotOffered) {
                try await POP3Session.connect(self.configuration(port, security: .startTLS))
            }
            XCTAssertEqual(server.commandLog, ["CAPA"])
        }
    }

    func testUnknownIssuer() async throws {
        try await withPOP3Server(tls: try fixtures.serverTLS("good"), implicitTLS: true) { server, port in
            await assertThrowsPOP3Error(.tlsVerification(.untrustedIssuer)) {
                try await POP3Session.connect(self.configuration(port, security: .implicitTLS, caFile: false))
            }
            XCTAssertEqual(server.commandLog, [])
        }
        try await withPOP3Server(tls: try fixtures.serverTLS("untrusted")) { server, port in
            await assertThrowsPOP3Error(.tlsVerification(.untrustedIssuer)) {
                try await POP3Session.connect(self.configuration(port, security: .startTLS))
            }
            XCTAssertEqual(server.commandLog, ["CAPA", "STLS"])
        }
    }

    func testExpiredCertificate() async throws {
        try await withPOP3Server(tls: try fixtures.serverTLS("expired"), implicitTLS: true) { _, port in
            await assertThrowsPOP3Error(.tlsVerification(.expired)) {
                try await POP3Session.connect(self.configuration(port, security: .implicitTLS))
            }
        }
    }

    func testWrongName() async throws {
        try await withPOP3Server(tls: try fixtures.serverTLS("wrongname"), implicitTLS: true) { _, port in
            await assertThrowsPOP3Error(.tlsVerification(.hostnameMismatch(expected: "localhost"))) {
                try await POP3Session.connect(self.configuration(port, host: "localhost", security: .implicitTLS))
            }
            await assertThrowsPOP3Error(.tlsVerification(.hostnameMismatch(expected: "127.0.0.1"))) {
                try await POP3Session.connect(self.configuration(port, security: .implicitTLS))
            }
        }
    }

    func testImplicitTLSAgainstAPlaintextPort() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PlaintextGreeter())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            _ = try await POP3Session.connect(configuration(listener.localAddress!.port!, security: .implicitTLS))
            XCTFail("TLS against a plaintext server succeeded")
        } catch {
            guard case .tlsFailed(let reason) = error as? POP3Error else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "the server did not answer in TLS")
        }
        try await listener.close()
    }

    func testACAFileReplacedBetweenConnectionsIsTrustedAsItIsNow() async throws {
        // Contexts are reused across connections: one made with the old file must not outlive it.
        let caFile = fixtures.path("replaced-\(UUID().uuidString).pem")
        defer { try? FileManager.default.removeItem(atPath: caFile) }
        try FileManager.default.copyItem(atPath: fixtures.caFile, toPath: caFile)
        try await withPOP3Server(tls: try fixtures.serverTLS("good"), implicitTLS: true) { _, port in
            var configuration = self.configuration(port, security: .implicitTLS)
            configuration.caFile = caFile
            for _ in 0..<2 {
                let session = try await POP3Session.connect(configuration)
                await session.close()
            }
            try FileManager.default.removeItem(atPath: caFile)
            try FileManager.default.copyItem(atPath: self.fixtures.path("otherca.pem"), toPath: caFile)
            await assertThrowsPOP3Error(.tlsVerification(.untrustedIssuer)) {
                try await POP3Session.connect(configuration)
            }
        }
    }

    func testACAFileWithoutACertificateIsNamed() async throws {
        let caFile = fixtures.path("empty-\(UUID().uuidString).pem")
        defer { try? FileManager.default.removeItem(atPath: caFile) }
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: caFile))
        var configuration = configuration(995, security: .implicitTLS)
        configuration.caFile = caFile
        await assertThrowsPOP3Error(.caFileUnreadable(path: caFile, reason: "it holds no PEM certificate")) {
            try await POP3Session.connect(configuration)
        }
    }

    func testUnreadableCAFile() async throws {
        var configuration = configuration(995, security: .implicitTLS)
        configuration.caFile = fixtures.path("missing.pem")
        await assertThrowsPOP3Error(
            .caFileUnreadable(path: fixtures.path("missing.pem"), reason: "no such readable file")
        ) {
            try await POP3Session.connect(configuration)
        }
    }
}

/// A plaintext POP3 port: greets in clear and ignores what it reads.
private final class PlaintextGreeter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(NIOAny(ByteBuffer(string: "+OK plaintext POP3 ready\r\n")), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
