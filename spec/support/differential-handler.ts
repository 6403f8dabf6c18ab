/**
 * The differential spec's sockserve side: spec/support/python/diff_server.py ported line by line
 * to BaseHTTPRequestHandler, on a ThreadingHTTPServer that records what reaches handleError().
 */
import type { ClientAddress } from '../../lib/index';
import type { Connection } from '../../lib/index';
import { BaseHTTPRequestHandler, ThreadingHTTPServer } from '../../lib/http/index';

/**
 * Echoes the request (GET, HEAD, POST) and answers a few special paths: `/missing` (404),
 * `/forbidden` (403 with a custom message), `/explained` (400 with message and explanation),
 * `/error/<code>`, `/no-length` (a body without Content-Length), `/no-content` (204), `/close`
 * (`Connection: close`), `/raise` (the handler throws).
 */
export class DiffHandler extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';

  override logMessage(): void {}

  echoText(): Buffer {
    const lines = [
      `command=${this.command}`,
      `path=${this.path}`,
      `version=${this.requestVersion}`,
      `host=${this.headers.get('Host', '-')}`,
      `x-test=${this.headers.get('X-Test', '-')}`,
      `x-test-all=${this.headers.getAll('X-Test', [] as string[]).join('|')}`,
    ];
    return Buffer.from(lines.join('\n') + '\n', 'utf8');
  }

  /** Answer the special paths; resolve true if one was answered. */
  async route(): Promise<boolean> {
    if (this.path === '/missing') {
      await this.sendError(404);
    } else if (this.path === '/forbidden') {
      await this.sendError(403, 'custom <msg>');
    } else if (this.path === '/explained') {
      await this.sendError(400, 'Nope & nope', 'because <b> & "why"');
    } else if (this.path.startsWith('/error/')) {
      await this.sendError(Number(this.path.slice('/error/'.length)));
    } else if (this.path === '/no-length') {
      this.sendResponse(200);
      this.sendHeader('Content-Type', 'text/plain');
      await this.endHeaders();
      await this.wfile.write('no length here\n');
    } else if (this.path === '/no-content') {
      this.sendResponse(204);
      this.sendHeader('X-Empty', 'yes');
      await this.endHeaders();
    } else if (this.path === '/close') {
      const body = Buffer.from('closing\n');
      this.sendResponse(200);
      this.sendHeader('Connection', 'close');
      this.sendHeader('Content-Length', String(body.length));
      await this.endHeaders();
      await this.wfile.write(body);
    } else if (this.path === '/raise') {
      throw new Error('handler failed');
    } else {
      return false;
    }
    return true;
  }

  async do_GET(): Promise<void> {
    if (await this.route()) return;
    const body = this.echoText();
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain; charset=utf-8');
    this.sendHeader('Content-Length', String(body.length));
    await this.endHeaders();
    await this.wfile.write(body);
  }

  async do_HEAD(): Promise<void> {
    if (await this.route()) return;
    const body = this.echoText();
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain; charset=utf-8');
    this.sendHeader('Content-Length', String(body.length));
    await this.endHeaders();
  }

  async do_POST(): Promise<void> {
    if (await this.route()) return;
    const received = await this.rfile.read(Number(this.headers.get('Content-Length', '0')));
    const body = Buffer.concat([Buffer.from(`received=${received.length}\n`), received]);
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'application/octet-stream');
    this.sendHeader('Content-Length', String(body.length));
    await this.endHeaders();
    await this.wfile.write(body);
  }
}

/** A ThreadingHTTPServer that keeps what reaches handleError() instead of printing it. */
export class RecordingHTTPServer extends ThreadingHTTPServer {
  override requestQueueSize = 128;
  /** The errors handlers raised, in order. */
  readonly handlerErrors: unknown[] = [];

  protected override handleError(_request: Connection, _clientAddress: ClientAddress, error: unknown): void {
    this.handlerErrors.push(error);
  }
}
