/// One message in the server's maildrop.
///
/// `uid` is sent verbatim in UIDL replies and `bytes` verbatim (dot-stuffed, bare LF sent as CRLF) in
/// RETR/TOP replies, so tests can hand the server invalid or duplicate UIDs and hostile content directly.
public struct ServerMessage: Sendable, Equatable {
    public var uid: String
    public var bytes: [UInt8]

    public init(uid: String, bytes: [UInt8]) {
        self.uid = uid
        self.bytes = bytes
    }

    public init(uid: String, text: String) {
        self.init(uid: uid, bytes: Array(text.utf8))
    }
}
