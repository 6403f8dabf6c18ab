/**
 * How-to docs/howto/test-with-mocha.md: the handler under test (the tests are in
 * samples/greeting_handler.spec.ts).
 *
 *   GET /?name=Ada   → 200 "Hello, Ada!"   (no name: "Hello, world!")
 *   GET /elsewhere   → 404
 *
 * A module of its own, with no server in it, so that both the program that serves it and the
 * tests import it.
 */
// In your own project: import { BaseHTTPRequestHandler, HTTPStatus } from 'sockserve/http';
import { BaseHTTPRequestHandler, HTTPStatus } from '../lib/http/index';

/** The longest name greeted; a longer one is cut. */
export const MAX_NAME_LENGTH = 50;

export class GreetingHandler extends BaseHTTPRequestHandler {
  async do_GET(): Promise<void> {
    const [pathname, query = ''] = this.path.split('?', 2);
    if (pathname !== '/') {
      await this.sendError(HTTPStatus.NOT_FOUND);
      return;
    }
    const name = (new URLSearchParams(query).get('name') ?? 'world').slice(0, MAX_NAME_LENGTH);
    const body = Buffer.from(`Hello, ${name}!\n`, 'utf8');
    this.sendResponse(HTTPStatus.OK);
    this.sendHeader('Content-Type', 'text/plain; charset=utf-8');
    this.sendHeader('Content-Length', body.length);
    await this.endHeaders();
    await this.wfile.write(body);
  }
}
