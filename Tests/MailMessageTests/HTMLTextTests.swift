import MailMessage
import XCTest

final class HTMLTextTests: XCTestCase {
    // MARK: Realistic messages

    func testMarketingNewsletter() {
        let html = """
        <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
        <html xmlns="http://www.w3.org/1999/xhtml"><head>
        <meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
        <title>ACME Weekly</title>
        <style type="text/css">body { margin: 0 } a < b { color: red } @media (max-width: 600px) { .col { display: block !important } }</style>
        <!--[if mso]><style>table { border-collapse: collapse }</style><![endif]-->
        </head>
        <body style="margin:0; padding:0">
        <div style="display:none; font-size:1px; max-height:0; overflow:hidden; mso-hide:all">Spring sale inside&zwnj;&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;</div>
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" bgcolor="#eeeeee">
          <table role="presentation" width="600"><tr>
            <td><img src="https://cdn.acme.example/logo.png" alt="ACME  Weekly" width="120"></td>
            <td align="right"><a href="https://acme.example/view?id=42&amp;u=7" style="color:#999">View in browser</a></td>
          </tr></table>
          <table role="presentation" width="600"><tr><td style="padding:20px">
            <h1 style="font-size:28px">Spring   sale</h1>
            <p>Hello Ann,<br>our <b>biggest</b> sale of the year &mdash; up to 50&nbsp;% off &hellip;</p>
            <p><a href="https://acme.example/shop?utm_source=newsletter"><img src="https://cdn.acme.example/button.png" alt="" width="200"></a></p>
            <!--[if mso]><v:roundrect href="https://acme.example/shop"><![endif]-->
            <p>This week&rsquo;s picks:</p>
            <ul><li>Shoes<li>Hats<ul><li>Straw</li><li>Felt</li></ul><li>Coats</ul>
            <p>Questions? Write to <a href="mailto:help@acme.example">help@acme.example</a>
            or use the <a href="javascript:openChat()">chat</a>.</p>
            <p>&nbsp;</p>
          </td></tr></table>
          <table role="presentation" width="600"><tr><td style="font-size:12px; color:#999999">
            &copy; 2024 ACME Ltd &middot; <a href="https://acme.example/unsubscribe?u=7">Unsubscribe</a>
            &middot; <a href="https://acme.example/view?id=42&amp;u=7">Web version</a>
            <img src="https://t.acme.example/open.gif?u=7" width="1" height="1" alt="" style="display:block">
          </td></tr></table>
        </td></tr></table>
        </body></html>
        """
        let text = HTMLText.render(html)
        XCTAssertEqual(text.lines, [
            "[image: ACME Weekly]  View in browser [1]",
            "",
            "Spring sale",
            "===========",
            "",
            "Hello Ann,",
            "our biggest sale of the year — up to 50 % off …",
            "",
            "[image] [2]",
            "",
            "This week’s picks:",
            "",
            "• Shoes",
            "• Hats",
            "  • Straw",
            "  • Felt",
            "• Coats",
            "",
            "Questions? Write to help@acme.example or use the chat.",
            "",
            "© 2024 ACME Ltd · Unsubscribe [3] · Web version [1]",
        ])
        XCTAssertEqual(text.links, [
            "https://acme.example/view?id=42&u=7",
            "https://acme.example/shop?utm_source=newsletter",
            "https://acme.example/unsubscribe?u=7",
        ])
    }

    func testGmailReplyWithNestedQuotes() {
        let html = """
        <div dir="ltr">Sounds good, see you then.<div><br></div><div>Bob</div></div><br>\
        <div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, 3 Jun 2024 at 09:12, Ann &lt;\
        <a href="mailto:ann@example.com">ann@example.com</a>&gt; wrote:<br></div>\
        <blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">\
        <div dir="ltr">Lunch on Friday? The menu is at <a href="https://cafe.example/menu">the cafe</a>.<div><br></div><div>Ann</div></div><br>\
        <div class="gmail_quote"><div class="gmail_attr">On Sun, 2 Jun 2024, Bob wrote:<br></div>\
        <blockquote class="gmail_quote">Are you free this week?</blockquote></div></blockquote></div>
        """
        let text = HTMLText.render(html)
        XCTAssertEqual(text.lines, [
            "Sounds good, see you then.",
            "",
            "Bob",
            "",
            "On Mon, 3 Jun 2024 at 09:12, Ann <ann@example.com> wrote:",
            "",
            "> Lunch on Friday? The menu is at the cafe [1].",
            ">",
            "> Ann",
            ">",
            "> On Sun, 2 Jun 2024, Bob wrote:",
            ">",
            "> > Are you free this week?",
        ])
        XCTAssertEqual(text.links, ["https://cafe.example/menu"])
    }

