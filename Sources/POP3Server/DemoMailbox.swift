import Foundation

/// The sample maildrop served by `mailbag --demo`: mail a real person might have, in many languages,
/// charsets and MIME shapes, including one very large message and one hostile one.
///
/// Dates are placed relative to `now` (today, this week, this year, earlier years) so every date column
/// format shows; UIDs, bodies and attachments are identical on every run.
public enum DemoMailbox {
    /// The account the demo logs in as.
    public static let user = "sam"
    public static let password = "demo"
    static let owner = "Sam Rivera <sam@rivera.example>"

    public static func messages(now: Date) -> [ServerMessage] {
        let clock = DemoClock(now: now)
        let entries = everyday + international + rich
        return entries
            .map { entry in (date: clock.date(entry.age), entry: entry) }
            .sorted { $0.date < $1.date }
            .map { date, entry in
                let context = DemoContext(slug: entry.slug, date: date, zoneMinutes: entry.zoneMinutes)
                return ServerMessage(uid: context.uid, bytes: entry.build(context))
            }
    }
}

/// When a demo message arrived, relative to the moment the demo starts.
enum DemoAge {
    /// Earlier today: this fraction of the time elapsed since local midnight (at least a minute) ago.
    case today(Double)
    /// At a local wall-clock time `days` calendar days ago.
    case daysAgo(Int, hour: Int, minute: Int)
}

struct DemoEntry {
    let slug: String
    let age: DemoAge
    /// The sender's UTC offset, which the Date header is written in.
    let zoneMinutes: Int
    let build: (DemoContext) -> [UInt8]

    init(_ slug: String, _ age: DemoAge, zone zoneMinutes: Int, build: @escaping (DemoContext) -> [UInt8]) {
        self.slug = slug
        self.age = age
        self.zoneMinutes = zoneMinutes
        self.build = build
    }
}

struct DemoClock {
    let now: Date
    private let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        return calendar
    }()

    func date(_ age: DemoAge) -> Date {
        let midnight = calendar.startOfDay(for: now)
        switch age {
        case .today(let fraction):
            return now.addingTimeInterval(-max(60, now.timeIntervalSince(midnight) * fraction))
        case let .daysAgo(days, hour, minute):
            let day = calendar.date(byAdding: .day, value: -days, to: midnight) ?? midnight
            return calendar.date(bySettingHour: hour, minute: minute, second: 0, of: day) ?? day
        }
    }
}

/// Per-message values the content builders need: the RFC 5322 date, a stable UID and Message-ID.
struct DemoContext {
    let slug: String
    let date: Date
    let zoneMinutes: Int

    /// Dovecot-style hex UID derived from the slug (FNV-1a), so it never changes between runs.
    var uid: String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in slug.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    var rfc5322Date: String {
        let sign = zoneMinutes < 0 ? "-" : "+"
        let zone = abs(zoneMinutes)
        return local("EEE, d MMM yyyy HH:mm:ss ") + sign + two(zone / 60) + two(zone % 60)
    }

    /// The message time plus `minutes` as the sender's wall clock (or UTC) shows it, written with the
    /// tokens yyyy, MMM (month name), MM, dd, d, HH, mm, ss and EEE (weekday name) — enough for the dates
    /// that appear inside bodies, logs and calendar files, so they agree with the Date header.
    func local(_ pattern: String, minutes: Int = 0, utc: Bool = false) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: utc ? 0 : zoneMinutes * 60) ?? .gmt
        let moment = date.addingTimeInterval(TimeInterval(minutes * 60))
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: moment)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let replacements: [(String, String)] = [
            ("yyyy", String(c.year ?? 1970)),
            ("MMM", months[(c.month ?? 1) - 1]),
            ("MM", two(c.month)),
            ("dd", two(c.day)),
            ("d", String(c.day ?? 1)),
            ("HH", two(c.hour)),
            ("mm", two(c.minute)),
            ("ss", two(c.second)),
            ("EEE", weekdays[(c.weekday ?? 1) - 1]),
        ]
        // One left-to-right pass, so a substituted value is never rescanned for tokens.
        var out = ""
        var rest = Substring(pattern)
        scan: while !rest.isEmpty {
            for (token, value) in replacements where rest.hasPrefix(token) {
                out += value
                rest = rest.dropFirst(token.count)
                continue scan
            }
            out.append(rest.removeFirst())
        }
        return out
    }

    /// Minutes from the message date to the same time on the first weekday at least `days` later, so
    /// meetings and deliveries mentioned in a body never fall on a weekend.
    func workdayMinutes(after days: Int) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: zoneMinutes * 60) ?? .gmt
        let weekday = calendar.component(.weekday, from: date.addingTimeInterval(TimeInterval(days * 86_400)))
        let skip = weekday == 7 ? 2 : weekday == 1 ? 1 : 0
        return (days + skip) * 1440
    }

    func messageID(domain: String) -> String {
        "<\(uid.prefix(8)).\(slug)@\(domain)>"
    }

    /// Another entry's Message-ID, for a reply that refers to it: UIDs depend on the slug alone.
    func messageID(of other: String, domain: String) -> String {
        DemoContext(slug: other, date: date, zoneMinutes: zoneMinutes).messageID(domain: domain)
    }

    /// The usual header block; `from` and `subject` are given exactly as they go on the wire.
    func headers(
        from: String,
        subject: String,
        to: String = DemoMailbox.owner,
        extra: [(String, String)] = []
    ) -> [(String, String)] {
        let domain = from.split(separator: "@").last.map { String($0.prefix { $0 != ">" && $0 != " " }) }
        return [
            ("Return-Path", "<\(Self.address(in: from))>"),
            ("Date", rfc5322Date),
            ("From", from),
            ("To", to),
            ("Subject", subject),
            ("Message-ID", messageID(domain: domain ?? "mailbag.example")),
        ] + extra
    }

    private static func address(in from: String) -> String {
        guard let open = from.lastIndex(of: "<"), let close = from.lastIndex(of: ">"), open < close else { return from }
        return String(from[from.index(after: open)..<close])
    }

    private func two(_ value: Int?) -> String {
        let value = value ?? 0
        return value < 10 ? "0\(value)" : "\(value)"
    }
}
