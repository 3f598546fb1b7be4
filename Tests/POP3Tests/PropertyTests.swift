import NIOCore
import TestSupport
import XCTest

@testable import POP3

/// Seeded, bounded property tests of the decoder and the listing parsers: each runs a few
/// hundred random cases in well under a few seconds, and each asserts something that a broken
/// parser would violate.
final class PropertyTests: XCTestCase {
    /// Bytes that matter to the parsers: line ends, dots, spaces, brackets, NUL, ESC, invalid UTF-8.
    private static let interesting: [UInt8] = [0x0A, 0x0D, 0x2E, 0x20, 0x2B, 0x2D, 0x5B, 0x5D, 0x00, 0x1B, 0xFF, 0xC3]

    // MARK: The response decoder

    /// The same replies come out however the bytes are split into reads.
    func testRepliesAreTheSameHoweverTheBytesAreSplit() throws {
        var rng = SeededRandom(seed: 17)
        for round in 0..<150 {
            var commands: [POP3Command] = []
            var wire: [UInt8] = []
            var expected: [DecodedReply] = []
            for _ in 0..<(1 + rng.below(6)) {
                let (command, bytes, reply) = Self.randomReply(&rng)
                commands.append(command)
                wire += bytes
                expected.append(reply)
            }
            let whole = try DecoderHarness()
            for command in commands { try whole.send(command) }
            XCTAssertEqual(try whole.feed(wire, byteByByte: false), expected, "round \(round)")

            let split = try DecoderHarness()
            for command in commands { try split.send(command) }
            var replies: [DecodedReply] = []
            var offset = 0
            while offset < wire.count {
                let length = 1 + rng.below(min(rng.chance(20) ? 2 : 64, wire.count - offset))
                try split.channel.writeInbound(ByteBuffer(bytes: wire[offset..<(offset + length)]))
                replies += try split.drain()
                offset += length
            }
            XCTAssertEqual(replies, expected, "round \(round)")
        }
    }

    /// Random and mutated byte streams, split at random: each ends in replies within the bounds
    /// or in a `POP3Error`, never a crash, and never more replies than commands.
    func testHostileStreamsEndInATypedErrorOrBoundedReplies() throws {
        var rng = SeededRandom(seed: 1717)
        let limits = POP3ResponseDecoder.Limits(
            maxLineLength: 512, maxMessageSize: 4096, maxTopReplySize: 2048, maxListingSize: 1024)
        let commandChoices: [POP3Command] = [
            .noop, .retr(1), .top(1, lines: 0), .list(nil), .uidl(nil), .capa, .auth(mechanism: "LOGIN", initialResponse: nil),
            .stat, .stls,
        ]
        var errors = 0
        for round in 0..<500 {
            let harness = try DecoderHarness(limits: limits)
            let commands = (0..<(1 + rng.below(8))).map { _ in rng.pick(commandChoices) }
            for command in commands { try harness.send(command) }
            var wire: [UInt8] = []
            if rng.chance(30) {
                wire = (0..<rng.below(12_000)).map { _ in
                    rng.chance(30) ? rng.pick(Self.interesting) : UInt8(truncatingIfNeeded: rng.next())
                }
            } else {
                for _ in 0..<commands.count { wire += Self.randomReply(&rng).bytes }
                wire = Self.mutate(wire, &rng)
            }
            var replies: [DecodedReply] = []
            var failed = false
            var offset = 0
            while offset < wire.count, !failed {
                let length = 1 + rng.below(min(512, wire.count - offset))
                do {
                    try harness.channel.writeInbound(ByteBuffer(bytes: wire[offset..<(offset + length)]))
                    replies += try harness.drain()
                } catch {
                    XCTAssertNotNil(error as? POP3Error, "round \(round): \(error)")
                    failed = true
                    errors += 1
                }
                offset += length
            }
            XCTAssertLessThanOrEqual(replies.count, commands.count, "round \(round)")
            for reply in replies {
                switch reply {
                case .status(let status):
                    XCTAssertLessThanOrEqual(status.text.utf8.count, 3 * limits.maxLineLength, "round \(round)")
                case .continuation(let text):
                    XCTAssertLessThanOrEqual(text.utf8.count, 3 * limits.maxLineLength, "round \(round)")
                case .multiLine(_, let body):
                    XCTAssertLessThanOrEqual(body.count, limits.maxMessageSize, "round \(round)")
                }
            }
        }
        XCTAssertGreaterThan(errors, 100, "the streams are hostile enough to fail often")
    }

