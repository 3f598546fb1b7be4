import Foundation
import POP3Server
import XCTest

/// The `mailbag --demo` maildrop: stable, spread over time, and covering the charsets and MIME shapes
/// the reader has to handle.
final class ServerDemoMailboxTests: XCTestCase {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)  // a fixed afternoon, for determinism
    static let demo = DemoMailbox.messages(now: now)

    var demo: [ServerMessage] { Self.demo }

    func header(of message: ServerMessage) -> String {
        let bytes = message.bytes
        var end = bytes.count
        for index in 0..<(bytes.count - 3)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            end = index
            break
        }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    func field(_ name: String, in message: ServerMessage) -> String? {
        header(of: message).replacingOccurrences(of: "\r\n ", with: " ")
            .components(separatedBy: "\r\n")
            .first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
            .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
    }

    func date(of message: ServerMessage) throws -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss Z"
        let text = try XCTUnwrap(field("Date", in: message))
        return try XCTUnwrap(formatter.date(from: text), text)
    }

    func contains(_ message: ServerMessage, _ text: String) -> Bool {
        contains(message, Array(text.utf8))
    }

    func contains(_ message: ServerMessage, _ needle: [UInt8]) -> Bool {
        occurrences(of: needle, in: message.bytes, limit: 1) > 0
    }

    /// Counts with memchr/memcmp, which stays fast on the 5 MB message even in a debug build.
    func occurrences(of needle: [UInt8], in bytes: [UInt8], limit: Int = .max) -> Int {
        bytes.withUnsafeBufferPointer { haystack in
            needle.withUnsafeBufferPointer { pattern in
                guard let base = haystack.baseAddress, let start = pattern.baseAddress, let first = pattern.first
                else { return 0 }
                var count = 0
                var index = 0
                while count < limit, index < haystack.count,
                      let hit = memchr(base + index, Int32(first), haystack.count - index) {
                    let position = base.distance(to: UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)))
                    if position + pattern.count <= haystack.count, memcmp(base + position, start, pattern.count) == 0 {
                        count += 1
                        index = position + pattern.count
                    } else {
                        index = position + 1
                    }
                }
                return count
            }
        }
    }

    func message(containing text: String, file: StaticString = #filePath, line: UInt = #line) throws -> ServerMessage {
        try XCTUnwrap(demo.first { contains($0, text) }, "no demo message contains \(text)", file: file, line: line)
    }

    func testSizeUIDsAndDeterminism() throws {
        XCTAssertTrue((30...40).contains(demo.count), "\(demo.count) messages")
        let uids = demo.map(\.uid)
        XCTAssertEqual(Set(uids).count, uids.count, "UIDs are unique")
        for uid in uids {
            XCTAssertTrue((1...70).contains(uid.utf8.count) && uid.utf8.allSatisfy { (0x21...0x7E).contains($0) }, uid)
        }
        let later = DemoMailbox.messages(now: Self.now.addingTimeInterval(86_400 * 400))
        XCTAssertEqual(Set(later.map(\.uid)), Set(uids), "UIDs do not depend on the clock")
        XCTAssertEqual(DemoMailbox.messages(now: Self.now), demo, "same clock, same bytes")
    }

    func testEveryMessageHasTheUsualHeadersAndCRLFLines() throws {
        for message in demo {
            for name in ["Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type"] {
                XCTAssertNotNil(field(name, in: message), "\(message.uid) lacks \(name)")
            }
            XCTAssertEqual(occurrences(of: [10], in: message.bytes), occurrences(of: [13, 10], in: message.bytes),
                           "\(message.uid) has a bare LF")
            XCTAssertLessThan(header(of: message).components(separatedBy: "\r\n").map(\.utf8.count).max() ?? 0, 999,
                              "\(message.uid) has a header line over the RFC 5322 limit")
        }
    }

    func testDatesAreSpreadFromTodayToEarlierYearsInOrder() throws {
        let dates = try demo.map { try date(of: $0) }
        XCTAssertEqual(dates, dates.sorted(), "maildrop order is arrival order")
        let calendar = Calendar.current
        let age = { (date: Date) in Self.now.timeIntervalSince(date) }
        XCTAssertTrue(dates.allSatisfy { age($0) >= 0 }, "no message from the future")
        XCTAssertGreaterThanOrEqual(dates.filter { calendar.isDate($0, inSameDayAs: Self.now) }.count, 4, "today")
        XCTAssertGreaterThanOrEqual(dates.filter { age($0) > 86_400 && age($0) < 7 * 86_400 }.count, 8, "this week")
        XCTAssertGreaterThanOrEqual(dates.filter { age($0) > 7 * 86_400 && age($0) < 365 * 86_400 }.count, 6)
        XCTAssertGreaterThanOrEqual(dates.filter { age($0) > 365 * 86_400 }.count, 5, "earlier years")
    }

    func testCharsetsAreReallyEncodedInThem() throws {
        // Byte sequences that only appear if iconv produced the named charset (not a UTF-8 fallback).
        let samples: [(label: String, bytes: [UInt8])] = [
            ("iso-8859-1", Array("Gr=FC=DFen".utf8)),                          // "Grüßen", quoted-printable
            ("koi8-r", [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]),                   // "Привет"
            ("iso-2022-jp", [0x1B, 0x24, 0x42]),                                // ESC $ B, JIS X 0208
            ("windows-1253", [0xD3, 0xFD, 0xED, 0xEF, 0xEB, 0xEF]),             // "Σύνολο"
            ("iso-8859-2", Array("Cze=B6=E6".utf8)),                           // "Cześć", quoted-printable
            ("euc-kr", [0xB0, 0xA8, 0xBB, 0xE7]),                               // "감사"
        ]
        for (label, bytes) in samples {
            let message = try message(containing: "charset=\"\(label)\"")
            XCTAssertTrue(contains(message, bytes), "\(label) body is not in \(label)")
        }
        let chinese = try message(containing: "charset=\"gb2312\"")
        XCTAssertTrue(contains(chinese, "Content-Transfer-Encoding: base64"))
        XCTAssertTrue(contains(chinese, "=?gb2312?B?"))
        XCTAssertTrue(contains(try message(containing: "=?iso-8859-2?Q?"), "Zaproszenie"))
        XCTAssertNotNil(demo.first { contains($0, "=?iso-2022-jp?B?") })
        let french = try message(containing: "copropri")
        XCTAssertTrue(contains(french, "Content-Transfer-Encoding: 8bit"))
        XCTAssertTrue(contains(french, "résidence") || contains(french, "Bonjour à toutes"))
    }

    func testMIMEShapes() throws {
        let htmlOnly = demo.filter { field("Content-Type", in: $0)?.hasPrefix("text/html") == true }
        XCTAssertEqual(htmlOnly.count, 1, "one HTML-only newsletter")
        XCTAssertNotNil(demo.first { field("Content-Type", in: $0)?.hasPrefix("multipart/alternative") == true })
        XCTAssertTrue(contains(try message(containing: "Content-Type: message/rfc822"), "Fwd: "))
        XCTAssertTrue(contains(try message(containing: "format=flowed"), "switchbacks in the sun. Start "),
                      "flowed text keeps its soft-break spaces")
        XCTAssertTrue(contains(try message(containing: "filename*0*=utf-8''Kostenvoranschlag%20K%C3%BCche"),
                               "filename*1*="))
        XCTAssertNotNil(demo.first { contains($0, "name=\"error.log\"") })
        XCTAssertNotNil(demo.first { contains($0, ">>>>> Facilities confirmed") }, "five quote levels")
    }

    func testAttachmentsAreValidFiles() throws {
        let pdf = try attachment(named: "INV-0137.pdf")
        XCTAssertEqual(Array(pdf.prefix(8)), Array("%PDF-1.4".utf8))
        let text = String(decoding: pdf, as: UTF8.self)
        let startxref = try XCTUnwrap(text.range(of: "startxref\n"))
        let offset = try XCTUnwrap(Int(text[startxref.upperBound...].prefix { $0.isNumber }))
        XCTAssertEqual(Array(pdf[offset..<offset + 4]), Array("xref".utf8), "startxref points at the xref table")

        let png = try attachment(named: "mailbag-logo-v3.png")
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(Array(png.suffix(8).prefix(4)), Array("IEND".utf8))
    }

    func testOneVeryLargeMessage() throws {
        let sizes = demo.map(\.bytes.count).sorted()
        XCTAssertTrue((4_500_000...6_000_000).contains(sizes.last ?? 0), "largest is \(sizes.last ?? 0) bytes")
        XCTAssertLessThan(sizes.dropLast().last ?? 0, 100_000, "only one message is large")
    }

    func testHostileMessageCarriesEscapesAndBidiControls() throws {
        let hostile = try message(containing: "\u{1B}[2J")
        let subject = try XCTUnwrap(field("Subject", in: hostile))
        XCTAssertTrue(subject.contains("\u{1B}]52;c;"), "OSC 52 clipboard write in the raw subject")
        XCTAssertTrue(try XCTUnwrap(field("From", in: hostile)).contains("\u{1B}[2J"))
        XCTAssertTrue(contains(hostile, [0xE2, 0x80, 0xAE]), "U+202E in the body")
        XCTAssertTrue(contains(hostile, "\u{1B}]8;;http://evil.example/login"), "disguised OSC 8 link")
    }

    func testServedThroughTheServerIncludingTheLargeMessage() async throws {
        let server = InMemoryPOP3Server(users: [DemoMailbox.user: DemoMailbox.password], messages: demo)
        let port = try await server.start()
        let client = try await ServerTestClient.connect(port: port)
        _ = try await client.readLine()
        _ = try await client.command("USER \(DemoMailbox.user)")
        try await assertPrefix(await client.command("PASS \(DemoMailbox.password)"), "+OK Logged in, \(demo.count) messages")
        let largest = try XCTUnwrap(demo.indices.max { demo[$0].bytes.count < demo[$1].bytes.count })
        try await assertEqual(await client.command("LIST \(largest + 1)"), "+OK \(largest + 1) \(demo[largest].bytes.count)")
        try await assertPrefix(await client.command("RETR \(largest + 1)"), "+OK")
        try await assertEqual(await client.readBytes(demo[largest].bytes.count), demo[largest].bytes)
        try await assertEqual(await client.readLine(), ".")
        await client.close()
        await server.stop()
    }

    /// Decodes the base64 body of the part whose filename parameter is `name`.
    func attachment(named name: String) throws -> [UInt8] {
        let message = try message(containing: "filename=\"\(name)\"")
        let text = String(decoding: message.bytes, as: UTF8.self)
        let parameter = try XCTUnwrap(text.range(of: "filename=\"\(name)\""))
        let bodyStart = try XCTUnwrap(text.range(of: "\r\n\r\n", range: parameter.upperBound..<text.endIndex))
        let body = text[bodyStart.upperBound...].prefix { $0 != "-" }
        return try [UInt8](XCTUnwrap(Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: ""))))
    }
}
