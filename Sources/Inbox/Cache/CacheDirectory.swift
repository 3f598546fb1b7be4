import Foundation

/// Where Mailbag keeps its caches: `$XDG_CACHE_HOME/mailbag`, by default `~/.cache/mailbag`.
/// The caches hold headers and whole messages, so the directory is private to the user (0700) and
/// every file in it 0600. Files are named from a hash of the account and server, never from
/// anything a server sent.
public struct CacheDirectory: Sendable, Equatable {
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    /// The XDG location; a relative `XDG_CACHE_HOME` is ignored, as the XDG spec requires.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> CacheDirectory {
        if let base = environment["XDG_CACHE_HOME"], base.hasPrefix("/") {
            return CacheDirectory(url: URL(fileURLWithPath: base, isDirectory: true)
                .appendingPathComponent("mailbag", isDirectory: true))
        }
        let home = environment["HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? FileManager.default.homeDirectoryForCurrentUser.path
        return CacheDirectory(url: URL(fileURLWithPath: home, isDirectory: true)
            .appendingPathComponent(".cache/mailbag", isDirectory: true))
    }

    /// The database file of one cache. The account's hash comes first so `clear(account:)` finds
    /// every server the account has pointed at.
    func file(_ kind: CacheKind, account: String, server: String) -> URL {
        url.appendingPathComponent("\(Self.prefix(kind, account: account))\(Self.fingerprint(server)).sqlite",
                                   isDirectory: false)
    }

    /// Removes the caches of `account`, or every cache when `account` is nil, and returns how many
    /// caches went. Files that do not follow Mailbag's naming are left alone.
    /// - Throws: `CacheError` when a file cannot be removed.
    @discardableResult
    public func clear(account: String?) throws(CacheError) -> Int {
        // Nothing was ever cached: there is nothing to clear.
        guard FileManager.default.fileExists(atPath: url.path) else { return 0 }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        } catch {
            throw .cannotClear(path: url.path, reason: error.localizedDescription)
        }
        let prefixes = CacheKind.allCases.map { kind in
            account.map { Self.prefix(kind, account: $0) } ?? "\(kind.rawValue)-"
        }
        var removed = 0
        for name in names where prefixes.contains(where: name.hasPrefix) {
            guard let suffix = Self.fileSuffixes.first(where: name.hasSuffix) else { continue }
            let path = url.appendingPathComponent(name).path
            if let failure = Self.removeIfPresent(path) { throw .cannotClear(path: path, reason: failure) }
            if suffix == ".sqlite" { removed += 1 }
        }
        return removed
    }

    /// Creates the directory (0700) or checks the existing one, tightening its mode when it is too
    /// open. Returns true when other users could write into it until now: whatever it holds may
    /// have been planted, so the caller must not trust the files in it.
    func prepare() throws(CacheError) -> Bool {
        let path = url.path
        var info = stat()
        if stat(path, &info) != 0 {
            guard errno == ENOENT else { throw .cannotPrepare(path: path, reason: Self.lastError()) }
            do {
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700])
            } catch {
                throw .cannotPrepare(path: path, reason: error.localizedDescription)
            }
            if mkdir(path, 0o700) != 0 && errno != EEXIST {
                throw .cannotPrepare(path: path, reason: Self.lastError())
            }
            guard stat(path, &info) == 0 else { throw .cannotPrepare(path: path, reason: Self.lastError()) }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .notADirectory(path: path) }
        guard info.st_uid == geteuid() else { throw .foreignOwner(path: path) }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            guard chmod(path, 0o700) == 0 else { throw .cannotPrepare(path: path, reason: Self.lastError()) }
        }
        return mode & 0o022 != 0
    }

    /// The database and the files SQLite keeps beside it.
    static let fileSuffixes = [".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal"]

    /// Returns why the file could not be removed, or nil when it is gone (or never was there).
    static func removeIfPresent(_ path: String) -> String? {
        unlink(path) != 0 && errno != ENOENT ? lastError() : nil
    }

    static func lastError() -> String {
        String(cString: strerror(errno))
    }

    private static func prefix(_ kind: CacheKind, account: String) -> String {
        "\(kind.rawValue)-\(fingerprint(account))-"
    }

    /// FNV-1a, 64 bits: stable across runs and platforms, which `Hasher` (seeded per process) is
    /// not; 64 bits make a collision among one user's accounts negligible.
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
