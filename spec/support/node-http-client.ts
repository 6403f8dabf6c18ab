/**
 * Requests with Node's own HTTP client, for the specs that drive samples and the command as a
 * browser-like client would: one request, the whole reply collected, bounded in time.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { once } from 'node:events';
import * as path from 'node:path';
import { within } from './wait';

/** The test certificate (spec/fixtures/tls), trusted by requests made with `tls: true`. */
const TEST_CA = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'tls', 'cert.pem'));
const REPLY_MS = 15_000;

/** A whole reply. */
export interface Reply {
  status: number;
  statusMessage: string;
  httpVersion: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The connection it came on (a keep-alive agent takes it back once the response has ended). */
  socket: net.Socket;
  /** The request went over a connection an earlier request had used (keep-alive). */
  reusedSocket: boolean;
}

export interface RequestOptions {
  method?: string;
  path?: string;
  headers?: http.OutgoingHttpHeaders;
  /** One string or Buffer is sent with Content-Length; an array is sent in chunks (Transfer-Encoding: chunked). */
  body?: string | Buffer | (string | Buffer)[];
  /** A keep-alive agent; by default each request has its own connection. */
  agent?: http.Agent;
  /** HTTPS, trusting the test certificate (always on a connection of its own). */
  tls?: boolean;
  /** Connect from this local address (any of 127.0.0.0/8 works on Linux). */
  localAddress?: string;
}

/** Make one request to 127.0.0.1:`port` and collect the whole reply (at most 15 s). */
export function request(port: number, options: RequestOptions = {}): Promise<Reply> {
  const { method = 'GET', path: target = '/', headers = {}, body, agent, localAddress } = options;
  const sized = body === undefined || Array.isArray(body) ? {} : { 'Content-Length': Buffer.byteLength(body) };
  const common = {
    host: '127.0.0.1',
    port,
    method,
    path: target,
    headers: { ...sized, ...headers },
    ...(localAddress === undefined ? {} : { localAddress }),
  };
  const reply = new Promise<Reply>((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      const socket = res.socket;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          statusMessage: res.statusMessage ?? '',
          httpVersion: res.httpVersion,
          headers: res.headers,
          body: Buffer.concat(chunks),
          socket,
          reusedSocket: req.reusedSocket,
        }),
      );
    };
    const req =
      options.tls === true
        ? https.request({ ...common, ca: TEST_CA, agent: false }, onResponse)
        : http.request({ ...common, agent: agent ?? false }, onResponse);
    req.once('error', reject);
    for (const chunk of body === undefined ? [] : Array.isArray(body) ? body : [body]) req.write(chunk);
    req.end();
  });
  return within(reply, REPLY_MS, `no reply to ${method} ${target}`);
}

/** A port nothing listens on right now (for a server, such as nginx, that cannot report the port it was given). */
export async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as net.AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}
