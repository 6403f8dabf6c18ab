/**
 * A small JSON API with BaseHTTPRequestHandler on ThreadingHTTPServer, speaking HTTP/1.1 so that
 * clients keep their connections open between requests:
 *
 *   GET  /items        → 200 [{"id":1,"name":"tea"}, …]
 *   GET  /items/<id>   → 200 {"id":1,"name":"tea"}, or 404
 *   POST /items        → 201 {"id":2,"name":"milk"} with Location: /items/2
 *                        (body: {"name":"milk"} as application/json)
 *
 *   npx ts-node samples/http_json_api.ts [port]      (default 8000; 0 picks a free port)
 *   curl -s localhost:8000/items
 *   curl -s -H 'Content-Type: application/json' -d '{"name":"milk"}' localhost:8000/items
 *
 * Ctrl-C (SIGINT) or SIGTERM stops it; a client's idle keep-alive connection may keep the
 * process up to the handler's keepAliveTimeout (5 s) longer. The items live in memory, on the
 * server object, which every handler reaches as `this.server` (Python: `self.server`).
 */
// In your own project: import { … } from 'sockserve/http';
import { BaseHTTPRequestHandler, HTTPStatus, ThreadingHTTPServer, type StatusCode } from '../lib/http/index';

/** The largest request body accepted. */
const MAX_BODY_BYTES = 65536;
/** The longest item name accepted. */
const MAX_NAME_LENGTH = 100;

interface Item {
  id: number;
  name: string;
}

/** What a route answers: a status, a value to send as JSON, and extra headers. */
interface Reply {
  status: StatusCode;
  value: unknown;
  headers?: Record<string, string>;
}

/** The server holds the items, so that every connection's handler sees the same list. */
class ItemServer extends ThreadingHTTPServer {
  readonly items: Item[] = [];
  #nextId = 1;

  add(name: string): Item {
    const item = { id: this.#nextId++, name };
    this.items.push(item);
    return item;
  }

  find(id: number): Item | undefined {
    return this.items.find((item) => item.id === id);
  }
}

/** A failure to report to the client as `{"error": message}` with `status`. */
class ClientError extends Error {
  constructor(
    readonly status: StatusCode,
    message: string,
  ) {
    super(message);
  }
}

/** GET /items, GET /items/<id> and POST /items; mistakes are answered as `{"error": …}`. */
class ItemsHandler extends BaseHTTPRequestHandler {
  /** The server this handler runs in, with its items (a type declaration only). */
  declare server: ItemServer;
  // HTTP/1.1: keep-alive. Every response must then say how long it is (sendJson does).
  override protocolVersion = 'HTTP/1.1';

  async do_GET(): Promise<void> {
    await this.answer(async () => {
      const { id } = this.route();
      if (id === null) return { status: HTTPStatus.OK, value: this.server.items };
      const item = this.server.find(id);
      if (item === undefined) throw new ClientError(HTTPStatus.NOT_FOUND, `no item ${id}`);
      return { status: HTTPStatus.OK, value: item };
    });
  }

  async do_POST(): Promise<void> {
    await this.answer(async () => {
      if (this.route().id !== null) {
        const value = { error: 'items are created with POST /items' };
        return { status: HTTPStatus.METHOD_NOT_ALLOWED, value, headers: { Allow: 'GET' } };
      }
      const item = this.server.add(nameFrom(await this.readJson()));
      return { status: HTTPStatus.CREATED, value: item, headers: { Location: `/items/${item.id}` } };
    });
  }

  /** `/items` → { id: null }, `/items/7` → { id: 7 }; anything else is a 404. */
  private route(): { id: number | null } {
    const pathname = this.path.split('?', 1)[0] ?? '';
    if (pathname === '/items' || pathname === '/items/') return { id: null };
    const match = /^\/items\/([1-9][0-9]{0,8})$/.exec(pathname);
    if (match === null) throw new ClientError(HTTPStatus.NOT_FOUND, `nothing at ${pathname}`);
    return { id: Number(match[1]) };
  }

  /** The request body parsed as JSON; 415, 413 or 400 when it is not usable. */
  private async readJson(): Promise<unknown> {
    if (this.headers.getContentType() !== 'application/json') {
      throw new ClientError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, 'send application/json');
    }
    // rfile ends at the end of this request's body (Content-Length or chunked), so one byte past
    // the limit is enough to tell an oversized body apart.
    const length = Number(this.headers.get('Content-Length') ?? Infinity);
    const body = await this.rfile.read(Math.min(length, MAX_BODY_BYTES + 1));
    if (body.length > MAX_BODY_BYTES) throw new ClientError(HTTPStatus.CONTENT_TOO_LARGE, 'body too large');
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      throw new ClientError(HTTPStatus.BAD_REQUEST, 'the body is not JSON');
    }
  }

  /** Run a route and send its result as JSON, or its ClientError as `{"error": …}`. */
  private async answer(route: () => Promise<Reply>): Promise<void> {
    let reply: Reply;
    try {
      reply = await route();
    } catch (error) {
      if (!(error instanceof ClientError)) throw error; // a bug: the client gets a 500
      reply = { status: error.status, value: { error: error.message } };
    }
    await this.sendJson(reply.status, reply.value, reply.headers);
  }

  private async sendJson(status: StatusCode, value: unknown, headers: Record<string, string> = {}): Promise<void> {
    const body = Buffer.from(JSON.stringify(value) + '\n', 'utf8');
    this.sendResponse(status);
    this.sendHeader('Content-Type', 'application/json');
    this.sendHeader('Content-Length', body.length);
    for (const [name, text] of Object.entries(headers)) this.sendHeader(name, text);
    await this.endHeaders();
    await this.wfile.write(body);
  }
}

/** The `name` of a posted item: a non-empty string of at most MAX_NAME_LENGTH characters. */
function nameFrom(value: unknown): string {
  const name = (value as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME_LENGTH) {
    throw new ClientError(HTTPStatus.BAD_REQUEST, `name must be a string of 1 to ${MAX_NAME_LENGTH} characters`);
  }
  return name;
}

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  const server = new ItemServer(['127.0.0.1', parsePort(process.argv[2])], ItemsHandler);
  await server.ready();
  const { serverName: host, serverPort: port } = server; // the real port, also when you asked for 0
  console.log(`Serving HTTP on ${host} port ${port} (http://${host}:${port}/items) ...`);
  const stop = (): void => void server.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await server.serveForever();
  } finally {
    await server.serverClose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
