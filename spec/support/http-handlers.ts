/**
 * HTTP handlers and servers shared by the spec/http specs: a handler base with the access log
 * silenced, a handler that records the requests it gets, a server that records what reaches
 * handleError(), and a one-call start helper.
 */
import type { ClientAddress, Connection, RequestHandlerClass } from '../../lib/index';
import { BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer } from '../../lib/http/index';
import type { Teardown } from './teardown';

/** BaseHTTPRequestHandler speaking HTTP/1.1, with the access log silenced. */
export class QuietHandler extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';

  override logMessage(): void {}

  /** Send a complete response: status, Content-Type, Content-Length, body. */
  async reply(code: number, body: string | Buffer, contentType = 'text/plain'): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    this.sendResponse(code);
    this.sendHeader('Content-Type', contentType);
    this.sendHeader('Content-Length', bytes.length);
    await this.endHeaders();
    await this.wfile.write(bytes);
  }
}

/** Answers GET and HEAD with `GET <path>` (HEAD: the same headers, no body). */
export class HelloHandler extends QuietHandler {
  async do_GET(): Promise<void> {
    await this.reply(200, `${this.command} ${this.path}`);
  }

  async do_HEAD(): Promise<void> {
    await this.reply(200, `${this.command} ${this.path}`);
  }
}

/** Every request that reached a RecordingHandler's do_* method: `METHOD path` and a POST's body. Clear it before each test. */
export const recordedRequests: string[] = [];

/** Records each request in recordedRequests; POST and PUT read the whole body and answer with it. */
export class RecordingHandler extends QuietHandler {
  async do_GET(): Promise<void> {
    recordedRequests.push(`GET ${this.path}`);
    await this.reply(200, `GET ${this.path}`);
  }

  async do_POST(): Promise<void> {
    const body = await this.rfile.read();
    recordedRequests.push(`${this.command} ${this.path} ${body.toString('latin1')}`);
    await this.reply(200, body);
  }

  async do_PUT(): Promise<void> {
    await this.do_POST();
  }
}

/** A ThreadingHTTPServer whose handleError() records the errors instead of printing them. */
export class RecordingHTTPServer extends ThreadingHTTPServer {
  readonly reported: unknown[] = [];

  protected override handleError(_request: Connection, _clientAddress: ClientAddress, error: unknown): void {
    this.reported.push(error);
  }
}

/** The same on the sequential HTTPServer. */
export class RecordingSequentialHTTPServer extends HTTPServer {
  readonly reported: unknown[] = [];

  protected override handleError(_request: Connection, _clientAddress: ClientAddress, error: unknown): void {
    this.reported.push(error);
  }
}

/** A server class the helpers can build: `new Server(address, Handler)`. */
export type HTTPServerClass<S extends HTTPServer> = new (
  address: [string, number],
  Handler: RequestHandlerClass<Connection>,
) => S;

/** Make a server of `Server` (default RecordingHTTPServer) on 127.0.0.1:0, serve it, and return it. */
export async function serveHTTP<S extends HTTPServer = RecordingHTTPServer>(
  teardown: Teardown,
  Handler: RequestHandlerClass<Connection>,
  Server: HTTPServerClass<S> = RecordingHTTPServer as unknown as HTTPServerClass<S>,
): Promise<S> {
  const server = teardown.server(new Server(['127.0.0.1', 0], Handler));
  await server.ready();
  void teardown.serve(server, 0.05);
  return server;
}
