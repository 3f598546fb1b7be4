import Foundation
import MailMessage
import POP3

/// Figures the status line shows.
public struct InboxStatus: Sendable, Equatable {
    public var messages: Int
    public var totalSize: Int
    /// Rows left after the limit (equals `messages` without one).
    public var shown: Int
    public var marked: Int
    public var markedSize: Int
    public var tagged: Int
    /// Unread messages that arrived since the last visit (mutt's `N`).
    public var new: Int
    public var unread: Int
    /// Headers read so far (failures included) out of `messages`.
    public var headersLoaded: Int
    public var headersComplete: Bool
}

/// How a shown row sits in the threaded index.
public struct ThreadRow: Sendable, Equatable {
    /// The tree drawn before the subject (`MessageThreads.treePrefix`); empty for a collapsed thread.
    public var tree: String
    /// The subject repeats the one of the message answered, so the index leaves it out.
    public var hidesSubject: Bool
    /// How many messages of a collapsed thread this row stands for besides itself; 0 when expanded.
    public var hidden: Int
    /// What those hidden messages are marked with, for the row to show.
    public var hiddenFlags: MessageFlags
}

/// What collapsing or expanding did.
public enum ThreadToggle: Sendable, Equatable {
    case collapsed(hidden: Int)
    case expanded(shown: Int)
    /// A thread of one message has nothing to collapse.
    case single
    /// The index is not sorted by threads.
    case notThreaded
}

/// Where a search landed.
public enum SearchOutcome: Sendable, Equatable {
    case found(wrapped: Bool)
    case notFound
}

/// The mailbox as the reader shows it: rows, order, limit, selection, marks, tags, read states
/// and flags, and what is new since the last visit.
/// Owned by the UI thread (not Sendable); the backend reaches it only through `apply`.
public final class InboxModel {
    public private(set) var account: String
    /// Every message in server order, as LIST and UIDL gave it.
    public private(set) var listings: [MessageListing] = []
    /// By position in `listings`: each summary once it arrived, and why it could not be read when
    /// it could not. Kept apart from the listings so that the header cache's summaries, which
    /// come as one array, become the index as they are, without a copy per message.
    private var summaries: [MessageSummary?] = []
    private var failures: [String?] = []
    public private(set) var sortOrder = SortOrder()
    /// The limit; nil shows everything.
    public private(set) var limit: MessagePattern?
    public private(set) var marks = DeletionMarks()
    public private(set) var tags = MessageTags()
    public private(set) var states = MessageStates()
    /// UIDs the previous visit did not list; those still unread are new (`N`).
    public private(set) var newUIDs: Set<String> = []
    public private(set) var searchPattern: MessagePattern?
    public private(set) var listingReceived = false
    /// What the first connection is doing, until the listing arrives: the status line shows it.
    public var loadingStatus: String? {
        guard !listingReceived else { return nil }
        return loginStage?.description ?? (connected ? "Listing…" : "Connecting…")
    }
    private var loginStage: LoginStage?
    private var connected = false
    /// Marks held by message number (no UID to hold them by) that the last listing, from a new
    /// session, could not carry over: the user has to mark those messages again.
    public private(set) var marksLostToRenumbering = 0
    /// Marks held by header block (a server without UIDL) that matched no message once a new
    /// session's headers were all in.
    public private(set) var marksNoLongerFound = 0
    /// The backend session the listing came from; a commit plan's numbers are that session's.
    private var listingSession = 0
    /// Whether marks held by header wait for a new session's headers.
    private var headerMarksPending = false
    public private(set) var headersComplete = false
    /// Index into `visible` of the selected row; meaningless when nothing is visible.
    public private(set) var selection = 0
    /// The earliest Date of any summary: the index sizes its date column by it, so the column
    /// does not change width while scrolling. Kept up to date here, not looked for per redraw.
    public private(set) var oldestDate: Date?

