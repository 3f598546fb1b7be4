// Header-fetch benchmark (issue 2): every `TOP n 0` of a Dovecot mailbox, pipelined against
// lock-step, through a proxy that adds latency in each direction. Run by scripts/bench, which
// starts the test Dovecot and exports its MAILBAG_TEST_* variables:
//   HeaderBench [USER] [ONE-WAY-MS ...]      (default: carol, 0 and 5 ms)
import Foundation
import POP3
import POP3Server

let env = ProcessInfo.processInfo.environment
guard let host = env["MAILBAG_TEST_HOST"], let port = env["MAILBAG_TEST_POP3S_PORT"].flatMap(Int.init),
      let caFile = env["MAILBAG_TEST_CA_FILE"], let password = env["MAILBAG_TEST_PASSWORD"]
else {
    FileHandle.standardError.write(Data("HeaderBench: run it through scripts/bench (it needs the test Dovecot).\n".utf8))
    exit(2)
}
let arguments = Array(CommandLine.arguments.dropFirst())
let user = arguments.first.flatMap { Int($0) == nil ? $0 : nil } ?? "carol"
let latencies = arguments.compactMap(Int.init).isEmpty ? [0, 5] : arguments.compactMap(Int.init)

/// Seconds to fetch every header once over a fresh session, and how many headers came back.
func fetchAll(proxyPort: Int, window: Int) async throws -> (seconds: Double, count: Int) {
    var config = POP3Configuration(host: host, port: proxyPort, security: .implicitTLS, caFile: caFile)
    config.pipelineWindow = window
    let session = try await POP3Session.connect(config)
    try await session.login(user: user, password: password)
    let count = try await session.stat().count
    let clock = ContinuousClock()
    let counter = Counter()
    let elapsed = try await clock.measure {
        try await session.topBatch(Array(1...count), lines: 0) { _, result in
            if case .success = result { await counter.add() }
        }
    }
    _ = try await session.quit()
    let (s, atto) = elapsed.components
    return (Double(s) + Double(atto) / 1e18, await counter.value)
}

actor Counter {
    var value = 0
    func add() { value += 1 }
}

print("Fetching every header (TOP n 0) of \(user)'s mailbox on Dovecot, over TLS")
print("one-way delay | messages | pipelined | lock-step | lock-step ÷ pipelined")
for latency in latencies {
    let proxy = TCPProxy(targetHost: host, targetPort: port, oneWayDelay: .milliseconds(latency))
    let proxyPort = try await proxy.start()
    let pipelined = try await fetchAll(proxyPort: proxyPort, window: 128)
    let lockStep = try await fetchAll(proxyPort: proxyPort, window: 1)
    await proxy.stop()
    let row = [
        "\(latency) ms".padding(toLength: 13, withPad: " ", startingAt: 0),
        String(pipelined.count).padding(toLength: 8, withPad: " ", startingAt: 0),
        String(format: "%8.3f s", pipelined.seconds),
        String(format: "%8.3f s", lockStep.seconds),
        String(format: "%.1f×", lockStep.seconds / pipelined.seconds),
    ]
    print(row.joined(separator: " | "))
}