    func testOutlookReplyWithOfficeMarkup() {
        let html = """
        <html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
        <!--[if gte mso 9]><xml><o:shapedefaults v:ext="edit" spidmax="1026" /></xml><![endif]-->
        </head><body lang=EN-US link="#0563C1" vlink="#954F72">
        <div class=WordSection1>
        <p class=MsoNormal>Hi Ann,<o:p></o:p></p>
        <p class=MsoNormal><o:p>&nbsp;</o:p></p>
        <p class=MsoNormal>Attached is the report.<o:p></o:p></p>
        <p class=MsoListParagraph style='text-indent:-.25in;mso-list:l0 level1 lfo1'><![if !supportLists]>\
        <span style='font-family:Symbol'>&middot;<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;</span></span><![endif]>\
        Revenue is up<o:p></o:p></p>
        <p class=MsoNormal><o:p>&nbsp;</o:p></p>
        <div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in 0in'>
        <p class=MsoNormal><b>From:</b> Ann Example &lt;ann@example.com&gt;<br><b>Sent:</b> Monday, June 3, 2024 9:12 AM<br>\
        <b>To:</b> Bob &lt;bob@example.com&gt;<br><b>Subject:</b> Report<o:p></o:p></p></div>
        <p class=MsoNormal><o:p>&nbsp;</o:p></p>
        <p class=MsoNormal>Can you send the Q2 numbers?<o:p></o:p></p>
        </div></body></html>
        """
        XCTAssertEqual(HTMLText.render(html).lines, [
            "Hi Ann,",
            "",
            "Attached is the report.",
            "",
            "·   Revenue is up",
            "",
            "From: Ann Example <ann@example.com>",
            "Sent: Monday, June 3, 2024 9:12 AM",
            "To: Bob <bob@example.com>",
            "Subject: Report",
            "",
            "Can you send the Q2 numbers?",
        ])
    }

    func testThunderbirdReplyWithSignatures() {
        let html = """
        <html><head><meta http-equiv="content-type" content="text/html; charset=UTF-8"></head>
        <body>
        <p>Yes, Friday works.<br></p>
        <div class="moz-signature">-- <br>Bob Example<br>Example Corp</div>
        <div class="moz-cite-prefix">On 03.06.24 09:12, Ann wrote:<br></div>
        <blockquote type="cite" cite="mid:123@example.com">
        <div dir="ltr">Lunch?<div><br></div><span class="gmail_signature_prefix">-- </span><br>        <div dir="ltr" class="gmail_signature">Ann</div></div>
        </blockquote>
        <pre class="moz-signature" cols="72">-- \nsent from the road</pre>
        </body></html>
        """
        XCTAssertEqual(HTMLText.render(html).lines, [
            "Yes, Friday works.",
            "",
            "-- ",
            "Bob Example",
            "Example Corp",
            "On 03.06.24 09:12, Ann wrote:",
            "",
            "> Lunch?",
            ">",
            "> -- ",
            "> Ann",
            "",
            "-- ",
            "sent from the road",
        ])
    }

    // MARK: Text

    func testWhitespaceCollapsesAndBlankLinesNeverRepeat() {
        let html = """

        <p>  lots   of
        \t spaces  </p><p></p><p>&nbsp;</p><div>&zwnj;&nbsp;&#847;</div>
        <br><br><br><p>next</p>text<br><br><br><br>more<br>

        """
        XCTAssertEqual(HTMLText.render(html).lines, ["lots of spaces", "", "next", "", "text", "", "more"])
    }

    func testPreformattedTextKeepsWhitespace() {
        let html = "<p>Log:</p><pre>\n  if (a &lt; b) {\n\treturn;\n  }\n\n\n<b>done</b>   \n</pre><p>after</p>"
        XCTAssertEqual(HTMLText.render(html, width: 10).lines, [
            "Log:",
            "",
            "  if (a < b) {",
            "        return;",
            "  }",
            "",
            "done",
            "",
            "after",
        ])
    }

    func testPreformattedTextWithCRLFAndQuote() {
        let html = "<blockquote><pre>\r\nline one\r\n  line two\r\n</pre></blockquote>"
        XCTAssertEqual(HTMLText.render(html).lines, ["> line one", ">   line two"])
    }

