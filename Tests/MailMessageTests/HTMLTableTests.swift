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
        let cells = [
            "Tokyo 東京", "Cafe\u{301}", "Party 🎉", "flag 🇩🇪", "plain", "Zero\u{200B}width", "नमस्ते", "ｆｕｌｌ", "\u{600}5",
        ]
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

    // MARK: Column layout on its own

    private func cell(_ lines: [String], span: Int = 1, right: Bool = false) -> HTMLTable.Cell {
        var cell = HTMLTable.Cell(lines: lines.map { Array($0.utf8) }, span: span, alignRight: right)
        cell.finish()
        return cell
    }

    private func aligned(_ rows: [[HTMLTable.Cell]], width: Int) -> [String]? {
        HTMLTable.alignedLines(rows, width: width)?.map { String(decoding: $0, as: UTF8.self) }
    }

    func testCollectingCellsWithoutRowMarkup() {
        var table = HTMLTable()
        table.startCell(span: 0, alignRight: false)
        table.append("a".utf8, spaced: true)
        table.append("b".utf8, spaced: true)
        table.cell.breakLine(.line)
        table.append("c".utf8, spaced: false)
        table.finishCell()
        table.startCell(span: 500, alignRight: true)
        table.finishCell()
        table.endRow()
        XCTAssertNil(table.row)
        XCTAssertEqual(table.rows.count, 1)
        XCTAssertEqual(table.rows[0].map(\.span), [1, 100], "spans are clamped")
        XCTAssertEqual(table.rows[0][0].lines.map { String(decoding: $0, as: UTF8.self) }, ["a b", "c"])
        XCTAssertEqual(table.rows[0][0].width, 3)
        XCTAssertEqual(table.rows[0][1].width, 0)
    }

    func testCellsNormalizeTheirLines() {
        let gappy = cell(["", "a", "", "", "\u{00A0}\u{200B}", "東京", ""])
        XCTAssertEqual(gappy.lines.map { String(decoding: $0, as: UTF8.self) }, ["a", "", "東京"])
        XCTAssertEqual(gappy.width, 4)
        XCTAssertEqual(cell(["", " "]).lines, [[]])
        XCTAssertEqual(cell(["", " "]).width, 0)
    }

    func testAlignedLinesPadLeftAndRightAlignedCells() {
        let rows = [
            [cell(["Item"]), cell(["Qty"], right: true), cell(["Price"], right: true)],
            [cell(["Tea", "green"]), cell(["12"], right: true), cell(["€3"], right: true)],
        ]
        XCTAssertEqual(aligned(rows, width: 80), ["Item   Qty  Price", "Tea     12     €3", "green"])
    }

    func testAlignedLinesFitTheWidthExactlyOrGiveUp() {
        let rows = [[cell(["東京"]), cell(["x"])]]
        XCTAssertEqual(aligned(rows, width: 7), ["東京  x"])
        XCTAssertNil(aligned(rows, width: 6))
        XCTAssertNil(aligned([[cell(["one column"])], [cell(["only"])]], width: 80))
        XCTAssertNil(aligned([[cell(["x"], span: HTMLTable.maxColumns), cell(["y"])]], width: 80))
    }

    func testSpanningCellsUseTheColumnsTheyCover() {
        let rows = [
            [cell(["a"]), cell(["b"]), cell(["c"])],
            [cell(["Total"], span: 2, right: true), cell(["9"], right: true)],
        ]
        XCTAssertEqual(aligned(rows, width: 80), ["a  b  c", "Total  9"])
    }

    // MARK: Tables end to end

    func testReceiptTableIsLaidOutInColumns() {
        let html = """
        <p>Thanks for your order, Ann!</p>
        <table cellpadding=4 border=0>
        <thead><tr><th align=left>Item</th><th>Qty</th><th align="right">Price</th></tr></thead>
        <tbody>
        <tr><td>Espresso beans 1&nbsp;kg</td><td align=center>2</td><td align=right>&euro;31.80</td></tr>
        <tr><td><p style="margin:0">Milk frother</p></td><td>1</td><td style="text-align: Right">&euro;24.99</td></tr>
        <tr><td colspan=3 style="height:8px">&nbsp;</td></tr>
        <tr><td colspan="2" align="right">Total</td><td align="right"><b>&euro;56.79</b></td></tr>
        </tbody></table>
        <p>Ships to:<br>Ann Example<br>1 Main St</p>
        """
        XCTAssertEqual(HTMLText.render(html).lines, [
            "Thanks for your order, Ann!",
            "",
            "Item                 Qty   Price",
            "Espresso beans 1 kg  2    €31.80",
            "Milk frother         1    €24.99",
            "                   Total  €56.79",
            "",
            "Ships to:",
            "Ann Example",
            "1 Main St",
        ])
    }

    func testReceiptCellsWithLineBreaksKeepTheirLines() {
        let html = """
        <table>
        <tr><td>Hotel Bellevue<br>2 nights</td><td>CHF 420.00</td></tr>
        <tr><td>City tax</td><td>CHF 7.00</td></tr>
        </table>
        """
        XCTAssertEqual(HTMLText.render(html).lines, [
            "Hotel Bellevue  CHF 420.00",
            "2 nights",
            "City tax        CHF 7.00",
        ])
    }

    func testLayoutTablesFlowRowByRow() {
        // A list inside a cell cannot be put in a column: the table flows, cells two spaces apart.
        let html = """
        <table><tr><td>Left</td><td>Right</td></tr>
        <tr><td><ul><li>one</li><li>two</li></ul></td><td>after</td></tr>
        <tr><td>x</td><td>y</td></tr></table>
        """
        XCTAssertEqual(HTMLText.render(html).lines, [
            "Left  Right",
            "",
            "• one",
            "• two",
            "",
            "after",
            "x  y",
        ])
    }

    func testTableTooWideForTheWidthFlows() {
        let html = """
        <table><tr><td>A rather long description of the first item</td><td>12.00</td></tr>
        <tr><td>Second</td><td>3.50</td></tr></table>
        """
        XCTAssertEqual(HTMLText.render(html, width: 30).lines, [
            "A rather long description of",
            "the first item  12.00",
            "Second  3.50",
        ])
        XCTAssertEqual(HTMLText.render(html).lines, [
            "A rather long description of the first item  12.00",
            "Second                                       3.50",
        ])
    }

    func testTablesWithTooManyColumnsFlow() {
        let wide = "<table><tr>" + String(repeating: "<td colspan=100>x</td>", count: 3) + "</tr><tr><td>y</td></tr></table>"
        XCTAssertEqual(HTMLText.render(wide).lines, ["x  x  x", "y"])
    }
}
