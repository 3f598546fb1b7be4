/// What counts as blank: a line or cell holding only these shows nothing.
enum HTMLBlank {
    /// Whitespace and the invisible characters senders pad preview text with.
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0x0A, 0x0D, 0x34F, 0x115F, 0x1160, 0x3164, 0xFFA0:
            return true
        default:
            return scalar.properties.isWhitespace || scalar.properties.generalCategory == .format
        }
    }

    static func trimTrailingBlanks(_ bytes: inout [UInt8]) {
        while let last = bytes.last {
            if last < 0x80 {
                guard last.isHTMLSpace else { return }
                bytes.removeLast()
                continue
            }
            var start = bytes.count - 1
            while start > 0, bytes[start] & 0xC0 == 0x80 {
                start -= 1
            }
            var iterator = bytes[start...].makeIterator()
            var decoder = UTF8()
            guard case .scalarValue(let scalar) = decoder.decode(&iterator), isBlank(scalar) else { return }
            bytes.removeSubrange(start...)
        }
    }

    static func isBlank<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        if bytes.contains(where: { $0 < 0x80 && $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) {
            return false
        }
        return String(decoding: bytes, as: UTF8.self).unicodeScalars.allSatisfy(isBlank)
    }

    static func replacingNoBreakSpaces(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0xC2, index + 1 < bytes.count, bytes[index + 1] == 0xA0 {
                result.append(UInt8(ascii: " "))
                index += 2
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}
