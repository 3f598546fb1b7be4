import ArgumentParser
import Foundation
import Inbox
import POP3Server

/// Issue 6's benchmarks against the test Dovecot, through a latency proxy. Run by `scripts/bench`,
/// which starts the rig with the benchmark users and exports its MAILBAG_TEST_* variables.
@main
struct MailbagBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time Mailbag's index, message opening, memory and redraw against Dovecot, beside neomutt and a pipelined floor.",
        subcommands: [All.self, MemoryProbe.self, RepeatLoad.self],
        defaultSubcommand: All.self)
}

struct RigEnvironment {
    let plainPort: Int
    let password: String
    let log: DovecotLog

    static func fromEnvironment() throws -> RigEnvironment {
        let env = ProcessInfo.processInfo.environment
        guard let port = env["MAILBAG_TEST_POP3_PORT"].flatMap(Int.init), let password = env["MAILBAG_TEST_PASSWORD"],
              let log = env["MAILBAG_TEST_DOVECOT_LOG"]
        else { throw ValidationError("Run it through scripts/bench: it needs the test Dovecot's MAILBAG_TEST_* variables.") }
        return RigEnvironment(plainPort: port, password: password, log: DovecotLog(path: log))
    }
}

struct All: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every benchmark and print the tables.")

    @Option(help: "Which benchmarks to run, comma-separated: index, open, memory, render.")
    var sections = "index,open,memory,render"

    @Option(help: "One-way delays in milliseconds the proxy adds, comma-separated.")
    var latencies = "0,20,50"

    @Option(help: "Rig users whose mailboxes the index benchmark loads, comma-separated.")
    var users = "carol,heidi"

    @Option(help: "Skip a neomutt run whose lower bound (2 round trips per message) exceeds this many seconds.")
    var neomuttBudget = 450.0

    @Flag(inversion: .prefixedNo, help: "Compare with neomutt when it is installed (--no-neomutt for quick runs).")
    var neomutt = true

    @Option(help: "Runs of each Mailbag and floor measurement; the median is shown (neomutt runs once).")
    var repeats = 5

    @Option(help: "Index rows for the redraw benchmark.")
    var renderRows = 100_000

    @Option(help: "Rig user with 100,000 messages, for the memory benchmark.")
    var memoryUser = "ivan"

    @Option(help: "Rig user whose message 1 is the large message to open.")
    var largeUser = "judy"

    mutating func run() async throws {
        let rig = try RigEnvironment.fromEnvironment()
        let delays = latencies.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let neomutt = self.neomutt ? Neomutt.find() : nil
        var checks: [String] = []
        let chosen = Set(sections.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })

        print("Mailbag benchmarks — Dovecot on loopback, plaintext POP3 through a proxy adding the one-way delay shown.")
        print("Times in seconds from process start (connect) to the event named. \(neomutt?.version ?? (self.neomutt ? "neomutt not installed" : "neomutt left out")).")
        if chosen.contains("index") { try await indexTable(rig: rig, delays: delays, neomutt: neomutt, checks: &checks) }
        if chosen.contains("open") { try await openTable(rig: rig, delays: delays) }
        if chosen.contains("memory") { try await memoryLine(rig: rig) }
        if chosen.contains("render") { renderLine() }
        if !checks.isEmpty {
            print()
            print("Checks — TOP commands per session, as Dovecot's log counted them:")
            for check in checks { print("  " + check) }
        }
    }

    private func indexTable(rig: RigEnvironment, delays: [Int], neomutt: Neomutt?, checks: inout [String]) async throws {
        print()
        print(Table.row(["messages", "one-way", "floor", "mailbag cold", "÷ floor", "1st-visit floor", "÷ 1st-visit", "1st screen after login", "1st screen floor", "warm floor", "warm", "÷ floor", "warm +1%", "neomutt cold", "neomutt warm", "neomutt ÷ mailbag"]))
        for user in users.split(separator: ",").map(String.init) {
            // Dovecot builds its index of a Maildir on the first login: not part of anyone's time.
            _ = try FloorClient.fetchHeaders(port: rig.plainPort, user: user, password: rig.password, start: .now)
            // One proxy per mailbox, its delay changed between rows: neomutt keys its header cache
            // by host and port, so the cache filled once (at the lowest delay) serves every row.
            let proxy = TCPProxy(targetPort: rig.plainPort)
            let port = try await proxy.start()
            var neomuttCache = neomutt.map { NeomuttCache(directory: $0.newCacheDirectory()) }
            for delay in delays.sorted() {
                proxy.oneWayDelay = .milliseconds(delay)
                let row = try await IndexRow.measure(
                    user: user, port: port, oneWayMilliseconds: delay, rig: rig, neomutt: neomutt, neomuttCache: &neomuttCache,
                    neomuttBudget: neomuttBudget, repeats: repeats)
                print(Table.row(row.cells))
                checks += row.checks
            }
            await proxy.stop()
        }
    }

    private func openTable(rig: RigEnvironment, delays: [Int]) async throws {
        print()
        print("Opening the large message: Enter, y, until its first page is drawn; the floor is a bare RETR.")
        print(Table.row(["size", "one-way", "floor RETR", "mailbag", "÷ floor"]))
        for delay in delays {
            let proxy = TCPProxy(targetPort: rig.plainPort, oneWayDelay: .milliseconds(delay))
            let port = try await proxy.start()
            let floor = try FloorClient.retrieve(port: port, user: largeUser, password: rig.password, number: 1)
            let reader = HeadlessReader(port: port, user: largeUser, password: rig.password)
            let ours = try await reader.openMessage(1, expecting: "the scans are attached")
            await proxy.stop()
            print(Table.row([Table.megabytes(floor.bytes), "\(delay) ms", Table.seconds(floor.seconds), Table.seconds(ours), Table.ratio(ours / floor.seconds)]))
        }
    }

    private func memoryLine(rig: RigEnvironment) async throws {
        print()
        let memory = try await MemoryProbe.runChild(user: memoryUser, rig: rig)
        print("Memory with \(memory.rows) messages in the index (backend, model and reader, no terminal):")
        print("  peak RSS \(memory.peakKB / 1024) MB; \(memory.baselineKB / 1024) MB before connecting; \((memory.peakKB - memory.baselineKB) * 1024 / max(memory.rows, 1)) bytes per message")
    }

    private func renderLine() {
        print()
        let render = RenderBench.run(rows: renderRows)
        print("Index with \(render.rows) rows, 200×53 virtual screen (model, layout and frame, no ncurses):")
        print("  loading the rows \(Table.milliseconds(render.load)); redraw \(Table.milliseconds(render.redraw.median)) median, \(Table.milliseconds(render.redraw.p99)) p99; page down + redraw \(Table.milliseconds(render.scroll.median)) median, \(Table.milliseconds(render.scroll.p99)) p99")
    }
}

