import Foundation
import Inbox
import MailMessage

/// Which full screen is up (help and prompts sit on top of either).
enum ReaderScreen: Equatable {
    case index, pager
}

/// Where the session is on its way out. Only `browsing` reads ordinary keys.
enum ReaderPhase: Equatable {
    case browsing
    /// DELE… QUIT sent; waiting for `.committed`.
    case committing
    /// QUIT without deletions sent; waiting for `.closed`. `since` is set on the first tick.
    case closing(since: Date?)
    /// The outcome is on screen until a key or a short pause.
    case farewell(ExitSummary, since: Date?)
    case finished(ExitSummary)
}

/// What to do with a message once it has been downloaded.
enum FollowUp: Equatable {
    case save, pipe, view, link, archive
    /// `r`, `g`: a reply draft in the editor.
    case reply(DraftBuilder.Kind)
    /// `f`: asks inline or attached first.
    case forward
}

/// What a prompt is asking for.
enum PromptPurpose: Equatable {
    case search, limit, jump, sort
    /// `T`, `D`, `U`, `Ctrl-T`: a pattern whose shown matches get the change.
    case pattern(FlagChange)
    /// `;`: the key of an action for every tagged message.
    case tagPrefix
    case confirmQuit(count: Int)
    case confirmLargeOpen(number: Int, followUp: FollowUp?)
    case saveChoice(number: Int)
    case savePath(number: Int, attachment: Int?)
    case saveFolder(number: Int)
    /// A folder that does not exist yet: create it (as `kind`) and save there?
    case confirmCreateFolder(number: Int, folder: String)
    case pipe(number: Int)
    case linkChoice(number: Int)
    /// `;s`, `;|`: where to save, or which command gets, every tagged message.
    case saveTagged(numbers: [Int])
    case pipeTagged(numbers: [Int])
    case changeAccount
    /// Leaving an account with marks: delete them first, or keep them for coming back.
    case confirmLeave(count: Int, account: String)
    /// `f`: forward as a message/rfc822 attachment, or quoted inline?
    case forwardHow(number: Int)
    /// The editor has closed on a draft: send it, keep it, or edit it again.
    case confirmSend

    /// Answered by one key rather than a line and Enter.
    var isSingleKey: Bool {
        switch self {
        case .sort, .tagPrefix, .confirmQuit, .confirmLargeOpen, .confirmLeave, .confirmCreateFolder, .forwardHow, .confirmSend: true
        default: false
        }
    }

    /// Answered with a path, which Tab completes.
    var takesPath: Bool {
        switch self {
        case .savePath, .saveFolder, .saveTagged: true
        default: false
        }
    }
}

/// The one-line question at the bottom of the screen.
struct Prompt: Equatable {
    var purpose: PromptPurpose
    var label: String
    var text = ""
    /// What Tab found to match when it could not choose, shown until the next key.
    var candidates: [String] = []
}

/// The attachment menu: whose attachments, and which one is selected.
struct AttachmentMenu: Equatable {
    var number: Int
    var selection: Int
}

/// A line at the bottom telling the user what happened.
struct Notice: Equatable {
    var text: String
    var isError: Bool
}

/// A download in flight that the user is waiting for.
struct FetchProgress: Equatable {
    var number: Int
    var received: Int
    var total: Int?
}

/// The open message in the pager.
struct PagerState {
    var number: Int
    var mode: PagerMode
    var document: PagerDocument
    var top: Int
    var search: String?
}

/// Things only the terminal owner can do, handed to the run loop.
enum TerminalRequest: Equatable {
    /// Clear and repaint everything (Ctrl-L).
    case redraw
    /// Run `command` through the shell with the message on its standard input, the screen
    /// released meanwhile.
    case pipe(command: String, input: [UInt8])
    /// Show an attachment with the user's viewer (mailcap), the screen released meanwhile.
    case view(bytes: [UInt8], name: String, contentType: String)
    /// Open a link with `$BROWSER` (else `xdg-open`); the link is an argument, never shell text.
    case openLink(String)
    /// Show another configured account; this one stays open in the background, marks and all.
    case changeAccount(String)
    /// Open the user's editor on the draft file, the screen released meanwhile.
    case editDraft(path: String)
    /// Hand the draft to the account's sendmail command.
    case sendDraft(path: String, attachedMessage: [UInt8]?)
}

/// The reader's screen logic as a state machine: keys and backend events in, state and
/// backend calls out. It never touches the terminal, so tests drive it with synthetic keys
/// and a fake backend; `FrameRenderer` turns its state into a screen. Public so the benchmarks
/// can time a redraw without a terminal.
public final class Reader {
    let model: InboxModel
    let backend: any InboxBackend
    let options: ReaderOptions
    let keyMap: KeyMap

    private(set) var width = 80
    private(set) var height = 24
    private(set) var screen = ReaderScreen.index
    private(set) var phase = ReaderPhase.browsing
    private(set) var prompt: Prompt?
    private(set) var notice: Notice?
    private(set) var progress: FetchProgress?
    private(set) var pager: PagerState?
    private(set) var helpVisible = false
    /// `v`'s list of a message's attachments, over the index or pager.
    private(set) var attachmentMenu: AttachmentMenu?
    private(set) var helpTop = 0
    private(set) var previewVisible: Bool
    /// First index row on screen.
    private(set) var indexTop = 0
    /// Why the connection ended, once it has.
    private(set) var connectionLost: String?
    /// The backend ended (`.closed`): nothing more can reach the server.
    private var backendClosed = false
    private(set) var previews: [Int: RenderedMessage] = [:]
    private(set) var previewFailures: [Int: String] = [:]
    private(set) var cache = MessageCache()

    private var pendingOpen: (number: Int, followUp: FollowUp?)?
    /// Tagged messages being downloaded for `;s` or `;|`.
    private var batch: (numbers: [Int], followUp: FollowUp)?
    /// While a check for new mail runs: whether the user asked for it.
    private var checkingMail: Bool?
    /// The account to change to once this one's commit has finished (`c`, then `y`).
    public private(set) var changeAfterCommit: String?
    private var lastMailCheck: Date?
    private var requestedPreviews: Set<Int> = []
    /// The selection the preview debounce is timing, and since when.
    private var settling: (number: Int, since: Date)?
    private var requests: [TerminalRequest] = []
    /// Whether the user heard that read states and flags cannot outlive this session.
    private var toldStatesEndWithSession = false
    /// The folder `s` saved into last, proposed again.
    private(set) var lastFolder: String?
    /// Where `A` saved each message it marked, for the commit's report.
    private var archived: [MessageIdentity: String] = [:]
    /// The draft being written: its file, and for a forward as attachment the message attached
    /// when it is sent.
    private(set) var draft: (path: String, attachedMessage: [UInt8]?)?

    /// How long the selection must rest before the preview pane asks the server (holding `j`
    /// should not queue a TOP for every row passed).
    static let previewDelay: TimeInterval = 0.15

