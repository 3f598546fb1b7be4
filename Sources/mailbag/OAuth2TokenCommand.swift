import Inbox

/// The user's `oauth2_token_command`: prints an OAuth2 access token on its first line. Mailbag
/// keeps no OAuth client of its own; the provider's tool (oama, a script around the provider's
/// OAuth library) does the authorization and the refreshing, and Mailbag runs it again when the
/// server refuses a token.
struct OAuth2TokenCommand {
    var command: String

    func token() async throws -> String {
        let line: String?
        do {
            line = try await ExternalCommand(command).secret()
        } catch {
            throw OAuth2TokenError.commandFailed(error.description)
        }
        guard let line else { throw OAuth2TokenError.commandFailed("it printed no token") }
        return line
    }
}

enum OAuth2TokenError: Error, CustomStringConvertible {
    case commandFailed(String)

    var description: String {
        switch self {
        case .commandFailed(let why):
            "The OAuth2 token command failed: \(why.hasSuffix(".") ? String(why.dropLast()) : why); "
                + "run it in a shell to see why."
        }
    }
}
