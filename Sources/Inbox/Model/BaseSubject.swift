/// A subject without what replying and mailing lists add in front ("Re: [dev] AW: Lunch" is
/// "Lunch"): what mutt calls the real subject. Replies sort next to what they answer, threads
/// group by it when references are missing, and a reply's subject is hidden when it is its
/// parent's.
enum BaseSubject {
    /// Reply and forward prefixes in the languages mail arrives in most (`AW:` German, `SV:`
    /// Nordic, `WG:` German forwarding), matched ignoring case, with mutt's counted `Re[2]:` too.
    private static let prefixes: [[UInt8]] = ["re", "fwd", "fw", "aw", "sv", "wg", "antw"].map { Array($0.utf8) }

    /// The base subject as a slice of `subject`, so thousands of rows are compared without a copy.
    static func of(_ subject: String) -> Substring {
        var rest = Substring(subject)
        while true {
            rest = rest.drop { $0 == " " }
            if let after = afterListTag(rest) ?? afterPrefix(rest) {
                rest = after
            } else {
                break
            }
        }
        while rest.last == " " { rest = rest.dropLast() }
        return rest
    }

    /// Whether the subject says it is a reply or a forward.
    static func isReply(_ subject: String) -> Bool {
        var rest = Substring(subject).drop { $0 == " " }
        while let after = afterListTag(rest) { rest = after.drop { $0 == " " } }
        return afterPrefix(rest) != nil
    }

    /// After a `[list]` tag: brackets around a short name without blanks.
    private static func afterListTag(_ text: Substring) -> Substring? {
        guard text.first == "[", let close = text.prefix(40).firstIndex(of: "]"),
              !text[..<close].contains(" ") else { return nil }
        return text[text.index(after: close)...]
    }

    private static func afterPrefix(_ text: Substring) -> Substring? {
        let bytes = text.utf8
        for prefix in prefixes where bytes.count > prefix.count {
            var i = bytes.startIndex
            var matched = true
            for expected in prefix {
                let byte = bytes[i]
                if (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) != expected {
                    matched = false
                    break
                }
                i = bytes.index(after: i)
            }
            guard matched else { continue }
            // `Re[2]:` and `Re^2:` count replies.
            if bytes[i] == UInt8(ascii: "[") || bytes[i] == UInt8(ascii: "^") {
                let opener = bytes[i]
                i = bytes.index(after: i)
                while i < bytes.endIndex, (0x30...0x39).contains(bytes[i]) { i = bytes.index(after: i) }
                if opener == UInt8(ascii: "[") {
                    guard i < bytes.endIndex, bytes[i] == UInt8(ascii: "]") else { continue }
                    i = bytes.index(after: i)
                }
            }
            guard i < bytes.endIndex, bytes[i] == UInt8(ascii: ":") else { continue }
            return Substring(bytes[bytes.index(after: i)...])
        }
        return nil
    }
}
