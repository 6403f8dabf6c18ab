/**
 * Tutorial chapters 7 and 8: a server with a slow page, to see a sequential server stall and
 * ThreadingMixIn fix it, and a busy page, to see what ThreadingMixIn cannot fix on one event loop
 * and ForkingMixIn can.
 *
 *   npx ts-node samples/slow_server.ts [port] [--sequential | --forking]   (default 8000; 0 picks a free port)
 *
 * By default it is a ThreadingHTTPServer (every connection handled at once, on one event loop);
 * with --sequential, an HTTPServer (one connection at a time, as Python's HTTPServer); with
 * --forking, ForkingMixIn(HTTPServer) (requests handled in worker processes, one per core).
 * Pages:
 *
 *   /slow?seconds=N   waits N seconds (default 3) on a timer, as a handler waits for a database,
 *                     then answers. While it waits, the event loop is free for other clients.
 *   /busy?seconds=N   computes for N seconds without an await: nothing else runs meanwhile.
 *   anything else     answers at once.
 *
 * Each handler logs on stderr when it starts working, then the usual access-log line. Ctrl-C or
 * SIGTERM stops the server gracefully: no new connections, and requests in flight finish first.
 *
 * In Python the handler is the same, with time.sleep(N) for the timer, and the two servers are
 * HTTPServer and ThreadingHTTPServer from http.server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
// In your own project: import { ForkingMixIn } from 'sockserve';
// and import { BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer } from 'sockserve/http';
import { ForkingMixIn } from '../lib/index';
import { BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer } from '../lib/http/index';

/** The longest wait a request may ask for, in seconds. */
const MAX_SECONDS = 30;

class SlowHandler extends BaseHTTPRequestHandler {
  async do_GET(): Promise<void> {
    const [route = '/', query = ''] = this.path.split('?', 2);
    const seconds = Number(new URLSearchParams(query).get('seconds') ?? 3);
    if (!(seconds >= 0 && seconds <= MAX_SECONDS)) {
      await this.sendError(400, `seconds must be a number from 0 to ${MAX_SECONDS}`);
      return;
    }
    let text: string;
    if (route === '/slow') {
      this.logMessage('%s: waiting %s s on a timer', route, seconds);
      await sleep(seconds * 1000); // other handlers run while this one waits
      text = `${route}: answered after waiting ${seconds} s\n`;
    } else if (route === '/busy') {
      this.logMessage('%s: computing for %s s without awaiting', route, seconds);
      const end = Date.now() + seconds * 1000;
      let rounds = 0;
      while (Date.now() < end) rounds += 1; // no await: the event loop is held until the loop ends
      text = `${route}: answered after computing ${seconds} s (${rounds} rounds)\n`;
    } else {
      text = `${route}: answered at once\n`;
    }
    const body = Buffer.from(text, 'utf8');
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain; charset=utf-8');
    this.sendHeader('Content-Length', body.length);
    await this.endHeaders();
    await this.wfile.write(body);
  }
}

/** A ThreadingHTTPServer whose serverClose() waits for the requests in flight (Python's non-daemon threads). */
class PatientThreadingHTTPServer extends ThreadingHTTPServer {
  override daemonThreads = false;
}

/**
 * Python's `class ForkingHTTPServer(ForkingMixIn, HTTPServer): pass`. Its worker processes run this
 * script again; in them, `await server.ready()` below never returns, and they serve instead.
 */
class ForkingHTTPServer extends ForkingMixIn(HTTPServer) {}

/** The server for the command line's choice. */
function makeServer(args: readonly string[], address: [string, number]): HTTPServer {
  if (args.includes('--sequential')) return new HTTPServer(address, SlowHandler);
  if (args.includes('--forking')) return new ForkingHTTPServer(address, SlowHandler);
  return new PatientThreadingHTTPServer(address, SlowHandler);
}

/** How `server` takes its connections, for the line after the startup line. */
function describe(server: HTTPServer): string {
  if (server instanceof ForkingHTTPServer) {
    return `ForkingHTTPServer: requests handled in ${server.activeChildren?.size ?? 0} worker processes`;
  }
  if (server instanceof ThreadingHTTPServer) return 'ThreadingHTTPServer: every connection at once';
  return 'HTTPServer: one connection at a time';
}

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const address: [string, number] = ['127.0.0.1', parsePort(args.find((arg) => !arg.startsWith('--')))];
  const server = makeServer(args, address);
  await server.ready(); // a ForkingHTTPServer's workers stop here for good: they serve
  const { serverName: host, serverPort: port } = server;
  console.log(`Serving HTTP on ${host} port ${port} (http://${host}:${port}/) ...`);
  console.log(describe(server));
  const stop = (): void => void server.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await server.serveForever(); // HTTPServer: returns once the request in progress is answered
  } finally {
    await server.serverClose(); // stops listening; then waits for the handlers (or workers) still at work
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
