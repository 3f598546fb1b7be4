import MailMessage
import POP3

/// Everything the backend tells the reader. Events arrive on any thread through an `EventSink`
/// and are applied on the UI thread, so the UI never waits on the network.
public enum InboxEvent: Sendable {
    /// How far connecting and logging in has got, before `connected` (or `connectionLost`).
    case loginStage(LoginStage)
    case connected(account: String)
    /// Every row of the session: numbers, UIDs and sizes (on a first visit, LIST alone; with a
    /// header cache, UIDL and the cached sizes). `cached` holds, by position, the summaries the
    /// header cache had (nil where it had none; empty without a cache); the rest are pending.
    /// `session` counts the backend's connections: a commit plan carries it, so that message
    /// numbers are only ever used on the session that gave them.
    case listing([MessageListing], cached: [MessageSummary?] = [], session: Int = 0)
    /// A first visit lists its rows before UIDL has answered (so the first screenful is not kept
    /// waiting); these are the same rows with their UIDs.
    case identified([MessageListing])
    /// Summaries from `TOP n 0` replies, in any order, while the user scrolls.
    case summaries([NumberedSummary])
    case summaryFailed(number: Int, reason: String)
    case headersComplete
    /// UIDs the local cache had not seen on a previous visit: those still unread are new (`N`).
    case newMessages(uids: Set<String>)
    /// The read and flagged states the header cache kept from earlier visits, by UID (messages
    /// without an entry are unread and not flagged).
    case messageStates([String: MessageState])
    case fetchProgress(number: Int, received: Int, total: Int?)
    case message(number: Int, raw: [UInt8], rendered: RenderedMessage)
    /// `TOP n k` rendered as far as the truncated body allows.
    case preview(number: Int, rendered: RenderedMessage)
    case fetchFailed(number: Int, reason: String)
    /// A sentence for the user that needs no action.
    case notice(String)
    /// The session is gone; the server deletes nothing in this case.
    case connectionLost(String)
    case committed(CommitReport)
    /// A check for new mail has listed a new session: `arrived` messages were not in the last.
    case mailChecked(arrived: Int)
    /// The session ended (after a quit, a commit or a lost connection).
    case closed
}

extension InboxEvent {
    /// One `TOP n 0` reply's summary.
    public static func summary(number: Int, _ summary: MessageSummary, fingerprint: HeaderFingerprint? = nil) -> InboxEvent {
        .summaries([NumberedSummary(number: number, summary: summary, fingerprint: fingerprint)])
    }
}

/// A message's summary and the number it has in the current session, with its header block's
/// fingerprint (for a server without UIDL).
public struct NumberedSummary: Sendable {
    public var number: Int
    public var summary: MessageSummary
    public var fingerprint: HeaderFingerprint?

    public init(number: Int, summary: MessageSummary, fingerprint: HeaderFingerprint? = nil) {
        self.number = number
        self.summary = summary
        self.fingerprint = fingerprint
    }
}
