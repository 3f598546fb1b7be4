import Foundation
import Inbox
import XCTest

/// RFC 1524 mailcaps as mutt reads them, and viewers that never splice message data into a
/// command line.
final class MailcapTests: XCTestCase {
    private let text = #"""
        # comment
        text/html; w3m -dump -T text/html %s; copiousoutput; nametemplate=%s.html
        application/pdf; zathura '%s'; test=test -n "$DISPLAY"
        image/*; feh %s
        text/x-diff; colordiff | less -R; needsterminal
        application/x-long; first-part \
          --second-part %s; needsterminal
        application/x-semi; echo a\;b %s
        broken line without a command
        """#

    func testEntriesFlagsContinuationsAndEscapes() {
        let mailcap = Mailcap(parsing: text)
        XCTAssertEqual(mailcap.entries.map(\.type), ["text/html", "application/pdf", "image/*", "text/x-diff", "application/x-long", "application/x-semi"])
        XCTAssertTrue(mailcap.entries[0].copiousOutput)
        XCTAssertEqual(mailcap.entries[1].test, #"test -n "$DISPLAY""#)
        XCTAssertTrue(mailcap.entries[3].needsTerminal)
        XCTAssertEqual(mailcap.entries[4].command, "first-part   --second-part %s")
        XCTAssertEqual(mailcap.entries[5].command, "echo a;b %s")
        XCTAssertEqual(mailcap.candidates(for: "IMAGE/PNG").map(\.command), ["feh %s"])
        XCTAssertEqual(mailcap.candidates(for: "application/zip"), [])
    }

    func testFileAndTypeBecomeArgumentsNeverText() {
        XCTAssertEqual(AttachmentViewer.positional("zathura '%s'"), #"zathura "$1""#)
        XCTAssertEqual(AttachmentViewer.positional("view -t %t %s"), #"view -t "$2" "$1""#)
        XCTAssertEqual(AttachmentViewer.positional("iconv -f %{charset} %s"), #"iconv -f  "$1""#, "parameters come from the message: dropped")
        XCTAssertEqual(AttachmentViewer.positional("colordiff | less -R"), #"colordiff | less -R < "$1""#, "no %s: the file on stdin")
    }

    func testTheFirstEntryWhoseTestPassesWinsElseTheOpener() async {
        let mailcap = Mailcap(parsing: "text/plain; never %s; test=false\ntext/plain; cat %s; copiousoutput\n")
        let viewer = await AttachmentViewer.find(for: "text/plain", in: mailcap, hasOpener: true)
        XCTAssertEqual(viewer?.command.commandLine, #"cat "$1""#)
        XCTAssertEqual(viewer?.copiousOutput, true)
        let fallback = await AttachmentViewer.find(for: "application/zip", in: mailcap, hasOpener: true)
        XCTAssertEqual(fallback?.detaches, true)
        let none = await AttachmentViewer.find(for: "application/zip", in: mailcap, hasOpener: false)
        XCTAssertNil(none)
    }

    /// The part is written privately, the viewer gets its path as an argument, a hostile content
    /// type runs nothing, and the file is gone afterwards.
    func testTheOpenerRunsTheViewerOnAPrivateFileAndRemovesIt() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("mailcap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let mailcap = Mailcap(parsing: "application/*; cp %s \(out.path)/copy && ls -l %s > \(out.path)/mode && echo %t > \(out.path)/type\n")
        let hostileType = "application/x-y;touch \(out.path)/pwned"
        let outcome = await AttachmentOpener.open(Array("secret bytes".utf8), name: "report.bin", contentType: hostileType, mailcap: mailcap)
        XCTAssertEqual(outcome, .viewed(.exited(0)))
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("copy"), encoding: .utf8), "secret bytes")
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("mode"), encoding: .utf8).hasPrefix("-rw-------"))
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("type"), encoding: .utf8), hostileType.lowercased() + "\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("pwned").path), "the content type ran a command")
        let path = try String(contentsOf: out.appendingPathComponent("mode"), encoding: .utf8).split(separator: " ").last.map(String.init) ?? ""
        XCTAssertFalse(FileManager.default.fileExists(atPath: path.trimmingCharacters(in: .whitespacesAndNewlines)), "the private file was left behind")
        let missing = await AttachmentOpener.open([], name: "x", contentType: "video/mp4", mailcap: Mailcap(entries: []))
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/xdg-open") { return }
        XCTAssertEqual(missing, .noViewer("video/mp4"))
        XCTAssertTrue(missing.summary.contains("~/.mailcap"))
    }
}
