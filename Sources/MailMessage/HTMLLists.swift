/// List item markers: bullets, and numbers, letters or roman numerals for ordered lists.
enum HTMLLists {
    static func marker(_ number: Int, style: UInt8) -> [UInt8] {
        switch style {
        case 0:
            return Array("• ".utf8)
        case UInt8(ascii: "a"), UInt8(ascii: "A"):
            return Array((alphabetic(number, uppercase: style == UInt8(ascii: "A")) + ". ").utf8)
        case UInt8(ascii: "i"), UInt8(ascii: "I"):
            return Array((roman(number, uppercase: style == UInt8(ascii: "I")) + ". ").utf8)
        default:
            return Array("\(number). ".utf8)
        }
    }

    private static func alphabetic(_ number: Int, uppercase: Bool) -> String {
        guard number > 0 else { return "\(number)" }
        var remaining = number
        var letters: [UInt8] = []
        while remaining > 0 {
            remaining -= 1
            letters.append(UInt8(ascii: uppercase ? "A" : "a") + UInt8(remaining % 26))
            remaining /= 26
        }
        return String(decoding: letters.reversed(), as: UTF8.self)
    }

    private static func roman(_ number: Int, uppercase: Bool) -> String {
        guard (1...3999).contains(number) else { return "\(number)" }
        let symbols: [(Int, String)] = [
            (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
            (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
        ]
        var remaining = number
        var result = ""
        for (value, symbol) in symbols {
            while remaining >= value {
                result += symbol
                remaining -= value
            }
        }
        return uppercase ? result.uppercased() : result
    }
}
