import Foundation

/// Index dates as short as they can be while still unambiguous: the time for today, the weekday
/// within the last week, "Mar 04" within this year, and the full ISO date before that.
/// `now` and `calendar` are injectable so tests do not depend on the clock or the zone.
public struct CompactDate: Sendable {
    public var now: Date
    public var calendar: Calendar

    public init(now: Date = Date(), calendar: Calendar = .current) {
        self.now = now
        self.calendar = calendar
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// An empty string for a missing date.
    public func format(_ date: Date?) -> String {
        guard let date else { return "" }
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        let (year, month, day) = (c.year ?? 0, c.month ?? 1, c.day ?? 1)
        let days = calendar.dateComponents(
            [.day], from: calendar.startOfDay(for: date), to: calendar.startOfDay(for: now)).day ?? Int.max
        if days == 0 {
            return Self.twoDigits(c.hour ?? 0) + ":" + Self.twoDigits(c.minute ?? 0)
        }
        if (1...6).contains(days) {
            return Self.weekdays[((c.weekday ?? 1) - 1) % 7]
        }
        if year == calendar.component(.year, from: now) {
            return Self.months[(month - 1) % 12] + " " + Self.twoDigits(day)
        }
        let yyyy = String(year)
        return String(repeating: "0", count: max(0, 4 - yyyy.count)) + yyyy
            + "-" + Self.twoDigits(month) + "-" + Self.twoDigits(day)
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
