import Foundation

/// Date header parsing: RFC 5322, its obsolete forms (2- and 3-digit years, named and
/// military zones, missing seconds, comments, any day-of-week), and the non-standard shapes
/// that real software sends (asctime, ISO 8601, `GMT+0100`, `+01:00`, `05-Mar-2024`).
public enum MessageDate {
    public static func parse(_ s: String) -> Date? {
        parseCanonical(s) ?? parseAnyForm(s)
    }

    /// Every accepted form; `parseCanonical` must agree with it wherever both answer.
    static func parseAnyForm(_ s: String) -> Date? {
        let text = stripComments(s)
        if let iso = parseISO(text) { return iso }
        return parseLoose(text)
    }

    // MARK: - RFC 5322 and friends

    /// The form nearly every message uses, `[Tue, ]5 Mar 2024 10:15[:30] +0100[ (CET)]`, read
    /// straight from the bytes: the index parses one date per message, and the general path
    /// below costs several times more. Anything else returns nil and takes that path.
    static func parseCanonical(_ s: String) -> Date? {
        var s = s
        return s.withUTF8(parseCanonical(bytes:))
    }

    private static func parseCanonical(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var i = 0
        let n = bytes.count
        func skipBlanks() { while i < n, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 } }
        // The general parser splits on blanks, so a field glued to the next is its to judge.
        func blanks() -> Bool {
            guard i < n, bytes[i] == 0x20 || bytes[i] == 0x09 else { return false }
            skipBlanks()
            return true
        }
        func number(maxDigits: Int) -> (value: Int, digits: Int)? {
            var value = 0
            var digits = 0
            while digits < maxDigits, i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                value = value * 10 + Int(bytes[i] - 0x30)
                digits += 1
                i += 1
            }
            return digits == 0 ? nil : (value, digits)
        }
        func expect(_ byte: UInt8) -> Bool {
            guard i < n, bytes[i] == byte else { return false }
            i += 1
            return true
        }
        skipBlanks()
        func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
        if i < n, isLetter(bytes[i]) {
            // A day name: three letters and a comma; which day it names is not checked, as elsewhere.
            guard n - i > 4, isLetter(bytes[i + 1]), isLetter(bytes[i + 2]), bytes[i + 3] == 0x2C else { return nil }
            i += 4
            skipBlanks()
        }
        guard let day = number(maxDigits: 2), blanks(), n - i >= 3 else { return nil }
        let key = UInt32(bytes[i] | 0x20) << 16 | UInt32(bytes[i + 1] | 0x20) << 8 | UInt32(bytes[i + 2] | 0x20)
        guard let month = monthKeys.firstIndex(of: key) else { return nil }
        i += 3
        guard blanks(), let year = number(maxDigits: 4), year.digits == 4, blanks() else { return nil }
        guard let hour = number(maxDigits: 2), expect(0x3A), let minute = number(maxDigits: 2), minute.digits == 2 else { return nil }
        var second = 0
        if expect(0x3A) {
            guard let value = number(maxDigits: 2), value.digits == 2 else { return nil }
            second = value.value
        }
        skipBlanks()
        guard i < n, bytes[i] == 0x2B || bytes[i] == 0x2D else { return nil }
        let sign = bytes[i]
        i += 1
        guard let zone = number(maxDigits: 4), zone.digits == 4 else { return nil }
        skipBlanks()
        // Only a trailing comment may follow (unclosed, it runs to the end); anything else, after
        // it too, is for the general parser to judge.
        if i < n {
            guard bytes[i] == 0x28 else { return nil }
            var depth = 0
            while i < n {
                defer { i += 1 }
                if bytes[i] == 0x28 { depth += 1 } else if bytes[i] == 0x29 { depth -= 1 }
                if depth == 0 { break }
            }
            skipBlanks()
            guard i == n else { return nil }
        }
        let (zoneHours, zoneMinutes) = (zone.value / 100, zone.value % 100)
        guard hour.value <= 23, minute.value <= 59, second <= 60, zoneHours <= 23, zoneMinutes <= 59 else { return nil }
        let offset = (sign == 0x2D ? -1 : 1) * (zoneHours * 3600 + zoneMinutes * 60)
        return make(
            year: year.value, month: month + 1, day: day.value, hour: hour.value, minute: minute.value,
            second: min(second, 59), offset: offset)
    }

    /// `months` as three bytes each, for the byte-level path.
    private static let monthKeys: [UInt32] = months.map { name in name.utf8.reduce(0) { $0 << 8 | UInt32($1) } }

    private static func parseLoose(_ s: String) -> Date? {
        var day: Int?
        var month: Int?
        var year: Int?
        var time: (h: Int, m: Int, s: Int)?
        var zone: Int?
        var numbers: [(value: Int, digits: Int)] = []

        for raw in tokens(s) {
            let lower = raw.lowercased()
            if time == nil, lower.contains(":" as Character) {
                if let t = parseTime(lower) {
                    time = t.time
                    if let z = t.zone { zone = z }
                    continue
                }
                // A time that does not parse (25:00) makes the whole date unreliable.
                if parseZone(lower) == nil { return nil }
            }
            if let z = parseZone(lower) {
                if zone == nil || raw.hasPrefix("+") || raw.hasPrefix("-") { zone = z }
                continue
            }
            if month == nil, let m = monthNumber(lower) { month = m; continue }
            if let v = Int(lower), lower.utf8.count <= 4 {
                numbers.append((v, lower.utf8.count))
                continue
            }
            // Day names and unknown words are ignored.
        }
        guard let m = month else { return nil }
        switch numbers.count {
        case 2...:
            if numbers[0].digits >= 3 {
                year = fullYear(numbers[0].value, digits: numbers[0].digits)
                day = numbers[1].value
            } else {
                day = numbers[0].value
                year = fullYear(numbers[1].value, digits: numbers[1].digits)
            }
        default:
            return nil
        }
        guard let d = day, let y = year else { return nil }
        let t = time ?? (0, 0, 0)
        return make(year: y, month: m, day: d, hour: t.h, minute: t.m, second: t.s, offset: zone ?? 0)
    }

    /// Splits on blanks and commas; `05-Mar-2024` style dates are split on dashes too, but a
    /// numeric zone (`-0500`) is kept whole.
    private static func tokens(_ s: String) -> [String] {
        var out: [String] = []
        for word in s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" || $0 == "\n" }) {
            let w = String(word)
            if w.first != "+", w.first != "-", w.contains("-" as Character), parseZone(w) == nil, !w.contains(":" as Character), w.contains(where: \.isLetter) {
                out.append(contentsOf: w.split(separator: "-").map(String.init))
            } else if w.contains("/" as Character), !w.contains(":" as Character) {
                out.append(contentsOf: w.split(separator: "/").map(String.init))
            } else {
                out.append(w)
            }
        }
        return out
    }

    private static func fullYear(_ v: Int, digits: Int) -> Int {
        switch digits {
        case ...2: return v < 50 ? 2000 + v : 1900 + v
        case 3: return 1900 + v
        default: return v
        }
    }

    /// `hh:mm[:ss]`, possibly with a zone glued on (`10:00:00Z`, `10:00+0100`).
    private static func parseTime(_ s: String) -> (time: (h: Int, m: Int, s: Int), zone: Int?)? {
        var body = Substring(s)
        var zone: Int?
        if let cut = body.firstIndex(where: { $0 == "+" || $0 == "-" || $0.isLetter }) {
            zone = parseZone(String(body[cut...]))
            if zone == nil { return nil }
            body = body[..<cut]
        }
        var secondsPart = body
        if let dot = body.firstIndex(of: ".") { secondsPart = body[..<dot] }
        let parts = secondsPart.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        guard let h = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        var sec = 0
        if parts.count == 3 {
            guard let v = Int(parts[2]) else { return nil }
            sec = v
        }
        guard (0...23).contains(h), (0...59).contains(m), (0...60).contains(sec) else { return nil }
        return ((h, m, min(sec, 59)), zone)
    }

    /// Seconds east of UTC, or nil if `s` is not a zone.
    static func parseZone(_ s: String) -> Int? {
        let lower = s.lowercased()
        if let named = namedZones[lower] { return named * 3600 }
        for prefix in ["gmt", "utc", "ut"] where lower.hasPrefix(prefix) && lower.count > prefix.count {
            let rest = String(lower.dropFirst(prefix.count))
            if rest.first == "+" || rest.first == "-" { return parseNumericZone(rest, allowShortHours: true) }
        }
        if lower.first == "+" || lower.first == "-" { return parseNumericZone(lower, allowShortHours: false) }
        // RFC 5322 4.3: military zones were specified backwards, so they mean "unknown" (0).
        if lower.count == 1, let c = lower.first, c.isLetter, c != "j" { return 0 }
        return nil
    }

    private static func parseNumericZone(_ s: String, allowShortHours: Bool) -> Int? {
        let sign = s.first == "-" ? -1 : 1
        let digits = s.dropFirst().filter { $0 != ":" }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let v = Int(digits) else { return nil }
        let hours: Int
        let minutes: Int
        switch digits.count {
        case 4: hours = v / 100; minutes = v % 100
        case 3: hours = v / 100; minutes = v % 100
        case 1, 2:
            guard allowShortHours || digits.count == 2 else { return nil }
            hours = v; minutes = 0
        default: return nil
        }
        guard hours <= 23, minutes <= 59 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    private static let namedZones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0,
        "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
        "akst": -9, "akdt": -8, "hst": -10, "ast": -4, "adt": -3, "nst": -3,
        "bst": 1, "ist": 1, "cet": 1, "met": 1, "mez": 1, "west": 1, "cest": 2, "mest": 2, "mesz": 2,
        "eet": 2, "eest": 3, "msk": 3, "jst": 9, "kst": 9, "hkt": 8, "sgt": 8,
        "aest": 10, "aedt": 11, "nzst": 12, "nzdt": 13,
    ]

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func monthNumber(_ s: String) -> Int? {
        guard s.count >= 3, s.allSatisfy(\.isLetter) else { return nil }
        let key = String(s.prefix(3))
        guard let idx = months.firstIndex(of: key) else { return nil }
        // Accept "Mar", "March", "Sept", but not random words starting with a month prefix.
        let full = ["january", "february", "march", "april", "may", "june", "july", "august",
                    "september", "october", "november", "december"][idx]
        guard s.count == 3 || full.hasPrefix(s) else { return nil }
        return idx + 1
    }

    // MARK: - ISO 8601

    /// `2024-03-05T10:00:00Z`, `2024-03-05 10:00:00+01:00`, `2024-03-05`.
    private static func parseISO(_ s: String) -> Date? {
        let t = s.trimmingWhitespace()
        let u = Array(t.utf8)
        guard u.count >= 10, u[4] == 0x2D, u[7] == 0x2D,
              let y = Int(String(decoding: u[0..<4], as: UTF8.self)),
              let mo = Int(String(decoding: u[5..<7], as: UTF8.self)),
              let d = Int(String(decoding: u[8..<10], as: UTF8.self)) else { return nil }
        if u.count == 10 { return make(year: y, month: mo, day: d, hour: 0, minute: 0, second: 0, offset: 0) }
        guard u[10] == 0x54 || u[10] == 0x74 || u[10] == 0x20 else { return nil }
        let rest = String(decoding: u[11...], as: UTF8.self).trimmingWhitespace().lowercased()
        let parts = rest.split(separator: " ").map(String.init)
        guard let first = parts.first, let parsed = parseTime(first) else { return nil }
        var zone = parsed.zone ?? 0
        if parts.count > 1, let z = parseZone(parts[1]) { zone = z }
        return make(year: y, month: mo, day: d, hour: parsed.time.h, minute: parsed.time.m,
                    second: parsed.time.s, offset: zone)
    }

    // MARK: - Helpers

    private static func stripComments(_ s: String) -> String {
        guard s.contains("(" as Character) else { return s }
        var out = ""
        var depth = 0
        for ch in s {
            if ch == "(" { depth += 1; continue }
            if ch == ")" { depth = max(0, depth - 1); continue }
            if depth == 0 { out.append(ch) } else if depth == 1 && out.last != " " { out.append(" ") }
        }
        return out
    }

    /// Days since 1970-01-01 from a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func make(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, offset: Int) -> Date? {
        guard (1...12).contains(month), (1...9999).contains(year), day >= 1, day <= daysIn(month, year) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: TimeInterval(secs))
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
