/**
 * The directory listing as a person sees it, in headless Chromium: SimpleHTTPRequestHandler over
 * the static fixture tree on 127.0.0.1 port 0, one browser for the whole file. Screenshots of the
 * listing in light and dark mode go to artifacts/ (CI keeps them).
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { RecordingHTTPServer } from '../support/http-handlers';
import { buildStaticTree, type StaticTree } from '../fixtures/static-tree';
import { artifactPath, BrowserSession } from '../support/browser';
import { serveStatic } from '../support/static-server';
import { Teardown } from '../support/teardown';
import { contrastRatio, parseComputedColor, relativeLuminance } from './colors';

/** One entry of the list as shown: the link's text and href, the size cell, the time cell. */
interface ShownRow {
  readonly name: string;
  readonly href: string;
  readonly size: string;
  /** The size cell's tooltip (`N bytes`), null for a directory. */
  readonly sizeTitle: string | null;
  readonly modified: string;
  /** The `<time datetime>` value. */
  readonly datetime: string | null;
}

/** A computed text colour and the background it is painted on (the page's canvas if none is set). */
interface Painted {
  readonly text: string;
  readonly background: string;
}

/** An old modification time for `notype`, and a later one for `hello.txt`, so sorting is predictable. */
const NOTYPE_MTIME = new Date('2001-02-03T04:05:00Z');
const HELLO_MTIME = new Date('2020-05-06T07:08:00Z');

