import NIOCore
import NIOEmbedded
import XCTest

@testable import POP3

/// A decoded reply with its body chunks joined, so that byte-by-byte and whole-buffer feeding compare equal.
enum DecodedReply: Equatable {
    case status(StatusLine)
    case continuation(String)
    case multiLine(StatusLine, [UInt8])
}

/// Drives `POP3ResponseDecoder` through an EmbeddedChannel the way the real pipeline does: commands are
/// written outbound (the decoder observes them), server bytes are written inbound.
final class DecoderHarness {
    let channel: EmbeddedChannel

    init(limits: POP3ResponseDecoder.Limits = .init(), expectGreeting: Bool = false) throws {
        channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(POP3ResponseDecoder(limits: limits, expectGreeting: expectGreeting))
        )
    }

    func send(_ commands: POP3Command...) throws {
        for command in commands {
            try channel.writeOutbound([command])
            XCTAssertEqual(try channel.readOutbound(as: [POP3Command].self), [command])
        }
    }

    /// Feeds `text` whole or one byte per read, and returns the replies completed so far.
    func feed(_ text: String, byteByByte: Bool) throws -> [DecodedReply] {
        try feed(Array(text.utf8), byteByByte: byteByByte)
    }

    func feed(_ bytes: [UInt8], byteByByte: Bool) throws -> [DecodedReply] {
        if byteByByte {
            for byte in bytes { try channel.writeInbound(ByteBuffer(bytes: [byte])) }
        } else {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
        }
        return try drain()
    }

    private var openStatus: StatusLine?
    private var openBody: [UInt8] = []

    func drain() throws -> [DecodedReply] {
        var replies: [DecodedReply] = []
        while let event = try channel.readInbound(as: POP3ResponseEvent.self) {
            switch event {
            case .status(let status): replies.append(.status(status))
            case .continuation(let text): replies.append(.continuation(text))
            case .multiLineStart(let status):
                openStatus = status
                openBody = []
            case .bodyChunk(let chunk):
                XCTAssertNotNil(openStatus, "body chunk outside a multi-line reply")
                XCTAssertGreaterThan(chunk.readableBytes, 0, "empty chunks are never emitted")
                openBody += chunk.readableBytesView
            case .multiLineEnd:
                replies.append(.multiLine(openStatus!, openBody))
                openStatus = nil
            }
        }
        return replies
    }
}

final class DecoderTests: XCTestCase {
    private let modes = [false, true]

    func testGreetingAndSingleLineReplies() throws {
        for byteByByte in modes {
            let harness = try DecoderHarness(expectGreeting: true)
            XCTAssertEqual(
                try harness.feed("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n", byteByByte: byteByByte),
                [.status(StatusLine(isOK: true, text: "POP3 server ready <1896.697170952@dbc.mtview.ca.us>"))]
            )
            try harness.send(.user("alice"), .noop)
            XCTAssertEqual(
                try harness.feed("+OK\r\n-ERR no such thing\r\n", byteByByte: byteByByte),
                [.status(StatusLine(isOK: true, text: "")), .status(StatusLine(isOK: false, text: "no such thing"))]
            )
        }
    }

    func testLowerCaseIndicatorsAndBareLF() throws {
        let harness = try DecoderHarness(expectGreeting: true)
        XCTAssertEqual(
            try harness.feed("+ok hello\n", byteByByte: false), [.status(StatusLine(isOK: true, text: "hello"))])
    }

    func testResponseCodes() throws {
        let harness = try DecoderHarness()
        try harness.send(.pass("x"), .pass("x"), .pass("x"), .pass("x"), .pass("x"), .stat)
        let replies = try harness.feed(
            "-ERR [IN-USE] Mailbox locked\r\n-ERR [SYS/TEMP] try later\r\n-ERR [LOGIN-DELAY] wait\r\n"
                + "-ERR [AUTH] bad password\r\n-ERR [sys/perm/quota] gone\r\n+OK [UTF8] 2 320\r\n",
            byteByByte: true
        )
        XCTAssertEqual(
            replies,
            [
                .status(StatusLine(isOK: false, code: .inUse, text: "Mailbox locked")),
                .status(StatusLine(isOK: false, code: .sysTemp, text: "try later")),
                .status(StatusLine(isOK: false, code: .loginDelay, text: "wait")),
                .status(StatusLine(isOK: false, code: .auth, text: "bad password")),
                .status(StatusLine(isOK: false, code: ResponseCode(rawValue: "SYS/PERM/QUOTA"), text: "gone")),
                .status(StatusLine(isOK: true, code: .utf8, text: "2 320")),
            ])
        XCTAssertTrue(ResponseCode(rawValue: "SYS/PERM/QUOTA").isA(.sysPerm))
        XCTAssertFalse(ResponseCode.sysTemp.isA(.sysPerm))
    }

