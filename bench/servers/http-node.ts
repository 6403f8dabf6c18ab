/**
 * Hello world on node:http, the baseline: the same 200, two headers and 14-byte body.
 * Prints "LISTENING <port>"; exits on SIGTERM.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = Buffer.from('Hello, world!\n');

const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  response.end(BODY);
});
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${(server.address() as AddressInfo).port}`));
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
