import MailMessage
import POP3

/// The one mailbox load, as a state machine without I/O: it decides what to ask the server and
/// in which order, takes the replies and the headers as they come, and says what the reader and
/// the header cache are to learn (`Effect`). The reader's worker drives it (and through the
/// worker, `mailbag list`); tests drive it by feeding replies.
///
/// - A first visit (nothing cached) needs every header and has nothing to match by UID: its rows
///   are shown from LIST alone, the first window of `TOP n 0` goes out as soon as LIST is in,
///   and UIDL is answered behind the first `headersBeforeUIDs` of them, so the screenful the
///   reader opens on does not wait for the server to produce every UID.
/// - A visit with summaries cached lists from STAT and UIDL (sent right after the login) and the
///   cache: when every UID is cached and the cached sizes add up to STAT's total, that is the
///   listing; otherwise LIST gives the sizes, each checked against the cached one (some servers
///   reuse a UID for another message), with the first headers the cache lacks in the same write.
/// - A new session after a lost one lists with LIST and UIDL, and rows and summaries follow
///   their UIDs.
///
/// Nothing here waits or reads a clock: the only waits of a load are the worker's keep-alive and
/// its reconnection countdown, which run on `POP3Backend.Options.clock` (a test's clock in the
/// tests).
public struct MailboxLoader: Sendable {
    public enum Phase: Sendable, Equatable {
        /// This session has not listed yet.
        case unlisted
        /// A first visit's rows are out without UIDs; UIDL is answered behind the first
        /// `headersFirst` headers still due.
        case awaitingUIDs(headersFirst: Int)
        /// Every row has what the server could say of it; headers may still be due.
        case listed
    }

    /// The next thing the driver should do.
    public enum Request: Sendable, Equatable {
        /// Write these, in one write when the server pipelines; a command already in flight
        /// (sent with the login) is not sent again.
        case send([POP3Command])
        /// Hand the reply to this command, once it is in, to `received`.
        case await(POP3Command)
        /// Fetch these headers with `TOP n 0`, in this order, each through `headerArrived`,
        /// until another job waits.
        case fetchHeaders([Int])
    }

    /// What the load tells the rest of the application.
    public enum Effect: Sendable {
        case event(InboxEvent)
        /// Summaries to store in the header cache (rows without a UID never are).
        case remember([FetchedHeader])
        /// The visit to record in the header cache.
        case recordVisit(VisitedUIDs, since: HeaderCache.Contents?)
    }

    public struct FetchedHeader: Sendable {
        public var row: MessageListing
        public var summary: MessageSummary
    }

    /// Which listing this session is on its way through.
    private enum Plan: Sendable {
        case firstVisit
        /// `total` once STAT is in (nil inside when the server refused it).
        case cached(total: (count: Int, size: Int)??)
        /// The cache cannot give every size: LIST (sent with the first unknown headers) joins the UIDs.
        case cachedNeedingSizes(uids: UIDListing)
        /// `sizes` once LIST is in.
        case relisting(sizes: [ListEntry]?)
    }

    /// Commands to write right after the login's answer, so the listing costs no round trip of
    /// its own: STAT and UIDL to match cached summaries, or on a first visit LIST and `TOP 1 0`.
    /// The first header of a session can cost a server far more than the next ones (Dovecot opens
    /// the maildrop's files only then, some 80 ms for 20,000 messages): asked for here, that
    /// happens while LIST's answer travels. Message 1 is the one number any non-empty mailbox
    /// has; its reply is used when the fetch reaches it.
    public static func commandsAfterLogin(cacheHoldsSummaries: Bool) -> [POP3Command] {
        cacheHoldsSummaries ? [.stat, .uidl(nil)] : [.list(nil), .top(1, lines: 0)]
    }

    /// More rows than a terminal shows at once.
    public static let headersBeforeUIDs = 100
    /// Summaries reach the cache every this many arrivals, so a dropped connection loses little
    /// of a long first fetch.
    static let cacheBatch = 1000

