#!/usr/bin/env python3
"""The Dovecot rig's stand-in for an identity provider's token introspection endpoint (RFC 7662).

    oauth2-introspection.py PORT TOKENS.json PIDFILE

Dovecot's oauth2 passdb (introspection_mode = post) POSTs `token=...` to /introspect; the answer
is the JSON that TOKENS.json holds for that token, or {"active": false} for a token it does not
know. Listens on 127.0.0.1 only and writes PIDFILE once it listens, so the rig knows it is ready.
"""
import json
import os
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

port, tokens_path, pid_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(tokens_path) as f:
    answers = {entry["token"]: entry["answer"] for entry in json.load(f).values()}


class Introspection(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0]
        body = json.dumps(answers.get(token, {"active": False})).encode()
        self.send_response(200 if self.path == "/introspect" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        # The request line is enough to see that Dovecot asked; a token never reaches the log.
        sys.stderr.write("introspection: %s %s\n" % (self.command, self.path))


server = HTTPServer(("127.0.0.1", port), Introspection)
with open(pid_path, "w") as f:
    f.write(str(os.getpid()))
server.serve_forever()
