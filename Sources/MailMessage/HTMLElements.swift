/// What an element does to the layout; elements that do nothing for text are `other`.
enum HTMLTag: Equatable {
    case link, image, lineBreak, rule, paragraph, block, heading(Int), list(ordered: Bool), item
    case definitionList, term, definition, blockquote, pre, table, row, cell, template
    /// Elements whose content is not markup and never displayed; the tokenizer skips it.
    case rawText
    /// Other elements that never have content or an end tag.
    case void
    case other

    fileprivate static let names: [UInt64: HTMLTag] = {
        var names: [String: HTMLTag] = [
            "a": .link, "img": .image, "br": .lineBreak, "hr": .rule, "p": .paragraph,
            "h1": .heading(1), "h2": .heading(2), "h3": .heading(3),
            "h4": .heading(4), "h5": .heading(5), "h6": .heading(6),
            "ul": .list(ordered: false), "menu": .list(ordered: false), "dir": .list(ordered: false),
            "ol": .list(ordered: true), "li": .item, "dl": .definitionList, "dt": .term, "dd": .definition,
            "blockquote": .blockquote, "pre": .pre, "listing": .pre,
            "table": .table, "tr": .row, "td": .cell, "th": .cell, "template": .template,
        ]
        for name in [
            "div", "center", "section", "article", "header", "footer", "nav", "aside", "main", "address",
            "figure", "figcaption", "form", "fieldset", "legend", "details", "summary", "caption", "hgroup",
            "option", "dialog",
        ] {
            names[name] = .block
        }
        for name in ["script", "style", "title", "textarea", "iframe", "noembed", "noframes"] {
            names[name] = .rawText
        }
        for name in [
            "area", "base", "col", "embed", "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
        ] {
            names[name] = .void
        }
        return Dictionary(uniqueKeysWithValues: names.map { (HTMLName.key($0.key.utf8), $0.value) })
    }()
}

/// An element name, identified without building a `String` for every tag of a long message.
struct HTMLName {
    let tag: HTMLTag
    /// Equal for equal names, ignoring case.
    let key: UInt64

    init(_ name: ArraySlice<UInt8>) {
        key = Self.key(name)
        tag = HTMLTag.names[key] ?? .other
    }

    var isVoid: Bool {
        switch tag {
        case .image, .lineBreak, .rule, .void: return true
        default: return false
        }
    }

    /// Names of up to 8 bytes are packed exactly; longer ones are hashed into keys with the top bit set,
    /// which packed names never have.
    static func key<Name: Collection<UInt8>>(_ name: Name) -> UInt64 {
        if name.count <= 8 {
            return name.reduce(0) { $0 << 8 | UInt64($1.htmlLowercased) }
        }
        return name.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1.htmlLowercased)) &* 0x100_0000_01B3 } | 1 << 63
    }
}
