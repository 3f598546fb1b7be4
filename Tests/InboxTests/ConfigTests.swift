import Foundation
import Inbox
import POP3
import XCTest

final class ConfigTests: XCTestCase {
    // MARK: - Valid files

    func testFullFileResolvesEveryKeyAndAppliesTopLevelDefaults() throws {
        let config = try loadConfig("""
            default_account = "work"
            theme = "mono"
            html_converter = "w3m -dump -T text/html"
            large_message_threshold = "2MB"

            [accounts.work]
            host = "mail.example.org"
            port = 1995
            user = "alice@example.org"
            security = "tls"
            auth = ["CRAM-MD5", "plain"]
            password_command = "pass show mail/work"
            timeout = 12.5
            keepalive = 120
            cache_bodies = true
            body_cache_limit = "1GB"

            [accounts.home]
            host = "pop.example.net"
            user = "bob"
            security = "starttls"
            theme = "light"
            html_converter = "lynx -dump -stdin"
            large_message_threshold = 65536
            """)
        XCTAssertEqual(config.file, configPath)
        XCTAssertEqual(config.defaultAccount, "work")
        XCTAssertEqual(config.theme, "mono")
        XCTAssertEqual(config.htmlConverter, "w3m -dump -T text/html")
        XCTAssertEqual(config.largeMessageThreshold, 2 << 20)
        XCTAssertEqual(config.accounts.map(\.name), ["work", "home"], "accounts keep the file's order")

        XCTAssertEqual(config.accounts[0], AccountConfig(
            name: "work", host: "mail.example.org", port: 1995, user: "alice@example.org", security: .implicitTLS,
            authMechanisms: [.cramMD5, .saslPlain], passwordCommand: "pass show mail/work",
            timeout: .milliseconds(12500), keepalive: .seconds(120), theme: "mono",
            htmlConverter: "w3m -dump -T text/html", largeMessageThreshold: 2 << 20,
            cacheBodies: true, bodyCacheLimit: 1 << 30))
        XCTAssertEqual(config.accounts[1], AccountConfig(
            name: "home", host: "pop.example.net", port: 110, user: "bob", security: .startTLS,
            theme: "light", htmlConverter: "lynx -dump -stdin", largeMessageThreshold: 65536))
    }

    func testMinimalAccountGetsTheDefaults() throws {
        let account = try loadConfig("""
            [accounts.only]
            host = "mail.example.org"
            user = "alice"
            """).resolve(name: nil)
        XCTAssertEqual(account.port, 995)
        XCTAssertEqual(account.security, .implicitTLS)
        XCTAssertFalse(account.allowPlaintext)
        XCTAssertNil(account.authMechanisms)
        XCTAssertNil(account.passwordCommand)
        XCTAssertNil(account.caFile)
        XCTAssertEqual(account.timeout, .seconds(30))
        XCTAssertEqual(account.keepalive, .seconds(240))
        XCTAssertNil(account.theme)
        XCTAssertNil(account.largeMessageThreshold)
        XCTAssertFalse(account.cacheBodies)
        XCTAssertEqual(account.bodyCacheLimit, 200 << 20)
        XCTAssertEqual(account.maxMessageSize, 100 << 20)
        XCTAssertEqual(account.pop3Configuration().maxMessageSize, 100 << 20)
    }

    /// The setting `POP3Error.messageTooLarge` tells the user to raise.
    func testMaxMessageSizeReachesTheSession() throws {
        let account = try loadConfig("""
            [accounts.big]
            host = "mail.example.org"
            user = "alice"
            max_message_size = "300MB"
            """).resolve(name: nil)
        XCTAssertEqual(account.maxMessageSize, 300 << 20)
        XCTAssertEqual(account.pop3Configuration().maxMessageSize, 300 << 20)
        XCTAssertEqual(onlyProblem("""
            [accounts.big]
            host = "mail.example.org"
            user = "alice"
            max_message_size = "3GB"
            """), "\(configPath):4:1: error: `max_message_size` is more than 2GB (use at most \"2GB\")")
    }