    public init(model: InboxModel, backend: any InboxBackend, options: ReaderOptions, keyMap: KeyMap = .standard) {
        self.model = model
        self.backend = backend
        self.options = options
        self.keyMap = keyMap
        previewVisible = options.showPreview
    }

    var layout: ScreenLayout {
        let lines = bottomMessage.map { TerminalText.wrap($0.text, width: width).count } ?? 1
        return ScreenLayout(width: width, height: height, preview: previewVisible && screen == .index, messageLines: lines)
    }

    /// What the message line says when no prompt or progress owns it: the latest notice, or
    /// why the connection is gone. A long one wraps onto more lines rather than being cut.
    var bottomMessage: Notice? {
        guard prompt == nil, phase == .browsing else { return nil }
        if let notice { return notice }
        if progress != nil { return nil }
        return connectionLost.map { Notice(text: "Connection lost, nothing was deleted from the server: \($0) Press q to leave.", isError: true) }
    }

    /// The outcome once the session is over; the run loop stops then.
    var exitSummary: ExitSummary? {
        if case .finished(let summary) = phase { return summary }
        return nil
    }

    func takeRequests() -> [TerminalRequest] {
        defer { requests.removeAll() }
        return requests
    }

    // MARK: Size

    public func resize(width: Int, height: Int) {
        self.width = max(width, 0)
        self.height = max(height, 0)
        if var pager {
            let source = pager.document.lines.indices.contains(pager.top) ? pager.document.lines[pager.top].source : 0
            pager.document = document(for: pager.number, mode: pager.mode) ?? pager.document
            pager.top = pager.document.firstLine(ofSource: source)
            self.pager = pager
            clampPager()
        }
        scrollIndexToSelection()
    }

    // MARK: Input

    public func handle(_ input: Input) {
        handleInput(input)
        saveStates()
    }

    /// Hands what the user read or flagged to the backend, which keeps it in the header cache.
    private func saveStates() {
        let unsaved = model.takeUnsavedStates()
        if !unsaved.isEmpty { backend.rememberStates(unsaved) }
    }

    private func handleInput(_ input: Input) {
        switch phase {
        case .finished:
            return
        case .farewell(let summary, _):
            if input != .key(.resize) { phase = .finished(summary) }
            return
        case .committing:
            // The commit may be waiting out a reconnection's countdown: Esc, q or x stop it, and
            // the backend answers with nothing deleted and the marks kept.
            if case .key(let key) = input, [.escape, .character("q"), .character("x")].contains(key) {
                backend.stopReconnecting()
            }
            return
        case .closing:
            return
        case .browsing:
            break
        }
        if input == .key(.resize) { return }
        if prompt != nil {
            handlePrompt(input)
        } else {
            notice = nil
            if helpVisible {
                handleHelp(input)
            } else if attachmentMenu != nil {
                handleAttachments(input)
            } else if screen == .pager {
                handlePager(input)
            } else {
                handleIndex(input)
            }
        }
    }

    /// The bound action; a key bound to nothing says so, as mutt does, instead of doing nothing.
    private func action(for input: Input, in context: KeyContext) -> Action? {
        switch input {
        case .key(let key):
            let action = keyMap.action(for: key, in: context)
            if action == nil { notice = Notice(text: "Key is not bound. Press ? for help.", isError: false) }
            return action
        case .mouse(let gesture, _, _):
            return keyMap.action(for: gesture, in: context)
        }
    }

    private func handleIndex(_ input: Input) {
        guard let action = action(for: input, in: .index) else { return }
        let page = max(layout.bodyHeight, 1)
        switch action {
        case .lineDown: model.moveSelection(by: 1)
        case .lineUp: model.moveSelection(by: -1)
        case .pageDown:
            model.moveSelection(by: page)
            indexTop += page
        case .pageUp:
            model.moveSelection(by: -page)
            indexTop -= page
        case .top: model.selectFirst()
        case .bottom: model.selectLast()
        case .scrollDown: model.moveSelection(by: 3)
        case .scrollUp: model.moveSelection(by: -3)
        case .select:
            if case .mouse(_, let row, _) = input { selectIndexRow(atScreenRow: row) }
        case .open:
            if let row = model.selectedRow { open(row) }
        case .togglePreview: previewVisible.toggle()
        case .back: quit()
        case .exit: leaveWithoutDeleting()
        case .help: showHelp()
        case .redraw: requests.append(.redraw)
        case .stopReconnecting: backend.stopReconnecting()
        case .changeAccount:
            if options.otherAccounts.isEmpty {
                notice = Notice(text: "No other account is configured (accounts are in the config file; see mailbag config check).", isError: false)
            } else {
                prompt = Prompt(purpose: .changeAccount, label: "Change to account (\(options.otherAccounts.joined(separator: ", "))): ")
            }
        case .checkMail: checkForNewMail(asked: true)
        case .archive:
            if let row = model.selectedRow { startArchive(row) }
        case .mark: model.markSelectedAndAdvance()
        case .unmark: model.unmarkSelected()
        case .tag: model.toggleTagSelectedAndAdvance()
        case .toggleRead, .toggleFlag:
            // As mutt's toggle-new and flag-message: the change shows in the flags column, and
            // the cursor moves on like `d` and `t`.
            guard let row = model.selectedRow else { break }
            if action == .toggleRead { model.toggleReadSelected() } else { model.toggleFlagSelected() }
            model.moveSelection(by: 1)
            tellIfForTheSessionOnly(row)
        case .markPattern: prompt = Prompt(purpose: .pattern(.mark), label: "Mark for deletion the messages matching: ")
        case .unmarkPattern: prompt = Prompt(purpose: .pattern(.unmark), label: "Unmark the messages matching (~A: all): ")
        case .tagPattern: prompt = Prompt(purpose: .pattern(.tag), label: "Tag the messages matching: ")
        case .untagPattern: prompt = Prompt(purpose: .pattern(.untag), label: "Untag the messages matching: ")
        case .tagPrefix:
            let tagged = model.status.tagged
            if tagged == 0 {
                notice = Notice(text: "No tagged messages: tag with t, or T and a pattern.", isError: true)
            } else {
                prompt = Prompt(
                    purpose: .tagPrefix,
                    label: "\(ExitSummary.count(tagged, "tagged message")): d mark for deletion, u unmark, t untag, N read/unread, F flag/unflag, s save, A archive, | pipe: ")
            }
        case .undo: undo()
        case .search: prompt = Prompt(purpose: .search, label: "Search sender and subject: ")
        case .searchNext, .searchPrevious:
            if model.searchPattern == nil {
                notice = Notice(text: "No search yet: press / to search.", isError: true)
            } else {
                report(model.searchAgain(reverse: action == .searchPrevious))
            }
        case .limit:
            prompt = Prompt(purpose: .limit, label: "Limit to messages matching (empty shows all): ", text: model.limit?.text ?? "")
        case .sort:
            prompt = Prompt(purpose: .sort, label: "Sort by (d)ate (f)rom (s)ubject si(z)e (n)umber (t)hreads; the current key again reverses: ")
        case .toggleThread:
            switch model.toggleSelectedThread() {
            case .collapsed(let hidden): notice = Notice(text: "Collapsed the thread: \(ExitSummary.count(hidden, "message")) hidden.", isError: false)
            case .expanded: break
            case .single: notice = Notice(text: "This thread has only one message.", isError: false)
            case .notThreaded: notice = Self.notThreaded
            }
        case .toggleAllThreads:
            if let outcome = model.toggleAllThreads() {
                notice = Notice(text: "\(outcome.collapsed ? "Collapsed" : "Expanded") \(ExitSummary.count(outcome.threads, "thread")).", isError: false)
            } else {
                notice = Self.notThreaded
            }
        case .nextThread, .previousThread:
            switch model.selectThread(forward: action == .nextThread) {
            case true?: break
            case false?: notice = Notice(text: action == .nextThread ? "This is the last thread." : "This is the first thread.", isError: true)
            case nil: notice = Self.notThreaded
            }
        case .jump:
            if case .key(.character(let digit)) = input {
                prompt = Prompt(purpose: .jump, label: "Jump to message: ", text: String(digit))
            }
        case .save:
            if let row = model.selectedRow { withDownloaded(row, then: .save) }
        case .pipe:
            if let row = model.selectedRow { withDownloaded(row, then: .pipe) }
        case .viewAttachment:
            if let row = model.selectedRow { withDownloaded(row, then: .view) }
        case .openLink:
            if let row = model.selectedRow { withDownloaded(row, then: .link) }
        case .reply, .groupReply, .forward:
            if let row = model.selectedRow { withDownloaded(row, then: Self.followUp(composing: action)) }
        default:
            break
        }
        scrollIndexToSelection()
    }

