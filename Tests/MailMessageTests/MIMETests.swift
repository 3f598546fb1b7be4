import Foundation
import TestSupport
import XCTest
@testable import MailMessage

final class TransferEncodingTests: XCTestCase {
    private func qp(_ s: String) -> String {
        let b = Array(s.utf8)
        return String(decoding: b.withUnsafeBufferPointer { TransferEncoding.quotedPrintable.decode($0) }, as: UTF8.self)
    }

    private func b64(_ s: String) -> [UInt8] {
        Array(s.utf8).withUnsafeBufferPointer { TransferEncoding.base64.decode($0) }
    }

    private func b64Count(_ s: String) -> Int {
        Array(s.utf8).withUnsafeBufferPointer { TransferEncoding.base64.decodedCount($0) }
    }

    func testQuotedPrintable() {
        XCTAssertEqual(qp("caf=C3=A9 cr=c3=a8me"), "café crème")
        XCTAssertEqual(qp("soft=\r\nbreak and=\nbare LF"), "softbreak andbare LF")
        XCTAssertEqual(qp("padded soft=  \r\nbreak"), "padded softbreak")
        XCTAssertEqual(qp("stray = sign and =XY and end="), "stray = sign and =XY and end")
        XCTAssertEqual(qp("a=3Db_c"), "a=b_c")
        XCTAssertEqual(qp("flowed \r\nline"), "flowed \r\nline")
    }

    func testQuotedPrintableCountMatchesDecode() {
        for s in ["caf=C3=A9", "soft=\r\nbreak", "x= \n", "stray = =", ""] {
            let b = Array(s.utf8)
            let n = b.withUnsafeBufferPointer { TransferEncoding.quotedPrintable.decodedCount($0) }
            XCTAssertEqual(n, qp(s).utf8.count, s)
        }
    }

    func testBase64() {
        XCTAssertEqual(b64("SGVsbG8sIHdvcmxkIQ=="), Array("Hello, world!".utf8))
        XCTAssertEqual(b64("SGVs\r\nbG8s\nIHdv cmxk\tIQ"), Array("Hello, world!".utf8))
        XCTAssertEqual(b64("SGVsbG8*!#sIHdvcmxkIQ=="), Array("Hello, world!".utf8))
        XCTAssertEqual(b64("YQ==YQ=="), Array("aa".utf8))
        XCTAssertEqual(b64("YW"), Array("a".utf8))
        XCTAssertEqual(b64("Y"), [])
        XCTAssertEqual(b64(""), [])
        XCTAssertEqual(b64("_-8"), [0xFF, 0xEF])
    }

    func testBase64CountMatchesDecode() {
        for s in ["SGVsbG8sIHdvcmxkIQ==", "YQ==YQ==", "YW", "Y", "", "SGVs\nbG8", "QUJD", "QUJDRA", "QUJDRA=", "=QUJD"] {
            XCTAssertEqual(b64Count(s), b64(s).count, s)
        }
    }

