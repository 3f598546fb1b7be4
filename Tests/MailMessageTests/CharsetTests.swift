import XCTest
@testable import MailMessage

final class CharsetTests: XCTestCase {
    private func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = hex.replacingOccurrences(of: " ", with: "").makeIterator()
        while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
        return out
    }

    func testUTF8AndASCII() {
        XCTAssertEqual(Charset.decode(Array("Grüße".utf8), label: "utf-8"), "Grüße")
        XCTAssertEqual(Charset.decode(Array("plain".utf8), label: "us-ascii"), "plain")
        XCTAssertEqual(Charset.decode(Array("UTF8".utf8), label: "\"UTF8\""), "UTF8")
    }

    func testLatin1LabelsDecodeAsWindows1252() {
        XCTAssertEqual(Charset.decode(bytes("93 63 61 66 E9 94 20 80"), label: "iso-8859-1"), "\u{201C}café\u{201D} €")
        XCTAssertEqual(Charset.decode(bytes("E9"), label: "windows-1252"), "é")
    }

    func testISO8859Family() {
        XCTAssertEqual(Charset.decode(bytes("A4"), label: "iso-8859-15"), "€")
        XCTAssertEqual(Charset.decode(bytes("B1 EA"), label: "ISO-8859-2"), "ąę")
        XCTAssertEqual(Charset.decode(bytes("C0 C1"), label: "iso-8859-5"), "РС")
        XCTAssertEqual(Charset.decode(bytes("E0"), label: "iso-8859-8-i"), "א")
        XCTAssertEqual(Charset.decode(bytes("A1"), label: "iso-8859-16"), "Ą")
    }

    func testWindowsCodePages() {
        XCTAssertEqual(Charset.decode(bytes("9A"), label: "windows-1250"), "š")
        XCTAssertEqual(Charset.decode(bytes("CF F0 E8 E2 E5 F2"), label: "windows-1251"), "Привет")
        XCTAssertEqual(Charset.decode(bytes("E1"), label: "windows-1253"), "α")
        XCTAssertEqual(Charset.decode(bytes("FD"), label: "windows-1254"), "ı")
        XCTAssertEqual(Charset.decode(bytes("E0"), label: "windows-1255"), "א")
        XCTAssertEqual(Charset.decode(bytes("C7"), label: "windows-1256"), "ا")
        XCTAssertEqual(Charset.decode(bytes("E0"), label: "windows-1257"), "ą")
        XCTAssertEqual(Charset.decode(bytes("61 CC"), label: "windows-1258"), "a\u{300}")
    }

    func testKOI8() {
        XCTAssertEqual(Charset.decode(bytes("F0 D2 C9 D7 C5 D4"), label: "koi8-r"), "Привет")
        XCTAssertEqual(Charset.decode(bytes("A4"), label: "koi8-u"), "є")
    }

    func testCJK() {
        XCTAssertEqual(Charset.decode(bytes("C4 E3 BA C3"), label: "gb2312"), "你好")
        XCTAssertEqual(Charset.decode(bytes("C4 E3 BA C3"), label: "gbk"), "你好")
        XCTAssertEqual(Charset.decode(bytes("C4 E3 BA C3"), label: "GB18030"), "你好")
        XCTAssertEqual(Charset.decode(bytes("A7 41 A6 6E"), label: "big5"), "你好")
        XCTAssertEqual(Charset.decode(bytes("82 B1 82 F1 82 C9 82 BF 82 CD"), label: "shift_jis"), "こんにちは")
        XCTAssertEqual(Charset.decode(bytes("A4 B3 A4 F3"), label: "euc-jp"), "こん")
        XCTAssertEqual(Charset.decode(bytes("1B 24 42 24 33 24 73 1B 28 42"), label: "iso-2022-jp"), "こん")
        XCTAssertEqual(Charset.decode(bytes("BE C8 B3 E7"), label: "euc-kr"), "안녕")
        XCTAssertEqual(Charset.decode(bytes("BE C8 B3 E7"), label: "ks_c_5601-1987"), "안녕")
    }

    func testUTF16WithAndWithoutBOM() {
        XCTAssertEqual(Charset.decode(bytes("FE FF 00 48 00 69"), label: "utf-16"), "Hi")
        XCTAssertEqual(Charset.decode(bytes("FF FE 48 00 69 00"), label: "utf-16"), "Hi")
        XCTAssertEqual(Charset.decode(bytes("00 48 00 69"), label: "utf-16"), "Hi")
        XCTAssertEqual(Charset.decode(bytes("48 00 69 00"), label: "UTF-16LE"), "Hi")
        XCTAssertEqual(Charset.decode(bytes("D8 3D DE 00"), label: "utf-16be"), "😀")
    }

    func testUnknownLabelFallsBack() {
        XCTAssertEqual(Charset.decode(Array("Grüße".utf8), label: "x-made-up"), "Grüße")
        XCTAssertEqual(Charset.decode(bytes("47 72 FC DF 65"), label: "x-made-up"), "Grüße")
        XCTAssertEqual(Charset.decode(bytes("47 72 FC DF 65"), label: nil), "Grüße")
        XCTAssertEqual(Charset.decode(bytes("E9"), label: "utf-8//TRANSLIT"), "é")
    }

    func testLyingLabelsPreferValidUTF8() {
        XCTAssertEqual(Charset.decode(Array("Grüße".utf8), label: "us-ascii"), "Grüße")
        XCTAssertEqual(Charset.decode(Array("Grüße".utf8), label: "iso-8859-1"), "Grüße")
        XCTAssertEqual(Charset.decode(Array("Привет".utf8), label: "koi8-r"), "Привет")
    }

    func testInvalidUTF8UnderUTF8LabelKeepsTheValidPart() {
        XCTAssertEqual(Charset.decode(Array("Grüße ".utf8) + [0xE9, 0x74, 0xE9], label: "utf-8"), "Grüße été")
    }

    func testInvalidBytesInMultibyteCharsetNeverFail() {
        let text = Charset.decode(bytes("82 B1 FF 82 F1"), label: "shift_jis")
        XCTAssertTrue(text.hasPrefix("こ"))
        XCTAssertTrue(text.hasSuffix("ん"))
    }

    func testEmptyInput() {
        XCTAssertEqual(Charset.decode([], label: "shift_jis"), "")
        XCTAssertEqual(Charset.decode([], label: "utf-16"), "")
    }
}
