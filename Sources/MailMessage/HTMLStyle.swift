/// What inline styles and presentational attributes say about hiding and aligning content.
enum HTMLStyle {
    static func hides(_ source: HTMLTokenizer) -> Bool {
        if source.attribute("hidden") != nil {
            return true
        }
        guard let style = source.valueRange("style") else { return false }
        var hidden = false
        var zeroHeight = false
        var clipped = false
        source.forEachDeclaration(in: style) { property, value in
            if source.range(property, is: "display") {
                hidden = hidden || source.range(value, startsWith: "none")
            } else if source.range(property, is: "visibility") {
                hidden = hidden || source.range(value, startsWith: "hidden")
            } else if source.range(property, is: "max-height") {
                zeroHeight = source.range(value, startsWith: "0")
                    && !source.bytes[value].contains { (0x31...0x39).contains($0) }
            } else if source.range(property, is: "overflow") {
                clipped = source.range(value, startsWith: "hidden")
            }
        }
        return hidden || (zeroHeight && clipped)
    }

    static func alignsRight(_ source: HTMLTokenizer) -> Bool {
        if let align = source.valueRange("align"), source.range(align, is: "right") {
            return true
        }
        guard let style = source.valueRange("style") else { return false }
        var right = false
        source.forEachDeclaration(in: style) { property, value in
            if source.range(property, is: "text-align") {
                right = source.range(value, startsWith: "right")
            }
        }
        return right
    }

    /// Elements whose end tag is optional end where a browser would close them implicitly; without this a
    /// hidden `<td>` or `<p>` left open would hide the rest of the message.
    static func ends(_ hidden: HTMLTag, byStart tag: HTMLTag) -> Bool {
        switch (hidden, tag) {
        case (.paragraph, .paragraph), (.paragraph, .block), (.paragraph, .table), (.paragraph, .list),
             (.paragraph, .definitionList), (.paragraph, .heading), (.paragraph, .blockquote), (.paragraph, .pre),
             (.paragraph, .rule), (.item, .item), (.cell, .cell), (.cell, .row), (.row, .row),
             (.term, .term), (.term, .definition), (.definition, .term), (.definition, .definition):
            return true
        default:
            return false
        }
    }

    static func ends(_ hidden: HTMLTag, byEnd tag: HTMLTag) -> Bool {
        switch (hidden, tag) {
        case (.paragraph, .block), (.paragraph, .cell), (.paragraph, .item), (.paragraph, .blockquote),
             (.paragraph, .table), (.item, .list), (.cell, .row), (.cell, .table), (.row, .table),
             (.term, .definitionList), (.definition, .definitionList):
            return true
        default:
            return false
        }
    }
}