    /// The count sizes a part without decoding it, by a walk of its own; it must say what the
    /// decoder produces for any body: real encodings, wrapped and padded, and the same with junk,
    /// stray padding and cut quanta in them.
    func testBase64CountIsTheDecodedLengthForAnyInput() {
        var rng = SeededRandom(seed: 0xB64)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_".utf8)
        let noise = Array("=\r\n \t*!.\u{7F}".utf8) + [0xC3, 0xFF, 0x00]
        var checked = 0
        for round in 0..<5_000 {
            let original = (0..<rng.below(200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var text = Array(Data(original).base64EncodedString(options: rng.chance(50) ? [.lineLength76Characters] : []).utf8)
            XCTAssertEqual(text.withUnsafeBufferPointer { TransferEncoding.base64.decode($0) }, original, "round \(round)")
            if round % 3 != 0 {
                for _ in 0..<(1 + rng.below(6)) {
                    let at = rng.below(text.count + 1)
                    let byte = rng.chance(50) ? rng.pick(noise) : rng.pick(alphabet)
                    switch rng.below(3) {
                    case 0: text.insert(byte, at: at)
                    case 1 where at < text.count: text.remove(at: at)
                    default: if at < text.count { text[at] = byte }
                    }
                }
            }
            let (count, decoded) = text.withUnsafeBufferPointer { (TransferEncoding.base64.decodedCount($0), TransferEncoding.base64.decode($0)) }
            XCTAssertEqual(count, decoded.count, "round \(round): \(String(decoding: text, as: UTF8.self).debugDescription)")
            checked += 1
        }
        XCTAssertEqual(checked, 5_000)
    }

    func testQuotedPrintableCountIsTheDecodedLengthForAnyInput() {
        var rng = SeededRandom(seed: 0x9_0D)
        let pieces = ["=3D", "=C3=A9", "=c3=a8", "=\r\n", "= \n", "=\t\r\n", "=", "=X", "=4", "=4G", "_", " ", "\r\n", "\n", "abc", "caf", "é"]
        for round in 0..<3_000 {
            let text = Array((0..<rng.below(40)).map { _ in rng.pick(pieces) }.joined().utf8)
            let (count, decoded) = text.withUnsafeBufferPointer { (TransferEncoding.quotedPrintable.decodedCount($0), TransferEncoding.quotedPrintable.decode($0)) }
            XCTAssertEqual(count, decoded.count, "round \(round): \(String(decoding: text, as: UTF8.self).debugDescription)")
        }
    }

    func testEncodingTokens() {
        XCTAssertEqual(TransferEncoding(header: " BASE64 "), .base64)
        XCTAssertEqual(TransferEncoding(header: "Quoted-Printable"), .quotedPrintable)
        XCTAssertEqual(TransferEncoding(header: "8bit"), .identity)
        XCTAssertEqual(TransferEncoding(header: "x-uuencode"), .identity)
        XCTAssertEqual(TransferEncoding(header: nil), .identity)
    }
}

final class HeaderParametersTests: XCTestCase {
    func testContentTypeBasics() {
        let ct = ContentType(#"Text/HTML; Charset="UTF-8"; format=flowed (comment); name="a;b.txt""#)
        XCTAssertEqual(ct.mimeType, "text/html")
        XCTAssertEqual(ct["charset"], "UTF-8")
        XCTAssertEqual(ct["format"], "flowed (comment)")
        XCTAssertEqual(ct["name"], "a;b.txt")
    }

    func testMediaTypeAloneAgreesWithTheFullParse() {
        let samples = [
            "text/plain", "Text/HTML; charset=utf-8", " multipart/mixed ;boundary=x", "multipart/mixed boundary=x",
            "image/png (a comment); name=a.png", "\"text/plain\"", "garbage", "", "text/", "/plain", "text/plain/x",
            "application/octet-stream\t; name*=UTF-8''a%20b", "multipart/alternative;", "te xt/plain", "text/pl\u{1}ain",
            "TEXT/PLAIN", " text / plain ", "text/plain\r\n ; x=y", "tëxt/plain", "text/plaiñ", "image/svg+xml",
        ]
        for raw in samples {
            let full = ContentType(raw)
            let alone = ContentType.mediaType(raw)
            XCTAssertEqual("\(alone.type)/\(alone.subtype)", full.mimeType, raw)
        }
    }

    func testBrokenContentTypeFallsBackToTextPlain() {
        XCTAssertEqual(ContentType("garbage").mimeType, "text/plain")
        XCTAssertEqual(ContentType("").mimeType, "text/plain")
        XCTAssertEqual(ContentType("image/").mimeType, "text/plain")
        XCTAssertEqual(ContentType("multipart/mixed; boundary=\"unterminated").parameters["boundary"], "unterminated")
    }

    func testMissingSemicolonBeforeFirstParameter() {
        let ct = ContentType("multipart/mixed boundary=\"abc\"; charset=x")
        XCTAssertEqual(ct.mimeType, "multipart/mixed")
        XCTAssertEqual(ct["boundary"], "abc")
        XCTAssertEqual(ct["charset"], "x")
    }

    func testRFC2231ContinuationsAndCharset() {
        let cd = ContentDisposition("attachment; filename*0*=utf-8'en'%C3%9Cber; filename*1*=%20die%20Br%C3%BCcke; filename*2=\".pdf\"")
        XCTAssertTrue(cd.isAttachment)
        XCTAssertEqual(cd.filename, "Über die Brücke.pdf")
        XCTAssertEqual(ContentDisposition("inline; filename*=iso-8859-1''caf%E9.txt").filename, "café.txt")
        XCTAssertEqual(ContentDisposition("inline; filename*=''plain.txt").filename, "plain.txt")
        XCTAssertEqual(ContentDisposition("inline; filename*1=b; filename*0=a").filename, "ab")
        XCTAssertEqual(ContentDisposition("inline; filename=old.txt; filename*=utf-8''new.txt").filename, "new.txt")
    }

    func testHostileContinuationIndexIsIgnored() {
        XCTAssertNil(ContentDisposition("attachment; filename*99999999=x").filename)
    }
}
