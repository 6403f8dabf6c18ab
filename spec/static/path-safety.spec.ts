/**
 * Path-safety regressions, built from the public advisories of send, serve-static, st, sirv, serve,
 * ecstatic, node-static, @fastify/static and CPython (see shared/security-cases.md §3.3–3.5):
 * traversal in every encoding, sibling-prefix directories, symlink escapes, dotfiles, NUL and
 * control characters, open redirects, and what reaches the log.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SimpleHTTPRequestHandler } from '../../lib/http/index';
import { buildStaticTree, type StaticTree } from '../fixtures/static-tree';
import { WireClient, headerOf, type WireResponse } from '../support/http-wire';
import { captureStderr } from '../support/process-probes';
import { request, serveStatic, text, type StaticFields } from '../support/static-server';
import { Teardown } from '../support/teardown';

/** What may never appear in a response: bytes of files outside the root (and dotfiles when hidden). */
const SECRETS = ['SECRET-OUTSIDE', 'SIBLING-SECRET', 'root:x:0:0'];

function expectNotOut(response: WireResponse, extraSecrets: readonly string[] = []): void {
  expect([400, 403, 404]).to.include(response.status);
  for (const secret of [...SECRETS, ...extraSecrets]) expect(response.raw.toString('latin1')).not.to.include(secret);
}