    /// Folders are kept as written (`~` expands when used); off and 1GB by default.
    func testArchiveAndSafetyNetFolders() throws {
        let plain = try loadConfig("""
            [accounts.a]
            host = "mail.example.org"
            user = "alice"
            """).resolve(name: nil)
        XCTAssertNil(plain.archive)
        XCTAssertNil(plain.keepDeleted)
        XCTAssertEqual(plain.keepDeletedLimit, 1 << 30)
        let account = try loadConfig("""
            [accounts.a]
            host = "mail.example.org"
            user = "alice"
            archive = "~/Mail/archive/"
            keep_deleted = "~/Mail/mailbag-deleted"
            keep_deleted_limit = "50MB"
            """).resolve(name: nil)
        XCTAssertEqual(account.archive, "~/Mail/archive/")
        XCTAssertEqual(account.keepDeleted, "~/Mail/mailbag-deleted")
        XCTAssertEqual(account.keepDeletedLimit, 50 << 20)
        let problem = onlyProblem("""
            [accounts.a]
            host = "mail.example.org"
            user = "alice"
            archive = "/"
            """)
        XCTAssertTrue(problem?.hasPrefix("\(configPath):4:1: error: `archive` cannot be used: / is not a mail folder") ?? false, problem ?? "")
    }

    func testPlaintextIsAcceptedWithAllowPlaintext() throws {
        let account = try loadConfig("""
            [accounts.lan]
            host = "10.0.0.2"
            user = "alice"
            security = "none"
            allow_plaintext = true
            """).resolve(name: "lan")
        XCTAssertEqual(account.security, .plaintext)
        XCTAssertTrue(account.allowPlaintext)
        XCTAssertEqual(account.port, 110)
        XCTAssertEqual(account.securityName, "none")
    }

    func testDottedKeysAndInlineTablesAreAccounts() throws {
        let config = try loadConfig("""
            accounts.a = { host = "a.example.org", user = "alice" }
            [accounts.b]
            host = "b.example.org"
            user = "bob"
            """)
        XCTAssertEqual(config.accounts.map(\.host), ["a.example.org", "b.example.org"])
    }

    func testEmptyFileIsValidAndHasNoAccounts() throws {
        let config = try loadConfig("# nothing yet\n")
        XCTAssertEqual(config.accounts, [])
        XCTAssertThrowsError(try config.resolve(name: nil)) { error in
            XCTAssertEqual("\(error)", "\(configPath) defines no account; add an [accounts.NAME] table or give a pop3s:// URL instead.")
        }
    }

