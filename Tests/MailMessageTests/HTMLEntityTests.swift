import XCTest
@testable import MailMessage

/// Character references: HTML 5's rules, the names mail uses, and windows-1252 for 0x80–0x9F.
final class HTMLEntityTests: XCTestCase {
    /// The scalar `reference` decodes to and how many bytes it took, or nil when it is left as text.
    private func decode(_ reference: String, inAttribute: Bool = false) -> (String, Int)? {
        let bytes = Array(reference.utf8)
        guard let entity = HTMLEntity.decode(bytes, at: 0, end: bytes.count, inAttribute: inAttribute) else { return nil }
        return (String(Unicode.Scalar(entity.scalar).map(Character.init) ?? "?"), entity.next)
    }

    func testNumericReferencesInTheC1RangeAreWindows1252() {
        for value in 0x80...0x9F {
            let entity = HTMLEntity.decode(Array("&#\(value);".utf8), at: 0, end: 7, inAttribute: false)
            XCTAssertEqual(entity?.scalar, Charset.windows1252Scalar(UInt8(value)), "&#\(value);")
        }
        XCTAssertEqual(decode("&#x80;")?.0, "€")
        XCTAssertEqual(decode("&#150;")?.0, "–")
    }

    func testInvalidNumericReferencesBecomeTheReplacementCharacter() {
        for reference in ["&#0;", "&#xD800;", "&#1114112;", "&#99999999999999999;"] {
            XCTAssertEqual(decode(reference)?.0, "\u{FFFD}", reference)
        }
        XCTAssertNil(decode("&#;"))
        XCTAssertNil(decode("&#x;"))
        XCTAssertEqual(decode("&#0067 ")?.1, 6, "the semicolon is optional")
    }

    /// HTML 5 names seen in mail templates; libxml2 2.9 knows only HTML 4's.
    func testHTML5NamesBeyondHTML4() {
        XCTAssertEqual(decode("&check;")?.0, "✓")
        XCTAssertEqual(decode("&rsquor;")?.0, "’")
        XCTAssertEqual(decode("&ZeroWidthSpace;")?.0, "\u{200B}")
        XCTAssertEqual(decode("&NewLine;")?.0, "\n")
        XCTAssertEqual(decode("&apos;")?.0, "'")
    }

    func testLegacyNamesWithoutSemicolonTakeTheLongestMatch() {
        XCTAssertEqual(decode("&notit;").map { [$0.0, "\($0.1)"] }, ["¬", "4"])
        XCTAssertEqual(decode("&copy2024")?.0, "©")
        XCTAssertEqual(decode("&ampfoo")?.0, "&")
        XCTAssertEqual(decode("&AMP;")?.0, "&")
        XCTAssertNil(decode("&bogus;"))
        XCTAssertNil(decode("&hellip"), "only the legacy names work without the semicolon")
    }

    func testAttributeValuesKeepLegacyNamesBeforeLettersDigitsAndEquals() {
        XCTAssertNil(decode("&copy=3", inAttribute: true))
        XCTAssertNil(decode("&para2", inAttribute: true))
        XCTAssertEqual(decode("&copy=3")?.0, "©")
        XCTAssertEqual(decode("&amp;b", inAttribute: true)?.0, "&")
        XCTAssertEqual(decode("&para", inAttribute: true)?.0, "¶")
    }

    // MARK: End to end

    func testEntities() {
        let html = """
        <p>&amp; &lt; &gt; &quot; &apos; &nbsp;| &copy; &reg; &trade; &hellip; &mdash; &ndash;
        &lsquo;a&rsquo; &ldquo;b&rdquo; &laquo;c&raquo; &euro; &pound; &yen; &times; &middot; &bull; &deg;
        &Eacute;t&eacute; &agrave; &ntilde; &uuml; &szlig; &Oslash; &ccedil; &oelig; &Scaron;</p>
        <p>&#65;&#x42;&#X43;&#0067 &#x1F600; &#0; &#xD800; &#1114112; &#150; &#x92; &#99999999999999999;</p>
        <p>&copy2024 &ampfoo &notit; &bogus; &AMP; & alone &#; &#x;</p>
        """
        XCTAssertEqual(HTMLText.render(html).lines, [
            "& < > \" '  | © ® ™ … — – ‘a’ “b” «c» € £ ¥ × · • ° Été à ñ ü ß Ø ç œ Š",
            "",
            "ABCC 😀 \u{FFFD} \u{FFFD} \u{FFFD} – ’ \u{FFFD}",
            "",
            "©2024 &foo ¬it; &bogus; & & alone &#; &#x;",
        ])
    }

    func testEntitiesInAttributesFollowTheAttributeRule() {
        let html = #"<a href="https://x.example/?a=1&amp;b=2&copy=3&lang=en&para">go</a> <img alt="Caf&eacute; &amp; bar">"#
        let text = HTMLText.render(html)
        XCTAssertEqual(text.lines, ["go [1] [image: Café & bar]"])
        XCTAssertEqual(text.links, ["https://x.example/?a=1&b=2&copy=3&lang=en¶"])
    }
}
