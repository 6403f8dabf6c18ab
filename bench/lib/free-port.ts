/**
 * A free TCP port on 127.0.0.1, for servers that must be told their port in a configuration
 * file (nginx, lighttpd, http-server's command) instead of binding port 0 and printing it.
 */
import * as net from 'node:net';

/** A port nothing listens on right now (the kernel's pick for port 0, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
