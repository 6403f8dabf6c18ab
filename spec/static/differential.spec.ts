/**
 * Differential spec: python3's own SimpleHTTPRequestHandler (spec/support/static-python.ts) and
 * sockserve's (pythonListing on, everything else default) serve the same fixture tree; each
 * request goes to both on a fresh connection, and the status lines, headers (names, order and
 * values) and bodies must match, after these normalisations:
 *
 * - the values of `Date` and `Server` (time and runtime);
 * - sockserve's additions, removed from its side: the `ETag` and `Accept-Ranges` headers, and the
 *   charset parameter mime-types adds to text types (`text/plain; charset=utf-8` vs `text/plain`);
 * - Python 3.11 (the local python3) vs 3.14 (the reference), on Python's side: 3.11's error page
 *   lacks 3.14's style block (see differential-normalise.ts), and so does its listing
 *   (LISTING_STYLE_3_14 is added back, Content-Length follows).
 *
 * Differences on purpose are asserted on both sides in their own tests below (symlinks leaving
 * the root, `%00`, the type of a `.br` file) and so are 3.11-vs-3.14 differences that cannot be
 * normalised (`%2F` at the end of a directory path, the query in a listing's title).
 */
import { expect } from 'chai';
import type { ServerAddress } from '../../lib/index';
import { quote } from '../../lib/http/static/url-quote';
import { buildStaticTree, ROOT_FILES, type StaticTree } from '../fixtures/static-tree';
import { exchange } from '../support/clients';
import { asPython314, parseReply, type MessageView } from '../support/differential-normalise';
import { pythonVersion, type PythonServer } from '../support/differential-python';
import { serveStatic } from '../support/static-server';
import { startPythonStaticServer } from '../support/static-python';
import { Teardown } from '../support/teardown';

/** What Python 3.14's listing has after `<meta charset="utf-8">\n` and 3.11's lacks. */
const LISTING_STYLE_3_14 = '<style type="text/css">\n:root {\ncolor-scheme: light dark;\n}\n</style>\n';
const LISTING_HEAD_3_11 = '<!DOCTYPE HTML>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>';
const SOCKSERVE_ONLY = new Set(['ETag', 'Accept-Ranges']);

type Method = 'GET' | 'HEAD';

/** Date and Server values as placeholders; Content-type without parameters. */
function normaliseHeaders(headers: [string, string][]): [string, string][] {
  return headers.map(([name, value]): [string, string] => {
    if (name === 'Date') return [name, '<date>'];
    if (name === 'Server') return [name, value.replace(/ (Python|Node)\/\S+$/, ' <runtime>')];
    if (name === 'Content-type') return [name, value.split(';')[0]!];
    return [name, value];
  });
}

/** Python's reply in 3.14's form: error page and listing style block. */
function pythonAs314(message: MessageView, method: Method, minor: number): MessageView {
  const view = asPython314(message, { head: method === 'HEAD' });
  const isListing311 =
    view.body.startsWith(LISTING_HEAD_3_11) ||
    (method === 'HEAD' &&
      view.headers.some(([name, value]) => name === 'Content-type' && value === 'text/html; charset=utf-8'));
  if (!isListing311 || minor >= 14) return view;
  const body = view.body.startsWith(LISTING_HEAD_3_11)
    ? view.body.replace('<meta charset="utf-8">\n', `<meta charset="utf-8">\n${LISTING_STYLE_3_14}`)
    : view.body;
  const headers = view.headers.map(([name, value]): [string, string] =>
    name === 'Content-Length' ? [name, String(Number(value) + LISTING_STYLE_3_14.length)] : [name, value],
  );
  return { ...view, headers, body };
}

