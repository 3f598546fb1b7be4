#!/usr/bin/env python3
"""Seed a Maildir with deterministic test messages for the Dovecot rig.

    seed-maildir.py USER_MAILDIR COUNT [--kind mixed|simple]

USER_MAILDIR is <root>/<user>/Maildir (created if missing). Existing messages
are kept; new ones are added. Files end up 0644 and owned by whoever owns the
Maildir directory, so the rig (root) can seed for the unprivileged mail user.

`mixed` writes up to 12 varied messages (encoded words in several charsets,
a hostile ESC/OSC subject, an attachment, HTML-only, flowed text);
`simple` writes COUNT realistic ~2 kB plain-text messages;
`large` writes COUNT messages of about 20 MB each: a short text part and a
base64 attachment, the shape of a big message in real mail;
`sized` writes COUNT messages whose sizes follow a real inbox's mix (short
text, HTML newsletters, attachments of up to 2 MB; about 70 kB on average).

Also importable: `deliver(maildir, data)` drops one message in correctly.
"""

import argparse
import base64
import email.utils
import os
import sys
import time

# Fixed clock so every seed produces byte-identical mailboxes.
BASE_TIME = 1_700_000_000

_counter = 0


def _vsize(data: bytes) -> int:
    # POP3 sizes count CRLF line ends while Maildir stores LF; Dovecot reads W=
    # from the file name instead of scanning every file for LIST.
    return len(data) + data.count(b"\n")


def deliver(maildir: str, data: bytes, when: float | None = None) -> str:
    """Write one message into maildir/new the Maildir way (tmp, then rename).

    Dovecot numbers new messages by the time prefix of their file names, so
    messages delivered with increasing `when` keep their order.
    """
    global _counter
    _counter += 1
    data = data.replace(b"\r\n", b"\n")
    stamp = time.time() if when is None else when
    secs, usecs = int(stamp), int((stamp % 1) * 1_000_000)
    base = f"{secs}.M{usecs}P{os.getpid()}Q{_counter}.mailbag-rig"
    name = f"{base},S={len(data)},W={_vsize(data)}"
    st = os.stat(maildir)
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    tmp = os.path.join(maildir, "tmp", base)
    with open(tmp, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.utime(tmp, (secs, secs))
    if os.geteuid() == 0:
        os.chown(tmp, st.st_uid, st.st_gid)
    final = os.path.join(maildir, "new", name)
    os.rename(tmp, final)
    return final


def _date(i: int) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(BASE_TIME + i * 3600))


def _b64(s: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(s.encode(charset)).decode()}?="


def _msg(i: int, user: str, headers: list[tuple[str, str]], body: str,
         from_: str = "Ada Lovelace <ada@example.org>") -> bytes:
    top = [
        ("Return-Path", "<" + email.utils.parseaddr(from_)[1] + ">"),
        ("From", from_),
        ("To", f"{user} <{user}@mailbag.test>"),
        ("Date", _date(i)),
        ("Message-ID", f"<mixed-{i}.{user}@mailbag.test>"),
    ]
    names = {k.lower() for k, _ in headers}
    top = [(k, v) for k, v in top if k.lower() not in names]
    lines = [f"{k}: {v}" for k, v in top + headers]
    return ("\n".join(lines) + "\n\n" + body).encode("utf-8", "surrogateescape")


