/// Everyday English mail: colleagues, services, notifications — what most of an inbox looks like.
extension DemoMailbox {
    typealias Composer = DemoMailComposer

    static var everyday: [DemoEntry] {
        [
            DemoEntry("welcome", .daysAgo(1460, hour: 9, minute: 0), zone: 0) { c in
                Composer.message(
                    headers: c.headers(from: "Mailbag <hello@mailbag.example>", subject: "Welcome to Mailbag"),
                    body: .text("""
                        Hi Sam,

                        this is the Mailbag demo mailbox. It lives in a small POP3 server inside
                        Mailbag itself, on a loopback port, so nothing here ever leaves your machine.

                        A few keys to get going:

                          j / k       move down / up          Enter   read the message
                          p           preview (TOP n 20)      /       search
                          d           mark for deletion       u       unmark
                          q           quit (asks before deleting anything)
                          x           leave without deleting anything
                          ?           every key binding

                        Deleting here really deletes from the demo server, but only for this run:
                        start the demo again and everything is back.

                        Have a look around: there is mail in German, French, Russian, Japanese,
                        Chinese, Greek, Polish, Korean and Spanish, HTML newsletters, attachments, a
                        very long thread, a very large message, and one that tries to mess with your
                        terminal.

                        -- 
                        The Mailbag team
                        """, charset: "us-ascii", encoding: .sevenBit)
                )
            },
            DemoEntry("hosting-invoice", .daysAgo(122, hour: 6, minute: 2), zone: 0) { c in
                let pdf = DemoFiles.pdf(title: "Invoice INV-0137", lines: [
                    "Northwind Web Hosting Ltd.", "12 Harbour Road, Bristol BS1 5TY", "",
                    "INVOICE INV-0137", "", "Bill to: Sam Rivera", "Customer number: C-20417", "",
                    "Item                                   Qty     Amount",
                    "VPS Standard (2 vCPU, 4 GB RAM)          1     GBP 18.00",
                    "Additional IPv4 address                  1     GBP  3.00",
                    "Daily backups                            1     GBP  4.50",
                    "", "Subtotal                                       GBP 25.50",
                    "VAT 20%                                        GBP  5.10",
                    "Total                                          GBP 30.60", "",
                    "Paid by card ending 4417. Thank you for your business.",
                ])
                return Composer.message(
                    headers: c.headers(
                        from: "Northwind Web Hosting <billing@northwind-hosting.example>",
                        subject: "Your invoice INV-0137 is ready"
                    ),
                    body: .multipart("mixed", [
                        .text("""
                            Hello Sam,

                            your invoice INV-0137 for GBP 30.60 is attached as a PDF. The amount has
                            been charged to your card ending 4417, so there is nothing you need to do.

                            You can also find all invoices in the control panel under Billing > Invoices.

                            Kind regards,
                            Northwind Web Hosting – Billing
                            """),
                        .file(pdf, type: "application/pdf; name=\"INV-0137.pdf\"",
                              dispositionParameters: "filename=\"INV-0137.pdf\"; size=\(pdf.count)"),
                    ])
                )
            },
            DemoEntry("nginx-logs", .daysAgo(21, hour: 8, minute: 47), zone: -300) { c in
                let day = c.local("yyyy/MM/dd")
                let log = """
                    \(day) 01:58:12 [error] 1187#1187: *48211 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.44, server: shop.rivera.example, request: "GET /api/cart HTTP/2.0", upstream: "http://127.0.0.1:8080/api/cart", host: "shop.rivera.example"
                    \(day) 01:58:12 [warn] 1187#1187: *48211 upstream server temporarily disabled while connecting to upstream, client: 203.0.113.44, server: shop.rivera.example, request: "GET /api/cart HTTP/2.0", upstream: "http://127.0.0.1:8080/api/cart"
                    \(day) 01:58:13 [error] 1187#1187: *48215 no live upstreams while connecting to upstream, client: 198.51.100.7, server: shop.rivera.example, request: "POST /api/checkout HTTP/2.0", upstream: "http://backend/api/checkout"
                    \(day) 01:58:40 [error] 1187#1187: *48230 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 192.0.2.18, server: shop.rivera.example, request: "GET /api/products?page=3 HTTP/2.0"
                    \(day) 02:03:55 [notice] 1180#1180: signal 1 (SIGHUP) received from 2231, reconfiguring
                    \(day) 02:03:55 [notice] 1180#1180: reconfiguring
                    \(day) 02:04:01 [info] 1201#1201: *48302 client closed connection while waiting for request, client: 203.0.113.44, server: 0.0.0.0:443

                    """
                return Composer.message(
                    headers: c.headers(
                        from: "Marcus Bell <marcus@rivera.example>",
                        subject: "Re: 502s on the shop last night",
                        extra: [("In-Reply-To", "<nginx-502@rivera.example>")]
                    ),
                    body: .multipart("mixed", [
                        .text("""
                            Sam,

                            found it. The app server ran out of file descriptors at 01:58 (we're still
                            on the default ulimit of 1024 in the systemd unit), nginx marked the
                            upstream as down and everything after that was a 502 until I reloaded at
                            02:03. Error log from that window attached.

                            I've set LimitNOFILE=65536 and added an alert on open fds > 80%. Can you
                            double-check the checkout totals for the 40 minutes around it? A few
                            POST /api/checkout requests definitely died halfway.

                            Marcus
                            """),
                        .file(Array(log.replacingOccurrences(of: "\n", with: "\r\n").utf8),
                              type: "text/plain; charset=us-ascii; name=\"error.log\"",
                              dispositionParameters: "filename=\"error.log\""),
                    ])
                )
            },
            DemoEntry("order-shipped", .daysAgo(6, hour: 16, minute: 20), zone: -420) { c in
                Composer.message(
                    headers: c.headers(
                        from: "Kestrel Outdoor Supply <orders@kestrel-outdoor.example>",
                        subject: "Your order #58213 has shipped"
                    ),
                    body: .multipart("alternative", [
                        .text("""
                            Good news, Sam – your order is on its way!

                            Order #58213
                              1 x Ridgeline 2P ultralight tent ............ $389.00
                              2 x Merino hiking socks (M) ................. $ 36.00
                              1 x Titanium spork .......................... $ 12.95
                            Shipping (ground) ............................. $  0.00
                            Total ......................................... $437.95

                            Carrier: UPS Ground, tracking number 1Z 999 AA1 01 2345 6784
                            Estimated delivery: 3–5 business days

                            Track your package: https://kestrel-outdoor.example/track/58213

                            Questions? Just reply to this email.
                            Kestrel Outdoor Supply · 410 Alder St · Portland, OR
                            """),
                        .text("""
                            <!DOCTYPE html>
                            <html><head><meta charset="utf-8"><title>Your order has shipped</title></head>
                            <body style="margin:0;background:#f3f1ec;font-family:Helvetica,Arial,sans-serif">
                            <table width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
                            <table width="600" cellpadding="24" style="background:#ffffff">
                            <tr><td><h1 style="color:#2f4f3a">Good news, Sam &ndash; your order is on its way!</h1>
                            <p>Order <b>#58213</b></p>
                            <table width="100%" cellpadding="4">
                            <tr><td>1 &times; Ridgeline 2P ultralight tent</td><td align="right">$389.00</td></tr>
                            <tr><td>2 &times; Merino hiking socks (M)</td><td align="right">$36.00</td></tr>
                            <tr><td>1 &times; Titanium spork</td><td align="right">$12.95</td></tr>
                            <tr><td><b>Total</b></td><td align="right"><b>$437.95</b></td></tr>
                            </table>
                            <p>Carrier: UPS Ground, tracking number 1Z 999 AA1 01 2345 6784<br>
                            Estimated delivery: 3&ndash;5 business days</p>
                            <p><a href="https://kestrel-outdoor.example/track/58213" style="background:#2f4f3a;color:#fff;padding:10px 16px;text-decoration:none">Track your package</a></p>
                            <p style="color:#888;font-size:12px">Kestrel Outdoor Supply &middot; 410 Alder St &middot; Portland, OR</p>
                            </td></tr></table></td></tr></table>
                            <img src="https://kestrel-outdoor.example/o/58213/open.gif" width="1" height="1" alt="">
                            </body></html>
                            """, subtype: "html"),
                    ])
                )
            },
            DemoEntry("ci-failed", .daysAgo(4, hour: 11, minute: 5), zone: 0) { c in
                Composer.message(
                    headers: c.headers(
                        from: "Forge <notifications@forge.example>",
                        subject: "[rivera/mailbag] Run failed: CI - main (3f9c2e1)",
                        extra: [
                            ("List-ID", "rivera/mailbag <mailbag.rivera.forge.example>"),
                            ("X-Forge-Reason", "ci_activity"),
                        ]
                    ),
                    body: .text("""
                        CI: Some jobs were not successful

                        Run #1482 on main, triggered by a push from marcusbell (3f9c2e1
                        "Bound the header block size in the response decoder")

                          ✓ lint                      42s
                          ✓ build (linux, swift 6.0)  3m 12s
                          ✗ test (linux, swift 6.0)   5m 48s
                              POP3Tests.ResponseDecoderTests/testHeaderBlockLimit
                              XCTAssertEqual failed: ("8192") is not equal to ("8193")
                          – integration (skipped)

                        View the run: https://forge.example/rivera/mailbag/actions/runs/1482

                        You are receiving this because you are watching rivera/mailbag.
                        Manage your notification settings: https://forge.example/settings/notifications
                        """, encoding: .quotedPrintable)
                )
            },
            DemoEntry("nio-list", .daysAgo(4, hour: 19, minute: 31), zone: 60) { c in
                Composer.message(
                    headers: c.headers(
                        from: "Tomás Ferreira <tomas.ferreira@lists.example>",
                        subject: "Re: [nio-users] Back-pressure with NIOAsyncChannel and slow consumers",
                        to: "nio-users@lists.example",
                        extra: [
                            ("Cc", DemoMailbox.owner),
                            ("List-Id", "Users of SwiftNIO <nio-users.lists.example>"),
                            ("List-Unsubscribe", "<mailto:nio-users-leave@lists.example>"),
                            ("Precedence", "list"),
                        ]
                    ),
                    body: .text("""
                        Sam Rivera wrote:
                        > If the consumer of the inbound stream is slow, does NIOAsyncChannel stop
                        > reading from the socket, or does it keep buffering?

                        It stops. The inbound stream has a high and a low watermark (the defaults
                        are small); once the buffer is over the high watermark the channel stops
                        calling read() until your consumer has drained it below the low one. So a
                        slow `for try await` loop applies back-pressure all the way to TCP, which
                        is exactly what you want for a mail client downloading a 50 MB message.

                        The one trap: if you wrap the stream in your own AsyncStream with an
                        unbounded buffering policy you lose all of that again.

                        Tomás

                        _______________________________________________
                        nio-users mailing list
                        nio-users@lists.example
                        https://lists.example/mailman/listinfo/nio-users
                        """, charset: "utf-8", encoding: .eightBit)
                )
            },
            DemoEntry("calendar-invite", .daysAgo(3, hour: 9, minute: 12), zone: -240) { c in
                Composer.message(
                    headers: c.headers(
                        from: "Priya Nair <priya@studio-nair.example>",
                        subject: "Invitation: Logo review @ \(c.local("EEE", minutes: c.workdayMinutes(after: 3))) 10:00 – 10:30 (Eastern Time)"
                    ),
                    body: .multipart("alternative", [
                        .text("""
                            Priya Nair has invited you to: Logo review

                            When:   \(c.local("EEE d MMM", minutes: c.workdayMinutes(after: 3))), 10:00 – 10:30 (Eastern Time)
                            Where:  Video call – https://meet.example/priya-logo

                            Agenda: the three directions from last week, colours for dark mode,
                            and whether the ring survives at 16×16.
                            """),
                        .raw(header: "Content-Type: text/calendar; charset=\"utf-8\"; method=REQUEST\r\nContent-Transfer-Encoding: 7bit",
                             body: Array("""
                                BEGIN:VCALENDAR\r
                                PRODID:-//Studio Nair//Calendar 2.1//EN\r
                                VERSION:2.0\r
                                METHOD:REQUEST\r
                                BEGIN:VEVENT\r
                                UID:logo-review-3@studio-nair.example\r
                                DTSTAMP:\(c.local("yyyyMMddTHHmmssZ", utc: true))\r
                                DTSTART;TZID=America/New_York:\(c.local("yyyyMMdd", minutes: c.workdayMinutes(after: 3)))T100000\r
                                DTEND;TZID=America/New_York:\(c.local("yyyyMMdd", minutes: c.workdayMinutes(after: 3)))T103000\r
                                SUMMARY:Logo review\r
                                LOCATION:https://meet.example/priya-logo\r
                                ORGANIZER;CN=Priya Nair:mailto:priya@studio-nair.example\r
                                ATTENDEE;CN=Sam Rivera;RSVP=TRUE:mailto:sam@rivera.example\r
                                END:VEVENT\r
                                END:VCALENDAR\r

                                """.utf8)),
                    ])
                )
            },
            DemoEntry("bounce", .daysAgo(3, hour: 14, minute: 40), zone: 0) { c in
                Composer.message(
                    headers: c.headers(
                        from: "Mail Delivery System <MAILER-DAEMON@mx1.rivera.example>",
                        subject: "Undelivered Mail Returned to Sender",
                        extra: [("Auto-Submitted", "auto-replied")]
                    ),
                    body: .multipart("report", [
                        .text("""
                            This is the mail system at host mx1.rivera.example.

                            I'm sorry to have to inform you that your message could not
                            be delivered to one or more recipients. It's attached below.

                            <j.okafor@old-employer.example>: host mx.old-employer.example[192.0.2.25]
                                said: 550 5.1.1 <j.okafor@old-employer.example>: Recipient address
                                rejected: User unknown in virtual mailbox table (in reply to RCPT TO
                                command)
                            """, charset: "us-ascii", encoding: .sevenBit),
                        .raw(header: "Content-Type: message/delivery-status", body: Array("""
                            Reporting-MTA: dns; mx1.rivera.example\r
                            Arrival-Date: \(c.rfc5322Date)\r
                            \r
                            Final-Recipient: rfc822; j.okafor@old-employer.example\r
                            Action: failed\r
                            Status: 5.1.1\r
                            Remote-MTA: dns; mx.old-employer.example\r
                            Diagnostic-Code: smtp; 550 5.1.1 Recipient address rejected: User unknown\r

                            """.utf8)),
                        .raw(header: "Content-Type: text/rfc822-headers", body: Array("""
                            From: Sam Rivera <sam@rivera.example>\r
                            To: Joy Okafor <j.okafor@old-employer.example>\r
                            Subject: Coffee next week?\r
                            Date: \(c.rfc5322Date)\r

                            """.utf8)),
                    ], parameters: "report-type=delivery-status")
                )
            },
            DemoEntry("bank-signin", .daysAgo(1, hour: 22, minute: 16), zone: 60) { c in
                Composer.message(
                    headers: c.headers(
                        from: "Lumen Bank <security@alerts.lumenbank.example>",
                        subject: "New sign-in to your Lumen account"
                    ),
                    body: .multipart("alternative", [
                        .text("""
                            Hi Sam,

                            we noticed a new sign-in to your account:

                              Device:    Firefox on Linux
                              Location:  near Lisbon, Portugal
                              Time:      \(c.local("EEE d MMM, HH:mm", minutes: -2))

                            If this was you, there's nothing to do.

                            If it wasn't, open the Lumen app and go to Security > Devices to sign that
                            device out, then change your password. We will never ask for your password
                            or a code by email or phone.

                            Lumen Bank
                            """),
                        .text("""
                            <html><body style="font-family:sans-serif">
                            <p>Hi Sam,</p>
                            <p>we noticed a new sign-in to your account:</p>
                            <table><tr><th align="left">Device</th><td>Firefox on Linux</td></tr>
                            <tr><th align="left">Location</th><td>near Lisbon, Portugal</td></tr>
                            <tr><th align="left">Time</th><td>\(c.local("EEE d MMM, HH:mm", minutes: -2))</td></tr></table>
                            <p>If this was you, there&rsquo;s nothing to do.</p>
                            <p>If it wasn&rsquo;t, open the Lumen app and go to <b>Security &gt; Devices</b> to sign that
                            device out, then change your password. We will never ask for your password or a code by
                            email or phone.</p>
                            <p>Lumen Bank</p></body></html>
                            """, subtype: "html"),
                    ])
                )
            },
            DemoEntry("offsite-photos", .daysAgo(1, hour: 13, minute: 3), zone: -420) { c in
                Composer.message(
                    headers: c.headers(
                        from: "Dana Kim <dana@work.example>",
                        subject: Composer.encodedWords("🎉 Team offsite photos are up!", charset: "utf-8"),
                        to: "team@work.example"
                    ),
                    body: .text("""
                        Hi all 👋

                        The photos from the offsite are in the shared album:
                        https://photos.work.example/a/offsite-lake

                        Favourite so far: Marcus losing the kayak race to a goose 🦢

                        Add yours to the album before Friday so I can order prints for the office.

                        Dana
                        """, encoding: .base64)
                )
            },
            DemoEntry("recruiter", .daysAgo(1, hour: 9, minute: 58), zone: 0) { c in
                // Raw 8-bit UTF-8 in the header (RFC 6532) and a body whose charset label lies (us-ascii).
                Composer.message(
                    headers: c.headers(
                        from: "Chloé Martin <chloe.martin@talent-bridge.example>",
                        subject: "Re: Résumé – senior backend role in Lisbon"
                    ),
                    body: .raw(header: "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit",
                               body: Array("""
                                Hi Sam,

                                thanks for sending over your résumé! The hiring manager liked the
                                POP3/NIO work a lot – could you do a 45-minute call on Tuesday or
                                Wednesday afternoon (Lisbon time)?

                                Salary band for the role is €85–95k, hybrid, 2 days in the office.

                                Best,
                                Chloé

                                """.replacingOccurrences(of: "\n", with: "\r\n").utf8))
                )
            },
            DemoEntry("lunch", .today(0.55), zone: 60) { c in
                Composer.message(
                    headers: c.headers(from: "Dana Kim <dana@work.example>", subject: "lunch?"),
                    body: .text("""
                        thai place at 12:30? marcus and priya are in too

                        d.
                        """, charset: "us-ascii", encoding: .sevenBit)
                )
            },
            DemoEntry("lunch-reply", .today(0.45), zone: 60) { c in
                Composer.message(
                    headers: c.headers(
                        from: "Dana Kim <dana@work.example>",
                        subject: "Re: lunch?",
                        extra: [
                            ("In-Reply-To", "<lunch-sam@rivera.example>"),
                            // Dana's question, then Sam's answer (not in this mailbox): a thread
                            // whose middle message is missing, as threads often are on POP3.
                            ("References", "\(c.messageID(of: "lunch", domain: "work.example")) <lunch-sam@rivera.example>"),
                        ]
                    ),
                    body: .text("""
                        booked a table for 4, under Kim

                        > Sam Rivera wrote:
                        > sure, 12:30 works. can we sit outside this time?
                        """, charset: "us-ascii", encoding: .sevenBit)
                )
            },
            DemoEntry("roadmap", .today(0.3), zone: -240) { c in
                Composer.message(
                    headers: c.headers(
                        from: "Jordan Ellis <jordan.ellis@work.example>",
                        subject: "Re: Q3 roadmap draft – comments",
                        extra: [("Cc", "Dana Kim <dana@work.example>")]
                    ),
                    body: .text("""
                        Sam – looks good overall. Three things:

                        1. Offline mode should move up. It's the #1 ask in the survey (41%).
                        2. The "unified inbox" estimate (3 weeks) feels light given IMAP isn't
                           even scoped yet. I'd write 6 and be happy if it's 4.
                        3. Can we drop the theme editor to Q4? Nobody asked for it except me.

                        Happy to talk it through tomorrow after standup.

                        Jordan

                        -- 
                        Jordan Ellis · Product · work.example
                        "Ship the smallest thing that could possibly help."

                        Sam Rivera <sam@rivera.example> wrote:
                        > Hi both,
                        >
                        > first draft of the Q3 roadmap is in the doc. The big items are offline
                        > mode, a unified inbox, and the theme editor. Comments by Friday please.
                        >
                        > Sam
                        """)
                )
            },
            DemoEntry("wifi", .today(0.12), zone: 60) { c in
                Composer.message(
                    headers: c.headers(from: "Office Manager <office@work.example>", subject: "Guest Wi-Fi password changed"),
                    body: .text("""
                        Hi everyone,

                        the guest Wi-Fi password changed today (we rotate it every month):

                            Network:   work-guest
                            Password:  maple-river-42

                        The staff network is unchanged.

                        Thanks,
                        Office
                        """, charset: "us-ascii", encoding: .sevenBit)
                )
            },
        ]
    }
}
