/// Which link targets get a reference number, and when the link text already says it.
enum HTMLLinks {
    /// The address a link leads to, or nil when it leads nowhere a reader could go.
    static func target(_ href: String) -> String? {
        // URL parsers drop tabs and newlines anywhere and spaces and controls at the ends; so does this.
        var bytes = Array(href.utf8)
        bytes.removeAll { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let cleaned = trimmed(bytes[...])
        guard !cleaned.isEmpty, cleaned.first != UInt8(ascii: "#"),
              !hasPrefix(cleaned, "javascript:"), !hasPrefix(cleaned, "vbscript:"), !hasPrefix(cleaned, "data:")
        else { return nil }
        return String(decoding: cleaned, as: UTF8.self)
    }

    /// Whether the link text already spells out the address, so a reference number would only repeat it.
    static func textRepeats(_ text: [UInt8], href: String) -> Bool {
        let text = trimmed(text[...])
        // Addresses have a dot or an at sign and no spaces; "Shop now" needs no closer look.
        guard text.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "@") }),
              !text.contains(UInt8(ascii: " ")) else { return false }
        return bare(text).elementsEqual(bare(Array(href.utf8)[...]))
    }

    /// Drops ASCII spaces and controls and no-break spaces (U+00A0 as UTF-8) at both ends.
    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var bytes = bytes
        while true {
            if let first = bytes.first, first <= 0x20 {
                bytes.removeFirst()
            } else if bytes.starts(with: [0xC2, 0xA0]) {
                bytes.removeFirst(2)
            } else if let last = bytes.last, last <= 0x20 {
                bytes.removeLast()
            } else if bytes.count >= 2, bytes.suffix(2).elementsEqual([0xC2, 0xA0]) {
                bytes.removeLast(2)
            } else {
                return bytes
            }
        }
    }

    private static func hasPrefix(_ bytes: ArraySlice<UInt8>, _ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { prefix in
            bytes.count >= prefix.count && zip(bytes, prefix).allSatisfy { $0.htmlLowercased == $1 }
        }
    }

    private static func bare(_ address: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var address = address
        if hasPrefix(address, "mailto:") {
            address = address.dropFirst(7)
            address = address.prefix { $0 != UInt8(ascii: "?") }
        }
        if hasPrefix(address, "https://") {
            address = address.dropFirst(8)
        } else if hasPrefix(address, "http://") {
            address = address.dropFirst(7)
        }
        while address.last == UInt8(ascii: "/") {
            address.removeLast()
        }
        return address.map(\.htmlLowercased)[...]
    }
}