def mixed_messages(user: str) -> list[bytes]:
    plain = [("MIME-Version", "1.0"),
             ("Content-Type", "text/plain; charset=utf-8"),
             ("Content-Transfer-Encoding", "8bit")]
    attachment = base64.encodebytes(bytes(range(256)) * 8).decode()
    jp = "\u4f1a\u8b70\u306e\u304a\u77e5\u3089\u305b"  # 会議のお知らせ
    ru = "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440"  # Привет, мир
    jp_subject = ("=?ISO-2022-JP?B?"
                  + base64.b64encode(jp.encode("iso2022_jp")).decode() + "?=")
    return [
        _msg(1, user, [("Subject", "Welcome to Mailbag")] + plain,
             "Hello,\n\nThis is a plain ASCII message.\n\n-- \nThe rig\n"),
        _msg(2, user, [("Subject", _b64("Grüße aus München ☕", "utf-8"))] + plain,
             "Ein Gruß aus München.\n",
             from_=_b64("Jürgen Weiß", "utf-8") + " <juergen@example.de>"),
        _msg(3, user, [("Subject", "=?ISO-8859-1?Q?Caf=E9_cr=E8me_=E0_la_carte?="),
                       ("MIME-Version", "1.0"),
                       ("Content-Type", "text/plain; charset=iso-8859-1"),
                       ("Content-Transfer-Encoding", "quoted-printable")],
             "Un caf=E9 cr=E8me, s'il vous pla=EEt.\n"),
        _msg(4, user, [("Subject", jp_subject)] + plain, jp + "\n"),
        _msg(5, user, [("Subject", _b64(ru, "koi8-r"))] + plain, ru + "\n",
             from_=_b64("Иван Петров", "koi8-r") + " <ivan@example.ru>"),
        _msg(6, user, [("Subject", "=?windows-1252?Q?=93Quoted=94_price:_=8015?=")] + plain,
             "Smart quotes and a euro sign in the subject.\n"),
        # Terminal-injection attempt: raw OSC title change and CSI colour in the
        # header, plus ESC and a bidi override hidden inside an encoded word.
        _msg(7, user, [("Subject", "Invoice \x1b]0;pwned\x07\x1b[31mURGENT\x1b[0m "
                        "=?UTF-8?Q?=1B[2J=E2=80=AEfdp.exe?=")] + plain,
             "Nothing to see here \x1b[8mhidden\x1b[0m.\n"),
        _msg(8, user, [("Subject", "Report with attachment"),
                       ("MIME-Version", "1.0"),
                       ("Content-Type", 'multipart/mixed; boundary="rig-mixed-8"')],
             "This is a multi-part message in MIME format.\n"
             "--rig-mixed-8\nContent-Type: text/plain; charset=utf-8\n\n"
             "The report is attached.\n"
             "--rig-mixed-8\nContent-Type: application/octet-stream\n"
             "Content-Transfer-Encoding: base64\n"
             "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.bin\n\n"
             + attachment + "--rig-mixed-8--\n"),
        _msg(9, user, [("Subject", "Newsletter (HTML only)"),
                       ("MIME-Version", "1.0"),
                       ("Content-Type", "text/html; charset=utf-8"),
                       ("Content-Transfer-Encoding", "quoted-printable")],
             "<html><head><style>p{color:red}</style></head><body>\n"
             "<h1>News</h1><p>Read <a href=3D\"https://example.org/a\">the art=\nicle</a>.</p>\n"
             "<ul><li>one</li><li>two</li></ul></body></html>\n"),
        _msg(10, user, [("Subject", "Alternative parts"),
                        ("MIME-Version", "1.0"),
                        ("Content-Type", 'multipart/alternative; boundary="rig-alt-10"')],
             "--rig-alt-10\nContent-Type: text/plain; charset=utf-8\n\nPlain version.\n"
             "--rig-alt-10\nContent-Type: text/html; charset=utf-8\n\n"
             "<p>HTML <b>version</b>.</p>\n--rig-alt-10--\n"),
        _msg(11, user, [("Subject", "Re: flowed text"),
                        ("MIME-Version", "1.0"),
                        ("Content-Type", "text/plain; charset=utf-8; format=flowed")],
             "On Monday Ada wrote:\n> This quoted paragraph is long enough that it \n"
             "> was wrapped by a flowed sender.\n\nAgreed, and this reply \n"
             "wraps too.\n\n-- \nBob\n"),
        # RFC 6532 raw UTF-8 header, an obsolete date form and a group address.
        _msg(12, user, [("Subject", "Raw UTF-8 Ünïcödé subject"),
                        ("Date", "Tue, 14 Nov 23 22:13:20 EST"),
                        ("Cc", "undisclosed-recipients:;")] + plain,
             "Header bytes are raw UTF-8.\n",
             from_='"Doe, Jane (team)" <jane@example.com>'),
    ]


def simple_message(i: int, count: int, user: str) -> bytes:
    sender = f"sender{i % 37}"
    headers = [
        f"Return-Path: <{sender}@lists.example.net>",
        f"Received: from mx{i % 3}.example.net (mx{i % 3}.example.net [192.0.2.{i % 250 + 1}])\n"
        f"\tby mail.mailbag.test with ESMTPS id rig{i:06d}\n\tfor <{user}@mailbag.test>; {_date(i)}",
        f"Received: from localhost (localhost [127.0.0.1])\n\tby mx{i % 3}.example.net; {_date(i)}",
        f"From: Sender {i % 37} <{sender}@lists.example.net>",
        f"To: {user} <{user}@mailbag.test>",
        f"Subject: Simple message {i} of {count}",
        f"Date: {_date(i)}",
        f"Message-ID: <simple-{i}.{user}@mailbag.test>",
        "List-Id: Rig test list <rig.lists.example.net>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "Content-Transfer-Encoding: 7bit",
    ]
    line = "The quick brown fox jumps over the lazy dog, message {}, line {}.\n"
    body = "".join(line.format(i, n) for n in range(1, 23))
    return ("\n".join(headers) + "\n\n" + body).encode()


