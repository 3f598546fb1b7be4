import POP3

/// `mailbag fetch`: downloads a mailbox into a folder, as mpop and fetchmail do. RETR goes out
/// pipelined in batches, the next written while the last is delivered (fsynced) and its UIDs
/// recorded, and only a message whose copy is safe gets a DELE, by its number on the
/// session that listed its UID. The server applies the DELEs at QUIT, so a run cut off anywhere
/// deletes nothing, and a re-run finds every delivered message in the record.
public struct MailFetch {
    public struct Options: Sendable {
        /// Leave out messages the record says were fetched before.
        public var onlyNew = false
        /// Delete each message from the server once its copy is safe. Messages the record
        /// holds are deleted without being fetched again, so a re-run after a cut finishes the job.
        public var delete = false
        /// Larger messages are skipped, as the reader refuses to open them (`max_message_size`).
        public var maxMessageSize = AccountConfig.defaultMaxMessageSize
        /// Refill the pipeline once this many bytes are in flight, whatever the window.
        public var batchBytes = 8 << 20

        public init(onlyNew: Bool = false, delete: Bool = false) {
            self.onlyNew = onlyNew
            self.delete = delete
        }
    }

    public struct Progress: Sendable {
        public var done: Int
        public var total: Int
        public var bytes: Int
        public var totalBytes: Int
    }

    public let folder: MailFolder
    public let record: FetchedUIDs
    public let options: Options

    public init(into folder: MailFolder, record: FetchedUIDs, options: Options) {
        self.folder = folder
        self.record = record
        self.options = options
    }

    /// Runs on a logged-in session and ends it: with QUIT after success, by dropping the
    /// connection after a failure (the server then deletes nothing).
    public func run(on session: POP3Session, progress: (Progress) -> Void = { _ in }) async throws -> FetchReport {
        do {
            var report = try await transfer(on: session, progress: progress)
            do {
                _ = try await session.quit()
            } catch {
                if report.deleted > 0 { report.quitFailure = "\(error)" }
            }
            return report
        } catch {
            await session.close()
            throw error
        }
    }

    private struct Wanted {
        var number: Int
        var size: Int
        var uid: String?
    }