async function ask(address: ServerAddress, method: Method, target: string): Promise<MessageView | null> {
  const data = await exchange(address, `${method} ${target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
  const [message] = parseReply(data, { head: method === 'HEAD' });
  return message ?? null;
}

describe('SimpleHTTPRequestHandler: differential against python3 http.server', function () {
  this.timeout(20000);
  const teardown = new Teardown();
  let tree: StaticTree;
  let python: PythonServer;
  let ours: ServerAddress;
  let oursFollowing: ServerAddress;
  /** The local python3's minor version (3.x). */
  let pythonMinor: number;
  before(async () => {
    pythonMinor = pythonVersion()[1];
    tree = buildStaticTree();
    python = await startPythonStaticServer(tree.root);
    const fields = { directory: tree.root, pythonListing: true, protocolVersion: 'HTTP/1.0' };
    ours = (await serveStatic(teardown, fields)).serverAddress;
    oursFollowing = (await serveStatic(teardown, { ...fields, followSymlinks: true })).serverAddress;
  });
  after(async () => {
    await teardown.run();
    await python?.stop();
    tree?.remove();
  });

  async function both(method: Method, target: string, address = ours): Promise<[MessageView, MessageView]> {
    const [fromPython, fromOurs] = await Promise.all([
      ask(['127.0.0.1', python.port], method, target),
      ask(address, method, target),
    ]);
    if (fromPython === null || fromOurs === null) throw new Error(`no reply to ${method} ${target}`);
    return [pythonAs314(fromPython, method, pythonMinor), fromOurs];
  }

  function comparable(message: MessageView): MessageView {
    const headers = normaliseHeaders(message.headers.filter(([name]) => !SOCKSERVE_ONLY.has(name)));
    return { ...message, headers };
  }

  async function expectSame(method: Method, target: string, address = ours): Promise<MessageView> {
    const [fromPython, fromOurs] = await both(method, target, address);
    expect(comparable(fromOurs), `${method} ${target}`).to.deep.equal(comparable(fromPython));
    return fromOurs;
  }

  const files = [
    ...ROOT_FILES.filter((name) => name !== 'script.js.br').map((name) => `/${quote(name)}`),
    '/sub/a.txt',
    '/sub/deeper/b.txt',
    '/link-in',
    '/.git/config',
    '/.env',
    '/site/index.htm',
    '/withindex/index.html',
    '/script.js.gz',
  ];
  const notFound = [
    '/missing',
    '/hello.txt/',
    '/sub/missing',
    '/sub/missing/',
    '/%2e%2e/outside/secret.txt',
    '/..%2f..%2fetc/passwd',
    '/sub/..%2f..%2f..%2foutside/secret.txt',
    '/broken',
  ];
  const redirects = ['/sub', '/sub?x=1', '/sub?x=1&y=2#frag', '/empty', '//sub', '/sub/deeper', '/withindex', '/%73ub'];
  const listings = ['/', '/sub/', '/empty/', '/site/index.html/', '/sub/deeper/', '/.git/', '/sub/./'];
  const indexes = ['/withindex/', '/site/'];

  for (const method of ['GET', 'HEAD'] as const) {
    describe(method, () => {
      for (const [kind, targets] of [
        ['file', files],
        ['404', notFound],
        ['redirect', redirects],
        ['listing', listings],
        ['index page', indexes],
      ] as const) {
        for (const target of targets) {
          it(`${kind} ${target}`, async () => {
            await expectSame(method, target);
          });
        }
      }
    });
  }

  it("sends a listing's Content-type exactly as Python does", async () => {
    const [fromPython, fromOurs] = await both('GET', '/sub/');
    const type = (message: MessageView) => message.headers.find(([name]) => name === 'Content-type')?.[1];
    expect(type(fromOurs)).to.equal(type(fromPython)).and.to.equal('text/html; charset=utf-8');
  });

  describe('differences on purpose', () => {
    for (const target of ['/link-out', '/dirlink-out', '/dirlink-out/', '/dirlink-out/secret.txt']) {
      it(`${target}: Python follows the symlink out of the root, sockserve answers 404 unless followSymlinks`, async () => {
        const [fromPython, fromOurs] = await both('GET', target);
        expect(fromPython.statusLine).to.match(/^HTTP\/1\.0 (200|301) /);
        expect(fromOurs.statusLine).to.equal('HTTP/1.0 404 File not found');
        await expectSame('GET', target, oursFollowing);
      });
    }

    it('/%00: Python drops the connection (ValueError: embedded null byte), sockserve answers 400', async () => {
      const data = await exchange(['127.0.0.1', python.port], 'GET /%00 HTTP/1.1\r\nHost: t\r\n\r\n');
      expect(data.length).to.equal(0);
      const fromOurs = await ask(ours, 'GET', '/%00');
      expect(fromOurs?.statusLine).to.equal('HTTP/1.0 400 Bad request path (control character or backslash)');
    });

    it('/script.js.br: Python types it by the name under the coding (text/javascript), mime-types does not', async () => {
      const [fromPython, fromOurs] = await both('GET', '/script.js.br');
      const type = (message: MessageView) => message.headers.find(([name]) => name === 'Content-type')?.[1];
      expect(type(fromPython)).to.equal('text/javascript');
      expect(type(fromOurs)).to.equal('application/octet-stream');
      expect(fromOurs.body).to.equal(fromPython.body);
    });
  });

  describe('Python 3.11 vs 3.14 (sockserve follows 3.14)', () => {
    it('/sub%2F: 3.11 redirects to /sub%2F/, 3.14 lists the directory', async () => {
      const [fromPython, fromOurs] = await both('GET', '/sub%2F');
      if (pythonMinor < 14) {
        expect(fromPython.statusLine).to.equal('HTTP/1.0 301 Moved Permanently');
        expect(fromPython.headers).to.deep.include(['Location', '/sub%2F/']);
      }
      expect(fromOurs.statusLine).to.equal('HTTP/1.0 200 OK');
      expect(fromOurs.body).to.include('<title>Directory listing for /sub/</title>');
    });

    it("/sub/?x=1: 3.11's listing title keeps the query, 3.14's does not", async () => {
      const [fromPython, fromOurs] = await both('GET', '/sub/?x=1');
      if (pythonMinor < 14) expect(fromPython.body).to.include('<title>Directory listing for /sub/?x=1</title>');
      expect(fromOurs.body).to.include('<title>Directory listing for /sub/</title>');
      const items = (message: MessageView) => message.body.split('\n').filter((line) => line.startsWith('<li>'));
      expect(items(fromOurs)).to.deep.equal(items(fromPython));
    });
  });
});
