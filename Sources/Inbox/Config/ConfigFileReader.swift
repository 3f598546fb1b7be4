import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a config file only if nobody but its owner, the user running Mailbag, can change it:
/// `password_command` is run as that user, so a writable config is a way to run code as them.
enum ConfigFileReader {
    enum Outcome {
        case missing
        /// `problems` says why the file must not be used; the text is still returned so that
        /// `mailbag config check` can report everything else in the same run.
        case read(text: String?, problems: [ConfigProblem])
    }

    /// Real config files are a few kilobytes; a bound keeps a wrong `--config` from reading a disk image.
    static let maximumSize = 1 << 20

    /// The permission checks and the read use one descriptor, so the file checked is the file read.
    static func load(path: String, userID: uid_t = getuid()) -> Outcome {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { return .missing }
            return .read(text: nil, problems: [ConfigProblem(
                file: path, message: "the file cannot be opened: \(String(cString: strerror(code)))",
                fix: code == EACCES ? "make it readable with chmod 600 \(path)" : "check the path")])
        }
        defer { close(descriptor) }

        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            return .read(text: nil, problems: [ConfigProblem(
                file: path, message: "the file cannot be examined: \(String(cString: strerror(errno)))", fix: "check the path")])
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .read(text: nil, problems: [ConfigProblem(
                file: path, message: "this is not a regular file", fix: "point it at the config.toml file itself")])
        }
        guard info.st_size <= maximumSize else {
            return .read(text: nil, problems: [ConfigProblem(
                file: path, message: "the file is \(info.st_size) bytes, far more than a config file",
                fix: "check that this is the right file")])
        }

        var problems: [ConfigProblem] = []
        if info.st_uid != userID {
            problems.append(ConfigProblem(
                file: path, message: "the file belongs to user \(info.st_uid), not to you (user \(userID)), so its owner could make Mailbag run commands as you",
                fix: "copy it to a file you own, or run chown \(userID) \(path)"))
        }
        if info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            problems.append(ConfigProblem(
                file: path, message: "the file is writable by \(info.st_mode & S_IWOTH != 0 ? "everyone" : "its group"), so others could make Mailbag run commands as you",
                fix: "chmod 600 \(path)"))
        }

        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count <= maximumSize {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            guard count > 0 else {
                if errno == EINTR { continue }
                problems.append(ConfigProblem(
                    file: path, message: "the file cannot be read: \(String(cString: strerror(errno)))", fix: "check the path"))
                return .read(text: nil, problems: problems)
            }
            bytes += buffer[..<count]
        }
        switch decode(bytes) {
        case .success(let text):
            return .read(text: text, problems: problems)
        case .failure(let encoding):
            problems.append(ConfigProblem(file: path, line: encoding.line, message: encoding.message, fix: encoding.fix))
            return .read(text: nil, problems: problems)
        }
    }

    struct EncodingProblem: Error {
        var line: Int
        var message: String
        var fix: String
    }

    /// TOML is UTF-8 without NUL; toml++ would stop silently at a NUL, so both are caught here
    /// with the line they are on.
    static func decode(_ bytes: [UInt8]) -> Result<String, EncodingProblem> {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var line = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" { line += 1 }
                if scalar == "\0" {
                    return .failure(EncodingProblem(line: line, message: "the file contains a NUL byte", fix: "save it as plain UTF-8 text"))
                }
            case .emptyInput:
                return .success(String(decoding: bytes, as: UTF8.self))
            case .error:
                return .failure(EncodingProblem(line: line, message: "the file is not valid UTF-8", fix: "save it as UTF-8 text"))
            }
        }
    }
}
