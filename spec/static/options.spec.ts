/**
 * sockserve's options on SimpleHTTPRequestHandler, each off by default (Python's behaviour):
 * cacheControl, cors, spa, precompressed; and partial(), the functools.partial equivalent.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { partial, SimpleHTTPRequestHandler } from '../../lib/http/index';
import { buildStaticTree, type StaticTree } from '../fixtures/static-tree';
import { headerNames, headerOf } from '../support/http-wire';
import { request, serveStatic, text, type StaticFields } from '../support/static-server';
import { Teardown } from '../support/teardown';

describe('SimpleHTTPRequestHandler: options', () => {
  const teardown = new Teardown();
  let tree: StaticTree;
  let spaRoot: string;
  before(() => {
    tree = buildStaticTree();
    spaRoot = path.join(tree.base, 'spa');
    fs.mkdirSync(path.join(spaRoot, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(spaRoot, 'index.html'), '<!DOCTYPE html>SPA\n');
    fs.writeFileSync(path.join(spaRoot, 'assets', 'app.js'), 'app();\n');
  });
  after(() => tree.remove());
  afterEach(() => teardown.run());

  async function serve(fields: Partial<StaticFields> = {}) {
    return (await serveStatic(teardown, { directory: tree.root, ...fields })).serverAddress;
  }

  describe('cacheControl', () => {
    it('sends no Cache-Control by default (like Python)', async () => {
      const address = await serve();
      expect(headerOf(await request(address, '/hello.txt'), 'Cache-Control')).to.equal(undefined);
      expect(headerOf(await request(address, '/sub/'), 'Cache-Control')).to.equal(undefined);
    });

    it('sends max-age=N on files, 304s and listings, not on errors or redirects', async () => {
      const address = await serve({ cacheControl: 600 });
      const file = await request(address, '/hello.txt');
      expect(headerOf(file, 'Cache-Control')).to.equal('max-age=600');
      const etag = headerOf(file, 'ETag')!;
      expect(headerOf(await request(address, '/hello.txt', { 'If-None-Match': etag }), 'Cache-Control')).to.equal(
        'max-age=600',
      );
      expect(headerOf(await request(address, '/sub/'), 'Cache-Control')).to.equal('max-age=600');
      expect(headerOf(await request(address, '/missing'), 'Cache-Control')).to.equal(undefined);
      expect(headerOf(await request(address, '/sub'), 'Cache-Control')).to.equal(undefined);
    });
  });

  describe('cors', () => {
    it('adds Access-Control-Allow-Origin: * to every response', async () => {
      const address = await serve({ cors: true });
      const targets = ['/hello.txt', '/sub/', '/sub', '/missing', '/%00'];
      for (const target of targets) {
        expect(headerOf(await request(address, target), 'Access-Control-Allow-Origin'), target).to.equal('*');
      }
      const etag = headerOf(await request(address, '/hello.txt'), 'ETag')!;
      const notModified = await request(address, '/hello.txt', { 'If-None-Match': etag });
      expect(headerOf(notModified, 'Access-Control-Allow-Origin')).to.equal('*');
    });

    it('is off by default', async () => {
      expect(headerOf(await request(await serve(), '/hello.txt'), 'Access-Control-Allow-Origin')).to.equal(undefined);
    });
  });

  describe('spa', () => {
    it('serves /index.html for a missing path without an extension', async () => {
      const address = await serve({ directory: spaRoot, spa: true });
      for (const target of ['/route', '/deep/client/route?x=1', '/v1.2/route', '/missing/']) {
        const response = await request(address, target);
        expect(response.status, target).to.equal(200);
        expect(headerOf(response, 'Content-type')).to.equal('text/html; charset=utf-8');
        expect(text(response)).to.equal('<!DOCTYPE html>SPA\n');
      }
      const head = await request(address, '/route', {}, 'HEAD');
      expect(head.status).to.equal(200);
      expect(head.body.length).to.equal(0);
    });

    it('still serves what exists, and 404s a missing path with an extension', async () => {
      const address = await serve({ directory: spaRoot, spa: true });
      expect(text(await request(address, '/assets/app.js'))).to.equal('app();\n');
      expect((await request(address, '/assets/missing.js')).status).to.equal(404);
      expect((await request(address, '/assets')).status).to.equal(301);
      expect((await request(address, '/page.html/')).status).to.equal(404);
    });

    it('is off by default', async () => {
      expect((await request(await serve({ directory: spaRoot }), '/route')).status).to.equal(404);
    });
  });

  describe('precompressed', () => {
    it('serves the .br sibling to a client that accepts br, with Content-Encoding and Vary', async () => {
      const response = await request(await serve({ precompressed: true }), '/script.js', {
        'Accept-Encoding': 'gzip, deflate, br',
      });
      expect(response.status).to.equal(200);
      expect(headerNames(response)).to.deep.equal([
        'Server',
        'Date',
        'Content-type',
        'Content-Encoding',
        'Content-Length',
        'Last-Modified',
        'ETag',
        'Accept-Ranges',
        'Vary',
      ]);
      expect(headerOf(response, 'Content-type')).to.equal('text/javascript; charset=utf-8');
      expect(headerOf(response, 'Content-Encoding')).to.equal('br');
      expect(headerOf(response, 'Vary')).to.equal('Accept-Encoding');
      expect(zlib.brotliDecompressSync(response.body).toString()).to.equal(tree.script);
    });

    const choices: [string | undefined, string | undefined][] = [
      ['gzip', 'gzip'],
      ['br;q=0, gzip', 'gzip'],
      ['gzip;q=0.5, br;q=0.1', 'br'],
      ['*', 'br'],
      ['*, br;q=0', 'gzip'],
      ['x-gzip', 'gzip'],
      ['identity', undefined],
      ['gzip;q=0, br;q=0', undefined],
      [undefined, undefined],
    ];
    for (const [accept, coding] of choices) {
      it(`Accept-Encoding ${JSON.stringify(accept)}: ${coding ?? 'the file itself'}`, async () => {
        const headers: Record<string, string> = accept === undefined ? {} : { 'Accept-Encoding': accept };
        const response = await request(await serve({ precompressed: true }), '/script.js', headers);
        expect(headerOf(response, 'Content-Encoding')).to.equal(coding);
        expect(headerOf(response, 'Vary')).to.equal('Accept-Encoding');
        const body =
          coding === 'br'
            ? zlib.brotliDecompressSync(response.body)
            : coding === 'gzip'
              ? zlib.gunzipSync(response.body)
              : response.body;
        expect(body.toString()).to.equal(tree.script);
      });
    }

    it('gives each variant its own ETag, and applies ranges to the encoded bytes', async () => {
      const address = await serve({ precompressed: true });
      const plain = await request(address, '/script.js');
      const gzip = await request(address, '/script.js', { 'Accept-Encoding': 'gzip' });
      expect(headerOf(gzip, 'ETag')).not.to.equal(headerOf(plain, 'ETag'));
      const ranged = await request(address, '/script.js', { 'Accept-Encoding': 'gzip', Range: 'bytes=0-1' });
      expect(ranged.status).to.equal(206);
      expect([...ranged.body]).to.deep.equal([0x1f, 0x8b]);
    });

    it('sends no Vary for a file without siblings', async () => {
      const response = await request(await serve({ precompressed: true }), '/plain.js', { 'Accept-Encoding': 'gzip' });
      expect(headerOf(response, 'Vary')).to.equal(undefined);
      expect(text(response)).to.equal('plain();\n');
    });

    it('is off by default', async () => {
      const response = await request(await serve(), '/script.js', { 'Accept-Encoding': 'gzip, br' });
      expect(headerOf(response, 'Content-Encoding')).to.equal(undefined);
      expect(text(response)).to.equal(tree.script);
    });
  });

  describe('partial()', () => {
    it('makes a subclass whose instances get the fields, over the class defaults', () => {
      const Handler = partial(SimpleHTTPRequestHandler, { directory: '/srv', cors: true });
      const handler = new Handler(null as never, ['127.0.0.1', 0], null as never);
      expect(handler).to.be.instanceOf(SimpleHTTPRequestHandler);
      expect(handler.directory).to.equal('/srv');
      expect(handler.cors).to.equal(true);
      expect(handler.spa).to.equal(false);
      const plain = new SimpleHTTPRequestHandler(null as never, ['127.0.0.1', 0], null as never);
      expect(plain.cors).to.equal(false);
    });

    it('does not share a later change of the fields object', () => {
      const fields = { directory: '/a' };
      const Handler = partial(SimpleHTTPRequestHandler, fields);
      fields.directory = '/b';
      expect(new Handler(null as never, ['127.0.0.1', 0], null as never).directory).to.equal('/a');
    });
  });
});