    func testExampleConfigLoadsCleanly() throws {
        let config = try loadConfig(ExampleConfig.text)
        XCTAssertEqual(config.accounts.map(\.name), ["work", "home"])
        XCTAssertEqual(try config.resolve(name: nil).name, "work")
        for line in ExampleConfig.text.split(separator: "\n") {
            XCTAssertLessThanOrEqual(line.count, 76, "keeps `--help` unwrapped on an 80-column terminal: \(line)")
        }
        let written = Set(ExampleConfig.text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init))
        for key in ["default_account", "theme", "html_converter", "large_message_threshold", "host", "port", "user",
                    "security", "allow_plaintext", "auth", "password_command", "oauth2_token_command", "ca_file", "timeout", "keepalive",
                    "cache_bodies", "body_cache_limit", "pipelining", "max_message_size"] {
            XCTAssertTrue(written.contains(key), "the example documents \(key)")
        }
    }

    // MARK: - One message each, with its line

    func testUnknownKeySuggestsTheClosestKnownOne() {
        XCTAssertEqual(onlyProblem("""
            [accounts.work]
            host = "mail.example.org"
            user = "alice"
              prot = 995
            """), "\(configPath):4:3: error: unknown key `prot` in [accounts.work] (did you mean `port`?)")
        XCTAssertEqual(onlyProblem("""
            html-converter = "w3m -dump"
            """), "\(configPath):1:1: error: unknown key `html-converter` (did you mean `html_converter`?)")
    }

    func testUnknownKeyWithoutNeighbourListsTheKnownKeys() {
        XCTAssertEqual(onlyProblem("colour = \"blue\"\n"),
                       "\(configPath):1:1: error: unknown key `colour` (remove it; the keys here are: default_account, theme, html_converter, large_message_threshold, from, sendmail_command, accounts)")
    }

    func testFromAndSendmailCommandDefaultForEveryAccount() throws {
        let config = try loadConfig("""
            from = "Alice <alice@example.org>"
            sendmail_command = "/usr/sbin/sendmail -t -oi"
            [accounts.work]
            host = "mail.example.org"
            user = "alice"
            [accounts.home]
            host = "pop.example.net"
            user = "bob"
            from = "Bob <bob@example.net>"
            sendmail_command = "msmtp -t -a home"
            """)
        XCTAssertEqual(config.accounts.map(\.from), ["Alice <alice@example.org>", "Bob <bob@example.net>"])
        XCTAssertEqual(config.accounts.map(\.sendmailCommand), ["/usr/sbin/sendmail -t -oi", "msmtp -t -a home"])
    }

    func testFromMustBeOneAddress() {
        XCTAssertEqual(onlyProblem("""
            [accounts.work]
            host = "mail.example.org"
            user = "alice"
            from = "alice, bob@example.org"
            """), "\(configPath):4:1: error: `from` `alice, bob@example.org` is not one address (write it like `from = \"Alice Example <alice@example.org>\"`)")
    }

    func testPasswordInTheFileIsRefusedWithTheAlternative() {
        XCTAssertEqual(onlyProblem("""
            [accounts.work]
            host = "mail.example.org"
            user = "alice"
            password = "hunter2"
            """), "\(configPath):4:1: error: Mailbag never reads a password from the config file (remove `password` and use `password_command = \"pass show mail/work\"`, or let Mailbag ask)")
    }

    func testAccountKeyAtTheTopLevel() {
        XCTAssertEqual(onlyProblem("host = \"mail.example.org\"\n"),
                       "\(configPath):1:1: error: `host` is an account setting, not a top-level one (move it under an [accounts.NAME] table)")
    }

    func testTopLevelKeyAfterAnAccountTable() {
        let problems = configProblems("""
            [accounts.work]
            host = "mail.example.org"
            user = "alice"
            default_account = "work"
            """)
        XCTAssertEqual(problems.map(\.description), [
            "\(configPath):4:1: error: `default_account` is a top-level setting, but it is inside [accounts.work] (move it above the first [accounts.…] line; every key after a [table] line belongs to that table)",
        ])
    }

    func testWrongTypes() {
        let problems = configProblems("""
            large_message_threshold = true
            [accounts.work]
            host = "mail.example.org"
            user = "alice"
            port = "995"
            allow_plaintext = "yes"
            auth = "PLAIN"
            timeout = "30s"
            cache_bodies = 1
            theme = 3
            """)
        XCTAssertEqual(problems.map(\.description), [
            "\(configPath):1:1: error: `large_message_threshold` must be a size, not a boolean (write it like `large_message_threshold = \"2MB\"`)",
            "\(configPath):5:1: error: `port` must be an integer, not a string (write it like `port = 995`)",
            "\(configPath):6:1: error: `allow_plaintext` must be true or false, not a string (write it like `allow_plaintext = true`)",
            "\(configPath):7:1: error: `auth` must be a list of mechanism names, not a string (write it like `auth = [\"CRAM-MD5\", \"PLAIN\"]`)",
            "\(configPath):8:1: error: `timeout` must be a number of seconds, not a string (write it like `timeout = 30`)",
            "\(configPath):9:1: error: `cache_bodies` must be true or false, not an integer (write it like `cache_bodies = true`)",
            "\(configPath):10:1: error: `theme` must be a string, not an integer (write it like `theme = \"solarized-dark\"`)",
        ])
    }

    func testBadValues() {
        let problems = configProblems("""
            [accounts.work]
            host = "pop3s://mail.example.org"
            user = ""
            port = 70000
            security = "ssl"
            timeout = -1
            keepalive = 5
            body_cache_limit = "lots"
            large_message_threshold = 0

            [accounts.other]
            host = "alice@mail.example.org"
            user = "bob\\nDELE 1"
            """)
        XCTAssertEqual(problems.map(\.description), [
            "\(configPath):2:1: error: `host` must be a server name, not a URL (write only the name, like `host = \"mail.example.org\"`, and set port and security separately)",
            "\(configPath):3:1: error: `user` is empty (write it like `user = \"alice@example.org\"`, or remove it)",
            "\(configPath):4:1: error: `port` 70000 is not a TCP port (use a number from 1 to 65535, usually 995 for tls and 110 otherwise)",
            "\(configPath):5:1: error: `security` `ssl` is not a known setting (use one of: tls, starttls, none)",
            "\(configPath):6:1: error: `timeout` must be more than 0 and at most 3600 seconds (write it like `timeout = 30`)",
            "\(configPath):7:1: error: `keepalive` must be between 10 and 3600 seconds (write it like `keepalive = 240`)",
            "\(configPath):8:1: error: `body_cache_limit` \"lots\" is not a size (use bytes or a size like \"2MB\" (units B, KB, MB, GB; 1 KB = 1024 bytes))",
            "\(configPath):9:1: error: `large_message_threshold` must be more than 0 bytes (use bytes or a size like \"2MB\" (units B, KB, MB, GB; 1 KB = 1024 bytes))",
            "\(configPath):12:1: error: `host` `alice@mail.example.org` contains '@' (put the user name in `user` and only the server name in `host`)",
            "\(configPath):13:1: error: `user` contains a control character (remove it)",
        ])
    }

    func testMissingHostAndUserPointAtTheTableHeader() {
        XCTAssertEqual(configProblems("""
            # work account
            [accounts.work]
            port = 995
            """).map(\.description), [
                "\(configPath):2:1: error: account `work` has no host (add host = \"mail.example.org\" under [accounts.work])",
                "\(configPath):2:1: error: account `work` has no user (add user = \"alice@example.org\" under [accounts.work])",
            ])
    }

    func testPlaintextNeedsAllowPlaintext() {
        XCTAssertEqual(onlyProblem("""
            [accounts.lan]
            host = "10.0.0.2"
            user = "alice"
            security = "none"
            """), "\(configPath):4:1: error: security = \"none\" sends the password in clear, so it needs allow_plaintext = true (add allow_plaintext = true under [accounts.lan], or use tls or starttls)")
        XCTAssertEqual(onlyProblem("""
            [accounts.lan]
            host = "10.0.0.2"
            user = "alice"
            security = "none"
            allow_plaintext = false
            """), "\(configPath):4:1: error: security = \"none\" sends the password in clear, so it needs allow_plaintext = true (add allow_plaintext = true under [accounts.lan], or use tls or starttls)")
    }

    func testDefaultAccountMustNameAnAccount() {
        let accounts = """

            [accounts.work]
            host = "mail.example.org"
            user = "alice"
            [accounts.home]
            host = "pop.example.net"
            user = "bob"
            """
        XCTAssertEqual(onlyProblem("default_account = \"wrok\"" + accounts),
                       "\(configPath):1:1: error: default_account names `wrok`, which is not an account (did you mean `work`?)")
        XCTAssertEqual(onlyProblem("default_account = \"office\"" + accounts),
                       "\(configPath):1:1: error: default_account names `office`, which is not an account (use one of: work, home)")
        XCTAssertEqual(onlyProblem("default_account = \"office\"\n"),
                       "\(configPath):1:1: error: default_account names `office`, which is not an account (add an [accounts.office] table, or remove default_account)")
    }

    func testAuthListProblemsPointAtTheEntry() {
        let problems = configProblems("""
            [accounts.work]
            host = "mail.example.org"
            user = "alice"
            auth = [
              "PLAIN",
              "SCRAM-SHA-256",
              "plain",
              7,
            ]
            [accounts.home]
            host = "pop.example.net"
            user = "bob"
            auth = []
            """)
        XCTAssertEqual(problems.map(\.description), [
            "\(configPath):6:3: error: `SCRAM-SHA-256` is not a login mechanism Mailbag knows (use some of: OAUTHBEARER, XOAUTH2, CRAM-MD5, PLAIN, LOGIN, APOP, USER)",
            "\(configPath):7:3: error: `PLAIN` is listed twice in `auth` (remove the second one)",
            "\(configPath):8:3: error: `auth` entries must be strings, not an integer (write it like `auth = [\"CRAM-MD5\", \"PLAIN\"]`)",
            "\(configPath):13:1: error: `auth` is empty, so no way to log in would be allowed (list mechanisms from: OAUTHBEARER, XOAUTH2, CRAM-MD5, PLAIN, LOGIN, APOP, USER, or remove `auth` to allow every one, strongest first)",
        ])
    }

    func testAccountsMustBeNamedTables() {
        XCTAssertEqual(configProblems("""
            [accounts]
            host = "mail.example.org"
            user = "alice"
            """).map(\.description), [
                "\(configPath):2:1: error: `host` is directly inside [accounts], which holds only named account tables (name the account: write [accounts.work] instead of [accounts])",
                "\(configPath):3:1: error: `user` is directly inside [accounts], which holds only named account tables (name the account: write [accounts.work] instead of [accounts])",
            ])
        XCTAssertEqual(onlyProblem("""
            [[accounts]]
            host = "mail.example.org"
            """), "\(configPath):1:1: error: `accounts` must be a table of account tables, not an array (write each account as [accounts.NAME] instead of [[accounts]])")
        XCTAssertEqual(onlyProblem("accounts.work = \"mail.example.org\"\n"),
                       "\(configPath):1:1: error: account `work` must be a table of settings, not a string (write it as an [accounts.work] table with host and user)")
        XCTAssertEqual(onlyProblem("""
            [accounts."my work"]
            host = "mail.example.org"
            user = "alice"
            """), "\(configPath):1:1: error: account name `my work` may only contain letters, digits, '_', '-' and '.', and may not start with '-' or '.' (rename the table, e.g. [accounts.work])")
    }

    func testProblemsInsideInlineTablesAndDottedKeysAreLocated() {
        XCTAssertEqual(configProblems("""
            # accounts written compactly
            accounts.work.host = "mail.example.org"
            accounts.work.user = "alice"
            accounts.work.prot = 995

            [accounts.home]
            server = { host = "x" }
            """).map(\.description), [
                "\(configPath):4:1: error: unknown key `prot` in [accounts.work] (did you mean `port`?)",
                "\(configPath):6:1: error: account `home` has no host (add host = \"mail.example.org\" under [accounts.home])",
                "\(configPath):6:1: error: account `home` has no user (add user = \"alice@example.org\" under [accounts.home])",
                "\(configPath):7:1: error: unknown key `server` in [accounts.home] (remove it; the keys here are: host, port, user, security, allow_plaintext, auth, password_command, oauth2_token_command, ca_file, timeout, keepalive, theme, html_converter, large_message_threshold, cache_bodies, body_cache_limit, pipelining, max_message_size, check_interval, archive, keep_deleted, keep_deleted_limit, from, sendmail_command)",
            ])
        XCTAssertEqual(onlyProblem("""
            [accounts]
            work = { host = "mail.example.org", user = "alice", port = "995" }
            """), "\(configPath):2:53: error: `port` must be an integer, not a string (write it like `port = 995`)")
    }

    func testMultiLineStringsAndQuotedKeysDoNotConfuseLineNumbers() {
        XCTAssertEqual(onlyProblem(#"""
            theme = """\
            [accounts.fake] \
            """
            "html_converter" = 'x'
            [accounts."work"]
            host = "mail.example.org"
            user = "alice"
            keepalive = 1
            """#), "\(configPath):8:1: error: `keepalive` must be between 10 and 3600 seconds (write it like `keepalive = 240`)")
    }

    func testCRLFCommentsAndDelimitersInsideStringsDoNotConfuseLineNumbers() {
        let text = [
            "# host = \"commented\" [accounts.no]",
            "[accounts.work] # the # and [ below are inside strings",
            "host = \"mail.example.org\"  # = not a key",
            "user = 'alice#[x]'",
            "auth = [ \"PLAIN\", # a comment, with a comma",
            "  \"NTLM\" ]",
        ].joined(separator: "\r\n")
        XCTAssertEqual(onlyProblem(text), "\(configPath):6:3: error: `NTLM` is not a login mechanism Mailbag knows (use some of: OAUTHBEARER, XOAUTH2, CRAM-MD5, PLAIN, LOGIN, APOP, USER)")
    }

    func testSyntaxErrorCarriesTOMLKitsLineAndColumn() {
        let problems = configProblems("""
            [accounts.work]
            host = mail.example.org
            user = "alice"
            """)
        XCTAssertEqual(problems.map(\.description), [
            "\(configPath):2:8: error: TOML syntax error while parsing value: could not determine value type (correct the syntax there: strings need double quotes, tables are written [accounts.NAME])",
        ])
        XCTAssertEqual(configProblems("[accounts.work]\nhost = \"a\"\nhost = \"b\"\n").first?.line, 3, "a redefined key")
    }

    func testThemeCheckIsReportedAtTheThemeLine() {
        let problems = configProblems("""
            theme = "default"
            [accounts.work]
            host = "mail.example.org"
            user = "alice"
            theme = "solarised"
            """, themeProblem: { $0 == "default" ? nil : "No theme named `\($0)`; looked in /usr/share/mailbag/themes." })
        XCTAssertEqual(problems.map(\.description), [
            "\(configPath):5:1: error: no theme named `solarised`; looked in /usr/share/mailbag/themes (name a shipped theme or a file in ~/.config/mailbag/themes/)",
        ])
    }

    // MARK: - Many problems at once

    func testEveryProblemIsCollectedInFileOrder() {
        let problems = configProblems("""
            default_account = "nobody"
            colour = "blue"

            [accounts.work]
            host = "mail.example.org"
            security = "starttls "
            hots = "typo"

            [accounts.home]
            host = "pop.example.net"
            user = "bob"
            port = 0
            """)
        XCTAssertEqual(problems.map { "\($0.line ?? 0): \($0.message)" }, [
            "1: default_account names `nobody`, which is not an account",
            "2: unknown key `colour`",
            "4: account `work` has no user",
            "6: `security` `starttls ` is not a known setting",
            "7: unknown key `hots` in [accounts.work]",
            "12: `port` 0 is not a TCP port",
        ])
        let error = ConfigError.invalid(file: configPath, problems: problems)
        XCTAssertEqual(error.description, "\(configPath):1:1: default_account names `nobody`, which is not an account (use one of: work, home) — and 5 more; `mailbag config check --config \(configPath)` lists them all.")
        XCTAssertEqual(ConfigError.invalid(file: configPath, problems: [problems[1]]).description,
                       "\(configPath):2:1: unknown key `colour` (remove it; the keys here are: default_account, theme, html_converter, large_message_threshold, from, sendmail_command, accounts)")
    }

    // MARK: - ca_file

    func testCAFileIsResolvedAgainstTheConfigDirectoryAndHome() throws {
        let directory = try TemporaryDirectory()
        try directory.write("certs/ca.pem", "-----BEGIN CERTIFICATE-----\n")
        let file = try directory.write("config.toml", """
            [accounts.relative]
            host = "mail.example.org"
            user = "alice"
            ca_file = "certs/ca.pem"
            [accounts.home]
            host = "mail.example.org"
            user = "alice"
            ca_file = "~/certs/ca.pem"
            """)
        let config = try XCTUnwrap(MailbagConfig.load(explicitPath: file, environment: ["HOME": directory.path]))
        XCTAssertEqual(config.accounts.map(\.caFile), Array(repeating: directory.path + "/certs/ca.pem", count: 2))
        XCTAssertEqual(config.accounts[0].pop3Configuration().caFile, directory.path + "/certs/ca.pem")
    }

    func testUnreadableCAFile() {
        XCTAssertEqual(onlyProblem("""
            [accounts.work]
            host = "mail.example.org"
            user = "alice"
            ca_file = "/nonexistent/ca.pem"
            """), "\(configPath):4:1: error: `ca_file` /nonexistent/ca.pem cannot be read: No such file or directory (point ca_file at a readable PEM file with the certificate authority)")
        XCTAssertEqual(onlyProblem("""
            [accounts.work]
            host = "mail.example.org"
            user = "alice"
            ca_file = "/"
            """), "\(configPath):4:1: error: `ca_file` / is not a regular file (point ca_file at a readable PEM file with the certificate authority)")
    }

    // MARK: - Account selection

    private let twoAccounts = """
        [accounts.work]
        host = "mail.example.org"
        user = "alice"
        [accounts.home]
        host = "pop.example.net"
        user = "bob"
        """

    func testResolveByNameDefaultAndOnlyAccount() throws {
        let two = try loadConfig(twoAccounts)
        XCTAssertEqual(try two.resolve(name: "home").user, "bob")
        XCTAssertEqual(try loadConfig("default_account = \"home\"\n" + twoAccounts).resolve(name: nil).name, "home")
        XCTAssertEqual(try loadConfig("default_account = \"home\"\n" + twoAccounts).resolve(name: "work").name, "work")
        XCTAssertEqual(try loadConfig("[accounts.solo]\nhost = \"h\"\nuser = \"u\"\n").resolve(name: nil).name, "solo")
    }

    func testResolveErrorsNameTheChoices() throws {
        let two = try loadConfig(twoAccounts)
        XCTAssertThrowsError(try two.resolve(name: "office")) { error in
            XCTAssertEqual(error as? ConfigError, .unknownAccount(name: "office", accounts: ["work", "home"], file: configPath))
            XCTAssertEqual("\(error)", "There is no account named `office` in \(configPath); use one of: work, home.")
        }
        XCTAssertThrowsError(try two.resolve(name: nil)) { error in
            XCTAssertEqual("\(error)", "\(configPath) has several accounts and no default_account; name one of them (work, home) on the command line, or set default_account.")
        }
        XCTAssertThrowsError(try loadConfig("").resolve(name: "work")) { error in
            XCTAssertEqual(error as? ConfigError, .noAccounts(file: configPath))
        }
    }

    // MARK: - POP3Configuration

    func testAccountMapsOntoPOP3Configuration() throws {
        let config = try loadConfig("""
            [accounts.tls]
            host = "mail.example.org"
            user = "alice"
            auth = ["APOP", "USER"]
            timeout = 7
            [accounts.starttls]
            host = "pop.example.net"
            port = 1110
            user = "bob"
            security = "starttls"
            [accounts.none]
            host = "127.0.0.1"
            user = "carol"
            security = "none"
            allow_plaintext = true
            """)
        let tls = try config.resolve(name: "tls").pop3Configuration()
        XCTAssertEqual(tls.host, "mail.example.org")
        XCTAssertEqual(tls.port, 995)
        XCTAssertEqual(tls.security, .implicitTLS)
        XCTAssertFalse(tls.allowPlaintext)
        XCTAssertNil(tls.caFile)
        XCTAssertEqual(tls.allowedMechanisms, [.apop, .userPass])
        XCTAssertEqual(tls.connectTimeout, .seconds(7))
        XCTAssertEqual(tls.idleTimeout, .seconds(7))
        XCTAssertNil(tls.trace)

        let starttls = try config.resolve(name: "starttls").pop3Configuration()
        XCTAssertEqual(starttls.security, .startTLS)
        XCTAssertEqual(starttls.port, 1110)
        XCTAssertNil(starttls.allowedMechanisms)

        let plain = try config.resolve(name: "none").pop3Configuration()
        XCTAssertEqual(plain.security, .plaintext)
        XCTAssertEqual(plain.port, 110)
        XCTAssertTrue(plain.allowPlaintext)
    }

    // MARK: - Sizes and rendering

    func testByteSizeParsing() {
        XCTAssertEqual(ByteSize.parse("4096"), 4096)
        XCTAssertEqual(ByteSize.parse("512B"), 512)
        XCTAssertEqual(ByteSize.parse("2MB"), 2 << 20)
        XCTAssertEqual(ByteSize.parse(" 200 mb "), 200 << 20)
        XCTAssertEqual(ByteSize.parse("1.5K"), 1536)
        XCTAssertEqual(ByteSize.parse("3KiB"), 3072)
        XCTAssertEqual(ByteSize.parse("1GiB"), 1 << 30)
        XCTAssertEqual(ByteSize.parse("0"), 0)
        for invalid in ["", "MB", "-1MB", "2 MBs", "1e3", ".5M", "5.M", "1.2.3K", "2TB", "99999999999G"] {
            XCTAssertNil(ByteSize.parse(invalid), invalid)
        }
    }

    func testProblemDescriptionWithAndWithoutPosition() {
        XCTAssertEqual(ConfigProblem(file: "c.toml", line: 3, column: 7, message: "m", fix: "f").description, "c.toml:3:7: error: m (f)")
        XCTAssertEqual(ConfigProblem(file: "c.toml", line: 3, message: "m", fix: "f").description, "c.toml:3: error: m (f)")
        XCTAssertEqual(ConfigProblem(file: "c.toml", message: "m", fix: "f").description, "c.toml: error: m (f)")
    }
}