    func testTextInBracketsThatIsNotACodeStaysText() throws {
        let harness = try DecoderHarness()
        try harness.send(.noop)
        XCTAssertEqual(
            try harness.feed("-ERR [what is this?] text\r\n", byteByByte: false),
            [.status(StatusLine(isOK: false, text: "[what is this?] text"))]
        )
    }

    func testMultiLineWithDotStuffing() throws {
        for byteByByte in modes {
            let harness = try DecoderHarness()
            try harness.send(.retr(1))
            let wire = "+OK 52 octets\r\nSubject: dots\r\n\r\n..leading dot\r\n...\r\n.\rx\r\nend\r\n.\r\n"
            XCTAssertEqual(
                try harness.feed(wire, byteByByte: byteByByte),
                [
                    .multiLine(
                        StatusLine(isOK: true, text: "52 octets"),
                        Array("Subject: dots\r\n\r\n.leading dot\r\n..\r\n\rx\r\nend\r\n".utf8))
                ]
            )
        }
    }

    func testBareLFLineEndingsAreKeptAndTerminatorAccepted() throws {
        for byteByByte in modes {
            let harness = try DecoderHarness()
            try harness.send(.top(3, lines: 0), .noop)
            XCTAssertEqual(
                try harness.feed("+OK\nFrom: a\n..x\n.\n+OK done\n", byteByByte: byteByByte),
                [
                    .multiLine(StatusLine(isOK: true, text: ""), Array("From: a\n.x\n".utf8)),
                    .status(StatusLine(isOK: true, text: "done")),
                ]
            )
        }
    }

    func testEmptyMultiLineBody() throws {
        let harness = try DecoderHarness()
        try harness.send(.list(nil))
        XCTAssertEqual(
            try harness.feed("+OK 0 messages\r\n.\r\n", byteByByte: true),
            [.multiLine(StatusLine(isOK: true, text: "0 messages"), [])])
    }

    func testErrReplacesMultiLineReplyAndPipelinedRepliesStayInOrder() throws {
        for byteByByte in modes {
            let harness = try DecoderHarness()
            try harness.send(.top(1, lines: 0), .top(2, lines: 0), .top(3, lines: 0), .dele(1))
            let wire = "+OK\r\nA: 1\r\n.\r\n-ERR no such message\r\n+OK\r\nA: 3\r\n.\r\n+OK deleted\r\n"
            XCTAssertEqual(
                try harness.feed(wire, byteByByte: byteByByte),
                [
                    .multiLine(StatusLine(isOK: true, text: ""), Array("A: 1\r\n".utf8)),
                    .status(StatusLine(isOK: false, text: "no such message")),
                    .multiLine(StatusLine(isOK: true, text: ""), Array("A: 3\r\n".utf8)),
                    .status(StatusLine(isOK: true, text: "deleted")),
                ])
        }
    }

    func testSASLContinuations() throws {
        let harness = try DecoderHarness()
        try harness.send(.auth(mechanism: "CRAM-MD5", initialResponse: nil), .saslResponse("abc"), .saslResponse("def"))
        XCTAssertEqual(
            try harness.feed(
                "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n+ \r\n+\r\n", byteByByte: true),
            [
                .continuation("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"), .continuation(""),
                .continuation(""),
            ]
        )
        try harness.send(.saslResponse("ghi"))
        XCTAssertEqual(
            try harness.feed("+OK welcome\r\n", byteByByte: false), [.status(StatusLine(isOK: true, text: "welcome"))])
    }

    func testContinuationOutsideSASLIsMalformed() throws {
        let harness = try DecoderHarness()
        try harness.send(.user("alice"))
        XCTAssertThrowsError(try harness.feed("+ go on\r\n", byteByByte: false)) { error in
            guard case .malformedResponse = error as? POP3Error else { return XCTFail("\(error)") }
        }
    }

    func testGarbageStatusLineIsMalformed() throws {
        let harness = try DecoderHarness(expectGreeting: true)
        XCTAssertThrowsError(try harness.feed("HTTP/1.1 400 Bad Request\r\n", byteByByte: false)) { error in
            guard case .malformedResponse = error as? POP3Error else { return XCTFail("\(error)") }
        }
    }

    func testUnsolicitedReplyIsMalformed() throws {
        let harness = try DecoderHarness(expectGreeting: true)
        XCTAssertThrowsError(try harness.feed("+OK hi\r\n+OK surprise\r\n", byteByByte: false)) { error in
            guard case .malformedResponse = error as? POP3Error else { return XCTFail("\(error)") }
        }
    }