    private var positions = RowPositions()
    private var history = UndoHistory()
    private var headersLoaded = 0
    private var totalSize = 0
    private var newCount = 0
    private var unreadCount = 0
    /// Indices into `listings`, sorted and limited, without the hidden rows of collapsed threads.
    private var visible: [Int] = []
    /// Indices into `listings` that the limit lets through, collapsed or not: what a pattern action takes.
    private var limited: [Int] = []
    /// The limited rows as threads, when sorted by threads.
    private var threads: MessageThreads?
    /// When threaded, each visible row's position in `threads.entries`.
    private var visibleEntries: [Int] = []
    /// The threads shown as their first row only, by that row's identity, which lasts while
    /// rows come and go.
    private var collapsed: Set<MessageIdentity> = []

    public init(account: String) {
        self.account = account
    }

    // MARK: Events

    public func apply(_ event: InboxEvent) {
        apply(CollectionOfOne(event))
    }

    /// Applies a batch (one drain of the sink) and reorders once at the end, so thousands of
    /// header replies do not each pay for a sort.
    public func apply(_ events: some Sequence<InboxEvent>) {
        var reorder = false
        for event in events {
            switch event {
            case .loginStage(let stage):
                loginStage = stage
            case .connected(let account):
                self.account = account
                loginStage = nil
                connected = true
            case .listing(let listings, let cached, let session):
                replaceListing(listings, cached: cached)
                headerMarksPending = listingSession != session
                listingSession = session
                marksNoLongerFound = 0
                reorder = true
            case .identified(let identified):
                identify(identified)
            case .summaries(let batch):
                for item in batch {
                    guard let i = positions.position(of: item.number) else { continue }
                    if !summaries[i].isPresent && failures[i] == nil { headersLoaded += 1 }
                    summaries[i] = item.summary
                    failures[i] = nil
                    noteDate(item.summary.date)
                    if let fingerprint = item.fingerprint, listings[i].uid == nil, listings[i].fingerprint != fingerprint {
                        // The header may name a message read on an earlier session.
                        let wasRead = states[listings[i]].read
                        listings[i].fingerprint = fingerprint
                        marks.identify([listings[i]])
                        tags.identify([listings[i]])
                        states.identify([listings[i]])
                        if states[listings[i]].read != wasRead { unreadCount += wasRead ? 1 : -1 }
                    }
                }
                reorder = reorder || sortOrder.key != .number || limit != nil
            case .summaryFailed(let number, let reason):
                guard let i = positions.position(of: number) else { continue }
                if !summaries[i].isPresent && failures[i] == nil { headersLoaded += 1 }
                if !summaries[i].isPresent { failures[i] = reason }
            case .headersComplete:
                headersComplete = true
                if headerMarksPending {
                    headerMarksPending = false
                    marksNoLongerFound = marks.retainHeaders(listings)
                }
            case .newMessages(let uids):
                newUIDs = uids
                countUnread()
            case .messageStates(let stored):
                states.adopt(stored: stored)
                countUnread()
            case .fetchProgress, .message, .preview, .fetchFailed, .notice, .connectionLost, .committed, .mailChecked, .closed:
                continue
            }
        }
        if reorder { refreshVisible() }
    }

    private func replaceListing(_ incoming: [MessageListing], cached: [MessageSummary?]) {
        let selected = selectedRow?.listing.identity
        let first = !listingReceived
        // A later listing comes from a new session: rows are matched by UID, since numbers may
        // have shifted, and rows without a UID start afresh.
        let previous = Dictionary(
            listings.indices.compactMap { i in listings[i].uid.map { (MessageIdentity.uid($0), i) } },
            uniquingKeysWith: { a, _ in a })
        let cached = cached.count == incoming.count ? cached : Array(repeating: nil, count: incoming.count)
        // Servers list in order, and the first listing has nothing to carry over: the usual case
        // takes the listing and the cache's summaries as they come.
        if previous.isEmpty && zip(incoming, incoming.dropFirst()).allSatisfy({ $0.number <= $1.number }) {
            listings = incoming
            summaries = cached
            failures = Array(repeating: nil, count: incoming.count)
        } else {
            let order = incoming.indices.sorted { incoming[$0].number < incoming[$1].number }
            // Where each row was in the old listing; a cached summary wins over what it had.
            let carried = order.map { cached[$0].isPresent ? nil : previous[incoming[$0].identity] }
            let (oldSummaries, oldFailures) = (summaries, failures)
            listings = order.map { incoming[$0] }
            summaries = zip(order, carried).map { index, old in cached[index] ?? old.flatMap { oldSummaries[$0] } }
            failures = carried.map { old in old.flatMap { oldFailures[$0] } }
        }
        positions = RowPositions(listings.lazy.map(\.number))
        headersLoaded = failures.indices.count { summaries[$0].isPresent || failures[$0] != nil }
        marksLostToRenumbering = marks.retain(incoming, renumbered: !first)
        tags.retain(incoming, renumbered: !first)
        states.retain(incoming, renumbered: !first)
        recount()
        listingReceived = true
        refreshVisible(keeping: selected.flatMap { identity in listings.first { $0.identity == identity }?.number })
        // Like mutt, start on the newest message: it is what a user checking mail came for.
        if first { selection = max(0, visible.count - 1) }
    }

