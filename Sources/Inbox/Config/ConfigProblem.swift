import Foundation

/// One thing wrong with a config file, located like a compiler diagnostic.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// Nil for problems with the file as a whole (permissions, encoding).
    public var line: Int?
    public var column: Int?
    public var message: String
    /// What to change, as an instruction: "remove it", "use one of: tls, starttls, none".
    public var fix: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String, fix: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.fix = fix
    }

    /// `path:line:column: error: message (fix)`, the shape editors and terminals link to.
    public var description: String { "\(location): error: \(message) (\(fix))" }

    /// Without the "error:" label, for text that already says it is an error.
    var sentence: String { "\(location): \(message) (\(fix))" }

    private var location: String {
        guard let line else { return file }
        guard let column else { return "\(file):\(line)" }
        return "\(file):\(line):\(column)"
    }
}

/// Why no usable configuration or account came out of the config file.
public enum ConfigError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// Every problem found, in file order; never empty.
    case invalid(file: String, problems: [ConfigProblem])
    /// An explicitly named config file does not exist.
    case notFound(file: String)
    case noAccounts(file: String)
    case unknownAccount(name: String, accounts: [String], file: String)
    case noDefaultAccount(accounts: [String], file: String)

    public var description: String {
        switch self {
        case .invalid(let file, let problems):
            guard let first = problems.first else { return "\(file) is not a valid config file; run `mailbag config check` to see why." }
            if problems.count == 1 { return first.sentence }
            return "\(first.sentence) — and \(problems.count - 1) more; `mailbag config check --config \(file)` lists them all."
        case .notFound(let file):
            return "There is no config file at \(file); create it (`mailbag config --help` shows an example) or give a pop3s:// URL instead."
        case .noAccounts(let file):
            return "\(file) defines no account; add an [accounts.NAME] table or give a pop3s:// URL instead."
        case .unknownAccount(let name, let accounts, let file):
            return "There is no account named `\(name)` in \(file); use one of: \(accounts.joined(separator: ", "))."
        case .noDefaultAccount(let accounts, let file):
            return "\(file) has several accounts and no default_account; name one of them (\(accounts.joined(separator: ", "))) on the command line, or set default_account."
        }
    }

    public var errorDescription: String? { description }
}
