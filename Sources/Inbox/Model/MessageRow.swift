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
}
