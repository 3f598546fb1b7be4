import NIOCore
import NIOEmbedded
import XCTest

@testable import POP3

/// The reply-matching handler on top of the real encoder and decoder, with EmbeddedEventLoop's virtual
/// clock for the silence timeout.
final class ClientHandlerTests: XCTestCase {
    private var channel: EmbeddedChannel!
    private var handler: POP3ClientHandler!
    private var greeting: EventLoopFuture<POP3Reply>!

    override func setUpWithError() throws {
        channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: POP3Reply.self)
        handler = POP3ClientHandler(
            host: "test", idleTimeout: .seconds(5), maxReserve: 1 << 20, trace: nil, greeting: promise)
        greeting = promise.futureResult
        try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(POP3CommandEncoder()))
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(POP3ResponseDecoder()))
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 110)).wait()
        try channel.writeInbound(ByteBuffer(string: "+OK ready\r\n"))
    }

    override func tearDownWithError() throws {
        _ = try? channel.finish()
    }

    private func result(_ future: EventLoopFuture<POP3Reply>) -> Result<POP3Reply, any Error>? {
        var outcome: Result<POP3Reply, any Error>?
        future.assumeIsolated().whenComplete { outcome = $0 }
        return outcome
    }

    private func sentLine() throws -> String? {
        try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
    }

    func testGreetingThenRepliesInCommandOrder() throws {
        guard case .success(.status(let status)) = result(greeting) else { return XCTFail("no greeting") }
        XCTAssertEqual(status.text, "ready")

        let stat = handler.send(.stat)
        let list = handler.send(.list(nil))
        XCTAssertEqual(try sentLine(), "STAT\r\n")
        XCTAssertEqual(try sentLine(), "LIST\r\n")
        try channel.writeInbound(ByteBuffer(string: "+OK 2 30\r\n+OK\r\n1 10\r\n2 20\r\n.\r\n"))
        guard case .success(.status(let statStatus)) = result(stat) else { return XCTFail("STAT") }
        XCTAssertEqual(statStatus.text, "2 30")
        guard case .success(.multiLine(_, let body)) = result(list) else { return XCTFail("LIST") }
        XCTAssertEqual(body, Array("1 10\r\n2 20\r\n".utf8))
    }

    func testSilenceWhileAReplyIsDueTimesOut() throws {
        let noop = handler.send(.noop)
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        XCTAssertNil(result(noop))
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        guard case .failure(let error) = result(noop) else { return XCTFail("no timeout") }
        XCTAssertEqual(error as? POP3Error, .timeout(seconds: 5))
        XCTAssertFalse(channel.isActive)
        // Later requests fail at once with the same reason.
        guard case .failure(let later) = result(handler.send(.noop)) else { return XCTFail("sent after failure") }
        XCTAssertEqual(later as? POP3Error, .timeout(seconds: 5))
    }

    func testIdleWithNothingDueIsNotATimeout() throws {
        channel.embeddedEventLoop.advanceTime(by: .hours(1))
        XCTAssertTrue(channel.isActive)
        let noop = handler.send(.noop)
        channel.embeddedEventLoop.advanceTime(by: .seconds(3))
        try channel.writeInbound(ByteBuffer(string: "+OK\r\n"))
        guard case .success = result(noop) else { return XCTFail("NOOP failed") }
    }

    func testSlowButSteadyTransferIsNotATimeout() throws {
        let progress = LockedBox<[Int]>([])
        let retrieve = handler.send(.retr(1), progress: { bytes in progress.withLockedValue { $0.append(bytes) } })
        try channel.writeInbound(ByteBuffer(string: "+OK\r\n"))
        for _ in 0..<5 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(4))
            try channel.writeInbound(ByteBuffer(string: "0123456789\r\n"))
        }
        try channel.writeInbound(ByteBuffer(string: ".\r\n"))
        guard case .success(.multiLine(_, let body)) = result(retrieve) else { return XCTFail("RETR failed") }
        XCTAssertEqual(body.count, 60)
        XCTAssertEqual(progress.withLockedValue { $0 }, [12, 24, 36, 48, 60])
    }

    func testEOFMidReplyFailsEveryPendingRequestAndKeepsNothing() throws {
        let retrieve = handler.send(.retr(1))
        let dele = handler.send(.dele(1))
        try channel.writeInbound(ByteBuffer(string: "+OK\r\nSubject: half"))
        try? channel.close().wait()
        for future in [retrieve, dele] {
            guard case .failure(let error) = result(future) else { return XCTFail("request survived EOF") }
            XCTAssertEqual(error as? POP3Error, .connectionClosed)
        }
    }

    func testDecoderErrorFailsPendingRequestsWithThatError() throws {
        let stat = handler.send(.stat)
        try channel.writeInbound(ByteBuffer(string: "250 hello SMTP\r\n"))
        guard case .failure(let error) = result(stat) else { return XCTFail("STAT survived") }
        guard case .malformedResponse = error as? POP3Error else { return XCTFail("\(error)") }
        XCTAssertFalse(channel.isActive)
    }

    func testExpectedSizeIsOnlyAHint() throws {
        // A hostile LIST size must not make the client allocate it, nor cut the message short.
        for claimed in [Int.max / 2, Int.max, 999_999_999_999_999_999, -1] {
            let retrieve = handler.send(.retr(1), expectedSize: claimed)
            try channel.writeInbound(ByteBuffer(string: "+OK\r\nabc\r\n.\r\n"))
            guard case .success(.multiLine(_, let body)) = result(retrieve) else { return XCTFail("RETR failed for \(claimed)") }
            XCTAssertEqual(body, Array("abc\r\n".utf8))
        }
    }
}
