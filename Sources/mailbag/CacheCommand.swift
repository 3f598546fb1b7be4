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

        func run() throws {
            let removed = try CacheDirectory.standard().clear(account: account)
            Console.print(DisplayText("Removed \(removed) cache file\(removed == 1 ? "" : "s")\(account.map { " of \($0)" } ?? "")."))
        }
    }
}