/// neomutt's header cache for one mailbox, filled by the first row that can afford a cold run.
struct NeomuttCache {
    let directory: URL
    var filled = false
}

/// One line of the index table: every client on one mailbox at one latency.
struct IndexRow {
    var cells: [String]
    var checks: [String]

    static func measure(
        user: String, port: Int, oneWayMilliseconds delay: Int, rig: RigEnvironment, neomutt: Neomutt?,
        neomuttCache: inout NeomuttCache?, neomuttBudget: Double, repeats: Int
    ) async throws -> IndexRow {
        var checks: [String] = []
        // Every session is checked, and the next measurement starts only once Dovecot has logged
        // them all: a late log line must not be taken for the next run's.
        func counted<T>(_ label: String, runs: Int = 1, expect: (Int) -> Bool, _ run: () async throws -> T) async throws -> [T] {
            let offset = rig.log.size
            var results: [T] = []
            for _ in 0..<runs { results.append(try await run()) }
            let tops = await rig.log.topCounts(user: user, after: offset, sessions: runs)
            let verdict = tops.map { $0.allSatisfy(expect) ? "ok" : "UNEXPECTED" } ?? "no log line"
            let shown = tops.map { Set($0).count == 1 ? "\($0[0])" : $0.map(String.init).joined(separator: ", ") } ?? "?"
            checks.append("\(user) \(delay) ms \(label): \(shown) TOP (\(verdict))")
            return results
        }

        // Each of our runs and the floor's is repeated and the median kept: this is a shared
        // virtual machine, and single runs wander by tens of percent.
        func repeated<T>(_ label: String, expect: @escaping (Int) -> Bool, by key: (T) -> Double, _ run: () async throws -> T) async throws -> T {
            try await counted(label, runs: max(1, repeats), expect: expect, run).sorted { key($0) < key($1) }[max(1, repeats) / 2]
        }
        let floor = try await repeated("floor", expect: { _ in true }, by: \.total) {
            try FloorClient.fetchHeaders(port: port, user: user, password: rig.password, start: .now)
        }
        let firstVisitFloor = try await repeated("first-visit floor", expect: { $0 == floor.replies }, by: \.total) {
            try FloorClient.fetchHeaders(port: port, user: user, password: rig.password, firstVisit: true, start: .now)
        }
        let count = floor.replies
        let firstScreenFloor = try await repeated("1st screen floor", expect: { $0 == min(count, HeadlessReader.screenRows) }, by: { $0 }) {
            try FloorClient.firstScreen(port: port, user: user, password: rig.password, count: count, rows: HeadlessReader.screenRows)
        }
        let warmFloor = try await repeated("floor STAT+UIDL", expect: { $0 == 0 }, by: { $0 }) {
            try FloorClient.uidsAndTotal(port: port, user: user, password: rig.password, start: .now)
        }
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-bench-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        var reader = HeadlessReader(port: port, user: user, password: rig.password)
        let cold = try await repeated("mailbag cold", expect: { $0 == count }, by: \.complete) { try await reader.loadIndex().0 }
        reader.cacheDirectory = cache
        _ = try await counted("mailbag filling its cache", expect: { $0 == count }) { try await reader.loadIndex() }
        let (_, model) = try await reader.loadIndex()
        let warm = try await repeated("mailbag warm", expect: { $0 == 0 }, by: \.complete) { try await reader.loadIndex().0 }
        // 1% new: the cache forgets 1% of the UIDs, which is what new mail looks like to it.
        let evicted = max(1, count / 100)
        let fresh = try await repeated("mailbag warm +1%", expect: { $0 == evicted }, by: \.complete) {
            try Self.forget(evicted, of: model, in: reader)
            return try await reader.loadIndex().0
        }

        var neomuttCells = ["—", "—", "—"]
        if let neomutt, var hcache = neomuttCache {
            let lowerBound = 2 * Double(count) * 2 * Double(delay) / 1000
            if lowerBound > neomuttBudget {
                neomuttCells[0] = "> \(Int(lowerBound)) (skipped)"
                neomuttCells[2] = "> \(Table.ratio(lowerBound / cold.complete))"
            } else {
                let coldRun = try await counted("neomutt cold", expect: { $0 == count }) {
                    try await neomutt.loadIndex(port: port, user: user, password: rig.password, headerCache: nil)
                }[0]
                neomuttCells[0] = Table.seconds(coldRun)
                neomuttCells[2] = Table.ratio(coldRun / cold.complete)
            }
            if !hcache.filled && lowerBound <= neomuttBudget {
                _ = try await counted("neomutt filling its cache", expect: { $0 == count }) {
                    try await neomutt.loadIndex(port: port, user: user, password: rig.password, headerCache: hcache.directory)
                }
                hcache.filled = true
                neomuttCache = hcache
            }
            if hcache.filled {
                let warmRun = try await counted("neomutt warm", expect: { $0 == 0 }) {
                    try await neomutt.loadIndex(port: port, user: user, password: rig.password, headerCache: hcache.directory)
                }[0]
                neomuttCells[1] = Table.seconds(warmRun)
            }
        }
        let roundTrips = { (seconds: Double) in
            Table.seconds(seconds) + (delay == 0 ? "" : String(format: " (%.1f RTT)", seconds / (2 * Double(delay) / 1000)))
        }
        let firstScreen = roundTrips(cold.firstScreen - cold.login)
        let cells = [String(count), "\(delay) ms", Table.seconds(floor.total), Table.seconds(cold.complete), Table.ratio(cold.complete / floor.total),
                     Table.seconds(firstVisitFloor.total), Table.ratio(cold.complete / firstVisitFloor.total),
                     firstScreen, roundTrips(firstScreenFloor), Table.seconds(warmFloor), Table.seconds(warm.complete), Table.ratio(warm.complete / warmFloor),
                     Table.seconds(fresh.complete)] + neomuttCells
        return IndexRow(cells: cells, checks: checks)
    }

    /// Evicts `evicted` UIDs, spread through the mailbox, from the reader's header cache.
    private static func forget(_ evicted: Int, of model: InboxModel, in reader: HeadlessReader) throws {
        guard let cache = try reader.headerCache() else { return }
        let uids = model.listings.compactMap(\.uid)
        let stride = max(1, uids.count / evicted)
        let kept = uids.enumerated().filter { index, _ in index % stride != 0 || index / stride >= evicted }.map(\.element)
        try cache.recordVisit(VisitedUIDs(kept), since: cache.contents())
    }
}

enum Table {
    static let widths = [8, 7, 6, 12, 7, 15, 11, 22, 10, 6, 7, 8, 18, 12, 17]

    static func row(_ cells: [String]) -> String {
        zip(cells, widths + Array(repeating: 10, count: max(0, cells.count - widths.count)))
            .map { $0.count >= $1 ? $0 : $0 + String(repeating: " ", count: $1 - $0.count) }
            .joined(separator: " | ")
    }

    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }
    static func milliseconds(_ value: Double) -> String { String(format: "%.2f ms", value * 1000) }
    static func ratio(_ value: Double) -> String { String(format: "%.2f×", value) }
    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
