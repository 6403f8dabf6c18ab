/**
 * HTTPStatus: Python 3.14's http.HTTPStatus, every code with its phrase and description.
 */

/** One status: `value` (the number), `phrase` (the reason phrase), `description` (a sentence). */
export class HTTPStatusInfo {
  constructor(
    /** Python's member name, e.g. 'NOT_FOUND'. */
    readonly name: string,
    /** The status code, e.g. 404. */
    readonly value: number,
    /** The reason phrase, e.g. 'Not Found'. */
    readonly phrase: string,
    /** Python's longer explanation, e.g. 'Nothing matches the given URI' ('' where Python has none). */
    readonly description: string,
  ) {}

  /** The number, so a status can stand where a code is expected (`${HTTPStatus.OK}` is '200'). */
  valueOf(): number {
    return this.value;
  }

  /** The code as text, e.g. '404' (Python's `str(status.value)`). */
  toString(): string {
    return String(this.value);
  }
}

function status(name: string, value: number, phrase: string, description = ''): HTTPStatusInfo {
  return new HTTPStatusInfo(name, value, phrase, description);
}

/**
 * The statuses by name, as Python spells them: `HTTPStatus.NOT_FOUND.value === 404`,
 * `.phrase === 'Not Found'`. Python's old names for 413, 414, 416 and 422 are kept as aliases.
 * Every method that takes a status code takes one of these or a plain number.
 */
