import MailMessage

/// One index row: what LIST/UIDL said, plus the summary once its `TOP n 0` reply arrived.
public struct MessageRow: Sendable, Equatable {
    public var listing: MessageListing
    public var summary: MessageSummary?
    /// Why the header could not be read, when it could not.
    public var summaryFailure: String?

    public init(listing: MessageListing, summary: MessageSummary? = nil, summaryFailure: String? = nil) {
        self.listing = listing
        self.summary = summary
        self.summaryFailure = summaryFailure
    }

    public var number: Int { listing.number }

    /// Whether `pattern` (already lowercased) occurs in the sender or subject.
    func matches(lowercased pattern: String) -> Bool {
        guard let summary else { return false }
        return summary.from.lowercased().contains(pattern)
            || (summary.fromAddress?.lowercased().contains(pattern) ?? false)
            || summary.subject.lowercased().contains(pattern)
    }
}
