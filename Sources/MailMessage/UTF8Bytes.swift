extension String {
    /// Runs `body` over the string's UTF-8 bytes in place (a native string's always are
    /// contiguous; any other is copied once). The index parses 20,000 headers: scanning a buffer
    /// with integer offsets costs a fraction of walking `utf8`'s indices.
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}

extension UInt8 {
    /// Space, TAB, CR or LF: what unfolded header text may hold between words.
    var isHeaderBlank: Bool { self == 0x20 || self == 0x09 || self == 0x0D || self == 0x0A }
}

extension UnsafeBufferPointer<UInt8> {
    /// `range` without the blanks (`isHeaderBlank`) at either end.
    func trimmingBlanks(_ range: Range<Int>) -> Range<Int> {
        var (start, end) = (range.lowerBound, range.upperBound)
        while start < end, self[start].isHeaderBlank { start += 1 }
        while end > start, self[end - 1].isHeaderBlank { end -= 1 }
        return start..<end
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: self[range]), as: UTF8.self)
    }
}