    /// A status line that never ends is refused once it outgrows the line bound, however it is
    /// split: the decoder never buffers an unbounded line.
    func testAnEndlessLineIsRefusedAtTheBound() throws {
        var rng = SeededRandom(seed: 99)
        for round in 0..<100 {
            let harness = try DecoderHarness(limits: .init(maxLineLength: 512))
            try harness.send(.noop)
            let length = 514 + rng.below(5_000)
            let wire = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }.map { $0 == 0x0A ? 0x20 : $0 }
            var thrown: (any Error)?
            var offset = 0
            while offset < wire.count, thrown == nil {
                let chunk = 1 + rng.below(min(700, wire.count - offset))
                do {
                    try harness.channel.writeInbound(ByteBuffer(bytes: wire[offset..<(offset + chunk)]))
                } catch {
                    thrown = error
                    XCTAssertLessThanOrEqual(offset + chunk, 513 + 700, "round \(round): refused late")
                }
                offset += chunk
            }
            XCTAssertEqual(thrown as? POP3Error, .lineTooLong(limit: 512), "round \(round)")
        }
    }

    /// CAPA replies of up to 512 lines pass whole; one line more is refused.
    func testCAPALineCountIsBounded() throws {
        var rng = SeededRandom(seed: 512)
        for round in 0..<60 {
            let count = rng.chance(50) ? rng.below(513) : 513 + rng.below(2_000)
            let lines = (0..<count).map { _ in Self.randomWord(&rng, letters: 1 + rng.below(30)) }
            let harness = try DecoderHarness()
            try harness.send(.capa)
            let wire = "+OK\r\n" + lines.map { ($0.hasPrefix(".") ? "." : "") + $0 + "\r\n" }.joined() + ".\r\n"
            do {
                let replies = try harness.feed(Array(wire.utf8), byteByByte: false)
                XCTAssertLessThanOrEqual(count, 512, "round \(round): \(count) lines passed")
                guard case .multiLine(_, let body) = replies.first else { return XCTFail("round \(round)") }
                let capabilities = Capabilities.parse(Listing.stringLines(body))
                XCTAssertEqual(capabilities.raw, lines.filter { !$0.isEmpty }, "round \(round)")
            } catch {
                XCTAssertGreaterThan(count, 512, "round \(round)")
                XCTAssertEqual(error as? POP3Error, .tooManyLines(command: "CAPA", limit: 512), "round \(round)")
            }
        }
    }

    // MARK: The listing parsers

    /// Every accepted UID is 1–70 characters in 0x21–0x7E and unique, numbers are unique and
    /// positive, no more entries than the bound, every line is an entry or a counted problem,
    /// and only a few problems of each kind are kept.
    func testUIDLParserProperties() {
        var rng = SeededRandom(seed: 4242)
        for round in 0..<400 {
            let lines = (0..<rng.below(300)).map { _ in Self.randomUIDLLine(&rng) }
            var body: [UInt8] = []
            for line in lines { body += line + (rng.chance(80) ? [0x0D, 0x0A] : [0x0A]) }
            let maxEntries = rng.chance(50) ? UIDListing.maxEntries : rng.below(200)
            let listing = UIDListing.parse(body, maxEntries: maxEntries)

            for entry in listing.entries {
                XCTAssertTrue((1...70).contains(entry.uid.utf8.count), "round \(round): \(entry)")
                XCTAssertTrue(entry.uid.utf8.allSatisfy { (0x21...0x7E).contains($0) }, "round \(round): \(entry)")
                XCTAssertGreaterThan(entry.number, 0, "round \(round)")
            }
            XCTAssertLessThanOrEqual(listing.entries.count, maxEntries, "round \(round)")
            XCTAssertEqual(Set(listing.entries.map(\.uid)).count, listing.entries.count, "round \(round)")
            XCTAssertEqual(Set(listing.entries.map(\.number)).count, listing.entries.count, "round \(round)")
            let nonEmpty = body.split(separator: UInt8(0x0A)).filter { Array($0) != [0x0D] }.count
            XCTAssertEqual(listing.entries.count + listing.problemCounts.values.reduce(0, +), nonEmpty, "round \(round)")
            XCTAssertLessThanOrEqual(listing.problems.count, 8 * listing.problemCounts.count, "round \(round)")
            XCTAssertEqual(listing.problemSummary.count, listing.problemCounts.count, "round \(round)")
        }
    }

    /// LIST either yields at most the bound of positive-numbered entries or fails with a typed
    /// error; a listing of only good lines fails exactly when it has more lines than the bound.
    func testLISTParserProperties() {
        var rng = SeededRandom(seed: 777)
        for round in 0..<400 {
            let wellFormed = rng.chance(40)
            let lines: [[UInt8]] = (0..<rng.below(300)).map { index in
                wellFormed ? Array("\(index + 1) \(rng.below(1 << 20))".utf8) : Self.randomLISTLine(&rng)
            }
            let bound = rng.chance(50) ? nil : rng.below(300)
            var body: [UInt8] = []
            for line in lines { body += line + [0x0D, 0x0A] }
            do {
                let entries = try POP3Session.listEntries(
                    .multiLine(StatusLine(isOK: true, text: ""), body: body), messageCount: bound)
                XCTAssertLessThanOrEqual(entries.count, bound ?? UIDListing.maxEntries, "round \(round)")
                for entry in entries {
                    XCTAssertGreaterThan(entry.number, 0, "round \(round)")
                    XCTAssertGreaterThanOrEqual(entry.size, 0, "round \(round)")
                }
                if wellFormed { XCTAssertEqual(entries.count, lines.count, "round \(round)") }
            } catch let error as POP3Error {
                switch error {
                case .tooManyLines(let command, let limit):
                    XCTAssertEqual(command, "LIST")
                    XCTAssertEqual(limit, bound, "round \(round)")
                case .malformedResponse:
                    XCTAssertFalse(wellFormed, "round \(round): \(error)")
                default:
                    XCTFail("round \(round): \(error)")
                }
                if wellFormed { XCTAssertGreaterThan(lines.count, bound ?? .max, "round \(round)") }
            } catch {
                XCTFail("round \(round): untyped \(error)")
            }
        }
    }

    /// Random capability lines: the SASL list holds each mechanism once, upper-cased, and
    /// LOGIN-DELAY is never negative.
    func testCAPAParserProperties() {
        var rng = SeededRandom(seed: 2449)
        let keywords = ["SASL", "sasl", "LOGIN-DELAY", "EXPIRE", "TOP", "UIDL", "USER", "PIPELINING", "STLS", "X"]
        for round in 0..<400 {
            let lines = (0..<rng.below(40)).map { _ -> String in
                var words = [rng.pick(keywords)]
                for _ in 0..<rng.below(6) {
                    words.append(rng.chance(30) ? "\(Int(truncatingIfNeeded: rng.next()) % 100_000)" : Self.randomWord(&rng, letters: 1 + rng.below(12)))
                }
                return words.joined(separator: rng.chance(80) ? " " : "  ")
            }
            let capabilities = Capabilities.parse(lines)
            XCTAssertEqual(capabilities.raw, lines)
            XCTAssertEqual(Set(capabilities.sasl).count, capabilities.sasl.count, "round \(round)")
            XCTAssertTrue(capabilities.sasl.allSatisfy { $0 == $0.uppercased() }, "round \(round)")
            if let delay = capabilities.loginDelay { XCTAssertGreaterThanOrEqual(delay, 0, "round \(round)") }
        }
    }

    // MARK: Generators

    /// A command, the server's bytes answering it, and what the decoder must make of them.
    static func randomReply(_ rng: inout SeededRandom) -> (command: POP3Command, bytes: [UInt8], reply: DecodedReply) {
        let eol: [UInt8] = rng.chance(80) ? [0x0D, 0x0A] : [0x0A]
        let multiLine: [POP3Command] = [.retr(1 + rng.below(9)), .top(1, lines: rng.below(5)), .list(nil), .uidl(nil), .capa]
        let command = rng.chance(40) ? rng.pick([POP3Command.noop, .stat, .dele(1), .rset]) : rng.pick(multiLine)
        let text = (0..<rng.below(5)).map { _ in randomWord(&rng, letters: 1 + rng.below(10)) }.joined(separator: " ")
        if command.replyKind == .singleLine || rng.chance(15) {
            // To a multi-line command only -ERR is a single line.
            let ok = command.replyKind == .singleLine && rng.chance(70)
            let line = (ok ? "+OK" : "-ERR") + (text.isEmpty ? "" : " " + text)
            return (command, Array(line.utf8) + eol, .status(StatusLine(isOK: ok, text: text)))
        }
        var wire = Array("+OK".utf8) + eol
        var content: [UInt8] = []
        for _ in 0..<rng.below(40) {
            var line: [UInt8] = (0..<rng.below(command.replyKind == .listing ? 200 : 1_500)).map { _ in
                let byte = rng.chance(10) ? rng.pick([UInt8(0x2E), 0x20, 0xFF, 0xC3, 0x00]) : UInt8(0x21 + rng.below(0x5E))
                return byte
            }
            if rng.chance(20) { line.insert(0x2E, at: 0) }
            let ending: [UInt8] = rng.chance(80) ? [0x0D, 0x0A] : [0x0A]
            content += line + ending
            // RFC 1939 byte-stuffing: a line that starts with "." gets one more on the wire.
            wire += (line.first == 0x2E ? [0x2E] : []) + line + ending
        }
        wire += [0x2E] + eol
        return (command, wire, .multiLine(StatusLine(isOK: true, text: ""), content))
    }

    static func randomWord(_ rng: inout SeededRandom, letters: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:".utf8)
        return String(decoding: (0..<letters).map { _ in rng.pick(alphabet) }, as: UTF8.self)
    }

    static func randomUIDLLine(_ rng: inout SeededRandom) -> [UInt8] {
        let number = rng.pick(["\(1 + rng.below(40))", "0", "-1", "", "x", String(repeating: "9", count: 19), " \(1 + rng.below(9))"])
        let uidLength = rng.chance(10) ? 60 + rng.below(20) : 1 + rng.below(12)
        var uid: [UInt8] = rng.chance(20)
            ? Array("u\(rng.below(5))".utf8)
            : (0..<uidLength).map { _ in rng.chance(5) ? rng.pick(interesting) : UInt8(0x21 + rng.below(0x5E)) }
        if rng.chance(10) { uid += [0x20, 0x20] }
        if rng.chance(5) { uid.insert(0x20, at: uid.count / 2) }
        return rng.chance(5) ? [] : Array(number.utf8) + (rng.chance(90) ? [0x20] : [0x20, 0x20]) + uid.filter { $0 != 0x0A }
    }

    static func randomLISTLine(_ rng: inout SeededRandom) -> [UInt8] {
        let fields = (0..<rng.below(4)).map { _ in
            rng.chance(70) ? "\(rng.below(1_000_000))" : randomWord(&rng, letters: 1 + rng.below(20))
        }
        return Array(fields.joined(separator: rng.chance(80) ? " " : "   ").utf8)
    }

    /// Flips, inserts, deletes and repeats bytes of a valid exchange.
    static func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + rng.below(4)) {
            switch rng.below(5) {
            case 0:
                for _ in 0..<(1 + rng.below(8)) where !bytes.isEmpty {
                    bytes[rng.below(bytes.count)] = rng.chance(50) ? rng.pick(interesting) : UInt8(truncatingIfNeeded: rng.next())
                }
            case 1:
                bytes = Array(bytes.prefix(rng.below(bytes.count + 1)))
            case 2:
                if !bytes.isEmpty {
                    let start = rng.below(bytes.count)
                    bytes.removeSubrange(start..<min(bytes.count, start + 1 + rng.below(200)))
                }
            case 3:
                if !bytes.isEmpty {
                    let start = rng.below(bytes.count)
                    let chunk = Array(bytes[start..<min(bytes.count, start + 1 + rng.below(300))])
                    let copies = 1 + rng.below(40)
                    bytes.insert(contentsOf: Array(repeating: chunk, count: copies).joined(), at: rng.below(bytes.count + 1))
                }
            default:
                bytes.insert(contentsOf: (0..<rng.below(2_000)).map { _ in UInt8(0x21 + rng.below(0x5E)) }, at: rng.below(bytes.count + 1))
            }
        }
        return bytes
    }
}
