extension Optional {
    /// Whether there is a value. `!= nil` on an optional `MessageSummary` picks the `Equatable`
    /// overload and copies the summary (five strings retained and released); on 20,000 rows that
    /// costs milliseconds where this costs microseconds.
    var isPresent: Bool {
        if case .some = self { true } else { false }
    }
}
