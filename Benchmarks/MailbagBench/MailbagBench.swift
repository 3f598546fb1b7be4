import ArgumentParser
import Foundation
import Inbox
import POP3
import POP3Server

/// Issue 6's benchmarks against the test rigs (Dovecot, Courier, Cyrus), through a latency proxy.
/// Run by `scripts/bench`, which starts the rigs with the benchmark users and exports their
/// MAILBAG_TEST_* variables.
@main
struct MailbagBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time Mailbag's index, message opening, memory and redraw against Dovecot, Courier and Cyrus, beside neomutt and a pipelined floor.",
        subcommands: [All.self, MemoryProbe.self, RepeatLoad.self, ThreadBench.self],
        defaultSubcommand: All.self)
}

/// How a client reaches the server: plaintext POP3, or TLS from the first byte (port 995's way).
enum Transport: String, CaseIterable, Sendable {
    case plain
    case tls
}

/// One rig's POP3 server, as its env file describes it.
struct BenchServer: Sendable {
    /// `dovecot`, `courier` or `cyrus`, as `--servers` names it.
    let key: String
    let name: String
    let plainPort: Int
    let tlsPort: Int?
    let password: String
    let caFile: String?
    /// Dovecot's log, the server's own count of the commands each session sent; nil elsewhere.
    let log: DovecotLog?

    func port(_ transport: Transport) throws -> Int {
        switch transport {
        case .plain: return plainPort
        case .tls:
            guard let tlsPort else { throw ValidationError("\(name) has no implicit-TLS port in its rig's variables") }
            return tlsPort
        }
    }

    /// Mailbag as a reader of this server's `user`, at `port` (the proxy) over `transport`.
    func reader(port: Int, user: String, transport: Transport) -> HeadlessReader {
        var reader = HeadlessReader(port: port, user: user, password: password)
        reader.server = "\(key)-\(transport.rawValue)"
        if transport == .tls {
            reader.security = .implicitTLS
            reader.caFile = caFile
        }
        return reader
    }

    /// Where the floor client connects for `transport` through the proxy at `port`.
    func floorEndpoint(port: Int, transport: Transport) throws -> FloorClient.Endpoint {
        guard transport == .tls else { return .plain(port) }
        guard let caFile else { throw ValidationError("\(name) has no CA file in its rig's variables") }
        return FloorClient.Endpoint(port: port, tls: try FloorClient.Endpoint.tlsContext(caFile: caFile))
    }
}

struct RigEnvironment {
    let dovecot: BenchServer
    /// Courier and Cyrus, when their rigs run (their env files sourced).
    let others: [BenchServer]

    // The Dovecot rig's plaintext port, password and log: the open, memory and profiling runs use them.
    var plainPort: Int { dovecot.plainPort }
    var password: String { dovecot.password }

    func server(_ key: String) throws -> BenchServer {
        if key == dovecot.key { return dovecot }
        guard let server = others.first(where: { $0.key == key }) else {
            throw ValidationError("No \(key) rig in the environment: scripts/bench starts it when --servers names it (scripts/\(key)-rig start, then source $MAILBAG_RIG_DIR/\(key).env).")
        }
        return server
    }

    static func fromEnvironment() throws -> RigEnvironment {
        let env = ProcessInfo.processInfo.environment
        guard let port = env["MAILBAG_TEST_POP3_PORT"].flatMap(Int.init), let password = env["MAILBAG_TEST_PASSWORD"],
              let log = env["MAILBAG_TEST_DOVECOT_LOG"]
        else { throw ValidationError("Run it through scripts/bench: it needs the test Dovecot's MAILBAG_TEST_* variables.") }
        let dovecot = BenchServer(
            key: "dovecot", name: "Dovecot", plainPort: port, tlsPort: env["MAILBAG_TEST_POP3S_PORT"].flatMap(Int.init),
            password: password, caFile: env["MAILBAG_TEST_CA_FILE"], log: DovecotLog(path: log))
        let others = [("courier", "Courier"), ("cyrus", "Cyrus")].compactMap { key, name -> BenchServer? in
            let prefix = "MAILBAG_TEST_\(key.uppercased())_"
            guard let port = env[prefix + "POP3_PORT"].flatMap(Int.init), let password = env[prefix + "PASSWORD"] else { return nil }
            return BenchServer(
                key: key, name: name, plainPort: port, tlsPort: env[prefix + "POP3S_PORT"].flatMap(Int.init),
                password: password, caFile: env[prefix + "CA_FILE"], log: nil)
        }
        return RigEnvironment(dovecot: dovecot, others: others)
    }
}

