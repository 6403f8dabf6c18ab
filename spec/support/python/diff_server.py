"""The differential spec's reference server: Python's own http.server.

Started by spec/support/differential-python.ts as `python3 -u diff_server.py`; it binds
127.0.0.1 port 0, prints the port on one line, and serves until it is killed. The handler's
logic is mirrored line for line by spec/support/differential-handler.ts.
"""

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class DiffHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, format, *args):
        pass

    def echo_text(self):
        # Python 3.14 gives an HTTP/0.9 request a plain dict of headers, which has no get_all().
        get_all = getattr(self.headers, 'get_all', lambda name, failobj: failobj)
        lines = [
            'command=%s' % self.command,
            'path=%s' % self.path,
            'version=%s' % self.request_version,
            'host=%s' % self.headers.get('Host', '-'),
            'x-test=%s' % self.headers.get('X-Test', '-'),
            'x-test-all=%s' % '|'.join(get_all('X-Test', [])),
        ]
        return ('\n'.join(lines) + '\n').encode('utf-8')

    def route(self):
        """Answer the special paths; return True if one was answered."""
        if self.path == '/missing':
            self.send_error(404)
        elif self.path == '/forbidden':
            self.send_error(403, 'custom <msg>')
        elif self.path == '/explained':
            self.send_error(400, 'Nope & nope', 'because <b> & "why"')
        elif self.path.startswith('/error/'):
            self.send_error(int(self.path[len('/error/'):]))
        elif self.path == '/no-length':
            self.send_response(200)
            self.send_header('Content-Type', 'text/plain')
            self.end_headers()
            self.wfile.write(b'no length here\n')
        elif self.path == '/no-content':
            self.send_response(204)
            self.send_header('X-Empty', 'yes')
            self.end_headers()
        elif self.path == '/close':
            body = b'closing\n'
            self.send_response(200)
            self.send_header('Connection', 'close')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == '/raise':
            raise RuntimeError('handler failed')
        else:
            return False
        return True

    def do_GET(self):
        if self.route():
            return
        body = self.echo_text()
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self):
        if self.route():
            return
        body = self.echo_text()
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()

    def do_POST(self):
        if self.route():
            return
        received = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        body = b'received=%d\n' % len(received) + received
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class DiffServer(ThreadingHTTPServer):
    # The spec opens many connections at once; the default backlog of 5 would drop some SYNs.
    request_queue_size = 128


def main():
    server = DiffServer(('127.0.0.1', 0), DiffHandler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == '__main__':
    sys.exit(main())
