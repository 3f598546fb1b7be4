import ArgumentParser
import Foundation
import Inbox
import MailMessage

/// Times threading a generated mailbox (`o t`), which is redone whenever headers arrive: the
/// goal is well under 100 ms for 20,000 messages. Needs no server.
struct ThreadBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "threads", abstract: "Time threading a generated mailbox (no server needed).")

    @Option(help: "Messages in the mailbox.")
    var messages = 20_000

    @Option(help: "Runs; the best and the median are printed.")
    var runs = 10

    func run() {
        let (listings, summaries) = Self.mailbox(messages)
        var times: [Double] = []
        var threads = 0
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            threads = MessageThreads(rows: Array(listings.indices), listings: listings, summaries: summaries).threads.count
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        print(String(format: "threading %d messages into %d threads: best %.1f ms, median %.1f ms", messages, threads,
                     times[0], times[times.count / 2]))
    }

    /// Threads of one to eight messages answering one another with full References, a tenth of
    /// the replies with In-Reply-To only, a twentieth without references (joined by subject), a
    /// fiftieth answering a message no longer listed, and the threads interleaved in time as a
    /// real inbox has them.
    static func mailbox(_ count: Int) -> ([MessageListing], [MessageSummary?]) {
        var state: UInt64 = 0x5EED
        func random(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33) % bound
        }
        var summaries: [MessageSummary?] = []
        var open: [(thread: Int, ids: [String])] = []
        var thread = 0
        while summaries.count < count {
            let n = summaries.count
            let id = "<\(n).\(n &* 7919)@mail.example.org>"
            let date = Date(timeIntervalSinceReferenceDate: 700_000_000 + Double(n) * 60)
            if open.isEmpty || random(3) == 0 {
                thread += 1
                let references = random(50) == 0 ? ["<gone-\(thread)@mail.example.org>"] : []
                summaries.append(MessageSummary(from: "Sender \(n % 300)", fromAddress: nil, to: "alice", subject: "Topic \(thread) for the team",
                                                date: date, messageID: id, hasAttachments: false, references: references))
                open.append((thread, references + [id]))
                if open.count > 40 { open.removeFirst() }
            } else {
                let slot = random(open.count)
                let (topic, ids) = open[slot]
                let kind = random(20)
                summaries.append(MessageSummary(
                    from: "Sender \(n % 300)", fromAddress: nil, to: "alice", subject: "Re: Topic \(topic) for the team", date: date,
                    messageID: id, hasAttachments: false, inReplyTo: kind == 0 ? nil : ids.last,
                    references: kind < 3 ? [] : Array(ids.suffix(MessageSummary.maximumReferences))))
                open[slot].ids.append(id)
                if open[slot].ids.count >= 8 { open.remove(at: slot) }
            }
        }
        let listings = (1...count).map { MessageListing(number: $0, uid: "UID-\($0)", size: 2000) }
        return (listings, summaries)
    }
}
