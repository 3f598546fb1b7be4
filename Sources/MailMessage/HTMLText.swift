/// Plain-text rendering of an HTML mail body, for a terminal that has no browser.
///
/// Layout rules, chosen for reading mail in a pager:
/// - `p`, `h1`–`h6`, `blockquote`, `pre`, `table`, `hr`, `dl` and top-level lists are paragraphs, separated by
///   one blank line; `div`, `tr`, `li`, `dt`, `dd`, `br` and the other block elements only end the line.
///   There is never more than one blank line in a row (inside `pre` too), and none at the start or end.
/// - Headings are underlined: `h1` with `=`, `h2`–`h6` with `-`, as wide as the heading text.
/// - List items start with `• ` (ordered lists: `1. `, `a. `, `i. ` … after `type`, `start` and `value`);
///   nested lists and item continuation lines are indented under the item's text.
/// - `blockquote` lines start with `> ` per level; a blank line inside a quote keeps its `>` marks.
/// - Links become `text [n]` with `links[n-1]` holding the URL; identical URLs share a number. No number is
///   added when the text already is the address (`mailto:` or web), or for `javascript:`, `vbscript:`,
///   `data:` and same-page `#` links. An image link without alt text shows as `[image] [n]`.
/// - Images show their alt text as `[image: alt]`; images without alt text (spacers, tracking pixels) vanish.
/// - Tables whose cells hold only inline content and `p`/`div`/`br` (receipts, order summaries) are laid out
///   in aligned columns, two spaces apart, honouring `colspan` and right alignment; columns empty in every row
///   are dropped. Other tables (layout tables, wide ones) flow row by row, cells two spaces apart.
/// - Content the sender hid (`display:none`, `visibility:hidden`, `max-height:0` with `overflow:hidden`,
///   the `hidden` attribute, `template`) is dropped, like a mail client would: it is mostly preview-pane
///   padding or the mobile copy of what is shown anyway.
/// - `script`, `style`, `title`, `textarea`, `iframe`, `noembed`, `noframes`, comments (including Outlook
///   conditional comments) and declarations produce no text; `CDATA` sections are shown as text.
/// - A no-break space keeps words together but is output as a plain space; lines are right-trimmed, and a
///   line holding only spaces or invisible format characters counts as blank. A line holding only `--`
///   becomes `-- `, the signature separator, whose trailing space HTML cannot keep.
/// - With `width`, paragraphs wrap at spaces so lines fit (a single longer word stays whole); `pre` text and
///   aligned table rows never wrap.
/// - Text is not sanitized here: control characters from the message pass through for the caller's sanitizer.
///   Widths (for wrapping, underlines and table columns) are `DisplayWidth`'s of what that sanitizer will
///   leave, so columns line up on the terminal.
///
/// The scanner never recurses and keeps only counters and indices per open element, so the work is linear in
/// the input whatever its nesting; indentation stops growing after a fixed depth.
public struct HTMLText: Sendable, Equatable {
    /// Display lines without line terminators.
    public var lines: [String]
    /// Link targets; `links[0]` is referred to as `[1]` in the text.
    public var links: [String]

    public init(lines: [String] = [], links: [String] = []) {
        self.lines = lines
        self.links = links
    }

    public static func render(_ html: String, width: Int? = nil) -> HTMLText {
        var tokenizer = HTMLTokenizer(Array(html.utf8))
        var layout = HTMLLayout(width: width.map { max(1, $0) })
        while let token = tokenizer.next() {
            switch token {
            case .text(let range):
                layout.text(tokenizer.bytes, range, decodingEntities: true)
            case .cdata(let range):
                layout.text(tokenizer.bytes, range, decodingEntities: false)
            case .start(let name):
                layout.start(name, tokenizer)
            case .end(let name):
                layout.end(name)
            }
        }
        return layout.finish()
    }
}