    /// Gives the listed rows the UIDs that came after them; only the UIDs change.
    private func identify(_ identified: [MessageListing]) {
        for listing in identified {
            guard let i = positions.position(of: listing.number), listings[i].size == listing.size else { continue }
            listings[i].uid = listing.uid
        }
        marks.identify(identified)
        tags.identify(identified)
        states.identify(identified)
        recount()
    }

    /// Re-sorts and re-limits, keeping the selected message selected when it is still shown.
    private func refreshVisible() {
        refreshVisible(keeping: selectedRow?.number)
    }

    /// `selectedNumber` is read by the caller while `visible` still matches `listings`.
    private func refreshVisible(keeping selectedNumber: Int?) {
        var indices = Array(listings.indices)
        if let limit {
            indices = indices.filter { limit.matches(row(at: $0), flags: flags(listings[$0])) }
        }
        limited = indices
        if sortOrder.key == .threads {
            threads = MessageThreads(rows: indices, listings: listings, summaries: summaries, reversed: sortOrder.reversed)
            layOutThreads(keeping: selectedNumber)
            return
        }
        threads = nil
        visibleEntries = []
        visible = sortOrder.key == .number && !sortOrder.reversed ? indices : sortOrder.sorted(indices, row: row(at:))
        if let selectedNumber, let position = visible.firstIndex(where: { listings[$0].number == selectedNumber }) {
            selection = position
        } else {
            selection = min(selection, max(0, visible.count - 1))
        }
    }

    /// The visible rows from `threads`, collapsed threads as their first row; a selected message
    /// that a collapse hides leaves the selection on its thread's first row.
    private func layOutThreads(keeping selectedNumber: Int?) {
        guard let threads else { return }
        visible.removeAll(keepingCapacity: true)
        visibleEntries.removeAll(keepingCapacity: true)
        var selected: Int?
        for range in threads.threads {
            let folded = !collapsed.isEmpty && range.count > 1 && collapsed.contains(listings[threads.entries[range.lowerBound].index].identity)
            let firstShown = visible.count
            for position in range {
                let index = threads.entries[position].index
                let shown = !folded || position == range.lowerBound
                if listings[index].number == selectedNumber { selected = shown ? visible.count : firstShown }
                if shown {
                    visible.append(index)
                    visibleEntries.append(position)
                }
            }
        }
        selection = selected ?? min(selection, max(0, visible.count - 1))
    }

    /// The threads of the visible row at `position` and where they are: nil unless threaded.
    private func thread(atVisible position: Int) -> (threads: MessageThreads, range: Range<Int>, entry: Int)? {
        guard let threads, visibleEntries.indices.contains(position) else { return nil }
        let entry = visibleEntries[position]
        return (threads, threads.threads[threads.thread(containing: entry)], entry)
    }

    private func isCollapsed(_ range: Range<Int>, in threads: MessageThreads) -> Bool {
        range.count > 1 && collapsed.contains(listings[threads.entries[range.lowerBound].index].identity)
    }

    // MARK: Rows

    public var visibleCount: Int { visible.count }

