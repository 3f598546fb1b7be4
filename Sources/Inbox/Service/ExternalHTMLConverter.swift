/// Runs the user's HTML-to-text command (e.g. `w3m -dump -T text/html`). A converter that hangs,
/// fails or prints nothing yields nil, and the renderer falls back to its built-in conversion.
public struct ExternalHTMLConverter: Sendable {
    public var command: String
    public var timeout: Duration
    /// A converter fed hostile HTML must not fill memory: more output than this is not used.
    public var maxOutput: Int

    public init(command: String, timeout: Duration = .seconds(5), maxOutput: Int = 16 << 20) {
        self.command = command
        self.timeout = timeout
        self.maxOutput = maxOutput
    }

    /// Called by the renderer, which is synchronous: the backend renders off the concurrency
    /// pool (`POP3Backend.renderOffPool`), so this wait holds no thread the pool needs.
    public func convert(_ html: String) -> String? {
        let command = ExternalCommand(command)
        let (timeout, maxOutput) = (timeout, maxOutput)
        guard let bytes = try? blocking({ try await command.capture(input: Array(html.utf8), timeout: timeout, outputLimit: maxOutput) })
        else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.allSatisfy(\.isWhitespace) ? nil : text
    }
}
