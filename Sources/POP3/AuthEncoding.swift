import Crypto
import Foundation

/// The wire encodings of the login methods, kept apart from the exchange so each can be checked
/// against its RFC's test vector.
enum AuthEncoding {
    /// RFC 1939 section 7: MD5 of the greeting's timestamp followed by the shared secret, in lower-case hex.
    static func apopDigest(timestamp: String, password: String) -> String {
        hex(Insecure.MD5.hash(data: Array((timestamp + password).utf8)))
    }

    /// RFC 4616: `authzid NUL authcid NUL passwd` with an empty authzid (act as the user who logs in), base64.
    static func plain(user: String, password: String) -> String {
        Data([0] + Array(user.utf8) + [0] + Array(password.utf8)).base64EncodedString()
    }

    /// RFC 2195: `user SP hex(HMAC-MD5(password, challenge))`, base64. Nil when the challenge is not base64.
    static func cramMD5(user: String, password: String, challenge: String) -> String? {
        guard let decoded = Data(base64Encoded: challenge) else { return nil }
        let mac = HMAC<Insecure.MD5>.authenticationCode(for: decoded, using: SymmetricKey(data: Array(password.utf8)))
        return Data((user + " " + hex(mac)).utf8).base64EncodedString()
    }

    /// The LOGIN mechanism sends the user name, then the password, each base64 on its own line.
    static func login(_ value: String) -> String {
        Data(value.utf8).base64EncodedString()
    }

    /// Google's and Microsoft's XOAUTH2: `user=USER ^A auth=Bearer TOKEN ^A ^A`, base64.
    static func xoauth2(user: String, token: String) -> String {
        Data("user=\(user)\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8).base64EncodedString()
    }

    /// RFC 7628 section 3.1: a GS2 header naming the user (`,` and `=` escaped as RFC 5801 says),
    /// then `host=`, `port=` and `auth=Bearer TOKEN`, each ended by ^A, and a final ^A; base64.
    static func oauthBearer(user: String, token: String, host: String, port: Int) -> String {
        let authzid = user.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
        let message = "n,a=\(authzid),\u{1}host=\(host)\u{1}port=\(port)\u{1}auth=Bearer \(token)\u{1}\u{1}"
        return Data(message.utf8).base64EncodedString()
    }

    /// RFC 7628 section 3.2.2: the JSON a server sends as a challenge when it refuses a token, as
    /// `status` and `scope` for an error message; nil when the challenge is not such JSON.
    static func bearerProblem(challenge: String) -> String? {
        guard let decoded = Data(base64Encoded: challenge),
              let object = try? JSONSerialization.jsonObject(with: decoded) as? [String: Any]
        else { return nil }
        let fields = ["status", "scope"].compactMap { key in
            (object[key].map { "\($0)" }).map { "\(key) \($0)" }
        }
        return fields.isEmpty ? nil : fields.joined(separator: ", ")
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var result = [UInt8]()
        for byte in bytes {
            result.append(digits[Int(byte >> 4)])
            result.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: result, as: UTF8.self)
    }
}
