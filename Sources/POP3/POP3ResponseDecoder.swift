import Foundation
import NIOCore

/// Turns the server's bytes into `POP3ResponseEvent`s.
///
/// Whether a reply is single- or multi-line depends on the command it answers, so the decoder watches the
/// commands written through its `ByteToMessageHandler` and queues the reply kind each one expects; replies
/// to pipelined commands are therefore decoded in order without help from the session. Multi-line bodies
/// are dot-unstuffed and streamed as chunks (slices of the received buffers, so a large RETR is copied once,
/// by the consumer). Every status line and listing line is bounded, every multi-line reply is bounded as a
/// whole, bare LF line endings are accepted.
struct POP3ResponseDecoder: WriteObservingByteToMessageDecoder {
    typealias InboundOut = POP3ResponseEvent
    typealias OutboundIn = [POP3Command]

    struct Limits: Sendable {
        var maxLineLength: Int
        var maxMessageSize: Int
        var maxTopReplySize: Int
        var maxListingSize: Int

        init(
            maxLineLength: Int = 8192, maxMessageSize: Int = 100 << 20, maxTopReplySize: Int = 4 << 20,
            maxListingSize: Int = 32 << 20
        ) {
            self.maxLineLength = maxLineLength
            self.maxMessageSize = maxMessageSize
            self.maxTopReplySize = maxTopReplySize
            self.maxListingSize = maxListingSize
        }
    }

    /// A CAPA reply lists a few dozen capabilities; a longer one is refused before it is buffered.
    static let maxCapabilityLines = 512

    private struct Body {
        /// The command this body answers, for errors.
        var keyword: String
        var limit: Int
        /// Only listings hold whole lines; message bodies stream, so their lines need no bound of their own.
        var boundsLines: Bool
        var maxLines: Int?
        var received = 0
        var atLineStart = true
        var lineLength = 0
        var lines = 0
    }

    /// The reply a written command (or the connection, for the greeting) is owed.
    private struct Expected {
        var kind: ReplyKind
        var keyword: String
    }

    private let limits: Limits
    private var expected = CircularBuffer<Expected>()
    private var body: Body?
    /// Set by a `+OK` to STLS until the next command is written, which the session only does once the
    /// TLS handshake has completed: any byte arriving meanwhile was sent in clear to be read as if protected.
    private var awaitingTLS = false
    /// How much of an incomplete status line has already been searched for its LF.
    private var scanned = 0

    init(limits: Limits = Limits(), expectGreeting: Bool = true) {
        self.limits = limits
        if expectGreeting { expected.append(Expected(kind: .singleLine, keyword: "the greeting")) }
    }

    mutating func write(data: [POP3Command]) {
        awaitingTLS = false
        for command in data { expected.append(Expected(kind: command.replyKind, keyword: command.keyword)) }
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if awaitingTLS {
            if buffer.readableBytes > 0 { throw POP3Error.responseInjection }
            return .needMoreData
        }
        if body != nil {
            return try decodeBody(context: context, buffer: &buffer)
        }
        return try decodeStatusLine(context: context, buffer: &buffer)
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        if try decode(context: context, buffer: &buffer) == .continue { return .continue }
        if seenEOF && (body != nil || buffer.readableBytes > 0) {
            throw POP3Error.connectionClosed
        }
        return .needMoreData
    }

