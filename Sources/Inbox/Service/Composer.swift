import Foundation
import MailMessage

/// Replying and forwarding for one account: drafts are private files the user's editor opens,
/// and a finished one is handed to the account's sendmail command, as mutt does; Mailbag never
/// speaks SMTP itself.
public struct Composer: Sendable {
    public var identity: Identity
    public var sendmailCommand: String
    /// Where drafts are written (0700); a draft that was not sent stays there.
    public var draftsDirectory: URL
    /// How long sendmail may take to accept the message (it queues; delivery comes later).
    public var sendTimeout: Duration = .seconds(120)

    public init(identity: Identity, sendmailCommand: String, draftsDirectory: URL) {
        self.identity = identity
        self.sendmailCommand = sendmailCommand
        self.draftsDirectory = draftsDirectory
    }

    /// The account's settings: `from` as configured, else the user at the host (a user name that
    /// already holds an `@` is taken as the address). The user's own addresses (dropped from a
    /// group reply) are the From and the login.
    public init(account: AccountConfig, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let login = account.user.contains("@") ? account.user : "\(account.user)@\(account.host)"
        let configured = account.from.flatMap { AddressList.parse($0).first }
        self.init(
            identity: Identity(from: configured ?? Address(name: nil, mailbox: login), otherAddresses: [login]),
            sendmailCommand: account.sendmailCommand ?? AccountConfig.defaultSendmailCommand,
            draftsDirectory: Self.standardDraftsDirectory(environment: environment))
    }

    /// `$XDG_DATA_HOME/mailbag/drafts`, else `~/.local/share/mailbag/drafts`: drafts are the
    /// user's writing, not a cache to be cleared.
    public static func standardDraftsDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let base = environment["XDG_DATA_HOME"], base.hasPrefix("/") {
            return URL(fileURLWithPath: base, isDirectory: true).appendingPathComponent("mailbag/drafts", isDirectory: true)
        }
        let home = environment["HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? FileManager.default.homeDirectoryForCurrentUser.path
        return URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".local/share/mailbag/drafts", isDirectory: true)
    }

    /// Writes a new draft file, readable only by the user, and returns its path.
    public func save(_ draft: Draft, now: Date = Date()) throws(ComposeError) -> String {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: draftsDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .cannotWrite(draftsDirectory.path, error.localizedDescription)
        }
        let stamp = Int(now.timeIntervalSince1970)
        let path = draftsDirectory.appendingPathComponent("draft-\(stamp)-\(UUID().uuidString.prefix(8).lowercased()).eml").path
        guard fm.createFile(atPath: path, contents: Data(draft.text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw .cannotWrite(path, "the file could not be created")
        }
        return path
    }

    /// `$VISUAL`, else `$EDITOR`, else vi, on the draft. The path is an argument, never shell
    /// text; the editor reads the terminal, not a file of input.
    public static func editor(for path: String) -> ExternalCommand {
        ExternalCommand("${VISUAL:-${EDITOR:-vi}} \"$1\"", arguments: [path])
    }

    /// Reads the draft as the user left it, encodes it and hands it to the sendmail command;
    /// the file is removed once the command accepted the message.
    /// - Returns: the recipients, as the user wrote them, for the notice.
    public func send(draftAt path: String, attachedMessage: [UInt8]?, now: Date = Date()) async throws(ComposeError) -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .cannotRead(path, error.localizedDescription)
        }
        let message: [UInt8]
        let draft: Draft
        do throws(DraftError) {
            draft = try Draft.parse(text, attachedMessage: attachedMessage)
            let unique = "\(Int(now.timeIntervalSince1970)).\(UUID().uuidString.prefix(12).lowercased())"
            message = try OutgoingMessage.encode(draft, date: now, unique: unique)
        } catch {
            throw .unsendable(error, path)
        }
        // What sendmail says on its standard error is why it refused: kept in a private file
        // beside the draft, so the message line can pass it on. Made here to be private; should
        // that fail, the shell's redirection still makes it, in the drafts' private directory.
        let complaints = path + ".stderr"
        _ = FileManager.default.createFile(atPath: complaints, contents: nil, attributes: [.posixPermissions: 0o600])
        defer { try? FileManager.default.removeItem(atPath: complaints) }
        let command = ExternalCommand("{ \(sendmailCommand)\n} 2>\"$1\"", arguments: [complaints])
        do throws(ExternalCommandError) {
            _ = try await command.capture(input: message, timeout: sendTimeout, outputLimit: 64 << 10)
        } catch {
            throw .notSent(naming(error, said: Self.lastLine(of: complaints)), path)
        }
        try? FileManager.default.removeItem(atPath: path)
        return ["To", "Cc", "Bcc"].compactMap { draft[$0] }.joined(separator: ", ")
    }

    /// The failure told in terms of the configured command rather than the wrapper around it.
    private func naming(_ error: ExternalCommandError, said: String?) -> ExternalCommandError {
        switch error {
        case .failed(_, let reason): .failed(sendmailCommand, said.map { "\(reason), saying “\($0)”" } ?? reason)
        case .timedOut(_, let limit): .timedOut(sendmailCommand, limit)
        case .tooMuchOutput(_, let limit): .tooMuchOutput(sendmailCommand, limit)
        case .noPrivateFile: error
        }
    }

    /// The last non-empty line of a file, at most its last 4 KB read.
    private static func lastLine(of path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 4096 ? size - 4096 : 0)
        let text = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).last.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}

public enum ComposeError: Error, Equatable, CustomStringConvertible {
    case cannotWrite(String, String)
    case cannotRead(String, String)
    case unsendable(DraftError, String)
    case notSent(ExternalCommandError, String)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason):
            return "The draft could not be written to \(path): \(reason). Check that directory's permissions (or set XDG_DATA_HOME)."
        case .cannotRead(let path, let reason):
            return "The draft \(path) could not be read: \(reason)."
        case .unsendable(let problem, let path):
            return "Not sent: \(problem.description) The draft is kept at \(path)."
        case .notSent(let failure, let path):
            return "Not sent: \(failure.description) The draft is kept at \(path); check sendmail_command in the config."
        }
    }
}