    // MARK: Structure

    func testHeadingsAreUnderlined() {
        let html = "<h1>Title</h1><p>Intro</p><h2>Part &amp; parcel</h2><h3>Détails</h3>text<h4></h4><h6>end</h6>"
        XCTAssertEqual(HTMLText.render("<h2>Hi</h2>").lines, ["Hi", "--"])
        XCTAssertEqual(HTMLText.render(html).lines, [
            "Title",
            "=====",
            "",
            "Intro",
            "",
            "Part & parcel",
            "-------------",
            "",
            "Détails",
            "-------",
            "",
            "text",
            "",
            "end",
            "---",
        ])
    }

    func testListsNumberAndIndent() {
        let html = """
        <ol start="9"><li>nine</li><li>ten<br>second line<ol type="a"><li>alpha</li><li value="4">delta</li>\
        <li>echo</li></ol></li><li>eleven</li></ol>
        <ol type="I" start="3"><li>three</li><li>four</li></ol>
        <ul><li><p>loose</p></li><li><p>items</p></li></ul>
        <li>orphan one<li>orphan two
        """
        XCTAssertEqual(HTMLText.render(html).lines, [
            "9. nine",
            "10. ten",
            "    second line",
            "    a. alpha",
            "    d. delta",
            "    e. echo",
            "11. eleven",
            "",
            "III. three",
            "IV. four",
            "",
            "• loose",
            "",
            "• items",
            "",
            "• orphan one",
            "• orphan two",
        ])
    }

    func testBlockquoteWithListAndListWithQuote() {
        let html = "<blockquote><p>Points:</p><ul><li>first</li></ul></blockquote><ul><li><blockquote>cited</blockquote></li></ul>"
        XCTAssertEqual(HTMLText.render(html).lines, [
            "> Points:",
            ">",
            "> • first",
            "",
            "• > cited",
        ])
    }

    func testDefinitionListAndRule() {
        let html = "<dl><dt>POP3<dd>Post Office Protocol<dt>TLS<dd>Transport Layer Security</dl><hr><p>end</p>"
        XCTAssertEqual(HTMLText.render(html).lines, [
            "POP3",
            "    Post Office Protocol",
            "TLS",
            "    Transport Layer Security",
            "",
            String(repeating: "─", count: 40),
            "",
            "end",
        ])
        XCTAssertEqual(HTMLText.render("<p>a</p><blockquote><hr></blockquote>", width: 12).lines, [
            "a", "", "> ──────────",
        ])
    }

    func testDroppedContent() {
        let html = """
        <head><title>Not shown</title><meta name="x" content="y"><script>alert("x")</script></head>
        <body><template><p>inert</p></template>
        <span hidden>hidden attribute</span><div style="DISPLAY : None">css hidden <div>nested</div> still</div>
        <p style="visibility:hidden">invisible<p>visible again
        <table><tr><td style="display:none">hidden cell<td>shown cell</table>
        <noscript>no script needed</noscript><textarea>form default</textarea>
        </body>
        """
        XCTAssertEqual(HTMLText.render(html).lines, ["visible again", "", "shown cell", "", "no script needed"])
    }

    // MARK: Links

    func testLinkNumbering() {
        let html = """
        <p><a href="https://a.example/">A</a>, <a href=" https://b.example/x
        ">B</a>, <a href="https://a.example/">A again</a>, <a href="https://a.example">https://a.example</a>,
        <a href="mailto:bob@example.com?subject=Hi">bob@example.com</a>, <a href="mailto:bob@example.com">Bob</a>,
        <a href="#top">top</a>, <a href="JavaScript:void(0)">js</a>, <a name="anchor">named</a>,
        <a href="https://c.example/"></a><a href="https://d.example/"><img src="d.png"></a>
        <a href="https://e.example/">unclosed <a href="https://f.example/">next</a></p>
        """
        let text = HTMLText.render(html)
        XCTAssertEqual(text.lines, [
            "A [1], B [2], A again [1], https://a.example, bob@example.com, Bob [3], top, js, named, [image] [4] "
                + "unclosed [5] next [6]",
        ])
        XCTAssertEqual(text.links, [
            "https://a.example/",
            "https://b.example/x",
            "mailto:bob@example.com",
            "https://d.example/",
            "https://e.example/",
            "https://f.example/",
        ])
    }

    // MARK: Width

