/**
 * A child program for spec/socketserver/listen-fd.spec.ts: a TCPServer that serves the listening
 * socket it inherited as file descriptor 3, answering each line with `pid <pid>: <line>`.
 * Prints `SERVING <host> <port>` (its serverAddress) once ready; exits on SIGTERM.
 */
import { StreamRequestHandler, TCPServer } from '../../lib/index';

class PidEchoHandler extends StreamRequestHandler {
  protected override async handle(): Promise<void> {
    const line = await this.rfile.readline();
    await this.wfile.write(`pid ${process.pid}: ${line.toString()}`);
  }
}

class ActivatedServer extends TCPServer {
  override listenFd = 3;
}

async function main(): Promise<void> {
  const server = new ActivatedServer(['0.0.0.0', 0], PidEchoHandler);
  await server.ready();
  const [host, port] = server.serverAddress as [string, number];
  process.once('SIGTERM', () => void server.shutdown());
  console.log(`SERVING ${host} ${port}`);
  await server.serveForever();
  await server.serverClose();
}

void main();