    func testStatusLineTooLong() throws {
        for byteByByte in modes {
            let harness = try DecoderHarness(limits: .init(maxLineLength: 600), expectGreeting: true)
            XCTAssertThrowsError(
                try harness.feed("+OK " + String(repeating: "x", count: 700), byteByByte: byteByByte)
            ) { error in
                XCTAssertEqual(error as? POP3Error, .lineTooLong(limit: 600))
            }
        }
        // Exactly at the limit is fine, with CRLF or bare LF.
        let harness = try DecoderHarness(limits: .init(maxLineLength: 600), expectGreeting: true)
        let line = "+OK " + String(repeating: "y", count: 596)
        XCTAssertEqual(
            try harness.feed(line + "\r\n", byteByByte: true),
            [.status(StatusLine(isOK: true, text: String(line.dropFirst(4))))])
    }

    func testListingLineTooLongButMessageLinesAreNotBoundedByLineLimit() throws {
        let limits = POP3ResponseDecoder.Limits(maxLineLength: 600)
        let long = String(repeating: "z", count: 5000)

        let listing = try DecoderHarness(limits: limits)
        try listing.send(.capa)
        XCTAssertThrowsError(try listing.feed("+OK\r\nTOP\r\n" + long + "\r\n.\r\n", byteByByte: false)) { error in
            XCTAssertEqual(error as? POP3Error, .lineTooLong(limit: 600))
        }

        let message = try DecoderHarness(limits: limits)
        try message.send(.retr(1))
        XCTAssertEqual(
            try message.feed("+OK\r\n" + long + "\r\n.\r\n", byteByByte: false),
            [.multiLine(StatusLine(isOK: true, text: ""), Array((long + "\r\n").utf8))]
        )
    }

    func testReplyTooLong() throws {
        for byteByByte in modes {
            let harness = try DecoderHarness(limits: .init(maxMessageSize: 100, maxTopReplySize: 50))
            try harness.send(.top(1, lines: 0))
            XCTAssertThrowsError(
                try harness.feed("+OK\r\n" + String(repeating: "h: v\r\n", count: 20) + ".\r\n", byteByByte: byteByByte)
            ) { error in
                XCTAssertEqual(error as? POP3Error, .replyTooLarge(command: "TOP", limit: 50))
            }
            let retrieve = try DecoderHarness(limits: .init(maxMessageSize: 100, maxTopReplySize: 50))
            try retrieve.send(.retr(1))
            XCTAssertThrowsError(
                try retrieve.feed("+OK\r\n" + String(repeating: "body line\r\n", count: 20), byteByByte: byteByByte)
            ) { error in
                XCTAssertEqual(error as? POP3Error, .messageTooLarge(limit: 100))
            }
        }
        let listing = try DecoderHarness(limits: .init(maxListingSize: 30))
        try listing.send(.uidl(nil))
        XCTAssertThrowsError(
            try listing.feed("+OK\r\n" + String(repeating: "1 abcdef\r\n", count: 5), byteByByte: false)
        ) { error in
            XCTAssertEqual(error as? POP3Error, .replyTooLarge(command: "UIDL", limit: 30))
        }
        // The limit counts unstuffed content: exactly 100 bytes pass.
        let exact = try DecoderHarness(limits: .init(maxMessageSize: 100))
        try exact.send(.retr(1))
        let content = String(repeating: "a", count: 98) + "\r\n"
        XCTAssertEqual(
            try exact.feed("+OK\r\n" + content + ".\r\n", byteByByte: false),
            [.multiLine(StatusLine(isOK: true, text: ""), Array(content.utf8))])
    }

    func testEOFMidReplyIsConnectionClosed() throws {
        let harness = try DecoderHarness()
        try harness.send(.retr(1))
        XCTAssertEqual(try harness.feed("+OK\r\nSubject: cut\r\nhalf a li", byteByByte: false), [])
        XCTAssertThrowsError(try harness.channel.finish()) { error in
            XCTAssertEqual(error as? POP3Error, .connectionClosed)
        }
    }

    func testEOFMidStatusLineIsConnectionClosed() throws {
        let harness = try DecoderHarness(expectGreeting: true)
        XCTAssertEqual(try harness.feed("+OK hel", byteByByte: true), [])
        XCTAssertThrowsError(try harness.channel.finish()) { error in
            XCTAssertEqual(error as? POP3Error, .connectionClosed)
        }
    }

    func testEOFBetweenRepliesIsClean() throws {
        let harness = try DecoderHarness(expectGreeting: true)
        XCTAssertEqual(try harness.feed("+OK hello\r\n", byteByByte: false).count, 1)
        XCTAssertNoThrow(try harness.channel.finish())
    }