    /// Every row in server order, each built on demand: for tests and tools, not for every frame.
    public var rows: [MessageRow] { listings.indices.map(row(at:)) }

    private func row(at index: Int) -> MessageRow {
        MessageRow(listing: listings[index], summary: summaries[index], summaryFailure: failures[index])
    }

    public func visibleRow(_ position: Int) -> MessageRow { row(at: visible[position]) }

    /// Where the visible row at `position` sits in its thread; nil unless sorted by threads.
    public func threadRow(_ position: Int) -> ThreadRow? {
        guard case let (threads, range, entry)? = thread(atVisible: position) else { return nil }
        guard entry == range.lowerBound, isCollapsed(range, in: threads) else {
            return ThreadRow(tree: threads.treePrefix(at: entry), hidesSubject: threads.entries[entry].hidesSubject,
                             hidden: 0, hiddenFlags: [])
        }
        var hiddenFlags: MessageFlags = []
        for position in range.dropFirst() { hiddenFlags.formUnion(flags(listings[threads.entries[position].index])) }
        return ThreadRow(tree: "", hidesSubject: false, hidden: range.count - 1, hiddenFlags: hiddenFlags)
    }

    public var selectedRow: MessageRow? {
        visible.indices.contains(selection) ? row(at: visible[selection]) : nil
    }

    public func row(number: Int) -> MessageRow? { positions.position(of: number).map(row(at:)) }

    public func isMarked(_ row: MessageRow) -> Bool { marks.contains(row.listing) }

    /// Unread and absent from the previous visit: mutt's `N`. Read mail is never new.
    public func isNew(_ row: MessageRow) -> Bool { !isRead(row) && arrivedSinceLastVisit(row.listing) }

    public func isRead(_ row: MessageRow) -> Bool { states[row.listing].read }

    public func isFlagged(_ row: MessageRow) -> Bool { states[row.listing].flagged }

    public func isTagged(_ row: MessageRow) -> Bool { tags.contains(row.listing) }

    private func arrivedSinceLastVisit(_ listing: MessageListing) -> Bool {
        !newUIDs.isEmpty && (listing.uid.map(newUIDs.contains) ?? false)
    }

    private func flags(_ listing: MessageListing) -> MessageFlags {
        var flags: MessageFlags = []
        let state = states[listing]
        if !state.read {
            flags.insert(.unread)
            flags.insert(arrivedSinceLastVisit(listing) ? .new : .old)
        }
        if state.flagged { flags.insert(.flagged) }
        if marks.contains(listing) { flags.insert(.marked) }
        if tags.contains(listing) { flags.insert(.tagged) }
        return flags
    }

    // MARK: Navigation

    /// Moves by `delta` rows, stopping at either end. Returns whether the selection changed.
    @discardableResult
    public func moveSelection(by delta: Int) -> Bool {
        guard !visible.isEmpty else { return false }
        let target = min(max(selection + delta, 0), visible.count - 1)
        defer { selection = target }
        return target != selection
    }

    public func selectFirst() { selection = 0 }

    public func selectLast() { selection = max(0, visible.count - 1) }

    public func select(position: Int) {
        guard visible.indices.contains(position) else { return }
        selection = position
    }

    /// Selects message `number` when it is shown. Returns false when it does not exist or the
    /// limit hides it.
    @discardableResult
    public func select(number: Int) -> Bool {
        if let position = visible.firstIndex(where: { listings[$0].number == number }) {
            selection = position
            return true
        }
        // A message in a collapsed thread: the thread opens to show it.
        guard let threads, let index = positions.position(of: number),
              let entry = threads.entries.firstIndex(where: { $0.index == index }) else { return false }
        let range = threads.threads[threads.thread(containing: entry)]
        collapsed.remove(listings[threads.entries[range.lowerBound].index].identity)
        layOutThreads(keeping: number)
        return true
    }

    // MARK: Threads

