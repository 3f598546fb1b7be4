// libFuzzer entry point for the MailMessage parser and renderer. Not part of the Swift package:
// scripts/fuzz-mime compiles it together with Sources/MailMessage/*.swift into one module.

@_cdecl("LLVMFuzzerTestOneInput")
public func mailMessageFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let rendered = MessageRenderer.render(bytes)
    for info in rendered.attachments {
        guard let found = try? AttachmentSavePlan.one(info.index, in: bytes)?.entries.first, found.data().count == info.size else {
            fatalError("attachment \(info.index) disagrees with the rendered list")
        }
    }
    _ = MessageRenderer.partialRender(bytes).plainText
    _ = MessageSummary.parse(headerBytes: bytes)
    _ = AttachmentName.safe(String(decoding: bytes.prefix(300), as: UTF8.self))
    return 0
}
