/**
 * serve-static 2 on node:http with its defaults (ETag, Last-Modified, Cache-Control: public,
 * max-age=0, dotfiles ignored) and, instead of finalhandler, a bare 404 for what it does not
 * serve. Usage: node static-serve-static.js <directory>. Prints "LISTENING <port>"; exits on
 * SIGTERM.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import serveStatic from 'serve-static';

const [directory = '.'] = process.argv.slice(2);
const serve = serveStatic(directory);
const server = http.createServer((request, response) => {
  serve(request, response, () => {
    response.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 10 });
    response.end('Not found\n');
  });
});
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${(server.address() as AddressInfo).port}`));
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
