import ArgumentParser
import Foundation
import Inbox
import TUI

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the config file.",
        discussion: """
            Mailbag reads $XDG_CONFIG_HOME/mailbag/config.toml (default \
            ~/.config/mailbag/config.toml), or the file given with --config. It holds accounts \
            and the defaults they share; `mailbag NAME` or `--account NAME` opens an account, \
            `mailbag` alone the default one. Unknown keys are errors. The file is refused when \
            group or others may write to it, because password_command runs as you.

            An example with every key:


            """ + ExampleConfig.text,
        subcommands: [Check.self],
        defaultSubcommand: Check.self
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every problem in the config file with its line and a fix, or a summary of the accounts.",
            discussion: "Exits with status 1 when there is any problem, so scripts can run it before deploying a config."
        )

        @Option(help: ArgumentHelp("Config file (default: $XDG_CONFIG_HOME/mailbag/config.toml, else ~/.config/mailbag/config.toml).", valueName: "file"))
        var config: String?

        func run() throws {
            let loaded: MailbagConfig?
            do throws(ConfigError) {
                loaded = try MailbagConfig.load(explicitPath: config, themeProblem: AccountOptions.themeProblem)
            } catch {
                guard case .invalid(let file, let problems) = error else { throw error }
                for problem in problems {
                    Console.print(DisplayText(lines: "\(problem)"), toError: true)
                }
                let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
                Console.print(DisplayText("\(count) in \(file)."), toError: true)
                throw ExitCode.failure
            }
            guard let loaded else { throw ConfigError.notFound(file: MailbagConfig.defaultPath()) }
            Console.print(DisplayText(lines: Self.summary(loaded)))
        }

        /// One line, so a shell loop over several files stays readable.
        static func summary(_ config: MailbagConfig) -> String {
            guard !config.accounts.isEmpty else {
                return "\(config.file) is valid and defines no account; give mailbag a pop3s:// URL."
            }
            let defaultName = try? config.resolve(name: nil).name
            let accounts = config.accounts.map { account in
                let mark = account.name == defaultName ? " (default)" : ""
                return "\(account.name)\(mark): \(account.user) on \(account.host):\(account.port), \(account.securityName)"
            }
            let count = accounts.count == 1 ? "1 account" : "\(accounts.count) accounts"
            return "\(config.file) is valid, \(count): \(accounts.joined(separator: "; "))."
        }

        /// Theme names are checked here rather than in Inbox, which cannot see the TUI's loader.
    }
}
