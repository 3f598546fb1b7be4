import Foundation
import Inbox
import MailMessage
import TUI

/// Redraw and page-scroll cost of the index with many rows: the reader's model, layout and frame
/// building, everything but the ncurses calls.
enum RenderBench {
    struct Result {
        var rows: Int
        var load: Double
        var redraw: Percentiles
        var scroll: Percentiles
    }

    static func run(rows: Int, width: Int = 200, height: Int = 53, repeats: Int = 300) -> Result {
        let reader = Reader(model: InboxModel(account: "bench"), backend: IdleBackend(), options: ReaderOptions())
        reader.resize(width: width, height: height)
        let events = syntheticIndex(rows)
        let load = ContinuousClock.now
        reader.apply(events)
        let loadSeconds = load.secondsSince
        let now = Date()
        var redraws: [Double] = []
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            _ = FrameRenderer(reader: reader, now: now).render()
            redraws.append(start.secondsSince)
        }
        var scrolls: [Double] = []
        reader.handle(.key(.home))
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            reader.handle(.key(.pageDown))
            _ = FrameRenderer(reader: reader, now: now).render()
            scrolls.append(start.secondsSince)
        }
        return Result(rows: rows, load: loadSeconds, redraw: Percentiles(redraws), scroll: Percentiles(scrolls))
    }

    /// A listing and a summary per message, varied the way a real inbox is, as the backend sends them.
    static func syntheticIndex(_ count: Int) -> [InboxEvent] {
        let senders = ["Ada Lovelace <ada@example.org>", "=?UTF-8?B?SsO8cmdlbiBXZWnDnw==?= <juergen@example.de>",
                       "GitHub <noreply@github.com>", "\"Team, Ops\" <ops@example.net>", "bob@example.com"]
        let subjects = ["Quarterly report", "Re: Lunch on Friday?", "=?ISO-8859-1?Q?Caf=E9_cr=E8me?=",
                        "[list] Weekly digest, issue", "Fwd: Invoice"]
        var events: [InboxEvent] = [.listing((1...count).map { MessageListing(number: $0, uid: "uid-\($0)", size: 1_500 + $0 % 90_000) })]
        events.reserveCapacity(count + 1)
        for number in 1...count {
            let header = """
                From: \(senders[number % senders.count])\r
                Subject: \(subjects[number % subjects.count]) \(number)\r
                Date: \(Self.date(number))\r
                Message-ID: <\(number)@bench.example>\r
                \r

                """
            events.append(.summary(number: number, MessageSummary.parse(headerBytes: Array(header.utf8))))
        }
        return events
    }

    private static func date(_ number: Int) -> String {
        var seconds = time_t(1_700_000_000 + number * 600)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = [CChar](repeating: 0, count: 64)
        let length = strftime(&text, text.count, "%a, %d %b %Y %H:%M:%S +0000", &parts)
        return String(decoding: text[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A backend that never answers: the render benchmark needs none.
private struct IdleBackend: InboxBackend {
    func start(_ sink: EventSink) {}
    func fetchMessage(number: Int, uid: String?) {}
    func fetchPreview(number: Int, uid: String?, lines: Int) {}
    func commit(_ plan: CommitPlan) {}
    func quitWithoutDeleting() {}
    func rememberStates(_ states: [String: MessageState]) {}
    func stopReconnecting() {}
    func checkForNewMail() {}
}

struct Percentiles {
    var median: Double
    var p99: Double

    init(_ samples: [Double]) {
        let sorted = samples.sorted()
        median = sorted[sorted.count / 2]
        p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
    }
}

/// Resident memory figures from /proc, in kB.
enum ResidentMemory {
    static var current: Int { field("VmRSS") }
    static var peak: Int { field("VmHWM") }

    private static func field(_ name: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
