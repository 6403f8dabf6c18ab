/**
 * Static-file specs' helpers: a quiet SimpleHTTPRequestHandler speaking HTTP/1.1, a one-call
 * server over a directory, and raw requests that return the response as it came off the wire.
 */
import type { MixinConstructor, ServerAddress } from '../../lib/index';
import { partial, SimpleHTTPRequestHandler } from '../../lib/http/index';
import { RecordingHTTPServer } from './http-handlers';
import { WireClient, type WireResponse } from './http-wire';
import type { Teardown } from './teardown';

/** SimpleHTTPRequestHandler speaking HTTP/1.1, with the access log silenced. */
export class QuietStaticHandler extends SimpleHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';

  override logMessage(_format: string, ..._args: unknown[]): void {}
}

/** The handler fields a spec sets (`directory` always). */
export type StaticFields = { directory: string } & Partial<
  Pick<
    SimpleHTTPRequestHandler,
    | 'indexPages'
    | 'extensionsMap'
    | 'serveDotfiles'
    | 'followSymlinks'
    | 'precompressed'
    | 'cacheControl'
    | 'cors'
    | 'spa'
    | 'pythonListing'
    | 'protocolVersion'
  >
>;

/** A SimpleHTTPRequestHandler subclass the server can build. */
export type StaticHandlerClass = MixinConstructor<SimpleHTTPRequestHandler>;

/** Serve `fields.directory` with `Handler` (QuietStaticHandler) on 127.0.0.1:0; the server is returned. */
export async function serveStatic(
  teardown: Teardown,
  fields: StaticFields,
  Handler: StaticHandlerClass = QuietStaticHandler,
): Promise<RecordingHTTPServer> {
  const server = teardown.server(new RecordingHTTPServer(['127.0.0.1', 0], partial(Handler, fields)));
  await server.ready();
  void teardown.serve(server, 0.05);
  return server;
}

/** Send one request on a new connection and return its response (`headers` as `Name: value` lines). */
export async function request(
  address: ServerAddress,
  target: string,
  headers: Readonly<Record<string, string>> = {},
  method = 'GET',
): Promise<WireResponse> {
  const client = await WireClient.open(address);
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  client.write(`${method} ${target} HTTP/1.1\r\nHost: t\r\n${lines.join('')}\r\n`);
  return client.response({ head: method === 'HEAD' ? [0] : [] });
}

/** The body of a response as UTF-8 text. */
export function text(response: WireResponse): string {
  return response.body.toString('utf8');
}
