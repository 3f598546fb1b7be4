/// A colour as a theme names it: the terminal's own default, or an xterm 256-colour index.
public enum ThemeColor: Sendable, Equatable, Hashable {
    case terminalDefault
    case indexed(Int)

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Accepts `default`, the eight colour names, `bright-` plus a name, `0`–`255`, `colorN`,
    /// and `#rrggbb` (taken to the nearest of the 256).
    init?(parsing token: String) {
        let t = token.lowercased()
        if t == "default" {
            self = .terminalDefault
        } else if let i = Self.names.firstIndex(of: t) {
            self = .indexed(i)
        } else if t.hasPrefix("bright-"), let i = Self.names.firstIndex(of: String(t.dropFirst(7))) {
            self = .indexed(i + 8)
        } else if let n = Self.index(t.hasPrefix("color") ? String(t.dropFirst(5)) : t) {
            self = .indexed(n)
        } else if t.hasPrefix("#"), t.count == 7, let rgb = Int(t.dropFirst(), radix: 16) {
            self = .indexed(Self.nearestIndex(red: rgb >> 16, green: (rgb >> 8) & 0xFF, blue: rgb & 0xFF))
        } else {
            return nil
        }
    }

    private static func index(_ digits: String) -> Int? {
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
              let n = Int(digits), (0...255).contains(n) else { return nil }
        return n
    }

    /// The six levels of xterm's 6×6×6 colour cube (indices 16–231).
    private static let cubeLevels = [0, 95, 135, 175, 215, 255]
    /// Approximate RGB of the basic sixteen, as xterm draws them.
    private static let basicRGB: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    static func rgb(ofIndex n: Int) -> (Int, Int, Int) {
        switch n {
        case 0..<16: return basicRGB[n]
        case 16..<232:
            let c = n - 16
            return (cubeLevels[c / 36], cubeLevels[(c / 6) % 6], cubeLevels[c % 6])
        default:
            let level = 8 + 10 * (n - 232)
            return (level, level, level)
        }
    }

    static func nearestIndex(red: Int, green: Int, blue: Int) -> Int {
        (16..<256).min { a, b in
            distance(rgb(ofIndex: a), (red, green, blue)) < distance(rgb(ofIndex: b), (red, green, blue))
        } ?? 16
    }

    private static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let (dr, dg, db) = (a.0 - b.0, a.1 - b.1, a.2 - b.2)
        return dr * dr + dg * dg + db * db
    }

    /// The basic colour (0–7) closest in spirit: each channel counts when it is strong both
    /// absolutely and relative to the brightest channel, so dark teal stays blue-green rather
    /// than collapsing to black.
    var basic: Int? {
        guard case .indexed(let n) = self else { return nil }
        if n < 16 { return n % 8 }
        let (r, g, b) = Self.rgb(ofIndex: n)
        let strongest = max(r, g, b)
        func on(_ c: Int) -> Int { c >= 95 && c * 4 >= strongest * 3 ? 1 : 0 }
        return on(r) | on(g) << 1 | on(b) << 2
    }
}

/// Text attributes a style may add.
public struct TextAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let bold = TextAttributes(rawValue: 1 << 0)
    public static let dim = TextAttributes(rawValue: 1 << 1)
    public static let italic = TextAttributes(rawValue: 1 << 2)
    public static let underline = TextAttributes(rawValue: 1 << 3)
    public static let reverse = TextAttributes(rawValue: 1 << 4)
    public static let standout = TextAttributes(rawValue: 1 << 5)

    static let names: [String: TextAttributes] = [
        "bold": .bold, "dim": .dim, "italic": .italic, "underline": .underline,
        "reverse": .reverse, "standout": .standout, "normal": [], "none": [],
    ]
}

/// One style as written in a theme file.
public struct Style: Sendable, Equatable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var attributes: TextAttributes

    public init(foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault, attributes: TextAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }
}

/// A style as a particular terminal will draw it: colour numbers for `init_pair` (-1 is the
/// terminal's default) and attributes.
public struct TerminalStyle: Sendable, Equatable {
    public var foreground: Int
    public var background: Int
    public var attributes: TextAttributes
}

/// What the terminal offers, which decides how a theme's colours are drawn.
public enum ColorSupport: Sendable, Equatable {
    /// NO_COLOR is set or the terminal has no colours: attributes only.
    case none
    /// Eight (or sixteen) colours: each 256-colour value becomes the nearest basic one.
    case basic
    case full
}

extension Style {
    /// This style on a terminal with `support`.
    ///
    /// Without colour, a style told apart only by its background (a selected row, the status line)
    /// becomes reverse video so it still stands out. With eight colours, a foreground that falls to
    /// black or white over the terminal's unknown default background is left to the terminal (it
    /// could vanish otherwise), and one that lands on its own background takes the contrasting
    /// extreme.
    public func resolved(for support: ColorSupport) -> TerminalStyle {
        switch support {
        case .none:
            var attributes = self.attributes
            if background != .terminalDefault && !attributes.contains(.reverse) { attributes.insert(.reverse) }
            return TerminalStyle(foreground: -1, background: -1, attributes: attributes)
        case .full:
            return TerminalStyle(foreground: Self.number(foreground), background: Self.number(background), attributes: attributes)
        case .basic:
            let bg = background.basic ?? -1
            var fg = foreground.basic ?? -1
            if bg == -1, case .indexed(let n) = foreground, n >= 16, fg == 0 || fg == 7 { fg = -1 }
            if fg != -1 && fg == bg { fg = [0, 1, 4, 5].contains(bg) ? 7 : 0 }
            return TerminalStyle(foreground: fg, background: bg, attributes: attributes)
        }
    }

    private static func number(_ color: ThemeColor) -> Int {
        if case .indexed(let n) = color { return n }
        return -1
    }
}