    func testSTLSInjectionInSameReadIsFatal() throws {
        let harness = try DecoderHarness()
        try harness.send(.stls)
        XCTAssertThrowsError(try harness.feed("+OK Begin TLS\r\n+OK injected\r\n", byteByByte: false)) { error in
            XCTAssertEqual(error as? POP3Error, .responseInjection)
        }
        // The +OK itself was never delivered, so nothing can start TLS on a poisoned stream.
        XCTAssertNil(try harness.channel.readInbound(as: POP3ResponseEvent.self))
    }

    func testBytesAfterSTLSBeforeNextCommandAreFatal() throws {
        let harness = try DecoderHarness()
        try harness.send(.stls)
        XCTAssertEqual(
            try harness.feed("+OK Begin TLS\r\n", byteByByte: false),
            [.status(StatusLine(isOK: true, text: "Begin TLS"))])
        XCTAssertThrowsError(try harness.feed("x", byteByByte: false)) { error in
            XCTAssertEqual(error as? POP3Error, .responseInjection)
        }
    }

    func testAfterSTLSHandshakeTheNextCommandResumesDecoding() throws {
        let harness = try DecoderHarness()
        try harness.send(.stls)
        XCTAssertEqual(try harness.feed("+OK\r\n", byteByByte: false).count, 1)
        try harness.send(.capa)
        XCTAssertEqual(
            try harness.feed("+OK\r\nSTLS\r\n.\r\n", byteByByte: false),
            [.multiLine(StatusLine(isOK: true, text: ""), Array("STLS\r\n".utf8))])
    }

    func testRefusedSTLSKeepsPlainDecoding() throws {
        let harness = try DecoderHarness()
        try harness.send(.stls, .noop)
        XCTAssertEqual(try harness.feed("-ERR not now\r\n+OK\r\n", byteByByte: false).count, 2)
    }

    func testBodyChunksAreStreamedBeforeTheReplyEnds() throws {
        let harness = try DecoderHarness()
        try harness.send(.retr(1))
        try harness.channel.writeInbound(ByteBuffer(string: "+OK\r\nfirst part of a long line"))
        var streamed: [UInt8] = []
        while let event = try harness.channel.readInbound(as: POP3ResponseEvent.self) {
            if case .bodyChunk(let chunk) = event { streamed += chunk.readableBytesView }
        }
        XCTAssertEqual(streamed, Array("first part of a long line".utf8))
    }
}

final class EncoderTests: XCTestCase {
    func testCommandsAreCRLFTerminatedLines() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(POP3CommandEncoder()))
        let cases: [(POP3Command, String)] = [
            (.user("alice"), "USER alice\r\n"), (.pass("pw with space"), "PASS pw with space\r\n"),
            (.top(3, lines: 0), "TOP 3 0\r\n"), (.list(nil), "LIST\r\n"), (.uidl(7), "UIDL 7\r\n"),
            (.auth(mechanism: "PLAIN", initialResponse: "AGEAYg=="), "AUTH PLAIN AGEAYg==\r\n"),
            (
                .apop(user: "mrose", digest: "c4c9334bac560ecc979e58001b3e22fb"),
                "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"
            ),
        ]
        for (command, wire) in cases {
            try channel.writeOutbound([command])
            XCTAssertEqual(try channel.readOutbound(as: ByteBuffer.self), ByteBuffer(string: wire))
        }
        try channel.writeOutbound(cases.map(\.0))
        XCTAssertEqual(try channel.readOutbound(as: ByteBuffer.self), ByteBuffer(string: cases.map(\.1).joined()),
                       "a pipelined batch is one buffer")
    }

    func testLineBreakInArgumentIsRefused() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(POP3CommandEncoder()))
        XCTAssertThrowsError(try channel.writeOutbound([POP3Command.noop, .user("alice\r\nDELE 1")])) { error in
            guard case .invalidArgument = error as? POP3Error else { return XCTFail("\(error)") }
        }
    }

    func testTraceTextRedactsCredentials() {
        XCTAssertEqual(POP3Command.pass("hunter2").traceText, "PASS ***")
        XCTAssertEqual(POP3Command.apop(user: "mrose", digest: "c4c9").traceText, "APOP mrose ***")
        XCTAssertEqual(POP3Command.auth(mechanism: "PLAIN", initialResponse: "AGEAYg==").traceText, "AUTH PLAIN ***")
        XCTAssertEqual(POP3Command.auth(mechanism: "LOGIN", initialResponse: nil).traceText, "AUTH LOGIN")
        XCTAssertEqual(POP3Command.saslResponse("dGlt").traceText, "***")
        XCTAssertEqual(POP3Command.user("alice").traceText, "USER alice")
    }
}
