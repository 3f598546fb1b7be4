// libFuzzer entry point for MailMessage: the parser and renderer, the save plan, the safe-name
// function, the sanitizer and the reply and forward drafts. Not part of the Swift package:
// scripts/fuzz-mime compiles it together with Sources/MailMessage/*.swift into one module. Every property is checked with
// fatalError, so libFuzzer keeps the input that breaks it as a crash.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func mailMessageFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let rendered = MessageRenderer.render(bytes)
    requireShowable(rendered, "render")
    requireShowable(MessageRenderer.partialRender(bytes), "partialRender")
    checkSavePlan(bytes, rendered)
    _ = MessageSummary.parse(headerBytes: bytes)
    checkDrafts(bytes)

    // The same bytes as a name and as text: as UTF-8, and as raw header bytes are decoded.
    let text = String(decoding: bytes.prefix(4_000), as: UTF8.self)
    let header = bytes.prefix(4_000).withUnsafeBufferPointer { Charset.headerText($0) }
    for candidate in [text, header] {
        checkSafeName(candidate)
        checkSanitizer(candidate)
    }
    return 0
}

/// C0 controls but newline, DEL, C1, and the bidi and invisible format characters.
private func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x0A: return false
    case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0x2066...0x206F, 0xFEFF,
         0xE0000...0xE007F:
        return true
    default: return false
    }
}

private func requireShowable(_ r: RenderedMessage, _ what: String) {
    let shown = r.plainText + r.fullHeaders.map { "\($0.name): \($0.value)\n" }.joined()
    if let bad = shown.unicodeScalars.first(where: isUnsafe) {
        fatalError("\(what) lets U+\(String(bad.value, radix: 16)) through")
    }
}

/// A save writes no more than the message, only attachments the message lists, each as big
/// as listed; and an attachment looked up alone is the one listed under its number.
private func checkSavePlan(_ bytes: [UInt8], _ rendered: RenderedMessage) {
    let plan: AttachmentSavePlan
    do {
        plan = try AttachmentSavePlan.all(in: bytes)
    } catch {
        fatalError("a save plan was refused: \(error)")
    }
    guard plan.totalBytes <= bytes.count else { fatalError("a save would write \(plan.totalBytes) of \(bytes.count) bytes") }
    for entry in plan.entries {
        guard rendered.attachments.indices.contains(entry.info.index - 1),
              rendered.attachments[entry.info.index - 1] == entry.info, entry.data().count == entry.info.size else {
            fatalError("saved attachment \(entry.info.index) disagrees with the rendered list")
        }
    }
    // Looking one up re-parses the message: the first and the last are enough to catch a
    // numbering that drifts.
    for info in [rendered.attachments.first, rendered.attachments.last].compactMap({ $0 }) {
        guard let found = try? AttachmentSavePlan.one(info.index, in: bytes)?.entries.first,
              found.info == info, found.data().count == info.size else {
            fatalError("attachment \(info.index) disagrees with the rendered list")
        }
    }
}

private func checkSafeName(_ name: String) {
    let safe = AttachmentName.safe(name)
    guard !safe.isEmpty, !safe.hasPrefix("."), !safe.hasPrefix("-"), !safe.contains("/"), !safe.contains("\u{0}"),
          safe.utf8.count <= 255, !safe.unicodeScalars.contains(where: isUnsafe) else {
        fatalError("unsafe name \(safe.debugDescription) from \(name.debugDescription)")
    }
    guard AttachmentName.safe(safe) == safe else { fatalError("safe name \(safe.debugDescription) changes again") }
}

private func checkSanitizer(_ text: String) {
    let clean = Sanitizer.clean(text)
    if let bad = clean.unicodeScalars.first(where: { $0 != "\t" && isUnsafe($0) }) {
        fatalError("Sanitizer.clean lets U+\(String(bad.value, radix: 16)) through")
    }
    guard Sanitizer.clean(clean) == clean else { fatalError("Sanitizer.clean is not idempotent on \(text.debugDescription)") }
}

/// Whatever the original's headers hold, the reply and forward drafts read back from their file
/// with exactly the fields the builder wrote (no header smuggled in by a line break), and encode.
private func checkDrafts(_ bytes: [UInt8]) {
    let identity = Identity(from: Address(name: "Fuzz", mailbox: "fuzz@example.org"))
    for kind in [DraftBuilder.Kind.groupReply, .forwardInline] {
        let draft = DraftBuilder.build(kind, original: bytes, identity: identity)
        let parsed: Draft
        do {
            parsed = try Draft.parse(draft.text, attachedMessage: nil)
        } catch {
            fatalError("a built draft does not read back: \(error)")
        }
        guard parsed.fields.map(\.name) == draft.fields.filter({ !$0.value.isEmpty }).map(\.name) else {
            fatalError("the draft's header changed on its way through the file: \(parsed.fields.map(\.name))")
        }
        _ = try? OutgoingMessage.encode(parsed, date: Date(timeIntervalSince1970: 0), unique: "fuzz")
    }
}
