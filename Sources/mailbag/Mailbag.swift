import ArgumentParser
import Foundation
import Inbox

@main
struct Mailbag: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailbag",
        abstract: "Read and selectively delete mail on a POP3 server from the terminal.",
        discussion: """
            Mailbag lists a POP3 mailbox without downloading it (headers come from TOP n 0), opens \
            messages on demand, and deletes only what you mark, only when you quit and confirm.

            URL forms:
              pop3s://user@host[:port]   implicit TLS (default port 995)
              pop3://user@host[:port]    plain connect, then STLS is required (default port 110)
            A password never crosses the wire in clear unless you pass --insecure-plaintext.

            Try it without a server:  mailbag --demo

            Accounts live in $XDG_CONFIG_HOME/mailbag/config.toml (default \
            ~/.config/mailbag/config.toml); `mailbag NAME` opens one, `mailbag` alone the \
            default_account, and `mailbag config check` validates the file. Every key:

            """ + ExampleConfig.text,
        subcommands: [Read.self, List.self, Show.self, Fetch.self, ConfigCommand.self, CacheCommand.self],
        defaultSubcommand: Read.self
    )

    /// ArgumentParser's own `main`, except that what it prints (help, and every error, whose text
    /// may quote a server or a config file) goes through the sanitizer like everything else.
    static func main() async {
        // A write to a closed socket or pipe must fail with EPIPE where it happens, which each
        // writer handles (`Console` ends the program as a shell expects), not kill the process
        // with the user's marks in it.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty { Console.print(DisplayText(lines: message), toError: code != .success) }
            Foundation.exit(code.rawValue)
        }
    }
}