    private static let notThreaded = Notice(text: "The index is not in threads: press o t to thread it.", isError: true)

    private func selectIndexRow(atScreenRow row: Int) {
        let layout = self.layout
        guard row >= layout.bodyTop, row < layout.bodyTop + layout.bodyHeight else { return }
        model.select(position: indexTop + row - layout.bodyTop)
    }

    /// Keeps the selected row inside the index area, scrolling as little as possible.
    func scrollIndexToSelection() {
        let rows = max(layout.bodyHeight, 1)
        let selection = model.selection
        if selection < indexTop { indexTop = selection }
        if selection >= indexTop + rows { indexTop = selection - rows + 1 }
        indexTop = max(0, min(indexTop, model.visibleCount - rows))
    }

    private func handlePager(_ input: Input) {
        guard let action = action(for: input, in: .pager), let current = pager else { return }
        let page = max(layout.bodyHeight, 1)
        switch action {
        case .lineDown: scrollPager(by: 1)
        case .lineUp: scrollPager(by: -1)
        case .pageDown: scrollPager(by: page)
        case .pageUp: scrollPager(by: -page)
        case .scrollDown: scrollPager(by: 3)
        case .scrollUp: scrollPager(by: -3)
        case .top: pager?.top = 0
        case .bottom:
            pager?.top = current.document.lines.count
            clampPager()
        case .back:
            screen = .index
            pager = nil
            scrollIndexToSelection()
        case .exit: leaveWithoutDeleting()
        case .help: showHelp()
        case .redraw: requests.append(.redraw)
        case .nextMessage, .previousMessage:
            let delta = action == .nextMessage ? 1 : -1
            if model.moveSelection(by: delta), let row = model.selectedRow {
                open(row)
            } else {
                notice = Notice(text: delta > 0 ? "This is the last message." : "This is the first message.", isError: true)
            }
        case .mark:
            guard let row = model.row(number: current.number), model.selectedRow?.number == current.number else { return }
            model.markSelectedAndAdvance()
            if let next = model.selectedRow, next.number != row.number {
                open(next)
            } else {
                notice = Notice(text: "Marked for deletion; this is the last message.", isError: false)
            }
        case .unmark:
            if model.selectedRow?.number == current.number { model.unmarkSelected() }
        case .tag:
            guard model.selectedRow?.number == current.number else { return }
            model.toggleTagSelected()
        case .toggleRead, .toggleFlag:
            // The pager stays on the message: its status line shows the change.
            guard let row = model.selectedRow, row.number == current.number else { return }
            if action == .toggleRead { model.toggleReadSelected() } else { model.toggleFlagSelected() }
            tellIfForTheSessionOnly(row)
        case .undo: undo()
        case .search: prompt = Prompt(purpose: .search, label: "Search message: ")
        case .searchNext, .searchPrevious:
            if let pattern = current.search {
                searchPager(pattern, forward: action == .searchNext)
            } else {
                notice = Notice(text: "No search yet: press / to search.", isError: true)
            }
        case .toggleHeaders: switchPager(to: current.mode == .fullHeaders ? .brief : .fullHeaders)
        case .toggleRaw: switchPager(to: current.mode == .raw ? .brief : .raw)
        case .save: startSave(current.number)
        case .archive:
            if let row = model.row(number: current.number) { startArchive(row) }
        case .pipe: startPipe(current.number)
        case .viewAttachment: startView(current.number)
        case .openLink: startLink(current.number)
        case .reply, .groupReply, .forward: start(Self.followUp(composing: action), current.number)
        default:
            break
        }
    }

    private static func followUp(composing action: Action) -> FollowUp {
        switch action {
        case .groupReply: .reply(.groupReply)
        case .forward: .forward
        default: .reply(.reply)
        }
    }

    /// Said once per session: with every header in and still no UID (a server without UIDL),
    /// nothing names the message on the next visit, so what `N` and `F` set ends with the session.
    private func tellIfForTheSessionOnly(_ row: MessageRow) {
        guard row.listing.uid == nil, model.headersComplete, !toldStatesEndWithSession else { return }
        toldStatesEndWithSession = true
        notice = Notice(
            text: "Read and flagged last until you quit: the server gives no UIDs (no UIDL) to remember messages by.",
            isError: false)
    }

    private func scrollPager(by delta: Int) {
        guard let top = pager?.top else { return }
        pager?.top = top + delta
        clampPager()
    }

    private func clampPager() {
        guard let pager else { return }
        let last = max(pager.document.lines.count - layout.bodyHeight, 0)
        self.pager?.top = max(0, min(pager.top, last))
    }

    private func switchPager(to mode: PagerMode) {
        guard let number = pager?.number, let document = document(for: number, mode: mode) else { return }
        pager?.mode = mode
        pager?.document = document
        pager?.top = 0
    }

    private func searchPager(_ pattern: String, forward: Bool) {
        guard let current = pager else { return }
        pager?.search = pattern
        if let hit = current.document.find(pattern, after: current.top, forward: forward) {
            pager?.top = hit.line
            clampPager()
            if hit.wrapped {
                notice = Notice(text: forward ? "Search wrapped to the top." : "Search wrapped to the bottom.", isError: false)
            }
        } else {
            notice = Notice(text: "Not found: \(pattern)", isError: true)
        }
    }