describe('SimpleHTTPRequestHandler: path safety', () => {
  const teardown = new Teardown();
  let tree: StaticTree;
  before(() => {
    tree = buildStaticTree();
    fs.symlinkSync('../www2/secret2.txt', path.join(tree.root, 'sibling-link'));
    fs.symlinkSync('../www2', path.join(tree.root, 'sibling-dir'));
  });
  after(() => tree.remove());
  afterEach(() => teardown.run());

  async function serve(fields: Partial<StaticFields> = {}) {
    return (await serveStatic(teardown, { directory: tree.root, ...fields })).serverAddress;
  }

  describe('traversal never leaves the root', () => {
    const targets = [
      '/../outside/secret.txt',
      '/..%2f..%2fetc/passwd',
      '/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e/outside/secret.txt',
      '/%2E%2E/outside/secret.txt',
      '/.%2e/outside/secret.txt',
      '/%2e./outside/secret.txt',
      '/sub/%2e%2e/%2e%2e/outside/secret.txt',
      '/sub/..%2f..%2foutside/secret.txt',
      '/sub%2f..%2f..%2foutside%2fsecret.txt',
      '/%252e%252e/outside/secret.txt',
      '/..%20/outside/secret.txt',
      '/../www2/secret2.txt',
      '/%2e%2e/www2/secret2.txt',
      '//etc/passwd',
      `/${'a'.repeat(300)}`,
    ];
    for (const target of targets) {
      it(`${target}: 404, nothing from outside`, async () => {
        const response = await request(await serve(), target);
        expect(response.status).to.equal(404);
        expectNotOut(response);
      });
    }
  });

  describe('rejected with 400 before any file is looked at', () => {
    const targets = [
      '/hello.txt%00.html',
      '/%00',
      '/%zz',
      '/some%99thing.txt',
      '/%E0%A4%A',
      '/%c0%ae%c0%ae/outside/secret.txt',
      '/..%5coutside%5csecret.txt',
      '/..\\outside\\secret.txt',
      '/\\evil.com/%2e%2e%2f',
      '/%5cevil.com/%2e%2e',
      '/sub%0d%0aSet-Cookie:%20x=1',
      '/sub%0c',
      '/sub%09',
      '/sub%7f',
      'file:///etc/passwd',
      '*',
    ];
    for (const target of targets) {
      it(`${JSON.stringify(target)}: 400`, async () => {
        const response = await request(await serve(), target);
        expect(response.status).to.equal(400);
        expect(headerOf(response, 'Set-Cookie')).to.equal(undefined);
        expectNotOut(response);
      });
    }

    it('a raw NUL in the request line: 400', async () => {
      const client = await WireClient.open(await serve());
      client.write('GET /\x00test HTTP/1.1\r\nHost: t\r\n\r\n');
      expect((await client.response()).status).to.equal(400);
    });
  });

  describe('open redirects', () => {
    const targets = [
      '//evil.com/%2e%2e',
      '///evil.com/%2e%2e',
      '//evil.com/..%2f..%2f../sub',
      '/%2f%2fevil.com/%2e%2e',
      '/%2F/evil.com/%2e%2e',
    ];
    for (const target of targets) {
      it(`${target}: no Location starting with // or /\\`, async () => {
        const response = await request(await serve(), target);
        expect([301, 404]).to.include(response.status);
        const location = headerOf(response, 'Location') ?? '/';
        expect(location).to.match(/^\/(?![/\\])/);
      });
    }

    it('redirects an absolute-form target to a relative Location', async () => {
      const response = await request(await serve(), 'http://evil.example/sub');
      expect(response.status).to.equal(301);
      expect(headerOf(response, 'Location')).to.equal('/sub/');
    });

    it('percent-encodes what is not printable ASCII in a Location', async () => {
      fs.mkdirSync(path.join(tree.root, 'dir é'), { recursive: true });
      const response = await request(await serve(), '/dir%20%C3%A9?q=\x80#\\');
      expect(headerOf(response, 'Location')).to.equal('/dir%20%C3%A9/?q=%80#%5C');
    });
  });

  describe('%2F inside a segment', () => {
    it('separates segments, as in Python (one pipeline: no router/static mismatch)', async () => {
      const response = await request(await serve(), '/sub%2Fa.txt');
      expect(text(response)).to.equal('a\n');
    });
  });

  describe('symlinks', () => {
    const escapes = [
      '/link-out',
      '/dirlink-out',
      '/dirlink-out/',
      '/dirlink-out/secret.txt',
      '/sibling-link',
      '/sibling-dir/secret2.txt',
      '/sibling-dir/',
    ];
    for (const target of escapes) {
      it(`${target} (leaves the root): 404 by default`, async () => {
        const response = await request(await serve(), target);
        expect(response.status).to.equal(404);
        expectNotOut(response);
      });
    }

    it('serves a symlink that stays inside the root', async () => {
      expect(text(await request(await serve(), '/link-in'))).to.equal('hello world\n');
    });

    it('follows symlinks out of the root with followSymlinks (Python behaviour)', async () => {
      const address = await serve({ followSymlinks: true });
      expect(text(await request(address, '/link-out'))).to.equal('SECRET-OUTSIDE\n');
      expect(text(await request(address, '/sibling-dir/secret2.txt'))).to.equal('SIBLING-SECRET\n');
    });

    it('never serves the outside file while a path flips between a file and a symlink out', async function () {
      this.timeout(20000);
      const race = path.join(tree.root, 'race');
      const asFile = path.join(tree.root, 'race.file');
      const asLink = path.join(tree.root, 'race.link');
      const address = await serve();
      let flipping = true;
      let flips = 0;
      const flipper = (async () => {
        while (flipping) {
          fs.writeFileSync(asFile, 'inside\n');
          fs.renameSync(asFile, race);
          fs.symlinkSync('../outside/secret.txt', asLink);
          fs.renameSync(asLink, race);
          flips++;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      })();
      try {
        for (let i = 0; i < 300; i++) {
          const response = await request(address, '/race');
          expect(text(response)).not.to.include('SECRET-OUTSIDE');
        }
      } finally {
        flipping = false;
        await flipper;
      }
      expect(flips).to.be.greaterThan(10);
    });
  });

  describe('dotfiles', () => {
    const hidden = ['/.git/config', '/.env', '/sub/../.env', '/%2eenv', '/%2egit/config', '/.git/', '/.git'];
    for (const target of hidden) {
      it(`${target}: 404 with serveDotfiles false`, async () => {
        const response = await request(await serve({ serveDotfiles: false }), target);
        expect(response.status).to.equal(404);
        expectNotOut(response, ['GITCONFIG', 'DOTSECRET']);
      });
    }

    it('hides dot names in listings with serveDotfiles false', async () => {
      const listing = text(await request(await serve({ serveDotfiles: false, pythonListing: true }), '/'));
      expect(listing).not.to.include('.git');
      expect(listing).not.to.include('.env');
      expect(listing).to.include('hello.txt');
    });

    it('serves them by default, as Python does', async () => {
      expect(text(await request(await serve(), '/.git/config'))).to.include('GITCONFIG');
    });
  });

  describe('the log', () => {
    it('escapes control characters of the request line', async () => {
      const server = await serveStatic(teardown, { directory: tree.root }, LoggingHandler);
      const { stderr } = await captureStderr(async () => {
        const client = await WireClient.open(server.serverAddress);
        client.write('GET /\x1b[31mred\x01%0a HTTP/1.1\r\nHost: t\r\n\r\n');
        await client.response();
      });
      expect(stderr).to.include('"GET /\\x1b[31mred\\x01%0a HTTP/1.1" 400');
      expect(stderr).not.to.match(/[\x00-\x08\x0b-\x1f]/);
    });
  });
});

/** The static handler with the default logMessage (stderr), for the log spec. */
class LoggingHandler extends SimpleHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';
}
