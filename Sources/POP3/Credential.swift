/// What proves the user's identity at login.
public enum Credential: Sendable {
    /// For the password mechanisms (CRAM-MD5, PLAIN, LOGIN, APOP, USER/PASS).
    case password(String)
    /// For OAUTHBEARER and XOAUTH2: `token` returns an OAuth 2.0 access token. It is asked once per
    /// login, and once more when the server refuses the first, since a refused token has most
    /// likely expired and `token` is expected to refresh it (as mutt's `pop_oauth_refresh_command`).
    case bearerToken(@Sendable () async throws -> String)
}
