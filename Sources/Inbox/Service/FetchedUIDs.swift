import Foundation
import Glibc

/// Which messages of a mailbox `mailbag fetch` has already delivered into a folder, by UID: the
/// file `FOLDER.mailbag-fetched` beside the folder, one `uid<TAB>user@host:port` line each.
///
/// It lives beside the folder rather than in the header cache because it describes the folder's
/// contents: it survives `--no-cache` and `mailbag cache clear`, moves with the folder, and a
/// second folder fed from the same mailbox has its own. UIDs are added only after their messages
/// are fsynced in the folder, and are fsynced themselves before the next messages are written,
/// so a run cut off anywhere leaves a record a re-run can trust: nothing recorded is missing
/// from the folder. (A crash between the two fsyncs can still leave one batch delivered but not
/// recorded, which a re-run delivers again.)
public final class FetchedUIDs {
    public let path: String
    private let server: String
    public private(set) var uids: Set<String>
    private var descriptor: Int32 = -1
    /// Whether the file's last line lacks its line end (a write cut short by a crash).
    private var needsNewline = false

    /// - Parameter server: the mailbox's identity, `user@host:port`.
    /// - Throws: `MailFolderError` when the record exists and cannot be read.
    public init(beside folder: MailFolder, server: String) throws(MailFolderError) {
        path = folder.path + Self.suffix
        self.server = server
        uids = []
        guard let data = FileManager.default.contents(atPath: path) else {
            if access(path, F_OK) == 0 { throw .cannotOpen(path, "it cannot be read") }
            return
        }
        let bytes = [UInt8](data)
        needsNewline = !bytes.isEmpty && bytes.last != UInt8(ascii: "\n")
        // A last line without its line end was cut short, and counts for nothing.
        let complete = needsNewline ? bytes[..<(bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0)] : bytes[...]
        for line in complete.split(separator: UInt8(ascii: "\n")) {
            guard let tab = line.firstIndex(of: UInt8(ascii: "\t")),
                  String(decoding: line[(tab + 1)...], as: UTF8.self) == server else { continue }
            uids.insert(String(decoding: line[..<tab], as: UTF8.self))
        }
    }

    /// Removes the record of a folder that no longer exists.
    /// - Throws: `MailFolderError` when the record cannot be removed.
    public static func discard(beside folder: MailFolder) throws(MailFolderError) {
        let path = folder.path + suffix
        guard unlink(path) == 0 || errno == ENOENT else { throw .cannotWrite(path, MailFolder.reason()) }
    }

    private static let suffix = ".mailbag-fetched"

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    public func contains(_ uid: String) -> Bool { uids.contains(uid) }

    /// Records UIDs whose messages are safely in the folder, in one write; on disk when this returns.
    /// - Throws: `MailFolderError` when the record cannot be written.
    public func add(_ fetched: [String]) throws(MailFolderError) {
        let fresh = fetched.filter { !uids.contains($0) }
        guard !fresh.isEmpty else { return }
        if descriptor < 0 {
            descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard descriptor >= 0 else { throw .cannotCreate(path, MailFolder.reason()) }
        }
        let lines = Array(((needsNewline ? "\n" : "") + fresh.map { "\($0)\t\(server)\n" }.joined()).utf8)
        let written = lines.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == lines.count, fsync(descriptor) == 0 else {
            throw .cannotWrite(path, written < 0 ? MailFolder.reason() : "the disk took only part of the record")
        }
        needsNewline = false
        uids.formUnion(fresh)
    }
}
