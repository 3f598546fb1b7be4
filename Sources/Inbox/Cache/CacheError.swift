import Foundation

/// Which on-disk cache a message or error is about.
public enum CacheKind: String, Sendable, CaseIterable {
    case headers
    case bodies

    /// How the user hears about it.
    var name: String {
        switch self {
        case .headers: "header cache"
        case .bodies: "message cache"
        }
    }
}

/// Why a cache could not be used. Every case leaves the reader working without the cache, so each
/// sentence says what the user can do about it rather than what broke inside SQLite.
public enum CacheError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case notADirectory(path: String)
    case foreignOwner(path: String)
    case cannotPrepare(path: String, reason: String)
    case unavailable(CacheKind, path: String, reason: String)
    case readFailed(CacheKind, reason: String)
    case writeFailed(CacheKind, reason: String)
    case cannotClear(path: String, reason: String)

    public var description: String {
        switch self {
        case .notADirectory(let path):
            "\(path) is not a directory, so Mailbag cannot keep its cache there; remove it or set XDG_CACHE_HOME to another place."
        case .foreignOwner(let path):
            "The cache directory \(path) belongs to another user; remove it or set XDG_CACHE_HOME to a directory of your own."
        case .cannotPrepare(let path, let reason):
            "The cache directory \(path) cannot be created or made private (\(reason)); check the permissions of its parent or use --no-cache."
        case .unavailable(let kind, let path, let reason):
            "The \(kind.name) \(path) cannot be opened (\(reason)); Mailbag works without it this time, and `mailbag cache clear` removes it if this keeps happening."
        case .readFailed(let kind, let reason):
            "The \(kind.name) could not be read (\(reason)); Mailbag asks the server instead, and `mailbag cache clear` removes the cache if this keeps happening."
        case .writeFailed(let kind, let reason):
            "The \(kind.name) could not be updated (\(reason)); it keeps its previous content, and freeing disk space lets it catch up next time."
        case .cannotClear(let path, let reason):
            "Cannot remove the cache file \(path) (\(reason)); check the permissions of the cache directory."
        }
    }

    public var errorDescription: String? { description }
}
