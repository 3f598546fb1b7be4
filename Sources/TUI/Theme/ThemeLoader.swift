import Foundation

extension Theme {
    /// Finds and parses the theme called `name`: a name with a slash is a path; otherwise the
    /// user's `$XDG_CONFIG_HOME/mailbag/themes/NAME` (default `~/.config`) wins over the shipped
    /// themes directory (`$MAILBAG_THEMES_DIR`, else found next to the executable or the source
    /// tree), and `default` always exists because a copy is compiled in.
    /// - Throws: `ThemeError.notFound` when no file has that name; `.unreadable`, or what `parse` throws, for its file.
    public static func load(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ThemeError) -> Theme {
        let candidates = name.contains("/") ? [name] : searchPaths(for: name, environment: environment)
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw .unreadable(file: path, reason: error.localizedDescription)
            }
            return try parse(text, name: name, file: path)
        }
        if name == "default" { return builtInDefault }
        throw .notFound(name: name, searched: candidates.map { ($0 as NSString).deletingLastPathComponent })
    }

    static func searchPaths(
        for name: String, environment: [String: String], executable: URL? = Bundle.main.executableURL
    ) -> [String] {
        var directories: [String] = []
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty {
            directories.append(config + "/mailbag/themes")
        } else if let home = environment["HOME"], !home.isEmpty {
            directories.append(home + "/.config/mailbag/themes")
        }
        if let shipped = environment["MAILBAG_THEMES_DIR"], !shipped.isEmpty {
            directories.append(shipped)
        } else {
            directories += shippedDirectories(executable: executable)
        }
        return directories.map { $0 + "/" + name }
    }

    /// Where an installed (`PREFIX/bin` → `PREFIX/share/mailbag/themes`) or freshly built binary
    /// finds the shipped themes; `swift run` runs from `.build/…`, so the source tree's own
    /// `themes/` is tried last.
    private static func shippedDirectories(executable: URL?) -> [String] {
        var directories: [String] = []
        if let executable = executable?.resolvingSymlinksInPath() {
            let bin = executable.deletingLastPathComponent()
            directories.append(bin.deletingLastPathComponent().appendingPathComponent("share/mailbag/themes").path)
            directories.append(bin.appendingPathComponent("themes").path)
        }
        let sourceTree = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        directories.append(sourceTree.appendingPathComponent("themes").path)
        return directories
    }
}
