/**
 * BaseHTTPRequestHandler: Python's HTTP/1.x request handler, member for member, with framing
 * that cannot be smuggled and limits that slow clients cannot abuse.
 */
import { performance } from 'node:perf_hooks';
import { BadBodyError, ErrorCodes, TimeoutError, typeError } from '../errors';
import type { BaseServer } from '../socketserver/base-server';
import type { BufferedReader } from '../socketserver/buffered-reader';
import type { Connection } from '../socketserver/connection';
import { RESOLVED } from '../socketserver/settle';
import { StreamRequestHandler } from '../socketserver/stream-request-handler';
import { ChunkedBodyReader, LengthBodyReader, type BodyReader } from './body-reader';
import { BoundedMemo } from './bounded-memo';
import { httpDate, logDate } from './dates';
import { DEFAULT_ERROR_CONTENT_TYPE, DEFAULT_ERROR_MESSAGE } from './error-page';
import { HTTPMessage } from './http-message';
import { UNSENDABLE_CHARACTER } from './field-syntax';
import { connectionChoice, framesBody, HeaderBlock, sendableFieldName } from './header-block';
import { escapeForLog, escapeHtml, formatNamed, formatPositional } from './python-format';
import {
  bodyFraming,
  endsWithBlankLine,
  hostProblem,
  isEmptyLine,
  isHeadError,
  longestLine,
  parseHeaderBlock,
  parseVersion,
  pyRepr,
  splitWords,
  stripLineEnd,
  type HeadError,
} from './request-head';
import { readsUntil, startTimedRead } from './request-deadline';
import { ResponseWriter } from './response-writer';
import { responses, type StatusCode } from './status';

/** The default sysVersion, one string for every handler. */
const NODE_VERSION = `Node/${process.versions.node}`;

/**
 * The Server value versionString() last made: the same string is returned while serverVersion and
 * sysVersion stay the same, so the Server and Date block below is found unchanged by identity.
 */
let madeVersion = { server: '', sys: '', text: ' ' };

/** The Server and Date fields last sent, made once while both stay the same (Date changes once a second). */
let serverAndDate: { server: string; date: string; block: HeaderBlock } | null = null;

function serverAndDateBlock(server: string, date: string): HeaderBlock {
  if (serverAndDate?.server !== server || serverAndDate.date !== date) {
    serverAndDate = {
      server,
      date,
      block: new HeaderBlock([
        ['Server', server],
        ['Date', date],
      ]),
    };
  }
  return serverAndDate.block;
}

/** parseRequest()'s answers that need no waiting, made once (a settled promise can be shared). */
const PARSED: Promise<boolean> = Promise.resolve(true);
const NOT_PARSED: Promise<boolean> = Promise.resolve(false);
/** What the request line's parse says when the header block is to be read next. */
const HEADERS_FOLLOW = Symbol('headers follow');

/** `do_GET` for `GET`: the name of the method a request's command calls, made once per command. */
const methodNames = new BoundedMemo(64, (command: string) => `do_${command}`);

/** Python's limit on the request line (longer: 414). */
const MAX_REQUEST_LINE = 65536;
/** Unread request body bytes the server reads and drops to keep a connection; more closes it. */
const DRAIN_LIMIT = 65536;
/** Errors that mean the client has gone: nothing can be sent back. */
function clientGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === ErrorCodes.SOCKET_CLOSED ||
    code === 'ERR_STREAM_DESTROYED' ||
    code === 'ERR_STREAM_WRITE_AFTER_END'
  );
}