    private func handleHelp(_ input: Input) {
        guard let action = action(for: input, in: .help) else { return }
        let page = max(layout.bodyHeight, 1)
        let last = max(HelpScreen.lines(keyMap: keyMap).count - page, 0)
        switch action {
        case .lineDown, .scrollDown: helpTop += action == .lineDown ? 1 : 3
        case .lineUp, .scrollUp: helpTop -= action == .lineUp ? 1 : 3
        case .pageDown: helpTop += page
        case .pageUp: helpTop -= page
        case .top: helpTop = 0
        case .bottom: helpTop = last
        case .back: helpVisible = false
        default: break
        }
        helpTop = max(0, min(helpTop, last))
    }

    private func showHelp() {
        helpVisible = true
        helpTop = 0
    }

    // MARK: Prompts

    private func handlePrompt(_ input: Input) {
        guard case .key(let key) = input, var current = prompt else { return }
        if current.purpose.isSingleKey {
            if key == .escape || key == .control("g") {
                // Cancelling Send? must still say where the draft is kept.
                if current.purpose == .confirmSend { answer(.confirmSend, with: "n") } else { prompt = nil }
            } else if case .character(let c) = key {
                answer(current.purpose, with: c)
            }
            return
        }
        current.candidates = []
        switch keyMap.action(for: key, in: .prompt) {
        case .accept:
            prompt = nil
            submit(current)
            return
        case .cancel:
            prompt = nil
            return
        case .erase:
            if current.text.isEmpty {
                prompt = nil
                return
            }
            current.text.removeLast()
        case .eraseWord:
            while current.text.last == " " { current.text.removeLast() }
            while let last = current.text.last, last != " " { current.text.removeLast() }
        case .clearLine:
            current.text = ""
        case .complete where current.purpose.takesPath:
            let completion = PathCompletion.complete(current.text)
            current.text = completion.text
            current.candidates = completion.candidates
            prompt = current
            return
        default:
            if case .character(let c) = key { current.text.append(c) }
        }
        prompt = current
    }

    /// Single-key prompts. Keys that are not an answer leave the question up.
    private func answer(_ purpose: PromptPurpose, with key: Character) {
        switch purpose {
        case .confirmQuit:
            switch key {
            case "y", "Y":
                prompt = nil
                let plan = model.commitPlan()
                backend.commit(plan)
                phase = .committing
            case "n", "N":
                prompt = nil
                leaveWithoutDeleting()
            case "c", "C":
                prompt = nil
            default:
                break
            }
        case .confirmLeave(_, let account):
            switch key {
            case "y", "Y":
                prompt = nil
                changeAfterCommit = account
                backend.commit(model.commitPlan())
                phase = .committing
            case "n", "N":
                prompt = nil
                requests.append(.changeAccount(account))
            case "c", "C":
                prompt = nil
            default:
                break
            }
        case .confirmLargeOpen(let number, let followUp):
            switch key {
            case "y", "Y":
                prompt = nil
                if let row = model.row(number: number) { open(row, followUp: followUp, confirmed: true) }
            case "n", "N":
                prompt = nil
            default:
                break
            }
        case .tagPrefix:
            let changes: [Character: FlagChange] = ["d": .mark, "u": .unmark, "t": .untag]
            if let change = changes[key] {
                prompt = nil
                report(model.changeTagged(change), of: "tagged messages", change)
            } else if key == "N" || key == "F" {
                prompt = nil
                let outcome = key == "N" ? model.toggleReadTagged() : model.toggleFlagTagged()
                notice = Notice(text: sentence(outcome.summary ?? "nothing changed") + ".", isError: false)
            } else if key == "s" || key == "|" || key == "A" {
                prompt = nil
                startTagged(key == "s" ? .save : key == "A" ? .archive : .pipe)
            }
        case .confirmCreateFolder(let number, let folder):
            switch key {
            case "y", "Y":
                prompt = nil
                saveInFolder(number, to: folder, create: true)
            case "n", "N":
                prompt = nil
                notice = Notice(text: "Nothing was saved.", isError: false)
            default:
                break
            }
        case .forwardHow(let number):
            switch key {
            case "y", "Y":
                prompt = nil
                compose(.forwardAttached, number)
            case "n", "N":
                prompt = nil
                compose(.forwardInline, number)
            default:
                break
            }
        case .confirmSend:
            guard let draft else {
                prompt = nil
                return
            }
            switch key {
            case "y", "Y":
                prompt = nil
                notice = Notice(text: "Sending…", isError: false)
                requests.append(.sendDraft(path: draft.path, attachedMessage: draft.attachedMessage))
            case "n", "N":
                prompt = nil
                self.draft = nil
                notice = Notice(text: "Not sent. The draft is kept at \(draft.path).", isError: false)
            case "e", "E":
                prompt = nil
                requests.append(.editDraft(path: draft.path))
            default:
                break
            }
        case .sort:
            let keys: [Character: SortKey] = ["d": .date, "f": .from, "s": .subject, "z": .size, "n": .number, "t": .threads]
            prompt = nil
            if let sortKey = keys[key] {
                model.sort(by: sortKey)
                scrollIndexToSelection()
            }
        default:
            break
        }
    }

    private func submit(_ prompt: Prompt) {
        let text = prompt.text
        switch prompt.purpose {
        case .search:
            if screen == .pager {
                let pattern = text.isEmpty ? pager?.search : text
                if let pattern { searchPager(pattern, forward: true) }
            } else {
                if text.isEmpty {
                    if model.searchPattern != nil { report(model.searchAgain()) }
                } else if let pattern = parse(text) {
                    report(model.search(pattern))
                }
                scrollIndexToSelection()
            }
        case .limit:
            if text.trimmingCharacters(in: .whitespaces).isEmpty {
                model.setLimit(nil)
            } else if let pattern = parse(text) {
                model.setLimit(pattern)
                if model.visibleCount == 0 {
                    notice = Notice(text: "Nothing matches “\(pattern.text)”; press l and Enter on an empty line to show all.", isError: true)
                }
            }
            scrollIndexToSelection()
        case .pattern(let change):
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty, let pattern = parse(text) else { return }
            let outcome = model.change(change, matching: pattern)
            if outcome.matched == 0 {
                notice = Notice(text: "No shown message matches “\(pattern.text)”.", isError: true)
            } else {
                report(outcome, of: "messages matching “\(pattern.text)”", change)
            }
        case .jump:
            guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else {
                notice = Notice(text: "“\(text)” is not a message number.", isError: true)
                return
            }
            if model.select(number: number) {
                scrollIndexToSelection()
            } else if model.row(number: number) != nil {
                notice = Notice(text: "Message \(number) is hidden by the limit.", isError: true)
            } else {
                notice = Notice(text: "There is no message \(number).", isError: true)
            }
        case .saveChoice(let number):
            chooseSave(number, answer: text)
        case .savePath(let number, let attachment):
            save(number, attachment: attachment, to: text)
        case .saveFolder(let number):
            saveInFolder(number, to: text, create: false)
        case .pipe(let number):
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty, let entry = cache.entry(number) else { return }
            requests.append(.pipe(command: text, input: entry.raw))
        case .changeAccount:
            let name = text.trimmingCharacters(in: .whitespaces)
            guard options.otherAccounts.contains(name) else {
                if !name.isEmpty { notice = Notice(text: "There is no other account called “\(name)”.", isError: true) }
                return
            }
            let count = model.commitPlan().entries.count
            if count > 0, connectionLost == nil {
                self.prompt = Prompt(
                    purpose: .confirmLeave(count: count, account: name),
                    label: "Delete \(ExitSummary.count(count, "marked message")) here before changing? (n keeps the marks for when you come back) [y/n/c] ")
            } else {
                requests.append(.changeAccount(name))
            }
        case .saveTagged(let numbers):
            saveTagged(numbers, to: text)
        case .pipeTagged(let numbers):
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { return }
            let messages = numbers.compactMap { cache.entry($0)?.raw }
            guard messages.count == numbers.count else {
                notice = Notice(text: "Some tagged messages are no longer in memory: tag fewer and try again.", isError: true)
                return
            }
            // One stream, each message followed by a blank line, as mutt pipes tagged mail
            // with pipe_split unset.
            requests.append(.pipe(command: text, input: messages.flatMap { $0 + Array("\n".utf8) }))
        case .linkChoice(let number):
            openLink(number, answer: text)
        case .sort, .tagPrefix, .confirmQuit, .confirmLargeOpen, .confirmLeave, .confirmCreateFolder, .forwardHow, .confirmSend:
            break
        }
    }