struct All: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every benchmark and print the tables.")

    @Option(help: "Which benchmarks to run, comma-separated: index, open, memory, render, fetch.")
    var sections = "index,open,memory,render,fetch"

    @Option(help: "Servers whose index is timed, comma-separated: dovecot, courier, cyrus.")
    var servers = "dovecot,courier,cyrus"

    @Option(help: "How the index clients connect, comma-separated: plain, tls (implicit TLS).")
    var transports = "plain,tls"

    @Option(help: "One-way delays in milliseconds the proxy adds, comma-separated.")
    var latencies = "0,20,50"

    @Option(help: "Rig users whose mailboxes the index benchmark loads, comma-separated (carol 2,000 messages, heidi 20,000, on every server).")
    var users = "carol,heidi"

    @Option(help: "Skip a neomutt run whose lower bound (2 round trips per message) exceeds this many seconds.")
    var neomuttBudget = 450.0

    @Flag(inversion: .prefixedNo, help: "Compare with neomutt (Dovecot, plaintext only) when it is installed (--no-neomutt for quick runs).")
    var neomutt = true

    @Option(help: "Runs of each Mailbag and floor measurement; the median is shown (neomutt runs once).")
    var repeats = 5

    @Option(help: "Index rows for the redraw benchmark.")
    var renderRows = 100_000

    @Option(help: "Rig user with 100,000 messages, for the memory benchmark.")
    var memoryUser = "ivan"

    @Option(help: "Rig user whose message 1 is the large message to open.")
    var largeUser = "judy"

    @Option(help: "Rig user whose mailbox mailbag fetch, mpop and fetchmail download (kate: 2,000 messages of mixed, realistic sizes).")
    var fetchUser = "kate"

    @Option(help: "One-way delays in milliseconds for the fetch comparison, comma-separated.")
    var fetchLatencies = "0,20"

    @Option(help: "Runs of each fetch measurement; the median is shown.")
    var fetchRepeats = 3

    @Option(help: "Fetch clients to time, comma-separated: mailbag, mpop, fetchmail (fetchmail waits a round trip per message: minutes at 20 ms).")
    var fetchClients = "mailbag,mpop,fetchmail"

    private static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    mutating func run() async throws {
        let rig = try RigEnvironment.fromEnvironment()
        let delays = Self.list(latencies).compactMap { Int($0) }.sorted()
        let chosen = Set(Self.list(sections))
        let servers = try Self.list(self.servers).map { try rig.server($0) }
        let transports = try Self.list(self.transports).map { name in
            guard let transport = Transport(rawValue: name) else { throw ValidationError("Unknown transport \(name): plain or tls.") }
            return transport
        }
        let neomutt = self.neomutt && servers.contains(where: { $0.key == "dovecot" }) && transports.contains(.plain) ? Neomutt.find() : nil
        var checks: [String] = []
        let started = ContinuousClock.now

        print("Mailbag benchmarks — \(servers.map(\.name).joined(separator: ", ")) on loopback, \(transports.map(\.rawValue).joined(separator: " and ")), through a proxy adding the one-way delay shown.")
        print("Times in seconds from process start (connect) to the event named; medians of \(repeats). \(neomutt?.version ?? (self.neomutt ? "neomutt not run" : "neomutt left out")).")
        if chosen.contains("index") {
            var results: [IndexResult] = []
            for server in servers {
                for transport in transports {
                    try await indexRows(server: server, transport: transport, delays: delays, neomutt: server.key == "dovecot" && transport == .plain ? neomutt : nil,
                                        results: &results, checks: &checks)
                }
            }
            IndexResult.printTables(results, delays: delays)
        }
        if chosen.contains("open") { try await openTable(rig: rig, delays: delays) }
        if chosen.contains("memory") { try await memoryLine(rig: rig) }
        if chosen.contains("render") { renderLine() }
        if chosen.contains("fetch") {
            let count = try await FloorClient.Connection.session(.plain(rig.plainPort)) { connection in
                try await connection.login(user: fetchUser, password: rig.password)
                let count = try await connection.messageCount()
                try await connection.quit()
                return count
            }
            let bench = try FetchBench(user: fetchUser, password: rig.password, messages: count)
            let clients = try Self.list(fetchClients).map { name in
                guard let client = FetchBench.Client(rawValue: name) else { throw ValidationError("Unknown fetch client \(name): mailbag, mpop or fetchmail.") }
                return client
            }
            try await FetchBench.table(bench: bench, clients: clients, target: rig.plainPort,
                                       delays: Self.list(fetchLatencies).compactMap { Int($0) }.sorted(), repeats: fetchRepeats)
        }
        if !checks.isEmpty {
            print()
            print("Checks — Dovecot: TOP commands per session as its log counted them; every server: headers the client received in TOP replies")
            print("(\"fetched\"), rows whose subject is the seeded \"Simple message N of COUNT\" for their number, and the floor's +OK replies:")
            for check in checks { print("  " + check) }
        }
        print()
        print(String(format: "Whole run: %.1f min.", started.secondsSince / 60))
    }

    private func indexRows(
        server: BenchServer, transport: Transport, delays: [Int], neomutt: Neomutt?, results: inout [IndexResult], checks: inout [String]
    ) async throws {
        let target = try server.port(transport)
        for user in Self.list(users) {
            // Dovecot builds its index of a Maildir on the first login, Courier its size list: not
            // part of anyone's time.
            _ = try await FloorClient.fetchHeaders(.plain(server.plainPort), user: user, password: server.password, start: .now)
            // One proxy per mailbox, its delay changed between rows: neomutt keys its header cache
            // by host and port, so the cache filled once (at the lowest delay) serves every row.
            let proxy = TCPProxy(targetPort: target)
            let port = try await proxy.start()
            var neomuttCache = neomutt.map { NeomuttCache(directory: $0.newCacheDirectory()) }
            for delay in delays {
                proxy.oneWayDelay = .milliseconds(delay)
                let row = try await IndexRow.measure(
                    server: server, transport: transport, user: user, port: port, oneWayMilliseconds: delay, neomutt: neomutt,
                    neomuttCache: &neomuttCache, neomuttBudget: neomuttBudget, repeats: repeats, countWaits: delay == delays.max())
                print(row.result.progressLine)
                results.append(row.result)
                checks += row.checks
            }
            await proxy.stop()
        }
    }

    private func openTable(rig: RigEnvironment, delays: [Int]) async throws {
        print()
        print("Opening the large message (Dovecot, plaintext): Enter, y, until its first page is drawn; the floor is a bare RETR.")
        print(Table.row(["size", "one-way", "floor RETR", "mailbag", "÷ floor"]))
        for delay in delays {
            let proxy = TCPProxy(targetPort: rig.plainPort, oneWayDelay: .milliseconds(delay))
            let port = try await proxy.start()
            let floor = try await FloorClient.retrieve(.plain(port), user: largeUser, password: rig.password, number: 1)
            let reader = HeadlessReader(port: port, user: largeUser, password: rig.password)
            let ours = try await reader.openMessage(1, expecting: "the scans are attached")
            await proxy.stop()
            print(Table.row([Table.megabytes(floor.bytes), "\(delay) ms", Table.seconds(floor.seconds), Table.seconds(ours), Table.ratio(ours / floor.seconds)]))
        }
    }

    private func memoryLine(rig: RigEnvironment) async throws {
        print()
        let memory = try await MemoryProbe.runChild(user: memoryUser, rig: rig)
        print("Memory with \(memory.rows) messages in the index (Dovecot; backend, model and reader, no terminal):")
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

/// Every client on one mailbox of one server, over one transport, at one latency (medians).
struct IndexResult {
    var server: String
    var transport: Transport
    var messages: Int
    var delay: Int
    var floor: Double
    var cold: HeadlessReader.Timing
    var firstVisitFloor: Double
    var firstScreenFloor: Double
    var warmFloor: Double
    var warm: Double
    var fresh: Double
    /// neomutt cold, warm and cold ÷ Mailbag cold, as shown; nil where neomutt was not run.
    var neomutt: [String]?
    /// Times a warm load (and one with 1% new) waited for the server before it could go on, from
    /// a traced load: measured at one latency per mailbox.
    var warmWaits: Int?
    var freshWaits: Int?

    var roundTrip: Double { 2 * Double(delay) / 1000 }
    var firstScreen: Double { cold.firstScreen - cold.login }

    /// `seconds`, and in round trips when there is latency.
    func withRoundTrips(_ seconds: Double) -> String {
        Table.seconds(seconds) + (delay == 0 ? "" : String(format: " (%.1f RTT)", seconds / roundTrip))
    }

    var progressLine: String {
        "\(server) \(transport.rawValue) \(messages) msgs \(delay) ms: floor \(Table.seconds(floor)), cold \(Table.seconds(cold.complete)) (\(Table.ratio(cold.complete / floor))), "
            + "1st-visit floor \(Table.seconds(firstVisitFloor)), 1st screen \(withRoundTrips(firstScreen)) vs \(withRoundTrips(firstScreenFloor)), "
            + "warm floor \(Table.seconds(warmFloor)), warm \(withRoundTrips(warm)) (\(Table.ratio(warm / warmFloor))), +1% \(Table.seconds(fresh))"
            + (neomutt.map { ", neomutt cold \($0[0]), warm \($0[1])" } ?? "")
    }

    private var lead: [String] {
        [server, transport == .tls ? "TLS" : "plain", Table.count(messages), "\(delay) ms"]
    }

    /// The tables the README shows, in Markdown: cold, warm, warm round trips, neomutt.
    static func printTables(_ results: [IndexResult], delays: [Int]) {
        print()
        print("Cold index (no header cache) against the floor, and the first screenful:")
        print()
        Table.markdown(
            ["server", "transport", "messages", "one-way", "floor", "Mailbag cold", "÷ floor", "1st-visit floor", "÷ 1st-visit", "1st screen after login", "1st screen floor"],
            results.map { r in
                r.lead + [Table.seconds(r.floor), Table.seconds(r.cold.complete), Table.ratio(r.cold.complete / r.floor),
                          Table.seconds(r.firstVisitFloor), Table.ratio(r.cold.complete / r.firstVisitFloor),
                          r.withRoundTrips(r.firstScreen), r.withRoundTrips(r.firstScreenFloor)]
            })
        print()
        print("Warm index (header cache full) against the warm floor, and with 1% of the UIDs new:")
        print()
        Table.markdown(
            ["server", "transport", "messages", "one-way", "warm floor", "Mailbag warm", "÷ floor", "warm +1%"],
            results.map { r in
                r.lead + [r.withRoundTrips(r.warmFloor), r.withRoundTrips(r.warm), Table.ratio(r.warm / r.warmFloor), Table.seconds(r.fresh)]
            })
        // Round trips of a warm load, by size: how often the client waits for the server (counted
        // in a traced load), and the time measured at each latency in round trips.
        let latencies = delays.filter { $0 > 0 }
        let sizes = Array(Set(results.map(\.messages))).sorted()
        if !latencies.isEmpty {
            print()
            print("Warm index in round trips, by mailbox size: the waits for the server (from a traced load) and the time at each latency ÷ its round trip:")
            print()
            var header = ["server", "transport", "waits, warm (+1%): " + sizes.map(Table.count).joined(separator: " / ")]
            for delay in latencies {
                header += sizes.map { "\(delay) ms, \(Table.count($0)): Mailbag (floor)" }
            }
            var rows: [[String]] = []
            var seen = Set<String>()
            for r in results where seen.insert("\(r.server) \(r.transport)").inserted {
                let same = results.filter { $0.server == r.server && $0.transport == r.transport }
                let waits = sizes.map { size in
                    same.first { $0.messages == size && $0.warmWaits != nil }.map { "\($0.warmWaits!) (\($0.freshWaits ?? 0))" } ?? "—"
                }
                var row = [r.server, r.transport == .tls ? "TLS" : "plain", waits.joined(separator: " / ")]
                for delay in latencies {
                    row += sizes.map { size in
                        same.first { $0.messages == size && $0.delay == delay }.map {
                            String(format: "%.1f (%.1f)", $0.warm / $0.roundTrip, $0.warmFloor / $0.roundTrip)
                        } ?? "—"
                    }
                }
                rows.append(row)
            }
            Table.markdown(header, rows)
        }
        let neomutt = results.filter { $0.neomutt != nil }
        if !neomutt.isEmpty {
            print()
            print("neomutt (Dovecot, plaintext; header cache off for cold, on for warm):")
            print()
            Table.markdown(
                ["messages", "one-way", "Mailbag cold", "neomutt cold", "neomutt warm", "neomutt cold ÷ Mailbag cold"],
                neomutt.map { r in
                    [Table.count(r.messages), "\(r.delay) ms", Table.seconds(r.cold.complete)] + (r.neomutt ?? [])
                })
        }
    }
}

/// Measures one `IndexResult`, checking every session.
struct IndexRow {
    var result: IndexResult
    var checks: [String]

    /// One Mailbag load and what it showed: the rows whose header is the one seeded for them.
    struct Load {
        var timing: HeadlessReader.Timing
        var rowsWithTheirHeader: Int
    }

    static func measure(
        server: BenchServer, transport: Transport, user: String, port: Int, oneWayMilliseconds delay: Int, neomutt: Neomutt?,
        neomuttCache: inout NeomuttCache?, neomuttBudget: Double, repeats: Int, countWaits: Bool
    ) async throws -> IndexRow {
        var checks: [String] = []
        let endpoint = try server.floorEndpoint(port: port, transport: transport)
        let where_ = "\(server.key) \(transport.rawValue) \(user) \(delay) ms"
        // Every session is checked: by the client (`verify` names what is wrong, nil when all is
        // right) and, on Dovecot, by its log (`tops`: the TOP count each session must have; nil
        // for any). The next measurement starts only once Dovecot has logged them all: a late log
        // line must not be taken for the next run's.
        func counted<T>(_ label: String, runs: Int = 1, tops: Int?, verify: (T) -> String?, _ run: () async throws -> T) async throws -> [T] {
            let offset = server.log?.size ?? 0
            var results: [T] = []
            for _ in 0..<runs { results.append(try await run()) }
            let problems = results.compactMap(verify)
            var line = "\(where_) \(label): client " + (problems.isEmpty ? "ok" : "UNEXPECTED: " + Set(problems).sorted().joined(separator: "; "))
            if let log = server.log {
                let counts = await log.topCounts(user: user, after: offset, sessions: runs)
                let verdict = counts.map { counts in tops.map { expected in counts.allSatisfy { $0 == expected } } ?? true ? "ok" : "UNEXPECTED" } ?? "no log line"
                let shown = counts.map { Set($0).count == 1 ? "\($0[0])" : $0.map(String.init).joined(separator: ", ") } ?? "?"
                line += "; Dovecot log \(shown) TOP (\(verdict))"
            }
            checks.append(line)
            return results
        }

        // Each of our runs and the floor's is repeated and the median kept: this is a shared
        // virtual machine, and single runs wander by tens of percent.
        func repeated<T>(_ label: String, tops: Int?, verify: (T) -> String?, by key: (T) -> Double, _ run: () async throws -> T) async throws -> T {
            try await counted(label, runs: max(1, repeats), tops: tops, verify: verify, run).sorted { key($0) < key($1) }[max(1, repeats) / 2]
        }
        // The floor reads exactly one +OK multi-line reply per message (or fails the run).
        let floor = try await repeated("floor", tops: nil, verify: { _ in nil }, by: \.total) {
            try await FloorClient.fetchHeaders(endpoint, user: user, password: server.password, start: .now)
        }
        let count = floor.replies
        checks[checks.count - 1] += " (\(count) TOP replies read per run)"
        let firstVisitFloor = try await repeated("first-visit floor", tops: count, verify: { _ in nil }, by: \.total) {
            try await FloorClient.fetchHeaders(endpoint, user: user, password: server.password, firstVisit: true, start: .now)
        }
        let screen = min(count, HeadlessReader.screenRows)
        let firstScreenFloor = try await repeated("1st screen floor", tops: screen, verify: { _ in nil }, by: { $0 }) {
            try await FloorClient.firstScreen(endpoint, user: user, password: server.password, count: count, rows: HeadlessReader.screenRows)
        }
        let warmFloor = try await repeated("floor STAT+UIDL", tops: 0, verify: { _ in nil }, by: { $0 }) {
            try await FloorClient.uidsAndTotal(endpoint, user: user, password: server.password, start: .now)
        }
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-bench-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        var reader = server.reader(port: port, user: user, transport: transport)
        func load(_ reader: HeadlessReader) async throws -> Load {
            let (timing, model) = try await reader.loadIndex()
            return Load(timing: timing, rowsWithTheirHeader: HeadlessReader.rowsWithTheirHeader(in: model))
        }
        func expect(fetched: Int, cached: Int) -> (Load) -> String? {
            { load in
                var wrong: [String] = []
                if load.timing.fetched != fetched { wrong.append("\(load.timing.fetched) fetched, not \(fetched)") }
                if load.timing.cached != cached { wrong.append("\(load.timing.cached) from the cache, not \(cached)") }
                if load.rowsWithTheirHeader != count { wrong.append("\(load.rowsWithTheirHeader) of \(count) rows with their header") }
                return wrong.isEmpty ? nil : wrong.joined(separator: ", ")
            }
        }
        let cold = try await repeated("mailbag cold", tops: count, verify: expect(fetched: count, cached: 0), by: \.timing.complete) { try await load(reader) }
        reader.cacheDirectory = cache
        _ = try await counted("mailbag filling its cache", tops: count, verify: expect(fetched: count, cached: 0)) { try await load(reader) }
        let (_, model) = try await reader.loadIndex()
        let warm = try await repeated("mailbag warm", tops: 0, verify: expect(fetched: 0, cached: count), by: \.timing.complete) { try await load(reader) }
        // 1% new: the cache forgets 1% of the UIDs, which is what new mail looks like to it.
        let evicted = max(1, count / 100)
        let fresh = try await repeated("mailbag warm +1%", tops: evicted, verify: expect(fetched: evicted, cached: count - evicted), by: \.timing.complete) {
            try Self.forget(evicted, of: model, in: reader)
            return try await load(reader)
        }

        // How many times a warm load waits for the server, from the protocol trace of one more
        // load of each kind (untimed: the trace writes a line per command). At the longest delay:
        // on loopback the answer to a command written ahead (UTF8 before the login) can be traced
        // before the next command, which would read as a wait.
        var warmWaits: Int?
        var freshWaits: Int?
        if countWaits {
            var traced = reader
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-bench-trace-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            traced.trace = try ProtocolTrace(path: path)
            _ = try await counted("mailbag warm, traced", tops: 0, verify: expect(fetched: 0, cached: count), { try await load(traced) })
            warmWaits = try Self.waits(inTrace: path)
            traced.trace = try ProtocolTrace(path: path)
            try Self.forget(evicted, of: model, in: reader)
            _ = try await counted("mailbag warm +1%, traced", tops: evicted, verify: expect(fetched: evicted, cached: count - evicted), { try await load(traced) })
            freshWaits = try Self.waits(inTrace: path)
        }

        var neomuttCells: [String]?
        if let neomutt, var hcache = neomuttCache {
            var cells = ["—", "—", "—"]
            let lowerBound = 2 * Double(count) * 2 * Double(delay) / 1000
            if lowerBound > neomuttBudget {
                cells[0] = "> \(Int(lowerBound)) (skipped)"
                cells[2] = "> \(Table.ratio(lowerBound / cold.timing.complete))"
            } else {
                let coldRun = try await counted("neomutt cold", tops: count, verify: { _ in nil }) {
                    try await neomutt.loadIndex(port: port, user: user, password: server.password, headerCache: nil)
                }[0]
                cells[0] = Table.seconds(coldRun)
                cells[2] = Table.ratio(coldRun / cold.timing.complete)
            }
            if !hcache.filled && lowerBound <= neomuttBudget {
                _ = try await counted("neomutt filling its cache", tops: count, verify: { _ in nil }) {
                    try await neomutt.loadIndex(port: port, user: user, password: server.password, headerCache: hcache.directory)
                }
                hcache.filled = true
                neomuttCache = hcache
            }
            if hcache.filled {
                let warmRun = try await counted("neomutt warm", tops: 0, verify: { _ in nil }) {
                    try await neomutt.loadIndex(port: port, user: user, password: server.password, headerCache: hcache.directory)
                }[0]
                cells[1] = Table.seconds(warmRun)
            }
            neomuttCells = cells
        }
        let result = IndexResult(
            server: server.name, transport: transport, messages: count, delay: delay, floor: floor.total, cold: cold.timing,
            firstVisitFloor: firstVisitFloor.total, firstScreenFloor: firstScreenFloor, warmFloor: warmFloor, warm: warm.timing.complete,
            fresh: fresh.timing.complete, neomutt: neomuttCells, warmWaits: warmWaits, freshWaits: freshWaits)
        return IndexRow(result: result, checks: checks)
    }

    /// The times a traced load waited for the server before it could go on: each run of
    /// client lines that follows a server line (the greeting first), until the index was complete.
    /// A pipelined batch is one wait however many commands it holds.
    static func waits(inTrace path: String) throws -> Int {
        var waits = 0
        var lastWasServer = true
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let entry = line[line.index(after: space)...]
            if entry.hasPrefix("-- index complete") { break }
            if entry.hasPrefix("S: ") {
                lastWasServer = true
            } else if entry.hasPrefix("C: ") {
                if lastWasServer { waits += 1 }
                lastWasServer = false
            }
        }
        return waits
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

    /// A Markdown table, numbers right-aligned (every column after the first two text ones).
    static func markdown(_ header: [String], _ rows: [[String]]) {
        let text = header.prefix { ["server", "transport"].contains($0) }.count
        print("| " + header.joined(separator: " | ") + " |")
        print("| " + header.indices.map { $0 < text ? "---" : "---:" }.joined(separator: " | ") + " |")
        for row in rows { print("| " + row.joined(separator: " | ") + " |") }
    }

    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }
    /// 20000 as "20,000".
    static func count(_ value: Int) -> String {
        let digits = Array(String(value))
        return String(digits.enumerated().flatMap { index, digit in
            index > 0 && (digits.count - index) % 3 == 0 ? [",", digit] : [digit]
        })
    }
    static func milliseconds(_ value: Double) -> String { String(format: "%.2f ms", value * 1000) }
    static func ratio(_ value: Double) -> String { String(format: "%.2f×", value) }
    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
