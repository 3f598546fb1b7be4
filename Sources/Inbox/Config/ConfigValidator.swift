import Foundation
import MailMessage
import POP3
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every key the config file knows, with the example its fixes quote.
enum ConfigKey: String, CaseIterable {
    case defaultAccount = "default_account"
    case accounts
    case host, port, user, security
    case allowPlaintext = "allow_plaintext"
    case auth
    case passwordCommand = "password_command"
    case oauth2TokenCommand = "oauth2_token_command"
    case caFile = "ca_file"
    case timeout, keepalive, theme
    case htmlConverter = "html_converter"
    case largeMessageThreshold = "large_message_threshold"
    case cacheBodies = "cache_bodies"
    case bodyCacheLimit = "body_cache_limit"
    case pipelining
    case maxMessageSize = "max_message_size"
    case checkInterval = "check_interval"
    case archive
    case keepDeleted = "keep_deleted"
    case keepDeletedLimit = "keep_deleted_limit"
    case from
    case sendmailCommand = "sendmail_command"

    static let topLevel: [ConfigKey] = [.defaultAccount, .theme, .htmlConverter, .largeMessageThreshold, .from, .sendmailCommand, .accounts]
    static let account: [ConfigKey] = [
        .host, .port, .user, .security, .allowPlaintext, .auth, .passwordCommand, .oauth2TokenCommand, .caFile, .timeout,
        .keepalive, .theme, .htmlConverter, .largeMessageThreshold, .cacheBodies, .bodyCacheLimit, .pipelining, .maxMessageSize,
        .checkInterval, .archive, .keepDeleted, .keepDeletedLimit, .from, .sendmailCommand,
    ]

    var example: String {
        switch self {
        case .defaultAccount: "default_account = \"work\""
        case .accounts: "[accounts.work]"
        case .host: "host = \"mail.example.org\""
        case .port: "port = 995"
        case .user: "user = \"alice@example.org\""
        case .security: "security = \"tls\""
        case .allowPlaintext: "allow_plaintext = true"
        case .auth: "auth = [\"CRAM-MD5\", \"PLAIN\"]"
        case .passwordCommand: "password_command = \"pass show mail/work\""
        case .oauth2TokenCommand: "oauth2_token_command = \"oama access alice@gmail.com\""
        case .caFile: "ca_file = \"~/certs/ca.pem\""
        case .timeout: "timeout = 30"
        case .keepalive: "keepalive = 240"
        case .theme: "theme = \"solarized-dark\""
        case .htmlConverter: "html_converter = \"w3m -dump -T text/html\""
        case .largeMessageThreshold: "large_message_threshold = \"2MB\""
        case .cacheBodies: "cache_bodies = true"
        case .bodyCacheLimit: "body_cache_limit = \"200MB\""
        case .pipelining: "pipelining = false"
        case .maxMessageSize: "max_message_size = \"200MB\""
        case .checkInterval: "check_interval = 300"
        case .archive: "archive = \"~/Mail/archive/\""
        case .keepDeleted: "keep_deleted = \"~/Mail/mailbag-deleted\""
        case .keepDeletedLimit: "keep_deleted_limit = \"1GB\""
        case .from: "from = \"Alice Example <alice@example.org>\""
        case .sendmailCommand: "sendmail_command = \"msmtp -t -a work\""
        }
    }
}

/// Turns the parsed document into a `MailbagConfig`, collecting every problem rather than
/// stopping at the first, each located through the source map.
struct ConfigValidator {
    let file: String
    let sourceMap: TOMLSourceMap
    /// Relative `ca_file` paths are resolved here, not in whatever directory Mailbag runs from.
    let directory: String
    let home: String
    let themeProblem: (String) -> String?
    private(set) var problems: [ConfigProblem] = []

    init(file: String, sourceMap: TOMLSourceMap, home: String, themeProblem: @escaping (String) -> String?) {
        self.file = file
        self.sourceMap = sourceMap
        self.directory = (file as NSString).deletingLastPathComponent
        self.home = home
        self.themeProblem = themeProblem
    }

