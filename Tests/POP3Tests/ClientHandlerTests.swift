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

    /// 8 KiB every 4 seconds: never 5 seconds of silence, and 2 KiB/s, above the minimum rate.
    func testSlowButSteadyTransferIsNotATimeout() throws {
        let progress = LockedBox<[Int]>([])
        let retrieve = handler.send(.retr(1), progress: { bytes in progress.withLockedValue { $0.append(bytes) } })
        try channel.writeInbound(ByteBuffer(string: "+OK\r\n"))
        let line = String(repeating: "x", count: 8190) + "\r\n"
        for _ in 0..<5 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(4))
            try channel.writeInbound(ByteBuffer(string: line))
        }
        try channel.writeInbound(ByteBuffer(string: ".\r\n"))
        guard case .success(.multiLine(_, let body)) = result(retrieve) else { return XCTFail("RETR failed") }
        XCTAssertEqual(body.count, 5 * 8192)
        XCTAssertEqual(progress.withLockedValue { $0 }, [1, 2, 3, 4, 5].map { $0 * 8192 })
    }

    /// One byte every half second is never silence, but after the 5 s grace the reply has earned
    /// a millisecond per byte: it fails at 5 s, not days later.
    func testDripInsideABodyMissesTheReplyDeadline() throws {
        for command in [POP3Command.retr(1), .top(1, lines: 10), .list(nil)] {
            try setUpWithError()
            let reply = handler.send(command)
            XCTAssertNotNil(try sentLine())
            try channel.writeInbound(ByteBuffer(string: "+OK\r\n"))
            var elapsed = TimeAmount.zero
            while result(reply) == nil, elapsed < .seconds(60) {
                channel.embeddedEventLoop.advanceTime(by: .milliseconds(500))
                elapsed = elapsed + .milliseconds(500)
                _ = try? channel.writeInbound(ByteBuffer(string: "x"))
            }
            guard case .failure(let error) = result(reply) else { return XCTFail("\(command): no deadline") }
            XCTAssertEqual(error as? POP3Error, .replyTooSlow(bytes: 10, seconds: 5), "\(command)")
            XCTAssertEqual(elapsed, .milliseconds(5500), "\(command)")
            XCTAssertFalse(channel.isActive)
        }
    }

    /// Each reply gets its own grace, counted from when the one before it ended: a reply behind
    /// a slow one is not blamed for the time it waited.
    func testEachPipelinedReplyHasItsOwnDeadline() throws {
        let first = handler.send(.retr(1))
        let second = handler.send(.retr(2))
        try channel.writeInbound(ByteBuffer(string: "+OK\r\n"))
        for _ in 0..<4 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(1))
            try channel.writeInbound(ByteBuffer(string: "x"))
        }
        try channel.writeInbound(ByteBuffer(string: "\r\n.\r\n"))
        guard case .success = result(first) else { return XCTFail("the first reply failed") }
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        try channel.writeInbound(ByteBuffer(string: "+OK\r\nbody\r\n.\r\n"))
        guard case .success = result(second) else { return XCTFail("the second reply was blamed for the first") }
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
