/// Byte classes of HTML's ASCII-only rules (whitespace, letters, digits, case folding).
extension UInt8 {
    var isHTMLSpace: Bool {
        self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0C || self == 0x0D
    }

    var isHTMLLetter: Bool {
        (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self)
    }

    var isHTMLDigit: Bool {
        (0x30...0x39).contains(self)
    }

    var htmlLowercased: UInt8 {
        (0x41...0x5A).contains(self) ? self + 0x20 : self
    }

    func htmlDigitValue(hex: Bool) -> UInt32? {
        if isHTMLDigit {
            return UInt32(self - 0x30)
        }
        guard hex else { return nil }
        let lower = htmlLowercased
        return (0x61...0x66).contains(lower) ? UInt32(lower - 0x61 + 10) : nil
    }
}
