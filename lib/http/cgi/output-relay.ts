/**
 * A script's stdout turned into an HTTP response. The header block is read and checked before a
 * byte is sent; a body that ends soon is sent with Content-Length in one write together with the
 * head; a longer or slower one is streamed, chunked on a keep-alive HTTP/1.1 connection or up to
 * the connection's close otherwise. The script is read only as fast as the client takes the bytes.
 * `nph-` scripts are copied through untouched.
 */
import { isHeadProblem, isLocalPath, parseScriptHead, type ScriptHead } from './script-head';
import type { ScriptOutput } from './script-output';

/** Body bytes held back, hoping the output ends and can go with a Content-Length. */
const BODY_BUFFER_BYTES = 256 * 1024;
/** Milliseconds the body may take to end before the head is sent and the body streamed. */
const BODY_WAIT_MS = 100;
const CRLF = Buffer.from('\r\n', 'latin1');
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
const NPH_STATUS = /^HTTP\/\d\.\d (\d{3})/;

/** Statuses whose responses never have a body (RFC 9110 §6.4.1). */
function hasNoBody(status: number): boolean {
  return status === 204 || status === 205 || status === 304;
}

/** The parts of the HTTP handler a relay writes through. */
export interface ResponseTarget {
  readonly command: string | null;
  readonly requestVersion: string;
  closeConnection: boolean;
  sendResponse(code: number, message?: string): void;
  sendHeader(keyword: string, value: string | number): void;
  endHeaders(): Promise<void>;
  readonly wfile: { write(data: string | Uint8Array): Promise<void> };
  logRequest(code?: number | '-', size?: number | '-'): void;
}

/** How the relay ended. */
export type RelayEnd =
  /** The whole response went out. */
  | { readonly kind: 'sent' }
  /** The script asked for an internal redirect to `location` (nothing was sent). */
  | { readonly kind: 'redirect'; readonly location: string }
  /** The output was not a valid CGI response (nothing was sent). */
  | { readonly kind: 'invalid'; readonly reason: string }
  /** The head went out but the body cannot be completed: the connection must close. */
  | { readonly kind: 'cut'; readonly reason: string }
  /** Writing to the client failed: it has gone. */
  | { readonly kind: 'client-gone' }
  /** stop() was called. */
  | { readonly kind: 'stopped' };

type State = 'head' | 'buffer' | 'stream' | 'discard' | 'raw' | 'over';
type Framing = 'length' | 'chunked' | 'close' | 'none';

/**
 * Reads `stdout` from construction on. `ended` resolves once the response is complete (or cannot
 * be); `headSent` says whether anything reached the client. `onActivity` is called for every
 * chunk the script writes.
 */
export class OutputRelay {
  readonly ended: Promise<RelayEnd>;
  readonly #stdout: ScriptOutput;
  readonly #target: ResponseTarget;
  readonly #onActivity: () => void;
  #state: State;
  #resolve!: (end: RelayEnd) => void;
  /** Output held: the head while it is incomplete, then the body while it is buffered. */
  #held: Buffer[] = [];
  #heldBytes = 0;
  #head: ScriptHead | null = null;
  #headSent = false;
  #framing: Framing = 'none';
  /** Body bytes the client still gets under a declared Content-Length. */
  #lengthLeft = 0;
  #bodyTimer: NodeJS.Timeout | null = null;
  #bodyWaitOver = false;
  /** A write the client has not taken yet; the script is paused meanwhile. */
  #writing: Promise<void> | null = null;
  #eof = false;

