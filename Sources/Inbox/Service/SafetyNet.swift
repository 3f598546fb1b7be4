import Foundation
import POP3
import Synchronization

/// The `keep_deleted` folder: right before the commit sends a message's DELE, the message is
/// saved there (from the body cache, else downloaded on the session that deletes), so a deletion
/// can be undone after the fact. A message that cannot be saved is not deleted.
public final class SafetyNet: Sendable {
    public let folder: String
    /// The most bytes the folder may hold; a message that would pass it is kept on the server.
    public let byteLimit: Int
    private let bodyCache: BodyCache?
    /// Messages saved already: a commit cut off before QUIT is run again, and must not save
    /// them twice.
    private let saved = Mutex<Set<MessageListing>>([])

    /// - Parameter folder: as configured; `~` expands, and a missing folder is created.
    public init(folder: String, byteLimit: Int, bodyCache: BodyCache?) {
        self.folder = folder
        self.byteLimit = byteLimit
        self.bodyCache = bodyCache
    }

    /// Saves `entry`, message `number` on `session`. Returns nil once it is on disk, else why it
    /// is not (the message is then not deleted). Throws only what ends the session.
    func keep(_ entry: MessageListing, number: Int, on session: POP3Session) async throws -> String? {
        if saved.withLock({ $0.contains(entry) }) { return nil }
        let target: MailFolder
        do {
            target = try MailFolder(folder)
            if !target.exists { try target.create() }
        } catch {
            return "it could not be saved in keep_deleted first: \(error.description)"
        }
        let raw: [UInt8]
        if let uid = entry.uid, let cached = try? bodyCache?.message(uid: uid, size: entry.size) {
            raw = cached
        } else {
            do {
                raw = try await session.retrieve(number, expectedSize: entry.size)
            } catch let error as POP3Error where !error.endsSession {
                return "it could not be downloaded to save in keep_deleted first: \(error)"
            }
        }
        if Self.size(of: target) + raw.count > byteLimit {
            return "keep_deleted (\(target.path)) would grow past keep_deleted_limit (\(ByteCount.format(byteLimit))); empty it or raise the limit"
        }
        do {
            try target.deliver(raw)
        } catch {
            return "it could not be saved in keep_deleted first: \(error.description)"
        }
        saved.withLock { _ = $0.insert(entry) }
        return nil
    }

    /// The bytes the folder holds: the mbox file, or the messages of a Maildir.
    static func size(of folder: MailFolder) -> Int {
        switch folder.kind {
        case .mbox:
            return ((try? FileManager.default.attributesOfItem(atPath: folder.path))?[.size] as? Int) ?? 0
        case .maildir:
            var total = 0
            for sub in ["new", "cur"] {
                let dir = "\(folder.path)/\(sub)"
                for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                    total += ((try? FileManager.default.attributesOfItem(atPath: "\(dir)/\(name)"))?[.size] as? Int) ?? 0
                }
            }
            return total
        }
    }
}
