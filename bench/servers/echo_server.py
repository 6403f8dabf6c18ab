"""Line echo with Python's socketserver, the reference row of `npm run bench`.

python3 echo_server.py  ->  prints "LISTENING <port>" once bound to 127.0.0.1 on a free port,
then echoes every line on every connection, one thread per connection (stock settings: the
default request queue size, Nagle on, unbuffered wfile) until it receives SIGTERM.
"""

import socketserver


class EchoHandler(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line)


def main():
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), EchoHandler) as server:
        server.daemon_threads = True
        print(f"LISTENING {server.server_address[1]}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
