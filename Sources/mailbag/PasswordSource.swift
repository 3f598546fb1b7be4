import Foundation
import Inbox
#if canImport(Glibc)
import Glibc
#endif

/// Where the password comes from: a command the user configured, or a no-echo prompt on the
/// terminal. The password is never taken from arguments, so it never shows in `ps`.
struct PasswordSource {
    var command: String?

    func password(user: String, host: String) async throws -> String {
        if let command { return try await run(command) }
        return try prompt("Password for \(user)@\(host): ")
    }

    private func run(_ command: String) async throws -> String {
        let line: String?
        do {
            line = try await ExternalCommand(command).secret()
        } catch {
            throw PasswordError.commandFailed(error.description)
        }
        guard let line else { throw PasswordError.commandFailed("it printed no password") }
        return line
    }

    private func prompt(_ text: String) throws -> String {
        let tty = open("/dev/tty", O_RDWR)
        guard tty >= 0 else { throw PasswordError.noTerminal }
        defer { close(tty) }
        var saved = termios()
        guard tcgetattr(tty, &saved) == 0 else { throw PasswordError.noTerminal }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        _ = text.withCString { write(tty, $0, strlen($0)) }
        tcsetattr(tty, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(tty, TCSAFLUSH, &saved)
            _ = write(tty, "\n", 1)
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(tty, &byte, 1) == 1, byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") {
            bytes.append(byte)
            if bytes.count > 4096 { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

enum PasswordError: Error, CustomStringConvertible {
    case commandFailed(String)
    case noTerminal

    var description: String {
        switch self {
        case .commandFailed(let why): "The password command failed: \(why.hasSuffix(".") ? String(why.dropLast()) : why)."
        case .noTerminal: "No password: there is no terminal to ask on; give --password-command."
        }
    }
}
