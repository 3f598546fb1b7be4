import Foundation
import Synchronization

/// The user's mailcap (RFC 1524): which program shows which content type. Read from
/// `$MAILCAPS` (a colon-separated list), else `~/.mailcap`, `/etc/mailcap`; the first entry that
/// matches wins, as in mutt.
public struct Mailcap: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// `type/subtype`, lower case; the subtype may be `*`.
        public var type: String
        public var command: String
        /// `copiousoutput`: prints text, to be read in a pager.
        public var copiousOutput: Bool
        /// `needsterminal`: runs interactively on the terminal.
        public var needsTerminal: Bool
        /// `test=`: a command whose success says the entry applies (e.g. a display is present).
        public var test: String?

        func matches(_ contentType: String) -> Bool {
            let wanted = contentType.lowercased()
            if type == wanted { return true }
            guard type.hasSuffix("/*") || !type.contains("/") else { return false }
            let major = type.split(separator: "/").first.map(String.init) ?? type
            return wanted.split(separator: "/").first.map(String.init) == major
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Parses mailcap text; lines it cannot read are skipped, as every mailcap reader does.
    public init(parsing text: String) {
        var entries: [Entry] = []
        var logical = ""
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            // A backslash at the end continues the entry on the next line.
            if raw.hasSuffix("\\") {
                logical += raw.dropLast()
                continue
            }
            logical += raw
            defer { logical = "" }
            let line = logical.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let fields = Self.fields(line)
            guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty else { continue }
            var entry = Entry(type: fields[0].lowercased(), command: fields[1], copiousOutput: false, needsTerminal: false, test: nil)
            for flag in fields.dropFirst(2) {
                let parts = flag.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                switch parts[0].lowercased() {
                case "copiousoutput": entry.copiousOutput = true
                case "needsterminal": entry.needsTerminal = true
                case "test" where parts.count == 2: entry.test = parts[1]
                default: break
                }
            }
            entries.append(entry)
        }
        self.entries = entries
    }

    /// Fields separated by `;`, where `\;` is a literal semicolon.
    private static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                if character != ";" { current.append("\\") }
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ";" {
                fields.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }

    /// The user's mailcap files, in the order they are searched.
    public static func userFiles(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let list = environment["MAILCAPS"], !list.isEmpty {
            return list.split(separator: ":").map(String.init)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return ["\(home)/.mailcap", "/etc/mailcap"]
    }

    public static func load(files: [String] = userFiles()) -> Mailcap {
        Mailcap(entries: files.flatMap { file in
            (try? String(contentsOfFile: file, encoding: .utf8)).map { Mailcap(parsing: $0).entries } ?? []
        })
    }

    /// The entries for `contentType`, in order, before their tests are run.
    public func candidates(for contentType: String) -> [Entry] {
        entries.filter { $0.matches(contentType) }
    }
}

/// How to show one part: a mailcap entry made safe to run, or the desktop's opener.
public struct AttachmentViewer: Sendable, Equatable {
    /// A command line for `/bin/sh -c`, which refers to the file as `"$1"` and to the content
    /// type as `"$2"`: nothing from the message is ever spliced into it.
    public var command: ExternalCommand
    public var copiousOutput: Bool
    public var needsTerminal: Bool
    /// The file must outlive the command (an opener that hands it to another program and
    /// returns at once).
    public var detaches: Bool

    /// The viewer for `contentType`: the first mailcap entry whose test passes, else
    /// `xdg-open` when it is installed, else nil.
    public static func find(
        for contentType: String, in mailcap: Mailcap, hasOpener: Bool = FileManager.default.isExecutableFile(atPath: "/usr/bin/xdg-open")
    ) async -> AttachmentViewer? {
        for entry in mailcap.candidates(for: contentType) {
            if let test = entry.test {
                let probe = ExternalCommand(Self.positional(test), arguments: ["", contentType])
                guard (try? await probe.capture(timeout: .seconds(5), outputLimit: 4096)) != nil else { continue }
            }
            return AttachmentViewer(
                command: ExternalCommand(Self.positional(entry.command), arguments: []),
                copiousOutput: entry.copiousOutput, needsTerminal: entry.needsTerminal, detaches: false)
        }
        guard hasOpener else { return nil }
        return AttachmentViewer(command: ExternalCommand("xdg-open \"$1\"", arguments: []), copiousOutput: false, needsTerminal: false, detaches: true)
    }