    private func transfer(on session: POP3Session, progress: (Progress) -> Void) async throws -> FetchReport {
        let listing = try await session.uidListing()
        let needsUIDs = options.onlyNew || options.delete
        if listing == nil, needsUIDs { throw FetchError.noUIDL }
        var uidOf: [Int: String] = [:]
        for entry in listing?.entries ?? [] { uidOf[entry.number] = entry.uid }
        let sizes = try await session.list()
        let limit = options.maxMessageSize

        var report = FetchReport(folder: folder.path)
        var wanted: [Wanted] = []
        var deletions: [Int] = []
        for entry in sizes {
            let uid = uidOf[entry.number]
            if let uid, record.contains(uid), needsUIDs {
                report.alreadyFetched += 1
                if options.delete { deletions.append(entry.number) }
            } else if uid == nil, needsUIDs {
                report.skipped.append(.init(number: entry.number, reason: "the server gave it no usable UID, so it could not be told apart later"))
            } else if entry.size > limit {
                report.skipped.append(.init(number: entry.number, reason: "it is \(ByteCount.format(entry.size)), over max_message_size (\(ByteCount.format(limit))); raise it with --max-message-size"))
            } else {
                wanted.append(Wanted(number: entry.number, size: entry.size, uid: uid))
            }
        }

        var state = Progress(done: 0, total: wanted.count, bytes: 0, totalBytes: wanted.reduce(0) { $0 + $1.size })
        progress(state)
        // Without PIPELINING `pipeline` answers only once every command of the batch is, so a
        // batch of one keeps each message delivered (and recorded) as soon as it arrives.
        let window = await session.capabilities.pipelining ? max(1, await session.initialPipelineWindow) : 1
        func send(from start: Int) async throws -> (batch: ArraySlice<Wanted>, replies: [PendingReply])? {
            guard start < wanted.count else { return nil }
            var end = start
            var inFlightBytes = 0
            while end < wanted.count, end - start < window, end == start || inFlightBytes < options.batchBytes {
                inFlightBytes += wanted[end].size
                end += 1
            }
            return (wanted[start..<end], try await session.pipeline(wanted[start..<end].map { .retr($0.number) }))
        }
        var pending = try await send(from: 0)
        while let (batch, replies) = pending {
            // What arrived before a cut is still delivered and recorded, so a re-run does not
            // fetch it again; the cut is thrown after.
            var cut: (any Error)?
            // The next batch is on the wire while this one is written to disk: the link and the
            // disk work at once, and at most two batches are held in memory.
            do {
                pending = try await send(from: batch.endIndex)
            } catch {
                pending = nil
                cut = error
            }
            var arrived: [(message: Wanted, raw: [UInt8])] = []
            for (message, reply) in zip(batch, replies) {
                let answer: POP3Reply
                do {
                    answer = try await reply.value()
                } catch {
                    cut = cut ?? error
                    break
                }
                guard case .multiLine(_, let raw) = answer else {
                    let text = answer.statusLine?.shownText ?? ""
                    report.skipped.append(.init(number: message.number, reason: "the server would not send it: \(text)"))
                    continue
                }
                arrived.append((message, raw))
            }
            // One lock, one fsync and one record write per batch rather than per message.
            try folder.deliver(arrived.map(\.raw))
            try record.add(arrived.compactMap(\.message.uid))
            report.fetched += arrived.count
            if options.delete { deletions += arrived.map(\.message.number) }
            state.done += arrived.count
            state.bytes += arrived.reduce(0) { $0 + $1.message.size }
            progress(state)
            if let cut { throw cut }
        }

        // Numbers are this session's own, from the UIDL listed above: each names the message
        // whose UID was recorded. One write for all, as the RETRs went.
        let sorted = deletions.sorted()
        for (number, pending) in zip(sorted, try await session.pipeline(sorted.map { .dele($0) })) {
            if case .status(let status) = try await pending.value(), status.isOK {
                report.deleted += 1
            } else {
                report.skipped.append(.init(number: number, reason: "the server refused to delete it"))
            }
        }
        return report
    }
}

/// What a fetch did, for its last line.
public struct FetchReport: Sendable, Equatable {
    public struct Skipped: Sendable, Equatable {
        public var number: Int
        public var reason: String
    }

    public var folder: String
    public var fetched = 0
    public var deleted = 0
    /// Messages left out because the record says an earlier run delivered them.
    public var alreadyFetched = 0
    public var skipped: [Skipped] = []
    /// Why QUIT failed after DELEs: some deletions may not have been applied.
    public var quitFailure: String?

    public init(folder: String) {
        self.folder = folder
    }

    public var summary: String {
        func messages(_ count: Int) -> String { "\(count) message\(count == 1 ? "" : "s")" }
        var parts = ["fetched \(messages(fetched)) into \(folder)"]
        if deleted > 0 { parts.append("deleted \(deleted) from the server") }
        if alreadyFetched > 0 { parts.append("skipped \(alreadyFetched) fetched before") }
        if !skipped.isEmpty { parts.append("skipped \(skipped.count) more (see above)") }
        var line = parts.joined(separator: "; ").prefix(1).uppercased() + parts.joined(separator: "; ").dropFirst() + "."
        if let quitFailure { line += " The server did not confirm QUIT (\(quitFailure)), so the deletions may not have been applied." }
        return line
    }
}

public enum FetchError: Error, CustomStringConvertible {
    case noUIDL

    public var description: String {
        switch self {
        case .noUIDL:
            "The server does not support UIDL, so --only-new and --delete cannot tell which messages were fetched; fetch without them."
        }
    }
}
