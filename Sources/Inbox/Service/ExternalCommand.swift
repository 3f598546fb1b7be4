import Dispatch
import Glibc
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The one way Mailbag runs another program: the password command, the HTML converter, a
/// command the user pipes a message to, the editor of a draft and the sendmail command. A command line is always the user's own (from the config
/// or typed at a prompt) and runs under `/bin/sh -c`; what comes from mail only ever goes in on
/// standard input, never into the command line.
///
/// Children stay in Mailbag's process group, so a program that reads the terminal (`less`,
/// `urlscan`) can while it has been handed the terminal. Input comes from an unlinked private
/// file rather than a pipe: a program that stops reading early (`less` quit on the first page)
/// cannot make the write fail, and one that seeks can.
public struct ExternalCommand: Sendable, Equatable {
    public var commandLine: String
    /// Values the command line refers to as `"$1"`, `"$2"`…: how a file name, a content type or
    /// a link from a message reaches a command without becoming part of it.
    public var arguments: [String]

    public init(_ commandLine: String, arguments: [String] = []) {
        self.commandLine = commandLine
        self.arguments = arguments
    }

    private var shellArguments: Arguments { Arguments(["-c", commandLine, "sh"] + arguments) }

    /// How a command that was given the terminal ended.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
        case couldNotStart(String)

        public var succeeded: Bool { self == .exited(0) }

        public var summary: String {
            switch self {
            case .exited(0): return "The command finished."
            case .exited(let status): return "The command ended with status \(status)."
            case .signalled(let signal): return "The command was stopped by signal \(signal)."
            case .couldNotStart(let reason): return "The command could not start: \(reason)."
            }
        }
    }

    /// Runs the command with `input` on its standard input and collects its standard output
    /// (its standard error is discarded).
    /// - Throws: `ExternalCommandError` when it cannot start, runs past `timeout` (it is then
    ///   killed), prints more than `outputLimit` bytes, or exits with a non-zero status.
    public func capture(input: [UInt8] = [], timeout: Duration, outputLimit: Int) async throws(ExternalCommandError) -> [UInt8] {
        let (commandLine, shellArguments) = (self.commandLine, self.shellArguments)
        let outcome: Result<ExecutionResult<Void, BytesOutput, DiscardedOutput>, any Error>
        do {
            let stdin = try Self.privateFile(holding: input)
            outcome = .success(try await withThrowingTaskGroup(of: ExecutionResult<Void, BytesOutput, DiscardedOutput>?.self) { group in
                group.addTask {
                    try await run(
                        .path(FilePath("/bin/sh")), arguments: shellArguments,
                        input: .fileDescriptor(stdin, closeAfterSpawningProcess: true),
                        output: .bytes(limit: outputLimit), error: .discarded)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let finished = first else {
                    throw ExternalCommandError.timedOut(commandLine, timeout)
                }
                return finished
            })
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let result):
            switch result.terminationStatus {
            case .exited(0): return result.standardOutput
            case .exited(let status): throw .failed(commandLine, "it exited with status \(status)")
            case .signaled(let signal): throw .failed(commandLine, "it was stopped by signal \(signal)")
            }
        case .failure(let error as ExternalCommandError):
            throw error
        case .failure(let error as SubprocessError) where error.code == .outputLimitExceeded:
            throw .tooMuchOutput(commandLine, outputLimit)
        case .failure(let error):
            throw .failed(commandLine, "\(error)")
        }
    }

    /// The secret a password or OAuth2 token command prints on its first line. Such a tool may
    /// ask for its own passphrase on the terminal (pinentry) or open a browser the first time,
    /// so it gets minutes, not seconds; what it prints is bounded all the same.
    /// - Throws: `ExternalCommandError`, as `firstLine` does.
    public func secret() async throws(ExternalCommandError) -> String? {
        try await firstLine(timeout: .seconds(120), outputLimit: 64 << 10)
    }

    /// The first line the command prints, without its line end. Nil when that line is empty.
    /// - Throws: `ExternalCommandError` when the command cannot start, fails, times out or says too much.
    public func firstLine(timeout: Duration, outputLimit: Int) async throws(ExternalCommandError) -> String? {
        let text = String(decoding: try await capture(timeout: timeout, outputLimit: outputLimit), as: UTF8.self)
        guard var line = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) else { return nil }
        if line.hasSuffix("\r") { line.removeLast() }
        return line.isEmpty ? nil : line
    }

    /// Runs the command on the terminal, which the caller has released: `input` on its standard
    /// input (nil: the terminal, for an editor), the terminal as its standard output and error,
    /// and no time limit, since the user is driving it.
    public func runOnTerminal(input: [UInt8]?) async -> Termination {
        do {
            let stdin: FileDescriptorInput = if let input {
                .fileDescriptor(try Self.privateFile(holding: input), closeAfterSpawningProcess: true)
            } else {
                .currentStandardInput
            }
            let result = try await run(
                .path(FilePath("/bin/sh")), arguments: shellArguments,
                input: stdin,
                output: .currentStandardOutput, error: .currentStandardError)
            switch result.terminationStatus {
            case .exited(let status): return .exited(status)
            case .signaled(let signal): return .signalled(signal)
            }
        } catch {
            return .couldNotStart("\(error)")
        }
    }

    /// An open, already unlinked file in the temporary directory, readable only by this user,
    /// holding `bytes` and positioned at their start.
    private static func privateFile(holding bytes: [UInt8]) throws(ExternalCommandError) -> FileDescriptor {
        let directory = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(directory)/mailbag-input-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .noPrivateFile("\(directory): \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        var done = 0
        while done < bytes.count {
            let written = bytes[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else {
                if written < 0, errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                throw .noPrivateFile("\(directory): \(reason)")
            }
            done += written
        }
        lseek(fd, 0, SEEK_SET)
        return FileDescriptor(rawValue: fd)
    }
}

public enum ExternalCommandError: Error, Equatable, CustomStringConvertible {
    case timedOut(String, Duration)
    case tooMuchOutput(String, Int)
    case failed(String, String)
    case noPrivateFile(String)

    public var description: String {
        switch self {
        case .timedOut(let command, let timeout):
            return "`\(command)` did not finish within \(timeout.components.seconds) seconds, so it was stopped."
        case .tooMuchOutput(let command, let limit):
            return "`\(command)` printed more than \(limit) bytes, so its output was not used."
        case .failed(let command, let reason):
            return "`\(command)` failed: \(reason)."
        case .noPrivateFile(let reason):
            return "No private temporary file could hold a command's input (\(reason)); check TMPDIR."
        }
    }
}
