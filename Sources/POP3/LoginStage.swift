/// Where a connection and login has got to, for a status line: a login can take seconds (a
/// server's delay after a failed attempt, a locked mailbox), and the user should see what is
/// being waited for (`POP3Configuration.onStage`).
public enum LoginStage: Sendable, Equatable, CustomStringConvertible {
    case connecting(host: String, port: Int)
    case securing
    case loggingIn(AuthMechanism)

    public var description: String {
        switch self {
        case .connecting(let host, let port): "Connecting to \(host):\(port)…"
        case .securing: "Securing the connection (TLS)…"
        case .loggingIn(let mechanism): "Logging in (\(mechanism == .userPass ? "USER/PASS" : mechanism.rawValue))…"
        }
    }
}
