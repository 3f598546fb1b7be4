import Foundation
import TestSupport
import XCTest
@testable import MailMessage

/// Property tests: seeded pseudo-random mutations of every corpus message never crash, finish
/// quickly, stay within the render bounds, and keep `render` and `attachment(_:in:)` in
/// agreement. Deterministic, so a failure reproduces with the printed seed.
final class MutationTests: XCTestCase {
    /// Bytes that matter to the parsers: delimiters, encodings, escapes, invalid UTF-8.
    static let interesting: [UInt8] = [0x2D, 0x0A, 0x0D, 0x3D, 0x3F, 0x3B, 0x22, 0x3C, 0x3E, 0x3A, 0x1B, 0x5B, 0x5D,
                                       0x00, 0x09, 0x20, 0xFF, 0xC3, 0xE2, 0x80, 0x9B, 0x2A, 0x27, 0x25]

    static func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var b = input
        let rounds = 1 + rng.below(4)
        for _ in 0..<rounds {
            switch rng.below(8) {
            case 0: // flip bytes
                for _ in 0..<(1 + rng.below(16)) where !b.isEmpty {
                    b[rng.below(b.count)] = rng.below(2) == 0 ? UInt8(truncatingIfNeeded: rng.next()) : interesting[rng.below(interesting.count)]
                }
            case 1: // truncate
                b = Array(b.prefix(rng.below(b.count + 1)))
            case 2: // duplicate a boundary-looking line many times
                if let line = randomLine(b, startingWith: [0x2D, 0x2D], &rng) {
                    let copies = 1 + rng.below(200)
                    let at = rng.below(b.count + 1)
                    b.insert(contentsOf: Array(repeating: line, count: copies).joined(), at: at)
                }
            case 3: // delete a chunk
                if !b.isEmpty {
                    let s = rng.below(b.count)
                    b.removeSubrange(s..<min(b.count, s + 1 + rng.below(400)))
                }
            case 4: // copy a chunk elsewhere
                if !b.isEmpty {
                    let s = rng.below(b.count)
                    let chunk = Array(b[s..<min(b.count, s + 1 + rng.below(400))])
                    b.insert(contentsOf: chunk, at: rng.below(b.count + 1))
                }
            case 5: // wrap in deep multipart / message nesting
                b = nest(b, depth: 1 + rng.below(60), &rng)
            case 6: // swap line endings
                b = rng.below(2) == 0 ? b.filter { $0 != 0x0D } : b.flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] }
            default: // insert interesting bytes
                for _ in 0..<(1 + rng.below(8)) {
                    b.insert(interesting[rng.below(interesting.count)], at: rng.below(b.count + 1))
                }
            }
        }
        return b
    }

    static func randomLine(_ b: [UInt8], startingWith prefix: [UInt8], _ rng: inout SeededRandom) -> [UInt8]? {
        var starts: [Int] = []
        var i = 0
        while i + prefix.count <= b.count {
            if (i == 0 || b[i - 1] == 0x0A), Array(b[i..<(i + prefix.count)]) == prefix { starts.append(i) }
            i += 1
        }
        guard !starts.isEmpty else { return nil }
        let s = starts[rng.below(starts.count)]
        let e = b[s...].firstIndex(of: 0x0A).map { $0 + 1 } ?? b.count
        return Array(b[s..<e])
    }

    static func nest(_ b: [UInt8], depth: Int, _ rng: inout SeededRandom) -> [UInt8] {
        var out = b
        for d in 0..<depth {
            if rng.below(2) == 0 {
                out = Array("Content-Type: message/rfc822\n\n".utf8) + out
            } else {
                let boundary = rng.below(3) == 0 ? "same" : "n\(d)"
                out = Array("Content-Type: multipart/mixed; boundary=\(boundary)\n\n--\(boundary)\n".utf8) + out
                    + (rng.below(2) == 0 ? Array("\n--\(boundary)--\n".utf8) : [])
            }
        }
        return out
    }

    static let options = RenderOptions(timeZone: TimeZone(identifier: "UTC")!, maxLines: 5_000)

    static func check(_ bytes: [UInt8], label: String) {
        let start = Date()
        let r = MessageRenderer.render(bytes, options: options)
        XCTAssertLessThanOrEqual(r.lines.count, options.maxLines + 1, label)
        XCTAssertLessThanOrEqual(r.attachments.count, options.maxParts, label)
        do {
            let plan = try AttachmentSavePlan.all(in: bytes, options: options)
            XCTAssertLessThanOrEqual(plan.totalBytes, bytes.count, "\(label): a save writes no more than the message")
            XCTAssertEqual(Set(plan.entries.map(\.info.index)).count, plan.entries.count, label)
            for entry in plan.entries {
                XCTAssertEqual(r.attachments[entry.info.index - 1], entry.info, label)
                XCTAssertEqual(entry.data().count, entry.info.size, label)
            }
        } catch {
            XCTFail("\(label): \(error)")
        }
        // One-by-one lookup re-parses the message, so sample it rather than try every index.
        for info in r.attachments.prefix(3) + r.attachments.suffix(2) {
            let found = try? AttachmentSavePlan.one(info.index, in: bytes, options: options)?.entries.first
            XCTAssertEqual(found?.info, info, label)
            XCTAssertEqual(found?.data().count, info.size, label)
        }
        _ = MessageRenderer.partialRender(bytes, options: options)
        _ = MessageSummary.parse(headerBytes: bytes)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "\(label) took too long")
    }

    func testMutatedCorpusNeverCrashes() throws {
        let messages = try CorpusTests.messages()
        XCTAssertFalse(messages.isEmpty)
        let perMessage = 40
        for (k, (name, bytes)) in messages.enumerated() {
            for round in 0..<perMessage {
                let seed = UInt64(k * 10_000 + round)
                var rng = SeededRandom(seed: seed)
                Self.check(Self.mutate(bytes, &rng), label: "\(name) seed \(seed)")
            }
        }
    }

    func testHostileShapesStayBounded() {
        var manyParts = "Content-Type: multipart/mixed; boundary=b\n\n"
        manyParts += String(repeating: "--b\nContent-Type: application/octet-stream\n\nx\n", count: 50_000)
        Self.check(Array(manyParts.utf8), label: "50k parts")

        var deepMessages = ""
        for _ in 0..<5_000 { deepMessages += "Content-Type: message/rfc822\n\n" }
        Self.check(Array((deepMessages + "text\n").utf8), label: "5000 nested messages")

        let longHeader = "Subject: " + String(repeating: "=?utf-8?q?a?= ", count: 20_000) + "\n\nbody\n"
        Self.check(Array(longHeader.utf8), label: "huge encoded subject")

        let manyLines = "Subject: x\n\n" + String(repeating: "\n", count: 1_000_000)
        Self.check(Array(manyLines.utf8), label: "a million empty lines")

        let escapes = "Subject: x\n\n" + String(repeating: "\u{1B}]0;", count: 100_000)
        Self.check(Array(escapes.utf8), label: "unterminated OSC storm")

        let params = "Content-Type: text/plain; " + String(repeating: "name*7=x; ", count: 50_000) + "\n\nx"
        Self.check(Array(params.utf8), label: "parameter storm")

        let addresses = "To: " + String(repeating: "a@b, ", count: 100_000) + "\n\n"
        Self.check(Array(addresses.utf8), label: "address storm")
        XCTAssertEqual(AddressList.parse(String(repeating: "a@b, ", count: 100_000)).count, AddressList.maxAddresses)
    }
}
