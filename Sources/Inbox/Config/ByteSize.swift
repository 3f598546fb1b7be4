import Foundation

/// Sizes written by people in the config file: "2MB", "200 MB", "1.5G", "512KiB", "4096".
public enum ByteSize {
    /// Powers of 1024 whatever the spelling, so a size reads the same as the index's size column
    /// ("1.2M") and as `du -h`.
    static let units: [String: Int] = [
        "": 1, "b": 1,
        "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
        "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
        "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
    ]

    /// Anything beyond this is a typo, and bounding it keeps the arithmetic far from overflow.
    static let largest = 1 << 50

    /// Bytes, or nil when `text` is not a non-negative number followed by an optional unit.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let unitStart = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? trimmed.endIndex
        let number = trimmed[..<unitStart]
        let unit = trimmed[unitStart...].trimmingCharacters(in: .whitespaces).lowercased()
        guard !number.hasPrefix("."), !number.hasSuffix("."),
              let value = Double(number), let multiplier = units[unit]
        else { return nil }
        let bytes = (value * Double(multiplier)).rounded()
        guard bytes <= Double(largest) else { return nil }
        return Int(bytes)
    }
}