export const HTTPStatus = Object.freeze({
  /** 100 Continue */
  CONTINUE: status('CONTINUE', 100, 'Continue', 'Request received, please continue'),
  /** 101 Switching Protocols */
  SWITCHING_PROTOCOLS: status(
    'SWITCHING_PROTOCOLS',
    101,
    'Switching Protocols',
    'Switching to new protocol; obey Upgrade header',
  ),
  /** 102 Processing */
  PROCESSING: status('PROCESSING', 102, 'Processing'),
  /** 103 Early Hints */
  EARLY_HINTS: status('EARLY_HINTS', 103, 'Early Hints'),
  /** 200 OK */
  OK: status('OK', 200, 'OK', 'Request fulfilled, document follows'),
  /** 201 Created */
  CREATED: status('CREATED', 201, 'Created', 'Document created, URL follows'),
  /** 202 Accepted */
  ACCEPTED: status('ACCEPTED', 202, 'Accepted', 'Request accepted, processing continues off-line'),
  /** 203 Non-Authoritative Information */
  NON_AUTHORITATIVE_INFORMATION: status(
    'NON_AUTHORITATIVE_INFORMATION',
    203,
    'Non-Authoritative Information',
    'Request fulfilled from cache',
  ),
  /** 204 No Content */
  NO_CONTENT: status('NO_CONTENT', 204, 'No Content', 'Request fulfilled, nothing follows'),
  /** 205 Reset Content */
  RESET_CONTENT: status('RESET_CONTENT', 205, 'Reset Content', 'Clear input form for further input'),
  /** 206 Partial Content */
  PARTIAL_CONTENT: status('PARTIAL_CONTENT', 206, 'Partial Content', 'Partial content follows'),
  /** 207 Multi-Status */
  MULTI_STATUS: status('MULTI_STATUS', 207, 'Multi-Status'),
  /** 208 Already Reported */
  ALREADY_REPORTED: status('ALREADY_REPORTED', 208, 'Already Reported'),
  /** 226 IM Used */
  IM_USED: status('IM_USED', 226, 'IM Used'),
  /** 300 Multiple Choices */
  MULTIPLE_CHOICES: status('MULTIPLE_CHOICES', 300, 'Multiple Choices', 'Object has several resources -- see URI list'),
  /** 301 Moved Permanently */
  MOVED_PERMANENTLY: status('MOVED_PERMANENTLY', 301, 'Moved Permanently', 'Object moved permanently -- see URI list'),
  /** 302 Found */
  FOUND: status('FOUND', 302, 'Found', 'Object moved temporarily -- see URI list'),
  /** 303 See Other */
  SEE_OTHER: status('SEE_OTHER', 303, 'See Other', 'Object moved -- see Method and URL list'),
  /** 304 Not Modified */
  NOT_MODIFIED: status('NOT_MODIFIED', 304, 'Not Modified', 'Document has not changed since given time'),
  /** 305 Use Proxy */
  USE_PROXY: status('USE_PROXY', 305, 'Use Proxy', 'You must use proxy specified in Location to access this resource'),
  /** 307 Temporary Redirect */
  TEMPORARY_REDIRECT: status(
    'TEMPORARY_REDIRECT',
    307,
    'Temporary Redirect',
    'Object moved temporarily -- see URI list',
  ),
  /** 308 Permanent Redirect */
  PERMANENT_REDIRECT: status(
    'PERMANENT_REDIRECT',
    308,
    'Permanent Redirect',
    'Object moved permanently -- see URI list',
  ),
  /** 400 Bad Request */
  BAD_REQUEST: status('BAD_REQUEST', 400, 'Bad Request', 'Bad request syntax or unsupported method'),
  /** 401 Unauthorized */
  UNAUTHORIZED: status('UNAUTHORIZED', 401, 'Unauthorized', 'No permission -- see authorization schemes'),
  /** 402 Payment Required */
  PAYMENT_REQUIRED: status('PAYMENT_REQUIRED', 402, 'Payment Required', 'No payment -- see charging schemes'),
  /** 403 Forbidden */
  FORBIDDEN: status('FORBIDDEN', 403, 'Forbidden', 'Request forbidden -- authorization will not help'),
  /** 404 Not Found */
  NOT_FOUND: status('NOT_FOUND', 404, 'Not Found', 'Nothing matches the given URI'),
  /** 405 Method Not Allowed */
  METHOD_NOT_ALLOWED: status(
    'METHOD_NOT_ALLOWED',
    405,
    'Method Not Allowed',
    'Specified method is invalid for this resource',
  ),
  /** 406 Not Acceptable */
  NOT_ACCEPTABLE: status('NOT_ACCEPTABLE', 406, 'Not Acceptable', 'URI not available in preferred format'),
  /** 407 Proxy Authentication Required */
  PROXY_AUTHENTICATION_REQUIRED: status(
    'PROXY_AUTHENTICATION_REQUIRED',
    407,
    'Proxy Authentication Required',
    'You must authenticate with this proxy before proceeding',
  ),
  /** 408 Request Timeout */
  REQUEST_TIMEOUT: status('REQUEST_TIMEOUT', 408, 'Request Timeout', 'Request timed out; try again later'),
  /** 409 Conflict */
  CONFLICT: status('CONFLICT', 409, 'Conflict', 'Request conflict'),
  /** 410 Gone */
  GONE: status('GONE', 410, 'Gone', 'URI no longer exists and has been permanently removed'),
  /** 411 Length Required */
  LENGTH_REQUIRED: status('LENGTH_REQUIRED', 411, 'Length Required', 'Client must specify Content-Length'),
  /** 412 Precondition Failed */
  PRECONDITION_FAILED: status('PRECONDITION_FAILED', 412, 'Precondition Failed', 'Precondition in headers is false'),
  /** 413 Content Too Large */
  CONTENT_TOO_LARGE: status('CONTENT_TOO_LARGE', 413, 'Content Too Large', 'Content is too large'),
  /** 414 URI Too Long */
  URI_TOO_LONG: status('URI_TOO_LONG', 414, 'URI Too Long', 'URI is too long'),
  /** 415 Unsupported Media Type */
  UNSUPPORTED_MEDIA_TYPE: status(
    'UNSUPPORTED_MEDIA_TYPE',
    415,
    'Unsupported Media Type',
    'Entity body in unsupported format',
  ),
  /** 416 Range Not Satisfiable */
  RANGE_NOT_SATISFIABLE: status('RANGE_NOT_SATISFIABLE', 416, 'Range Not Satisfiable', 'Cannot satisfy request range'),
  /** 417 Expectation Failed */
  EXPECTATION_FAILED: status(
    'EXPECTATION_FAILED',
    417,
    'Expectation Failed',
    'Expect condition could not be satisfied',
  ),
  /** 418 I'm a Teapot */
  IM_A_TEAPOT: status('IM_A_TEAPOT', 418, "I'm a Teapot", 'Server refuses to brew coffee because it is a teapot.'),
  /** 421 Misdirected Request */
  MISDIRECTED_REQUEST: status(
    'MISDIRECTED_REQUEST',
    421,
    'Misdirected Request',
    'Server is not able to produce a response',
  ),
  /** 422 Unprocessable Content */
  UNPROCESSABLE_CONTENT: status('UNPROCESSABLE_CONTENT', 422, 'Unprocessable Content'),
  /** 423 Locked */
  LOCKED: status('LOCKED', 423, 'Locked'),
  /** 424 Failed Dependency */
  FAILED_DEPENDENCY: status('FAILED_DEPENDENCY', 424, 'Failed Dependency'),
  /** 425 Too Early */
  TOO_EARLY: status('TOO_EARLY', 425, 'Too Early'),
  /** 426 Upgrade Required */
  UPGRADE_REQUIRED: status('UPGRADE_REQUIRED', 426, 'Upgrade Required'),
  /** 428 Precondition Required */
  PRECONDITION_REQUIRED: status(
    'PRECONDITION_REQUIRED',
    428,
    'Precondition Required',
    'The origin server requires the request to be conditional',
  ),
  /** 429 Too Many Requests */
  TOO_MANY_REQUESTS: status(
    'TOO_MANY_REQUESTS',
    429,
    'Too Many Requests',
    'The user has sent too many requests in a given amount of time ("rate limiting")',
  ),
  /** 431 Request Header Fields Too Large */
  REQUEST_HEADER_FIELDS_TOO_LARGE: status(
    'REQUEST_HEADER_FIELDS_TOO_LARGE',
    431,
    'Request Header Fields Too Large',
    'The server is unwilling to process the request because its header fields are too large',
  ),
  /** 451 Unavailable For Legal Reasons */
  UNAVAILABLE_FOR_LEGAL_REASONS: status(
    'UNAVAILABLE_FOR_LEGAL_REASONS',
    451,
    'Unavailable For Legal Reasons',
    'The server is denying access to the resource as a consequence of a legal demand',
  ),
  /** 500 Internal Server Error */
  INTERNAL_SERVER_ERROR: status('INTERNAL_SERVER_ERROR', 500, 'Internal Server Error', 'Server got itself in trouble'),
  /** 501 Not Implemented */
  NOT_IMPLEMENTED: status('NOT_IMPLEMENTED', 501, 'Not Implemented', 'Server does not support this operation'),
  /** 502 Bad Gateway */
  BAD_GATEWAY: status('BAD_GATEWAY', 502, 'Bad Gateway', 'Invalid responses from another server/proxy'),
  /** 503 Service Unavailable */
  SERVICE_UNAVAILABLE: status(
    'SERVICE_UNAVAILABLE',
    503,
    'Service Unavailable',
    'The server cannot process the request due to a high load',
  ),
  /** 504 Gateway Timeout */
  GATEWAY_TIMEOUT: status(
    'GATEWAY_TIMEOUT',
    504,
    'Gateway Timeout',
    'The gateway server did not receive a timely response',
  ),
  /** 505 HTTP Version Not Supported */
  HTTP_VERSION_NOT_SUPPORTED: status(
    'HTTP_VERSION_NOT_SUPPORTED',
    505,
    'HTTP Version Not Supported',
    'Cannot fulfill request',
  ),
  /** 506 Variant Also Negotiates */
  VARIANT_ALSO_NEGOTIATES: status('VARIANT_ALSO_NEGOTIATES', 506, 'Variant Also Negotiates'),
  /** 507 Insufficient Storage */
  INSUFFICIENT_STORAGE: status('INSUFFICIENT_STORAGE', 507, 'Insufficient Storage'),
  /** 508 Loop Detected */
  LOOP_DETECTED: status('LOOP_DETECTED', 508, 'Loop Detected'),
  /** 510 Not Extended */
  NOT_EXTENDED: status('NOT_EXTENDED', 510, 'Not Extended'),
  /** 511 Network Authentication Required */
  NETWORK_AUTHENTICATION_REQUIRED: status(
    'NETWORK_AUTHENTICATION_REQUIRED',
    511,
    'Network Authentication Required',
    'The client needs to authenticate to gain network access',
  ),
});

