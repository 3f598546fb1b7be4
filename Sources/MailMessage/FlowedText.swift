/// Reflowing of `format=flowed` plain text (RFC 3676).
///
/// Each returned element is one paragraph (a logical line) with its quote depth. A line ending in a space
/// is soft-broken and continues on the next line of the same quote depth; a change of depth ends the
/// paragraph even after a soft break, as the RFC asks for such improperly flowed lines. The quote marks and
/// one stuffed space after them are removed. With `delSp` (DelSp=yes) the space that marked a soft break is
/// removed when joining, otherwise it stays part of the text. The signature separator `-- ` is never
/// flowed; it is returned as its own paragraph, trailing space included, so callers can recognise it.
public enum FlowedText {
    public static func reflow(_ text: String, delSp: Bool) -> [(quoteLevel: Int, text: String)] {
        let bytes = Array(text.utf8)
        var paragraphs: [(quoteLevel: Int, text: String)] = []
        var paragraph: [UInt8] = []
        var level = 0
        var continuing = false

        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let next = lineEnd + 1
            if lineEnd > lineStart, bytes[lineEnd - 1] == UInt8(ascii: "\r") {
                lineEnd -= 1
            }
            var contentStart = lineStart
            while contentStart < lineEnd, bytes[contentStart] == UInt8(ascii: ">") {
                contentStart += 1
            }
            let depth = contentStart - lineStart
            if contentStart < lineEnd, bytes[contentStart] == UInt8(ascii: " ") {
                contentStart += 1
            }
            let content = bytes[contentStart..<lineEnd]
            let isSignature = content.elementsEqual("-- ".utf8)
            let isFlowed = !isSignature && content.last == UInt8(ascii: " ")

            if continuing, depth != level || isSignature {
                paragraphs.append((level, String(decoding: paragraph, as: UTF8.self)))
                continuing = false
            }
            if !continuing {
                level = depth
                paragraph.removeAll(keepingCapacity: true)
            }
            paragraph += isFlowed && delSp ? content.dropLast() : content
            continuing = isFlowed
            if !isFlowed {
                paragraphs.append((level, String(decoding: paragraph, as: UTF8.self)))
            }
            lineStart = next
        }
        if continuing {
            paragraphs.append((level, String(decoding: paragraph, as: UTF8.self)))
        }
        return paragraphs
    }
}
