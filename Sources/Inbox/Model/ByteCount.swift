/// Sizes as the index shows them, in at most five cells: "512B", "4.5K", "120K", "1.2M", "3.0G".
public enum ByteCount {
    /// 1 TiB. No mail message is this large, and no mailbox a POP3 client lists; a server that
    /// claims such a size is broken or hostile, and the number is not shown as if it were true.
    public static let implausible = 1 << 40

    /// Whether a size a server reported can be a real one.
    public static func isPlausible(_ bytes: Int) -> Bool { bytes >= 0 && bytes < implausible }

    public static func format(_ bytes: Int) -> String {
        if bytes >= implausible { return "huge?" }
        let units = ["B", "K", "M", "G", "T"]
        var value = Double(max(bytes, 0))
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(Int(value))B" }
        if value < 9.95 {
            let tenths = Int((value * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)\(units[unit])"
        }
        // 1023.6 rounds to 1024, which would need the next unit: keep it as 1023 so the
        // width stays five cells.
        return "\(min(Int(value.rounded()), 1023))\(units[unit])"
    }

    /// The sum of sizes a server reported, stopping at `Int.max` instead of overflowing: a
    /// hostile LIST can name sizes whose total no integer holds.
    public static func total(_ sizes: some Sequence<Int>) -> Int {
        var total = 0
        for size in sizes where size > 0 {
            let (sum, overflow) = total.addingReportingOverflow(size)
            if overflow { return .max }
            total = sum
        }
        return total
    }
}