    /// The typed pattern, or nil with the reason on the message line.
    private func parse(_ text: String) -> MessagePattern? {
        do {
            return try MessagePattern(text, now: Date(), calendar: options.calendar)
        } catch {
            notice = Notice(text: error.description, isError: true)
            return nil
        }
    }

    private func report(_ outcome: SearchOutcome) {
        switch outcome {
        case .found(wrapped: true): notice = Notice(text: "Search wrapped around.", isError: false)
        case .found(wrapped: false): break
        case .notFound: notice = Notice(text: "Not found: \(model.searchPattern?.text ?? "")", isError: true)
        }
    }

    /// Says what a pattern or `;` action did to the `what` it applied to.
    private func report(_ outcome: FlagChangeOutcome, of what: String, _ change: FlagChange) {
        if let summary = outcome.summary {
            let already = outcome.matched - outcome.changed
            notice = Notice(text: sentence(summary) + (already > 0 ? " (\(already) already were)." : "."), isError: false)
        } else {
            notice = Notice(text: "Nothing changed: the \(what) already were \(change.state).", isError: false)
        }
    }

    /// `z`: takes back the last mark, tag, read or flag action, whole, and says which it was.
    private func undo() {
        guard let outcome = model.undo() else {
            notice = Notice(text: "Nothing to undo.", isError: true)
            return
        }
        var text = "Undid: \(outcome.summary)"
        if outcome.notFound > 0 {
            text += " (\(outcome.notFound) of them \(outcome.notFound == 1 ? "is" : "are") no longer on the server)"
        }
        notice = Notice(text: text, isError: false)
    }

