/// A key press after decoding: what the screens react to. Terminal-independent so the screen
/// logic can be driven by tests.
public enum Key: Hashable, Sendable {
    case character(Character)
    /// Ctrl plus a letter, as the lowercase letter.
    case control(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, delete, tab
    case resize

    /// How the help screen writes the key.
    public var name: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .control(let c): "Ctrl-" + c.uppercased()
        case .up: "Up"
        case .down: "Down"
        case .left: "Left"
        case .right: "Right"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .enter: "Enter"
        case .escape: "Esc"
        case .backspace: "Backspace"
        case .delete: "Delete"
        case .tab: "Tab"
        case .resize: "(resize)"
        }
    }
}

/// Mouse input the reader understands.
public enum MouseGesture: Hashable, Sendable {
    case click, wheelUp, wheelDown
}

/// One unit of user input.
public enum Input: Equatable, Sendable {
    case key(Key)
    /// `row` and `column` are screen cells, 0-based from the top left.
    case mouse(MouseGesture, row: Int, column: Int)
}
