import ArgumentParser
import Foundation
import POP3
import POP3Server

/// One kind of index load, again and again, with the CPU time each took: the thing to run under
/// `perf record -g` when a row of the index table needs explaining.
struct RepeatLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repeat-load", abstract: "Load one mailbox's index repeatedly, cold or warm, printing wall and CPU time.",
        shouldDisplay: false)

    @Option(help: "Rig user whose mailbox to load.")
    var user = "heidi"

    @Option(help: "Server to load from: dovecot, courier or cyrus (its rig's variables set).")
    var server = "dovecot"

    @Flag(help: "Connect with implicit TLS instead of plaintext.")
    var tls = false

    @Flag(help: "Fill a header cache first and load from it.")
    var warm = false

    @Flag(help: "Load into an emptied header cache each time: a first visit as the reader makes it, storing every summary.")
    var emptyCache = false

    @Flag(help: "Load with the pipelined floor client instead of Mailbag: what the proxy and the floor cost this process.")
    var floor = false

    @Option(help: "One-way delay in milliseconds the proxy adds.")
    var latency = 20

    @Option(help: "How many loads.")
    var runs = 10

    @Option(help: "Write a timestamped protocol trace of every load to this file.")
    var trace: String?

    mutating func run() async throws {
        let server = try RigEnvironment.fromEnvironment().server(server)
        let transport: Transport = tls ? .tls : .plain
        let proxy = TCPProxy(targetPort: try server.port(transport), oneWayDelay: .milliseconds(latency))
        let port = try await proxy.start()
        let endpoint = try server.floorEndpoint(port: port, transport: transport)
        var reader = server.reader(port: port, user: user, transport: transport)
        reader.trace = try trace.map(ProtocolTrace.init(path:))
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-repeat-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        if warm || emptyCache { reader.cacheDirectory = cache }
        if warm { _ = try await reader.loadIndex() }
        print("run  login   1st screen  complete  CPU (process)")
        for run in 1...runs {
            if emptyCache { try? FileManager.default.removeItem(at: cache) }
            let before = ProcessorTime.current
            if floor {
                let timing = try await FloorClient.fetchHeaders(endpoint, user: user, password: server.password, start: .now)
                print(String(format: "%3d  -      -           %.3f     %.3f", run, timing.total, ProcessorTime.current - before))
                continue
            }
            let (timing, _) = try await reader.loadIndex()
            print(String(format: "%3d  %.3f  %.3f       %.3f     %.3f", run, timing.login, timing.firstScreen,
                         timing.complete, ProcessorTime.current - before))
        }
        await proxy.stop()
    }
}

/// CPU seconds this process has used, on all its threads.
enum ProcessorTime {
    static var current: Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
