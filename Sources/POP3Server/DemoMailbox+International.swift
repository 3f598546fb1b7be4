/// Mail in other languages, each encoded the way the sender's mail program typically did it.
extension DemoMailbox {
    static var international: [DemoEntry] {
        [
            DemoEntry("wohnungsuebergabe", .daysAgo(1100, hour: 10, minute: 24), zone: 60) { c in
                Composer.message(
                    headers: c.headers(
                        from: "\(Composer.encodedWords("Jürgen Weiß", charset: "iso-8859-1", q: true)) <j.weiss@hausverwaltung-weiss.example>",
                        subject: Composer.encodedWords(
                            "Wohnungsübergabe am Freitag: Schlüssel und Zählerstände", charset: "iso-8859-1", q: true
                        ),
                        extra: [("X-Mailer", "Microsoft Outlook 16.0")]
                    ),
                    body: .text("""
                        Sehr geehrter Herr Rivera,

                        wie telefonisch besprochen, findet die Übergabe der Wohnung in der Gärtnerstraße 14, 3. OG links, am Freitag um 16:00 Uhr statt.

                        Bitte bringen Sie alle drei Schlüssel mit (zwei Wohnungsschlüssel, ein Briefkastenschlüssel). Die Zählerstände für Strom und Wasser lesen wir gemeinsam ab und halten sie im Übergabeprotokoll fest.

                        Die Kaution in Höhe von 2.400,00 EUR wird nach Prüfung der Nebenkostenabrechnung, spätestens jedoch nach sechs Monaten, auf Ihr Konto überwiesen.

                        Mit freundlichen Grüßen

                        Jürgen Weiß
                        Hausverwaltung Weiß GmbH
                        Tel. 089 / 123 45 67
                        """, charset: "iso-8859-1")
                )
            },
            DemoEntry("dacha-photos", .daysAgo(905, hour: 20, minute: 51), zone: 180) { c in
                Composer.message(
                    headers: c.headers(
                        from: "\(Composer.encodedWords("Наталья Соколова", charset: "koi8-r")) <natasha.sokolova@dacha.example>",
                        subject: Composer.encodedWords("Фотографии с дачи", charset: "koi8-r"),
                        extra: [("X-Mailer", "The Bat! (v9.1.18) Professional")]
                    ),
                    body: .text("""
                        Привет, Сэм!

                        Наконец-то разобрала фотографии с дачи. Яблок в этом году столько,
                        что не знаем, куда девать: варенье уже сварили, теперь сушим.
                        Помидоры тоже удались, особенно "бычье сердце".

                        Папа построил новую баню и очень ждёт, когда ты приедешь её
                        опробовать. Приезжай в августе, будет грибной сезон!

                        Фотографии выложила сюда: https://photos.dacha.example/leto

                        Обнимаю,
                        Наташа
                        """, charset: "koi8-r", encoding: .eightBit)
                )
            },
            DemoEntry("tanaka-minutes", .daysAgo(760, hour: 17, minute: 38), zone: 540) { c in
                Composer.message(
                    headers: c.headers(
                        from: "\(Composer.encodedWords("田中 健一", charset: "iso-2022-jp")) <k.tanaka@tanaka-shoji.example>",
                        subject: Composer.encodedWords("打ち合わせ議事録の送付について", charset: "iso-2022-jp"),
                        extra: [("X-Mailer", "Becky! ver. 2.81.04")]
                    ),
                    body: .text("""
                        リベラ様

                        いつもお世話になっております。
                        田中商事の田中です。

                        先日の打ち合わせの議事録をお送りいたします。

                        １．新システムの導入時期：来月第２週を予定
                        ２．データ移行：弊社にて対応いたします
                        ３．次回打ち合わせ：来週水曜日　午後２時より

                        ご確認のほど、よろしくお願いいたします。

                        ──────────────────
                        田中商事株式会社　営業部
                        田中 健一
                        TEL: 03-1234-5678
                        ──────────────────
                        """, charset: "iso-2022-jp", encoding: .sevenBit)
                )
            },
            DemoEntry("naxos-booking", .daysAgo(540, hour: 12, minute: 9), zone: 180) { c in
                Composer.message(
                    headers: c.headers(
                        from: "\(Composer.encodedWords("Ξενοδοχείο Αιγαίο", charset: "windows-1253")) <reservations@hotel-aigaio.example>",
                        subject: Composer.encodedWords("Επιβεβαίωση κράτησης – Νάξος", charset: "windows-1253")
                    ),
                    body: .text("""
                        Αγαπητέ κύριε Rivera,

                        Σας ευχαριστούμε για την κράτησή σας στο Ξενοδοχείο Αιγαίο στη Νάξο.

                        Αριθμός κράτησης: AIG-7731
                        Άφιξη: 12 Ιουλίου, από τις 14:00
                        Αναχώρηση: 19 Ιουλίου, έως τις 11:00
                        Δωμάτιο: Δίκλινο με θέα στη θάλασσα, με πρωινό
                        Σύνολο: 840 € (πληρωμή κατά την άφιξη)

                        Για τη μεταφορά από το λιμάνι, ενημερώστε μας για την ώρα άφιξης του πλοίου.

                        Με εκτίμηση,
                        Ελένη Παπαδοπούλου
                        Ξενοδοχείο Αιγαίο – Νάξος
                        """, charset: "windows-1253", encoding: .eightBit)
                )
            },
            DemoEntry("q3-sales", .daysAgo(430, hour: 15, minute: 45), zone: 480) { c in
                Composer.message(
                    headers: c.headers(
                        from: "\(Composer.encodedWords("王芳", charset: "gb2312")) <wang.fang@huaxin-trading.example>",
                        subject: Composer.encodedWords("第三季度销售报告及下周会议安排", charset: "gb2312"),
                        extra: [("X-Mailer", "Foxmail 7.2.25.375[cn]")]
                    ),
                    body: .text("""
                        Sam，你好！

                        附上第三季度的销售数据摘要：

                        华东地区：销售额同比增长百分之十二
                        华南地区：与去年基本持平
                        华北地区：下降百分之五，主要受物流延误影响

                        下周三上午十点在三楼会议室开会讨论第四季度计划，请提前准备好你们团队的预算草案。

                        如有问题，随时联系我。

                        祝好，
                        王芳
                        华信贸易有限公司　市场部
                        """, charset: "gb2312", encoding: .base64)
                )
            },
            DemoEntry("urodziny-zosi", .daysAgo(250, hour: 18, minute: 2), zone: 120) { c in
                Composer.message(
                    headers: c.headers(
                        from: "\(Composer.encodedWords("Małgorzata Wiśniewska", charset: "iso-8859-2", q: true)) <gosia.wisniewska@poczta.example>",
                        subject: Composer.encodedWords("Zaproszenie: urodziny Zosi już w sobotę!", charset: "iso-8859-2", q: true)
                    ),
                    body: .text("""
                        Cześć Sam!

                        Zosia kończy w sobotę siedem lat i bardzo chciałaby, żebyście przyszli z Leą. Zaczynamy o 15:00 w ogródku (jeśli będzie padać - w domu).

                        Będzie tort czekoladowy, gry w ogrodzie i pokaz baniek mydlanych. Prezenty niekonieczne, ale Zosia ostatnio szaleje na punkcie dinozaurów ;)

                        Daj znać do czwartku, czy dacie radę.

                        Ściskam,
                        Gosia
                        """, charset: "iso-8859-2")
                )
            },
            DemoEntry("assemblee-generale", .daysAgo(200, hour: 9, minute: 30), zone: 60) { c in
                Composer.message(
                    headers: c.headers(
                        from: "\(Composer.encodedWords("Hélène Dubois", charset: "utf-8", q: true)) <h.dubois@syndic-lumiere.example>",
                        subject: Composer.encodedWords(
                            "Compte rendu de l'assemblée générale – résidence Les Tilleuls", charset: "utf-8", q: true
                        ),
                        to: "coproprietaires-tilleuls@syndic-lumiere.example",
                        extra: [("Bcc", DemoMailbox.owner)]
                    ),
                    body: .text("""
                        Bonjour à toutes et à tous,

                        Veuillez trouver ci-dessous le compte rendu de l'assemblée générale des
                        copropriétaires qui s'est tenue jeudi dernier.

                        Résolutions adoptées :
                          • Ravalement de la façade côté rue : adopté (budget 48 000 €, travaux
                            prévus au printemps)
                          • Remplacement de l'interphone : adopté à l'unanimité
                          • Bornes de recharge au sous-sol : reporté, un devis complémentaire
                            sera demandé

                        Les appels de fonds correspondants vous parviendront d'ici la fin du mois.

                        N'hésitez pas à me contacter pour toute question.

                        Bien cordialement,
                        Hélène Dubois
                        Cabinet Lumière – Syndic de copropriété
                        """, encoding: .eightBit)
                )
            },
            DemoEntry("granada", .daysAgo(5, hour: 21, minute: 14), zone: 120) { c in
                Composer.message(
                    headers: c.headers(
                        from: "\(Composer.encodedWords("Lucía Fernández", charset: "utf-8", q: true)) <lucia.fernandez@correo.example>",
                        subject: Composer.encodedWords("Fotos del viaje a Granada 📸", charset: "utf-8")
                    ),
                    body: .text("""
                        ¡Hola Sam!

                        Por fin he subido las fotos del viaje a Granada. La de la Alhambra al atardecer desde el mirador de San Nicolás es mi favorita, aunque la del señor que nos vendió los pestiños también merece un premio.

                        ¿Cuándo volvemos? Yo propongo octubre, que hace menos calor y hay menos turistas.

                        Un abrazo muy fuerte,
                        Lucía

                        P.D.: Todavía te debo 23,50 € de la cena en el Albaicín. ¡No me olvido!
                        """)
                )
            },
            DemoEntry("hanbit-meeting", .daysAgo(2, hour: 10, minute: 41), zone: 540) { c in
                Composer.message(
                    headers: c.headers(
                        from: "\(Composer.encodedWords("김민준", charset: "euc-kr")) <minjun.kim@hanbit-soft.example>",
                        subject: Composer.encodedWords("다음 주 회의 일정 확인 부탁드립니다", charset: "euc-kr")
                    ),
                    body: .text("""
                        Sam 님, 안녕하세요.

                        한빛소프트 김민준입니다.

                        다음 주 화요일 오후 3시에 화상 회의로 API 연동 일정을 논의하고자 합니다.
                        가능하신지 확인 부탁드립니다.

                        안건:
                        1. 인증 방식 (OAuth 2.0 전환)
                        2. 테스트 서버 제공 일정
                        3. 장애 대응 연락망

                        감사합니다.
                        김민준 드림
                        """, charset: "euc-kr", encoding: .eightBit)
                )
            },
            DemoEntry("paket-heute", .today(0.2), zone: 120) { c in
                Composer.message(
                    headers: c.headers(
                        from: "Blitz Paketdienst <benachrichtigung@blitz-paket.example>",
                        subject: Composer.encodedWords("Ihr Paket kommt heute zwischen 14:00 und 16:00 Uhr", charset: "utf-8", q: true)
                    ),
                    body: .text("""
                        Hallo Sam Rivera,

                        gute Nachrichten: Ihr Paket von Kestrel Outdoor Supply wird heute zugestellt.

                        Sendungsnummer:   00340434161094015902
                        Zeitfenster:      14:00 – 16:00 Uhr
                        Zustelladresse:   Gärtnerstraße 14, 80469 München

                        Nicht zu Hause? Sie können die Zustellung bis 12:00 Uhr ändern – zum Beispiel an
                        einen Nachbarn, einen Ablageort oder eine Packstation:
                        https://blitz-paket.example/s/00340434161094015902

                        Ihr Blitz Paketdienst

                        Diese E-Mail wurde automatisch erstellt. Bitte antworten Sie nicht darauf.
                        """)
                )
            },
        ]
    }
}
