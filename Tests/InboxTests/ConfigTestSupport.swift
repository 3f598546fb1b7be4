import Foundation
import Inbox
import XCTest

let configPath = "/home/alice/.config/mailbag/config.toml"

/// The problems `text` has; fails the test when it loads cleanly.
func configProblems(
    _ text: String, themeProblem: @escaping (String) -> String? = { _ in nil },
    file: StaticString = #filePath, line: UInt = #line
) -> [ConfigProblem] {
    do {
        _ = try MailbagConfig.parse(text, file: configPath, environment: ["HOME": "/home/alice"], themeProblem: themeProblem)
        XCTFail("the config loaded without problems", file: file, line: line)
        return []
    } catch {
        guard case .invalid(let errorFile, let problems) = error else {
            XCTFail("expected .invalid, got \(error)", file: file, line: line)
            return []
        }
        XCTAssertEqual(errorFile, configPath, file: file, line: line)
        return problems
    }
}

/// The one problem `text` has, rendered; fails the test when there is not exactly one.
func onlyProblem(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
    let problems = configProblems(text, file: file, line: line)
    XCTAssertEqual(problems.count, 1, "\(problems)", file: file, line: line)
    return problems.first?.description
}

func loadConfig(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> MailbagConfig {
    do {
        return try MailbagConfig.parse(text, file: configPath, environment: ["HOME": "/home/alice"])
    } catch {
        XCTFail(error.description, file: file, line: line)
        throw error
    }
}

/// A private directory for files the test writes, removed afterwards.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    @discardableResult
    func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        try write(name, Data(text.utf8), mode: mode)
    }

    @discardableResult
    func write(_ name: String, _ data: Data, mode: Int = 0o600) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: file))
        // Set after writing, because the umask may have narrowed the mode the file was created with.
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
