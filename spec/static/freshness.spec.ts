/**
 * Files change while they are served: the small-file cache never serves stale bytes (a rewrite
 * with the same size and the same mtime included), large files are streamed with backpressure,
 * a file that shrinks mid-response cuts the connection, and no file descriptor is left open.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { open } from 'node:fs/promises';
import * as path from 'node:path';
import { SimpleHTTPRequestHandler } from '../../lib/http/index';
import { fileCache } from '../../lib/http/static/file-cache';
import { FileBody } from '../../lib/http/static/response-body';
import type { SocketWriter } from '../../lib/index';
import { buildStaticTree, type StaticTree } from '../fixtures/static-tree';
import { destroyClients } from '../support/clients';
import { WireClient, headerOf } from '../support/http-wire';
import { openFdCount } from '../support/process-probes';
import { request, serveStatic, text } from '../support/static-server';
import { Teardown } from '../support/teardown';
import { sleep, waitFor } from '../support/wait';

/** node:fs itself (an `import *` is a copy whose members cannot be replaced), to count stat calls. */
const nodeFs = createRequire(__filename)('node:fs') as { statSync: typeof fs.statSync };

/** Longer than the cache's settle time: files older than this may be cached. */
const SETTLED_MS = 1100;

describe('SimpleHTTPRequestHandler: freshness and streaming', () => {
  const teardown = new Teardown();
  let tree: StaticTree;
  before(async function () {
    this.timeout(5000);
    tree = buildStaticTree();
    fs.writeFileSync(path.join(tree.root, 'versioned.txt'), 'version-1\n');
    fs.writeFileSync(path.join(tree.root, 'turn.txt'), 'turn-1\n');
    fs.writeFileSync(path.join(tree.root, 'large.bin'), Buffer.alloc(200 * 1024, 'a'));
    await sleep(SETTLED_MS);
  });
  after(() => tree.remove());
  afterEach(() => teardown.run());

  async function serve() {
    return (await serveStatic(teardown, { directory: tree.root })).serverAddress;
  }

  it('serves new bytes after a rewrite that keeps the size and the mtime', async () => {
    const address = await serve();
    const file = path.join(tree.root, 'versioned.txt');
    const { atime, mtime } = fs.statSync(file);
    const first = await request(address, '/versioned.txt');
    const hits = fileCache.hits;
    const second = await request(address, '/versioned.txt');
    expect(fileCache.hits, 'the second request is a cache hit').to.equal(hits + 1);
    expect(text(first)).to.equal('version-1\n');
    expect(text(second)).to.equal('version-1\n');
    fs.writeFileSync(file, 'version-2\n');
    fs.utimesSync(file, atime, mtime);
    expect(fs.statSync(file).mtimeMs).to.be.closeTo(mtime.getTime(), 1);
    const third = await request(address, '/versioned.txt');
    expect(text(third)).to.equal('version-2\n');
    expect(headerOf(third, 'Last-Modified')).to.equal(headerOf(first, 'Last-Modified'));
    expect(headerOf(third, 'ETag')).not.to.equal(headerOf(first, 'ETag'));
  });

  it('does not cache a file changed within the last second, and serves each rewrite', async () => {
    const address = await serve();
    const file = path.join(tree.root, 'busy.txt');
    const hits = fileCache.hits;
    for (let i = 0; i < 20; i++) {
      const content = `busy-${String(i).padStart(2, '0')}\n`;
      fs.writeFileSync(file, content);
      expect(text(await request(address, '/busy.txt'))).to.equal(content);
      expect(text(await request(address, '/busy.txt'))).to.equal(content);
    }
    expect(fileCache.hits).to.equal(hits);
  });

  it('serves new bytes of a large (streamed) file rewritten with the same size and mtime', async () => {
    const address = await serve();
    const file = path.join(tree.root, 'large.bin');
    const { atime, mtime } = fs.statSync(file);
    expect(text(await request(address, '/large.bin'))[0]).to.equal('a');
    fs.writeFileSync(file, Buffer.alloc(200 * 1024, 'b'));
    fs.utimesSync(file, atime, mtime);
    const response = await request(address, '/large.bin');
    expect(response.body.equals(Buffer.alloc(200 * 1024, 'b'))).to.equal(true);
  });

  it('serves each server its own file when two directories are served under the same request paths', async () => {
    // A request path's file path is made once and remembered with the root it is below.
    const other = fs.mkdtempSync(path.join(path.dirname(tree.root), 'other-root-'));
    try {
      fs.writeFileSync(path.join(other, 'versioned.txt'), 'other root\n');
      const first = await serve();
      const second = (await serveStatic(teardown, { directory: other })).serverAddress;
      const mine = fs.readFileSync(path.join(tree.root, 'versioned.txt'), 'utf8');
      for (let round = 0; round < 3; round++) {
        expect(text(await request(first, '/versioned.txt'))).to.equal(mine);
        expect(text(await request(second, '/versioned.txt'))).to.equal('other root\n');
        expect((await request(second, '/large.bin')).status).to.equal(404);
      }
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('stats a file once for all the requests read in one turn, and afresh in the next turn', async () => {
    const address = await serve();
    const file = path.join(tree.root, 'turn.txt');
    await request(address, '/turn.txt'); // read from disk (in turns of its own) and cached
    const statted: string[] = [];
    const realStatSync = nodeFs.statSync;
    nodeFs.statSync = ((target: fs.PathLike, ...rest: never[]) => {
      statted.push(String(target));
      return realStatSync(target, ...rest);
    }) as typeof fs.statSync;
    try {
      const client = await WireClient.open(address);
      // Cached, so all five are answered without waiting, in one turn.
      client.write('GET /turn.txt HTTP/1.1\r\nHost: t\r\n\r\n'.repeat(5));
      const responses = await client.responses(5);
      expect(responses.map((response) => response.status)).to.deep.equal([200, 200, 200, 200, 200]);
      expect(statted.filter((target) => target === file)).to.have.lengthOf(1);
      fs.writeFileSync(file, 'turn-2\n');
      client.write('GET /turn.txt HTTP/1.1\r\nHost: t\r\n\r\n');
      const next = (await client.responses(6))[5]!;
      expect(text(next)).to.equal('turn-2\n');
      expect(statted.filter((target) => target === file)).to.have.lengthOf(2);
    } finally {
      nodeFs.statSync = realStatSync;
    }
  });

  it('copyfile() waits for the socket to take each chunk before reading on', async () => {
    const handle = await open(path.join(tree.root, 'big.bin'), 'r');
    const body = new FileBody(handle, 0, tree.big.length);
    const written: Uint8Array[] = [];
    const gates: (() => void)[] = [];
    const output = {
      write(chunk: Uint8Array): Promise<void> {
        written.push(chunk);
        return new Promise<void>((resolve) => gates.push(resolve));
      },
    } as unknown as SocketWriter;
    const handler = new SimpleHTTPRequestHandler(null as never, ['127.0.0.1', 0], null as never);
    const copying = handler.copyfile(body, output);
    try {
      await waitFor(() => written.length === 1, 'the first chunk');
      await sleep(50);
      expect(written).to.have.length(1);
      while (gates.length > 0) {
        gates.shift()!();
        await sleep(1);
      }
      await copying;
      expect(Buffer.concat(written).equals(tree.big)).to.equal(true);
    } finally {
      await body.close();
    }
  });

  it('cuts the connection when a file shrinks while it is sent, and reports why', async function () {
    this.timeout(10000);
    const file = path.join(tree.root, 'shrinking.bin');
    fs.writeFileSync(file, Buffer.alloc(64 * 1024 * 1024, 'x'));
    const server = await serveStatic(teardown, { directory: tree.root });
    const client = await WireClient.open(server.serverAddress);
    client.socket.pause();
    client.write('GET /shrinking.bin HTTP/1.1\r\nHost: t\r\n\r\n');
    await sleep(100);
    fs.truncateSync(file, 1024);
    client.socket.resume();
    const data = await client.closed(8000);
    expect(data.length).to.be.lessThan(64 * 1024 * 1024);
    await waitFor(() => server.reported.length > 0, 'the error to be reported');
    expect(String(server.reported[0])).to.match(/file shrank while being sent/);
  });

  it('leaves no file open after 200, 206, 304, 412, 416 and HEAD answers for large files', async () => {
    const address = await serve();
    const baseline = openFdCount();
    const etag = headerOf(await request(address, '/big.bin'), 'ETag')!;
    const cases: [Record<string, string>, string][] = [
      [{}, 'GET'],
      [{ Range: 'bytes=0-9' }, 'GET'],
      [{ 'If-None-Match': etag }, 'GET'],
      [{ 'If-Match': '"other"' }, 'GET'],
      [{ Range: 'bytes=99999999-' }, 'GET'],
      [{}, 'HEAD'],
    ];
    for (const [headers, method] of cases) await request(address, '/big.bin', headers, method);
    destroyClients();
    await waitFor(() => openFdCount() === baseline, `file descriptors back to ${baseline}`);
  });
  it('closes the file when the client goes away in the middle of a large file', async () => {
    const file = path.join(tree.root, 'abandoned.bin');
    fs.writeFileSync(file, Buffer.alloc(16 * 1024 * 1024, 'z'));
    const address = await serve();
    const baseline = openFdCount();
    for (let i = 0; i < 5; i++) {
      const client = await WireClient.open(address);
      client.write('GET /abandoned.bin HTTP/1.1\r\nHost: t\r\n\r\n');
      await waitFor(() => client.data.length > 300 * 1024, 'the first chunks');
      client.destroy();
    }
    await waitFor(() => openFdCount() === baseline, `file descriptors back to ${baseline}`);
  });
});
