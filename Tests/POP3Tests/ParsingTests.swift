import Foundation
import XCTest

@testable import POP3

final class AuthEncodingTests: XCTestCase {
    func testAPOPDigestRFC1939Vector() {
        XCTAssertEqual(
            AuthEncoding.apopDigest(timestamp: "<1896.697170952@dbc.mtview.ca.us>", password: "tanstaaf"),
            "c4c9334bac560ecc979e58001b3e22fb"
        )
    }

    func testCRAMMD5RFC2195Vector() {
        // RFC 2195 section 2: challenge <1896.697170952@postoffice.reston.mci.net>, secret tanstaaftanstaaf.
        let challenge = Data("<1896.697170952@postoffice.reston.mci.net>".utf8).base64EncodedString()
        XCTAssertEqual(challenge, "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+")
        let response = AuthEncoding.cramMD5(user: "tim", password: "tanstaaftanstaaf", challenge: challenge)
        XCTAssertEqual(response, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw")
        XCTAssertEqual(
            response.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) },
            "tim b913a602c7eda7a495b4e6e7334d3890")
        XCTAssertNil(AuthEncoding.cramMD5(user: "tim", password: "x", challenge: "not base64!"))
    }

    func testPLAINMessageRFC4616() {
        // authzid empty, authcid "tim", password "tanstaaftanstaaf".
        XCTAssertEqual(AuthEncoding.plain(user: "tim", password: "tanstaaftanstaaf"), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm")
        XCTAssertEqual(
            Data(base64Encoded: AuthEncoding.plain(user: "jörg", password: "pä ss")),
            Data([0] + Array("jörg".utf8) + [0] + Array("pä ss".utf8)))
    }

    func testLOGINSteps() {
        XCTAssertEqual(AuthEncoding.login("alice"), "YWxpY2U=")
        XCTAssertEqual(AuthEncoding.login("s3cret"), "czNjcmV0")
    }

    func testXOAUTH2MessageAsGoogleDocumentsIt() {
        // Google's XOAUTH2 example: someuser@example.com with the token ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg.
        XCTAssertEqual(
            AuthEncoding.xoauth2(user: "someuser@example.com", token: "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"),
            "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==")
    }

    func testOAUTHBEARERMessageRFC7628() {
        // RFC 7628 section 4.1: user@example.com at server.example.com:143 with token vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==.
        let encoded = AuthEncoding.oauthBearer(
            user: "user@example.com", token: "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", host: "server.example.com", port: 143)
        XCTAssertEqual(
            encoded,
            "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB")
        // RFC 5801 section 5: "," and "=" in the authzid are escaped.
        XCTAssertEqual(
            Data(base64Encoded: AuthEncoding.oauthBearer(user: "a,b=c", token: "t", host: "h", port: 995)),
            Data("n,a=a=2Cb=3Dc,\u{1}host=h\u{1}port=995\u{1}auth=Bearer t\u{1}\u{1}".utf8))
    }

    func testTheErrorChallengeOfARefusedTokenIsSummarised() {
        // RFC 7628 section 4.3's failure, and Google's form of it.
        let rfc = Data(#"{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}"#.utf8)
        XCTAssertEqual(AuthEncoding.bearerProblem(challenge: rfc.base64EncodedString()), "status invalid_token, scope example_scope")
        let google = Data(#"{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}"#.utf8)
        XCTAssertEqual(AuthEncoding.bearerProblem(challenge: google.base64EncodedString()), "status 400, scope https://mail.google.com/")
        XCTAssertNil(AuthEncoding.bearerProblem(challenge: ""))
        XCTAssertNil(AuthEncoding.bearerProblem(challenge: "not base64!"))
        XCTAssertNil(AuthEncoding.bearerProblem(challenge: Data("[1]".utf8).base64EncodedString()))
    }

    func testATokenAndItsEncodingsAreMasked() {
        let token = "ya29.a0AfH6SMBx-token_value"
        let redaction = Redaction(bearerToken: token, user: "alice", host: "pop.gmail.com", port: 995)
            .merging(Redaction(bearerToken: "fresh-token", user: "alice", host: "pop.gmail.com", port: 995))
        let xoauth2 = AuthEncoding.xoauth2(user: "alice", token: token)
        let bearer = AuthEncoding.oauthBearer(user: "alice", token: token, host: "pop.gmail.com", port: 995)
        // As for a password, an echo with or without base64's padding loses the whole secret.
        for secret in [token, xoauth2, bearer, String(xoauth2.prefix { $0 != "=" }), "fresh-token"] {
            let masked = redaction.apply("-ERR bad \(secret).")
            XCTAssertTrue(masked.hasPrefix("-ERR bad ***"), masked)
            XCTAssertFalse(masked.contains(String(secret.prefix { $0 != "=" }).suffix(8)), masked)
        }
        XCTAssertEqual(redaction.apply("-ERR [AUTH] Authentication failed."), "-ERR [AUTH] Authentication failed.")
    }
}

final class CapabilitiesTests: XCTestCase {
    func testParseDovecotStyleCAPA() {
        let lines = [
            "CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "STLS", "USER",
            "SASL plain login cram-md5", "LOGIN-DELAY 900", "EXPIRE 31 USER", "IMPLEMENTATION Dovecot ready.",
            "UTF8 USER",
            "X-UNKNOWN whatever",
        ]
        let capabilities = Capabilities.parse(lines)
        XCTAssertTrue(capabilities.advertised)
        XCTAssertTrue(capabilities.top && capabilities.uidl && capabilities.user && capabilities.pipelining)
        XCTAssertTrue(capabilities.stls && capabilities.respCodes && capabilities.authRespCode && capabilities.utf8)
        XCTAssertEqual(capabilities.sasl, ["PLAIN", "LOGIN", "CRAM-MD5"])
        XCTAssertEqual(capabilities.loginDelay, 900)
        XCTAssertEqual(capabilities.expire, "31 USER")
        XCTAssertEqual(capabilities.implementation, "Dovecot ready.")
        XCTAssertEqual(capabilities.raw, lines)
    }

    func testMinimalCAPA() {
        let capabilities = Capabilities.parse(["USER"])
        XCTAssertTrue(capabilities.user)
        XCTAssertFalse(capabilities.top || capabilities.uidl || capabilities.pipelining || capabilities.stls)
        XCTAssertEqual(capabilities.sasl, [])
        XCTAssertNil(capabilities.loginDelay)
    }

    func testBadLoginDelayIsIgnored() {
        XCTAssertNil(Capabilities.parse(["LOGIN-DELAY soon"]).loginDelay)
        XCTAssertNil(Capabilities.parse(["LOGIN-DELAY -5"]).loginDelay)
    }

    func testAssumedCapabilitiesWithoutCAPA() {
        let assumed = Capabilities.assumedWithoutCAPA
        XCTAssertFalse(assumed.advertised)
        XCTAssertTrue(assumed.user && assumed.top && assumed.uidl)
        XCTAssertFalse(assumed.pipelining || assumed.stls)
    }
}

final class GreetingTests: XCTestCase {
    func testAPOPTimestamp() {
        XCTAssertEqual(
            Greeting(text: "POP3 server ready <1896.697170952@dbc.mtview.ca.us>").apopTimestamp,
            "<1896.697170952@dbc.mtview.ca.us>")
        XCTAssertEqual(Greeting(text: "Dovecot ready.").apopTimestamp, nil)
    }

    func testInvalidTimestampsAreRejected() {
        for text in [
            "ready <no-at-sign>", "ready <a@b@c>", "ready <@host>", "ready <local@>", "ready <has space@x>",
            "ready <\u{1}ctl@x>", "ready <unterminated@x", "ready <" + String(repeating: "a", count: 300) + "@x>",
        ] {
            XCTAssertNil(Greeting(text: text).apopTimestamp, text)
        }
    }
}

final class ListingTests: XCTestCase {
    func testValidUIDListing() {
        let listing = UIDListing.parse(Array("1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n".utf8))
        XCTAssertEqual(
            listing.entries,
            [
                UIDEntry(number: 1, uid: "whqtswO00WBw418f9t5JxYwZ"),
                UIDEntry(number: 2, uid: "QhdPYR:00WBw1Ph7x7"),
            ])
        XCTAssertEqual(listing.problems, [])
    }

    /// Thousands of bad lines make one warning per kind, with a count, not one each.
    func testProblemsAreSummedUpByKind() {
        let bad = (1...5_000).map { "\($0) bad\u{7}uid\r\n" }.joined()
        let listing = UIDListing.parse(Array((bad + "5001 fine\r\n5002 fine\r\nx y\r\n").utf8))
        XCTAssertEqual(listing.problemCounts.values.reduce(0, +), 5_003)
        XCTAssertLessThanOrEqual(listing.problems.count, 3 * 8, "examples are kept, not every problem")
        XCTAssertEqual(listing.problemSummary.count, 3)
        XCTAssertTrue(listing.problemSummary[0].hasSuffix("and 4999 more like it"), listing.problemSummary[0])
        XCTAssertEqual(listing.entries.count, 0, "a UID used twice is nobody's")
    }

    func testInvalidAndDuplicateUIDsAreReportedAndExcluded() {
        let body: [UInt8] =
            Array("1 good\r\n2 dup\r\n3 dup\r\n4 has space\r\n".utf8)
            + Array("5 ".utf8) + [0x1B, 0x5B, 0x32, 0x4A] + Array("\r\n".utf8)
            + Array("6 \(String(repeating: "u", count: 71))\r\n".utf8)
            + Array("7 ../../etc/passwd\r\nseven x\r\n8 ok8\r\n8 again\r\n".utf8)
            + Array("9 caf\u{E9}\r\n".utf8)
        let listing = UIDListing.parse(body)
        XCTAssertEqual(
            listing.entries, [UIDEntry(number: 1, uid: "good"), UIDEntry(number: 7, uid: "../../etc/passwd")])
        XCTAssertEqual(
            listing.problems.map(\.reason),
            [
                .invalidUID, .invalidUID, .invalidUID, .malformedLine, .invalidUID, .duplicateUID, .duplicateUID,
                .duplicateNumber, .duplicateNumber,
            ])
        XCTAssertEqual(listing.problems[1].text, "\\x1B[2J")
        XCTAssertEqual(listing.problems[1].number, 5)
        XCTAssertTrue(listing.problems[5].description.contains("also used by another message"))
    }

    func testARepeatedUIDIsFoundWhetherTheUIDsGrowOrNot() {
        let growing = UIDListing.parse(Array("1 a1\r\n2 a2\r\n3 a2\r\n4 a3\r\n".utf8))
        XCTAssertEqual(growing.entries, [UIDEntry(number: 1, uid: "a1"), UIDEntry(number: 4, uid: "a3")])
        XCTAssertEqual(growing.problems.map(\.reason), [.duplicateUID, .duplicateUID])
        let shuffled = UIDListing.parse(Array("1 b\r\n2 a\r\n3 c\r\n4 a\r\n".utf8))
        XCTAssertEqual(shuffled.entries, [UIDEntry(number: 1, uid: "b"), UIDEntry(number: 3, uid: "c")])
        XCTAssertEqual(shuffled.problems.map(\.number), [2, 4])
        let distinct = UIDListing.parse(Array("1 a9\r\n2 b1\r\n3 b10\r\n4 b2\r\n".utf8))
        XCTAssertEqual(distinct.entries.map(\.uid), ["a9", "b1", "b10", "b2"])
        XCTAssertEqual(distinct.problems, [])
    }

    func testSpacingAroundTheUID() {
        let listing = UIDListing.parse(Array("1  x\r\n2 \r\n  3 c\r\n4 d   \n\n5\r\n".utf8))
        XCTAssertEqual(listing.entries, [UIDEntry(number: 3, uid: "c"), UIDEntry(number: 4, uid: "d")])
        XCTAssertEqual(listing.problems.map(\.reason), [.invalidUID, .malformedLine, .malformedLine])
        XCTAssertEqual(listing.problems.map(\.number), [1, nil, nil])
    }

    func testNumbersOutOfOrderAreStillCheckedForRepeats() {
        let listing = UIDListing.parse(Array("3 c\r\n1 a\r\n3 again\r\n2 b\r\n".utf8))
        XCTAssertEqual(listing.entries, [UIDEntry(number: 1, uid: "a"), UIDEntry(number: 2, uid: "b")])
        XCTAssertEqual(listing.problems.map(\.reason), [.duplicateNumber, .duplicateNumber])
    }

    func testListEntries() {
        XCTAssertEqual(Listing.listEntry(Array("  3   1200 ".utf8)), ListEntry(number: 3, size: 1200))
        XCTAssertEqual(Listing.listEntry(Array("3 1200".utf8)), ListEntry(number: 3, size: 1200))
        XCTAssertEqual(Listing.listEntry(Array("3 1200 extra info".utf8)), ListEntry(number: 3, size: 1200))
        XCTAssertNil(Listing.listEntry(Array("3".utf8)))
        XCTAssertNil(Listing.listEntry(Array("-3 10".utf8)))
        XCTAssertNil(Listing.listEntry(Array("0 10".utf8)))
        XCTAssertNil(Listing.listEntry(Array("3 99999999999999999999999".utf8)))
    }
}

final class URLTests: XCTestCase {
    func testPOP3S() throws {
        let url = try POP3URL(parsing: "pop3s://alice@mail.example.com")
        XCTAssertEqual(url, POP3URL(security: .implicitTLS, user: "alice", host: "mail.example.com", port: 995))
    }

    func testPOP3WithPortAndEncodedUser() throws {
        let url = try POP3URL(parsing: "POP3://alice%40example.com@127.0.0.1:1110/")
        XCTAssertEqual(url, POP3URL(security: .startTLS, user: "alice@example.com", host: "127.0.0.1", port: 1110))
        XCTAssertEqual(try POP3URL(parsing: "pop3://bob@h").port, 110)
        XCTAssertEqual(try POP3URL(parsing: "pop3s://j%C3%B6rg@h").user, "jörg")
    }

    func testUnencodedAtSignInUserUsesLastAt() throws {
        XCTAssertEqual(try POP3URL(parsing: "pop3s://alice@example.com@mail.example.com").user, "alice@example.com")
    }

    func testIPv6() throws {
        XCTAssertEqual(
            try POP3URL(parsing: "pop3s://alice@[::1]:9995"),
            POP3URL(security: .implicitTLS, user: "alice", host: "::1", port: 9995))
        XCTAssertEqual(try POP3URL(parsing: "pop3://alice@[2001:db8::7]").host, "2001:db8::7")
        XCTAssertEqual(
            POP3URL(security: .implicitTLS, user: "a b", host: "::1", port: 995).description,
            "pop3s://a%20b@[::1]:995")
    }

    func testErrors() {
        let bad = [
            "imap://alice@host", "alice@host", "pop3s://host", "pop3s://@host", "pop3s://alice@",
            "pop3s://alice@host:0",
            "pop3s://alice@host:70000", "pop3s://alice@host:99x", "pop3s://alice:secret@host",
            "pop3s://alice@host/INBOX",
            "pop3s://alice@host?x=1", "pop3s://alice@::1", "pop3s://alice@[::1", "pop3s://alice@[zz]",
            "pop3s://al%2@host",
            "pop3s://al%0D%0ADELE%201@host", "pop3s://alice;AUTH=*@host", "pop3s://alice@ho st", "pop3s://alice@hôst",
            "pop3s://%FF@host",
        ]
        for text in bad {
            XCTAssertThrowsError(try POP3URL(parsing: text), text) { error in
                guard case .invalidURL(let reason) = error as? POP3Error else { return XCTFail("\(text): \(error)") }
                XCTAssertFalse(reason.isEmpty)
                XCTAssertTrue((error as? POP3Error)?.description.hasPrefix("The mailbox URL is not usable") == true)
            }
        }
    }
}

final class ErrorDescriptionTests: XCTestCase {
    func testDescriptionsAreActionableAndSanitized() {
        let inUse = POP3Error.inUse("\u{1B}[31mlocked\u{202E} by pid 7\r\n")
        XCTAssertEqual(
            inUse.description,
            "The mailbox is locked by another session (another mail client may be connected) "
                + "(server said: \"[31mlocked by pid 7\"); close it or wait a few minutes, then try again.")
        XCTAssertTrue(POP3Error.loginDelay(seconds: 900, text: "").description.contains("wait at least 900 seconds"))
        XCTAssertTrue(POP3Error.stlsNotOffered.description.contains("no password was sent"))
        XCTAssertTrue(POP3Error.tlsVerification(.expired).description.contains("expired"))
        XCTAssertTrue(POP3Error.tlsVerification(.untrustedIssuer).description.contains("--ca-file"))
        XCTAssertEqual(
            POP3Error.authFailed("").description,
            "The server rejected the user name or password; check your credentials, "
                + "or choose the login method with --auth or the config's auth.")
        XCTAssertTrue(
            POP3Error.authFailed("no", tried: ["APOP", "USER"]).description.hasPrefix(
                "The server rejected the user name or password (tried APOP, USER) (server said: \"no\")"))
        XCTAssertTrue(POP3Error.silentAfterLogin(commands: 3, seconds: 30).description.contains("pipelining = false"))
        XCTAssertEqual(
            POP3Error.wrongState(command: "STAT", state: .authorization).description,
            "STAT needs a logged-in session; log in first.")
        XCTAssertEqual(POP3Error.sysTemp("x").errorDescription, POP3Error.sysTemp("x").description)
    }
}

final class TraceTests: XCTestCase {
    func testTraceRedactsAndTimestamps() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let trace = try ProtocolTrace(path: path)
        trace.client(.user("alice"))
        trace.client(.pass("hunter2"))
        trace.client(.auth(mechanism: "PLAIN", initialResponse: "AGFsaWNlAGh1bnRlcjI="))
        trace.client(.saslResponse("aHVudGVyMg=="))
        trace.client(.apop(user: "alice", digest: "c4c9334bac560ecc979e58001b3e22fb"))
        trace.server("+OK hi\u{1B}[2J")
        trace.server("<1234 bytes>")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").map { String($0.split(separator: " ", maxSplits: 1)[1]) }
        XCTAssertEqual(
            lines,
            [
                "C: USER alice", "C: PASS ***", "C: AUTH PLAIN ***", "C: ***", "C: APOP alice ***",
                "S: +OK hi\u{FFFD}[2J", "S: <1234 bytes>",
            ])
        XCTAssertFalse(text.contains("hunter2") || text.contains("aHVudGVyMg") || text.contains("c4c9"))
        let timestamp = text.split(separator: " ")[0]
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        XCTAssertNotNil(formatter.date(from: String(timestamp)))
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(permissions, 0o600)
    }

    func testConcurrentWritersKeepLinesWhole() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let trace = try ProtocolTrace(path: path)
        DispatchQueue.concurrentPerform(iterations: 400) { index in
            trace.client(.uidl(index + 1))
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 400)
        XCTAssertTrue(lines.allSatisfy { $0.contains(" C: UIDL ") })
    }
}