    /// Collapses the selected message's thread to its first row, or expands it again.
    public func toggleSelectedThread() -> ThreadToggle {
        guard case let (threads, range, _)? = thread(atVisible: selection) else { return .notThreaded }
        guard range.count > 1 else { return .single }
        let first = listings[threads.entries[range.lowerBound].index]
        let folding = !collapsed.contains(first.identity)
        if folding { collapsed.insert(first.identity) } else { collapsed.remove(first.identity) }
        layOutThreads(keeping: first.number)
        return folding ? .collapsed(hidden: range.count - 1) : .expanded(shown: range.count)
    }

    /// Collapses every thread of more than one message, or expands them all when all are
    /// collapsed already; nil unless threaded. Returns whether they are collapsed now, and how many.
    public func toggleAllThreads() -> (collapsed: Bool, threads: Int)? {
        guard let threads else { return nil }
        let selected = selectedRow?.number
        let long = threads.threads.filter { $0.count > 1 }
        let folding = long.contains { !isCollapsed($0, in: threads) }
        if folding {
            for range in long { collapsed.insert(listings[threads.entries[range.lowerBound].index].identity) }
        } else {
            collapsed.removeAll()
        }
        layOutThreads(keeping: selected)
        return (folding, long.count)
    }

    /// `Ctrl-N`/`Ctrl-P`: selects the first row of the next or previous thread, as mutt does.
    /// Nil unless threaded; false when there is no such thread.
    public func selectThread(forward: Bool) -> Bool? {
        guard case let (threads, _, entry)? = thread(atVisible: selection) else { return nil }
        let target = threads.thread(containing: entry) + (forward ? 1 : -1)
        guard threads.threads.indices.contains(target),
              let position = visibleEntries.firstIndex(of: threads.threads[target].lowerBound) else { return false }
        selection = position
        return true
    }

    // MARK: Marks and tags

    /// `d`: marks the selected message and moves on to the next row.
    public func markSelectedAndAdvance() {
        guard selectedRow != nil else { return }
        change(.mark, at: [visible[selection]])
        moveSelection(by: 1)
    }

    public func unmarkSelected() {
        guard selectedRow != nil else { return }
        change(.unmark, at: [visible[selection]])
    }

    /// `t`: tags the selected message, or untags it when tagged, and moves on, as mutt does.
    public func toggleTagSelectedAndAdvance() {
        toggleTagSelected()
        moveSelection(by: 1)
    }

    /// `t` in the pager: tags or untags the message shown, which stays.
    public func toggleTagSelected() {
        guard let row = selectedRow else { return }
        change(isTagged(row) ? .untag : .tag, at: [visible[selection]])
    }

    /// Opening a message (the pager shows it) reads it. Not an action to undo, as in mutt.
    public func markRead(number: Int) {
        guard let i = positions.position(of: number) else { return }
        var state = states[listings[i]]
        guard !state.read else { return }
        state.read = true
        setState(state, for: listings[i])
    }

    /// `N`: marks the selected message read, or unread when it is read, as mutt's toggle-new.
    @discardableResult
    public func toggleReadSelected() -> FlagChangeOutcome {
        guard let row = selectedRow else { return FlagChangeOutcome(matched: 0, changed: 0, summary: nil) }
        return change(isRead(row) ? .unread : .read, at: [visible[selection]])
    }

    /// `F`: flags the selected message, or unflags it when flagged.
    @discardableResult
    public func toggleFlagSelected() -> FlagChangeOutcome {
        guard let row = selectedRow else { return FlagChangeOutcome(matched: 0, changed: 0, summary: nil) }
        return change(isFlagged(row) ? .unflag : .flag, at: [visible[selection]])
    }

    /// `;N`: marks every tagged message read, or unread when all of them already are read.
    @discardableResult
    public func toggleReadTagged() -> FlagChangeOutcome {
        changeTagged(taggedIndices.allSatisfy { states[listings[$0]].read } ? .unread : .read)
    }

    /// `;F`: flags every tagged message, or unflags them when all of them already are flagged.
    @discardableResult
    public func toggleFlagTagged() -> FlagChangeOutcome {
        changeTagged(taggedIndices.allSatisfy { states[listings[$0]].flagged } ? .unflag : .flag)
    }

    private var taggedIndices: [Int] {
        tags.count == 0 ? [] : listings.indices.filter { tags.contains(listings[$0]) }
    }

