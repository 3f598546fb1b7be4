import ArgumentParser
import Inbox

struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Manage the header and body caches under $XDG_CACHE_HOME/mailbag.",
        subcommands: [Clear.self]
    )

    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the cached headers and bodies of one account, or of all.")

        @Argument(help: ArgumentHelp(
            "Account name (for a URL without a config file: user@host:port). Without it, every account's cache goes.",
            valueName: "account"))
        var account: String?

        @Option(help: ArgumentHelp("Config file (default: $XDG_CONFIG_HOME/mailbag/config.toml, else ~/.config/mailbag/config.toml).", valueName: "file"))
        var config: String?

        func run() throws {
            let removed = try CacheDirectory.standard().clear(account: account)
            // A name that is neither configured nor has a cache is a typo: saying "Removed 0"
            // and succeeding would hide it.
            let names = AccountOptions.accountNames(config: config)
            if let account, removed == 0, !names.contains(account) {
                throw ValidationError(
                    "No account called \(account) has a cache. Configured accounts: \(names.isEmpty ? "none" : names.joined(separator: ", ")).")
            }
            Console.print(DisplayText("Removed \(removed) cache file\(removed == 1 ? "" : "s")\(account.map { " of \($0)" } ?? "")."))
        }
    }
}
