import Foundation
import TOMLKit

/// The user's config file: accounts and the defaults they share. See `ExampleConfig.text` for
/// every key.
public struct MailbagConfig: Sendable, Equatable {
    /// The path the file was loaded from, as problems and errors name it.
    public var file: String
    public var defaultAccount: String?
    public var theme: String?
    public var htmlConverter: String?
    /// Bytes.
    public var largeMessageThreshold: Int?
    /// Defaults for the accounts' `from` and `sendmail_command`.
    public var from: String?
    public var sendmailCommand: String?
    /// In the order the file lists them.
    public var accounts: [AccountConfig]

    public init(
        file: String, defaultAccount: String? = nil, theme: String? = nil, htmlConverter: String? = nil,
        largeMessageThreshold: Int? = nil, accounts: [AccountConfig] = []
    ) {
        self.file = file
        self.defaultAccount = defaultAccount
        self.theme = theme
        self.htmlConverter = htmlConverter
        self.largeMessageThreshold = largeMessageThreshold
        self.accounts = accounts
    }

    /// `$XDG_CONFIG_HOME/mailbag/config.toml`, else `~/.config/mailbag/config.toml`; the same
    /// base directory the theme loader searches for `themes/`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty {
            return config + "/mailbag/config.toml"
        }
        return homeDirectory(environment) + "/.config/mailbag/config.toml"
    }

    /// The file named by `--config`, which must exist, or else the default file, which may be
    /// absent: then the result is nil and Mailbag works from a URL alone.
    ///
    /// `themeProblem` returns why a theme name cannot be used, or nil when it can; the theme
    /// loader lives in the TUI module, which this one cannot see.
    public static func load(
        explicitPath: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        themeProblem: @escaping (String) -> String? = { _ in nil }
    ) throws(ConfigError) -> MailbagConfig? {
        let path = explicitPath ?? defaultPath(environment: environment)
        switch ConfigFileReader.load(path: path) {
        case .missing:
            if explicitPath != nil { throw .notFound(file: path) }
            return nil
        case .read(let text, let problems):
            return try check(text, problems: problems, file: path, environment: environment, themeProblem: themeProblem)
        }
    }

    /// Checks `text` as the contents of `file` without touching the file itself, so neither its
    /// existence nor its permissions matter; relative `ca_file` paths still start from its directory.
    public static func parse(
        _ text: String,
        file: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        themeProblem: @escaping (String) -> String? = { _ in nil }
    ) throws(ConfigError) -> MailbagConfig {
        switch ConfigFileReader.decode(Array(text.utf8)) {
        case .success:
            return try check(text, problems: [], file: file, environment: environment, themeProblem: themeProblem)
        case .failure(let encoding):
            throw .invalid(file: file, problems: [ConfigProblem(file: file, line: encoding.line, message: encoding.message, fix: encoding.fix)])
        }
    }

    static func check(
        _ text: String?, problems fileProblems: [ConfigProblem], file: String,
        environment: [String: String], themeProblem: @escaping (String) -> String?
    ) throws(ConfigError) -> MailbagConfig {
        guard let text else { throw .invalid(file: file, problems: fileProblems) }
        let document: TOMLTable
        do {
            document = try TOMLTable(string: text)
        } catch {
            throw .invalid(file: file, problems: fileProblems + [syntaxProblem(error, file: file)])
        }
        guard case .table(let root) = ConfigValue(document) else { throw .invalid(file: file, problems: fileProblems) }
        var validator = ConfigValidator(
            file: file, sourceMap: TOMLSourceMap(scanning: text), home: homeDirectory(environment), themeProblem: themeProblem)
        let config = validator.validate(root)
        let problems = fileProblems + validator.problems
        guard problems.isEmpty else { throw .invalid(file: file, problems: problems) }
        return config
    }

    private static func syntaxProblem(_ error: any Error, file: String) -> ConfigProblem {
        guard let error = error as? TOMLParseError else {
            return ConfigProblem(file: file, message: "the file is not valid TOML", fix: "check its syntax against the example in `mailbag config --help`")
        }
        let begin = error.source.begin
        // toml++ words its messages "Error while parsing value: …"; reworded so the rendered
        // problem does not say "error" twice in a row.
        let detail = error.description.hasPrefix("Error while ")
            ? "TOML syntax error while " + error.description.dropFirst("Error while ".count)
            : "TOML syntax error: " + error.description
        return ConfigProblem(
            file: file, line: begin.line > 0 ? begin.line : nil, column: begin.column > 0 ? begin.column : nil,
            message: detail,
            fix: "correct the syntax there: strings need double quotes, tables are written [accounts.NAME]")
    }

    private static func homeDirectory(_ environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        return FileManager.default.homeDirectoryForCurrentUser.path
    }

    public func account(named name: String) -> AccountConfig? {
        accounts.first { $0.name == name }
    }

    /// The account `name`, or without a name the default account, or the only one.
    /// - Throws: `ConfigError` when there are no accounts, none has that name, or none was named and there is no default.
    public func resolve(name: String?) throws(ConfigError) -> AccountConfig {
        let names = accounts.map(\.name)
        if let name {
            guard let account = account(named: name) else {
                if names.isEmpty { throw .noAccounts(file: file) }
                throw .unknownAccount(name: name, accounts: names, file: file)
            }
            return account
        }
        if let defaultAccount, let account = account(named: defaultAccount) { return account }
        switch accounts.count {
        case 0: throw .noAccounts(file: file)
        case 1: return accounts[0]
        default: throw .noDefaultAccount(accounts: names, file: file)
        }
    }
}