    private mutating func decodeStatusLine(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws
        -> DecodingState
    {
        guard buffer.readableBytes > 0 else { return .needMoreData }
        guard let owed = expected.first else {
            throw POP3Error.malformedResponse("data arrived that answers no command")
        }
        let view = buffer.readableBytesView
        guard let lf = view[(view.startIndex + scanned)...].firstIndex(of: UInt8(ascii: "\n")) else {
            // +1 leaves room for the CR of a line that is exactly at the limit.
            if buffer.readableBytes > limits.maxLineLength + 1 {
                throw POP3Error.lineTooLong(limit: limits.maxLineLength)
            }
            scanned = buffer.readableBytes
            return .needMoreData
        }
        scanned = 0
        var end = lf
        if end > view.startIndex && view[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard end - view.startIndex <= limits.maxLineLength else {
            throw POP3Error.lineTooLong(limit: limits.maxLineLength)
        }
        let line = Array(view[view.startIndex..<end])
        buffer.moveReaderIndex(forwardBy: lf - view.startIndex + 1)
        expected.removeFirst()

        let event: POP3ResponseEvent
        if Self.hasIndicator(line, "+OK") {
            let status = StatusLine.parse(isOK: true, rest: Self.text(line.dropFirst(3)))
            switch owed.kind {
            case .singleLine, .sasl:
                event = .status(status)
            case .startTLS:
                // The +OK and anything after it arrived together: those bytes were never protected by TLS.
                if buffer.readableBytes > 0 { throw POP3Error.responseInjection }
                awaitingTLS = true
                event = .status(status)
            case .listing:
                let maxLines = owed.keyword == "CAPA" ? Self.maxCapabilityLines : nil
                body = Body(keyword: owed.keyword, limit: limits.maxListingSize, boundsLines: true, maxLines: maxLines)
                event = .multiLineStart(status)
            case .top:
                body = Body(keyword: owed.keyword, limit: limits.maxTopReplySize, boundsLines: false)
                event = .multiLineStart(status)
            case .retrieve:
                body = Body(keyword: owed.keyword, limit: limits.maxMessageSize, boundsLines: false)
                event = .multiLineStart(status)
            }
        } else if Self.hasIndicator(line, "-ERR") {
            event = .status(StatusLine.parse(isOK: false, rest: Self.text(line.dropFirst(4))))
        } else if owed.kind == .sasl, Self.hasIndicator(line, "+") {
            event = .continuation(String(Self.text(line.dropFirst(1)).drop { $0 == " " }))
        } else {
            throw POP3Error.malformedResponse(
                "a reply starts with neither +OK nor -ERR: \(Self.text(line[...]))")
        }
        context.fireChannelRead(wrapInboundOut(event))
        return .continue
    }

    private mutating func decodeBody(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard var body else { return .needMoreData }
        if body.atLineStart {
            guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return .needMoreData }
            if first == UInt8(ascii: ".") {
                guard let second = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) else {
                    return .needMoreData
                }
                var terminatorLength = 0
                if second == UInt8(ascii: "\n") {
                    terminatorLength = 2
                } else if second == UInt8(ascii: "\r") {
                    guard let third = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt8.self) else {
                        return .needMoreData
                    }
                    if third == UInt8(ascii: "\n") { terminatorLength = 3 }
                }
                if terminatorLength > 0 {
                    buffer.moveReaderIndex(forwardBy: terminatorLength)
                    self.body = nil
                    context.fireChannelRead(wrapInboundOut(.multiLineEnd))
                    return .continue
                }
                // RFC 1939 section 3: a leading "." that is not the terminator was added by byte-stuffing.
                buffer.moveReaderIndex(forwardBy: 1)
            }
            body.atLineStart = false
        }

        // Take every following byte up to the end of the data or the start of the next line that begins
        // with ".", which needs the check above.
        let available = buffer.readableBytes
        var taken = 0
        var lineLength = body.lineLength
        var lines = body.lines
        buffer.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            while taken < available {
                guard let found = memchr(base + taken, Int32(UInt8(ascii: "\n")), available - taken) else {
                    lineLength += available - taken
                    taken = available
                    return
                }
                let lf = base.distance(to: UnsafeRawPointer(found))
                lineLength += lf - taken
                if body.boundsLines && lineLength > limits.maxLineLength + 1 { return }
                lineLength = 0
                lines += 1
                taken = lf + 1
                if taken < available && bytes[taken] == UInt8(ascii: ".") { return }
            }
        }
        if body.boundsLines && lineLength > limits.maxLineLength + 1 {
            throw POP3Error.lineTooLong(limit: limits.maxLineLength)
        }
        if let maxLines = body.maxLines, lines > maxLines {
            throw POP3Error.tooManyLines(command: body.keyword, limit: maxLines)
        }
        body.lineLength = lineLength
        body.lines = lines
        body.received += taken
        guard body.received <= body.limit else {
            throw body.keyword == "RETR"
                ? POP3Error.messageTooLarge(limit: body.limit)
                : POP3Error.replyTooLarge(command: body.keyword, limit: body.limit)
        }
        if taken > 0 {
            body.atLineStart =
                buffer.getInteger(at: buffer.readerIndex + taken - 1, as: UInt8.self) == UInt8(ascii: "\n")
        }
        self.body = body
        if let chunk = buffer.readSlice(length: taken), taken > 0 {
            context.fireChannelRead(wrapInboundOut(.bodyChunk(chunk)))
        }
        return buffer.readableBytes > 0 ? .continue : .needMoreData
    }

    /// `+OK`, `-ERR` or `+` followed by a space or the end of the line; case-insensitive because some
    /// old servers answer `+ok`.
    private static func hasIndicator(_ line: [UInt8], _ indicator: String) -> Bool {
        let expected = Array(indicator.utf8)
        guard line.count >= expected.count else { return false }
        func lowercased(_ byte: UInt8) -> UInt8 {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
        }
        for (byte, wanted) in zip(line, expected) where lowercased(byte) != lowercased(wanted) {
            return false
        }
        return line.count == expected.count || line[expected.count] == UInt8(ascii: " ")
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> Substring {
        Substring(String(decoding: bytes, as: UTF8.self))
    }
}
