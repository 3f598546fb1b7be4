import Foundation
import XCTest
@testable import TUI

final class ThemeTests: XCTestCase {
    private var themesDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("themes")
    }

    private func parse(_ text: String) throws(ThemeError) -> Theme {
        try Theme.parse(text, name: "t", file: "t.theme")
    }

    func testEveryShippedThemeParsesAndDefinesEveryStyle() throws {
        for name in ["default", "light", "solarized-dark", "high-contrast", "mono"] {
            let theme = try Theme.load(name, environment: ["MAILBAG_THEMES_DIR": themesDirectory.path, "HOME": "/nonexistent"])
            XCTAssertEqual(theme.definedStyles, Set(StyleName.allCases), name)
        }
    }

    /// Issue 18: unread rows stand apart from read ones in every shipped theme.
    func testEveryShippedThemeDrawsUnreadRowsApart() throws {
        for name in ["default", "light", "solarized-dark", "high-contrast", "mono"] {
            let theme = try Theme.load(name, environment: ["MAILBAG_THEMES_DIR": themesDirectory.path, "HOME": "/nonexistent"])
            XCTAssertNotEqual(theme[.indexUnread], theme[.indexRow], name)
            XCTAssertTrue(theme[.indexUnread].attributes.contains(.bold), "\(name): unread is bold, as mutt users expect")
        }
    }

    func testTheBuiltInDefaultIsTheShippedDefault() throws {
        let shipped = try String(contentsOf: themesDirectory.appendingPathComponent("default"), encoding: .utf8)
        XCTAssertEqual(shipped.trimmingCharacters(in: .newlines), Theme.builtInDefaultText.trimmingCharacters(in: .newlines))
    }

    func testShippedThemesStayReadableWithEightColours() throws {
        for name in ["default", "light", "solarized-dark", "high-contrast"] {
            let theme = try Theme.load(name, environment: ["MAILBAG_THEMES_DIR": themesDirectory.path, "HOME": "/nonexistent"])
            for style in StyleName.allCases {
                let basic = theme[style].resolved(for: .basic)
                XCTAssertTrue((-1...7).contains(basic.foreground) && (-1...7).contains(basic.background))
                if basic.foreground != -1 {
                    XCTAssertNotEqual(basic.foreground, basic.background, "\(name) \(style.rawValue) vanishes")
                }
            }
        }
    }

    func testLineFormat() throws {
        let theme = try parse("""
            # a comment
            index.row = default
            index.selected = black on cyan bold    # trailing comment
            index.marked = 196 underline
            status = #ff0000 on color17
            title = on blue
            error = bright-white on red bold reverse
            prompt = bold italic

            """)
        XCTAssertEqual(theme[.indexSelected], Style(foreground: .indexed(0), background: .indexed(6), attributes: .bold))
        XCTAssertEqual(theme[.indexMarked], Style(foreground: .indexed(196), attributes: .underline))
        XCTAssertEqual(theme[.status], Style(foreground: .indexed(196), background: .indexed(17)))
        XCTAssertEqual(theme[.title], Style(background: .indexed(4)))
        XCTAssertEqual(theme[.error], Style(foreground: .indexed(15), background: .indexed(1), attributes: [.bold, .reverse]))
        XCTAssertEqual(theme[.prompt], Style(attributes: [.bold, .italic]))
        XCTAssertEqual(theme.definedStyles.count, 7)
        XCTAssertEqual(theme[.link], Theme.builtInDefault[.link], "unset styles come from the built-in default")
    }

    func testErrorsNameFileAndLine() {
        let cases: [(String, ThemeError)] = [
            ("index.row = default\nindex.sel = red", .unknownStyle(file: "t.theme", line: 2, name: "index.sel")),
            ("\n\nstatus = purple", .unknownColor(file: "t.theme", line: 3, token: "purple")),
            ("status = red on mauve", .unknownColor(file: "t.theme", line: 1, token: "mauve")),
            ("status = 256", .unknownColor(file: "t.theme", line: 1, token: "256")),
            ("status = red blink", .unknownAttribute(file: "t.theme", line: 1, token: "blink")),
            ("status red", .syntax(file: "t.theme", line: 1, detail: "expected `style = colours and attributes`")),
            ("status =", .syntax(file: "t.theme", line: 1, detail: "no colour or attribute after `=`")),
            ("status = red on", .syntax(file: "t.theme", line: 1, detail: "`on` needs a background colour after it")),
            ("status = bold red", .syntax(file: "t.theme", line: 1, detail: "colours go before attributes: `foreground on background attributes`")),
            ("status = red\n# x\nstatus = blue", .duplicateStyle(file: "t.theme", line: 3, name: "status", firstLine: 1)),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                XCTAssertEqual(error as? ThemeError, expected, text)
                XCTAssertTrue(String(describing: error).hasPrefix("t.theme:"), String(describing: error))
            }
        }
    }

    func testErrorDescriptionsAreActionable() {
        let error = ThemeError.unknownStyle(file: "/home/u/.config/mailbag/themes/x", line: 4, name: "foo")
        XCTAssertTrue(error.description.hasPrefix("/home/u/.config/mailbag/themes/x:4: unknown style `foo`"))
        XCTAssertTrue(error.description.contains("index.selected"))
    }

    func testLookupPrefersTheUserDirectoryThenShippedThenBuiltIn() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-theme-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let user = root.appendingPathComponent("config/mailbag/themes")
        let shipped = root.appendingPathComponent("shipped")
        try FileManager.default.createDirectory(at: user, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: shipped, withIntermediateDirectories: true)
        try "status = red".write(to: user.appendingPathComponent("mine"), atomically: true, encoding: .utf8)
        try "status = blue".write(to: shipped.appendingPathComponent("mine"), atomically: true, encoding: .utf8)
        try "status = green".write(to: shipped.appendingPathComponent("other"), atomically: true, encoding: .utf8)
        let environment = ["XDG_CONFIG_HOME": root.appendingPathComponent("config").path, "MAILBAG_THEMES_DIR": shipped.path]

        XCTAssertEqual(try Theme.load("mine", environment: environment)[.status].foreground, .indexed(1))
        XCTAssertEqual(try Theme.load("other", environment: environment)[.status].foreground, .indexed(2))
        XCTAssertEqual(try Theme.load("default", environment: environment), Theme.builtInDefault)
        let path = shipped.appendingPathComponent("other").path
        XCTAssertEqual(try Theme.load(path, environment: [:])[.status].foreground, .indexed(2))
        XCTAssertThrowsError(try Theme.load("nope", environment: environment)) { error in
            guard case .notFound(let name, let searched) = error as? ThemeError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "nope")
            XCTAssertEqual(searched, [user.path, shipped.path])
        }
        try "status = nonsense".write(to: user.appendingPathComponent("broken"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Theme.load("broken", environment: environment)) { error in
            XCTAssertEqual(error as? ThemeError, .unknownColor(file: user.appendingPathComponent("broken").path, line: 1, token: "nonsense"))
        }
    }

    func testAnUnreadableThemeSaysWhichFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-theme-dir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertThrowsError(try Theme.load(directory.path, environment: [:])) { error in
            guard case .unreadable(let file, _) = error as? ThemeError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, directory.path)
            XCTAssertTrue(String(describing: error).hasPrefix("Cannot read theme \(directory.path)"))
        }
    }

    /// scripts/install puts the binary in PREFIX/bin and the themes in PREFIX/share/mailbag/themes.
    func testAnInstalledBinaryLooksInItsPrefixAfterTheUsersThemes() {
        let paths = Theme.searchPaths(
            for: "x", environment: ["HOME": "/home/u"], executable: URL(fileURLWithPath: "/opt/mb/bin/mailbag"))
        XCTAssertEqual(Array(paths.prefix(3)), [
            "/home/u/.config/mailbag/themes/x", "/opt/mb/share/mailbag/themes/x", "/opt/mb/bin/themes/x",
        ])
        XCTAssertEqual(paths.last.map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent }, "themes",
                       "the source tree's themes/ comes last, for swift run")
    }

    func testXDGDefaultsToDotConfig() {
        let paths = Theme.searchPaths(for: "x", environment: ["HOME": "/home/u", "MAILBAG_THEMES_DIR": "/opt/themes"])
        XCTAssertEqual(paths, ["/home/u/.config/mailbag/themes/x", "/opt/themes/x"])
    }
}

