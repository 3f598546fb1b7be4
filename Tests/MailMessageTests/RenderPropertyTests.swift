import Foundation
import TestSupport
import XCTest
@testable import MailMessage

/// Properties of everything the renderer hands to a terminal, over seeded random messages
/// built from the pieces hostile mail is made of (escape sequences, C1 controls, bidi
/// overrides, broken encodings, deep nesting, thousands of parts) and over mutations of them.
/// Deterministic: a failure names its seed.
final class RenderPropertyTests: XCTestCase {
    typealias Random = SeededRandom

    static let options = RenderOptions(timeZone: TimeZone(identifier: "UTC")!, maxLines: 5_000)

    /// Text a hostile sender might put anywhere: printable text of every width, and the
    /// scalars that must never reach a terminal.
    static let textPieces = [
        "hello", " ", "  ", "\t", "\r\n", "\n", "\r", "é", "Grüße", "東京", "😀", "e\u{301}", "\u{FFFD}",
        "\u{1B}[2J", "\u{1B}]0;pwned\u{7}", "\u{1B}]52;c;aGk=\u{1B}\\", "\u{1B}P1$r\u{1B}\\", "\u{1B}c", "\u{1B}",
        "\u{9B}31m", "\u{9D}0;x\u{9C}", "\u{90}q", "\u{85}", "\u{7}", "\u{0}", "\u{8}", "\u{7F}", "\u{8F}",
        "\u{202E}", "\u{202D}", "\u{2066}", "\u{2069}", "\u{200F}", "\u{061C}", "\u{200B}", "\u{FEFF}", "\u{2028}",
        "\u{E0041}", "\u{E000}", "\u{378}", "<", ">", "&", "&#27;", "&#x9b;", "&#8238;", "&lt;", "=?", "?=", "=",
        "--", "-- ", "> ", ">>", ";", "\"", "=?utf-8?q?=1B[31m?=", "=?utf-8?b?G10wO3B3bmVkBw==?=",
        "=?iso-8859-1?q?=9B2J?=", "=?utf-16?b?ACAgLg==?=", "=?x-bogus?q?a?=",
        ":;", ":", ",", "@", "<a@b>", "(c)", "\"q\"", "=?utf-8?q?=1B]0;t=07?=:;",
    ]

    static func text(_ rng: inout SeededRandom, pieces: Int) -> String {
        var s = ""
        for _ in 0..<pieces {
            if rng.below(6) == 0 {
                // Any scalar at all, surrogates excepted.
                let v = UInt32(truncatingIfNeeded: rng.next() % 0x11_0000)
                s.unicodeScalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
            } else {
                s += textPieces[rng.below(textPieces.count)]
            }
        }
        return s
    }

    /// One header line whose value is random text, sometimes as raw 8-bit bytes that are not
    /// UTF-8, sometimes folded.
    static func headerLine(_ name: String, _ rng: inout SeededRandom) -> [UInt8] {
        var value = Array(text(&rng, pieces: rng.below(12)).utf8).filter { $0 != 0x0A && $0 != 0x0D }
        if rng.below(4) == 0 { value.insert(contentsOf: [0xD0, 0x9B, 0xFF, 0xC3], at: rng.below(value.count + 1)) }
        if rng.below(4) == 0 { value.insert(contentsOf: Array("\r\n\t".utf8), at: rng.below(value.count + 1)) }
        return Array("\(name): ".utf8) + value + [0x0D, 0x0A]
    }

    static let leafTypes = [
        "text/plain", "text/plain; charset=utf-8", "text/plain; charset=iso-8859-1", "text/plain; charset=koi8-r",
        "text/plain; charset=utf-16", "text/plain; format=flowed; delsp=yes", "text/html", "text/html; charset=shift_jis",
        "application/octet-stream", "image/png; name=\"\u{202E}gnp.exe\"", "message/delivery-status", "text/calendar",
    ]

