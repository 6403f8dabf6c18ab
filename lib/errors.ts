/**
 * Every error sockserve raises itself. Each carries a stable `code` (`SOCKSERVE_ERR_…`), listed in
 * docs/errors.md, and extends the built-in error type that fits, so `instanceof RangeError` and
 * friends keep working. Errors that come from the operating system (ECONNRESET, EADDRINUSE, …)
 * are passed on as Node raised them, with their own `code`.
 */

/** The codes, one per kind of failure. A spec checks that docs/errors.md lists each of them. */
export const ErrorCodes = {
  /** A read on a socket waited longer than the handler's `timeout` (seconds). */
  TIMEOUT: 'SOCKSERVE_ERR_TIMEOUT',
  /** A read or write on a stream that was already closed, locally or by the peer. */
  SOCKET_CLOSED: 'SOCKSERVE_ERR_SOCKET_CLOSED',
  /** A server address that does not fit the server's address family. */
  INVALID_ADDRESS: 'SOCKSERVE_ERR_INVALID_ADDRESS',
  /** An argument outside its range, such as a negative poll interval. */
  INVALID_ARGUMENT: 'SOCKSERVE_ERR_INVALID_ARGUMENT',
  /** A server used after serverClose(). */
  SERVER_CLOSED: 'SOCKSERVE_ERR_SERVER_CLOSED',
  /** A response header or status line with CR, LF, other control characters or non-Latin-1 text. */
  INVALID_HEADER: 'SOCKSERVE_ERR_INVALID_HEADER',
  /** A request body whose chunked framing is broken; the client gets 400 and the connection closes. */
  BAD_BODY: 'SOCKSERVE_ERR_BAD_BODY',
  /** A feature this Node.js cannot provide, such as SO_REUSEPORT before Node 22.12. */
  UNSUPPORTED: 'SOCKSERVE_ERR_UNSUPPORTED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Python's builtin TimeoutError, raised when a socket read waits past its timeout. */
export class TimeoutError extends Error {
  /** Always ErrorCodes.TIMEOUT. */
  readonly code = ErrorCodes.TIMEOUT;
  constructor(message = 'timed out') {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** Raised by reads and writes on a stream that is closed (Python raises ValueError or OSError). */
export class SocketClosedError extends Error {
  /** Always ErrorCodes.SOCKET_CLOSED. */
  readonly code = ErrorCodes.SOCKET_CLOSED;
  constructor(message = 'the socket is closed') {
    super(message);
    this.name = 'SocketClosedError';
  }
}

/** Raised when a closed server is asked to serve. */
export class ServerStateError extends Error {
  /** Always ErrorCodes.SERVER_CLOSED. */
  readonly code = ErrorCodes.SERVER_CLOSED;
  constructor(message: string) {
    super(message);
    this.name = 'ServerStateError';
  }
}

/** Raised by a request body reader when the client's chunked framing is broken. */
export class BadBodyError extends Error {
  /** Always ErrorCodes.BAD_BODY. */
  readonly code = ErrorCodes.BAD_BODY;
  constructor(message: string) {
    super(message);
    this.name = 'BadBodyError';
  }
}

/** A `TypeError` carrying a sockserve code: a value of the wrong kind. */
export function typeError(code: ErrorCode, message: string): TypeError & { code: ErrorCode } {
  return Object.assign(new TypeError(message), { code });
}

/** A `RangeError` carrying a sockserve code: a value out of range. */
export function rangeError(code: ErrorCode, message: string): RangeError & { code: ErrorCode } {
  return Object.assign(new RangeError(message), { code });
}

/** An `Error` for something this runtime cannot do. */
export function unsupported(message: string): Error & { code: ErrorCode } {
  return Object.assign(new Error(message), { code: ErrorCodes.UNSUPPORTED });
}
