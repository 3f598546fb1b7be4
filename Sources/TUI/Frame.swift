import Inbox

/// A run of text in one style, sanitized when it is made: nothing else reaches the screen.
public struct Span: Equatable, Sendable {
    public private(set) var display: DisplayText
    public var style: StyleName

    public init(_ text: some StringProtocol, _ style: StyleName) {
        display = DisplayText(text)
        self.style = style
    }

    public var text: String { display.string }

    mutating func append(_ other: Span) {
        display = display + other.display
    }
}

/// One screen row: its spans, then the rest of the row blank in `fill`.
public struct FrameLine: Equatable, Sendable {
    public var spans: [Span]
    public var fill: StyleName

    public init(_ spans: [Span] = [], fill: StyleName = .indexRow) {
        self.spans = spans
        self.fill = fill
    }

    public var text: String { spans.map(\.text).joined() }
}

/// A whole screen as plain data: built from the reader's state without touching the terminal,
/// so what would be drawn can be checked in tests.
public struct Frame: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var lines: [FrameLine]
    /// Where the cursor shows (while a line prompt is open); nil hides it.
    public var cursor: (row: Int, column: Int)?

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        lines = Array(repeating: FrameLine(), count: max(height, 0))
    }

    public static func == (a: Frame, b: Frame) -> Bool {
        a.width == b.width && a.height == b.height && a.lines == b.lines
            && a.cursor?.row == b.cursor?.row && a.cursor?.column == b.cursor?.column
    }

    public subscript(row: Int) -> FrameLine {
        get { lines[row] }
        set { if lines.indices.contains(row) { lines[row] = newValue } }
    }
}

/// Where each part of the screen goes for a terminal size. Below 20×5 nothing fits usefully
/// and a short notice is shown instead; below eight rows the title bar gives its row away.
public struct ScreenLayout: Equatable, Sendable {
    public static let minimumWidth = 20
    public static let minimumHeight = 5

    public let width: Int
    public let height: Int
    public let tooSmall: Bool
    public let titleRow: Int?
    /// The index or pager area.
    public let bodyTop: Int
    public let bodyHeight: Int
    /// The preview pane's divider row; the pane itself follows it. Nil when not shown.
    public let previewDivider: Int?
    public let previewHeight: Int
    public let statusRow: Int
    /// The first of the message lines at the bottom; a long message takes up to three.
    public let messageRow: Int
    public let messageLines: Int

    public static let maximumMessageLines = 3

    public init(width: Int, height: Int, preview: Bool = false, messageLines: Int = 1) {
        self.width = width
        self.height = height
        tooSmall = width < Self.minimumWidth || height < Self.minimumHeight
        titleRow = height >= 8 ? 0 : nil
        bodyTop = titleRow == nil ? 0 : 1
        // Extra message lines come out of the body, never below three rows of it.
        let lines = max(1, min(messageLines, Self.maximumMessageLines, height - Self.minimumHeight + 1))
        self.messageLines = lines
        statusRow = max(height - 1 - lines, 0)
        messageRow = max(height - lines, 0)
        let available = max(statusRow - bodyTop, 0)
        // The pane takes about two fifths, and only when both halves keep three rows.
        let pane = preview ? available * 2 / 5 : 0
        if pane >= 3 && available - pane - 1 >= 3 {
            previewDivider = bodyTop + available - pane - 1
            previewHeight = pane
            bodyHeight = available - pane - 1
        } else {
            previewDivider = nil
            previewHeight = 0
            bodyHeight = available
        }
    }
}