    func testWrapsAtWordBoundaries() {
        let html = """
        <p>The quick brown fox jumps over the lazy dog via https://example.com/a/very/long/path/that/stays/whole today.</p>
        <blockquote>Quoted text long enough to need wrapping here.</blockquote>
        <ul><li>An item whose text goes on and on.</li></ul>
        <p>no&nbsp;break&nbsp;between&nbsp;these words</p>
        """
        XCTAssertEqual(HTMLText.render(html, width: 24).lines, [
            "The quick brown fox",
            "jumps over the lazy dog",
            "via",
            "https://example.com/a/very/long/path/that/stays/whole",
            "today.",
            "",
            "> Quoted text long",
            "> enough to need",
            "> wrapping here.",
            "",
            "• An item whose text",
            "  goes on and on.",
            "",
            "no break between these",
            "words",
        ])
        XCTAssertEqual(HTMLText.render("<p>一二三四五六七八 九十</p>", width: 17).lines, ["一二三四五六七八", "九十"])
    }

    // MARK: Bounds

    func testDeepNestingIsBounded() {
        let divs = HTMLText.render(String(repeating: "<div>", count: 10_000) + "deep" + String(repeating: "</span>", count: 10_000))
        XCTAssertEqual(divs.lines, ["deep"])

        let quotes = HTMLText.render(String(repeating: "<blockquote>", count: 10_000) + "deep")
        XCTAssertEqual(quotes.lines, [String(repeating: "> ", count: 16) + "deep"])

        // An item holding only a nested list shows no bullet of its own; indentation stops growing.
        let lists = HTMLText.render(String(repeating: "<ul><li>", count: 10_000) + "deep")
        XCTAssertEqual(lists.lines, [String(repeating: "  ", count: 16) + "• deep"])

        let tables = HTMLText.render(String(repeating: "<table><tr><td>x", count: 10_000))
        XCTAssertEqual(tables.lines.count, 19_999)
        XCTAssertEqual(Set(tables.lines), ["x", ""])
    }

    func testMutatedMessagesKeepTheOutputInvariants() {
        let seeds = [
            "<table><tr><th align=right>Qty</th><td colspan=2>x&nbsp;y</td></tr><tr><td>1<br>2</td></tr></table>",
            "<blockquote><ol start=3><li><pre>\tcode</pre><li><h2>T</h2><a href='https://x.example/'>x</a></ol>",
            "<div style=\"display:none\">p</div><p>a &amp; b &#x41; <img alt=\"logo\"> <!-- c --> <![CDATA[d]]></p>",
            "<dl><dt>t<dd>d</dl><hr><ul><li>one<ul><li>two</ul></ul><p>&nbsp;</p><br><br>end",
        ]
        let insertions: [[UInt8]] = ["<", ">", "&", "\"", "'", "</", "<!--", "-->", "<td>", "<li>", "<pre>", "\n", "&#"]
            .map { Array($0.utf8) }
        // A fixed-seed generator keeps failures reproducible.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<400 {
            var bytes = Array(seeds[random(seeds.count)].utf8)
            for _ in 0..<(1 + random(4)) {
                let position = random(bytes.count + 1)
                switch random(3) {
                case 0: bytes.insert(contentsOf: insertions[random(insertions.count)], at: position)
                case 1: bytes.removeSubrange(position..<min(bytes.count, position + 1 + random(5)))
                default: bytes = Array(bytes[..<position])
                }
            }
            let html = String(decoding: bytes, as: UTF8.self)
            for width in [nil, 12] as [Int?] {
                let text = HTMLText.render(html, width: width)
                let context = "width \(String(describing: width)) for \(html.debugDescription)"
                XCTAssertNotEqual(text.lines.first, "", context)
                XCTAssertNotEqual(text.lines.last, "", context)
                for (above, below) in zip(text.lines, text.lines.dropFirst()) {
                    XCTAssertFalse(above.isEmpty && below.isEmpty, context)
                }
                for line in text.lines where line.hasSuffix(" ") {
                    XCTAssertTrue(line.hasSuffix("-- "), context)
                }
                for line in text.lines {
                    XCTAssertFalse(line.contains("\n") || line.contains("\r"), context)
                }
                XCTAssertEqual(Set(text.links).count, text.links.count, context)
                for number in text.links.indices {
                    XCTAssertTrue(text.lines.contains { $0.contains("[\(number + 1)]") }, context)
                }
            }
        }
    }
}
