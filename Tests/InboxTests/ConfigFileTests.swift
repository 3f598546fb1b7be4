import Foundation
@testable import Inbox
import XCTest

/// Loading from disk: where the file is looked for, and when it is refused.
final class ConfigFileTests: XCTestCase {
    private let account = """
        [accounts.work]
        host = "mail.example.org"
        user = "alice"
        """

    func testDefaultPathFollowsXDGThenHome() {
        XCTAssertEqual(MailbagConfig.defaultPath(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]), "/x/mailbag/config.toml")
        XCTAssertEqual(MailbagConfig.defaultPath(environment: ["XDG_CONFIG_HOME": "", "HOME": "/h"]), "/h/.config/mailbag/config.toml")
        XCTAssertEqual(MailbagConfig.defaultPath(environment: ["HOME": "/h"]), "/h/.config/mailbag/config.toml")
    }

    func testDefaultFileIsLoadedFromXDGConfigHome() throws {
        let directory = try TemporaryDirectory()
        try directory.write("mailbag/config.toml", account)
        let config = try XCTUnwrap(MailbagConfig.load(explicitPath: nil, environment: ["XDG_CONFIG_HOME": directory.path]))
        XCTAssertEqual(config.file, directory.path + "/mailbag/config.toml")
        XCTAssertEqual(config.accounts.map(\.name), ["work"])
    }

    func testMissingDefaultFileMeansNoConfig() throws {
        let directory = try TemporaryDirectory()
        XCTAssertNil(try MailbagConfig.load(explicitPath: nil, environment: ["XDG_CONFIG_HOME": directory.path]))
    }

    func testMissingExplicitFileIsAnError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/absent.toml"
        XCTAssertThrowsError(try MailbagConfig.load(explicitPath: path)) { error in
            XCTAssertEqual(error as? ConfigError, .notFound(file: path))
            XCTAssertEqual("\(error)", "There is no config file at \(path); create it (`mailbag config --help` shows an example) or give a pop3s:// URL instead.")
        }
    }

    func testOwnerOnlyAndReadableByOthersAreAccepted() throws {
        let directory = try TemporaryDirectory()
        for mode in [0o600, 0o644, 0o400] {
            let file = try directory.write("config-\(mode).toml", account, mode: mode)
            XCTAssertNotNil(try MailbagConfig.load(explicitPath: file), "mode \(String(mode, radix: 8))")
        }
    }

    func testWorldWritableFileIsRefused() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("config.toml", account, mode: 0o666)
        XCTAssertEqual(problems(loading: file), [
            "\(file): error: the file is writable by everyone, so others could make Mailbag run commands as you (chmod 600 \(file))",
        ])
    }

    func testGroupWritableFileIsRefusedAlongsideItsOtherProblems() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("config.toml", account + "\nprot = 995\n", mode: 0o620)
        XCTAssertEqual(problems(loading: file), [
            "\(file): error: the file is writable by its group, so others could make Mailbag run commands as you (chmod 600 \(file))",
            "\(file):4:1: error: unknown key `prot` in [accounts.work] (did you mean `port`?)",
        ])
    }

    func testFileOwnedByAnotherUserIsRefused() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("config.toml", account)
        let stranger = getuid() + 1
        guard case .read(let text, let problems) = ConfigFileReader.load(path: file, userID: stranger) else {
            return XCTFail("the file exists")
        }
        XCTAssertEqual(text, account)
        XCTAssertEqual(problems.map(\.description), [
            "\(file): error: the file belongs to user \(getuid()), not to you (user \(stranger)), so its owner could make Mailbag run commands as you (copy it to a file you own, or run chown \(stranger) \(file))",
        ])
    }

    func testDirectoryAndInvalidEncodingAreReported() throws {
        let directory = try TemporaryDirectory()
        XCTAssertEqual(problems(loading: directory.path), [
            "\(directory.path): error: this is not a regular file (point it at the config.toml file itself)",
        ])
        let latin1 = try directory.write("latin1.toml", Data("[accounts.work]\nuser = \"J".utf8) + Data([0xF6]) + Data("rg\"\n".utf8))
        XCTAssertEqual(problems(loading: latin1), ["\(latin1):2: error: the file is not valid UTF-8 (save it as UTF-8 text)"])
        let nul = try directory.write("nul.toml", Data("# one\n# two\nhost = \"a\0b\"\n".utf8))
        XCTAssertEqual(problems(loading: nul), ["\(nul):3: error: the file contains a NUL byte (save it as plain UTF-8 text)"])
    }

    private func problems(loading file: String, line: UInt = #line) -> [String] {
        do {
            _ = try MailbagConfig.load(explicitPath: file)
            XCTFail("the file was accepted", line: line)
            return []
        } catch {
            guard case .invalid(_, let problems) = error else {
                XCTFail("expected .invalid, got \(error)", line: line)
                return []
            }
            return problems.map(\.description)
        }
    }
}