    /// The tagged messages, in mailbox order: what `;s` and `;|` act on.
    public var taggedRows: [MessageRow] {
        taggedIndices.compactMap { row(number: listings[$0].number) }
    }

    /// `T`, `D`, `U`, `Ctrl-T`: applies `flagChange` to every row the limit shows that `pattern`
    /// matches, in collapsed threads too (rows hidden by the limit are left alone, as in mutt),
    /// as one action for undo.
    @discardableResult
    public func change(_ flagChange: FlagChange, matching pattern: MessagePattern) -> FlagChangeOutcome {
        change(flagChange, at: limited.filter { pattern.matches(row(at: $0), flags: flags(listings[$0])) })
    }

    /// `;` then a key: applies `flagChange` to every tagged message, shown or not: the status
    /// line's count is what the action takes.
    @discardableResult
    public func changeTagged(_ flagChange: FlagChange) -> FlagChangeOutcome {
        change(flagChange, at: taggedIndices)
    }

    /// Applies `flagChange` to the messages with these numbers, as one action for undo: for a
    /// batch whose work finished later than it was asked (`;A` marks once the copies are safe).
    @discardableResult
    public func change(_ flagChange: FlagChange, numbers: [Int]) -> FlagChangeOutcome {
        change(flagChange, at: numbers.compactMap { positions.position(of: $0) })
    }

    /// Every mark, tag, read state and flag the user sets goes through here, by the message's
    /// identity, and is recorded for undo when it changed anything.
    @discardableResult
    private func change(_ flagChange: FlagChange, at indices: [Int]) -> FlagChangeOutcome {
        var before: [FlagEdit.Before] = []
        for i in indices {
            let listing = listings[i]
            let (marked, tagged, state) = (marks.contains(listing), tags.contains(listing), states[listing])
            var changed = state
            switch flagChange {
            case .mark where !marked: marks.mark(listing)
            case .unmark where marked: marks.unmark(listing)
            case .tag where !tagged: tags.tag(listing)
            case .untag where tagged: tags.untag(listing)
            case .read where !state.read: changed.read = true
            case .unread where state.read: changed.read = false
            case .flag where !state.flagged: changed.flagged = true
            case .unflag where state.flagged: changed.flagged = false
            default: continue
            }
            if changed != state { setState(changed, for: listing) }
            before.append(FlagEdit.Before(listing: listing, marked: marked, tagged: tagged, state: state))
        }
        guard !before.isEmpty else { return FlagChangeOutcome(matched: indices.count, changed: 0, summary: nil) }
        let summary = flagChange.summary(before.map(\.listing))
        history.record(FlagEdit(summary: summary, before: before, session: listingSession))
        return FlagChangeOutcome(matched: indices.count, changed: before.count, summary: summary)
    }

    /// Restores the marks, tags and states the last recorded action changed; nil when there is none.
    public func undo() -> UndoOutcome? {
        guard let edit = history.takeLast() else { return nil }
        var byUID: [String: Int]?
        var notFound = 0
        for entry in edit.before {
            guard let listing = current(entry.listing, recordedIn: edit.session, byUID: &byUID) else {
                notFound += 1
                continue
            }
            if entry.marked { marks.mark(listing) } else { marks.unmark(listing) }
            if entry.tagged { tags.tag(listing) } else { tags.untag(listing) }
            if states[listing] != entry.state { setState(entry.state, for: listing) }
        }
        return UndoOutcome(summary: edit.summary, notFound: notFound)
    }

    /// The listing that now names the message an edit recorded. In the same session its number
    /// still names it (with the UID or header it may have gained since); in a later one only its
    /// UID or header does, since the number may now be another message's.
    private func current(_ recorded: MessageListing, recordedIn session: Int, byUID: inout [String: Int]?) -> MessageListing? {
        if session == listingSession, let i = positions.position(of: recorded.number) {
            return listings[i]
        }
        if let uid = recorded.uid {
            if byUID == nil {
                byUID = Dictionary(listings.indices.compactMap { i in listings[i].uid.map { ($0, i) } }, uniquingKeysWith: { a, _ in a })
            }
            return byUID?[uid].map { listings[$0] }
        }
        if let fingerprint = recorded.fingerprint {
            return listings.first { $0.fingerprint == fingerprint && $0.size == recorded.size }
        }
        return nil
    }

