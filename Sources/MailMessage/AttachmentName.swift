/// File names for saving attachments. A sender controls the name, so it is reduced to one
/// harmless path component before it gets anywhere near the file system.
public enum AttachmentName {
    static let fallback = "attachment"
    /// Most file systems allow 255 bytes per name.
    static let maxBytes = 255

    /// The last path component of `name` (either `/` or `\` counts, as Windows senders use
    /// it), without controls, bidi or invisible characters, without `..` (runs of dots become
    /// one), without leading dots, dashes or blanks, with characters Windows and macOS reject
    /// replaced by `_`, at most 255 bytes (the extension is kept), and never empty.
    public static func safe(_ name: String) -> String {
        var s = Sanitizer.clean(name)
        if let cut = s.lastIndex(where: { $0 == "/" || $0 == "\\" }) {
            s = String(s[s.index(after: cut)...])
        }
        var out = ""
        var previousDot = false
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\t":
                out.unicodeScalars.append(" ")
                previousDot = false
            case ".":
                if !previousDot { out.unicodeScalars.append(".") }
                previousDot = true
            case ":", "*", "?", "\"", "<", ">", "|":
                out.unicodeScalars.append("_")
                previousDot = false
            default:
                out.unicodeScalars.append(scalar)
                previousDot = false
            }
        }
        // Trimmed after the cut too: a cut that leaves only the extension would otherwise turn
        // "x" and 200 combining accents before ".bashrc" into a dotfile.
        out = trimmed(truncated(trimmed(out)))
        return out.isEmpty ? fallback : out
    }

    /// Without leading dots, dashes, blanks and tildes, and without trailing dots and blanks.
    private static func trimmed(_ s: String) -> String {
        var out = s
        while let first = out.unicodeScalars.first, first == "." || first == "-" || first == " " || first == "~" {
            out.unicodeScalars.removeFirst()
        }
        while let last = out.unicodeScalars.last, last == "." || last == " " {
            out.unicodeScalars.removeLast()
        }
        return out
    }

    /// At most `maxBytes` of UTF-8, cut between scalars (one character can be longer than the
    /// whole limit), keeping a short extension.
    private static func truncated(_ s: String) -> String {
        guard s.utf8.count > maxBytes else { return s }
        var ext = ""
        if let dot = s.lastIndex(of: "."), s.distance(from: dot, to: s.endIndex) <= 16, s[dot...].utf8.count <= 32 {
            ext = String(s[dot...])
        }
        var stem = String.UnicodeScalarView()
        var bytes = 0
        for scalar in s.unicodeScalars.dropLast(ext.unicodeScalars.count) {
            let length = String(scalar).utf8.count
            if bytes + length + ext.utf8.count > maxBytes { break }
            stem.append(scalar)
            bytes += length
        }
        // A cut just after a dot would join it to the extension's: "a..pdf".
        if !ext.isEmpty { while stem.last == "." { stem.removeLast() } }
        return String(stem) + ext
    }

    /// An extension for a generated name, so that an unnamed PDF still opens as one.
    static func suggestedExtension(for mimeType: String) -> String {
        switch mimeType {
        case "application/pdf": return ".pdf"
        case "application/zip", "application/x-zip-compressed": return ".zip"
        case "application/gzip", "application/x-gzip": return ".gz"
        case "application/msword": return ".doc"
        case "application/vnd.openxmlformats-officedocument.wordprocessingml.document": return ".docx"
        case "application/vnd.ms-excel": return ".xls"
        case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": return ".xlsx"
        case "application/vnd.oasis.opendocument.text": return ".odt"
        case "application/json": return ".json"
        case "application/pgp-signature": return ".asc"
        case "application/pkcs7-signature", "application/x-pkcs7-signature": return ".p7s"
        case "image/png": return ".png"
        case "image/jpeg", "image/jpg", "image/pjpeg": return ".jpg"
        case "image/gif": return ".gif"
        case "image/webp": return ".webp"
        case "image/svg+xml": return ".svg"
        case "audio/mpeg": return ".mp3"
        case "video/mp4": return ".mp4"
        case "text/plain": return ".txt"
        case "text/html": return ".html"
        case "text/calendar": return ".ics"
        case "text/csv": return ".csv"
        case "text/vcard", "text/x-vcard": return ".vcf"
        case "message/rfc822", "message/global": return ".eml"
        default: return ".bin"
        }
    }
}
