/**
 * The CGI specs' server: CGIHTTPRequestHandler speaking HTTP/1.1 over the fixture tree, with its
 * log lines collected instead of printed, and raw requests that return what came off the wire.
 */
import type { ServerAddress } from '../../lib/index';
import { CGIHTTPRequestHandler, partial } from '../../lib/http/index';
import { formatPositional } from '../../lib/http/python-format';
import { RecordingHTTPServer } from './http-handlers';
import { WireClient, type WireResponse } from './http-wire';
import { buildCgiTree, type CgiTree } from './cgi-tree';
import type { Teardown } from './teardown';

/** CGIHTTPRequestHandler on HTTP/1.1 whose log lines go to `log` (when set) instead of stderr. */
export class RecordingCGIHandler extends CGIHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';
  /** Where log lines go; null drops them. */
  log: string[] | null = null;

  override logMessage(format: string, ...args: unknown[]): void {
    this.log?.push(formatPositional(format, args));
  }
}

/** The handler fields a spec sets (`directory` always). */
export type CgiFields = { directory: string } & Partial<
  Pick<
    RecordingCGIHandler,
    | 'cgiDirectories'
    | 'cgiTimeout'
    | 'cgiMaxScripts'
    | 'cgiQueueLength'
    | 'cgiInterpreters'
    | 'cgiPath'
    | 'cgiEnvironment'
    | 'cgiUser'
    | 'cgiQueryArgument'
    | 'cgiForkServer'
    | 'serveDotfiles'
    | 'followSymlinks'
    | 'protocolVersion'
  >
>;

/** A CGI server under test and the log lines its handlers wrote. */
export interface CgiServer {
  readonly server: RecordingHTTPServer;
  readonly address: ServerAddress;
  readonly log: string[];
}

/** Serve `fields.directory` with RecordingCGIHandler on 127.0.0.1:0. */
export async function serveCgi(teardown: Teardown, fields: CgiFields): Promise<CgiServer> {
  const log: string[] = [];
  const server = teardown.server(
    new RecordingHTTPServer(['127.0.0.1', 0], partial(RecordingCGIHandler, { ...fields, log })),
  );
  await server.ready();
  void teardown.serve(server, 0.05);
  return { server, address: server.serverAddress, log };
}

/** The fixture tree a describe() shares and the server each of its tests gets (read them inside tests). */
export interface CgiFixture {
  readonly tree: CgiTree;
  readonly cgi: CgiServer;
}

/**
 * Register, in the calling describe(), one CGI fixture tree for all its tests and a fresh server
 * over it for each test, with the handler fields `fields(tree)` adds to `directory`.
 */
export function useCgiFixture(
  teardown: Teardown,
  fields: (tree: CgiTree) => Omit<CgiFields, 'directory'> = () => ({}),
): CgiFixture {
  let tree: CgiTree | null = null;
  let cgi: CgiServer | null = null;
  before(() => {
    tree = buildCgiTree();
  });
  after(() => tree?.remove());
  beforeEach(async () => {
    const root = tree as CgiTree;
    cgi = await serveCgi(teardown, { directory: root.root, ...fields(root) });
  });
  afterEach(() => teardown.run());
  return {
    get tree() {
      return tree as CgiTree;
    },
    get cgi() {
      return cgi as CgiServer;
    },
  };
}

/** Send `head` (a request without its final blank line) and `body` on a new connection; return the response. */
export async function cgiExchange(
  address: ServerAddress,
  head: string,
  body: string | Buffer = '',
  ms = 5000,
): Promise<WireResponse> {
  const client = await WireClient.open(address);
  client.write(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), Buffer.from(body)]));
  return client.response({ head: head.startsWith('HEAD ') ? [0] : [] }, ms);
}

/** `method` (GET) `target` with `headers` (`Name: value` lines) on a new HTTP/1.1 connection. */
export function cgiGet(
  address: ServerAddress,
  target: string,
  headers: readonly string[] = [],
  method = 'GET',
): Promise<WireResponse> {
  return cgiExchange(address, [`${method} ${target} HTTP/1.1`, 'Host: t', ...headers].join('\r\n'));
}

/** POST `body` (Content-Length framed) to `target` on a new connection. */
export function cgiPost(
  address: ServerAddress,
  target: string,
  body: string | Buffer,
  headers: readonly string[] = [],
): Promise<WireResponse> {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  const head = [`POST ${target} HTTP/1.1`, 'Host: t', `Content-Length: ${length}`, ...headers].join('\r\n');
  return cgiExchange(address, head, body);
}

/** env.py's report. */
export interface EnvReport {
  env: Record<string, string>;
  argv: string[];
  cwd: string;
  uid: number;
  stdin: number;
  sha256: string;
}

/** Parse env.py's JSON body. */
export function envReport(response: WireResponse): EnvReport {
  if (response.status !== 200) throw new Error(`env.py answered ${response.statusLine}: ${response.body.toString()}`);
  return JSON.parse(response.body.toString('utf8')) as EnvReport;
}
