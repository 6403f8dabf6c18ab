/**
 * The CGI environment (RFC 3875 §4.1) from an allow-list: the variables Python's
 * CGIHTTPRequestHandler sets, `HTTP_*` for the other request headers except those that must never
 * reach a script, `PATH`, and what the user configures. Nothing else of the server's environment.
 */
import type { HTTPMessage } from '../http-message';

/** What the handler knows about the request, for the environment. */
export interface CgiRequest {
  readonly serverSoftware: string;
  readonly serverName: string;
  readonly serverPort: number;
  /** Python sends the handler's protocolVersion, not the request's. */
  readonly serverProtocol: string;
  readonly method: string;
  /** The request target as sent (REQUEST_URI). */
  readonly requestUri: string;
  readonly scriptName: string;
  /** The script's path on disk (SCRIPT_FILENAME). */
  readonly scriptFilename: string;
  /** The served directory (DOCUMENT_ROOT). */
  readonly documentRoot: string;
  /** Decoded, with its leading `/`, or ''. */
  readonly pathInfo: string;
  readonly pathTranslated: string;
  /** As sent, not decoded; '' without a `?`. */
  readonly queryString: string;
  /** '' for a Unix socket client. */
  readonly remoteAddr: string;
  /** null for a Unix socket client. */
  readonly remotePort: number | null;
  /** The connection is TLS (HTTPS=on). */
  readonly https: boolean;
  readonly headers: HTTPMessage;
  /** The body's length in bytes as the script will read it from stdin, or null when unknown or absent. */
  readonly contentLength: number | null;
}

/** Two request headers that would set the same variable: the request is refused. */
export interface HeaderCollision {
  readonly collision: readonly [string, string];
}

/**
 * Request headers never passed as `HTTP_*`, by their variable-name form: `Proxy` (httpoxy: scripts'
 * HTTP clients read HTTP_PROXY as their proxy), credentials (RFC 3875 §4.1.18 leaves them out;
 * AUTH_TYPE and REMOTE_USER say who the client is), the body's framing (CONTENT_LENGTH and
 * CONTENT_TYPE carry it; the body is de-chunked) and hop-by-hop fields.
 */
const WITHHELD = new Set([
  'PROXY',
  'AUTHORIZATION',
  'PROXY_AUTHORIZATION',
  'CONTENT_LENGTH',
  'CONTENT_TYPE',
  'TRANSFER_ENCODING',
  'CONNECTION',
  'KEEP_ALIVE',
  'TE',
  'TRAILER',
  'UPGRADE',
  'PROXY_CONNECTION',
]);

/** Header names that can stand in a variable name: letters, digits, `-` and `_` (Apache's rule). */
const VARIABLE_SAFE = /^[A-Za-z0-9_-]+$/;

/** Python's reading of `Authorization`: AUTH_TYPE for two words, REMOTE_USER for valid Basic. */
function authorization(value: string | undefined, env: Record<string, string>): void {
  if (!value) return;
  const words = value.split(/\s+/).filter((word) => word !== '');
  if (words.length !== 2) return;
  const [type, credentials] = words as [string, string];
  env['AUTH_TYPE'] = type;
  if (type.toLowerCase() !== 'basic' || !/^[A-Za-z0-9+/=\s]*$/.test(credentials)) return;
  const decoded = Buffer.from(credentials, 'base64').toString('latin1');
  if (/[^\x00-\x7f]/.test(decoded)) return;
  const parts = decoded.split(':');
  if (parts.length === 2) env['REMOTE_USER'] = parts[0] as string;
}

/**
 * The environment for a script, or the two header names that collide. `path` is PATH;
 * `configured` is added last and wins over everything.
 */
export function buildEnvironment(
  request: CgiRequest,
  path: string,
  configured: Readonly<Record<string, string>>,
): Record<string, string> | HeaderCollision {
  const headers = request.headers;
  const env: Record<string, string> = {
    PATH: path,
    SERVER_SOFTWARE: request.serverSoftware,
    SERVER_NAME: request.serverName,
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: request.serverProtocol,
    SERVER_PORT: String(request.serverPort),
    REQUEST_METHOD: request.method,
    PATH_INFO: request.pathInfo,
    PATH_TRANSLATED: request.pathTranslated,
    SCRIPT_NAME: request.scriptName,
    QUERY_STRING: request.queryString,
    REMOTE_ADDR: request.remoteAddr,
    REMOTE_HOST: '',
    CONTENT_TYPE: headers.get('Content-Type') ?? headers.getContentType(),
    CONTENT_LENGTH: request.contentLength === null ? '' : String(request.contentLength),
    REQUEST_URI: request.requestUri,
    SCRIPT_FILENAME: request.scriptFilename,
    DOCUMENT_ROOT: request.documentRoot,
  };
  if (request.remotePort !== null) env['REMOTE_PORT'] = String(request.remotePort);
  if (request.https) env['HTTPS'] = 'on';
  authorization(headers.get('Authorization'), env);

  // Python's four: first Referer and User-Agent, every Accept joined with ',', cookies with ', '.
  env['HTTP_ACCEPT'] = (headers.getAll('Accept') ?? []).join(',');
  env['HTTP_USER_AGENT'] = headers.get('User-Agent') ?? '';
  env['HTTP_COOKIE'] = (headers.getAll('Cookie') ?? []).filter((value) => value !== '').join(', ');
  env['HTTP_REFERER'] = headers.get('Referer') ?? '';
  const pythons = new Set(['ACCEPT', 'USER_AGENT', 'COOKIE', 'REFERER']);

  /** Variable-name form → the header name that claimed it. */
  const claimed = new Map<string, string>();
  for (const [name, value] of headers.items()) {
    if (!VARIABLE_SAFE.test(name)) continue;
    const variable = name.toUpperCase().replace(/-/g, '_');
    const owner = claimed.get(variable);
    if (owner === undefined) claimed.set(variable, name);
    else if (owner.toLowerCase() !== name.toLowerCase()) return { collision: [owner, name] };
    if (WITHHELD.has(variable) || pythons.has(variable)) continue;
    const key = `HTTP_${variable}`;
    const previous = env[key];
    env[key] = previous === undefined ? value : `${previous}, ${value}`;
  }
  return Object.assign(env, configured);
}

/** True when `result` is a collision. */
export function isCollision(result: Record<string, string> | HeaderCollision): result is HeaderCollision {
  return Array.isArray((result as HeaderCollision).collision);
}