    mutating func validate(_ root: [String: ConfigValue]) -> MailbagConfig {
        var config = MailbagConfig(file: file)
        var accountTables: [String: ConfigValue] = [:]
        for key in fileOrder(root.keys, under: []) {
            let value = root[key]!
            let path: TOMLPath = [.key(key)]
            switch ConfigKey(rawValue: key) {
            case .defaultAccount: config.defaultAccount = string(value, .defaultAccount, at: path)
            case .theme: config.theme = theme(value, at: path)
            case .htmlConverter: config.htmlConverter = string(value, .htmlConverter, at: path)
            case .largeMessageThreshold: config.largeMessageThreshold = size(value, .largeMessageThreshold, at: path)
            case .from: config.from = from(value, at: path)
            case .sendmailCommand: config.sendmailCommand = string(value, .sendmailCommand, at: path)
            case .accounts: accountTables = accounts(value)
            default: unknownKey(key, at: path, scope: .topLevel)
            }
        }
        for name in fileOrder(accountTables.keys, under: [.key("accounts")]) {
            guard case .table(let table) = accountTables[name]! else { continue }
            if let account = account(name, table, defaults: config) { config.accounts.append(account) }
        }
        if let name = config.defaultAccount, accountTables[name] == nil {
            let names = fileOrder(accountTables.keys, under: [.key("accounts")])
            report([.key("default_account")], "default_account names `\(name)`, which is not an account",
                   fix: names.isEmpty
                       ? "add an [accounts.\(name)] table, or remove default_account"
                       : Self.suggestion(for: name, among: names).map { "did you mean `\($0)`?" } ?? "use one of: \(names.joined(separator: ", "))")
        }
        problems = problems.enumerated().sorted { lhs, rhs in
            let left = (lhs.element.line ?? 0, lhs.element.column ?? 0, lhs.offset)
            let right = (rhs.element.line ?? 0, rhs.element.column ?? 0, rhs.offset)
            return left < right
        }.map(\.element)
        return config
    }

    // MARK: - Tables

    private mutating func accounts(_ value: ConfigValue) -> [String: ConfigValue] {
        let path: TOMLPath = [.key("accounts")]
        guard case .table(let entries) = value else {
            if case .array = value {
                report(path, "`accounts` must be a table of account tables, not an array",
                       fix: "write each account as [accounts.NAME] instead of [[accounts]]")
            } else {
                wrongType(value, .accounts, expected: "a table of account tables", at: path)
            }
            return [:]
        }
        for (name, entry) in entries {
            let entryPath = path + [.key(name)]
            if case .table = entry {
                checkAccountName(name, at: entryPath)
            } else if ConfigKey.account.contains(where: { $0.rawValue == name }) {
                report(entryPath, "`\(name)` is directly inside [accounts], which holds only named account tables",
                       fix: "name the account: write [accounts.work] instead of [accounts]")
            } else {
                report(entryPath, "account `\(name)` must be a table of settings, not \(entry.typeName)",
                       fix: "write it as an [accounts.\(name)] table with host and user")
            }
        }
        return entries
    }

    /// The name is typed on the command line (`mailbag NAME`), so it must not look like an
    /// option or a hidden file.
    private mutating func checkAccountName(_ name: String, at path: TOMLPath) {
        let allowed = !name.isEmpty && !name.hasPrefix("-") && !name.hasPrefix(".")
            && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
        if !allowed {
            report(path, "account name `\(name)` may only contain letters, digits, '_', '-' and '.', and may not start with '-' or '.'",
                   fix: "rename the table, e.g. [accounts.work]")
        }
    }

