/**
 * Python's own CGIHTTPRequestHandler as a child process, for the CGI differential spec:
 * `ThreadingHTTPServer(('127.0.0.1', 0), partial(CGIHTTPRequestHandler, directory=…))`, log
 * silenced, port printed on the first line of stdout. On Linux it forks, so its scripts run with
 * the client's socket as stdin and stdout, and as `nobody` when the specs run as root.
 */
import { spawn } from 'node:child_process';

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

/** A running Python CGI server. */
export interface PythonCgiServer {
  readonly port: number;
  /** Kill it and wait for it to exit. */
  stop(): Promise<void>;
}

/** Start Python's CGIHTTPRequestHandler over `directory`; resolves once it printed its port. */
export function startPythonCgiServer(directory: string, timeoutMs = 10000): Promise<PythonCgiServer> {
  const child = spawn('python3', ['-u', '-c', SERVER_SCRIPT, directory], {
    cwd: directory,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  return new Promise<PythonCgiServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`python3 printed no port within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`python3 exited (${code ?? signal}) before printing its port; stderr: ${stderr}`));
    });
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      resolve({ port: Number(stdout.slice(0, newline)), stop });
    });
  });
}
