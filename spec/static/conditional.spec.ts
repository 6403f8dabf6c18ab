/**
 * Validators and conditional requests: strong ETags, If-None-Match (over If-Modified-Since, `*`,
 * weak comparison, lists), If-Match and If-Unmodified-Since (412), and HTTP dates in all three
 * forms RFC 9110 requires a recipient to read.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseHttpDate } from '../../lib/http/static/http-date';
import { buildStaticTree, type StaticTree } from '../fixtures/static-tree';
import { WireClient, headerNames, headerOf } from '../support/http-wire';
import { request, serveStatic, text } from '../support/static-server';
import { Teardown } from '../support/teardown';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** `Sunday, 06-Nov-94 08:49:37 GMT` for `date`. */
function rfc850(date: Date): string {
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${WEEKDAYS[date.getUTCDay()]}, ${two(date.getUTCDate())}-${MONTHS[date.getUTCMonth()]}-${two(date.getUTCFullYear() % 100)} ${time} GMT`;
}

/** `Sun Nov  6 08:49:37 1994` for `date`. */
function asctime(date: Date): string {
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  const day = String(date.getUTCDate()).padStart(2, ' ');
  return `${WEEKDAYS[date.getUTCDay()]!.slice(0, 3)} ${MONTHS[date.getUTCMonth()]} ${day} ${time} ${date.getUTCFullYear()}`;
}

describe('SimpleHTTPRequestHandler: validators and conditional requests', () => {
  const teardown = new Teardown();
  let tree: StaticTree;
  let etag: string;
  let lastModified: string;
  before(() => {
    tree = buildStaticTree();
  });
  after(() => tree.remove());
  afterEach(() => teardown.run());

  async function serve() {
    const address = (await serveStatic(teardown, { directory: tree.root })).serverAddress;
    const response = await request(address, '/hello.txt');
    etag = headerOf(response, 'ETag')!;
    lastModified = headerOf(response, 'Last-Modified')!;
    return address;
  }

  async function status(headers: Record<string, string>, method = 'GET'): Promise<number> {
    return (await request(await serve(), '/hello.txt', headers, method)).status;
  }

  describe('ETag', () => {
    it('is strong and quoted', async () => {
      await serve();
      expect(etag).to.match(/^"[0-9a-z-]+"$/);
    });

    it('differs between files and changes when a file is rewritten', async () => {
      const address = await serve();
      const other = headerOf(await request(address, '/sub/a.txt'), 'ETag');
      expect(other).not.to.equal(etag);
      const file = path.join(tree.root, 'sub', 'deeper', 'b.txt');
      const before = headerOf(await request(address, '/sub/deeper/b.txt'), 'ETag');
      fs.writeFileSync(file, 'c\n');
      const after = headerOf(await request(address, '/sub/deeper/b.txt'), 'ETag');
      expect(after).not.to.equal(before);
    });
  });

  describe('If-None-Match', () => {
    it('answers 304 for the current tag, with the tag and no body', async () => {
      const address = await serve();
      const response = await request(address, '/hello.txt', { 'If-None-Match': etag });
      expect(response.statusLine).to.equal('HTTP/1.1 304 Not Modified');
      expect(headerNames(response)).to.deep.equal(['Server', 'Date', 'ETag']);
      expect(headerOf(response, 'ETag')).to.equal(etag);
      expect(response.body.length).to.equal(0);
    });

    it('answers 304 to HEAD too', async () => {
      await serve();
      expect(await status({ 'If-None-Match': etag }, 'HEAD')).to.equal(304);
    });

    it('matches *', async () => {
      expect(await status({ 'If-None-Match': '*' })).to.equal(304);
    });

    it('compares weakly (W/ on either side matches)', async () => {
      await serve();
      expect(await status({ 'If-None-Match': `W/${etag}` })).to.equal(304);
    });

    it('matches a tag anywhere in a list, and across repeated fields', async () => {
      await serve();
      expect(await status({ 'If-None-Match': `"a", ${etag}, "b"` })).to.equal(304);
      const address = await serve();
      const client = await WireClient.open(address);
      client.write(`GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: "x"\r\nIf-None-Match: ${etag}\r\n\r\n`);
      expect((await client.response()).status).to.equal(304);
    });

    it('answers 200 for other tags', async () => {
      expect(await status({ 'If-None-Match': '"nope", W/"other"' })).to.equal(200);
    });

    it('takes precedence over If-Modified-Since (either way)', async () => {
      await serve();
      expect(await status({ 'If-None-Match': '"nope"', 'If-Modified-Since': lastModified })).to.equal(200);
      expect(await status({ 'If-None-Match': etag, 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).to.equal(
        304,
      );
    });
  });

  describe('If-Match and If-Unmodified-Since', () => {
    it('If-Match with the current tag or * proceeds', async () => {
      await serve();
      expect(await status({ 'If-Match': etag })).to.equal(200);
      expect(await status({ 'If-Match': '*' })).to.equal(200);
      expect(await status({ 'If-Match': `"x", ${etag}` })).to.equal(200);
    });

    it('If-Match with another tag, or a weak one, answers 412', async () => {
      await serve();
      const response = await request(await serve(), '/hello.txt', { 'If-Match': '"other"' });
      expect(response.statusLine).to.equal('HTTP/1.1 412 Precondition Failed');
      expect(text(response)).not.to.include('hello world');
      expect(await status({ 'If-Match': `W/${etag}` })).to.equal(412);
    });

    it('If-Unmodified-Since before the modification answers 412, at or after it proceeds', async () => {
      await serve();
      expect(await status({ 'If-Unmodified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).to.equal(412);
      expect(await status({ 'If-Unmodified-Since': lastModified })).to.equal(200);
    });

    it('If-Unmodified-Since is ignored when If-Match is present, and when it is not a date', async () => {
      await serve();
      expect(await status({ 'If-Match': etag, 'If-Unmodified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).to.equal(200);
      expect(await status({ 'If-Unmodified-Since': 'yesterday' })).to.equal(200);
    });

    it('If-Match failing wins over If-None-Match', async () => {
      await serve();
      expect(await status({ 'If-Match': '"other"', 'If-None-Match': etag })).to.equal(412);
    });
  });

  describe('If-Modified-Since in every HTTP date form', () => {
    it('reads IMF-fixdate, RFC 850 and asctime dates', async () => {
      await serve();
      const date = new Date(Date.parse(lastModified));
      for (const form of [lastModified, rfc850(date), asctime(date)]) {
        expect(await status({ 'If-Modified-Since': form }), form).to.equal(304);
      }
      const earlier = new Date(date.getTime() - 1000);
      for (const form of [earlier.toUTCString(), rfc850(earlier), asctime(earlier)]) {
        expect(await status({ 'If-Modified-Since': form }), form).to.equal(200);
      }
    });
  });

  describe('parseHttpDate()', () => {
    const valid: [string, number][] = [
      ['Sun, 06 Nov 1994 08:49:37 GMT', 784111777000],
      ['Sunday, 06-Nov-94 08:49:37 GMT', 784111777000],
      ['Sun Nov  6 08:49:37 1994', 784111777000],
      ['  Sun, 06 Nov 1994 08:49:37 GMT  ', 784111777000],
      ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
    ];
    for (const [input, expected] of valid) {
      it(`reads ${JSON.stringify(input)}`, () => {
        expect(parseHttpDate(input)).to.equal(expected);
      });
    }

    const invalid = [
      '',
      '\x01garbage',
      'Mon, 99 Foo 99999 00:00:00 GMT',
      'Sun, 31 Feb 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 25:49:37 GMT',
      'Sun, 06 Nov 1994 08:49:37 +0100',
      'Sun, 6 Nov 1994 08:49:37 GMT',
      '784111777',
      '1994-11-06T08:49:37Z',
    ];
    for (const input of invalid) {
      it(`rejects ${JSON.stringify(input)}`, () => {
        expect(parseHttpDate(input)).to.equal(null);
      });
    }
  });
});
