/**
 * How-to docs/howto/graceful-shutdown.md: a keep-alive HTTP server that stops without cutting a
 * response short. On SIGTERM (what systemd, Docker and Kubernetes send) or Ctrl-C it
 *
 *   1. stops taking connections (the port is closed at once),
 *   2. closes the keep-alive connections that wait for a next request,
 *   3. lets the responses in flight finish, for at most GRACE_SECONDS, and closes what is left,
 *   4. exits with status 0. A second signal closes everything at once.
 *
 *   GET /slow?seconds=N   sends its headers, works N seconds (at most 30), then sends the body
 *   anything else         answers at once
 *
 *   npx ts-node samples/http_graceful_shutdown.ts [port]      (default 8000; 0 picks a free port)
 *   curl -s 'http://127.0.0.1:8000/slow?seconds=5' & sleep 1; kill -TERM <pid>
 *
 * The server keeps a record of its connections and whether each is answering a request; the
 * handler updates it as Python's would (setup, parse_request, handle_one_request, finish).
 */
import { setTimeout as sleep } from 'node:timers/promises';
// In your own project: import { BaseHTTPRequestHandler, HTTPStatus, ThreadingHTTPServer } from 'sockserve/http';
import { BaseHTTPRequestHandler, HTTPStatus, ThreadingHTTPServer } from '../lib/http/index';
// and: import type { Connection } from 'sockserve';
import type { Connection } from '../lib/index';

/** The longest a stop waits for responses in flight, in seconds. */
const GRACE_SECONDS = 10;
/** The longest /slow may work, in seconds. */
const MAX_WORK_SECONDS = 30;

class GracefulServer extends ThreadingHTTPServer {
  // serverClose() waits for the handlers still running (ThreadingHTTPServer's default does not).
  override daemonThreads = false;
  /** Every open connection, and whether it is answering a request now. */
  readonly connections = new Map<Connection, 'idle' | 'busy'>();
  #stopping: Promise<void> | null = null;

  /** True once stop() was called: no connection is kept for another request. */
  get stopping(): boolean {
    return this.#stopping !== null;
  }

  /** Stop gracefully; called again while stopping, close every connection now. */
  stop(): Promise<void> {
    if (this.#stopping !== null) {
      this.#closeConnections('all');
      return this.#stopping;
    }
    this.#stopping = this.#drain();
    return this.#stopping;
  }

  /** Resolves once a stop has finished (at once if none was asked for). */
  stopped(): Promise<void> {
    return this.#stopping ?? Promise.resolve();
  }

  async #drain(): Promise<void> {
    await this.shutdown(); // serveForever() returns: no request is taken any more
    const closed = this.serverClose(); // closes the port, then waits for the running handlers
    this.#closeConnections('idle');
    const deadline = setTimeout(() => this.#closeConnections('all'), GRACE_SECONDS * 1000);
    try {
      await closed;
    } finally {
      clearTimeout(deadline);
    }
  }

  /**
   * Close the idle connections (close() sends the response a connection was just given first:
   * it leaves at the end of the event loop's turn), or destroy all of them.
   */
  #closeConnections(which: 'idle' | 'all'): void {
    for (const [connection, state] of this.connections) {
      if (which === 'all') connection.socket.destroy();
      else if (state === 'idle') connection.close();
    }
  }
}

class WorkHandler extends BaseHTTPRequestHandler {
  declare server: GracefulServer;
  // HTTP/1.1: connections stay open between requests, which is what makes stopping delicate.
  override protocolVersion = 'HTTP/1.1';

  protected override setup(): void {
    super.setup();
    this.server.connections.set(this.connection, 'idle');
  }

  /** A request line has arrived: the connection is busy until its response is out. */
  protected override parseRequest(): Promise<boolean> {
    this.server.connections.set(this.connection, 'busy');
    return super.parseRequest();
  }

  protected override async handleOneRequest(): Promise<void> {
    try {
      await super.handleOneRequest();
    } finally {
      this.server.connections.set(this.connection, 'idle');
      if (this.server.stopping) this.closeConnection = true; // no next request on this connection
    }
  }

  protected override async finish(): Promise<void> {
    this.server.connections.delete(this.connection);
    await super.finish();
  }

  async do_GET(): Promise<void> {
    const [route, query = ''] = this.path.split('?', 2);
    const seconds = route === '/slow' ? workSeconds(query) : 0;
    const body = Buffer.from(`done after ${seconds} s\n`, 'utf8');
    this.sendResponse(HTTPStatus.OK);
    this.sendHeader('Content-Type', 'text/plain; charset=utf-8');
    this.sendHeader('Content-Length', body.length);
    await this.endHeaders(); // the client has the headers while the work goes on
    if (seconds > 0) await sleep(seconds * 1000);
    await this.wfile.write(body);
  }
}

/** `seconds=N` from a query string, within 0 to MAX_WORK_SECONDS (1 when absent or not a number). */
function workSeconds(query: string): number {
  const seconds = Number(new URLSearchParams(query).get('seconds') ?? 1);
  return Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), MAX_WORK_SECONDS) : 1;
}

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  const server = new GracefulServer(['127.0.0.1', parsePort(process.argv[2])], WorkHandler);
  await server.ready();
  const { serverName: host, serverPort: port } = server; // the real port, also when you asked for 0
  console.log(`Serving HTTP on ${host} port ${port} (http://${host}:${port}/) ...`);
  const onSignal = (signal: NodeJS.Signals): void => {
    const busy = [...server.connections.values()].filter((state) => state === 'busy').length;
    console.log(
      server.stopping
        ? `${signal} again: closing every connection`
        : `${signal}: finishing ${busy} request(s) in flight`,
    );
    void server.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await server.serveForever(); // returns once stop() has called shutdown()
    await server.stopped();
  } finally {
    await server.serverClose();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  console.log('Stopped.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
