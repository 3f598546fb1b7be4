/// What one save of attachments writes, decided before anything is written.
///
/// An attached message (message/rfc822) is saved once, as itself: one `.eml` of its own bytes,
/// which already hold every attachment nested inside it. Saving those as well wrote the same
/// bytes again at every level: 19 nested messages in a 40 MB message made 761 MB. Without them,
/// every part saved is its own stretch of the message and decoding never makes a part larger,
/// so the total stays within the message's size; `maxTotal` holds a save to twice that in any
/// case, refusing before the first byte is written.
public struct AttachmentSavePlan: Sendable {
    public struct Entry: Sendable {
        /// Numbered as the rendered message lists it.
        public let info: AttachmentInfo
        let part: MIMEPart

        /// The decoded bytes, made only now, so that a save holds one attachment at a time.
        public func data() -> [UInt8] { part.decodedBody() }
    }

    public let entries: [Entry]

    /// The decoded bytes all entries write.
    public var totalBytes: Int {
        entries.reduce(0) { total, entry in
            let (sum, overflow) = total.addingReportingOverflow(entry.info.size)
            return overflow ? .max : sum
        }
    }

    /// At most twice the message's own size.
    public static func maxTotal(forMessageSize size: Int) -> Int {
        let (twice, overflow) = size.multipliedReportingOverflow(by: 2)
        return overflow ? .max : twice
    }

    /// Every attachment of the message, as `mailbag show --save-attachments` saves them: an
    /// attached message whole, and what it holds not again.
    /// - Throws: `AttachmentSaveError` when the attachments together exceed what a save may write.
    public static func all(in bytes: [UInt8], options: RenderOptions = .init()) throws(AttachmentSaveError) -> AttachmentSavePlan {
        try all(in: bytes, options: options, maxTotal: maxTotal(forMessageSize: bytes.count))
    }

    static func all(in bytes: [UInt8], options: RenderOptions, maxTotal: Int) throws(AttachmentSaveError) -> AttachmentSavePlan {
        var entries: [Entry] = []
        var index = 0
        MessageRenderer.forEachAttachmentPart(bytes, options) { part, insideMessage in
            index += 1
            if !insideMessage { entries.append(Entry(info: AttachmentInfo(part: part, index: index), part: part)) }
        }
        return try checked(AttachmentSavePlan(entries: entries), maxTotal: maxTotal, messageSize: bytes.count)
    }

    /// The attachment numbered `index` alone, as the reader's `s` saves it (an attached message
    /// is its own `.eml` there too, and an attachment inside it can be picked by its number).
    /// Nil when the message has no attachment of that number.
    /// - Throws: `AttachmentSaveError` when the attachment is larger than a save may write.
    public static func one(_ index: Int, in bytes: [UInt8], options: RenderOptions = .init()) throws(AttachmentSaveError) -> AttachmentSavePlan? {
        guard let found = MessageRenderer.attachmentPart(index, in: bytes, options: options) else { return nil }
        let plan = AttachmentSavePlan(entries: [Entry(info: AttachmentInfo(part: found, index: index), part: found)])
        return try checked(plan, maxTotal: maxTotal(forMessageSize: bytes.count), messageSize: bytes.count)
    }

    private static func checked(_ plan: AttachmentSavePlan, maxTotal: Int, messageSize: Int) throws(AttachmentSaveError) -> AttachmentSavePlan {
        let total = plan.totalBytes
        guard total <= maxTotal else { throw .tooLarge(total: total, limit: maxTotal, messageSize: messageSize) }
        return plan
    }
}

public enum AttachmentSaveError: Error, Equatable, CustomStringConvertible {
    /// The attachments would take more than `limit` bytes, for a message of `messageSize`.
    case tooLarge(total: Int, limit: Int, messageSize: Int)

    public var description: String {
        switch self {
        case .tooLarge(let total, let limit, let messageSize):
            "Saving these attachments would write \(AttachmentInfo.describe(size: total)), more than "
                + "\(AttachmentInfo.describe(size: limit)) (twice the \(AttachmentInfo.describe(size: messageSize)) message); "
                + "nothing was written. Save the whole message instead (mailbag show --raw, or m in the reader)."
        }
    }
}
