// Rendering benchmark for MailMessage (issue 3): a 20 MB message with a large base64
// attachment, a 200 kB HTML newsletter, and a few hostile shapes. Build in release:
//   swift run -c release MIMEBench [RUNS [CASE]]
// Prints the best and median wall time of RUNS runs (default 5) per case; with CASE, only the
// cases whose name contains it (for a profiler: `perf record … MIMEBench 20 index`).
import Foundation
import MailMessage

let runs = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 5
let chosenCase = CommandLine.arguments.dropFirst(2).first

func base64Lines(_ data: [UInt8]) -> String {
    let encoded = Data(data).base64EncodedString()
    var out = ""
    out.reserveCapacity(encoded.utf8.count + encoded.utf8.count / 76 * 2)
    var i = encoded.startIndex
    while i < encoded.endIndex {
        let j = encoded.index(i, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
        out += encoded[i..<j]
        out += "\r\n"
        i = j
    }
    return out
}

/// A deterministic pseudo-random payload, so base64 compresses nothing and looks like a real file.
func payload(_ count: Int) -> [UInt8] {
    var state: UInt64 = 0x1234_5678
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
}

func bigAttachmentMessage() -> [UInt8] {
    // 15 MiB of data is about 20.4 MB once base64-encoded with CRLF line breaks.
    let data = payload(15 * 1024 * 1024)
    var m = """
    From: Sender <sender@example.com>\r
    To: alice@example.org\r
    Subject: Holiday videos\r
    Date: Tue, 5 Mar 2024 10:15:30 +0100\r
    MIME-Version: 1.0\r
    Content-Type: multipart/mixed; boundary="big-boundary"\r
    \r
    --big-boundary\r
    Content-Type: text/plain; charset=utf-8\r
    \r
    The video is attached.\r
    --big-boundary\r
    Content-Type: video/mp4; name="holiday.mp4"\r
    Content-Disposition: attachment; filename="holiday.mp4"\r
    Content-Transfer-Encoding: base64\r
    \r

    """
    m += base64Lines(data)
    m += "--big-boundary--\r\n"
    return Array(m.utf8)
}

func newsletterMessage() -> [UInt8] {
    var html = """
    <!DOCTYPE html><html><head><meta charset="utf-8"><title>Weekly</title>
    <style>body { font-family: sans-serif } .hidden { display: none }</style>
    <script>var tracking = 1;</script></head><body>
    <table width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
    """
    var k = 0
    while html.utf8.count < 200_000 {
        k += 1
        html += """
        <table width="600"><tr><td>
        <h2>Story \(k): something &amp; something else</h2>
        <p>Lorem ipsum dolor sit amet, <b>consectetur</b> adipiscing elit, sed do eiusmod tempor
        incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud
        exercitation &mdash; ullamco laboris nisi ut aliquip ex ea commodo consequat. Caf&eacute; &#8364;5.</p>
        <ul><li>Point one</li><li>Point <i>two</i></li><li><a href="https://example.com/story/\(k)?utm_source=mail">Read more</a></li></ul>
        <img src="https://example.com/img/\(k).png" alt="Picture \(k)" width="600">
        </td></tr></table>
        <!-- spacer --><div style="display:none">preview text \(k)</div>

        """
    }
    html += "</td></tr></table></body></html>\n"
    let header = """
    From: Weekly <news@example.com>\r
    To: alice@example.org\r
    Subject: This week\r
    Date: Tue, 5 Mar 2024 10:15:30 +0100\r
    MIME-Version: 1.0\r
    Content-Type: text/html; charset=utf-8\r
    Content-Transfer-Encoding: quoted-printable\r
    \r

    """
    return Array(header.utf8) + quotedPrintable(Array(html.utf8))
}

func quotedPrintable(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 11 / 10)
    var column = 0
    let hex = Array("0123456789ABCDEF".utf8)
    for b in bytes {
        if b == 0x0A {
            out += [0x0D, 0x0A]
            column = 0
            continue
        }
        let plain = (b >= 0x21 && b <= 0x7E && b != 0x3D) || b == 0x20
        let width = plain ? 1 : 3
        if column + width > 75 {
            out += [0x3D, 0x0D, 0x0A]
            column = 0
        }
        if plain { out.append(b) } else { out += [0x3D, hex[Int(b >> 4)], hex[Int(b & 15)]] }
        column += width
    }
    return out
}

func measure(_ name: String, bytes: Int, _ body: () -> Void) {
    if let chosenCase, !name.contains(chosenCase) { return }
    let clock = ContinuousClock()
    var times: [Duration] = []
    for _ in 0..<runs { times.append(clock.measure(body)) }
    times.sort()
    func ms(_ d: Duration) -> String {
        let v = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        return String(format: "%8.1f ms", v)
    }
    let size = String(format: "%7.2f MB", Double(bytes) / 1_000_000)
    print("\(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(size)  best \(ms(times[0]))  median \(ms(times[times.count / 2]))")
}

