import Foundation

/// Index dates as short as they can be while still unambiguous: the time for today, the weekday
/// within the last week, "Mar 04" within this year, and the full ISO date before that.
/// `now` and `calendar` are injectable so tests do not depend on the clock or the zone.
public struct CompactDate: Sendable {
    public let now: Date
    public let calendar: Calendar
    /// Day boundaries around `now`, worked out once: the index formats every visible row on every
    /// redraw, and calendar arithmetic is the expensive part.
    private let startOfToday: Date
    private let startOfTomorrow: Date
    private let startOfLastWeek: Date
    private let currentYear: Int

    public init(now: Date = Date(), calendar: Calendar = .current) {
        self.now = now
        self.calendar = calendar
        startOfToday = calendar.startOfDay(for: now)
        startOfTomorrow = calendar.date(byAdding: .day, value: 1, to: startOfToday) ?? .distantFuture
        startOfLastWeek = calendar.date(byAdding: .day, value: -6, to: startOfToday) ?? startOfToday
        currentYear = calendar.component(.year, from: now)
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// An empty string for a missing date.
    public func format(_ date: Date?) -> String {
        guard let date else { return "" }
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        let (year, month, day) = (c.year ?? 0, c.month ?? 1, c.day ?? 1)
        if date >= startOfToday && date < startOfTomorrow {
            return Self.twoDigits(c.hour ?? 0) + ":" + Self.twoDigits(c.minute ?? 0)
        }
        if date >= startOfLastWeek && date < startOfToday {
            return Self.weekdays[((c.weekday ?? 1) - 1) % 7]
        }
        if year == currentYear {
            return Self.months[(month - 1) % 12] + " " + Self.twoDigits(day)
        }
        let yyyy = String(year)
        return String(repeating: "0", count: max(0, 4 - yyyy.count)) + yyyy
            + "-" + Self.twoDigits(month) + "-" + Self.twoDigits(day)
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
