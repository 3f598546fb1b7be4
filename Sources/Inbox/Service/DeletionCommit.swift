import MailMessage
import POP3

/// Turns the user's marks into deletions on the server, safely. Each mark is found again on the
/// session that deletes, right before its `DELE`: by UID through UIDL; on a server without UIDL,
/// by its header block (`TOP n 0`) and size; by number alone only on the session whose number it
/// is. The server applies the DELEs on `QUIT`, so a failure before QUIT is sent deletes nothing.
public enum DeletionCommit {
    /// - Parameters:
    ///   - numbersValid: whether the plan's numbers are this session's own.
    ///   - safetyNet: where each message is saved right before its DELE; one it cannot save is kept.
    public static func run(
        _ plan: CommitPlan, on session: POP3Session, numbersValid: Bool, safetyNet: SafetyNet? = nil
    ) async -> CommitReport {
        var report = CommitReport(deleted: [], skipped: [], serverText: nil, outcome: .confirmed)
        var accepted: [MessageListing] = []
        do {
            let (targets, skipped) = try await locate(plan.entries, on: session, numbersValid: numbersValid)
            report.skipped = skipped
            for (entry, number) in targets {
                if let safetyNet, let reason = try await safetyNet.keep(entry, number: number, on: session) {
                    report.skipped.append(.init(message: entry, reason: reason))
                    continue
                }
                do {
                    try await session.delete(number)
                    accepted.append(entry)
                    if let safetyNet { report.savedTo[entry] = safetyNet.folder }
                } catch let error as POP3Error where !error.endsSession {
                    report.skipped.append(.init(message: entry, reason: "the server refused to delete it: \(error)"))
                }
            }
        } catch {
            await session.close()
            report.outcome = .nothingDeleted("\(error) The session ended before QUIT was sent, so nothing was deleted.")
            return report
        }
        report.deleted = accepted
        do {
            report.serverText = try await session.quit()
        } catch POP3Error.serverError(_, let text) {
            report.serverText = text
            report.outcome = .unknown("The server answered QUIT with an error, so some deletions may not have been applied.", gone: nil)
        } catch {
            report.outcome = .unknown("\(error) The connection ended after QUIT was sent, before the server confirmed.", gone: nil)
        }
        return report
    }

    /// After an unknown outcome: which of `deleted` a new session no longer finds.
    /// - Throws: `POP3Error` when the new session fails while listing.
    public static func verify(_ report: CommitReport, on session: POP3Session) async throws -> CommitReport {
        guard case .unknown(let reason, _) = report.outcome else { return report }
        let (found, _) = try await locate(report.deleted, on: session, numbersValid: false)
        let present = Set(found.map(\.entry))
        var verified = report
        verified.outcome = .unknown(reason, gone: report.deleted.filter { !present.contains($0) })
        return verified
    }

    /// The current number of each entry on `session`, or why it is not deleted.
    static func locate(
        _ entries: [MessageListing], on session: POP3Session, numbersValid: Bool
    ) async throws -> (targets: [(entry: MessageListing, number: Int)], skipped: [SkippedDeletion]) {
        var targets: [(entry: MessageListing, number: Int)] = []
        var skipped: [SkippedDeletion] = []
        let byUID = entries.contains { $0.uid != nil }
            ? try await uidNumbers(session) : [:]
        let sizes = entries.contains { $0.uid == nil } ? try await session.list() : []
        var claimed = Set<Int>()
        for entry in entries {
            if let uid = entry.uid {
                if let number = byUID[uid] {
                    targets.append((entry, number))
                } else {
                    skipped.append(.init(message: entry, reason: "it is no longer on the server"))
                }
            } else if let fingerprint = entry.fingerprint {
                let candidates = sizes.filter { $0.size == entry.size && !claimed.contains($0.number) }
                    .map(\.number).sorted { abs($0 - entry.number) < abs($1 - entry.number) }
                var matches: [Int] = []
                for number in candidates {
                    let header = try await headerBlock(number, on: session)
                    if header.map(HeaderFingerprint.init(headerBytes:)) == fingerprint { matches.append(number) }
                }
                switch matches.count {
                case 1:
                    claimed.insert(matches[0])
                    targets.append((entry, matches[0]))
                case 0:
                    skipped.append(.init(message: entry, reason: "no message on the server has its headers and size any more"))
                default:
                    skipped.append(.init(message: entry, reason: "\(matches.count) messages on the server have the same headers and size, so which one you marked cannot be told"))
                }
            } else if numbersValid, sizes.contains(where: { $0.number == entry.number && $0.size == entry.size }) {
                targets.append((entry, entry.number))
            } else if numbersValid {
                skipped.append(.init(message: entry, reason: "message \(entry.number) changed size since you marked it"))
            } else {
                skipped.append(.init(message: entry, reason: "its headers had not been read when the connection was lost, so it cannot be told from another message; mark it again"))
            }
        }
        return (targets.sorted { $0.number < $1.number }, skipped)
    }

    private static func uidNumbers(_ session: POP3Session) async throws -> [String: Int] {
        var numbers: [String: Int] = [:]
        for entry in try await session.uidl().entries { numbers[entry.uid] = entry.number }
        return numbers
    }

    /// `TOP n 0`; nil when the server refuses it for this message.
    private static func headerBlock(_ number: Int, on session: POP3Session) async throws -> [UInt8]? {
        do {
            return try await session.top(number, lines: 0)
        } catch let error as POP3Error where !error.endsSession {
            return nil
        }
    }
}
