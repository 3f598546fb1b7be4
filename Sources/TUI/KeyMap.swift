/// Everything a key can make the reader do.
public enum Action: Hashable, Sendable {
    case lineDown, lineUp, pageDown, pageUp, top, bottom
    case open, togglePreview, back, exit, help, redraw, stopReconnecting, checkMail, changeAccount
    case mark, unmark, tag, markPattern, unmarkPattern, tagPattern, untagPattern, tagPrefix, undo
    case toggleRead, toggleFlag
    case search, searchNext, searchPrevious, limit, sort, jump
    case toggleThread, toggleAllThreads, nextThread, previousThread
    case save, archive, pipe, viewAttachment, openLink
    case reply, groupReply, forward
    case toggleHeaders, toggleRaw, nextMessage, previousMessage
    case accept, cancel, erase, eraseWord, clearLine, complete
    case select, scrollUp, scrollDown
}

/// Where a key is read: each screen has its own bindings.
public enum KeyContext: String, CaseIterable, Sendable {
    case index = "Index"
    case pager = "Pager"
    case help = "Help"
    case attachments = "Attachments"
    case prompt = "Prompts"
}

/// The single source of key bindings: the screens look actions up here and the help screen and
/// title bar are generated from it, so what is shown can never drift from what works.
public struct KeyMap: Sendable {
    public struct Binding: Sendable {
        public var keys: [Key]
        public var action: Action
        public var summary: String
        /// A one-word label for the title bar; nil keeps the binding out of it.
        public var hint: String?
    }

    public struct MouseBinding: Sendable {
        public var gesture: MouseGesture
        public var action: Action
        public var summary: String
    }

    public private(set) var bindings: [KeyContext: [Binding]]
    public private(set) var mouse: [KeyContext: [MouseBinding]]

    public func action(for key: Key, in context: KeyContext) -> Action? {
        bindings[context]?.first { $0.keys.contains(key) }?.action
    }

    public func action(for gesture: MouseGesture, in context: KeyContext) -> Action? {
        mouse[context]?.first { $0.gesture == gesture }?.action
    }

    /// The title bar for a screen: "q:Quit  d:Mark …", from the bindings that have a hint.
    public func hints(for context: KeyContext) -> String {
        (bindings[context] ?? []).compactMap { binding in
            binding.hint.map { "\(binding.keys[0].name):\($0)" }
        }.joined(separator: "  ")
    }

    /// How the help screen names a binding's keys; a run of digits reads "0-9".
    public static func keyNames(_ keys: [Key]) -> String {
        let digits = keys.compactMap { key -> Character? in
            if case .character(let c) = key, c.isASCII, c.isNumber { return c }
            return nil
        }
        if digits.count == keys.count, let first = digits.first, let last = digits.last, digits.count > 2 {
            return "\(first)-\(last)"
        }
        return keys.map(\.name).joined(separator: " ")
    }

    private static func c(_ s: String) -> [Key] { s.map(Key.character) }