    private mutating func account(_ name: String, _ table: [String: ConfigValue], defaults: MailbagConfig) -> AccountConfig? {
        let tablePath: TOMLPath = [.key("accounts"), .key(name)]
        let header = "[accounts.\(name)]"
        var host: String?, user: String?, port: Int?, security: ConnectionSecurity?, allowPlaintext: Bool?
        var account = AccountConfig(name: name, host: "", user: "")
        account.theme = defaults.theme
        account.htmlConverter = defaults.htmlConverter
        account.largeMessageThreshold = defaults.largeMessageThreshold
        account.from = defaults.from
        account.sendmailCommand = defaults.sendmailCommand

        for key in fileOrder(table.keys, under: tablePath) {
            let value = table[key]!
            let path = tablePath + [.key(key)]
            switch ConfigKey(rawValue: key) {
            case .host: host = self.host(value, at: path)
            case .port: port = self.port(value, at: path)
            case .user: user = string(value, .user, at: path)
            case .security: security = self.security(value, at: path)
            case .allowPlaintext: allowPlaintext = bool(value, .allowPlaintext, at: path)
            case .auth: account.authMechanisms = mechanisms(value, at: path)
            case .passwordCommand: account.passwordCommand = string(value, .passwordCommand, at: path)
            case .oauth2TokenCommand: account.oauth2TokenCommand = string(value, .oauth2TokenCommand, at: path)
            case .caFile: account.caFile = caFile(value, at: path)
            case .timeout:
                account.timeout = seconds(value, .timeout, at: path, requirement: "more than 0 and at most 3600") {
                    $0 > 0 && $0 <= 3600
                } ?? account.timeout
            case .keepalive:
                // Below 10 seconds the NOOPs would be a load on the server; beyond an hour they
                // would come too late for any server's idle timer.
                account.keepalive = seconds(value, .keepalive, at: path, requirement: "between 10 and 3600") {
                    $0 >= 10 && $0 <= 3600
                } ?? account.keepalive
            case .theme: account.theme = theme(value, at: path) ?? account.theme
            case .htmlConverter: account.htmlConverter = string(value, .htmlConverter, at: path) ?? account.htmlConverter
            case .largeMessageThreshold:
                account.largeMessageThreshold = size(value, .largeMessageThreshold, at: path) ?? account.largeMessageThreshold
            case .cacheBodies: account.cacheBodies = bool(value, .cacheBodies, at: path) ?? account.cacheBodies
            case .bodyCacheLimit: account.bodyCacheLimit = size(value, .bodyCacheLimit, at: path) ?? account.bodyCacheLimit
            case .pipelining: account.pipelining = bool(value, .pipelining, at: path) ?? account.pipelining
            case .maxMessageSize:
                if let bytes = size(value, .maxMessageSize, at: path) {
                    if bytes <= AccountConfig.largestMaxMessageSize {
                        account.maxMessageSize = bytes
                    } else {
                        report(path, "`max_message_size` is more than 2GB", fix: "use at most \"2GB\"")
                    }
                }
            case .checkInterval:
                // Each check is a new login: more often than every half minute would burden the
                // server (and many servers' LOGIN-DELAY forbids it).
                account.checkInterval = seconds(value, .checkInterval, at: path, requirement: "0 (never) or between 30 and 86400") {
                    $0 == 0 || ($0 >= 30 && $0 <= 86400)
                } ?? account.checkInterval
            case .archive: account.archive = folder(value, .archive, at: path) ?? account.archive
            case .keepDeleted: account.keepDeleted = folder(value, .keepDeleted, at: path) ?? account.keepDeleted
            case .keepDeletedLimit: account.keepDeletedLimit = size(value, .keepDeletedLimit, at: path) ?? account.keepDeletedLimit
            case .from: account.from = from(value, at: path) ?? account.from
            case .sendmailCommand: account.sendmailCommand = string(value, .sendmailCommand, at: path) ?? account.sendmailCommand
            default: unknownKey(key, at: path, scope: .account(name))
            }
        }

        if table["host"] == nil {
            report(tablePath, "account `\(name)` has no host", fix: "add \(ConfigKey.host.example) under \(header)")
        }
        if table["user"] == nil {
            report(tablePath, "account `\(name)` has no user", fix: "add \(ConfigKey.user.example) under \(header)")
        }
        if table["password_command"] != nil && table["oauth2_token_command"] != nil {
            report(tablePath + [.key("password_command")],
                   "account `\(name)` has both password_command and oauth2_token_command, but logs in with the token only",
                   fix: "remove one of them")
        }
        // An unreadable allow_plaintext was reported already; repeating it as a missing one would
        // send the user after a second problem that does not exist.
        let allowPlaintextUnreadable = table["allow_plaintext"] != nil && allowPlaintext == nil
        if security == .plaintext && allowPlaintext != true && !allowPlaintextUnreadable {
            report(tablePath + [.key("security")], "security = \"none\" sends the password in clear, so it needs allow_plaintext = true",
                   fix: "add allow_plaintext = true under \(header), or use tls or starttls")
        }

        guard let host, let user else { return nil }
        account.host = host
        account.user = user
        account.security = security ?? .implicitTLS
        account.allowPlaintext = allowPlaintext ?? false
        account.port = port ?? (account.security == .implicitTLS ? 995 : 110)
        return account
    }

