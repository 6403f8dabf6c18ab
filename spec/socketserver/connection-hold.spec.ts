/**
 * Connection.hold() / release(): what is sent while held leaves in one write when released (the
 * HTTP handler holds each response's head and body, and pipelined responses, this way), in order,
 * never beyond 16 KiB, and never lost by a close; Latin-1 text (an HTTP head) is encoded into it.
 * Without hold(), what is sent in one turn of the event loop leaves at its end, and a process that
 * exits in that turn still sends it. A server's plain sockets join each turn's pieces in one shared
 * buffer; a write the kernel cannot take at once keeps its bytes while later turns are joined.
 */
import { expect } from 'chai';
import * as net from 'node:net';
import { once } from 'node:events';
import * as path from 'node:path';
import { Connection, StreamRequestHandler, TCPServer } from '../../lib/index';
import { ChildProgram } from '../support/child-program';
import { connect, receiveAll } from '../support/clients';
import { Teardown } from '../support/teardown';
import { sleep } from '../support/wait';

/** Turns of TurnsHandler: 12 MiB in all, more than loopback's socket buffers take unread. */
const TURNS = 1000;
const TURN_BODY_BYTES = 12 * 1024;

/** What TurnsHandler sends in turn `turn`: a Latin-1 label, then a body of one byte value. */
function turnPieces(turn: number): [string, Buffer] {
  return [`<${turn}>`, Buffer.alloc(TURN_BODY_BYTES, turn % 251)];
}

