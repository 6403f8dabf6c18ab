/**
 * SimpleHTTPRequestHandler's Python 3.14 parity over raw sockets: headers of a file, HEAD,
 * Content-type, If-Modified-Since, the directory redirect, index pages, 404s, translatePath, and
 * the Python listing byte for byte.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SimpleHTTPRequestHandler } from '../../lib/http/index';
import { httpDate } from '../../lib/http/dates';
import { buildStaticTree, type StaticTree } from '../fixtures/static-tree';
import { WireClient, headerNames, headerOf } from '../support/http-wire';
import { QuietStaticHandler, request, serveStatic, text } from '../support/static-server';
import { Teardown } from '../support/teardown';

describe('SimpleHTTPRequestHandler: Python parity', () => {
  const teardown = new Teardown();
  let tree: StaticTree;
  before(() => {
    tree = buildStaticTree();
    fs.mkdirSync(path.join(tree.root, 'sub', '<em>&dir'));
  });
  after(() => tree.remove());
  afterEach(() => teardown.run());

  async function serve(fields: Partial<{ pythonListing: boolean; indexPages: string[] }> = {}) {
    const server = await serveStatic(teardown, { directory: tree.root, pythonListing: true, ...fields });
    return server.serverAddress;
  }

  describe('files', () => {
    it("answers GET with Python's headers in Python's order, then sockserve's validators", async () => {
      const response = await request(await serve(), '/hello.txt');
      expect(response.statusLine).to.equal('HTTP/1.1 200 OK');
      expect(headerNames(response)).to.deep.equal([
        'Server',
        'Date',
        'Content-type',
        'Content-Length',
        'Last-Modified',
        'ETag',
        'Accept-Ranges',
      ]);
      expect(headerOf(response, 'Server')).to.match(/^SimpleHTTP\/0\.6 Node\//);
      expect(headerOf(response, 'Content-type')).to.equal('text/plain; charset=utf-8');
      expect(headerOf(response, 'Content-Length')).to.equal('12');
      const mtime = fs.statSync(path.join(tree.root, 'hello.txt')).mtimeMs / 1000;
      expect(headerOf(response, 'Last-Modified')).to.equal(httpDate(mtime));
      expect(text(response)).to.equal('hello world\n');
    });

    it('answers HEAD with the same headers and no body, and keeps the connection', async () => {
      const address = await serve();
      const get = await request(address, '/hello.txt');
      const client = await WireClient.open(address);
      client.write('HEAD /hello.txt HTTP/1.1\r\nHost: t\r\n\r\nGET /sub/a.txt HTTP/1.1\r\nHost: t\r\n\r\n');
      const [head, next] = await client.responses(2, { head: [0] });
      expect(headerNames(head!)).to.deep.equal(headerNames(get));
      expect(headerOf(head!, 'Content-Length')).to.equal('12');
      expect(head!.body.length).to.equal(0);
      expect(text(next!)).to.equal('a\n');
    });

    const types: [string, string][] = [
      ['/hello.txt', 'text/plain; charset=utf-8'],
      ['/UPPER.TXT', 'text/plain; charset=utf-8'],
      ['/style.css', 'text/css; charset=utf-8'],
      ['/app.js', 'text/javascript; charset=utf-8'],
      ['/data.json', 'application/json; charset=utf-8'],
      ['/page.html', 'text/html; charset=utf-8'],
      ['/image.png', 'image/png'],
      ['/archive.tar.gz', 'application/gzip'],
      ['/notype', 'application/octet-stream'],
    ];
    for (const [target, type] of types) {
      it(`gives ${target} the Content-type ${type}`, async () => {
        const response = await request(await serve(), target);
        expect(headerOf(response, 'Content-type')).to.equal(type);
      });
    }

    it('lets extensionsMap override mime-types, exact case first', async () => {
      class Custom extends QuietStaticHandler {
        override extensionsMap = { '.txt': 'text/x-lower', '.TXT': 'text/x-upper' };
      }
      const server = await serveStatic(teardown, { directory: tree.root }, Custom);
      expect(headerOf(await request(server.serverAddress, '/hello.txt'), 'Content-type')).to.equal('text/x-lower');
      expect(headerOf(await request(server.serverAddress, '/UPPER.TXT'), 'Content-type')).to.equal('text/x-upper');
    });

    it('streams a file larger than the small-file limit whole', async () => {
      const response = await request(await serve(), '/big.bin');
      expect(headerOf(response, 'Content-Length')).to.equal(String(tree.big.length));
      expect(response.body.equals(tree.big)).to.equal(true);
    });
  });

  describe('If-Modified-Since', () => {
    it('answers 304 with no body when the file is not newer', async () => {
      const address = await serve();
      const lastModified = headerOf(await request(address, '/hello.txt'), 'Last-Modified')!;
      const response = await request(address, '/hello.txt', { 'If-Modified-Since': lastModified });
      expect(response.statusLine).to.equal('HTTP/1.1 304 Not Modified');
      expect(headerNames(response)).to.deep.equal(['Server', 'Date', 'ETag']);
      expect(response.body.length).to.equal(0);
    });

    it('answers 200 when the file is newer', async () => {
      const address = await serve();
      const mtime = fs.statSync(path.join(tree.root, 'hello.txt')).mtimeMs / 1000;
      const response = await request(address, '/hello.txt', { 'If-Modified-Since': httpDate(mtime - 1) });
      expect(response.status).to.equal(200);
    });

    it('is ignored when If-None-Match is present, as in Python', async () => {
      const address = await serve();
      const lastModified = headerOf(await request(address, '/hello.txt'), 'Last-Modified')!;
      const response = await request(address, '/hello.txt', {
        'If-Modified-Since': lastModified,
        'If-None-Match': '"other"',
      });
      expect(response.status).to.equal(200);
    });

    it('is ignored when it is not a date', async () => {
      const response = await request(await serve(), '/hello.txt', { 'If-Modified-Since': 'Mon, 99 Foo 99999' });
      expect(response.status).to.equal(200);
      expect(text(response)).to.equal('hello world\n');
    });
  });

  describe('directories', () => {
    const redirects: [string, string][] = [
      ['/sub', '/sub/'],
      ['/sub?x=1&y=%20', '/sub/?x=1&y=%20'],
      ['/sub?x=1#frag', '/sub/?x=1#frag'],
      ['/sub/deeper', '/sub/deeper/'],
      ['//sub', '/sub/'],
      ['///sub?q', '/sub/?q'],
      ['/%73ub', '/%73ub/'],
      ['/empty', '/empty/'],
    ];
    for (const [target, location] of redirects) {
      it(`redirects ${target} with 301 to ${location}`, async () => {
        const response = await request(await serve(), target);
        expect(response.statusLine).to.equal('HTTP/1.1 301 Moved Permanently');
        expect(headerNames(response)).to.deep.equal(['Server', 'Date', 'Location', 'Content-Length']);
        expect(headerOf(response, 'Location')).to.equal(location);
        expect(headerOf(response, 'Content-Length')).to.equal('0');
      });
    }

    it('does not redirect a path ending in %2F (Python 3.14)', async () => {
      const response = await request(await serve(), '/sub%2F');
      expect(response.status).to.equal(200);
      expect(text(response)).to.include('<title>Directory listing for /sub/</title>');
    });

    it('serves index.html for a directory', async () => {
      const response = await request(await serve(), '/withindex/');
      expect(headerOf(response, 'Content-type')).to.equal('text/html; charset=utf-8');
      expect(text(response)).to.equal('INDEX-HTML\n');
    });

    it('skips a directory called index.html and serves index.htm', async () => {
      const response = await request(await serve(), '/site/');
      expect(text(response)).to.equal('INDEX-HTM\n');
    });

    it('uses indexPages', async () => {
      const response = await request(await serve({ indexPages: ['missing.html'] }), '/withindex/');
      expect(text(response)).to.include('<title>Directory listing for /withindex/</title>');
    });

    it("answers 404 'No permission to list directory' when the directory cannot be read", async () => {
      class Vanishing extends QuietStaticHandler {
        override listDirectory(dirPath: string) {
          return super.listDirectory(path.join(dirPath, 'vanished'));
        }
      }
      const server = await serveStatic(teardown, { directory: tree.root }, Vanishing);
      const response = await request(server.serverAddress, '/empty/');
      expect(response.statusLine).to.equal('HTTP/1.1 404 No permission to list directory');
      expect(text(response)).to.include('<p>Message: No permission to list directory.</p>');
    });
  });

  describe("Python's listing (pythonListing)", () => {
    it('is byte for byte Python 3.14 for a small directory', async () => {
      const response = await request(await serve(), '/sub/?q=%3Cx%3E#top');
      const expected =
        '<!DOCTYPE HTML>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
        '<style type="text/css">\n:root {\ncolor-scheme: light dark;\n}\n</style>\n' +
        '<title>Directory listing for /sub/</title>\n</head>\n' +
        '<body>\n<h1>Directory listing for /sub/</h1>\n<hr>\n<ul>\n' +
        '<li><a href="%3Cem%3E%26dir/">&lt;em&gt;&amp;dir/</a></li>\n' +
        '<li><a href="a.txt">a.txt</a></li>\n' +
        '<li><a href="deeper/">deeper/</a></li>\n' +
        '</ul>\n<hr>\n</body>\n</html>\n';
      expect(response.statusLine).to.equal('HTTP/1.1 200 OK');
      expect(headerNames(response)).to.deep.equal(['Server', 'Date', 'Content-type', 'Content-Length']);
      expect(headerOf(response, 'Content-type')).to.equal('text/html; charset=utf-8');
      expect(headerOf(response, 'Content-Length')).to.equal(String(Buffer.byteLength(expected)));
      expect(text(response)).to.equal(expected);
    });

    it('escapes the title and lists the root sorted by lower-cased name, / after directories, @ after symlinks', async () => {
      const response = await request(await serve(), '/sub/%3Cem%3E%26dir/');
      expect(text(response)).to.include('<title>Directory listing for /sub/&lt;em&gt;&amp;dir/</title>');
      const root = text(await request(await serve(), '/'));
      const items = root.split('\n').filter((line) => line.startsWith('<li>'));
      expect(items).to.deep.equal([
        `<li><a href="%22q%27.txt">"q'.txt</a></li>`,
        '<li><a href=".env">.env</a></li>',
        '<li><a href=".git/">.git/</a></li>',
        '<li><a href="%3Ctest%26%3E.txt">&lt;test&amp;&gt;.txt</a></li>',
        '<li><a href="a%20b.txt">a b.txt</a></li>',
        '<li><a href="app.js">app.js</a></li>',
        '<li><a href="archive.tar.gz">archive.tar.gz</a></li>',
        '<li><a href="big.bin">big.bin</a></li>',
        '<li><a href="broken">broken@</a></li>',
        '<li><a href="data.json">data.json</a></li>',
        '<li><a href="dirlink-out/">dirlink-out@</a></li>',
        '<li><a href="empty/">empty/</a></li>',
        '<li><a href="hello.txt">hello.txt</a></li>',
        '<li><a href="image.png">image.png</a></li>',
        '<li><a href="link-in">link-in@</a></li>',
        '<li><a href="link-out">link-out@</a></li>',
        '<li><a href="notype">notype</a></li>',
        '<li><a href="page.html">page.html</a></li>',
        '<li><a href="pipe">pipe</a></li>',
        '<li><a href="plain.js">plain.js</a></li>',
        '<li><a href="script.js">script.js</a></li>',
        '<li><a href="script.js.br">script.js.br</a></li>',
        '<li><a href="script.js.gz">script.js.gz</a></li>',
        '<li><a href="site/">site/</a></li>',
        '<li><a href="style.css">style.css</a></li>',
        '<li><a href="sub/">sub/</a></li>',
        '<li><a href="UPPER.TXT">UPPER.TXT</a></li>',
        '<li><a href="withindex/">withindex/</a></li>',
        '<li><a href="%C3%A9.txt">é.txt</a></li>',
      ]);
    });
  });

  describe('404', () => {
    for (const target of ['/missing', '/hello.txt/', '/sub/missing/', '/pipe']) {
      it(`answers ${target} with 404 'File not found'`, async () => {
        const response = await request(await serve(), target);
        expect(response.statusLine).to.equal('HTTP/1.1 404 File not found');
        expect(text(response)).to.include('<p>Message: File not found.</p>');
      });
    }
  });

  describe('translatePath()', () => {
    function handler(): SimpleHTTPRequestHandler {
      const instance = new SimpleHTTPRequestHandler(null as never, ['127.0.0.1', 0], null as never);
      instance.directory = '/srv/www';
      return instance;
    }

    const cases: [string, string][] = [
      ['/', '/srv/www/'],
      ['/a/b.txt', '/srv/www/a/b.txt'],
      ['/a/', '/srv/www/a/'],
      ['/a/../../../etc/passwd', '/srv/www/etc/passwd'],
      ['/%2e%2e/%2E%2E/x', '/srv/www/x'],
      ['/a%2Fb', '/srv/www/a/b'],
      ['/a/./b/.', '/srv/www/a/b'],
      ['/a b?x=../..#..', '/srv/www/a b'],
      ['/%C3%A9', '/srv/www/é'],
    ];
    for (const [requestPath, expected] of cases) {
      it(`maps ${requestPath} to ${expected}`, () => {
        expect(handler().translatePath(requestPath)).to.equal(expected);
      });
    }

    it('defaults directory to the working directory at construction', () => {
      const instance = new SimpleHTTPRequestHandler(null as never, ['127.0.0.1', 0], null as never);
      expect(instance.directory).to.equal(process.cwd());
    });

    it('throws a RangeError for a path the pipeline rejects', () => {
      expect(() => handler().translatePath('/a%00b'))
        .to.throw(RangeError, /^Bad request path \(control character or backslash\): "\/a%00b"$/)
        .with.property('code', 'SOCKSERVE_ERR_INVALID_ARGUMENT');
    });
  });
});
