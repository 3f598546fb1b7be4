import CNcurses
import Foundation
import Inbox
import MailMessage

/// Why the screen could not be taken over.
public enum TerminalError: Error, CustomStringConvertible, LocalizedError {
    case notATerminal
    case cannotStart(term: String)

    public var description: String {
        switch self {
        case .notATerminal:
            "The reader needs a terminal on standard input and output; use `mailbag list` or `mailbag show` in scripts."
        case .cannotStart(let term):
            "The terminal type \"\(term)\" is unknown to ncurses; set TERM to one your terminal supports (e.g. xterm-256color)."
        }
    }

    public var errorDescription: String? { description }
}

/// The only code that calls ncurses. Used from the UI thread alone: it owns the screen from
/// `init` to `end`, reads keys with a short timeout so the loop can drain backend events, and
/// draws `Frame`s.
final class Terminal {
    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private var styles: [StyleName: (attributes: attr_t, pair: Int16)] = [:]
    private var cursorVisible = false

    init(theme: Theme, mouse: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw TerminalError.notATerminal }
        // Before the screen starts: ncurses reads the locale once to decide how to encode output.
        setlocale(LC_ALL, "")
        DisplayWidth.ensureUTF8Locale()
        guard let screen = mb_newterm() else { throw TerminalError.cannotStart(term: environment["TERM"] ?? "") }
        self.screen = screen
        window = mb_stdscr()
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        // Home and End as tmux, screen, rxvt and the Linux console send them, whatever TERM
        // says: Home is the only key to the first message (g replies to all).
        for (sequence, code) in [("\u{1B}[1~", KEY_HOME), ("\u{1B}[4~", KEY_END), ("\u{1B}[H", KEY_HOME), ("\u{1B}[F", KEY_END)] {
            define_key(sequence, code)
        }
        set_escdelay(25)
        curs_set(0)
        if mouse {
            mousemask(mb_click_and_wheel_events(), nil)
            mouseinterval(0)
        }
        setUpStyles(theme, support: Self.colorSupport(environment))
    }

    private static func colorSupport(_ environment: [String: String]) -> ColorSupport {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .none }
        guard has_colors() else { return .none }
        start_color()
        return mb_colors() >= 256 ? .full : .basic
    }

    private func setUpStyles(_ theme: Theme, support: ColorSupport) {
        // -1 means "the terminal's default"; without use_default_colors it has to be spelled out.
        let defaultsAllowed = support != .none && use_default_colors() == OK
        for (offset, name) in StyleName.allCases.enumerated() {
            let resolved = theme[name].resolved(for: support)
            var pair: Int16 = 0
            if support != .none, Int32(offset + 1) < mb_color_pairs() {
                pair = Int16(offset + 1)
                let fg = resolved.foreground >= 0 || defaultsAllowed ? resolved.foreground : Int(COLOR_WHITE)
                let bg = resolved.background >= 0 || defaultsAllowed ? resolved.background : Int(COLOR_BLACK)
                init_pair(pair, Int16(fg), Int16(bg))
            }
            styles[name] = (Self.attributes(resolved.attributes), pair)
        }
    }

    private static func attributes(_ a: TextAttributes) -> attr_t {
        var out: attr_t = 0
        if a.contains(.bold) { out |= mb_a_bold() }
        if a.contains(.dim) { out |= mb_a_dim() }
        if a.contains(.italic) { out |= mb_a_italic() }
        if a.contains(.underline) { out |= mb_a_underline() }
        if a.contains(.reverse) { out |= mb_a_reverse() }
        if a.contains(.standout) { out |= mb_a_standout() }
        return out
    }

    var size: (width: Int, height: Int) {
        (Int(getmaxx(window)), Int(getmaxy(window)))
    }

    // MARK: Input

    /// The next input, waiting at most `milliseconds` (0 polls); nil when nothing came.
    func read(waitingMilliseconds milliseconds: Int32) -> Input? {
        wtimeout(window, milliseconds)
        var value: wint_t = 0
        switch wget_wch(window, &value) {
        case KEY_CODE_YES:
            return functionKey(Int32(value))
        case OK:
            return character(UInt32(value))
        default:
            return nil
        }
    }

    private func functionKey(_ code: Int32) -> Input? {
        let key: Key
        switch code {
        case KEY_UP: key = .up
        case KEY_DOWN: key = .down
        case KEY_LEFT: key = .left
        case KEY_RIGHT: key = .right
        case KEY_NPAGE: key = .pageDown
        case KEY_PPAGE: key = .pageUp
        case KEY_HOME: key = .home
        case KEY_END: key = .end
        case KEY_ENTER: key = .enter
        case KEY_BACKSPACE: key = .backspace
        case KEY_DC: key = .delete
        case KEY_RESIZE: key = .resize
        case KEY_MOUSE: return mouseEvent()
        default: return nil
        }
        return .key(key)
    }

    private func character(_ value: UInt32) -> Input? {
        switch value {
        case 10, 13: return .key(.enter)
        case 9: return .key(.tab)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 1...26: return .key(.control(Character(Unicode.Scalar(value + 96)!)))
        case 0...31, 0x80...0x9F: return nil
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .key(.character(Character(scalar)))
        }
    }

    private func mouseEvent() -> Input? {
        var event = MEVENT()
        guard getmouse(&event) == OK else { return nil }
        let (row, column) = (Int(event.y), Int(event.x))
        if event.bstate & mb_button4_pressed() != 0 { return .mouse(.wheelUp, row: row, column: column) }
        if event.bstate & mb_button5_pressed() != 0 { return .mouse(.wheelDown, row: row, column: column) }
        if event.bstate & (mb_button1_pressed() | mb_button1_clicked()) != 0 { return .mouse(.click, row: row, column: column) }
        return nil
    }

    // MARK: Output

    func draw(_ frame: Frame) {
        let (width, height) = size
        for (row, line) in frame.lines.prefix(height).enumerated() {
            wmove(window, Int32(row), 0)
            var room = width
            for span in line.spans where room > 0 {
                // A span is sanitized text by construction (`DisplayText`).
                let text = TerminalText.prefix(span.text, width: room)
                use(span.style)
                waddnstr(window, String(text), -1)
                room -= TerminalText.width(of: text)
            }
            use(line.fill)
            if room > 0 { waddnstr(window, String(repeating: " ", count: room), -1) }
        }
        if let cursor = frame.cursor {
            wmove(window, Int32(cursor.row), Int32(cursor.column))
            if !cursorVisible { curs_set(1) }
            cursorVisible = true
        } else if cursorVisible {
            curs_set(0)
            cursorVisible = false
        }
        wnoutrefresh(window)
        doupdate()
    }

    private func use(_ style: StyleName) {
        let (attributes, pair) = styles[style] ?? (0, 0)
        wattr_set(window, attributes, pair, nil)
    }

    /// Ctrl-L: forget what is on screen so the next draw repaints every cell.
    func invalidate() {
        clearok(window, true)
    }

    // MARK: Lifetime

    /// Hands the terminal back (for a piped command) until `resume`.
    func suspend() {
        def_prog_mode()
        endwin()
    }

    func resume() {
        reset_prog_mode()
        clearok(window, true)
        wrefresh(window)
    }

    func end() {
        endwin()
        delscreen(screen)
    }
}
