#!/usr/bin/python3
"""An HTTP receiver for the tests: records every request (method, path, body)
as numbered files in DIR and answers 200. Usage: http_receiver.py DIR PORT"""
import http.server
import os
import sys

directory, port = sys.argv[1], int(sys.argv[2])
os.makedirs(directory, exist_ok=True)


class Recorder(http.server.BaseHTTPRequestHandler):
    def record(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        number = len(os.listdir(directory)) // 2 + 1
        with open(os.path.join(directory, "%03d.head" % number), "w") as head:
            head.write("%s %s\n%s" % (self.command, self.path, self.headers))
        with open(os.path.join(directory, "%03d.body" % number), "wb") as out:
            out.write(body)
        self.send_response(200)
        self.end_headers()

    do_POST = do_PUT = record

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", port), Recorder)
print("READY", flush=True)
server.serve_forever()
