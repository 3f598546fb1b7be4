import Foundation
import Inbox
import XCTest

/// Every external program runs through `ExternalCommand`: bounded in time and output, fed from
/// a private file, and inside Mailbag's process group so it can use the terminal.
final class ExternalCommandTests: XCTestCase {
    func testCaptureFeedsTheInputAndReturnsTheOutput() async throws {
        let output = try await ExternalCommand("tr a-z A-Z").capture(input: Array("hello\n".utf8), timeout: .seconds(10), outputLimit: 100)
        XCTAssertEqual(String(decoding: output, as: UTF8.self), "HELLO\n")
    }

    func testFailuresAreTypedAndSayWhatHappened() async {
        do {
            _ = try await ExternalCommand("exit 3").capture(timeout: .seconds(10), outputLimit: 100)
            XCTFail("a failing command succeeded")
        } catch {
            XCTAssertEqual(error, .failed("exit 3", "it exited with status 3"))
        }
        do {
            _ = try await ExternalCommand("yes").capture(timeout: .seconds(10), outputLimit: 10_000)
            XCTFail("endless output was accepted")
        } catch {
            XCTAssertEqual(error, .tooMuchOutput("yes", 10_000))
        }
        let start = ContinuousClock.now
        do {
            _ = try await ExternalCommand("sleep 30").capture(timeout: .milliseconds(300), outputLimit: 100)
            XCTFail("a hanging command finished")
        } catch {
            XCTAssertEqual(error, .timedOut("sleep 30", .milliseconds(300)))
            XCTAssertTrue(error.description.contains("was stopped"), error.description)
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5), "the timeout was not enforced")
    }

    /// The input is a file, not a pipe: a command that never reads 4 MB of it still succeeds,
    /// and one that seeks can.
    func testACommandThatIgnoresItsInputStillSucceeds() async throws {
        let large = [UInt8](repeating: UInt8(ascii: "x"), count: 4 << 20)
        let output = try await ExternalCommand("echo done").capture(input: large, timeout: .seconds(10), outputLimit: 100)
        XCTAssertEqual(String(decoding: output, as: UTF8.self), "done\n")
        let tail = try await ExternalCommand("tail -c 3").capture(input: Array("abcdef".utf8), timeout: .seconds(10), outputLimit: 100)
        XCTAssertEqual(String(decoding: tail, as: UTF8.self), "def")
    }

    /// Why `| less` failed: a child in a process group of its own is not in the terminal's
    /// foreground group, so reading the terminal stops it.
    func testChildrenStayInMailbagsProcessGroup() async throws {
        let output = try await ExternalCommand("cut -d' ' -f5 /proc/$$/stat").capture(timeout: .seconds(10), outputLimit: 100)
        XCTAssertEqual(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "\(getpgrp())")
    }

    func testRunOnTheTerminalReportsHowTheCommandEnded() async {
        let ok = await ExternalCommand("cat >/dev/null").runOnTerminal(input: Array("message".utf8))
        XCTAssertEqual(ok, .exited(0))
        XCTAssertTrue(ok.succeeded)
        let failed = await ExternalCommand("exit 4").runOnTerminal(input: [])
        XCTAssertEqual(failed.summary, "The command ended with status 4.")
        let killed = await ExternalCommand("kill -TERM $$").runOnTerminal(input: [])
        XCTAssertEqual(killed, .signalled(SIGTERM))
    }
}
