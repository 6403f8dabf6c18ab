/**
 * sirv 3 on node:http, as its README sets it up: `http.createServer(sirv(dir))` with sirv's
 * defaults (production mode: the directory is indexed once at startup and files are looked up
 * in that index; no ETag; no Cache-Control). Usage: node static-sirv.js <directory>.
 * Prints "LISTENING <port>"; exits on SIGTERM.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';

const [directory = '.'] = process.argv.slice(2);
const server = http.createServer(sirv(directory));
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${(server.address() as AddressInfo).port}`));
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