    /// A random MIME entity: headers, then a leaf body, a multipart of up to `width` children
    /// or an attached message, at most `depth` levels down.
    static func entity(_ rng: inout SeededRandom, depth: Int, width: Int) -> [UInt8] {
        var head: [UInt8] = []
        for name in ["From", "To", "Subject", "Date", "X-Junk"] where rng.below(3) != 0 {
            head += headerLine(name, &rng)
        }
        if rng.below(3) == 0 {
            head += Array("Content-Disposition: attachment; filename=\"".utf8)
                + Array(text(&rng, pieces: 1 + rng.below(6)).utf8).filter { $0 != 0x0A && $0 != 0x0D && $0 != 0x22 }
                + Array("\"\r\n".utf8)
        }
        let kind = depth > 0 ? rng.below(6) : 0
        switch kind {
        case 1, 2:
            let boundary = rng.below(4) == 0 ? "same" : "b\(rng.below(1_000_000))"
            let subtype = ["mixed", "alternative", "related", "digest", "report"][rng.below(5)]
            var body = Array("Content-Type: multipart/\(subtype); boundary=\"\(boundary)\"\r\n\r\n".utf8)
            for _ in 0..<(1 + rng.below(width)) {
                body += Array("--\(boundary)\r\n".utf8) + entity(&rng, depth: depth - 1, width: max(1, width / 4)) + [0x0D, 0x0A]
            }
            if rng.below(3) != 0 { body += Array("--\(boundary)--\r\n".utf8) }
            return head + body
        case 3:
            let inner = entity(&rng, depth: depth - 1, width: width)
            if rng.below(3) == 0 {
                return head + Array("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8)
                    + Array(Data(inner).base64EncodedString(options: .lineLength76Characters).utf8)
            }
            return head + Array("Content-Type: message/rfc822\r\n\r\n".utf8) + inner
        default:
            let type = leafTypes[rng.below(leafTypes.count)]
            var body = Array(text(&rng, pieces: rng.below(40)).utf8)
            if rng.below(5) == 0 { body += (0..<rng.below(64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
            switch rng.below(4) {
            case 0:
                return head + Array("Content-Type: \(type)\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8)
                    + Array(Data(body).base64EncodedString(options: .lineLength76Characters).utf8)
            case 1:
                let qp = body.flatMap { b -> [UInt8] in
                    b >= 0x21 && b <= 0x7E && b != 0x3D ? [b] : Array(String(format: "=%02X", b).utf8)
                }
                return head + Array("Content-Type: \(type)\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8) + qp
            default:
                return head + Array("Content-Type: \(type)\r\n\r\n".utf8) + body
            }
        }
    }

    /// The scalars no rendered text may hold: C0 controls but newline (tabs are expanded),
    /// DEL and C1 (ESC and CSI among them), bidi controls and invisible format characters,
    /// and line separators.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0x2066...0x206F, 0xFEFF, 0xE0000...0xE007F:
            return true
        default: return false
        }
    }

    /// Output may grow past its input only by what the renderer adds per part and per line
    /// (markers, separators, expanded tabs, link numbers), never by a factor that depends on
    /// how the input nests.
    static func maxOutput(forInput count: Int) -> Int { 16 * count + 4_096 }

    static func check(_ bytes: [UInt8], label: String) {
        let start = Date()
        for (kind, r) in [("render", MessageRenderer.render(bytes, options: options)),
                          ("partial", MessageRenderer.partialRender(bytes, options: options))] {
            let shown = [("brief headers", r.briefHeaders.map { "\($0.name): \($0.value)\n" }.joined()),
                         ("body", r.lines.map { $0.text + "\n" }.joined()),
                         ("full headers", r.fullHeaders.map { "\($0.name): \($0.value)\n" }.joined()),
                         ("attachments", r.attachments.map { $0.summary + "\n" }.joined())]
            for (part, text) in shown {
                if let bad = text.unicodeScalars.first(where: isUnsafe) {
                    let line = text.split(separator: "\n").first { $0.unicodeScalars.contains(where: isUnsafe) } ?? ""
                    XCTFail("\(label) \(kind) \(part): U+\(String(bad.value, radix: 16, uppercase: true)) reaches the terminal "
                        + "in \(String(line.prefix(120)).debugDescription)")
                }
            }
            for line in r.lines where line.text.contains("\n") {
                XCTFail("\(label) \(kind): a body line holds a line break: \(line.text.debugDescription)")
            }
            XCTAssertLessThanOrEqual(r.plainText.utf8.count, maxOutput(forInput: bytes.count), "\(label) \(kind)")
            XCTAssertLessThanOrEqual(r.lines.count, options.maxLines + 1, "\(label) \(kind)")
            XCTAssertLessThanOrEqual(r.attachments.count, options.maxParts, "\(label) \(kind)")
        }
        XCTAssertLessThanOrEqual(try AttachmentSavePlan.all(in: bytes, options: options).totalBytes, bytes.count, label)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "\(label) took too long")
    }

    func testRandomMessagesRenderOnlySafeBoundedText() {
        for seed in UInt64(0)..<300 {
            var rng = SeededRandom(seed: 0x7261_6E64 &+ seed)
            let message = Self.entity(&rng, depth: rng.below(8), width: 1 + rng.below(12))
            Self.check(message, label: "random seed \(seed)")
            Self.check(MutationTests.mutate(message, &rng), label: "mutated random seed \(seed)")
        }
    }

    func testDeepAndWideRandomMessagesStayBounded() {
        for seed in UInt64(0)..<6 {
            var rng = SeededRandom(seed: 0x6465_6570 &+ seed)
            let deep = Self.entity(&rng, depth: 40, width: 2)
            Self.check(deep, label: "deep seed \(seed)")
            var wide = Array("Content-Type: multipart/mixed; boundary=w\r\n\r\n".utf8)
            for _ in 0..<(2_000 + rng.below(3_000)) {
                wide += Array("--w\r\n".utf8) + Self.entity(&rng, depth: 1, width: 2) + [0x0D, 0x0A]
            }
            Self.check(wide, label: "wide seed \(seed)")
        }
    }

    /// The bound is not vacuous: a message made of nothing but markers comes close to it.
    func testOutputBoundIsTightEnoughToMeanSomething() {
        var many = "Content-Type: multipart/mixed; boundary=b\n\n"
        many += String(repeating: "--b\nContent-Type: a/b\n\n\n", count: 900)
        let bytes = Array(many.utf8)
        let out = MessageRenderer.render(bytes, options: Self.options).plainText.utf8.count
        XCTAssertGreaterThan(out, bytes.count * 2, "markers outgrow their parts")
        XCTAssertLessThanOrEqual(out, Self.maxOutput(forInput: bytes.count))
    }
}