/** Python's old names, kept as aliases of the same objects. */
export const HTTPStatusAliases = Object.freeze({
  /** 413, the same object as HTTPStatus.CONTENT_TOO_LARGE */
  REQUEST_ENTITY_TOO_LARGE: HTTPStatus.CONTENT_TOO_LARGE,
  /** 414, the same object as HTTPStatus.URI_TOO_LONG */
  REQUEST_URI_TOO_LONG: HTTPStatus.URI_TOO_LONG,
  /** 416, the same object as HTTPStatus.RANGE_NOT_SATISFIABLE */
  REQUESTED_RANGE_NOT_SATISFIABLE: HTTPStatus.RANGE_NOT_SATISFIABLE,
  /** 422, the same object as HTTPStatus.UNPROCESSABLE_CONTENT */
  UNPROCESSABLE_ENTITY: HTTPStatus.UNPROCESSABLE_CONTENT,
});

/** A status code as the methods take it: a number or an HTTPStatusInfo. */
export type StatusCode = number | HTTPStatusInfo;

const byValue = new Map<number, HTTPStatusInfo>(Object.values(HTTPStatus).map((info) => [info.value, info]));

/** The HTTPStatusInfo for `code`, or undefined for a code Python does not name (`HTTPStatus(code)`). */
export function lookupStatus(code: number): HTTPStatusInfo | undefined {
  return byValue.get(code);
}

/** Python's `BaseHTTPRequestHandler.responses`: code → [phrase, description]. */
export const responses: Readonly<Record<number, readonly [string, string]>> = Object.freeze(
  Object.fromEntries([...byValue.values()].map((info) => [info.value, [info.phrase, info.description] as const])),
);
