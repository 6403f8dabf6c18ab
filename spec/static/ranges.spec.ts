/**
 * Range requests: one range → 206 with Content-Range (suffix and open ranges included), an
 * unsatisfiable one → 416 with `Content-Range: bytes *\/size`, several ranges → 200 with the whole
 * file (the documented choice), If-Range by tag or date, and Accept-Ranges.
 */
import { expect } from 'chai';
import { parseRange } from '../../lib/http/static/ranges';
import { buildStaticTree, type StaticTree } from '../fixtures/static-tree';
import { WireClient, headerNames, headerOf } from '../support/http-wire';
import { request, serveStatic, text } from '../support/static-server';
import { Teardown } from '../support/teardown';

describe('SimpleHTTPRequestHandler: ranges', () => {
  const teardown = new Teardown();
  let tree: StaticTree;
  before(() => {
    tree = buildStaticTree();
  });
  after(() => tree.remove());
  afterEach(() => teardown.run());

  async function serve() {
    return (await serveStatic(teardown, { directory: tree.root })).serverAddress;
  }

  it('advertises Accept-Ranges: bytes on files', async () => {
    expect(headerOf(await request(await serve(), '/hello.txt'), 'Accept-Ranges')).to.equal('bytes');
  });

  const partials: [string, string, string][] = [
    ['bytes=0-4', 'bytes 0-4/12', 'hello'],
    ['bytes=6-', 'bytes 6-11/12', 'world\n'],
    ['bytes=-6', 'bytes 6-11/12', 'world\n'],
    ['bytes=-100', 'bytes 0-11/12', 'hello world\n'],
    ['bytes=0-0', 'bytes 0-0/12', 'h'],
    ['bytes=11-11', 'bytes 11-11/12', '\n'],
    ['bytes=6-1000', 'bytes 6-11/12', 'world\n'],
    ['BYTES=0-1', 'bytes 0-1/12', 'he'],
    ['bytes= 0-1 ,', 'bytes 0-1/12', 'he'],
  ];
  for (const [range, contentRange, body] of partials) {
    it(`${range}: 206 ${contentRange}`, async () => {
      const response = await request(await serve(), '/hello.txt', { Range: range });
      expect(response.statusLine).to.equal('HTTP/1.1 206 Partial Content');
      expect(headerNames(response)).to.deep.equal([
        'Server',
        'Date',
        'Content-type',
        'Content-Range',
        'Content-Length',
        'Last-Modified',
        'ETag',
        'Accept-Ranges',
      ]);
      expect(headerOf(response, 'Content-Range')).to.equal(contentRange);
      expect(headerOf(response, 'Content-Length')).to.equal(String(Buffer.byteLength(body)));
      expect(text(response)).to.equal(body);
    });
  }

  for (const range of ['bytes=12-', 'bytes=-0', 'bytes=999999999-', 'bytes=99999999999999999999999-']) {
    it(`${range}: 416 with Content-Range bytes */12`, async () => {
      const address = await serve();
      const client = await WireClient.open(address);
      client.write(
        `GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: ${range}\r\n\r\nGET /sub/a.txt HTTP/1.1\r\nHost: t\r\n\r\n`,
      );
      const [response, next] = await client.responses(2);
      expect(response!.statusLine).to.equal('HTTP/1.1 416 Range Not Satisfiable');
      expect(headerOf(response!, 'Content-Range')).to.equal('bytes */12');
      expect(headerOf(response!, 'Content-Length')).to.equal('0');
      expect(text(next!)).to.equal('a\n');
    });
  }

  const wholes: [string, string][] = [
    ['bytes=5-2', 'a reversed range is invalid'],
    ['items=0-1', 'another unit'],
    ['bytes=a-b', 'not numbers'],
    ['bytes=0-1,3-4', 'several ranges: the whole file'],
    [Array.from({ length: 1000 }, () => '0-0').join(','), '1000 ranges: the whole file, once'],
    ['bytes=', 'no range'],
  ];
  for (const [range, why] of wholes) {
    it(`${range.slice(0, 40)}: 200 with the whole file (${why})`, async () => {
      const value = range.startsWith('0-0') ? `bytes=${range}` : range;
      const response = await request(await serve(), '/hello.txt', { Range: value });
      expect(response.status).to.equal(200);
      expect(headerOf(response, 'Content-Range')).to.equal(undefined);
      expect(text(response)).to.equal('hello world\n');
    });
  }

  it('ignores Range on HEAD (Range is defined for GET)', async () => {
    const response = await request(await serve(), '/hello.txt', { Range: 'bytes=0-4' }, 'HEAD');
    expect(response.status).to.equal(200);
    expect(headerOf(response, 'Content-Length')).to.equal('12');
  });

  it('ignores Range on a listing', async () => {
    const response = await request(await serve(), '/sub/', { Range: 'bytes=0-4' });
    expect(response.status).to.equal(200);
    expect(text(response)).to.include('<h1>Directory listing for /sub/</h1>');
  });

  describe('If-Range', () => {
    async function validators(address: Awaited<ReturnType<typeof serve>>) {
      const response = await request(address, '/hello.txt');
      return { etag: headerOf(response, 'ETag')!, lastModified: headerOf(response, 'Last-Modified')! };
    }

    it('applies the range when it names the current tag or Last-Modified', async () => {
      const address = await serve();
      const { etag, lastModified } = await validators(address);
      for (const ifRange of [etag, lastModified]) {
        const response = await request(address, '/hello.txt', { Range: 'bytes=0-4', 'If-Range': ifRange });
        expect(response.status, ifRange).to.equal(206);
        expect(text(response)).to.equal('hello');
      }
    });

    it('sends the whole file for another tag, a weak tag, another date or garbage', async () => {
      const address = await serve();
      const { etag } = await validators(address);
      for (const ifRange of ['"other"', `W/${etag}`, 'Thu, 01 Jan 1970 00:00:00 GMT', 'garbage']) {
        const response = await request(address, '/hello.txt', { Range: 'bytes=0-4', 'If-Range': ifRange });
        expect(response.status, ifRange).to.equal(200);
        expect(text(response)).to.equal('hello world\n');
      }
    });
  });

  describe('streamed files', () => {
    it('sends a range from the middle of a large file', async () => {
      const start = 1000000;
      const end = tree.big.length - 2;
      const response = await request(await serve(), '/big.bin', { Range: `bytes=${start}-${end}` });
      expect(response.status).to.equal(206);
      expect(headerOf(response, 'Content-Range')).to.equal(`bytes ${start}-${end}/${tree.big.length}`);
      expect(response.body.equals(tree.big.subarray(start, end + 1))).to.equal(true);
    });

    it('sends a suffix of a large file', async () => {
      const response = await request(await serve(), '/big.bin', { Range: 'bytes=-70000' });
      expect(response.body.equals(tree.big.subarray(tree.big.length - 70000))).to.equal(true);
    });
  });

  describe('parseRange()', () => {
    it('treats an empty file as unsatisfiable for every range', () => {
      expect(parseRange('bytes=0-', 0)).to.deep.equal({ kind: 'unsatisfiable' });
      expect(parseRange('bytes=-5', 0)).to.deep.equal({ kind: 'unsatisfiable' });
    });

    it('rejects spaces around = (not the ABNF)', () => {
      expect(parseRange('bytes =0-1', 12)).to.deep.equal({ kind: 'whole' });
    });
  });
});
