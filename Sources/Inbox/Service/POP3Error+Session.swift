import POP3

extension POP3Error {
    /// Whether the session is unusable after this error. A `-ERR` to one command (no such message,
    /// UIDL unsupported) leaves the session in place; anything on the connection itself ends it.
    var endsSession: Bool {
        if case .serverError = self { return false }
        return true
    }
}