/**
 * The HTTP handler. Subclass it and define a method per verb, `do_GET()`, `do_POST()`, … (the
 * name is built from the request's method, case-sensitively; a missing one answers 501). Inside a
 * `do_*` method:
 *
 * - read `command`, `path`, `requestVersion`, `headers` (an HTTPMessage), `clientAddress`;
 *   `rfile` reads this request's body only (de-chunked, EOF at its end);
 * - answer with `sendResponse(code, message?)`, `sendHeader(name, value)` … (or
 *   `sendHeaderBlock(block)` for fields sent on many responses), `endHeaders()`, then
 *   `await this.wfile.write(body)`; or `await sendError(code, message?, explain?)`.
 *
 * Methods that may be overridden: every `do_*`, `handleExpect100()` (return false to refuse the
 * body), `logMessage()` (where log lines go; default stderr), `logRequest()`, `logError()`,
 * `versionString()`, `dateTimeString()`, `addressString()`, and — rarely — `handle()`,
 * `handleOneRequest()`, `parseRequest()`.
 *
 * Fields a subclass may set: `protocolVersion` ('HTTP/1.0'; set 'HTTP/1.1' for keep-alive, and
 * then send Content-Length or chunked bodies), `serverVersion`, `sysVersion`,
 * `errorMessageFormat`, `errorContentType`, `responses`, `defaultRequestVersion`,
 * `MessageClass`; and sockserve's limits: `headersTimeout` (60 s to receive a request head),
 * `requestTimeout` (300 s to receive a whole request, body included), `keepAliveTimeout` (5 s an
 * idle keep-alive connection is kept), `sendTimeout` (60 s a response may wait for a client that
 * takes none of it), `maxHeaders` (100), `maxHeaderBytes` (65536), `requireValidHost` (true:
 * RFC 9112's Host rules). Plus StreamRequestHandler's `timeout`, `rbufsize`, `wbufsize`,
 * `disableNagleAlgorithm`.
 *
 * Where it differs from Python, it is safer: see docs/differences.md.
 */
export class BaseHTTPRequestHandler<
  TServer extends BaseServer<Connection> = BaseServer<Connection>,
