import XCTest
@testable import MailMessage

/// Aligned table columns, measured as the terminal draws them.
final class HTMLTableTests: XCTestCase {
    /// Lines as the reader shows them: through the sanitizer.
    private func shown(_ html: String, width: Int? = nil) -> [String] {
        HTMLText.render(html, width: width).lines.map(Sanitizer.clean)
    }

    /// The display column where `marker` starts in each line.
    private func columns(of marker: Character, in lines: [String]) -> [Int?] {
        lines.map { line in line.firstIndex(of: marker).map { DisplayWidth.of(line[..<$0]) } }
    }

    func testWideCombiningAndEmojiCellsAlignByDisplayWidth() {
        let cells = ["Tokyo 東京", "Cafe\u{301}", "Party 🎉", "plain", "Zero\u{200B}width", "नमस्ते", "ｆｕｌｌ"]
        let html = "<table>" + cells.map { "<tr><td>\($0)</td><td>|</td></tr>" }.joined() + "</table>"
        let lines = shown(html)
        XCTAssertEqual(lines.count, cells.count)
        let widest = cells.map { DisplayWidth.of(Sanitizer.clean($0)) }.max()!
        XCTAssertEqual(columns(of: "|", in: lines), Array(repeating: widest + 2, count: cells.count), "\(lines)")
    }

    func testRightAlignedWideCellsEndInTheSameColumn() {
        let html = """
        <table><tr><td>Item</td><td align=right>Price</td><td>|</td></tr>
        <tr><td>お茶</td><td align=right>¥300</td><td>|</td></tr>
        <tr><td>Café</td><td align=right>€2</td><td>|</td></tr></table>
        """
        let lines = shown(html)
        XCTAssertEqual(lines, ["Item  Price  |", "お茶   ¥300  |", "Café     €2  |"])
        XCTAssertEqual(Set(columns(of: "|", in: lines)), [13])
    }

    /// Every kind of scalar a message can hold, put in a cell, leaves the next column where the
    /// terminal will draw it once the sanitizer has run: the layout measures what is shown.
    func testEveryScalarCategoryKeepsTheColumnsAligned() {
        var samples: [Unicode.Scalar] = []
        var categories = Set<Unicode.GeneralCategory>()
        for value in stride(from: UInt32(0), through: 0x10FFFF, by: 1) where value % 211 == 0 || value < 0x3000 {
            // Markup, and the marker the columns are found by, would change the table itself.
            guard let scalar = Unicode.Scalar(value), !"<&|".unicodeScalars.contains(scalar),
                  !Sanitizer.startsSequence(scalar) else { continue }
            samples.append(scalar)
            categories.insert(scalar.properties.generalCategory)
        }
        XCTAssertEqual(categories.count, 29, "every general category but the surrogates")
        for chunk in stride(from: 0, to: samples.count, by: 64) {
            let rows = samples[chunk..<min(chunk + 64, samples.count)]
            let html = "<table>" + rows.map { "<tr><td>a\($0)b</td><td>|</td></tr>" }.joined() + "</table>"
            let bars = Set(columns(of: "|", in: shown(html)))
            XCTAssertEqual(bars.count, 1, "columns \(bars) for U+\(String(rows.first!.value, radix: 16)) onwards")
        }
    }

    /// A column empty in every row takes no room; a spanning cell widens only columns nothing else
    /// uses, so one long colspan cell does not push every row apart.
    func testEmptyColumnsDropAndSpanningCellsWidenOnlyUnusedColumns() {
        let html = """
        <table><tr><td>a</td><td></td><td>b</td><td>|</td></tr>
        <tr><td colspan=2>wide cell</td><td>c</td><td>|</td></tr>
        <tr><td></td><td></td><td colspan=2>spans b and the bars</td></tr></table>
        """
        XCTAssertEqual(shown(html), ["a  b  |", "wide cell  c  |", "   spans b and the bars"])
    }

    func testOneColumnTablesFlow() {
        XCTAssertEqual(shown("<table><tr><td>only</td></tr><tr><td>one</td></tr></table>"), ["only", "one"])
    }

    func testAWideTableFlowsWhenItWouldNotFitTheWidth() {
        let html = "<table><tr><td>東京東京東京</td><td>大阪大阪</td></tr></table>"
        XCTAssertEqual(shown(html), ["東京東京東京  大阪大阪"])
        XCTAssertEqual(shown(html, width: 20), ["東京東京東京", "大阪大阪"])
    }
}
