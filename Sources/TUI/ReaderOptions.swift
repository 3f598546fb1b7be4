import Foundation
import Inbox

/// Settings the executable passes to the reader.
public struct ReaderOptions: Sendable {
    /// Opening a message larger than this (in bytes, as LIST reports it) asks first.
    public var largeMessageThreshold: Int
    /// Body lines the preview pane asks for (`TOP n k`).
    public var previewLines: Int
    /// Whether the preview pane is open at start.
    public var showPreview: Bool
    /// Where `s` proposes to save.
    public var saveDirectory: String
    /// How long the final report stays up when no key is pressed.
    public var farewellPause: TimeInterval
    /// How long to wait for the server to answer QUIT (nothing was marked, so nothing is at stake).
    public var closingTimeout: TimeInterval
    public var mouse: Bool
    /// Zone and calendar for the index dates.
    public var calendar: Calendar
    /// Seconds between automatic checks for new mail; zero never (`$` still checks).
    public var checkInterval: TimeInterval
    /// The account's `archive` folder, which `A` saves into; nil when it has none.
    public var archiveFolder: String?
    /// Configured accounts `c` can change to.
    public var otherAccounts: [String] = []
    /// Who replies are from and how they leave (`r`, `g`, `f`); nil turns those keys off.
    public var composer: Composer?

    public init(
        largeMessageThreshold: Int = 1 << 20, previewLines: Int = 20, showPreview: Bool = false,
        saveDirectory: String = FileManager.default.currentDirectoryPath, farewellPause: TimeInterval = 3,
        closingTimeout: TimeInterval = 15, mouse: Bool = true, calendar: Calendar = .current, checkInterval: TimeInterval = 0
    ) {
        self.largeMessageThreshold = largeMessageThreshold
        self.previewLines = previewLines
        self.showPreview = showPreview
        self.saveDirectory = saveDirectory
        self.farewellPause = farewellPause
        self.closingTimeout = closingTimeout
        self.mouse = mouse
        self.calendar = calendar
        self.checkInterval = checkInterval
    }
}

/// How a reader session ended, for the line the executable prints after the screen is restored.
public enum ExitSummary: Sendable, Equatable, CustomStringConvertible {
    /// The user left without deleting (or nothing was marked).
    case leftUnchanged
    /// The user confirmed deletions; the report says what the server did.
    case committed(CommitReport)
    /// The connection went away; the server deletes nothing in that case.
    case connectionLost(String)

    /// Whether the server really deleted anything.
    public var deletedCount: Int {
        if case .committed(let report) = self { return report.confirmedDeletions.count }
        return 0
    }

    public var lines: [String] {
        switch self {
        case .leftUnchanged:
            return ["Left the mailbox unchanged: nothing was deleted."]
        case .connectionLost(let reason):
            return ["The connection to the server was lost: \(reason)", "Nothing was deleted from the server."]
        case .committed(let report):
            var lines: [String]
            switch report.outcome {
            case .confirmed:
                lines = ["Deleted \(Self.count(report.deleted.count, "message")) from the server."]
            case .nothingDeleted(let reason):
                lines = ["Nothing was deleted: \(reason)"]
            case .unknown(let reason, let gone):
                lines = ["The server did not confirm the deletions: \(reason)"]
                let asked = report.deleted.count
                if let gone {
                    lines.append("Checked on a new session: \(gone.count) of the \(Self.count(asked, "message")) sent for deletion \(gone.count == 1 ? "is" : "are") gone from the server, \(asked - gone.count) still there.")
                } else {
                    lines.append("Whether the \(Self.count(asked, "message")) sent for deletion were deleted is unknown; run `mailbag list` to see what is left.")
                }
            }
            var savedIn: [String: Int] = [:]
            for entry in report.confirmedDeletions { if let folder = report.savedTo[entry] { savedIn[folder, default: 0] += 1 } }
            if !savedIn.isEmpty {
                let places = savedIn.sorted { $0.key < $1.key }.map { "\(Self.count($0.value, "message")) in \(TerminalText.printable($0.key))" }
                lines.append("Saved before deleting: \(places.joined(separator: ", ")).")
            }
            for skipped in report.skipped {
                let reason = skipped.reason.hasSuffix(".") ? skipped.reason : skipped.reason + "."
                let which = skipped.message.number > 0 ? "message \(skipped.message.number)" : "a message marked before the connection was lost"
                lines.append("Kept \(which): \(reason)")
            }
            if let text = report.serverText.map(TerminalText.printable), !text.isEmpty {
                lines.append("The server said: \(text)")
            }
            return lines
        }
    }

    public var description: String { lines.joined(separator: "\n") }

    static func count(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }
}
