import Foundation

/// Tab completion for a path typed at a prompt, as a shell completes it: the last component is
/// extended to the longest prefix its matches share, and a lone directory gets its `/`. What the
/// user typed stays as written (`~/Ma` becomes `~/Mail/`, not `/home/ann/Mail/`); only the
/// directory that is listed has `~` and `$HOME` expanded.
public struct PathCompletion: Sendable, Equatable {
    /// The prompt's new text.
    public var text: String
    /// The names that still match when more than one does, sorted; empty when the completion
    /// was unique or nothing matched.
    public var candidates: [String]

    /// Lists a directory's entries as (name, is a directory), or nil when it cannot be read.
    public typealias Lister = @Sendable (String) -> [(name: String, isDirectory: Bool)]?

    /// Completes `typed`. Hidden entries are offered only when the typed name starts with `.`.
    public static func complete(_ typed: String, home: String = MailFolder.homeDirectory(),
                                list: Lister = PathCompletion.listDirectory) -> PathCompletion {
        let written = typed == "~" ? "~/" : typed
        let slash = written.lastIndex(of: "/")
        let directoryPart = slash.map { String(written[...$0]) } ?? ""
        let prefix = slash.map { String(written[written.index(after: $0)...]) } ?? written
        let directory = directoryPart.isEmpty ? "." : MailFolder.expand(directoryPart, home: home)
        let matches = (list(directory) ?? [])
            .filter { $0.name.hasPrefix(prefix) && ($0.name.first != "." || prefix.first == ".") }
            .sorted { $0.name < $1.name }
        guard let first = matches.first else { return PathCompletion(text: typed, candidates: []) }
        if matches.count == 1 {
            return PathCompletion(text: directoryPart + first.name + (first.isDirectory ? "/" : ""), candidates: [])
        }
        let shared = matches.dropFirst().reduce(first.name) { common, match in
            String(zip(common, match.name).prefix { $0 == $1 }.map(\.0))
        }
        return PathCompletion(text: directoryPart + (shared.count > prefix.count ? shared : prefix),
                              candidates: matches.map { $0.name + ($0.isDirectory ? "/" : "") })
    }

    /// The file system's answer; symbolic links count as what they point to.
    public static let listDirectory: Lister = { directory in
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else { return nil }
        return names.map { name in
            var isDirectory: ObjCBool = false
            let exists = manager.fileExists(atPath: (directory as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
            return (name, exists && isDirectory.boolValue)
        }
    }
}
