import XCTest
@testable import MailMessage

/// The tokenizer on its own (tokens, attributes, what counts as markup), then broken markup end to end.
final class HTMLTokenizerTests: XCTestCase {
    private static let names = [
        "p", "a", "b", "i", "br", "td", "tr", "table", "img", "div", "pre", "blockquote", "x-long-custom-element",
    ]

    /// The tokens of `html`, written as `<name>`, `</name>`, `text …` and `cdata …`.
    private func tokens(_ html: String) -> [String] {
        var tokenizer = HTMLTokenizer(Array(html.utf8))
        var out: [String] = []
        func name(_ name: HTMLName) -> String {
            Self.names.first { HTMLName.key($0.utf8) == name.key } ?? "?"
        }
        while let token = tokenizer.next() {
            switch token {
            case .text(let range): out.append("text " + String(decoding: tokenizer.bytes[range], as: UTF8.self))
            case .cdata(let range): out.append("cdata " + String(decoding: tokenizer.bytes[range], as: UTF8.self))
            case .start(let tag): out.append("<\(name(tag))>")
            case .end(let tag): out.append("</\(name(tag))>")
            }
        }
        return out
    }

    /// The tokenizer positioned just after the first start tag of `html`, to read its attributes.
    private func afterFirstTag(_ html: String) -> HTMLTokenizer {
        var tokenizer = HTMLTokenizer(Array(html.utf8))
        while let token = tokenizer.next() {
            if case .start = token { break }
        }
        return tokenizer
    }