  constructor(stdout: ScriptOutput, target: ResponseTarget, nph: boolean, onActivity: () => void) {
    this.#stdout = stdout;
    this.#target = target;
    this.#onActivity = onActivity;
    this.#state = nph ? 'raw' : 'head';
    this.ended = new Promise<RelayEnd>((resolve) => {
      this.#resolve = resolve;
    });
    if (nph) target.closeConnection = true;
    stdout.read(this.#onData, this.#onEnd);
  }

  /** True once anything of the response has been handed to the client's socket. */
  get headSent(): boolean {
    return this.#headSent;
  }

  /** Stop reading the script and writing to the client; `ended` resolves with 'stopped' unless it already has. */
  stop(): void {
    this.#finish({ kind: 'stopped' });
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#onActivity();
    switch (this.#state) {
      case 'head':
        this.#hold(chunk);
        this.#readHead();
        return;
      case 'buffer':
        this.#hold(chunk);
        if (this.#heldBytes > BODY_BUFFER_BYTES || this.#bodyWaitOver) this.#startStreaming();
        return;
      case 'stream':
        this.#sendBody(chunk);
        return;
      case 'raw':
        this.#sendRaw(chunk);
        return;
      case 'discard':
      case 'over':
        return;
    }
  };

  readonly #onEnd = (): void => {
    this.#eof = true;
    switch (this.#state) {
      case 'head':
        this.#finish({
          kind: 'invalid',
          reason: this.#heldBytes === 0 ? 'no output' : 'output ended inside its header block',
        });
        return;
      case 'buffer':
        this.#sendWhole();
        return;
      case 'discard':
        this.#finish({ kind: 'redirect', location: this.#head?.location ?? '/' });
        return;
      case 'stream':
      case 'raw':
        if (this.#writing === null) this.#endBody();
        return;
      case 'over':
        return;
    }
  };

