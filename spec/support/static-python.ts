/**
 * Python's own SimpleHTTPRequestHandler as a child process, for the static differential spec:
 * `ThreadingHTTPServer(('127.0.0.1', 0), partial(SimpleHTTPRequestHandler, directory=…))`, log
 * silenced, port printed on the first line of stdout (the 3.11 CLI cannot report a port 0).
 */
import { startPythonChild, type PythonServer } from './differential-python';

const SERVER_SCRIPT = `
import functools, sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

class Handler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

class Server(ThreadingHTTPServer):
    request_queue_size = 128

server = Server(('127.0.0.1', 0), functools.partial(Handler, directory=sys.argv[1]))
print(server.server_address[1], flush=True)
server.serve_forever()
`;

/** Start Python's SimpleHTTPRequestHandler over `directory`; resolves once it printed its port. */
export function startPythonStaticServer(directory: string, timeoutMs = 10000): Promise<PythonServer> {
  return startPythonChild('python3 (SimpleHTTPRequestHandler)', ['-c', SERVER_SCRIPT, directory], {}, timeoutMs);
}