    public private(set) var phase = Phase.unlisted
    /// The latest listing; after a reconnection, kept until the new session's replaces it.
    public private(set) var rows: [MessageListing] = []
    private var positions = RowPositions()
    /// Whether the reader has the summary of the row at the same position in `rows`.
    private var summarized: [Bool] = []
    /// Headers still to fetch, in fetch order.
    public private(set) var pendingHeaders: ArraySlice<Int> = []
    private var plan = Plan.firstVisit
    /// Commands this listing asked to send, so each is sent once.
    private var sent: Set<POP3Command> = []
    /// Commands a reply made due; `next` asks for them before anything else.
    private var followUp: [POP3Command] = []
    /// Summaries fetched before a first visit's UIDs, for the cache once they come.
    private var fetchedBeforeUIDs: [(position: Int, summary: MessageSummary)] = []
    private var unsaved: [(position: Int, summary: MessageSummary)] = []
    private var session = 0
    private var uidl = true
    private var pipelining = true
    private let contents: HeaderCache.Contents?
    private let window: Int
    private let headersBeforeUIDs: Int
    private let recordsVisit: Bool

    /// - Parameters:
    ///   - contents: what the header cache holds; nil without one.
    ///   - window: how many `TOP n 0` a first batch has in flight (`PipelineWindow`'s first size).
    ///   - recordsVisit: whether this load is a visit: false for a look that must leave the
    ///     reader's "new since the last visit" as it was (`mailbag list`).
    public init(
        contents: HeaderCache.Contents?, window: Int, headersBeforeUIDs: Int = MailboxLoader.headersBeforeUIDs,
        recordsVisit: Bool = true
    ) {
        self.contents = contents
        self.window = max(1, window)
        self.headersBeforeUIDs = headersBeforeUIDs
        self.recordsVisit = recordsVisit
    }

    /// A new session is logged in (the first, or one after a lost connection): it lists anew.
    public mutating func begin(session: Int, capabilities: Capabilities) {
        self.session = session
        uidl = capabilities.uidl
        pipelining = capabilities.pipelining
        phase = .unlisted
        sent = []
        followUp = []
        unsaved = []
        fetchedBeforeUIDs = []
        let cached = !(contents?.isEmpty ?? true)
        if summarized.contains(true) || (cached && !uidl) {
            plan = .relisting(sizes: nil)
        } else if cached {
            plan = .cached(total: nil)
        } else {
            plan = .firstVisit
        }
    }

    /// The connection is gone: what was fetched but not cached yet is handed over, and nothing
    /// more is asked of the old session.
    public mutating func sessionLost() -> [Effect] {
        defer { phase = .unlisted }
        return flush()
    }

    // MARK: Requests

    /// What to do next; nil when the load has nothing to ask (every header is in).
    public mutating func next() -> Request? {
        if !followUp.isEmpty {
            defer {
                sent.formUnion(followUp)
                followUp = []
            }
            return .send(followUp)
        }
        switch phase {
        case .unlisted:
            return listingRequest()
        case .awaitingUIDs(let headersFirst):
            if headersFirst > 0 && !pendingHeaders.isEmpty { return .fetchHeaders(Array(pendingHeaders.prefix(headersFirst))) }
            return .await(.uidl(nil))
        case .listed:
            return pendingHeaders.isEmpty ? nil : .fetchHeaders(Array(pendingHeaders))
        }
    }

    private mutating func listingRequest() -> Request {
        let needed: [POP3Command]
        let awaited: POP3Command
        switch plan {
        case .firstVisit, .cachedNeedingSizes:
            (needed, awaited) = ([.list(nil)], .list(nil))
        case .cached(let total):
            (needed, awaited) = ([.stat, .uidl(nil)], total == nil ? .stat : .uidl(nil))
        case .relisting(let sizes):
            needed = uidl ? [.list(nil), .uidl(nil)] : [.list(nil)]
            awaited = sizes == nil ? .list(nil) : .uidl(nil)
        }
        let unsent = needed.filter { !sent.contains($0) }
        if !unsent.isEmpty {
            sent.formUnion(unsent)
            return .send(unsent)
        }
        return .await(awaited)
    }

    // MARK: Replies

