/**
 * Teardown for specs: servers are registered as they are made and closed after each test,
 * together with every client socket, so mocha exits by itself.
 */
import { destroyClients } from './clients';

/** The parts of a sockserve server a teardown needs (any server class fits). */
export interface ServerUnderTest {
  serveForever(pollInterval?: number): Promise<void>;
  shutdown(): Promise<void>;
  serverClose(): unknown;
}

/**
 * Use one per spec file: `const teardown = new Teardown(); afterEach(() => teardown.run());`,
 * then `teardown.server(new TCPServer(…))` and `teardown.serve(server)`.
 */
export class Teardown {
  readonly #servers = new Set<ServerUnderTest>();
  readonly #loops = new Map<ServerUnderTest, Promise<void>>();

  /** Close `server` after the test. */
  server<T extends ServerUnderTest>(server: T): T {
    this.#servers.add(server);
    return server;
  }

  /** Start `server.serveForever(pollInterval)`; it is shut down and closed after the test. */
  serve(server: ServerUnderTest, pollInterval?: number): Promise<void> {
    this.server(server);
    const loop = server.serveForever(pollInterval);
    this.#loops.set(server, loop);
    return loop;
  }

  /** Destroy the clients, shut each serving loop down, then close each server. */
  async run(): Promise<void> {
    destroyClients();
    const servers = [...this.#servers];
    this.#servers.clear();
    await Promise.all(
      servers.map(async (server) => {
        const loop = this.#loops.get(server);
        this.#loops.delete(server);
        if (loop !== undefined) {
          await server.shutdown();
          await loop.catch(() => undefined);
        }
        await server.serverClose();
      }),
    );
  }
}
