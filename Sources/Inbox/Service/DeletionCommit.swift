import POP3

/// Turns the user's marks into deletions on the server, safely: each message number is checked
/// against the UID the user saw right before its `DELE`, and the server only applies the DELEs on
/// `QUIT`, so a failure at any point before QUIT's reply deletes nothing.
public enum DeletionCommit {
    public static func run(_ plan: CommitPlan, on session: POP3Session) async -> CommitReport {
        var report = CommitReport(deleted: [], skipped: [], serverText: nil, failure: nil)
        var accepted: [MessageListing] = []
        do {
            let current = try await currentIdentity(of: plan, on: session)
            for entry in plan.entries.sorted(by: { $0.number < $1.number }) {
                if let reason = mismatch(entry, current: current[entry.number]) {
                    report.skipped.append(.init(message: entry, reason: reason))
                    continue
                }
                do {
                    try await session.delete(entry.number)
                    accepted.append(entry)
                } catch let error as POP3Error where !error.endsSession {
                    report.skipped.append(.init(message: entry, reason: "the server refused to delete it: \(error)"))
                }
            }
            report.serverText = try await session.quit()
            report.deleted = accepted
        } catch {
            await session.close()
            report.failure = "\(error) The session ended before the server confirmed, so nothing was deleted."
        }
        return report
    }

    /// What the server says each planned number is now: its UID when the server has UIDL, else
    /// its size (the best a UID-less server offers).
    private static func currentIdentity(of plan: CommitPlan, on session: POP3Session) async throws -> [Int: MessageListing] {
        var current: [Int: MessageListing] = [:]
        if plan.entries.contains(where: { $0.uid != nil }) {
            for entry in try await session.uidl().entries {
                current[entry.number] = MessageListing(number: entry.number, uid: entry.uid, size: 0)
            }
        }
        for entry in plan.entries where entry.uid == nil {
            if let sized = try? await session.list(entry.number) {
                current[entry.number] = MessageListing(number: entry.number, uid: nil, size: sized.size)
            }
        }
        return current
    }

    private static func mismatch(_ marked: MessageListing, current: MessageListing?) -> String? {
        guard let current else { return "it is no longer on the server" }
        if let uid = marked.uid {
            return current.uid == uid ? nil : "message \(marked.number) is no longer the message you marked"
        }
        return current.size == marked.size ? nil : "message \(marked.number) changed size since you marked it"
    }
}