    private func sentence(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    // MARK: Opening messages

    /// Shows `row` in the pager, downloading it first unless it is cached; a message over the
    /// size threshold asks before anything is downloaded.
    private func open(_ row: MessageRow, followUp: FollowUp? = nil, confirmed: Bool = false) {
        if cache.contains(row.number) {
            if let followUp { start(followUp, row.number) } else { showPager(row.number) }
            return
        }
        if connectionLost != nil {
            notice = Notice(text: "Message \(row.number) was not downloaded before the connection was lost.", isError: true)
            return
        }
        if !confirmed && row.listing.size > options.largeMessageThreshold {
            prompt = Prompt(
                purpose: .confirmLargeOpen(number: row.number, followUp: followUp),
                label: ByteCount.isPlausible(row.listing.size)
                    ? "Message \(row.number) is \(ByteCount.format(row.listing.size)). Download it? [y/n] "
                    : "The server claims message \(row.number) is over a terabyte; no message is. Download it anyway? [y/n] ")
            return
        }
        pendingOpen = (row.number, followUp)
        progress = FetchProgress(number: row.number, received: 0, total: row.listing.size)
        backend.fetchMessage(number: row.number, uid: row.listing.uid)
    }

    private func withDownloaded(_ row: MessageRow, then followUp: FollowUp) {
        if cache.contains(row.number) {
            start(followUp, row.number)
        } else {
            open(row, followUp: followUp)
        }
    }

    private func start(_ followUp: FollowUp, _ number: Int) {
        switch followUp {
        case .save: startSave(number)
        case .pipe: startPipe(number)
        case .view: startView(number)
        case .link: startLink(number)
        case .archive: archive(number)
        case .reply(let kind): compose(kind, number)
        case .forward:
            prompt = Prompt(purpose: .forwardHow(number: number), label: "Forward message \(number) as an attachment (message/rfc822)? (n: inline) [y/n] ")
        }
    }

    /// Showing a message reads it, as in mutt.
    private func showPager(_ number: Int) {
        guard let document = document(for: number, mode: .brief) else { return }
        model.select(number: number)
        model.markRead(number: number)
        pager = PagerState(number: number, mode: .brief, document: document, top: 0, search: pager?.search)
        screen = .pager
    }

    private func document(for number: Int, mode: PagerMode) -> PagerDocument? {
        guard let entry = cache.entry(number) else { return nil }
        return PagerDocument(message: entry.rendered, raw: entry.raw, mode: mode, width: width)
    }

    // MARK: Saving and piping

    /// Into a folder by default; `m` writes the message as a loose file, a number an attachment.
    private func startSave(_ number: Int) {
        guard let entry = cache.entry(number) else { return }
        let attachments = entry.rendered.attachments
        let range = attachments.count == 1 ? "1" : "1-\(attachments.count)"
        prompt = Prompt(
            purpose: .saveChoice(number: number),
            label: attachments.isEmpty
                ? "Save into a folder (Enter) or m as a file: "
                : "Save into a folder (Enter), m as a file, or attachment \(range): ")
    }

    private func chooseSave(_ number: Int, answer: String) {
        let choice = answer.trimmingCharacters(in: .whitespaces).lowercased()
        guard let entry = cache.entry(number) else { return }
        if choice.isEmpty || choice == "f" {
            prompt = Prompt(purpose: .saveFolder(number: number), label: "Save to folder (a path ending in / is a Maildir): ", text: lastFolder ?? "")
        } else if choice == "m" {
            askSavePath(number, attachment: nil)
        } else if let index = Int(choice), entry.rendered.attachments.contains(where: { $0.index == index }) {
            askSavePath(number, attachment: index)
        } else {
            notice = Notice(
                text: entry.rendered.attachments.isEmpty
                    ? "“\(answer)” is neither Enter nor m."
                    : "“\(answer)” is neither Enter, m nor an attachment number.",
                isError: true)
        }
    }

    /// Delivers the exact downloaded bytes into a folder, flagged read (it was opened). A folder
    /// that does not exist is created only once the user said so.
    private func saveInFolder(_ number: Int, to typed: String, create: Bool) {
        let spec = typed.trimmingCharacters(in: .whitespaces)
        guard !spec.isEmpty, let entry = cache.entry(number) else { return }
        do {
            let folder = try MailFolder(spec)
            if !folder.exists {
                guard create else {
                    let kind = folder.kind == .maildir ? "Maildir" : "mbox"
                    prompt = Prompt(
                        purpose: .confirmCreateFolder(number: number, folder: spec),
                        label: "\(folder.path) does not exist. Create it as a new \(kind)? [y/n] ")
                    return
                }
                try folder.create()
            }
            try folder.deliver(entry.raw, seen: true)
            lastFolder = spec
            notice = Notice(text: "Saved message \(number) to \(folder.path).", isError: false)
        } catch {
            notice = Notice(text: error.description, isError: true)
        }
    }

    /// `A`: downloads the message if need be, saves it into the account's `archive` folder and
    /// marks it for deletion. The mark comes only after the copy is on disk (fsynced), so the
    /// commit can only delete what is safe.
    private func startArchive(_ row: MessageRow) {
        guard options.archiveFolder != nil else {
            notice = Self.noArchiveFolder
            return
        }
        withDownloaded(row, then: .archive)
    }

    private static let noArchiveFolder = Notice(
        text: "No archive folder: set archive = \"~/Mail/archive/\" in the account's config.", isError: true)

    private func archive(_ number: Int) {
        guard let spec = options.archiveFolder, let entry = cache.entry(number), let row = model.row(number: number) else { return }
        do {
            // The folder is the configured one: creating it needs no question.
            let folder = try MailFolder(spec)
            if !folder.exists { try folder.create() }
            try folder.deliver(entry.raw, seen: true)
            archived[row.listing.identity] = spec
        } catch {
            notice = Notice(text: "\(error.description) Message \(number) was not marked for deletion.", isError: true)
            return
        }
        let selected = model.selectedRow?.number
        if model.select(number: number) {
            model.markSelectedAndAdvance()
            if let selected, selected != number { model.select(number: selected) }
        }
        if screen == .pager, let next = model.selectedRow, next.number != number {
            open(next)
        } else {
            notice = Notice(text: "Archived message \(number) to \(spec); it is marked for deletion.", isError: false)
        }
    }

    private func askSavePath(_ number: Int, attachment: Int?) {
        let name: String
        if let attachment, let info = cache.entry(number)?.rendered.attachments.first(where: { $0.index == attachment }) {
            name = AttachmentName.safe(info.filename)
        } else {
            name = "message-\(number).eml"
        }
        let directory = options.saveDirectory.hasSuffix("/") ? options.saveDirectory : options.saveDirectory + "/"
        prompt = Prompt(purpose: .savePath(number: number, attachment: attachment), label: "Save to: ", text: directory + name)
    }

    /// Writes through `AttachmentStore`: the name is made safe, the file is created new with
    /// mode 0600, and an existing file gets a numbered sibling instead of being replaced.
    private func save(_ number: Int, attachment: Int?, to typed: String) {
        guard let entry = cache.entry(number) else { return }
        let data: [UInt8]
        if let attachment {
            let plan: AttachmentSavePlan?
            do {
                plan = try AttachmentSavePlan.one(attachment, in: entry.raw)
            } catch {
                notice = Notice(text: String(describing: error), isError: true)
                return
            }
            guard let part = plan?.entries.first else {
                notice = Notice(text: "Attachment \(attachment) could not be decoded.", isError: true)
                return
            }
            data = part.data()
        } else {
            data = entry.raw
        }
        var path = typed.trimmingCharacters(in: .whitespaces)
        if path.isEmpty { return }
        if path == "~" || path.hasPrefix("~/") { path = NSHomeDirectory() + path.dropFirst() }
        var isDirectory: ObjCBool = false
        let url = URL(fileURLWithPath: path)
        let target: (directory: URL, name: String)
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let suggested = attachment.flatMap { index in entry.rendered.attachments.first { $0.index == index }?.filename }
            target = (url, suggested ?? "message-\(number).eml")
        } else {
            target = (url.deletingLastPathComponent(), url.lastPathComponent)
        }
        do {
            let saved = try AttachmentStore(directory: target.directory).save(data, suggestedName: target.name)
            notice = Notice(text: "Saved \(ByteCount.format(data.count)) to \(saved.path).", isError: false)
        } catch {
            notice = Notice(text: String(describing: error), isError: true)
        }
    }

    // MARK: Acting on every tagged message

    /// Downloads the tagged messages not yet in memory, then asks where they go.
    private func startTagged(_ followUp: FollowUp) {
        if followUp == .archive, options.archiveFolder == nil {
            notice = Self.noArchiveFolder
            return
        }
        let rows = model.taggedRows
        guard !rows.isEmpty else {
            notice = Notice(text: "No tagged messages: tag with t, or T and a pattern.", isError: true)
            return
        }
        let numbers = rows.map(\.number)
        let missing = rows.filter { !cache.contains($0.number) }
        if missing.isEmpty {
            askForTagged(numbers, followUp)
            return
        }
        batch = (numbers, followUp)
        notice = Notice(text: "Downloading \(ExitSummary.count(missing.count, "tagged message"))…", isError: false)
        for row in missing { backend.fetchMessage(number: row.number, uid: row.listing.uid) }
    }

    private func askForTagged(_ numbers: [Int], _ followUp: FollowUp) {
        let what = ExitSummary.count(numbers.count, "tagged message")
        switch followUp {
        case .save: prompt = Prompt(purpose: .saveTagged(numbers: numbers), label: "Save \(what) to folder: ", text: lastFolder ?? "")
        case .archive: archiveTagged(numbers)
        default: prompt = Prompt(purpose: .pipeTagged(numbers: numbers), label: "Pipe \(what) to command: ")
        }
    }

    /// `;A`: every tagged message into the archive folder in one delivery, and only once all
    /// of them are on disk, all marked for deletion as one action (one `z` takes it back).
    private func archiveTagged(_ numbers: [Int]) {
        guard let spec = options.archiveFolder else { return }
        let rows = numbers.compactMap { model.row(number: $0) }
        guard rows.count == numbers.count, deliverTagged(numbers, into: spec, ifNot: " Nothing was marked for deletion.") != nil else { return }
        for row in rows { archived[row.listing.identity] = spec }
        model.change(.mark, numbers: numbers)
        notice = Notice(text: "Archived \(ExitSummary.count(numbers.count, "message")) to \(spec); they are marked for deletion.", isError: false)
    }

