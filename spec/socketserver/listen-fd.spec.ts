/**
 * TCPServer.listenFd: serving a listening socket inherited from a supervisor, as under systemd's
 * socket activation. python3 plays the supervisor (spec/support/python/socket_activate.py): it
 * binds the port, then starts the server with the socket as file descriptor 3.
 */
import { expect } from 'chai';
import * as path from 'node:path';
import { exchange } from '../support/clients';
import { ChildProgram } from '../support/child-program';

const ROOT = path.resolve(__dirname, '..', '..');
const ACTIVATE = path.join(ROOT, 'spec', 'support', 'python', 'socket_activate.py');
const SERVER = path.join(ROOT, 'spec', 'support', 'inherited-socket-server.ts');

describe('TCPServer.listenFd: an inherited listening socket', function () {
  this.timeout(60_000);
  let program: ChildProgram | null = null;

  afterEach(async () => {
    await program?.kill();
    program = null;
  });

  it('serves the socket it was given, and serverAddress is that socket’s address', async () => {
    program = new ChildProgram(
      'socket_activate.py + inherited-socket-server.ts',
      'python3',
      [ACTIVATE, process.execPath, '-r', 'ts-node/register', SERVER],
      { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } },
    );
    const activated = Number((await program.output(/^ACTIVATED (\d+)$/m))[1]);
    const [, host, port] = await program.output(/^SERVING (\S+) (\d+)$/m);
    expect([host, Number(port)]).to.deep.equal(['127.0.0.1', activated]);
    const reply = (await exchange(['127.0.0.1', activated], 'hello\n')).toString();
    expect(reply).to.match(/^pid \d+: hello\n$/);
    const second = (await exchange(['127.0.0.1', activated], 'again\n')).toString();
    expect(second).to.equal(reply.replace('hello', 'again'));
    const exit = await program.stop('SIGTERM');
    expect(exit).to.include({ code: 0, signal: null });
    expect(exit.stderr).to.equal('');
  });
});