    // MARK: - Values

    private mutating func string(_ value: ConfigValue, _ key: ConfigKey, at path: TOMLPath) -> String? {
        guard case .string(let text) = value else {
            wrongType(value, key, expected: "a string", at: path)
            return nil
        }
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            report(path, "`\(key.rawValue)` is empty", fix: "write it like `\(key.example)`, or remove it")
            return nil
        }
        // A line break in a user name or host would end the POP3 command early and let the
        // rest of the value be read as a second command.
        if text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
            report(path, "`\(key.rawValue)` contains a control character", fix: "remove it")
            return nil
        }
        return text
    }

    /// The sender of replies: exactly one address with a domain, so a typo is caught here rather
    /// than by the mail server after the user wrote the message.
    private mutating func from(_ value: ConfigValue, at path: TOMLPath) -> String? {
        guard let text = string(value, .from, at: path) else { return nil }
        let addresses = AddressList.parse(text)
        guard addresses.count == 1, let address = addresses.first, address.mailbox.contains("@") else {
            report(path, "`from` `\(text)` is not one address", fix: "write it like `\(ConfigKey.from.example)`")
            return nil
        }
        return text
    }

    /// A mail folder path, kept as written (`~` expands when it is used); one that exists but is
    /// no mail folder is reported now rather than at the first save.
    private mutating func folder(_ value: ConfigValue, _ key: ConfigKey, at path: TOMLPath) -> String? {
        guard let text = string(value, key, at: path) else { return nil }
        do {
            _ = try MailFolder(text, home: home)
        } catch {
            report(path, "`\(key.rawValue)` cannot be used: \(error.description)", fix: "write it like `\(key.example)`")
            return nil
        }
        return text
    }

    private mutating func bool(_ value: ConfigValue, _ key: ConfigKey, at path: TOMLPath) -> Bool? {
        guard case .bool(let flag) = value else {
            wrongType(value, key, expected: "true or false", at: path)
            return nil
        }
        return flag
    }

    private mutating func host(_ value: ConfigValue, at path: TOMLPath) -> String? {
        guard let host = string(value, .host, at: path) else { return nil }
        if host.contains("://") {
            report(path, "`host` must be a server name, not a URL", fix: "write only the name, like `\(ConfigKey.host.example)`, and set port and security separately")
        } else if host.contains("@") {
            report(path, "`host` `\(host)` contains '@'", fix: "put the user name in `user` and only the server name in `host`")
        } else if host.hasPrefix("[") {
            report(path, "`host` `\(host)` is in brackets", fix: "write an IPv6 address without brackets")
        } else if host.contains(where: { $0.isWhitespace || $0 == "/" }) {
            report(path, "`host` `\(host)` is not a server name", fix: "write only the server's name or address, like `\(ConfigKey.host.example)`")
        } else {
            return host
        }
        return nil
    }

    private mutating func port(_ value: ConfigValue, at path: TOMLPath) -> Int? {
        guard case .integer(let port) = value else {
            wrongType(value, .port, expected: "an integer", at: path)
            return nil
        }
        guard (1...65535).contains(port) else {
            report(path, "`port` \(port) is not a TCP port", fix: "use a number from 1 to 65535, usually 995 for tls and 110 otherwise")
            return nil
        }
        return port
    }

    private mutating func security(_ value: ConfigValue, at path: TOMLPath) -> ConnectionSecurity? {
        guard let name = string(value, .security, at: path) else { return nil }
        switch name.lowercased() {
        case "tls": return .implicitTLS
        case "starttls": return .startTLS
        case "none": return .plaintext
        default:
            report(path, "`security` `\(name)` is not a known setting", fix: "use one of: tls, starttls, none")
            return nil
        }
    }

    private mutating func mechanisms(_ value: ConfigValue, at path: TOMLPath) -> [AuthMechanism]? {
        let known = AuthMechanism.strongestFirst.map(\.rawValue).joined(separator: ", ")
        guard case .array(let elements) = value else {
            wrongType(value, .auth, expected: "a list of mechanism names", at: path)
            return nil
        }
        guard !elements.isEmpty else {
            report(path, "`auth` is empty, so no way to log in would be allowed",
                   fix: "list mechanisms from: \(known), or remove `auth` to allow every one, strongest first")
            return nil
        }
        var mechanisms: [AuthMechanism] = []
        var valid = true
        for (index, element) in elements.enumerated() {
            let elementPath = path + [.index(index)]
            guard case .string(let name) = element else {
                report(elementPath, "`auth` entries must be strings, not \(element.typeName)", fix: "write it like `\(ConfigKey.auth.example)`")
                valid = false
                continue
            }
            guard let mechanism = AuthMechanism(rawValue: name.uppercased()) else {
                report(elementPath, "`\(name)` is not a login mechanism Mailbag knows", fix: "use some of: \(known)")
                valid = false
                continue
            }
            if mechanisms.contains(mechanism) {
                report(elementPath, "`\(mechanism.rawValue)` is listed twice in `auth`", fix: "remove the second one")
                valid = false
                continue
            }
            mechanisms.append(mechanism)
        }
        return valid ? mechanisms : nil
    }

    private mutating func seconds(
        _ value: ConfigValue, _ key: ConfigKey, at path: TOMLPath, requirement: String, isValid: (Double) -> Bool
    ) -> Duration? {
        let seconds: Double
        switch value {
        case .integer(let whole): seconds = Double(whole)
        case .float(let fraction): seconds = fraction
        default:
            wrongType(value, key, expected: "a number of seconds", at: path)
            return nil
        }
        guard isValid(seconds) else {
            report(path, "`\(key.rawValue)` must be \(requirement) seconds", fix: "write it like `\(key.example)`")
            return nil
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    private mutating func size(_ value: ConfigValue, _ key: ConfigKey, at path: TOMLPath) -> Int? {
        let units = "use bytes or a size like \"2MB\" (units B, KB, MB, GB; 1 KB = 1024 bytes)"
        let bytes: Int
        switch value {
        case .integer(let count):
            bytes = count
        case .string(let text):
            guard let parsed = ByteSize.parse(text) else {
                report(path, "`\(key.rawValue)` \"\(text)\" is not a size", fix: units)
                return nil
            }
            bytes = parsed
        default:
            wrongType(value, key, expected: "a size", at: path)
            return nil
        }
        guard bytes > 0 else {
            report(path, "`\(key.rawValue)` must be more than 0 bytes", fix: units)
            return nil
        }
        return bytes
    }

    private mutating func theme(_ value: ConfigValue, at path: TOMLPath) -> String? {
        guard let name = string(value, .theme, at: path) else { return nil }
        if var reason = themeProblem(name) {
            // The loader words its errors as sentences; here they sit mid-line after "error:".
            if reason.hasSuffix(".") { reason.removeLast() }
            if let first = reason.first, reason.dropFirst().first?.isLowercase == true {
                reason = first.lowercased() + reason.dropFirst()
            }
            report(path, reason,
                   fix: "name a shipped theme or a file in ~/.config/mailbag/themes/")
            return nil
        }
        return name
    }

    private mutating func caFile(_ value: ConfigValue, at path: TOMLPath) -> String? {
        guard let written = string(value, .caFile, at: path) else { return nil }
        let resolved: String
        if written == "~" || written.hasPrefix("~/") {
            resolved = home + written.dropFirst()
        } else if written.hasPrefix("/") {
            resolved = written
        } else {
            resolved = (directory as NSString).appendingPathComponent(written)
        }
        let fix = "point ca_file at a readable PEM file with the certificate authority"
        var info = stat()
        guard stat(resolved, &info) == 0 else {
            report(path, "`ca_file` \(resolved) cannot be read: \(String(cString: strerror(errno)))", fix: fix)
            return nil
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            report(path, "`ca_file` \(resolved) is not a regular file", fix: fix)
            return nil
        }
        guard access(resolved, R_OK) == 0 else {
            report(path, "`ca_file` \(resolved) cannot be read: \(String(cString: strerror(errno)))", fix: fix)
            return nil
        }
        return (resolved as NSString).standardizingPath
    }

    // MARK: - Reporting

    private enum Scope {
        case topLevel
        case account(String)
    }

    private mutating func unknownKey(_ key: String, at path: TOMLPath, scope: Scope) {
        let normalized = key.lowercased().replacingOccurrences(of: "-", with: "_")
        if ["password", "pass", "passwd", "secret"].contains(normalized) {
            report(path, "Mailbag never reads a password from the config file",
                   fix: "remove `\(key)` and use `\(ConfigKey.passwordCommand.example)`, or let Mailbag ask")
            return
        }
        switch scope {
        case .topLevel:
            if ConfigKey.account.contains(where: { $0.rawValue == key }) {
                report(path, "`\(key)` is an account setting, not a top-level one", fix: "move it under an [accounts.NAME] table")
                return
            }
            report(path, "unknown key `\(key)`", fix: Self.unknownKeyFix(key, known: ConfigKey.topLevel))
        case .account(let name):
            if ConfigKey.topLevel.contains(where: { $0.rawValue == key }) {
                report(path, "`\(key)` is a top-level setting, but it is inside [accounts.\(name)]",
                       fix: "move it above the first [accounts.…] line; every key after a [table] line belongs to that table")
                return
            }
            report(path, "unknown key `\(key)` in [accounts.\(name)]", fix: Self.unknownKeyFix(key, known: ConfigKey.account))
        }
    }

    private static func unknownKeyFix(_ key: String, known: [ConfigKey]) -> String {
        let names = known.map(\.rawValue)
        if let suggestion = suggestion(for: key, among: names) { return "did you mean `\(suggestion)`?" }
        return "remove it; the keys here are: \(names.joined(separator: ", "))"
    }

    private mutating func wrongType(_ value: ConfigValue, _ key: ConfigKey, expected: String, at path: TOMLPath) {
        report(path, "`\(key.rawValue)` must be \(expected), not \(value.typeName)", fix: "write it like `\(key.example)`")
    }

    private mutating func report(_ path: TOMLPath, _ message: String, fix: String) {
        let position = sourceMap.position(of: path)
        problems.append(ConfigProblem(file: file, line: position?.line, column: position?.column, message: message, fix: fix))
    }

    /// Keys in the order they are written, so problems and accounts follow the file.
    private func fileOrder(_ keys: some Collection<String>, under parent: TOMLPath) -> [String] {
        keys.sorted { lhs, rhs in
            let left = sourceMap.position(of: parent + [.key(lhs)]).map { ($0.line, $0.column) } ?? (Int.max, Int.max)
            let right = sourceMap.position(of: parent + [.key(rhs)]).map { ($0.line, $0.column) } ?? (Int.max, Int.max)
            return left != right ? left < right : lhs < rhs
        }
    }

    /// The closest name, if it is close enough to be a typo: same spelling up to case and
    /// '-' versus '_', or one edit away (two for longer names), a swap of neighbours counting as one.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let normalize = { (text: String) in Array(text.lowercased().replacingOccurrences(of: "-", with: "_")) }
        let target = normalize(word)
        let limit = target.count >= 6 ? 2 : 1
        let scored = candidates.map { ($0, editDistance(target, normalize($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= limit else { return nil }
        return best.0
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    best = min(best, table[i - 2][j - 2] + 1)
                }
                table[i][j] = best
            }
        }
        return table[a.count][b.count]
    }
}
