#!/usr/bin/env python3
"""A stand-in for GitHub's zipball download in the digest benchmarks: every GET answers the one
zip file given, with a Content-Length or (--chunked) in 64 KiB chunks as codeload often does.
Usage: zipball_origin.py ZIP PORT [--chunked]"""
import http.server
import sys

ZIP = open(sys.argv[1], "rb").read()
CHUNKED = "--chunked" in sys.argv[3:]


class Origin(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (the http.server name)
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        if not CHUNKED:
            self.send_header("Content-Length", str(len(ZIP)))
            self.end_headers()
            self.wfile.write(ZIP)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for at in range(0, len(ZIP), 65536):
            part = ZIP[at:at + 65536]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Origin).serve_forever()