let options = RenderOptions(timeZone: TimeZone(identifier: "UTC")!)
let big = bigAttachmentMessage()
let news = newsletterMessage()

let bigRendered = MessageRenderer.render(big, options: options)
precondition(bigRendered.attachments.first?.size == 15 * 1024 * 1024, "attachment size is wrong")
let newsRendered = MessageRenderer.render(news, options: options)
precondition(newsRendered.lines.count > 100, "newsletter rendered to almost nothing")

print("MIMEBench: \(runs) runs per case")
measure("render 20 MB message, base64 attachment", bytes: big.count) { _ = MessageRenderer.render(big, options: options) }
measure("decode that attachment (15 MiB)", bytes: big.count) {
    _ = try! AttachmentSavePlan.one(1, in: big, options: options)?.entries.first?.data()
}
measure("partial render of its first 20 body lines", bytes: 1_200) {
    _ = MessageRenderer.partialRender(Array(big.prefix(1_200)), options: options)
}
measure("render 200 kB HTML newsletter (QP)", bytes: news.count) { _ = MessageRenderer.render(news, options: options) }

var manyParts = "Content-Type: multipart/mixed; boundary=b\n\n"
manyParts += String(repeating: "--b\nContent-Type: application/octet-stream\n\nx\n", count: 50_000)
let manyPartsBytes = Array(manyParts.utf8)
measure("hostile: 50,000 parts (bounded at 1,000)", bytes: manyPartsBytes.count) { _ = MessageRenderer.render(manyPartsBytes, options: options) }

let deep = Array((String(repeating: "Content-Type: message/rfc822\n\n", count: 5_000) + "text\n").utf8)
measure("hostile: 5,000 nested messages", bytes: deep.count) { _ = MessageRenderer.render(deep, options: options) }

let lines = Array(("Subject: x\n\n" + String(repeating: "a line of text\n", count: 1_000_000)).utf8)
measure("hostile: 1,000,000 text lines (cut at 200k)", bytes: lines.count) { _ = MessageRenderer.render(lines, options: options) }

// The index parses one header block per message (TOP n 0): at 20,000 messages this is the
// client's main CPU cost of a cold index, so it is timed on headers shaped like real list mail.
let indexHeaders: [[UInt8]] = (1...20_000).map { i in
    Array("""
    Return-Path: <sender\(i % 37)@lists.example.net>\r
    Received: from mx\(i % 3).example.net (mx\(i % 3).example.net [192.0.2.\(i % 250 + 1)])\r
    \tby mail.example.org with ESMTPS id q\(i)\r
    \tfor <alice@example.org>; Tue, 5 Mar 2024 10:15:30 +0100\r
    From: =?UTF-8?B?SsO8cmdlbiBXZWnDnw==?= <sender\(i % 37)@lists.example.net>\r
    To: Alice <alice@example.org>, "Team, Ops" <ops@example.net>\r
    Subject: [list] Weekly digest, issue \(i)\r
    Date: Tue, 5 Mar 2024 10:15:30 +0100 (CET)\r
    Message-ID: <\(i).digest@lists.example.net>\r
    MIME-Version: 1.0\r
    Content-Type: text/plain; charset=utf-8; format=flowed\r
    List-Id: <weekly.lists.example.net>\r
    \r

    """.utf8)
}
measure("index: parse 20,000 header blocks", bytes: indexHeaders.reduce(0) { $0 + $1.count }) {
    for header in indexHeaders { _ = MessageSummary.parse(headerBytes: header) }
}

// The same count in the plain shape most mail has (and the benchmark rig's Dovecot serves): no
// encoded words, no quoted names, no date comment.
let plainHeaders: [[UInt8]] = (1...20_000).map { i in
    Array("""
    Return-Path: <sender\(i % 37)@lists.example.net>\r
    Received: from mx1.example.net (mx1.example.net [192.0.2.2])\r
    \tby mail.mailbag.test with ESMTPS id rig\(i)\r
    \tfor <heidi@mailbag.test>; Tue, 14 Nov 2023 23:13:20 +0000\r
    Received: from localhost (localhost [127.0.0.1])\r
    \tby mx1.example.net; Tue, 14 Nov 2023 23:13:20 +0000\r
    From: Sender \(i % 37) <sender\(i % 37)@lists.example.net>\r
    To: heidi <heidi@mailbag.test>\r
    Subject: Simple message \(i) of 20000\r
    Date: Tue, 14 Nov 2023 23:13:20 +0000\r
    Message-ID: <simple-\(i).heidi@mailbag.test>\r
    List-Id: Rig test list <rig.lists.example.net>\r
    MIME-Version: 1.0\r
    Content-Type: text/plain; charset=us-ascii\r
    Content-Transfer-Encoding: 7bit\r
    \r

    """.utf8)
}
measure("index: parse 20,000 plain header blocks", bytes: plainHeaders.reduce(0) { $0 + $1.count }) {
    for header in plainHeaders { _ = MessageSummary.parse(headerBytes: header) }
}
