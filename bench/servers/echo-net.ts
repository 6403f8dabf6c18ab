/**
 * Line echo on a bare `node:net` server: the baseline sockserve is measured against.
 *
 * It does the same work as the sockserve handler and nothing more: split the incoming bytes at
 * '\n' (keeping a partial line for the next chunk) and write each whole line back. Prints
 * "LISTENING <port>" once bound to 127.0.0.1 on a free port; exits on SIGTERM.
 */
import * as net from 'node:net';

const NEWLINE = 0x0a;
const EMPTY: Buffer = Buffer.alloc(0);

function echoLines(socket: net.Socket): void {
  let partial: Buffer = EMPTY;
  socket.on('data', (chunk: Buffer) => {
    const data = partial.length === 0 ? chunk : Buffer.concat([partial, chunk]);
    let start = 0;
    let newline = data.indexOf(NEWLINE);
    while (newline !== -1) {
      socket.write(data.subarray(start, newline + 1));
      start = newline + 1;
      newline = data.indexOf(NEWLINE, start);
    }
    partial = start === data.length ? EMPTY : data.subarray(start);
  });
  socket.on('end', () => socket.end());
  socket.on('error', () => socket.destroy());
}

const server = net.createServer(echoLines);
server.listen(0, '127.0.0.1', () => {
  console.log(`LISTENING ${(server.address() as net.AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.close();
  server.unref();
});
