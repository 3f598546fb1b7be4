import MailMessage

enum RenderedMessageFixture {
    static let empty = RenderedMessage(briefHeaders: [], fullHeaders: [], lines: [], attachments: [])
}