/** How the listing shows a modification time: `YYYY-MM-DD HH:MM`, UTC. */
function shownTime(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

/** Each li of the listing's ul, as shown. */
async function shownRows(page: Page): Promise<ShownRow[]> {
  // The function runs in the page (the specs compile without DOM types, so its elements are untyped).
  return page.locator('ul > li').evaluateAll((items) =>
    items.map((item) => {
      const [link, size, time] = item.children;
      return {
        name: link.innerText,
        href: link.getAttribute('href'),
        size: size?.innerText ?? '',
        sizeTitle: size?.getAttribute('title') ?? null,
        modified: time?.innerText ?? '',
        datetime: time?.getAttribute('datetime') ?? null,
      };
    }),
  );
}

/** The byte count a size cell's tooltip gives (`1048699 bytes` → 1048699). */
function bytesOf(row: ShownRow): number {
  const match = /^(\d+) bytes$/.exec(row.sizeTitle ?? '');
  if (match === null) throw new Error(`no byte count on ${row.name}: ${String(row.sizeTitle)}`);
  return Number(match[1]);
}

/** The colour of `element`'s text and of the first background behind it (the canvas if none). */
async function painted(element: Locator): Promise<Painted> {
  return element.evaluate((node) => {
    const view = node.ownerDocument.defaultView;
    const transparent = 'rgba(0, 0, 0, 0)';
    let background = transparent;
    for (let layer = node; layer !== null && background === transparent; layer = layer.parentElement) {
      background = view.getComputedStyle(layer).backgroundColor;
    }
    if (background === transparent) {
      const canvas = node.ownerDocument.createElement('span');
      canvas.style.backgroundColor = 'Canvas';
      node.append(canvas);
      background = view.getComputedStyle(canvas).backgroundColor;
      canvas.remove();
    }
    return { text: view.getComputedStyle(node).color, background };
  });
}

function contrastOf(colors: Painted): number {
  return contrastRatio(parseComputedColor(colors.text), parseComputedColor(colors.background));
}

/** Click `link`, wait for the page it leads to, and check that URL. */
async function follow(page: Page, link: Locator, expectedUrl: string): Promise<void> {
  await link.click();
  await page.waitForURL(expectedUrl);
  expect(page.url()).to.equal(expectedUrl);
}

describe('the directory listing in headless Chromium', function () {
  // Each test drives several page loads; on a loaded 2-core machine one takes up to half a second.
  this.timeout(30_000);
  const teardown = new Teardown();
  let tree: StaticTree | undefined;
  let session: BrowserSession | undefined;
  let servers: RecordingHTTPServer[] = [];
  /** `http://127.0.0.1:port` of sockserve's listing, and of the Python-compatible one. */
  let base = '';
  let pythonBase = '';

  after(async () => {
    await session?.close();
    await teardown.run();
    tree?.remove();
  });

  before(async function () {
    this.timeout(60_000);
    tree = buildStaticTree();
    fs.utimesSync(path.join(tree.root, 'notype'), NOTYPE_MTIME, NOTYPE_MTIME);
    fs.utimesSync(path.join(tree.root, 'hello.txt'), HELLO_MTIME, HELLO_MTIME);
    const rich = await serveStatic(teardown, { directory: tree.root });
    const python = await serveStatic(teardown, { directory: tree.root, pythonListing: true });
    servers = [rich, python];
    base = `http://127.0.0.1:${rich.serverAddress[1]}`;
    pythonBase = `http://127.0.0.1:${python.serverAddress[1]}`;
    session = await BrowserSession.launch();
  });

  function browser(): BrowserSession {
    if (session === undefined) throw new Error('Chromium was not launched');
    return session;
  }

  /** Open `url` in light mode; it must answer 200. */
  async function open(url: string): Promise<Page> {
    const { page } = browser();
    await page.emulateMedia({ colorScheme: 'light' });
    const response = await page.goto(url);
    expect(response?.status(), url).to.equal(200);
    return page;
  }

  /** No console error, page error or CSP violation in the browser, no handler error in a server. */
  function expectNothingWentWrong(): void {
    expect(browser().takeProblems()).to.deep.equal([]);
    expect(servers.flatMap((server) => server.reported)).to.deep.equal([]);
  }

  // First, so the screenshots show no visited links.
  it('is readable in light and dark mode (screenshots in artifacts/)', async () => {
    const page = await open(`${base}/`);
    const samples = {
      heading: page.locator('h1'),
      columnHeading: page.locator('.head a').first(),
      link: page.locator('ul > li:nth-child(1) > a'),
      stripedLink: page.locator('ul > li:nth-child(2) > a'),
      stripedTime: page.locator('ul > li:nth-child(2) > time'),
    };
    const seen: Record<string, Record<string, Painted>> = {};
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: artifactPath(`listing-${scheme}.png`), fullPage: true });
      const colors: Record<string, Painted> = {};
      for (const [part, element] of Object.entries(samples)) {
        colors[part] = await painted(element);
        expect(contrastOf(colors[part]!), `${scheme} ${part} ${JSON.stringify(colors[part])}`).to.be.at.least(4.5);
      }
      seen[scheme] = colors;
    }
    const canvas = (scheme: string) => relativeLuminance(parseComputedColor(seen[scheme]!['heading']!.background));
    expect(canvas('light')).to.be.greaterThan(0.8);
    expect(canvas('dark')).to.be.lessThan(0.1);
    expect(seen['dark']!['heading']!.text).not.to.equal(seen['light']!['heading']!.text);
    expect(seen['dark']!['stripedLink']!.background).not.to.equal(seen['light']!['stripedLink']!.background);
    expect(fs.statSync(artifactPath('listing-light.png')).size).to.be.greaterThan(1000);
    expect(fs.statSync(artifactPath('listing-dark.png')).size).to.be.greaterThan(1000);
    expectNothingWentWrong();
  });

  it('shows the title, sizes and modification times, one row per entry', async () => {
    const page = await open(`${base}/`);
    expect(await page.title()).to.equal('Directory listing for /');
    expect(await page.locator('h1').innerText()).to.equal('Directory listing for /');
    expect(await page.getByRole('link', { name: 'Parent directory' }).count()).to.equal(0);
    const rows = await shownRows(page);
    const byName = new Map(rows.map((row) => [row.name, row]));
    expect(rows.map((row) => row.name)).to.include.members(['hello.txt', 'big.bin', 'sub/', 'empty/', 'link-in@']);
    expect(byName.get('hello.txt')).to.deep.include({ size: '12 B', sizeTitle: '12 bytes' });
    expect(byName.get('big.bin')).to.deep.include({ size: '1.0 MiB', sizeTitle: `${1024 * 1024 + 123} bytes` });
    expect(byName.get('sub/')).to.deep.include({ href: 'sub/', size: '-', sizeTitle: null });
    expect(byName.get('notype')).to.deep.include({
      modified: shownTime(NOTYPE_MTIME),
      datetime: NOTYPE_MTIME.toISOString(),
    });
    const appMtime = fs.statSync(path.join(tree!.root, 'app.js')).mtime;
    expect(byName.get('app.js')?.modified).to.equal(shownTime(appMtime));
    // The three cells of a row sit side by side on one line, and nothing overflows the window.
    const bigRow = page.locator('li', { has: page.getByRole('link', { name: 'big.bin', exact: true }) });
    const boxes = await Promise.all(['a', 'span', 'time'].map((cell) => bigRow.locator(cell).boundingBox()));
    const [name, size, time] = boxes.map((box) => box!);
    expect(Math.abs(name!.y - size!.y)).to.be.lessThan(2);
    expect(Math.abs(size!.y - time!.y)).to.be.lessThan(2);
    expect(name!.x + name!.width).to.be.lessThan(size!.x);
    expect(size!.x + size!.width).to.be.lessThan(time!.x);
    const overflow = await page.evaluate('document.documentElement.scrollWidth - innerWidth');
    expect(overflow).to.be.at.most(0);
    expectNothingWentWrong();
  });

  it('shows names with <&>, spaces, quotes and é as they are, and their links open those files', async () => {
    const page = await open(`${base}/`);
    const names = (await shownRows(page)).map((row) => row.name);
    expect(names).to.include.members(['<test&>.txt', 'a b.txt', 'é.txt', `"q'.txt`]);
    const listText = await page.locator('ul').innerText();
    expect(listText).not.to.match(/&(amp|lt|gt|quot);/);
    const files: [string, string, string][] = [
      ['<test&>.txt', '/%3Ctest%26%3E.txt', 'markup name\n'],
      ['a b.txt', '/a%20b.txt', 'space name\n'],
      ['é.txt', '/%C3%A9.txt', 'accent name\n'],
    ];
    for (const [name, urlPath, content] of files) {
      await follow(page, page.getByRole('link', { name, exact: true }), `${base}${urlPath}`);
      expect(await page.locator('body').innerText()).to.equal(content);
      await page.goBack();
      await page.waitForURL(`${base}/`);
    }
    expectNothingWentWrong();
  });

  it('follows links into subdirectories, to a file, and back up through the parent links', async () => {
    const page = await open(`${base}/`);
    await follow(page, page.getByRole('link', { name: 'sub/', exact: true }), `${base}/sub/`);
    expect(await page.locator('h1').innerText()).to.equal('Directory listing for /sub/');
    expect((await shownRows(page)).map((row) => row.name)).to.deep.equal(['a.txt', 'deeper/']);
    await follow(page, page.getByRole('link', { name: 'deeper/', exact: true }), `${base}/sub/deeper/`);
    expect(await page.title()).to.equal('Directory listing for /sub/deeper/');
    await follow(page, page.getByRole('link', { name: 'b.txt', exact: true }), `${base}/sub/deeper/b.txt`);
    expect(await page.locator('body').innerText()).to.equal('b\n');
    await page.goBack();
    await page.waitForURL(`${base}/sub/deeper/`);
    await follow(page, page.getByRole('link', { name: 'Parent directory' }), `${base}/sub/`);
    await follow(page, page.getByRole('link', { name: 'Parent directory' }), `${base}/`);
    expect(await page.locator('h1').innerText()).to.equal('Directory listing for /');
    expectNothingWentWrong();
  });

  it('sorts by name, size and modification time from the column headings', async () => {
    const page = await open(`${base}/`);
    const pythonOrder = (await shownRows(page)).map((row) => row.name);
    const headings = page.locator('.head a');
    expect(await headings.allInnerTexts()).to.deep.equal(['Name ▲', 'Size', 'Modified (UTC)']);

    await follow(page, headings.filter({ hasText: 'Size' }), `${base}/?sort=size&order=asc`);
    expect(await headings.allInnerTexts()).to.deep.equal(['Name', 'Size ▲', 'Modified (UTC)']);
    const ascendingRows = await shownRows(page);
    const folders = ascendingRows.filter((row) => row.sizeTitle === null).length;
    // Folders show no size: they stay together, before every file.
    expect(ascendingRows.slice(0, folders).every((row) => row.sizeTitle === null)).to.equal(true);
    const ascending = ascendingRows.filter((row) => row.sizeTitle !== null).map(bytesOf);
    expect(ascending).to.deep.equal([...ascending].sort((a, b) => a - b));

    await follow(page, headings.filter({ hasText: 'Size' }), `${base}/?sort=size&order=desc`);
    expect(await headings.allInnerTexts()).to.deep.equal(['Name', 'Size ▼', 'Modified (UTC)']);
    const descendingRows = await shownRows(page);
    expect(descendingRows[0]?.name).to.equal('big.bin');
    const descending = descendingRows.filter((row) => row.sizeTitle !== null).map(bytesOf);
    expect(descending).to.deep.equal([...descending].sort((a, b) => b - a));

    await follow(page, headings.filter({ hasText: 'Modified' }), `${base}/?sort=modified&order=asc`);
    const byTime = (await shownRows(page)).map((row) => row.name);
    expect(byTime.slice(0, 3)).to.deep.equal(['notype', 'hello.txt', 'link-in@']);
    await follow(page, headings.filter({ hasText: 'Modified' }), `${base}/?sort=modified&order=desc`);
    expect((await shownRows(page)).map((row) => row.name).at(-1)).to.equal('notype');

    await follow(page, headings.filter({ hasText: 'Name' }), `${base}/?sort=name&order=asc`);
    expect((await shownRows(page)).map((row) => row.name)).to.deep.equal(pythonOrder);
    await follow(page, headings.filter({ hasText: 'Name' }), `${base}/?sort=name&order=desc`);
    expect((await shownRows(page)).map((row) => row.name)).to.deep.equal([...pythonOrder].reverse());
    expectNothingWentWrong();
  });

  it('keeps names readable on a phone-sized screen: the time moves under the name', async () => {
    const page = await open(`${base}/sub/`);
    await page.setViewportSize({ width: 375, height: 740 });
    const row = page.locator('ul > li').first();
    const [rowBox, linkBox, timeBox] = await Promise.all([
      row.boundingBox(),
      row.locator('a').boundingBox(),
      row.locator('time').boundingBox(),
    ]);
    expect(linkBox!.width).to.be.greaterThan(rowBox!.width * 0.5);
    expect(timeBox!.y).to.be.greaterThan(linkBox!.y);
    expect(await page.evaluate('document.documentElement.scrollWidth')).to.be.at.most(375);
    await page.setViewportSize({ width: 1280, height: 720 });
    expectNothingWentWrong();
  });

  it("renders the Python-compatible listing (pythonListing: true) as Python's list of links", async () => {
    const ours = (await shownRows(await open(`${base}/`))).map((row) => [row.name, row.href]);
    const page = await open(`${pythonBase}/`);
    expect(await page.title()).to.equal('Directory listing for /');
    expect(await page.locator('h1').innerText()).to.equal('Directory listing for /');
    const links = await page
      .locator('ul > li > a')
      .evaluateAll((anchors) => anchors.map((anchor) => [anchor.innerText, anchor.getAttribute('href')]));
    expect(links).to.deep.equal(ours);
    expect(await page.locator('ul > li > :not(a)').count()).to.equal(0);
    expect(await page.getByRole('link', { name: 'Parent directory' }).count()).to.equal(0);
    await follow(page, page.getByRole('link', { name: 'sub/', exact: true }), `${pythonBase}/sub/`);
    expect(await page.locator('ul > li > a').allInnerTexts()).to.deep.equal(['a.txt', 'deeper/']);
    await page.emulateMedia({ colorScheme: 'dark' });
    const heading = await painted(page.locator('h1'));
    expect(relativeLuminance(parseComputedColor(heading.background))).to.be.lessThan(0.1);
    expect(contrastOf(heading)).to.be.at.least(4.5);
    expectNothingWentWrong();
  });
});