> extends StreamRequestHandler<TServer> {
  /** The server software named in the `Server` header. */
  serverVersion = 'BaseHTTP/0.6';
  /** The runtime named after serverVersion. */
  sysVersion = NODE_VERSION;
  /** The error page, a template over %(code)d, %(message)s and %(explain)s. */
  errorMessageFormat = DEFAULT_ERROR_MESSAGE;
  /** The error page's Content-Type. */
  errorContentType = DEFAULT_ERROR_CONTENT_TYPE;
  /** The version assumed until the request line is parsed. */
  defaultRequestVersion = 'HTTP/0.9';
  /** The version this server speaks: 'HTTP/1.1' enables keep-alive. */
  protocolVersion = 'HTTP/1.0';
  /** code → [reason phrase, explanation], for status lines and error pages. */
  responses: Readonly<Record<number, readonly [string, string]>> = responses;
  /** The class that holds the request headers. */
  MessageClass: new () => HTTPMessage = HTTPMessage;
  /** Seconds a client has to send a request head (line and headers); then 408. */
  headersTimeout = 60;
  /**
   * Seconds a client has to send a whole request, head and body (Node's http default, 300). A body
   * read still waiting then rejects with TimeoutError: 'Request timed out' is logged and the
   * connection closed.
   */
  requestTimeout = 300;
  /** Seconds an idle keep-alive connection waits for its next request; then it is closed. */
  keepAliveTimeout = 5;
  /**
   * Seconds a response may wait while the client takes none of its bytes (nginx's send_timeout,
   * 60); then the write rejects with TimeoutError and the connection is closed. null: no limit.
   * `timeout`, when shorter, applies instead.
   */
  sendTimeout: number | null = 60;
  /** Most header fields in a request (Python's limit); more is 431. */
  maxHeaders = 100;
  /** Most bytes in a request's header block; more is 431. */
  maxHeaderBytes = 65536;
  /**
   * Answer 400 to an HTTP/1.1 request without Host, to a request with two Host fields and to a
   * Host value that is not a host and port (RFC 9112 §3.2, as nginx and Node's http do). false:
   * Host is not checked, as in Python.
   */
  requireValidHost = true;

  /** The request method, e.g. 'GET' (null before a request line was parsed). */
  command: string | null = null;
  /** The request target as sent (a leading '//' collapsed to '/'). */
  path = '';
  /** The request's version, e.g. 'HTTP/1.1'. */
  requestVersion = '';
  /** The request line without its line ending. */
  requestline = '';
  /** The request line as received. */
  rawRequestline: Buffer = Buffer.alloc(0);
  /** The request headers. */
  headers: HTTPMessage = new HTTPMessage();
  /** True when the connection closes after this response. */
  closeConnection = true;

  declare wfile: ResponseWriter;
  declare rfile: BodyReader;

  #stream!: BufferedReader;
  #headersBuffer = '';
  #requestsHandled = 0;
  /** When the current request head must be complete (performance.now() milliseconds). */
  #headDeadline = 0;
  /** When the current request's body must have arrived (performance.now() milliseconds). */
  #requestDeadline = 0;
  /** Status of the response being written, 0 before sendResponseOnly. */
  #status = 0;
  /**
   * A final (non-1xx) response has begun on the wire, so a failure can no longer be answered with
   * a status of its own. Not the same as `#status !== 0`: a status line may be queued and unsent,
   * or only a `100 Continue` may have gone out.
   */
  #responseStarted = false;
  /** The response carries Content-Length or Transfer-Encoding. */
  #framed = false;
  /** Wait for the next request's first bytes: whatever arrives, left in the buffer and not copied. */
  readonly #firstBytes = (): Promise<Buffer> => this.#stream.peek(-1);

  protected override setup(): void {
    super.setup();
    this.connection.sendTimeout = this.sendTimeout === null ? this.timeout : this.#limited(this.sendTimeout);
    this.#stream = this.connection.makefile('rb', this.rbufsize);
    this.wfile = new ResponseWriter(this.connection, this.wbufsize);
    this.rfile = new LengthBodyReader(this.#stream, 0);
  }

  /** Handle requests until one ends the connection. */
  protected override async handle(): Promise<void> {
    this.closeConnection = true;
    await this.handleOneRequest();
    while (!this.closeConnection) await this.handleOneRequest();
  }

  protected override async finish(): Promise<void> {
    this.connection.release();
    await super.finish();
  }

  /**
   * Read, parse and answer one request. The response leaves when this turn of the event loop
   * ends, with every other response made in it (Connection keeps a turn's sends until then), not
   * when the handler returns: the responses to pipelined requests and to every connection
   * answered in the turn go out one after the other, so the client side is woken once for the lot.
   */
  protected async handleOneRequest(): Promise<void> {
    this.#beginRequest();
    try {
      if (this.#requestsHandled > 0) {
        // Between requests the connection is idle until the next one's first byte arrives:
        // keepAliveTimeout applies to that wait, headersTimeout from that byte on.
        await this.#timedRead(this.#limited(this.keepAliveTimeout), this.#firstBytes);
      }
      // One deadline for the request line and the headers together (they used to get one each).
      const start = performance.now();
      this.#headDeadline = start + this.#limited(this.headersTimeout) * 1000;
      this.#requestDeadline = start + this.requestTimeout * 1000;
      // Most request lines are buffered already: take them without a promise.
      const buffered = this.#stream.readlineNowait(MAX_REQUEST_LINE + 1);
      this.rawRequestline =
        buffered !== null && !isEmptyLine(buffered) ? buffered : await this.#readRequestLine(buffered);
    } catch (error) {
      // Idle keep-alive timeout, reset, failed TLS handshake: no request, nobody to answer.
      this.closeConnection = true;
      if (error instanceof TimeoutError && this.#stream.buffered > 0) await this.#sendQuietly(408);
      return;
    }
    if (this.rawRequestline.length > MAX_REQUEST_LINE) {
      this.requestline = '';
      this.requestVersion = '';
      this.command = '';
      await this.sendError(414);
      return;
    }
    if (this.rawRequestline.length === 0) {
      this.closeConnection = true;
      return;
    }
    this.#requestsHandled += 1;
    if (!(await this.parseRequest())) return;
    const method = (this as unknown as Record<string, unknown>)[methodNames.get(this.command as string)];
    if (typeof method !== 'function') {
      await this.sendError(501, `Unsupported method (${pyRepr(this.command ?? '')})`);
      return;
    }
    try {
      await (method as () => unknown).call(this);
      const flushed = this.wfile.flush();
      if (flushed !== RESOLVED) await flushed; // most handlers leave nothing buffered: no await then
    } catch (error) {
      await this.#methodFailed(error);
      return;
    }
    if (!this.closeConnection && !this.rfile.complete) await this.#finishBody();
  }

  /**
   * Parse `rawRequestline` and read the headers. Returns true if the request can be handled;
   * otherwise an error response has been sent. Sets command, path, requestVersion, headers,
   * closeConnection and rfile (the body).
   */
  protected parseRequest(): Promise<boolean> {
    const lineParsed = this.#parseRequestLine();
    if (lineParsed !== HEADERS_FOLLOW) return lineParsed;
    const block = this.#stream.readBlockNowait(this.maxHeaderBytes + 2);
    if (block !== null) return this.#parseHeaders(block);
    return this.#readHeaderBlock().then((late) => late !== null && this.#parseHeaders(late));
  }

  /**
   * parseRequest()'s first half: the request line. Returns parseRequest()'s answer when it is
   * known from the line alone (an error sent, or an HTTP/0.9 request, which has no headers), else
   * HEADERS_FOLLOW. Not async, like the other half: a request whose head is all here is parsed
   * without a promise of its own (PARSED is shared).
   */
  #parseRequestLine(): Promise<boolean> | typeof HEADERS_FOLLOW {
    this.command = null;
    this.requestVersion = this.defaultRequestVersion;
    this.closeConnection = true;
    const requestline = stripLineEnd(this.rawRequestline.toString('latin1'));
    this.requestline = requestline;
    const words = splitWords(requestline);
    if (words.length === 0) return NOT_PARSED;
    if (words.length >= 3) {
      const version = words[words.length - 1] as string;
      const number = parseVersion(version);
      if (number === null) {
        this.requestVersion = '';
        return this.#refuse({ status: 400, message: `Bad request version (${pyRepr(version)})` });
      }
      this.requestVersion = version;
      const [major, minor] = number;
      if ((major > 1 || (major === 1 && minor >= 1)) && this.protocolVersion >= 'HTTP/1.1') {
        this.closeConnection = false;
      }
      if (major >= 2) return this.#refuse({ status: 505, message: `Invalid HTTP version (${version.slice(5)})` });
    }
    if (words.length < 2 || words.length > 3) {
      this.requestVersion = '';
      return this.#refuse({ status: 400, message: `Bad request syntax (${pyRepr(requestline)})` });
    }
    const [command, path] = words as [string, string];
    if (words.length === 2) {
      this.closeConnection = true;
      if (command !== 'GET') {
        this.requestVersion = '';
        return this.#refuse({ status: 400, message: `Bad HTTP/0.9 request type (${pyRepr(command)})` });
      }
    }
    this.command = command;
    // A leading '//' would read as a host to browsers (an open redirect): collapse it (gh-87389).
    this.path = path.startsWith('//') ? '/' + path.replace(/^\/+/, '') : path;
    if (words.length === 2) {
      this.headers = new this.MessageClass();
      return PARSED;
    }
    return HEADERS_FOLLOW;
  }

  /** parseRequest()'s second half: the header block, which frames the body; then Expect. */
  #parseHeaders(block: Buffer): Promise<boolean> {
    if (!endsWithBlankLine(block)) return this.#refuseUnfinishedHead(block);
    const headers = parseHeaderBlock(block, this.maxHeaders, this.MessageClass);
    if (isHeadError(headers)) return this.#refuse(headers);
    this.headers = headers;
    const host = this.requireValidHost ? hostProblem(headers, this.requestVersion) : null;
    if (host !== null) return this.#refuse(host);
    const framing = bodyFraming(headers, this.requestVersion);
    if (isHeadError(framing)) return this.#refuse(framing);
    if (framing.chunked) this.rfile = new ChunkedBodyReader(readsUntil(this.#stream, this.#requestDeadline));
    else if (framing.length > 0)
      this.rfile = new LengthBodyReader(readsUntil(this.#stream, this.#requestDeadline), framing.length);
    else this.rfile = new LengthBodyReader(this.#stream, 0); // nothing will be read: no deadline to keep
    const connection = (headers.get('Connection') ?? '').toLowerCase();
    if (connection === 'close') this.closeConnection = true;
    else if (connection === 'keep-alive' && this.protocolVersion >= 'HTTP/1.1') this.closeConnection = false;
    const expect = (headers.get('Expect') ?? '').toLowerCase();
    if (expect === '100-continue' && this.protocolVersion >= 'HTTP/1.1' && this.requestVersion >= 'HTTP/1.1') {
      return this.handleExpect100();
    }
    return PARSED;
  }

  /**
   * Answer `Expect: 100-continue`. The default sends `100 Continue` and returns true. Override to
   * refuse the body: send an error and return false.
   */
  protected async handleExpect100(): Promise<boolean> {
    this.sendResponseOnly(100);
    await this.endHeaders();
    this.connection.release(); // the client waits for it before sending the body
    return true;
  }

  /**
   * Send an error response with Python's HTML page (no body for HEAD, 1xx, 204, 205, 304) and
   * `Connection: close`, and log it. `message` is the reason phrase, `explain` the page's text.
   */
  async sendError(code: StatusCode, message?: string, explain?: string): Promise<void> {
    const status = Number(code);
    const [shortMessage, longMessage] = this.responses[status] ?? ['???', '???'];
    const reason = message ?? shortMessage;
    this.logError('code %d, message %s', status, reason);
    this.sendResponse(status, reason);
    this.sendHeader('Connection', 'close');
    let body: Buffer | null = null;
    if (status >= 200 && status !== 204 && status !== 205 && status !== 304) {
      const page = formatNamed(this.errorMessageFormat, {
        code: status,
        message: escapeHtml(reason),
        explain: escapeHtml(explain ?? longMessage),
      });
      body = Buffer.from(page, 'utf8');
      this.sendHeader('Content-Type', this.errorContentType);
      this.sendHeader('Content-Length', String(body.length));
    }
    await this.endHeaders();
    if (this.command !== 'HEAD' && body !== null) await this.wfile.write(body);
  }

  /** Log the request and queue the status line plus `Server` and `Date` headers. */
  sendResponse(code: StatusCode, message?: string): void {
    this.logRequest(code);
    this.sendResponseOnly(code, message);
    this.sendHeaderBlock(serverAndDateBlock(this.versionString(), this.dateTimeString()));
  }

  /** Queue the status line only (nothing for an HTTP/0.9 request). */
  sendResponseOnly(code: StatusCode, message?: string): void {
    const status = Number(code);
    this.#status = status;
    if (this.requestVersion === 'HTTP/0.9') {
      // No status line in HTTP/0.9: whatever the handler writes next is the body.
      this.#responseStarted = true;
      return;
    }
    const reason = message ?? this.responses[status]?.[0] ?? '';
    if (UNSENDABLE_CHARACTER.test(reason)) {
      throw typeError(ErrorCodes.INVALID_HEADER, `status message ${JSON.stringify(reason)} has a control character`);
    }
    this.#headersBuffer += `${this.protocolVersion} ${status} ${reason}\r\n`;
  }

  /** Queue a header. Rejects names that are not tokens and values with CR, LF or other controls. */
  sendHeader(keyword: string, value: string | number): void {
    const text = String(value);
    const name = sendableFieldName(keyword, text);
    if (this.requestVersion !== 'HTTP/0.9') this.#headersBuffer += `${keyword}: ${text}\r\n`;
    this.#noteField(name, text);
  }

  /**
   * Queue the fields of `block` (a HeaderBlock, checked when it was made), as sendHeader() would
   * one by one; a subclass that overrides sendHeader() gets a call for each field.
   */
  sendHeaderBlock(block: HeaderBlock): void {
    if (this.sendHeader !== BaseHTTPRequestHandler.prototype.sendHeader) {
      for (const { keyword, text } of block.fields) this.sendHeader(keyword, text);
      return;
    }
    if (this.requestVersion !== 'HTTP/0.9') this.#headersBuffer += block.text;
    this.#chooseConnection(block.connection);
    if (block.framesBody) this.#framed = true;
  }

  /** What a header field sent says about the connection and the response's framing. */
  #noteField(name: string, text: string): void {
    if (name === 'connection') this.#chooseConnection(connectionChoice(text));
    else if (framesBody(name)) this.#framed = true;
  }

  /** A Connection field's decision: close the connection after this response, or keep it. */
  #chooseConnection(choice: 'close' | 'keep-alive' | null): void {
    if (choice !== null) this.closeConnection = choice === 'close';
  }

  /**
   * End the headers and send them. A response that has no length on a connection that would stay
   * open gets `Connection: close`, so the client can tell where it ends.
   */
  endHeaders(): Promise<void> {
    if (this.requestVersion === 'HTTP/0.9') return this.flushHeaders();
    const status = this.#status;
    const final = status >= 200;
    const bodiless = this.command === 'HEAD' || status === 204 || status === 205 || status === 304;
    if (final && !bodiless && !this.#framed && !this.closeConnection) {
      this.#headersBuffer += 'Connection: close\r\n';
      this.closeConnection = true;
    }
    this.#headersBuffer += '\r\n';
    const sent = this.flushHeaders();
    if (final) this.wfile.discardBody = bodiless;
    return sent;
  }

  /** Send the queued status line and headers. */
  flushHeaders(): Promise<void> {
    const headers = this.#headersBuffer;
    if (headers === '') return this.wfile.flush();
    this.#headersBuffer = '';
    if (this.#status >= 200) this.#responseStarted = true;
    return this.connection.sendLatin1(headers);
  }

  /** Log an answered request: `"GET / HTTP/1.1" 200 -`. */
  logRequest(code: StatusCode | '-' = '-', size: number | '-' = '-'): void {
    this.logMessage('"%s" %s %s', this.requestline, String(Number(code) || code), String(size));
  }

  /** Log an error; passes to logMessage(). */
  logError(format: string, ...args: unknown[]): void {
    this.logMessage(format, ...args);
  }

  /**
   * Write `127.0.0.1 - - [24/Nov/2026 18:20:33] message` to stderr, control characters escaped.
   * `format` takes Python's %s, %d and %r. Override to log elsewhere (or not at all).
   */
  logMessage(format: string, ...args: unknown[]): void {
    const message = escapeForLog(formatPositional(format, args));
    process.stderr.write(`${this.addressString()} - - [${this.logDateTimeString()}] ${message}\n`);
  }

  /** `serverVersion sysVersion`, the `Server` header. */
  versionString(): string {
    const { serverVersion, sysVersion } = this;
    if (serverVersion !== madeVersion.server || sysVersion !== madeVersion.sys) {
      madeVersion = { server: serverVersion, sys: sysVersion, text: `${serverVersion} ${sysVersion}` };
    }
    return madeVersion.text;
  }

  /** An HTTP date for `timestamp` (seconds since the epoch), or now. */
  dateTimeString(timestamp?: number): string {
    return httpDate(timestamp);
  }

  /** The current local time for the log. */
  logDateTimeString(): string {
    return logDate();
  }

  /** The client's host for the log. */
  addressString(): string {
    return typeof this.clientAddress === 'string' ? this.clientAddress : this.clientAddress[0];
  }

  /**
   * A `do_*` method failed: a timeout or a bad chunked body is answered (or only logged) here;
   * anything else gets a 500 if none of the response went out yet, and is thrown on, to reach
   * the server's handleError(). The connection closes either way.
   */
  async #methodFailed(error: unknown): Promise<void> {
    this.closeConnection = true;
    if (error instanceof TimeoutError) {
      this.logError('Request timed out: %r', error);
      return;
    }
    if (error instanceof BadBodyError) {
      if (!this.#responseStarted) await this.#replaceResponse(400, 'Bad chunked body', error.message);
      return;
    }
    if (!this.#responseStarted && !clientGone(error)) await this.#replaceResponse(500);
    throw error;
  }

  /** Read and drop a small unread body so the connection can be kept; otherwise close it. */
  async #finishBody(): Promise<void> {
    try {
      const done = await this.#withTimeout(this.keepAliveTimeout, () => this.rfile.discard(DRAIN_LIMIT));
      if (!done) this.closeConnection = true;
    } catch {
      this.closeConnection = true;
    }
  }

  /** Wait for the header block; null (the connection to close) if it did not come in time. */
  async #readHeaderBlock(): Promise<Buffer | null> {
    try {
      return await this.#timedRead(this.#headTimeLeft(), () => this.#stream.readBlock(this.maxHeaderBytes + 2));
    } catch (error) {
      if (error instanceof TimeoutError) await this.#sendQuietly(408);
      this.closeConnection = true;
      return null;
    }
  }

  /** Answer a header block that has no blank line: cut short by the client, or too long. */
  async #refuseUnfinishedHead(block: Buffer): Promise<false> {
    this.closeConnection = true;
    if (block.length < this.maxHeaderBytes) {
      // The client closed in the middle of the head: tell it why, rather than drop it.
      await this.#sendQuietly(400, 'Incomplete request head');
    } else if (longestLine(block) > MAX_REQUEST_LINE) {
      await this.sendError(431, 'Line too long', `got more than ${MAX_REQUEST_LINE} bytes when reading header line`);
    } else {
      await this.sendError(431, 'Line too long', `header block over ${this.maxHeaderBytes} bytes`);
    }
    return false;
  }

  async #refuse(error: HeadError): Promise<false> {
    await this.sendError(error.status, error.message, error.explain);
    return false;
  }

  /** Drop what the handler queued of a response that never went out, and send an error instead. */
  async #replaceResponse(code: number, message?: string, explain?: string): Promise<void> {
    this.#headersBuffer = '';
    this.#framed = false;
    await this.#sendQuietly(code, message, explain);
  }

  /** sendError for a client that may already be gone: failures to write are ignored. */
  async #sendQuietly(code: number, message?: string, explain?: string): Promise<void> {
    try {
      await this.sendError(code, message, explain);
    } catch {
      // the client has gone; nothing to report
    }
  }

  #beginRequest(): void {
    this.#status = 0;
    this.#responseStarted = false;
    this.#framed = false;
    this.#headersBuffer = '';
    this.wfile.discardBody = false;
  }

  /**
   * The request line, after the empty lines a client may send before it (RFC 9112 §2.2: a server
   * SHOULD ignore at least one; some clients add a CRLF after a body). Past MAX_REQUEST_LINE bytes
   * of them, the empty line itself is returned, and the connection closes without a response.
   * `first` is a line already taken from the buffer, or null.
   */
  async #readRequestLine(first: Buffer | null): Promise<Buffer> {
    let skipped = 0;
    for (let line = first; ; line = this.#stream.readlineNowait(MAX_REQUEST_LINE + 1)) {
      line ??= await this.#timedRead(this.#headTimeLeft(), () => this.#stream.readline(MAX_REQUEST_LINE + 1));
      if (!isEmptyLine(line) || (skipped += line.length) > MAX_REQUEST_LINE) return line;
    }
  }

  /** `seconds`, or the handler's own `timeout` if that is shorter. */
  #limited(seconds: number): number {
    return this.timeout === null ? seconds : Math.min(seconds, this.timeout);
  }

  /** Seconds left until the request head is due (0 once past: only buffered bytes can answer). */
  #headTimeLeft(): number {
    return Math.max(0, (this.#headDeadline - performance.now()) / 1000);
  }

  /** Start one read with the stream's timeout set to `seconds` (its timer starts with the read). */
  #timedRead<T>(seconds: number, read: () => Promise<T>): Promise<T> {
    return startTimedRead(this.#stream, seconds, read);
  }

  /** Run reads with the stream's timeout set to `seconds` until `read` settles (a drain loops over several). */
  async #withTimeout<T>(seconds: number, read: () => Promise<T>): Promise<T> {
    const saved = this.#stream.timeout;
    this.#stream.timeout = seconds;
    try {
      return await read();
    } finally {
      this.#stream.timeout = saved;
    }
  }
}