  #hold(chunk: Buffer): void {
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
  }

  #takeHeld(): Buffer {
    const held = this.#held.length === 1 ? (this.#held[0] as Buffer) : Buffer.concat(this.#held, this.#heldBytes);
    this.#held = [];
    this.#heldBytes = 0;
    return held;
  }

  #readHead(): void {
    const output = this.#takeHeld();
    const head = parseScriptHead(output);
    if (isHeadProblem(head)) {
      if ('invalid' in head) this.#finish({ kind: 'invalid', reason: head.invalid });
      else this.#hold(output);
      return;
    }
    this.#head = head;
    if (head.location !== null && head.status === 200 && isLocalPath(head.location)) {
      // RFC 3875 §6.2.2: the server answers as if the client had asked for that path; the body is dropped.
      this.#state = 'discard';
      return;
    }
    this.#state = 'buffer';
    if (output.length > head.bodyStart) this.#hold(output.subarray(head.bodyStart));
    this.#bodyTimer = setTimeout(() => {
      this.#bodyTimer = null;
      this.#bodyWaitOver = true;
      if (this.#heldBytes > 0) this.#startStreaming();
    }, BODY_WAIT_MS);
    if (this.#heldBytes > BODY_BUFFER_BYTES) this.#startStreaming();
  }

  /** True when this response has no body on the wire whatever the script printed. */
  #bodiless(head: ScriptHead): boolean {
    return this.#target.command === 'HEAD' || hasNoBody(head.status);
  }

  /** The script's output ended while the body was held: send everything, with a Content-Length. */
  #sendWhole(): void {
    const head = this.#head as ScriptHead;
    let body = this.#takeHeld();
    if (head.contentLength !== null && body.length < head.contentLength) {
      this.#finish({ kind: 'invalid', reason: `output shorter than its Content-Length (${head.contentLength})` });
      return;
    }
    if (head.contentLength !== null) body = body.subarray(0, head.contentLength);
    if (!this.#sendHead(head, body.length, 'length')) return;
    const sent = this.#target.endHeaders();
    const written = body.length > 0 && !this.#bodiless(head) ? this.#target.wfile.write(body) : sent;
    Promise.all([sent, written]).then(
      () => this.#finish({ kind: 'sent' }),
      () => this.#finish({ kind: 'client-gone' }),
    );
  }

  /** The body is long or slow: send the head now and the body as it comes. */
  #startStreaming(): void {
    const head = this.#head as ScriptHead;
    const framing: Framing =
      head.contentLength !== null
        ? 'length'
        : !this.#target.closeConnection && this.#target.requestVersion >= 'HTTP/1.1'
          ? 'chunked'
          : 'close';
    if (!this.#sendHead(head, head.contentLength, framing)) return;
    this.#state = 'stream';
    this.#lengthLeft = head.contentLength ?? 0;
    this.#watchWrite(this.#target.endHeaders());
    const held = this.#takeHeld();
    if (held.length > 0) this.#sendBody(held);
  }

  /**
   * Queue the status line and headers: the script's fields, then the framing. Returns false (and
   * finishes as invalid) when a field cannot be sent or a body has no Content-Type.
   */
  #sendHead(head: ScriptHead, bodyLength: number | null, framing: Framing): boolean {
    if (this.#bodyTimer !== null) clearTimeout(this.#bodyTimer);
    this.#bodyTimer = null;
    const neverBody = hasNoBody(head.status);
    if (!head.hasContentType && !neverBody && (bodyLength === null || bodyLength > 0)) {
      this.#finish({ kind: 'invalid', reason: 'a body without a Content-Type header' });
      return false;
    }
    const target = this.#target;
    try {
      target.sendResponse(head.status, head.reason ?? undefined);
      for (const [name, value] of head.fields) target.sendHeader(name, value);
    } catch (error) {
      // parseScriptHead() checks what sendHeader() checks; if they ever part, this is a 502, not a crash
      this.#finish({ kind: 'invalid', reason: (error as Error).message });
      return false;
    }
    this.#headSent = true;
    const bodiless = this.#bodiless(head);
    if (neverBody) {
      this.#framing = 'none';
    } else if (framing === 'length' && bodyLength !== null) {
      target.sendHeader('Content-Length', bodyLength);
      this.#framing = bodiless ? 'none' : 'length';
    } else if (bodiless) {
      this.#framing = 'none';
    } else if (framing === 'chunked') {
      target.sendHeader('Transfer-Encoding', 'chunked');
      this.#framing = 'chunked';
    } else {
      target.sendHeader('Connection', 'close');
      this.#framing = 'close';
    }
    return true;
  }

  /** Send a piece of the body in the chosen framing. */
  #sendBody(chunk: Buffer): void {
    let data = chunk;
    switch (this.#framing) {
      case 'none':
        return;
      case 'length':
        if (this.#lengthLeft === 0) return;
        if (data.length > this.#lengthLeft) data = data.subarray(0, this.#lengthLeft);
        this.#lengthLeft -= data.length;
        break;
      case 'chunked':
        data = Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`, 'latin1'), data, CRLF]);
        break;
      case 'close':
        break;
    }
    this.#watchWrite(this.#target.wfile.write(data));
  }

  #sendRaw(chunk: Buffer): void {
    if (!this.#headSent) {
      this.#headSent = true;
      const status = NPH_STATUS.exec(chunk.toString('latin1', 0, 16));
      this.#target.logRequest(status === null ? '-' : Number(status[1]));
    }
    this.#watchWrite(this.#target.wfile.write(chunk));
  }

  /** Pause the script until the client has taken `write`; at the end of the output, finish. */
  #watchWrite(write: Promise<void>): void {
    const pending = write.then(
      () => {
        if (this.#writing !== pending) return;
        this.#writing = null;
        if (this.#eof) this.#endBody();
        else if (this.#state !== 'over') this.#stdout.resume();
      },
      () => this.#finish({ kind: 'client-gone' }),
    );
    this.#writing = pending;
    this.#stdout.pause();
  }

  /** The output ended while streaming: close the framing. */
  #endBody(): void {
    if (this.#state === 'over') return;
    if (this.#state === 'raw' && !this.#headSent) {
      this.#finish({ kind: 'invalid', reason: 'no output' });
      return;
    }
    if (this.#framing === 'length' && this.#lengthLeft > 0) {
      this.#target.closeConnection = true;
      this.#finish({ kind: 'cut', reason: `output shorter than its Content-Length (${this.#head?.contentLength})` });
      return;
    }
    if (this.#framing !== 'chunked') {
      this.#finish({ kind: 'sent' });
      return;
    }
    this.#target.wfile.write(LAST_CHUNK).then(
      () => this.#finish({ kind: 'sent' }),
      () => this.#finish({ kind: 'client-gone' }),
    );
  }

  #finish(end: RelayEnd): void {
    if (this.#state === 'over') return;
    this.#state = 'over';
    if (this.#bodyTimer !== null) clearTimeout(this.#bodyTimer);
    this.#bodyTimer = null;
    this.#held = [];
    if (end.kind !== 'sent' && end.kind !== 'redirect' && this.#headSent) this.#target.closeConnection = true;
    this.#resolve(end);
  }
}
