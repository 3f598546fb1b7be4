import ArgumentParser
import Foundation

/// Peak RSS of a whole index load, measured in a process of its own so that nothing the other
/// benchmarks allocated counts.
struct MemoryProbe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory-probe", abstract: "Load one mailbox's index and print peak RSS (used by the memory benchmark).",
        shouldDisplay: false)

    struct Report: Codable {
        var rows: Int
        var baselineKB: Int
        var peakKB: Int
    }

    @Option(help: "Rig user whose mailbox to load.")
    var user: String

    @Option(help: "Header cache directory to use (also handy for profiling one warm load).")
    var cacheDirectory: String?

    mutating func run() async throws {
        let rig = try RigEnvironment.fromEnvironment()
        let baseline = ResidentMemory.current
        var reader = HeadlessReader(port: rig.plainPort, user: user, password: rig.password)
        reader.cacheDirectory = cacheDirectory.map { URL(fileURLWithPath: $0) }
        let (_, model) = try await reader.loadIndex()
        let report = Report(rows: model.listings.count, baselineKB: baseline, peakKB: ResidentMemory.peak)
        print(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
    }

    static func runChild(user: String, rig: RigEnvironment) async throws -> Report {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        process.arguments = ["memory-probe", "--user", user]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchFailure("memory-probe exited with status \(process.terminationStatus)") }
        return try JSONDecoder().decode(Report.self, from: data)
    }
}