    /// The marked rows as the user saw them, in ascending message number.
    public func commitPlan() -> CommitPlan {
        CommitPlan(entries: listings.filter(marks.contains) + marks.unmatchedHeaderMarks(in: listings), session: listingSession)
    }

    /// Sets a message's state, keeping the unread and new counts in step without a walk of
    /// every row.
    private func setState(_ state: MessageState, for listing: MessageListing) {
        let wasRead = states[listing].read
        states.set(state, for: listing)
        guard wasRead != state.read else { return }
        let delta = state.read ? -1 : 1
        unreadCount += delta
        if arrivedSinceLastVisit(listing) { newCount += delta }
    }

    /// The states set by UID since the last call, for the header cache to keep. `mailbag list`
    /// never takes them: it leaves the reader's state as it found it.
    public func takeUnsavedStates() -> [String: MessageState] {
        states.takeUnsaved()
    }

    // MARK: Order, limit, search

    public func sort(by key: SortKey) {
        sortOrder.choose(key)
        refreshVisible()
    }

    /// Shows only the rows `pattern` matches; nil shows everything again. Marks and tags are
    /// matched as they are now: the limit is not redone when they change, as in mutt.
    public func setLimit(_ pattern: MessagePattern?) {
        limit = pattern
        refreshVisible()
    }

    /// Selects the next row (after the selection, wrapping) that `pattern` matches, and
    /// remembers the pattern for `searchAgain`.
    public func search(_ pattern: MessagePattern, forward: Bool = true) -> SearchOutcome {
        searchPattern = pattern
        return searchAgain(reverse: !forward)
    }

    /// `n` (or `P` with `reverse`): repeats the last search.
    /// In threads, collapsed ones are searched too and the one holding the match opens, as
    /// mutt's `uncollapse_jump` has it.
    public func searchAgain(reverse: Bool = false) -> SearchOutcome {
        guard let pattern = searchPattern, !visible.isEmpty else { return .notFound }
        // Threaded, every row of the limit in index order; otherwise the visible ones.
        let order = threads.map { $0.entries.map(\.index) } ?? visible
        let current = threads == nil ? selection : visibleEntries[selection]
        let count = order.count
        for step in 1...count {
            let position = reverse ? current - step : current + step
            let index = order[(position % count + count) % count]
            if pattern.matches(row(at: index), flags: flags(listings[index])) {
                select(number: listings[index].number)
                return .found(wrapped: position < 0 || position >= count)
            }
        }
        return .notFound
    }

    // MARK: Status

    public var status: InboxStatus {
        InboxStatus(
            messages: listings.count, totalSize: totalSize, shown: visible.count, marked: marks.count,
            markedSize: marks.totalSize, tagged: tags.count, new: newCount, unread: unreadCount, headersLoaded: headersLoaded,
            headersComplete: headersComplete || (listingReceived && headersLoaded == listings.count))
    }

    /// Counted when the listing, the new set or the stored states change, never per redraw: the status line is
    /// drawn every frame and the mailbox may hold 100,000 rows.
    private func recount() {
        totalSize = ByteCount.total(listings.lazy.map(\.size))
        oldestDate = nil
        // Through the buffer, `?.date` reads the date in place; the array's subscript would copy
        // each summary first.
        summaries.withUnsafeBufferPointer { summaries in
            for i in summaries.indices { noteDate(summaries[i]?.date) }
        }
        countUnread()
    }

    /// The unread and new counts alone, for a change that leaves the rows as they are.
    private func countUnread() {
        unreadCount = states.isEmpty ? listings.count : listings.count { !states[$0].read }
        newCount = newUIDs.isEmpty ? 0 : listings.count { arrivedSinceLastVisit($0) && !states[$0].read }
    }

    private func noteDate(_ date: Date?) {
        if let date, oldestDate.map({ date < $0 }) ?? true { oldestDate = date }
    }
}