    /// The reply to `command`, which `next` asked for.
    /// - Throws: `POP3Error` when a listing the load needs is malformed.
    public mutating func received(_ reply: POP3Reply, for command: POP3Command) throws -> [Effect] {
        switch (command, plan) {
        case (.stat, .cached):
            // A refused STAT only costs the shortcut.
            plan = .cached(total: .some(try? POP3Session.totals(reply)))
            return []
        case (.uidl, .cached(let total)):
            guard let uids = POP3Session.uids(reply, messageCount: (total ?? nil)?.count) else {
                // The server dropped UIDL since the summaries were cached: nothing matches them now.
                uidl = false
                plan = .relisting(sizes: nil)
                return []
            }
            return matchCached(uids, total: total ?? nil)
        case (.list, .cachedNeedingSizes(let uids)):
            let (rows, problems) = MailboxIndex.identified(MailboxIndex.rows(try POP3Session.listEntries(reply)), by: uids)
            let visit = VisitedUIDs(rows.compactMap(\.uid))
            let cached = contents?.summaries(for: rows, visit: visit) ?? []
            return problems.map { .event(.notice($0)) } + adopt(rows, cached: cached, visit: visit)
        case (.list, .firstVisit) where phase == .unlisted:
            let effects = adopt(MailboxIndex.rows(try POP3Session.listEntries(reply)), cached: [], visit: nil)
            guard uidl else {
                phase = .listed
                return effects + (pendingHeaders.isEmpty ? [.event(.headersComplete)] : [])
            }
            phase = .awaitingUIDs(headersFirst: min(headersBeforeUIDs, pendingHeaders.count))
            // Without PIPELINING each header would wait for the one before: UIDL goes first then.
            var requests = pipelining ? pendingHeaders.prefix(window).map { POP3Command.top($0, lines: 0) } : []
            requests.insert(.uidl(nil), at: min(headersBeforeUIDs, requests.count))
            followUp = requests.filter { !sent.contains($0) }
            return effects
        case (.uidl, .firstVisit):
            return identify(POP3Session.uids(reply, messageCount: rows.count))
        case (.list, .relisting):
            let sizes = try POP3Session.listEntries(reply)
            if uidl {
                plan = .relisting(sizes: sizes)
                return []
            }
            return relist(sizes, uids: nil)
        case (.uidl, .relisting(let sizes?)):
            return relist(sizes, uids: POP3Session.uids(reply, messageCount: sizes.count))
        default:
            return []
        }
    }

    private mutating func matchCached(_ uids: UIDListing, total: (count: Int, size: Int)?) -> [Effect] {
        let problems = uids.problemSummary.map { Effect.event(.notice($0)) }
        var named = uids.entries.map { MessageListing(number: $0.number, uid: $0.uid, size: -1) }
        let visit = VisitedUIDs(uids.entries.map(\.uid))
        let (sizes, summaries) = contents?.entries(for: named, visit: visit) ?? (Array(repeating: -1, count: named.count), [])
        if let total, total.count == named.count, sizes.allSatisfy(ByteCount.isPlausible), ByteCount.total(sizes) == total.size,
           named.indices.allSatisfy({ named[$0].number == $0 + 1 }) {
            for position in named.indices { named[position].size = sizes[position] }
            return problems + adopt(named, cached: summaries, visit: visit)
        }
        plan = .cachedNeedingSizes(uids: uids)
        let unknown = zip(named, sizes).compactMap { row, size in size < 0 ? row.number : nil }
        let headers = pipelining ? MailboxIndex.fetchOrder(unknown).prefix(window).map { POP3Command.top($0, lines: 0) } : []
        followUp = [.list(nil)] + headers.filter { !sent.contains($0) }
        return problems
    }

    private mutating func relist(_ sizes: [ListEntry], uids: UIDListing?) -> [Effect] {
        let (fresh, problems) = MailboxIndex.identified(MailboxIndex.rows(sizes), by: uids)
        // Without UIDs (a server without UIDL, or a first visit cut before they came) nothing
        // links the new numbers to the old summaries.
        let had = Set(zip(rows, summarized).compactMap { row, summarized in summarized ? row.uid : nil })
        var effects = problems.map { Effect.event(.notice($0)) }
        let carried = fresh.map { row in row.uid.map(had.contains) ?? false }
        let vanished = had.count - carried.count { $0 }
        if vanished > 0, fresh.contains(where: { $0.uid != nil }) {
            effects.append(.event(.notice("\(vanished) message\(vanished == 1 ? " is" : "s are") gone from the server since the connection was lost; marks on them were dropped.")))
        }
        summarized = carried
        return effects + adopt(fresh, cached: [], visit: nil, keepingSummarized: true)
    }