def large_message(i: int, user: str, megabytes: int = 20) -> bytes:
    # Deterministic, incompressible-looking bytes: a repeated pattern would flatter any cache.
    blob = bytes((j * 2654435761 >> 13) & 0xFF for j in range(1 << 16)) * (megabytes * 12)
    attachment = base64.encodebytes(blob).decode()
    return _msg(i, user, [("Subject", f"Scans of the signed contract, part {i}"),
                          ("MIME-Version", "1.0"),
                          ("Content-Type", 'multipart/mixed; boundary="rig-large"')],
                "--rig-large\nContent-Type: text/plain; charset=utf-8\n\n"
                "Hello,\n\nthe scans are attached, as promised.\n\nRegards\n"
                "--rig-large\nContent-Type: application/pdf\n"
                "Content-Transfer-Encoding: base64\n"
                f"Content-Disposition: attachment; filename=\"contract-{i}.pdf\"\n\n"
                + attachment + "--rig-large--\n")


# One 64 KiB block of deterministic, incompressible-looking bytes that attachments are cut from.
_BLOB = bytes((j * 2654435761 >> 13) & 0xFF for j in range(1 << 16))


def _attachment_bytes(i: int, size: int) -> bytes:
    start = (i * 7919) % len(_BLOB)
    data = (_BLOB[start:] + _BLOB[:start]) * (size // len(_BLOB) + 1)
    return data[:size]


def sized_message(i: int, count: int, user: str) -> bytes:
    """A message whose size follows a fixed mix like a real inbox's: 60 % short text (2-10 kB),
    25 % longer text with an HTML alternative (10-50 kB), 13 % with an attachment of 50-250 kB,
    2 % with one of 0.5-2 MB; about 70 kB on average."""
    r = (i * 2654435761) % 100
    spread = ((i * 40503) % 1000) / 1000
    line = "The quick brown fox jumps over the lazy dog, message {}, line {}.\n"
    headers = [
        ("Subject", f"Sized message {i} of {count}"),
        ("Message-ID", f"<sized-{i}.{user}@mailbag.test>"),
        ("MIME-Version", "1.0"),
    ]
    if r < 85:
        size = int(2000 + spread * 8000) if r < 60 else int(10000 + spread * 40000)
        text = "".join(line.format(i, n) for n in range(1, size // 70 + 1))
        if r < 60:
            return _msg(i, user, headers + [("Content-Type", "text/plain; charset=us-ascii")], text,
                        from_=f"Sender {i % 37} <sender{i % 37}@lists.example.net>")
        html = "<html><body>" + "".join(f"<p>{t}</p>" for t in text.splitlines()) + "</body></html>\n"
        return _msg(i, user, headers + [("Content-Type", f'multipart/alternative; boundary="sized-{i}"')],
                    f"--sized-{i}\nContent-Type: text/plain; charset=us-ascii\n\n{text}"
                    f"--sized-{i}\nContent-Type: text/html; charset=us-ascii\n\n{html}--sized-{i}--\n",
                    from_=f"Newsletter {i % 11} <news{i % 11}@example.com>")
    size = int(50_000 + spread * 200_000) if r < 98 else int(500_000 + spread * 1_500_000)
    attachment = base64.encodebytes(_attachment_bytes(i, size)).decode()
    return _msg(i, user, headers + [("Content-Type", f'multipart/mixed; boundary="sized-{i}"')],
                f"--sized-{i}\nContent-Type: text/plain; charset=utf-8\n\nThe file is attached.\n"
                f"--sized-{i}\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
                f'Content-Disposition: attachment; filename="document-{i}.pdf"\n\n'
                + attachment + f"--sized-{i}--\n",
                from_=f"Colleague {i % 23} <colleague{i % 23}@example.org>")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("maildir")
    ap.add_argument("count", type=int)
    ap.add_argument("--kind", choices=("mixed", "simple", "large", "sized"), default="simple")
    args = ap.parse_args()
    maildir = os.path.abspath(args.maildir)
    user = os.path.basename(os.path.dirname(maildir))
    if not os.path.isdir(maildir):
        sys.exit(f"seed-maildir: {maildir} is not a directory; create it owned by the mail user first")
    if args.kind == "mixed":
        msgs = mixed_messages(user)[: args.count]
    elif args.kind == "large":
        msgs = [large_message(i, user) for i in range(1, args.count + 1)]
    elif args.kind == "sized":
        msgs = (sized_message(i, args.count, user) for i in range(1, args.count + 1))
    else:
        msgs = (simple_message(i, args.count, user) for i in range(1, args.count + 1))
    for n, data in enumerate(msgs, start=1):
        deliver(maildir, data, when=BASE_TIME + n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