    public static let standard: KeyMap = {
        let moveKeys: [Binding] = [
            Binding(keys: c("j") + [.down], action: .lineDown, summary: "next line", hint: nil),
            Binding(keys: c("k") + [.up], action: .lineUp, summary: "previous line", hint: nil),
            Binding(keys: [.pageDown] + c(" "), action: .pageDown, summary: "next page", hint: nil),
            Binding(keys: [.pageUp] + c("-b"), action: .pageUp, summary: "previous page", hint: nil),
            Binding(keys: [.home], action: .top, summary: "first line", hint: nil),
            Binding(keys: c("G") + [.end], action: .bottom, summary: "last line", hint: nil),
        ]
        let index: [Binding] = [
            Binding(keys: c("q"), action: .back, summary: "quit (asks before deleting marked messages)", hint: "Quit"),
            Binding(keys: c("x"), action: .exit, summary: "exit without deleting anything", hint: nil),
            Binding(keys: c("j") + [.down], action: .lineDown, summary: "next message", hint: nil),
            Binding(keys: c("k") + [.up], action: .lineUp, summary: "previous message", hint: nil),
            Binding(keys: [.pageDown] + c(" "), action: .pageDown, summary: "next page", hint: nil),
            Binding(keys: [.pageUp] + c("-"), action: .pageUp, summary: "previous page", hint: nil),
            Binding(keys: [.home], action: .top, summary: "first message", hint: nil),
            Binding(keys: c("G") + [.end], action: .bottom, summary: "last message", hint: nil),
            Binding(keys: [.enter], action: .open, summary: "open the message (downloads it)", hint: "Open"),
            Binding(keys: c("p"), action: .togglePreview, summary: "show or hide the preview pane (first lines, via TOP)", hint: "Preview"),
            Binding(keys: c("d"), action: .mark, summary: "mark for deletion and move on", hint: "Mark"),
            Binding(keys: c("u"), action: .unmark, summary: "remove the deletion mark", hint: "Unmark"),
            Binding(keys: c("D"), action: .markPattern, summary: "mark the messages matching a pattern for deletion", hint: nil),
            Binding(keys: c("U"), action: .unmarkPattern, summary: "unmark the messages matching a pattern (~A: all)", hint: nil),
            Binding(keys: c("t"), action: .tag, summary: "tag or untag the message and move on", hint: nil),
            Binding(keys: c("T"), action: .tagPattern, summary: "tag the messages matching a pattern", hint: nil),
            Binding(keys: [.control("t")], action: .untagPattern, summary: "untag the messages matching a pattern", hint: nil),
            Binding(keys: c("N"), action: .toggleRead, summary: "mark the message read or unread and move on", hint: nil),
            Binding(keys: c("F"), action: .toggleFlag, summary: "flag or unflag the message (!) and move on", hint: nil),
            Binding(keys: c(";"), action: .tagPrefix, summary: "apply the next key to every tagged message (d u t N F s A |)", hint: nil),
            Binding(keys: c("z"), action: .undo, summary: "undo the last mark, tag, read or flag action", hint: nil),
            Binding(keys: c("/"), action: .search, summary: "search sender and subject (or a pattern)", hint: "Search"),
            Binding(keys: c("n"), action: .searchNext, summary: "next match", hint: nil),
            Binding(keys: c("P"), action: .searchPrevious, summary: "previous match", hint: nil),
            Binding(keys: c("l"), action: .limit, summary: "show only messages matching a pattern (empty shows all)", hint: nil),
            Binding(keys: c("o"), action: .sort, summary: "sort by date, sender, subject, size, number or threads", hint: nil),
            Binding(keys: c("+"), action: .toggleThread, summary: "collapse or expand the thread (threaded order)", hint: nil),
            Binding(keys: c("="), action: .toggleAllThreads, summary: "collapse or expand every thread", hint: nil),
            Binding(keys: [.control("n")], action: .nextThread, summary: "first message of the next thread", hint: nil),
            Binding(keys: [.control("p")], action: .previousThread, summary: "first message of the previous thread", hint: nil),
            Binding(keys: c("0123456789"), action: .jump, summary: "jump to a message number", hint: nil),
            Binding(keys: c("s"), action: .save, summary: "save into a folder, as a file, or an attachment", hint: nil),
            Binding(keys: c("A"), action: .archive, summary: "archive: save into the archive folder, mark for deletion", hint: nil),
            Binding(keys: c("|"), action: .pipe, summary: "pipe the message to a shell command", hint: nil),
            // No hint: the index's title bar is full at 80 columns; the pager's names it.
            Binding(keys: c("r"), action: .reply, summary: "reply to the sender (Reply-To if set), in $VISUAL or $EDITOR", hint: nil),
            Binding(keys: c("g"), action: .groupReply, summary: "reply to the sender and every recipient but you", hint: nil),
            Binding(keys: c("f"), action: .forward, summary: "forward the message, inline or as an attachment", hint: nil),
            Binding(keys: c("v"), action: .viewAttachment, summary: "list the attachments, to view or save one", hint: "Attachments"),
            Binding(keys: c("L"), action: .openLink, summary: "open a numbered link with $BROWSER", hint: nil),
            Binding(keys: c("?"), action: .help, summary: "this help", hint: "Help"),
            Binding(keys: [.control("l")], action: .redraw, summary: "redraw the screen", hint: nil),
            Binding(keys: [.escape], action: .stopReconnecting, summary: "stop a reconnection under way (the marks are kept)", hint: nil),
            Binding(keys: c("$"), action: .checkMail, summary: "check for new mail (a new session; marks are kept)", hint: nil),
            Binding(keys: c("c"), action: .changeAccount, summary: "change to another configured account", hint: nil),
        ]
        let pager: [Binding] = [
            Binding(keys: c("qi"), action: .back, summary: "back to the index", hint: "Index"),
            Binding(keys: c("x"), action: .exit, summary: "exit without deleting anything", hint: nil),
        ] + moveKeys.map { binding in
            var binding = binding
            if binding.action == .lineDown { binding.keys.append(.enter) }
            return binding
        } + [
            Binding(keys: c("J"), action: .nextMessage, summary: "next message", hint: "Next"),
            Binding(keys: c("K"), action: .previousMessage, summary: "previous message", hint: "Prev"),
            Binding(keys: c("d"), action: .mark, summary: "mark for deletion and show the next message", hint: "Mark"),
            Binding(keys: c("t"), action: .tag, summary: "tag or untag the message", hint: nil),
            Binding(keys: c("u"), action: .unmark, summary: "remove the deletion mark", hint: nil),
            Binding(keys: c("N"), action: .toggleRead, summary: "mark the message unread or read", hint: nil),
            Binding(keys: c("F"), action: .toggleFlag, summary: "flag or unflag the message (!)", hint: nil),
            Binding(keys: c("z"), action: .undo, summary: "undo the last mark, tag, read or flag action", hint: nil),
            Binding(keys: c("/"), action: .search, summary: "search the message text", hint: nil),
            Binding(keys: c("n"), action: .searchNext, summary: "next match", hint: nil),
            Binding(keys: c("P"), action: .searchPrevious, summary: "previous match", hint: nil),
            Binding(keys: c("h"), action: .toggleHeaders, summary: "show all headers or the usual few", hint: "Headers"),
            Binding(keys: c("R"), action: .toggleRaw, summary: "show the raw source or the rendered message", hint: "Raw"),
            Binding(keys: c("s"), action: .save, summary: "save into a folder, as a file, or an attachment", hint: "Save"),
            Binding(keys: c("A"), action: .archive, summary: "archive: save into the archive folder, mark for deletion", hint: nil),
            Binding(keys: c("|"), action: .pipe, summary: "pipe the message to a shell command", hint: nil),
            Binding(keys: c("r"), action: .reply, summary: "reply to the sender (Reply-To if set), in $VISUAL or $EDITOR", hint: "Reply"),
            Binding(keys: c("g"), action: .groupReply, summary: "reply to the sender and every recipient but you", hint: nil),
            Binding(keys: c("f"), action: .forward, summary: "forward the message, inline or as an attachment", hint: nil),
            Binding(keys: c("v"), action: .viewAttachment, summary: "list the attachments, to view or save one", hint: nil),
            Binding(keys: c("L"), action: .openLink, summary: "open a numbered link with $BROWSER", hint: nil),
            Binding(keys: c("?"), action: .help, summary: "this help", hint: "Help"),
            Binding(keys: [.control("l")], action: .redraw, summary: "redraw the screen", hint: nil),
        ]
        let attachments: [Binding] = [
            Binding(keys: c("qi") + [.escape], action: .back, summary: "back to the message", hint: "Back"),
            Binding(keys: c("j") + [.down], action: .lineDown, summary: "next attachment", hint: nil),
            Binding(keys: c("k") + [.up], action: .lineUp, summary: "previous attachment", hint: nil),
            Binding(keys: [.enter] + c("v"), action: .open, summary: "view it with its mailcap viewer (else xdg-open)", hint: "View"),
            Binding(keys: c("s"), action: .save, summary: "save it", hint: "Save"),
        ]
        let help: [Binding] = [
            Binding(keys: c("q?") + [.escape], action: .back, summary: "close the help", hint: "Close"),
        ] + moveKeys
        let prompt: [Binding] = [
            Binding(keys: [.enter], action: .accept, summary: "accept", hint: nil),
            Binding(keys: [.escape, .control("g")], action: .cancel, summary: "cancel", hint: nil),
            Binding(keys: [.backspace, .control("h")], action: .erase, summary: "delete the last character", hint: nil),
            Binding(keys: [.control("w")], action: .eraseWord, summary: "delete the last word", hint: nil),
            Binding(keys: [.control("u")], action: .clearLine, summary: "clear the line", hint: nil),
            Binding(keys: [.tab], action: .complete, summary: "complete a file or folder name", hint: nil),
        ]
        let scroll: [MouseBinding] = [
            MouseBinding(gesture: .wheelUp, action: .scrollUp, summary: "scroll up"),
            MouseBinding(gesture: .wheelDown, action: .scrollDown, summary: "scroll down"),
        ]
        return KeyMap(
            bindings: [.index: index, .pager: pager, .attachments: attachments, .help: help, .prompt: prompt],
            mouse: [
                .index: [MouseBinding(gesture: .click, action: .select, summary: "select the message clicked")] + scroll,
                .pager: scroll,
                .help: scroll,
            ])
    }()
}
