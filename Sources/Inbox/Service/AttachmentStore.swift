import Foundation
import MailMessage

/// Writes decoded attachments to a directory the user chose. Names come from hostile mail, so
/// they are reduced to a safe base name, created exclusively with mode 0600, and given a numeric
/// suffix rather than replacing anything already there. What a save writes is an
/// `AttachmentSavePlan`, for the reader and `mailbag show` alike.
public struct AttachmentStore: Sendable {
    public var directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// Writes one entry of a plan under its own name, decoding it only now.
    /// - Throws: `AttachmentStoreError` when no file can be created or written.
    public func save(_ entry: AttachmentSavePlan.Entry) throws -> URL {
        try save(entry.data(), suggestedName: entry.info.filename)
    }

    /// - Throws: `AttachmentStoreError` when no file can be created or written.
    public func save(_ data: [UInt8], suggestedName: String) throws -> URL {
        let safe = AttachmentName.safe(suggestedName)
        let (stem, ext) = Self.split(safe)
        for attempt in 0..<10_000 {
            let name = attempt == 0 ? safe : "\(stem)-\(attempt)\(ext)"
            let url = directory.appendingPathComponent(name, isDirectory: false)
            let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd < 0 {
                if errno == EEXIST { continue }
                throw AttachmentStoreError.cannotCreate(url.path, String(cString: strerror(errno)))
            }
            defer { close(fd) }
            var written = 0
            while written < data.count {
                let result = data[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if result < 0 {
                    if errno == EINTR { continue }
                    let why = String(cString: strerror(errno))
                    // A cut-off file would pass for the attachment later.
                    unlink(url.path)
                    throw AttachmentStoreError.cannotWrite(url.path, why)
                }
                written += result
            }
            return url
        }
        throw AttachmentStoreError.tooManyCopies(safe)
    }

    /// "report.tar.gz" keeps ".gz" as its extension so copies read "report.tar-1.gz".
    private static func split(_ name: String) -> (String, String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), String(name[dot...]))
    }
}

public enum AttachmentStoreError: Error, CustomStringConvertible {
    case cannotCreate(String, String)
    case cannotWrite(String, String)
    case tooManyCopies(String)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let why): "Cannot create \(path): \(why)."
        case .cannotWrite(let path, let why): "Cannot write \(path): \(why); the partial file was removed."
        case .tooManyCopies(let name): "Too many files named like \(name) already exist; choose another directory."
        }
    }
}