    func testTextAndTagsWithEntitiesLeftForTheLayout() {
        XCTAssertEqual(tokens(#"<P class="x">a &amp; b</p><BR/>"#), ["<p>", "text a &amp; b", "</p>", "<br>"])
    }

    func testLessThanIsTextUnlessMarkupFollowsAndCloses() {
        XCTAssertEqual(tokens("a < b <3 <br"), ["text a < b <3 <br"])
        XCTAssertEqual(tokens("x <b>y"), ["text x ", "<b>", "text y"])
        // Only a `>` somewhere after makes markup: the tag cut off by the end stays text.
        XCTAssertEqual(tokens("a <b c>d <i x"), ["text a ", "<b>", "text d <i x"])
    }

    func testAttributesQuotedUnquotedValuelessAndRepeated() {
        let cell = afterFirstTag(#"<TD COLSPAN=2 align='right' nowrap data-x="a&amp;b" colspan=3>"#)
        XCTAssertEqual(cell.attribute("colspan"), "2", "the first of repeated attributes wins")
        XCTAssertEqual(cell.attribute("align"), "right")
        XCTAssertEqual(cell.attribute("nowrap"), "")
        XCTAssertEqual(cell.attribute("data-x"), "a&b")
        XCTAssertNil(cell.attribute("href"))
        XCTAssertEqual(HTMLTokenizer.integer(" +3."), 3)
        XCTAssertEqual(HTMLTokenizer.integer("-12px"), -12)
        XCTAssertNil(HTMLTokenizer.integer("x1"))
    }

    func testAnUnclosedQuoteEndsAtItsTag() {
        let html = #"<a href="u>v <b>w</b>"#
        XCTAssertEqual(afterFirstTag(html).attribute("href"), "u")
        XCTAssertEqual(tokens(html), ["<a>", "text v ", "<b>", "text w", "</b>"])
        // With a later quote the value runs to it, as in browsers, unless it crosses a tag on the way.
        XCTAssertEqual(afterFirstTag(#"<a href="u>v" title='t'>x"#).attribute("href"), "u>v")
        XCTAssertEqual(afterFirstTag(#"<a href="u>v <b title="t">"#).attribute("href"), "u")
    }

    func testRawTextCommentsDeclarationsAndCDATA() {
        XCTAssertEqual(tokens(#"<script>if (a<b) document.write("</p>")</script>after"#), ["text after"])
        XCTAssertEqual(tokens("<STYLE>p{}</style >x"), ["text x"])
        XCTAssertEqual(tokens("a<!-- <b> -->b<!DOCTYPE html><?php x ?><![CDATA[<c>]]>"), ["text a", "text b", "cdata <c>"])
        XCTAssertEqual(tokens("</ >x</3>y"), ["text x", "text y"])
    }

    func testLongAndCustomNamesAreToldApart() {
        XCTAssertEqual(tokens("<BlockQuote><x-long-custom-element></blockquote>"),
                       ["<blockquote>", "<x-long-custom-element>", "</blockquote>"])
        XCTAssertEqual(HTMLName(Array("BLOCKQUOTE".utf8)[...]).tag, .blockquote)
        XCTAssertEqual(HTMLName(Array("x-long-custom-element".utf8)[...]).tag, .other)
        XCTAssertNotEqual(HTMLName.key("blockquote".utf8), HTMLName.key("blockquotf".utf8))
    }

    // MARK: Broken markup, end to end

    func testBrokenMarkupIsReadable() {
        let html = """
        <HTML><BODY BGCOLOR=#ffffff>
        <P>First paragraph with <B>bold<I> and italic</B> text
        <P>if a < b && c > d then x<3 and AT&T wins
        <P><A HREF=http://example.com/a?x=1&copy=2>unquoted</A> and <a href="http://example.com/b>unclosed quote</a> after
        <UL><LI>one<LI>two</UL></LI></UL></TD></TABLE>
        <table><tr><td>a<td>b<tr><td>c<td>d</table>
        <p>cut off <b
        """
        let text = HTMLText.render(html)
        XCTAssertEqual(text.lines, [
            "First paragraph with bold and italic text",
            "",
            "if a < b && c > d then x<3 and AT&T wins",
            "",
            "unquoted [1] and unclosed quote [2] after",
            "",
            "• one",
            "• two",
            "",
            "a  b",
            "c  d",
            "",
            "cut off <b",
        ])
        XCTAssertEqual(text.links, ["http://example.com/a?x=1&copy=2", "http://example.com/b"])
    }

    func testCommentsDeclarationsAndCDATA() {
        let html = """
        <?xml version="1.0" encoding="utf-8"?><!DOCTYPE html>
        before<!-- hidden <b>markup</b> -->after <!--> empty <!---> comments
        <![CDATA[ 1 < 2 & 3 ]]> <![if !mso]>shown to non-Outlook<![endif]>
        <!--[if mso]>only Outlook<![endif]--><!--[if !mso]><!-->everyone else<!--<![endif]-->
        """
        XCTAssertEqual(HTMLText.render(html).lines, [
            "beforeafter empty comments 1 < 2 & 3 shown to non-Outlook everyone else",
        ])
    }

    func testUnterminatedConstructsDropOnlyWhatBrowsersDrop() {
        XCTAssertEqual(HTMLText.render("<p>kept</p><!-- never closed <p>lost").lines, ["kept"])
        XCTAssertEqual(HTMLText.render("<p>kept</p><script>var lost = '</p>'").lines, ["kept"])
        XCTAssertEqual(HTMLText.render("<p>kept</p><style>p { }</style>still <i>here").lines, ["kept", "", "still here"])
        XCTAssertEqual(HTMLText.render("1 <2 and 3 > 2").lines, ["1 <2 and 3 > 2"])
        XCTAssertEqual(HTMLText.render("a <br").lines, ["a <br"])
    }

    func testManyUnclosedQuotesAndStrayTags() {
        let html = String(repeating: "<a href=\"u>v ", count: 5_000) + String(repeating: "</li></td></a></ul>", count: 5_000)
        let text = HTMLText.render(html)
        XCTAssertEqual(text.links, ["u"])
        XCTAssertEqual(text.lines.count, 1)
        XCTAssertTrue(text.lines[0].hasPrefix("v [1] v [1] v [1]"))
    }
}