    /// Takes `fresh` as the session's rows and queues the headers the reader does not have.
    private mutating func adopt(
        _ fresh: [MessageListing], cached: [MessageSummary?], visit: VisitedUIDs?, keepingSummarized: Bool = false
    ) -> [Effect] {
        rows = fresh
        positions = RowPositions(fresh.lazy.map(\.number))
        if !keepingSummarized {
            summarized = cached.count == fresh.count ? cached.map(\.isPresent) : Array(repeating: false, count: fresh.count)
        }
        pendingHeaders = MailboxIndex.fetchOrder(zip(fresh, summarized).filter { !$1 }.map(\.0.number))[...]
        var effects: [Effect] = [.event(.listing(fresh, cached: cached, session: session))]
        if let visit {
            effects.append(contentsOf: recordVisit(visit))
        }
        if case .firstVisit = plan { return effects }
        phase = .listed
        if pendingHeaders.isEmpty { effects.append(.event(.headersComplete)) }
        return effects
    }

    /// Once the rows have their UIDs: what is new since the last visit, the states kept for
    /// them, and (for a visit) the visit to remember.
    private func recordVisit(_ visit: VisitedUIDs) -> [Effect] {
        var effects: [Effect] = [.event(.newMessages(uids: contents?.newUIDs(visit) ?? []))]
        if let states = contents?.states, !states.isEmpty { effects.append(.event(.messageStates(states))) }
        if recordsVisit { effects.append(.recordVisit(visit, since: contents)) }
        return effects
    }

    /// A first visit's UIDs (nil: the server refused UIDL after all).
    private mutating func identify(_ uids: UIDListing?) -> [Effect] {
        let (fresh, problems) = MailboxIndex.identified(rows, by: uids)
        rows = fresh
        phase = .listed
        var effects = problems.map { Effect.event(.notice($0)) }
        effects.append(.event(.identified(fresh)))
        effects.append(.remember(fetchedBeforeUIDs.map { FetchedHeader(row: fresh[$0.position], summary: $0.summary) }))
        fetchedBeforeUIDs = []
        effects.append(contentsOf: recordVisit(VisitedUIDs(fresh.compactMap(\.uid))))
        if pendingHeaders.isEmpty { effects.append(.event(.headersComplete)) }
        return effects
    }

    // MARK: Headers

    /// Whether the header of message `number` should come with its fingerprint: rows without a
    /// UID are told apart across sessions by it.
    public func wantsFingerprint(_ number: Int) -> Bool {
        positions.position(of: number).map { rows[$0].uid == nil } ?? false
    }

    /// One `TOP n 0` reply of a `fetchHeaders` batch, in the batch's order.
    public mutating func headerArrived(
        number: Int, _ result: Result<MessageSummary, POP3Error>, fingerprint: HeaderFingerprint?
    ) -> [Effect] {
        var effects: [Effect]
        switch result {
        case .success(let summary):
            effects = [.event(.summary(number: number, summary, fingerprint: fingerprint))]
        case .failure(let error):
            effects = [.event(.summaryFailed(number: number, reason: error.description))]
        }
        if pendingHeaders.first == number { pendingHeaders.removeFirst() }
        guard let position = positions.position(of: number) else { return effects }
        summarized[position] = true
        if case .awaitingUIDs(let headersFirst) = phase {
            phase = .awaitingUIDs(headersFirst: headersFirst - 1)
            if case .success(let summary) = result { fetchedBeforeUIDs.append((position, summary)) }
            return effects
        }
        if case .success(let summary) = result { unsaved.append((position, summary)) }
        if unsaved.count >= Self.cacheBatch { effects.append(contentsOf: flush()) }
        if pendingHeaders.isEmpty {
            effects.append(contentsOf: flush())
            effects.append(.event(.headersComplete))
        }
        return effects
    }

    /// Summaries fetched since the last flush, for the cache (before a first visit's UIDs,
    /// they wait for them).
    public mutating func flush() -> [Effect] {
        guard !unsaved.isEmpty else { return [] }
        defer { unsaved = [] }
        return [.remember(unsaved.map { FetchedHeader(row: rows[$0.position], summary: $0.summary) })]
    }

    // MARK: Rows

    /// The row a fetch names: by UID once the rows have theirs, else by this session's number.
    public func row(number: Int, uid: String?) -> MessageListing? {
        let byUID = uid != nil && phase == .listed
        return rows.first { byUID ? $0.uid == uid : $0.number == number }
    }

    /// Whether every row has the UID the server gave it (a first visit's come after its rows).
    public var rowsIdentified: Bool { phase == .listed }
}