    /// Into one folder (mbox or Maildir, created as `s` would after a yes), in mailbox order,
    /// fsynced before it reports, as mutt's tagged save.
    private func saveTagged(_ numbers: [Int], to typed: String) {
        let spec = typed.trimmingCharacters(in: .whitespaces)
        guard !spec.isEmpty else { return }
        guard let folder = deliverTagged(numbers, into: spec) else { return }
        lastFolder = spec
        notice = Notice(text: "Saved \(ExitSummary.count(numbers.count, "message")) to \(folder.path).", isError: false)
    }

    /// The tagged messages, all downloaded by now, into the folder `spec` names (created if
    /// missing) in one delivery, fsynced. Nil, with a notice saying why (and `ifNot` after it),
    /// when one is no longer in memory or the delivery fails.
    private func deliverTagged(_ numbers: [Int], into spec: String, ifNot consequence: String = "") -> MailFolder? {
        let messages = numbers.compactMap { cache.entry($0)?.raw }
        guard messages.count == numbers.count else {
            notice = Notice(text: "Some tagged messages are no longer in memory: tag fewer and try again.", isError: true)
            return nil
        }
        do {
            let folder = try MailFolder(spec)
            if !folder.exists { try folder.create() }
            _ = try folder.deliver(messages, seen: true)
            return folder
        } catch {
            notice = Notice(text: error.description + consequence, isError: true)
            return nil
        }
    }

    private func startPipe(_ number: Int) {
        prompt = Prompt(purpose: .pipe(number: number), label: "Pipe message \(number) to command: ")
    }

    // MARK: Viewing attachments and links

    /// The attachments of a downloaded message, for the menu.
    func cachedAttachments(of number: Int) -> [AttachmentInfo] {
        cache.entry(number)?.rendered.attachments ?? []
    }

    /// `v`: the attachment menu, as mutt's.
    private func startView(_ number: Int) {
        guard let entry = cache.entry(number), !entry.rendered.attachments.isEmpty else {
            notice = Notice(text: "Message \(number) has no attachments.", isError: false)
            return
        }
        attachmentMenu = AttachmentMenu(number: number, selection: 0)
    }

    private func handleAttachments(_ input: Input) {
        guard var menu = attachmentMenu, let action = action(for: input, in: .attachments) else { return }
        guard let attachments = cache.entry(menu.number)?.rendered.attachments, !attachments.isEmpty else {
            attachmentMenu = nil
            return
        }
        let chosen = attachments[min(menu.selection, attachments.count - 1)]
        switch action {
        case .back:
            attachmentMenu = nil
            return
        case .lineDown: menu.selection = min(menu.selection + 1, attachments.count - 1)
        case .lineUp: menu.selection = max(menu.selection - 1, 0)
        case .open: view(menu.number, chosen)
        case .save: askSavePath(menu.number, attachment: chosen.index)
        default: break
        }
        attachmentMenu = menu
    }

    private func view(_ number: Int, _ info: AttachmentInfo) {
        guard let entry = cache.entry(number) else { return }
        do {
            guard let part = try AttachmentSavePlan.one(info.index, in: entry.raw)?.entries.first else {
                notice = Notice(text: "Attachment \(info.index) could not be decoded.", isError: true)
                return
            }
            requests.append(.view(bytes: part.data(), name: AttachmentName.safe(info.filename), contentType: info.mimeType))
        } catch {
            notice = Notice(text: String(describing: error), isError: true)
        }
    }

    /// The numbered links the renderer listed under the message (`[n] URL`).
    private func links(_ number: Int) -> [(index: Int, url: String)] {
        guard let entry = cache.entry(number) else { return [] }
        return entry.rendered.lines.compactMap { line in
            guard line.kind == .link, line.text.hasPrefix("["), let close = line.text.firstIndex(of: "]"),
                  let index = Int(line.text[line.text.index(after: line.text.startIndex)..<close]) else { return nil }
            let url = line.text[line.text.index(after: close)...].trimmingCharacters(in: .whitespaces)
            return url.isEmpty ? nil : (index, url)
        }
    }

    private func startLink(_ number: Int) {
        let found = links(number)
        guard let first = found.first, let last = found.last else {
            notice = Notice(text: "Message \(number) has no numbered links.", isError: false)
            return
        }
        prompt = Prompt(purpose: .linkChoice(number: number), label: "Open link \(first.index == last.index ? "\(first.index)" : "\(first.index)-\(last.index)") [\(first.index)]: ")
    }

    private func openLink(_ number: Int, answer: String) {
        let found = links(number)
        let trimmed = answer.trimmingCharacters(in: .whitespaces)
        guard let index = trimmed.isEmpty ? found.first?.index : Int(trimmed), let link = found.first(where: { $0.index == index }) else {
            notice = Notice(text: "“\(answer)” is not a link number.", isError: true)
            return
        }
        requests.append(.openLink(link.url))
    }

    // MARK: Replying and forwarding

    /// Writes the draft of a reply or forward to its private file and asks the run loop for the
    /// editor; the message must be downloaded.
    private func compose(_ kind: DraftBuilder.Kind, _ number: Int) {
        guard let composer = options.composer else {
            notice = Notice(text: "Replying needs a real account: the demo sends no mail.", isError: true)
            return
        }
        guard let entry = cache.entry(number) else { return }
        let built = DraftBuilder.build(kind, original: entry.raw, identity: composer.identity)
        do {
            let path = try composer.save(built)
            draft = (path, built.attachedMessage)
            requests.append(.editDraft(path: path))
        } catch {
            notice = Notice(text: error.description, isError: true)
        }
    }

    /// The editor closed: a draft it left intact is offered for sending; after a failed editor
    /// the draft stays on disk and nothing is sent.
    func finishedEditing(_ outcome: ExternalCommand.Termination) {
        guard let draft else { return }
        guard outcome.succeeded else {
            self.draft = nil
            notice = Notice(text: "The editor did not finish (\(outcome.summary)) Nothing was sent; the draft is kept at \(draft.path).", isError: true)
            return
        }
        prompt = Prompt(purpose: .confirmSend, label: "Send? (n keeps the draft, e edits it again) [y/n/e] ")
    }

    /// How the hand-off to sendmail went: on success the draft is gone, on failure the message
    /// says why and where the draft is kept.
    func finishedSending(_ outcome: Result<String, ComposeError>) {
        draft = nil
        switch outcome {
        case .success(let recipients): notice = Notice(text: "Sent to \(recipients).", isError: false)
        case .failure(let error): notice = Notice(text: error.description, isError: true)
        }
    }

    /// The run loop's word for the user: how a command ended, or which account this is again.
    func tell(_ outcome: String, failed: Bool = false) {
        notice = Notice(text: outcome, isError: failed)
    }

    // MARK: Leaving