/** Sends each turn's two pieces in a turn of its own, so that each turn's pieces leave joined. */
class TurnsHandler extends StreamRequestHandler {
  protected override async handle(): Promise<void> {
    for (let turn = 0; turn < TURNS; turn++) {
      const [label, body] = turnPieces(turn);
      void this.connection.sendLatin1(label);
      await this.connection.sendall(body);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** A server socket wrapped in a Connection, and the client socket at the other end. */
async function connectionPair(teardown: (() => void)[]): Promise<{ connection: Connection; client: net.Socket }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const { port } = server.address() as net.AddressInfo;
  const client = await connect(['127.0.0.1', port]);
  const [socket] = await accepted;
  teardown.push(() => {
    socket.destroy();
    client.destroy();
    server.close();
  });
  return { connection: new Connection(socket), client };
}

describe('Connection.hold() and release()', () => {
  const teardown: (() => void)[] = [];
  afterEach(() => {
    for (const step of teardown.splice(0)) step();
  });

  it('keeps what is sent until release(), then sends it all in order, in one read', async () => {
    const { connection, client } = await connectionPair(teardown);
    const chunks: Buffer[] = [];
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    connection.hold();
    await connection.sendall('HTTP/1.1 200 OK\r\n');
    await connection.sendall(Buffer.from('Content-Length: 2\r\n\r\n'));
    await connection.sendmany([Buffer.from('o'), Buffer.from('k')]);
    await sleep(50);
    expect(chunks).to.have.lengthOf(0);
    connection.release();
    await sleep(50);
    expect(Buffer.concat(chunks).toString()).to.equal('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    expect(chunks).to.have.lengthOf(1);
    await connection.sendall('after');
    await sleep(20);
    expect(Buffer.concat(chunks).toString()).to.match(/okafter$/);
  });

  it('sends at once what passes 16 KiB, keeping the order, and keeps holding after', async () => {
    const { connection, client } = await connectionPair(teardown);
    const received: Buffer[] = [];
    client.on('data', (chunk: Buffer) => received.push(chunk));
    connection.hold();
    await connection.sendall('head ');
    await connection.sendall(Buffer.alloc(20 * 1024, 0x61));
    await sleep(50);
    expect(Buffer.concat(received).length).to.equal(5 + 20 * 1024);
    await connection.sendall('tail');
    await sleep(50);
    expect(Buffer.concat(received).length).to.equal(5 + 20 * 1024);
    connection.release();
    await sleep(50);
    expect(Buffer.concat(received).toString('latin1').endsWith('atail')).to.equal(true);
  });

  it('sends what is sent in one turn at its end, in one read, without hold() or release()', async () => {
    const { connection, client } = await connectionPair(teardown);
    const chunks: Buffer[] = [];
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    const sent = [
      connection.sendall('one '),
      connection.sendLatin1('two '),
      connection.sendmany([Buffer.from('three')]),
    ];
    await Promise.all(sent);
    await sleep(50);
    expect(Buffer.concat(chunks).toString()).to.equal('one two three');
    expect(chunks).to.have.lengthOf(1);
    await connection.sendall('next turn');
    await sleep(50);
    expect(Buffer.concat(chunks).toString()).to.equal('one two threenext turn');
  });

  it('still sends what was sent in the turn in which the process exits', async () => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    teardown.push(() => server.close());
    const accepted = once(server, 'connection') as Promise<[net.Socket]>;
    const { port } = server.address() as net.AddressInfo;
    const program = `
      const net = require('node:net');
      const { Connection } = require('./lib/index');
      const socket = net.connect(${port}, '127.0.0.1', () => {
        const connection = new Connection(socket);
        void connection.sendall('sent just before exit');
        process.exit(0);
      });
    `;
    const child = new ChildProgram('exiting sender', process.execPath, ['-r', 'ts-node/register', '-e', program], {
      cwd: path.resolve(__dirname, '..', '..'),
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
    });
    teardown.push(() => void child.kill());
    const [socket] = await accepted;
    const received = receiveAll(socket);
    const exit = await child.exit();
    expect(exit.code, exit.stderr).to.equal(0);
    expect((await received).data.toString()).to.equal('sent just before exit');
  });

  it('sendLatin1() sends one byte per character, held or not, joined with the bytes around it', async () => {
    const { connection, client } = await connectionPair(teardown);
    const received = receiveAll(client);
    const everyByte = String.fromCharCode(...Array.from({ length: 256 }, (_, code) => code));
    await connection.sendLatin1('now:');
    connection.hold();
    await connection.sendLatin1(everyByte);
    await connection.sendall(Buffer.from([0xff, 0x00]));
    await connection.sendLatin1('\u00e9');
    connection.release();
    connection.hold();
    await connection.sendLatin1(`alone${'\u00ff'}`);
    connection.close();
    const expected = Buffer.concat([
      Buffer.from('now:'),
      Buffer.from(Array.from({ length: 256 }, (_, code) => code)),
      Buffer.from([0xff, 0x00, 0xe9]),
      Buffer.from('alone'),
      Buffer.from([0xff]),
    ]);
    expect((await received).data.equals(expected)).to.equal(true);
  });

  it("keeps each turn's bytes whole when the client reads late (a server's socket, joined in a shared buffer)", async () => {
    const servers = new Teardown();
    teardown.push(() => void servers.run());
    const server = servers.server(new TCPServer(['127.0.0.1', 0], TurnsHandler));
    await server.ready();
    void servers.serve(server);
    const client = await connect(server.serverAddress);
    client.pause();
    await sleep(300); // the kernel's buffers fill; later writes wait in Node's queue
    const received = receiveAll(client);
    client.resume();
    const expected = Buffer.concat(
      Array.from({ length: TURNS }, (_, turn) => {
        const [label, body] = turnPieces(turn);
        return Buffer.concat([Buffer.from(label, 'latin1'), body]);
      }),
    );
    const { data } = await received;
    expect(data.length).to.equal(expected.length);
    expect(data.equals(expected)).to.equal(true);
  });

  it('close() and shutdown() send what is held first', async () => {
    const closing = await connectionPair(teardown);
    const closed = receiveAll(closing.client);
    closing.connection.hold();
    await closing.connection.sendall('kept until close');
    closing.connection.close();
    expect((await closed).data.toString()).to.equal('kept until close');

    const ending = await connectionPair(teardown);
    const ended = receiveAll(ending.client);
    ending.connection.hold();
    await ending.connection.sendall('kept until FIN');
    ending.connection.shutdown(1);
    ending.client.end();
    expect((await ended).data.toString()).to.equal('kept until FIN');
  });
});
