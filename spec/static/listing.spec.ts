/**
 * sockserve's directory listing (pythonListing false): Python's structure and hrefs, plus a parent
 * link, sizes, modification times, sorting by links, light and dark mode; every name escaped.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatSize } from '../../lib/http/static/listing-page';
import { compareCodePoints } from '../../lib/http/static/directory-entries';
import { buildStaticTree, type StaticTree } from '../fixtures/static-tree';
import { headerOf } from '../support/http-wire';
import { QuietStaticHandler, request, serveStatic, text } from '../support/static-server';
import { Teardown } from '../support/teardown';

/** `[href, text]` of every link inside the listing's ul, in order. */
function links(html: string): [string, string][] {
  const list = html.slice(html.indexOf('<ul>'), html.indexOf('</ul>'));
  return [...list.matchAll(/<li[^>]*><a href="([^"]*)">([^<]*)<\/a>/g)].map((match) => [match[1]!, match[2]!]);
}

describe("SimpleHTTPRequestHandler: sockserve's listing", () => {
  const teardown = new Teardown();
  let tree: StaticTree;
  before(() => {
    tree = buildStaticTree();
    fs.writeFileSync(path.join(tree.root, 'sub', '<img src=x onerror=alert(1)>.txt'), 'x');
    fs.writeFileSync(path.join(tree.root, 'sub', 'a&b.txt'), 'x');
    fs.writeFileSync(
      Buffer.concat([Buffer.from(`${tree.root}/sub/`), Buffer.from([0x6e, 0x6f, 0x74, 0x2d, 0xff])]),
      'x',
    );
  });
  after(() => tree.remove());
  afterEach(() => teardown.run());

  async function serve(pythonListing = false) {
    return (await serveStatic(teardown, { directory: tree.root, pythonListing })).serverAddress;
  }

  it("keeps Python's structure: the same h1 and the same links in the same order", async () => {
    const ours = text(await request(await serve(), '/'));
    const python = text(await request(await serve(true), '/'));
    expect(ours).to.include('<h1>Directory listing for /</h1>');
    expect(links(ours)).to.deep.equal(links(python));
    expect(links(ours)).to.have.length.greaterThan(20);
  });

  it('links to the parent directory below the root only', async () => {
    const address = await serve();
    expect(text(await request(address, '/sub/'))).to.include('<a href="../">Parent directory</a>');
    expect(text(await request(address, '/'))).not.to.include('Parent directory');
  });

  it('shows sizes and modification times', async () => {
    const page = text(await request(await serve(), '/'));
    const stat = fs.statSync(path.join(tree.root, 'big.bin'));
    const row = page.split('\n').find((line) => line.includes('href="big.bin"'))!;
    expect(row).to.include(`<span title="${stat.size} bytes">1.0 MiB</span>`);
    expect(row).to.include(`<time datetime="${new Date(stat.mtimeMs).toISOString()}">`);
    const dirRow = page.split('\n').find((line) => line.includes('href="sub/"'))!;
    expect(dirRow).to.include('<span>-</span>');
  });

  it('shows nothing of what a symlink out of the root leads to, unless followSymlinks', async () => {
    const row = (page: string) => page.split('\n').find((line) => line.includes('href="link-out"'))!;
    const link = fs.lstatSync(path.join(tree.root, 'link-out'));
    const target = fs.statSync(path.join(tree.root, 'link-out'));
    expect(link.size).to.not.equal(target.size);
    const confined = row(text(await request(await serve(), '/')));
    expect(confined).to.include(`<span title="${link.size} bytes">`);
    expect(confined).to.include(`<time datetime="${new Date(link.mtimeMs).toISOString()}">`);
    const following = await serveStatic(teardown, { directory: tree.root, followSymlinks: true });
    expect(row(text(await request(following.serverAddress, '/')))).to.include(`<span title="${target.size} bytes">`);
    const inside = text(await request(await serve(), '/'))
      .split('\n')
      .find((line) => line.includes('href="link-in"'))!;
    expect(inside).to.include(`<span title="${fs.statSync(path.join(tree.root, 'hello.txt')).size} bytes">`);
  });

  it('sorts by the column a heading link names, either way', async () => {
    const address = await serve();
    const byName = links(text(await request(address, '/')));
    const byNameDown = links(text(await request(address, '/?sort=name&order=desc')));
    expect(byNameDown).to.deep.equal([...byName].reverse());
    const bySizeDown = links(text(await request(address, '/?sort=size&order=desc')));
    expect(bySizeDown[0]).to.deep.equal(['big.bin', 'big.bin']);
    fs.utimesSync(path.join(tree.root, 'notype'), new Date(2001, 0, 1), new Date(2001, 0, 1));
    const byTime = links(text(await request(address, '/?sort=modified&order=asc')));
    expect(byTime[0]).to.deep.equal(['notype', 'notype']);
    expect(links(text(await request(address, '/?sort=bogus&order=sideways')))).to.deep.equal(byName);
  });

  it('has heading links that toggle the order of the current column', async () => {
    const address = await serve();
    const page = text(await request(address, '/?sort=size&order=asc'));
    expect(page).to.include('<a href="?sort=size&amp;order=desc">Size ▲</a>');
    expect(page).to.include('<a href="?sort=name&amp;order=asc">Name</a>');
  });

  it('is readable in light and dark mode', async () => {
    const page = text(await request(await serve(), '/'));
    expect(page).to.include('color-scheme: light dark;');
  });

  it('escapes names in text and percent-encodes them in hrefs', async () => {
    const page = text(await request(await serve(), '/sub/'));
    expect(page).not.to.include('<img');
    expect(page).to.include(
      '<a href="%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.txt">&lt;img src=x onerror=alert(1)&gt;.txt</a>',
    );
    expect(page).to.include('<a href="a%26b.txt">a&amp;b.txt</a>');
  });

  it('leaves out names that are not UTF-8 (no request path can name them)', async () => {
    const response = await request(await serve(), '/sub/');
    expect(response.status).to.equal(200);
    expect(text(response)).not.to.include('not-');
  });

  it('forbids loading anything and sniffing the type', async () => {
    const response = await request(await serve(), '/');
    expect(headerOf(response, 'Content-type')).to.equal('text/html; charset=utf-8');
    expect(headerOf(response, 'Content-Security-Policy')).to.equal("default-src 'none'; style-src 'unsafe-inline'");
    expect(headerOf(response, 'X-Content-Type-Options')).to.equal('nosniff');
  });

  it('can be replaced by overriding listDirectory (e.g. to hide listings)', async () => {
    class NoListing extends QuietStaticHandler {
      override async listDirectory(): Promise<null> {
        await this.sendError(403, 'Listing disabled');
        return null;
      }
    }
    const server = await serveStatic(teardown, { directory: tree.root }, NoListing);
    const response = await request(server.serverAddress, '/sub/');
    expect(response.statusLine).to.equal('HTTP/1.1 403 Listing disabled');
    expect(text(await request(server.serverAddress, '/sub/a.txt'))).to.equal('a\n');
  });

  it('lists a directory of 3000 entries', async () => {
    const crowded = path.join(tree.root, 'crowded');
    fs.mkdirSync(crowded);
    for (let i = 0; i < 3000; i++) fs.writeFileSync(path.join(crowded, `f${i}.txt`), '');
    const page = text(await request(await serve(), '/crowded/'));
    expect(links(page)).to.have.length(3000);
  });

  describe('helpers', () => {
    const sizes: [number, string][] = [
      [0, '0 B'],
      [1023, '1023 B'],
      [1024, '1.0 KiB'],
      [1536, '1.5 KiB'],
      [10 * 1024, '10 KiB'],
      [5 * 1024 * 1024 * 1024, '5.0 GiB'],
    ];
    for (const [bytes, shown] of sizes) {
      it(`formatSize(${bytes}) is ${shown}`, () => {
        expect(formatSize(bytes)).to.equal(shown);
      });
    }

    it('compares names by code point, as Python does', () => {
      expect(compareCodePoints('\u{1f600}', '\uffff')).to.be.greaterThan(0);
      expect(compareCodePoints('a', 'ab')).to.be.lessThan(0);
      expect(compareCodePoints('é', 'é')).to.equal(0);
    });
  });
});
