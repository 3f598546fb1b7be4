import Foundation
import Inbox
import MailMessage
import Synchronization
@testable import TUI

/// Records what the reader asked of the server.
final class FakeBackend: InboxBackend {
    enum Call: Equatable {
        case start
        case fetchMessage(Int, String?)
        case fetchPreview(Int, String?, Int)
        case commit(CommitPlan)
        case quitWithoutDeleting
        case stopReconnecting
        case checkForNewMail
    }

    private let log = Mutex<[Call]>([])
    private let states = Mutex<[String: MessageState]>([:])

    var calls: [Call] { log.withLock { $0 } }
    /// What the header cache would hold now: every state handed over, the latest by UID. Kept
    /// apart from `calls`, which say what was asked of the server.
    var remembered: [String: MessageState] { states.withLock { $0 } }

    func start(_ sink: EventSink) { log.withLock { $0.append(.start) } }
    func fetchMessage(number: Int, uid: String?) { log.withLock { $0.append(.fetchMessage(number, uid)) } }
    func fetchPreview(number: Int, uid: String?, lines: Int) { log.withLock { $0.append(.fetchPreview(number, uid, lines)) } }
    func commit(_ plan: CommitPlan) { log.withLock { $0.append(.commit(plan)) } }
    func quitWithoutDeleting() { log.withLock { $0.append(.quitWithoutDeleting) } }
    func rememberStates(_ states: [String: MessageState]) { self.states.withLock { $0.merge(states) { $1 } } }
    func stopReconnecting() { log.withLock { $0.append(.stopReconnecting) } }
    func checkForNewMail() { log.withLock { $0.append(.checkForNewMail) } }
}

/// A reader on a fake backend with `count` loaded messages, 80×24 unless told otherwise; read
/// (as the header cache would say of mail seen before) unless `read` is false.
struct ReaderHarness {
    let backend = FakeBackend()
    let reader: Reader
    static let now = Date(timeIntervalSince1970: 1_710_000_000)

    init(count: Int = 5, sizes: [Int: Int] = [:], options: ReaderOptions = ReaderOptions(saveDirectory: NSTemporaryDirectory()),
         width: Int = 80, height: Int = 24, read: Bool = true) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var options = options
        options.calendar = calendar
        reader = Reader(model: InboxModel(account: "alice@pop.example"), backend: backend, options: options)
        reader.resize(width: width, height: height)
        let listings = (1...max(count, 1)).prefix(count).map {
            MessageListing(number: $0, uid: "uid-\($0)", size: sizes[$0] ?? 1000 + $0)
        }
        reader.apply([.connected(account: "alice@pop.example"), .listing(listings)] + listings.map {
            .summary(number: $0.number, MessageSummary(
                from: "Sender \($0.number)", fromAddress: "s\($0.number)@example.org", to: "alice@pop.example",
                subject: "Subject number \($0.number)", date: Self.now.addingTimeInterval(-Double($0.number) * 3600),
                messageID: nil, hasAttachments: $0.number == 2))
        })
        if read {
            reader.apply([.messageStates(Dictionary(uniqueKeysWithValues: listings.map { ($0.uid!, MessageState(read: true)) }))])
        }
    }

    func press(_ keys: Key...) {
        for key in keys { reader.handle(.key(key)) }
    }

    /// Each character as a key press; "\n" is Enter, "\t" Tab, "\u{1B}" Esc.
    func type(_ text: String) {
        for character in text {
            switch character {
            case "\n": reader.handle(.key(.enter))
            case "\t": reader.handle(.key(.tab))
            case "\u{1B}": reader.handle(.key(.escape))
            default: reader.handle(.key(.character(character)))
            }
        }
    }

    func frame(at now: Date = ReaderHarness.now) -> Frame {
        FrameRenderer(reader: reader, now: now).render()
    }

    var screenText: String { frame().lines.map(\.text).joined(separator: "\n") }

    /// A downloaded message as the backend would deliver it.
    func deliver(_ number: Int, body: [String] = ["Hello there.", "> quoted", "-- ", "sig"], attachments: [AttachmentInfo] = [],
                 raw: [UInt8]? = nil) {
        let rendered = RenderedMessage(
            briefHeaders: [HeaderLine(name: "From", value: "Sender \(number)"), HeaderLine(name: "Subject", value: "Subject number \(number)")],
            fullHeaders: [HeaderLine(name: "Received", value: "from somewhere"), HeaderLine(name: "From", value: "Sender \(number)"),
                          HeaderLine(name: "Subject", value: "Subject number \(number)")],
            lines: body.map { BodyLine(kind: $0.hasPrefix(">") ? .quote(level: 1) : .text, text: $0) },
            attachments: attachments)
        let source = raw ?? Array("From: Sender \(number)\r\nSubject: Subject number \(number)\r\n\r\n\(body.joined(separator: "\r\n"))\r\n".utf8)
        reader.apply([.message(number: number, raw: source, rendered: rendered)])
    }
}
