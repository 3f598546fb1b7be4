/// The reader's only way to reach the server. Every method returns at once; answers come back as
/// `InboxEvent`s through the sink given to `start`. Implemented over POP3 by the service and by
/// fakes in tests.
public protocol InboxBackend: Sendable {
    func start(_ sink: EventSink)
    func fetchMessage(number: Int, uid: String?)
    func fetchPreview(number: Int, uid: String?, lines: Int)
    /// Checks each entry's UID on the server, sends DELE for those that still match, then QUIT;
    /// answers `.committed` and `.closed`.
    func commit(_ plan: CommitPlan)
    /// QUIT without any DELE; answers `.closed`.
    func quitWithoutDeleting()
    /// Keeps read and flagged states (by UID) for later visits; a backend without a header
    /// cache keeps them for nobody. Answers nothing, except a notice when they could not be kept.
    func rememberStates(_ states: [String: MessageState])
    /// Stops a reconnection under way (the user pressed Esc during its countdown). A commit that
    /// waited for it answers `.committed` with nothing deleted; the marks stand.
    func stopReconnecting()
    /// POP3 shows a snapshot per session, so new mail needs a new one: ends the current session
    /// with QUIT and no DELE (marks are local and stay), logs in again, lists, fetches only the
    /// headers the cache lacks, and answers `.mailChecked`.
    func checkForNewMail()
}
