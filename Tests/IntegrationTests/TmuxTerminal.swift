import Foundation
import XCTest

/// A real terminal for end-to-end tests: tmux on a private socket runs the program, `send-keys`
/// types, `capture-pane` reads the screen.
final class TmuxTerminal {
    private let socket = "mailbag-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
    private let target = "e2e"

    init(command: [String], width: Int = 100, height: Int = 30, environment: [String: String] = [:]) throws {
        let env = ["TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8"] + environment.map { "\($0.key)=\($0.value)" }
        // The pane stays after the program exits so its last words can be read.
        let shell = "env \(env.map(Self.quote).joined(separator: " ")) \(command.map(Self.quote).joined(separator: " ")); echo \"[exit $?]\"; sleep 600"
        try tmux(["new-session", "-d", "-s", target, "-x", String(width), "-y", String(height), shell])
    }

    deinit {
        _ = try? tmux(["kill-server"])
    }

    func send(_ keys: String...) throws {
        try tmux(["send-keys", "-t", target] + keys)
    }

    /// Types text literally (no key-name lookup).
    func type(_ text: String) throws {
        try tmux(["send-keys", "-t", target, "-l", text])
    }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", target, "-x", String(width), "-y", String(height)])
    }

    /// The screen as plain text, or with attributes as escape sequences (`-e`).
    func screen(escapes: Bool = false) throws -> String {
        try tmux(["capture-pane", "-p", "-t", target] + (escapes ? ["-e"] : []))
    }

    /// The pane's title, which an OSC 0/2 sequence sets.
    func title() throws -> String {
        try tmux(["display-message", "-p", "-t", target, "#{pane_title}"])
    }

    /// Polls the screen until `condition` holds; fails the test with the last screen otherwise.
    @discardableResult
    func waitFor(_ what: String, timeout: TimeInterval = 20, file: StaticString = #filePath, line: UInt = #line,
                 _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            usleep(100_000)
        }
        XCTFail("timed out waiting for \(what); the screen was:\n\(last)", file: file, line: line)
        throw TmuxError.timeout(what)
    }

    func waitFor(text: String, timeout: TimeInterval = 20, file: StaticString = #filePath, line: UInt = #line) throws {
        try waitFor("\"\(text)\"", timeout: timeout, file: file, line: line) { $0.contains(text) }
    }

    /// Runs tmux through the shell with output in a file. Foundation's Process is not used here:
    /// its waitUntilExit never returns once the tmux client has forked the server daemon.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let words = ["tmux", "-L", socket, "-f", "/dev/null"] + arguments
        let command = words.map(Self.quote).joined(separator: " ") + " >\(Self.quote(output.path)) 2>/dev/null </dev/null"
        let status = system(command)
        guard status == 0 || arguments.first == "kill-server" else {
            throw TmuxError.failed(arguments.joined(separator: " "))
        }
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    private static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    enum TmuxError: Error { case timeout(String), failed(String) }
}
