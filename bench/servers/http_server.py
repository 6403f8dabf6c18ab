"""Hello world on Python's http.server.ThreadingHTTPServer: the same handler as the sockserve row.

protocol_version HTTP/1.1 (keep-alive), the access log off, and disable_nagle_algorithm on:
stock Python sends headers and body in two writes and stalls on Nagle's algorithm (about 600
requests/s here), so this row shows Python at its best. Prints "LISTENING <port>"; exits on SIGTERM.
"""
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b"Hello, world!\n"


class HelloHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


server = ThreadingHTTPServer(("127.0.0.1", 0), HelloHandler)
signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
print(f"LISTENING {server.server_address[1]}", flush=True)
server.serve_forever()
server.server_close()
sys.exit(0)