final class ColorResolutionTests: XCTestCase {
    func testFullColourKeepsIndices() {
        let style = Style(foreground: .indexed(231), background: .indexed(24), attributes: .bold)
        XCTAssertEqual(style.resolved(for: .full), TerminalStyle(foreground: 231, background: 24, attributes: .bold))
        XCTAssertEqual(Style().resolved(for: .full), TerminalStyle(foreground: -1, background: -1, attributes: []))
    }

    func testEightColourFallback() {
        XCTAssertEqual(ThemeColor.indexed(196).basic, 1, "pure red")
        XCTAssertEqual(ThemeColor.indexed(24).basic, 4, "steel blue")
        XCTAssertEqual(ThemeColor.indexed(22).basic, 2, "dark green stays green")
        XCTAssertEqual(ThemeColor.indexed(226).basic, 3, "yellow")
        XCTAssertEqual(ThemeColor.indexed(236).basic, 0, "dark grey")
        XCTAssertEqual(ThemeColor.indexed(252).basic, 7, "light grey")
        XCTAssertEqual(ThemeColor.indexed(13).basic, 5, "bright magenta")
        // White on steel blue stays white on blue.
        XCTAssertEqual(Style(foreground: .indexed(231), background: .indexed(24)).resolved(for: .basic),
                       TerminalStyle(foreground: 7, background: 4, attributes: []))
        // A grey that collapses to black over the unknown default background is left to the terminal.
        XCTAssertEqual(Style(foreground: .indexed(240)).resolved(for: .basic).foreground, -1)
        // A foreground that lands on its own background takes the contrasting extreme.
        XCTAssertEqual(Style(foreground: .indexed(230), background: .indexed(254)).resolved(for: .basic).foreground, 0)
        XCTAssertEqual(Style(foreground: .indexed(17), background: .indexed(18)).resolved(for: .basic).foreground, 7)
    }

    func testNoColourUsesAttributesAndReversesBackgroundOnlyStyles() {
        let selected = Style(foreground: .indexed(231), background: .indexed(24), attributes: .bold)
        XCTAssertEqual(selected.resolved(for: .none), TerminalStyle(foreground: -1, background: -1, attributes: [.bold, .reverse]))
        XCTAssertEqual(Style(foreground: .indexed(108)).resolved(for: .none), TerminalStyle(foreground: -1, background: -1, attributes: []))
    }

    func testHexColoursTakeTheNearestIndex() {
        XCTAssertEqual(ThemeColor(parsing: "#ff0000"), .indexed(196))
        XCTAssertEqual(ThemeColor(parsing: "#000000"), .indexed(16))
        XCTAssertEqual(ThemeColor(parsing: "#808080"), .indexed(244))
        XCTAssertNil(ThemeColor(parsing: "#ff00"))
        XCTAssertNil(ThemeColor(parsing: "+5"))
        XCTAssertEqual(ThemeColor(parsing: "Color42"), .indexed(42))
    }
}
