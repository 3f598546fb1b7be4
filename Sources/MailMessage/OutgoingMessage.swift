import Foundation

/// Turns an edited draft into the RFC 5322 message handed to the user's sendmail: non-ASCII
/// header text as RFC 2047 encoded words, a UTF-8 body in quoted-printable only when it is not
/// plain ASCII, a Date and a Message-ID, and for a forward as attachment a multipart/mixed with
/// the original as message/rfc822. Lines end in LF, as `sendmail -t` expects on its input.
public enum OutgoingMessage {
    /// RFC 5322 §2.1.1: a line should not pass 78 characters.
    static let lineWidth = 78
    static let addressFields: Set<String> = ["from", "to", "cc", "bcc", "reply-to", "sender"]
    /// Mailbag writes these itself; the user's copies would contradict them.
    static let ownFields: Set<String> = ["mime-version", "content-type", "content-transfer-encoding", "content-disposition"]

    /// - Parameters:
    ///   - unique: distinct per message (time and randomness), for the Message-ID and boundary.
    /// - Throws: `DraftError.noSender` or `.noRecipients` when the draft cannot be sent.
    public static func encode(_ draft: Draft, date: Date, timeZone: TimeZone = .current, unique: String) throws(DraftError) -> [UInt8] {
        let from = AddressList.parse(draft["From"] ?? "").filter { !$0.mailbox.isEmpty }
        guard let sender = from.first else { throw .noSender }
        let recipients = ["To", "Cc", "Bcc"].flatMap { name in
            draft.fields.filter { $0.name.lowercased() == name.lowercased() }.flatMap { AddressList.parse($0.value) }
        }
        guard recipients.contains(where: { !$0.mailbox.isEmpty }) else { throw .noRecipients }

        var out = ""
        for field in draft.fields where !ownFields.contains(field.name.lowercased()) {
            out += header(field.name, field.value)
        }
        if draft["Date"] == nil { out += "Date: \(rfc5322Date(date, timeZone))\n" }
        if draft["Message-ID"] == nil {
            let domain = sender.mailbox.split(separator: "@").last.map(String.init) ?? "mailbag.invalid"
            out += "Message-ID: <\(unique)@\(domain)>\n"
        }
        out += "MIME-Version: 1.0\n"
        let text = textPart(draft.body)
        guard let attached = draft.attachedMessage else {
            return Array((out + text.headers + "\n").utf8) + text.body
        }
        let boundary = "mailbag-\(unique)"
        let message = normalizedLineEnds(attached)
        let eightBit = message.contains { $0 >= 0x80 }
        out += "Content-Type: multipart/mixed; boundary=\"\(boundary)\"\n"
        if eightBit { out += "Content-Transfer-Encoding: 8bit\n" }
        var bytes = Array((out + "\nThis is a MIME message.\n\n--\(boundary)\n" + text.headers + "\n").utf8) + text.body
        bytes += Array("\n--\(boundary)\nContent-Type: message/rfc822\nContent-Disposition: inline\n".utf8)
        if eightBit { bytes += Array("Content-Transfer-Encoding: 8bit\n".utf8) }
        bytes += Array("\n".utf8) + message
        if message.last != 0x0A { bytes.append(0x0A) }
        bytes += Array("--\(boundary)--\n".utf8)
        return bytes
    }

    /// The body's part headers and bytes: 7bit US-ASCII when it can be, else UTF-8 in
    /// quoted-printable (also for an ASCII line too long for SMTP).
    static func textPart(_ body: String) -> (headers: String, body: [UInt8]) {
        var text = body.replacingOccurrences(of: "\r\n", with: "\n")
        if !text.hasSuffix("\n") { text += "\n" }
        let plain = text.utf8.allSatisfy { $0 < 0x80 } && text.split(separator: "\n").allSatisfy { $0.utf8.count <= 998 }
        if plain {
            return ("Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n", Array(text.utf8))
        }
        return ("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n",
                Array(quotedPrintable(text).utf8))
    }

    /// RFC 2045 §6.7, line by line: `=`, 8-bit bytes and controls escaped, a blank before the line
    /// end escaped, soft breaks keeping lines within 76 characters; a leading "From " is escaped
    /// too, so no mbox on the way can mangle it.
    static func quotedPrintable(_ text: String) -> String {
        var out = ""
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        for line in lines {
            let bytes = Array(line.utf8)
            var current = ""
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                let escape = byte == 0x3D || byte >= 0x7F || (byte < 0x20 && byte != 0x09)
                    || (last && (byte == 0x20 || byte == 0x09))
                    || (index == 0 && byte == 0x46 && bytes.starts(with: Array("From ".utf8)))
                let token = escape ? String(format: "=%02X", byte) : String(UnicodeScalar(byte))
                if current.count + token.count > (last ? 76 : 75) {
                    out += current + "=\n"
                    current = ""
                }
                current += token
            }
            out += current + "\n"
        }
        return out
    }

    /// One header field, folded: address fields at their commas with names encoded, the
    /// others at blanks, encoded whole when they hold anything but ASCII.
    static func header(_ name: String, _ value: String) -> String {
        let words: [String]
        let separator: String
        if addressFields.contains(name.lowercased()) {
            words = AddressList.parse(value).map(encodedAddress)
            separator = ","
        } else if value.unicodeScalars.allSatisfy(\.isASCII) {
            words = value.split(separator: " ").map(String.init)
            separator = ""
        } else {
            words = encodedWords(value)
            separator = ""
        }
        var out = "\(name):"
        var lineLength = out.count
        for (index, word) in words.enumerated() {
            let piece = word + (index < words.count - 1 ? separator : "")
            if lineLength + 1 + piece.count > lineWidth, lineLength > name.count + 1 {
                out += "\n"
                lineLength = 0
            }
            out += " " + piece
            lineLength += 1 + piece.count
        }
        return out + "\n"
    }

    static func encodedAddress(_ address: Address) -> String {
        guard let name = address.name else { return address.mailbox }
        let phrase = name.unicodeScalars.allSatisfy(\.isASCII) ? DraftText.quoted(name) : encodedWords(name).joined(separator: " ")
        return address.mailbox.isEmpty ? "\(phrase):;" : "\(phrase) <\(address.mailbox)>"
    }

    /// RFC 2047 B-encoded UTF-8 words of at most 39 bytes each (64 characters with the base64),
    /// so even the first, after `Subject: `, stays within the line; a character is never split,
    /// and decoders join adjacent words without the blank between them.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words
    }

    /// `Sat, 5 Dec 2026 03:40:00 +0000`, always in English as RFC 5322 requires.
    static func rfc5322Date(_ date: Date, _ timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    static func normalizedLineEnds(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() where !(byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A) {
            out.append(byte)
        }
        return out
    }
}