    /// `q` on the index: with marks, ask before anything is deleted. After a lost connection the
    /// backend reconnects for the commit.
    private func quit() {
        let count = model.commitPlan().entries.count
        if let lost = connectionLost, count == 0 || backendClosed {
            phase = .finished(.connectionLost(lost))
            return
        }
        if count > 0 {
            prompt = Prompt(
                purpose: .confirmQuit(count: count),
                label: "Delete \(ExitSummary.count(count, "message")) from the server? [y/n/c] ")
        } else {
            leaveWithoutDeleting()
        }
    }

    private func leaveWithoutDeleting() {
        if let lost = connectionLost {
            phase = .finished(.connectionLost(lost))
            return
        }
        backend.quitWithoutDeleting()
        // Still logging in: nothing was listed, so there is nothing to wait for a QUIT to keep.
        phase = model.listingReceived ? .closing(since: nil) : .finished(.leftUnchanged)
    }

    // MARK: Events

    public func apply(_ events: [InboxEvent]) {
        guard !events.isEmpty else { return }
        defer { saveStates() }
        model.apply(events)
        for event in events {
            switch event {
            case .listing:
                connectionLost = nil
                scrollIndexToSelection()
                let lost = model.marksLostToRenumbering
                if lost > 0 {
                    notice = Notice(
                        text: "\(lost) deletion mark\(lost == 1 ? " was" : "s were") dropped: after the lost connection, a message number without a UID may name another message. Mark \(lost == 1 ? "it" : "them") again.",
                        isError: true)
                }
            case .fetchProgress(let number, let received, let total):
                if pendingOpen?.number == number {
                    progress = FetchProgress(number: number, received: received, total: total ?? progress?.total)
                }
            case .message(let number, let raw, let rendered):
                cache.insert(number: number, raw: raw, rendered: rendered)
                if let waiting = batch, waiting.numbers.contains(number), waiting.numbers.allSatisfy(cache.contains) {
                    batch = nil
                    progress = nil
                    askForTagged(waiting.numbers, waiting.followUp)
                }
                if let pending = pendingOpen, pending.number == number {
                    pendingOpen = nil
                    progress = nil
                    if phase == .browsing {
                        // Saving or piping from the index stays in the index, as in mutt.
                        if let followUp = pending.followUp { start(followUp, number) } else { showPager(number) }
                    }
                }
            case .preview(let number, let rendered):
                previews[number] = rendered
            case .fetchFailed(let number, let reason) where batch?.numbers.contains(number) == true:
                batch = nil
                progress = nil
                notice = Notice(text: "Could not download tagged message \(number): \(reason) Nothing was done.", isError: true)
            case .fetchFailed(let number, let reason):
                if pendingOpen?.number == number {
                    pendingOpen = nil
                    progress = nil
                    notice = Notice(text: "Could not download message \(number): \(reason)", isError: true)
                }
                if requestedPreviews.contains(number) && previews[number] == nil {
                    previewFailures[number] = reason
                }
            case .notice(let text):
                notice = Notice(text: text, isError: false)
            case .connectionLost(let reason):
                connectionLost = reason
                pendingOpen = nil
                progress = nil
                switch phase {
                case .committing: phase = .farewell(.connectionLost(reason), since: nil)
                case .closing: phase = .finished(.connectionLost(reason))
                default: break
                }
            case .mailChecked(let arrived):
                let asked = checkingMail == true
                checkingMail = nil
                if arrived > 0 {
                    notice = Notice(text: "\(arrived) new message\(arrived == 1 ? "" : "s").", isError: false)
                } else if asked {
                    notice = Notice(text: "No new mail.", isError: false)
                }
            case .committed(let report):
                guard phase == .committing else { break }
                if case .nothingDeleted(let reason) = report.outcome {
                    // Nothing happened on the server: the marks stand, and q tries again.
                    phase = .browsing
                    notice = Notice(text: "Nothing was deleted: \(reason)", isError: true)
                } else {
                    var report = report
                    for entry in report.deleted {
                        if let folder = archived[entry.identity] { report.savedTo[entry] = folder }
                    }
                    phase = .farewell(.committed(report), since: nil)
                }
            case .closed:
                backendClosed = true
                switch phase {
                case .closing: phase = .finished(connectionLost.map(ExitSummary.connectionLost) ?? .leftUnchanged)
                case .committing:
                    phase = .farewell(.connectionLost("the session ended before the server confirmed the deletions."), since: nil)
                case .browsing:
                    if connectionLost == nil { connectionLost = "the server ended the session." }
                default: break
                }
            case .headersComplete:
                let gone = model.marksNoLongerFound
                if gone > 0 {
                    notice = Notice(
                        text: "\(gone) deletion mark\(gone == 1 ? " was" : "s were") dropped: no message on the server has those headers any more.",
                        isError: true)
                }
            case .loginStage, .connected, .identified, .summaries, .summaryFailed, .newMessages, .messageStates:
                break
            }
        }
    }

    // MARK: Time

    /// Called every loop tick: ends the farewell after its pause, gives up on a silent QUIT,
    /// and asks for the preview once the selection has rested.
    func tick(now: Date) {
        switch phase {
        case .farewell(let summary, let since):
            if let since {
                if now.timeIntervalSince(since) >= options.farewellPause { phase = .finished(summary) }
            } else {
                phase = .farewell(summary, since: now)
            }
        case .closing(let since):
            if let since {
                if now.timeIntervalSince(since) >= options.closingTimeout {
                    phase = .finished(connectionLost.map(ExitSummary.connectionLost) ?? .leftUnchanged)
                }
            } else {
                phase = .closing(since: now)
            }
        case .browsing:
            requestPreviewIfSettled(now: now)
            if options.checkInterval > 0, model.listingReceived, checkingMail == nil {
                if let last = lastMailCheck {
                    if now.timeIntervalSince(last) >= options.checkInterval { checkForNewMail(asked: false, now: now) }
                } else {
                    lastMailCheck = now
                }
            }
        case .committing, .finished:
            break
        }
    }

    /// Asks the backend for a new session. Only one check at a time; one the user asked for
    /// says how it went even when nothing arrived, an automatic one only when mail did.
    private func checkForNewMail(asked: Bool, now: Date = Date()) {
        guard checkingMail == nil, connectionLost == nil, model.listingReceived else {
            if asked { notice = Notice(text: connectionLost == nil ? "Already checking for new mail…" : "Not connected: press q to leave.", isError: false) }
            return
        }
        checkingMail = asked
        lastMailCheck = now
        if asked { notice = Notice(text: "Checking for new mail…", isError: false) }
        backend.checkForNewMail()
    }

    private func requestPreviewIfSettled(now: Date) {
        guard previewVisible, screen == .index, connectionLost == nil, let row = model.selectedRow else { return }
        let number = row.number
        if settling?.number != number {
            settling = (number, now)
            return
        }
        guard let since = settling?.since, now.timeIntervalSince(since) >= Self.previewDelay,
              !cache.contains(number), previews[number] == nil, !requestedPreviews.contains(number) else { return }
        requestedPreviews.insert(number)
        backend.fetchPreview(number: number, uid: row.listing.uid, lines: options.previewLines)
    }
}
