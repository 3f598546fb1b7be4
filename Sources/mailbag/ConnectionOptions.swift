import ArgumentParser
import Foundation
import POP3

/// Options every command that talks to a server shares.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("password-command"), help: ArgumentHelp(
        "Shell command whose first line of output is the password (run with /bin/sh -c).",
        valueName: "cmd"))
    var passwordCommand: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp(
        "PEM file with an extra certificate authority to trust besides the system store.", valueName: "pem"))
    var caFile: String?

    @Flag(name: .customLong("insecure-plaintext"), help: "With pop3:// URLs, connect without TLS and send the password in clear. Only for servers you trust on a network you trust.")
    var insecurePlaintext = false

    @Option(help: ArgumentHelp("Write a protocol trace to this file (credentials are redacted).", valueName: "file"))
    var trace: String?

    @Option(help: ArgumentHelp("Seconds to wait for the server to connect or answer.", valueName: "seconds"))
    var timeout: Double = 30

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else {
            throw ValidationError("--timeout must be between 0 and 3600 seconds.")
        }
    }

    func configuration(for url: POP3URL) throws -> POP3Configuration {
        // pop3:// always demands STLS; the explicit opt-out is what turns it into a clear connection.
        let security: ConnectionSecurity = insecurePlaintext && url.security == .startTLS ? .plaintext : url.security
        var config = POP3Configuration(host: url.host, port: url.port, security: security)
        config.allowPlaintext = insecurePlaintext
        config.caFile = caFile
        config.connectTimeout = .milliseconds(Int64(timeout * 1000))
        config.idleTimeout = .milliseconds(Int64(timeout * 1000))
        if let trace { config.trace = try ProtocolTrace(path: trace) }
        return config
    }

    /// Connects and logs in; the password is asked for only after the connection is secure, so a
    /// server that cannot do TLS never costs the user a password prompt.
    func openSession(_ url: POP3URL) async throws -> POP3Session {
        let session = try await POP3Session.connect(try configuration(for: url))
        do {
            try await session.login(user: url.user, password: try PasswordSource(command: passwordCommand).password(for: url))
        } catch {
            await session.close()
            throw error
        }
        return session
    }
}
