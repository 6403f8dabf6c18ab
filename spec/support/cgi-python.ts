/**
 * Python's own CGIHTTPRequestHandler as a child process, for the CGI differential spec:
 * `ThreadingHTTPServer(('127.0.0.1', 0), partial(CGIHTTPRequestHandler, directory=…))`, log
 * silenced, port printed on the first line of stdout. On Linux it forks, so its scripts run with
 * the client's socket as stdin and stdout, and as `nobody` when the specs run as root.
 */
import { startPythonChild, type PythonServer } from './differential-python';

const SERVER_SCRIPT = `
import functools, sys, warnings
warnings.simplefilter('ignore', DeprecationWarning)
from http.server import CGIHTTPRequestHandler, ThreadingHTTPServer

class Handler(CGIHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

server = ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=sys.argv[1]))
print(server.server_address[1], flush=True)
server.serve_forever()
`;

/** Start Python's CGIHTTPRequestHandler over `directory`; resolves once it printed its port. */
export function startPythonCgiServer(directory: string, timeoutMs = 10000): Promise<PythonServer> {
  return startPythonChild(
    'python3 (CGIHTTPRequestHandler)',
    ['-c', SERVER_SCRIPT, directory],
    { cwd: directory },
    timeoutMs,
  );
}
