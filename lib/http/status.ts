/**
 * HTTPStatus: Python 3.14's http.HTTPStatus, every code with its phrase and description.
 */

/** One status: `value` (the number), `phrase` (the reason phrase), `description` (a sentence). */
export class HTTPStatusInfo {
  constructor(
    readonly name: string,
    readonly value: number,
    readonly phrase: string,
    readonly description: string,
  ) {}

  /** The number, so a status can stand where a code is expected (`${HTTPStatus.OK}` is '200'). */
  valueOf(): number {
    return this.value;
  }

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
  CONTINUE: status('CONTINUE', 100, 'Continue', 'Request received, please continue'),
  SWITCHING_PROTOCOLS: status(
    'SWITCHING_PROTOCOLS',
    101,
    'Switching Protocols',
    'Switching to new protocol; obey Upgrade header',
  ),
  PROCESSING: status('PROCESSING', 102, 'Processing'),
  EARLY_HINTS: status('EARLY_HINTS', 103, 'Early Hints'),
  OK: status('OK', 200, 'OK', 'Request fulfilled, document follows'),
  CREATED: status('CREATED', 201, 'Created', 'Document created, URL follows'),
  ACCEPTED: status('ACCEPTED', 202, 'Accepted', 'Request accepted, processing continues off-line'),
  NON_AUTHORITATIVE_INFORMATION: status(
    'NON_AUTHORITATIVE_INFORMATION',
    203,
    'Non-Authoritative Information',
    'Request fulfilled from cache',
  ),
  NO_CONTENT: status('NO_CONTENT', 204, 'No Content', 'Request fulfilled, nothing follows'),
  RESET_CONTENT: status('RESET_CONTENT', 205, 'Reset Content', 'Clear input form for further input'),
  PARTIAL_CONTENT: status('PARTIAL_CONTENT', 206, 'Partial Content', 'Partial content follows'),
  MULTI_STATUS: status('MULTI_STATUS', 207, 'Multi-Status'),
  ALREADY_REPORTED: status('ALREADY_REPORTED', 208, 'Already Reported'),
  IM_USED: status('IM_USED', 226, 'IM Used'),
  MULTIPLE_CHOICES: status('MULTIPLE_CHOICES', 300, 'Multiple Choices', 'Object has several resources -- see URI list'),
  MOVED_PERMANENTLY: status('MOVED_PERMANENTLY', 301, 'Moved Permanently', 'Object moved permanently -- see URI list'),
  FOUND: status('FOUND', 302, 'Found', 'Object moved temporarily -- see URI list'),
  SEE_OTHER: status('SEE_OTHER', 303, 'See Other', 'Object moved -- see Method and URL list'),
  NOT_MODIFIED: status('NOT_MODIFIED', 304, 'Not Modified', 'Document has not changed since given time'),
  USE_PROXY: status('USE_PROXY', 305, 'Use Proxy', 'You must use proxy specified in Location to access this resource'),
  TEMPORARY_REDIRECT: status(
    'TEMPORARY_REDIRECT',
    307,
    'Temporary Redirect',
    'Object moved temporarily -- see URI list',
  ),
  PERMANENT_REDIRECT: status(
    'PERMANENT_REDIRECT',
    308,
    'Permanent Redirect',
    'Object moved permanently -- see URI list',
  ),
  BAD_REQUEST: status('BAD_REQUEST', 400, 'Bad Request', 'Bad request syntax or unsupported method'),
  UNAUTHORIZED: status('UNAUTHORIZED', 401, 'Unauthorized', 'No permission -- see authorization schemes'),
  PAYMENT_REQUIRED: status('PAYMENT_REQUIRED', 402, 'Payment Required', 'No payment -- see charging schemes'),
  FORBIDDEN: status('FORBIDDEN', 403, 'Forbidden', 'Request forbidden -- authorization will not help'),
  NOT_FOUND: status('NOT_FOUND', 404, 'Not Found', 'Nothing matches the given URI'),
  METHOD_NOT_ALLOWED: status(
    'METHOD_NOT_ALLOWED',
    405,
    'Method Not Allowed',
    'Specified method is invalid for this resource',
  ),
  NOT_ACCEPTABLE: status('NOT_ACCEPTABLE', 406, 'Not Acceptable', 'URI not available in preferred format'),
  PROXY_AUTHENTICATION_REQUIRED: status(
    'PROXY_AUTHENTICATION_REQUIRED',
    407,
    'Proxy Authentication Required',
    'You must authenticate with this proxy before proceeding',
  ),
  REQUEST_TIMEOUT: status('REQUEST_TIMEOUT', 408, 'Request Timeout', 'Request timed out; try again later'),
  CONFLICT: status('CONFLICT', 409, 'Conflict', 'Request conflict'),
  GONE: status('GONE', 410, 'Gone', 'URI no longer exists and has been permanently removed'),
  LENGTH_REQUIRED: status('LENGTH_REQUIRED', 411, 'Length Required', 'Client must specify Content-Length'),
  PRECONDITION_FAILED: status('PRECONDITION_FAILED', 412, 'Precondition Failed', 'Precondition in headers is false'),
  CONTENT_TOO_LARGE: status('CONTENT_TOO_LARGE', 413, 'Content Too Large', 'Content is too large'),
  URI_TOO_LONG: status('URI_TOO_LONG', 414, 'URI Too Long', 'URI is too long'),
  UNSUPPORTED_MEDIA_TYPE: status(
    'UNSUPPORTED_MEDIA_TYPE',
    415,
    'Unsupported Media Type',
    'Entity body in unsupported format',
  ),
  RANGE_NOT_SATISFIABLE: status('RANGE_NOT_SATISFIABLE', 416, 'Range Not Satisfiable', 'Cannot satisfy request range'),
  EXPECTATION_FAILED: status(
    'EXPECTATION_FAILED',
    417,
    'Expectation Failed',
    'Expect condition could not be satisfied',
  ),
  IM_A_TEAPOT: status('IM_A_TEAPOT', 418, "I'm a Teapot", 'Server refuses to brew coffee because it is a teapot.'),
  MISDIRECTED_REQUEST: status(
    'MISDIRECTED_REQUEST',
    421,
    'Misdirected Request',
    'Server is not able to produce a response',
  ),
  UNPROCESSABLE_CONTENT: status('UNPROCESSABLE_CONTENT', 422, 'Unprocessable Content'),
  LOCKED: status('LOCKED', 423, 'Locked'),
  FAILED_DEPENDENCY: status('FAILED_DEPENDENCY', 424, 'Failed Dependency'),
  TOO_EARLY: status('TOO_EARLY', 425, 'Too Early'),
  UPGRADE_REQUIRED: status('UPGRADE_REQUIRED', 426, 'Upgrade Required'),
  PRECONDITION_REQUIRED: status(
    'PRECONDITION_REQUIRED',
    428,
    'Precondition Required',
    'The origin server requires the request to be conditional',
  ),
  TOO_MANY_REQUESTS: status(
    'TOO_MANY_REQUESTS',
    429,
    'Too Many Requests',
    'The user has sent too many requests in a given amount of time ("rate limiting")',
  ),
  REQUEST_HEADER_FIELDS_TOO_LARGE: status(
    'REQUEST_HEADER_FIELDS_TOO_LARGE',
    431,
    'Request Header Fields Too Large',
    'The server is unwilling to process the request because its header fields are too large',
  ),
  UNAVAILABLE_FOR_LEGAL_REASONS: status(
    'UNAVAILABLE_FOR_LEGAL_REASONS',
    451,
    'Unavailable For Legal Reasons',
    'The server is denying access to the resource as a consequence of a legal demand',
  ),
  INTERNAL_SERVER_ERROR: status('INTERNAL_SERVER_ERROR', 500, 'Internal Server Error', 'Server got itself in trouble'),
  NOT_IMPLEMENTED: status('NOT_IMPLEMENTED', 501, 'Not Implemented', 'Server does not support this operation'),
  BAD_GATEWAY: status('BAD_GATEWAY', 502, 'Bad Gateway', 'Invalid responses from another server/proxy'),
  SERVICE_UNAVAILABLE: status(
    'SERVICE_UNAVAILABLE',
    503,
    'Service Unavailable',
    'The server cannot process the request due to a high load',
  ),
  GATEWAY_TIMEOUT: status(
    'GATEWAY_TIMEOUT',
    504,
    'Gateway Timeout',
    'The gateway server did not receive a timely response',
  ),
  HTTP_VERSION_NOT_SUPPORTED: status(
    'HTTP_VERSION_NOT_SUPPORTED',
    505,
    'HTTP Version Not Supported',
    'Cannot fulfill request',
  ),
  VARIANT_ALSO_NEGOTIATES: status('VARIANT_ALSO_NEGOTIATES', 506, 'Variant Also Negotiates'),
  INSUFFICIENT_STORAGE: status('INSUFFICIENT_STORAGE', 507, 'Insufficient Storage'),
  LOOP_DETECTED: status('LOOP_DETECTED', 508, 'Loop Detected'),
  NOT_EXTENDED: status('NOT_EXTENDED', 510, 'Not Extended'),
  NETWORK_AUTHENTICATION_REQUIRED: status(
    'NETWORK_AUTHENTICATION_REQUIRED',
    511,
    'Network Authentication Required',
    'The client needs to authenticate to gain network access',
  ),
});

/** Python's old names, kept as aliases of the same objects. */
export const HTTPStatusAliases = Object.freeze({
  REQUEST_ENTITY_TOO_LARGE: HTTPStatus.CONTENT_TOO_LARGE,
  REQUEST_URI_TOO_LONG: HTTPStatus.URI_TOO_LONG,
  REQUESTED_RANGE_NOT_SATISFIABLE: HTTPStatus.RANGE_NOT_SATISFIABLE,
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