    /// RFC 1524's `%s` (the file) and `%t` (the type) become positional parameters, quoted or
    /// not in the entry; `%{name}` parameters come from the message and are dropped. An entry
    /// without `%s` reads the file on its standard input.
    public static func positional(_ command: String) -> String {
        var out = command
        for (pattern, replacement) in [("'%s'", "\"$1\""), ("\"%s\"", "\"$1\""), ("%s", "\"$1\""),
                                       ("'%t'", "\"$2\""), ("\"%t\"", "\"$2\""), ("%t", "\"$2\"")] {
            out = out.replacingOccurrences(of: pattern, with: replacement)
        }
        out = out.replacingOccurrences(of: #"%\{[^}]*\}"#, with: "", options: .regularExpression)
        return out.contains("\"$1\"") ? out : out + " < \"$1\""
    }
}

/// Shows one attachment with the user's viewer: the part is written to a private temporary
/// directory (mode 0700, the file 0600, under a safe name), the viewer runs on the terminal,
/// and the file is removed afterwards (an opener that detaches keeps it until Mailbag exits).
public enum AttachmentOpener {
    public enum Outcome: Sendable, Equatable {
        case viewed(ExternalCommand.Termination)
        case noViewer(String)
        case failed(String)

        public var summary: String {
            switch self {
            case .viewed(let termination): termination.summary
            case .noViewer(let type): "No viewer for \(type): add a line such as “\(type); your-viewer %s” to ~/.mailcap."
            case .failed(let reason): "The attachment could not be opened: \(reason)"
            }
        }

        public var succeeded: Bool { self == .viewed(.exited(0)) }
    }

    /// Files handed to a detaching opener, removed when Mailbag exits.
    private static let leftForOpeners = LeftFiles()

    /// Runs on the terminal, which the caller has released.
    public static func open(
        _ bytes: [UInt8], name: String, contentType: String, mailcap: Mailcap = .load(),
        pager: String = ProcessInfo.processInfo.environment["PAGER"].flatMap { $0.isEmpty ? nil : $0 } ?? "less"
    ) async -> Outcome {
        let type = contentType.lowercased()
        guard let viewer = await AttachmentViewer.find(for: type, in: mailcap) else { return .noViewer(type) }
        let directory: URL
        let file: URL
        do {
            directory = try privateDirectory()
            file = directory.appendingPathComponent(name.isEmpty ? "attachment" : name)
            guard FileManager.default.createFile(atPath: file.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
        } catch {
            return .failed("no private temporary file could be written (\(error.localizedDescription)); check TMPDIR.")
        }
        var command = viewer.command
        if viewer.copiousOutput {
            // Text for reading: through the pager, as mutt shows copiousoutput.
            command.commandLine = "( \(command.commandLine) ) | \(pager)"
        }
        command.arguments = [file.path, type]
        let termination = await command.runOnTerminal(input: [])
        if viewer.detaches {
            leftForOpeners.add(directory)
        } else {
            try? FileManager.default.removeItem(at: directory)
        }
        return .viewed(termination)
    }

    private static func privateDirectory() throws -> URL {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/mailbag-view-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw CocoaError(.fileWriteNoPermission)
        }
        return URL(fileURLWithPath: String(decoding: template.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
    }

    /// Removes the directories left for detaching openers; the reader calls it on exit.
    public static func cleanUp() {
        for directory in leftForOpeners.take() { try? FileManager.default.removeItem(at: directory) }
    }
}

private final class LeftFiles: Sendable {
    private let directories = Mutex<[URL]>([])

    func add(_ directory: URL) { directories.withLock { $0.append(directory) } }

    func take() -> [URL] {
        directories.withLock { directories in
            defer { directories = [] }
            return directories
        }
    }
}
