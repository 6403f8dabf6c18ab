/**
 * What sockserve does with a script's output (issue 6 §2), over raw sockets: the header block is
 * read before anything is sent (Status, Location as internal redirect or 302, Content-Type needed
 * for a body, 502 for anything that is not a valid block), `nph-` scripts pass through, and the
 * response is framed — Content-Length when the output ended in time (the script's own when it
 * gives one), chunked on an HTTP/1.1 keep-alive connection otherwise, up to the close on HTTP/1.0
 * — so connections are reused. HEAD runs the script and sends no body.
 */
import { expect } from 'chai';
import { sayQuery, writtenPid } from '../support/cgi-tree';
import { cgiExchange, cgiGet, serveCgi, useCgiFixture } from '../support/cgi-server';
import { headerNames, headerOf, WireClient } from '../support/http-wire';
import { Teardown } from '../support/teardown';

describe('CGIHTTPRequestHandler: script responses', function () {
  this.timeout(20000);
  const teardown = new Teardown();
  const fixture = useCgiFixture(teardown, (tree) => ({ cgiEnvironment: { PIDDIR: tree.pids } }));

  /** GET say.py printing exactly `output`. */
  function say(output: string, method = 'GET'): ReturnType<typeof cgiGet> {
    return cgiGet(fixture.cgi.address, `/cgi-bin/say.py?${sayQuery(output)}`, [], method);
  }

  describe('the header block', () => {
    it('sends the status line, Server and Date, then the fields in order, then Content-Length', async () => {
      const response = await say('Content-Type: text/plain\nX-One: 1\nSet-Cookie: a=1\nSet-Cookie: b=2\n\nbody');
      expect(response.statusLine).to.equal('HTTP/1.1 200 OK');
      expect(headerNames(response)).to.deep.equal([
        'Server',
        'Date',
        'Content-Type',
        'X-One',
        'Set-Cookie',
        'Set-Cookie',
        'Content-Length',
      ]);
      expect(headerOf(response, 'Content-Length')).to.equal('4');
      expect(response.body.toString()).to.equal('body');
    });

    it('accepts CRLF line ends as well as LF', async () => {
      const response = await say('Content-Type: text/plain\r\n\r\nbody');
      expect([response.status, response.body.toString()]).to.deep.equal([200, 'body']);
    });

    it('takes the status and reason from Status:', async () => {
      const response = await say('Status: 404 Nothing Here\nContent-Type: text/plain\n\nmissing');
      expect(response.statusLine).to.equal('HTTP/1.1 404 Nothing Here');
      expect(headerNames(response)).to.not.include('Status');
      expect(response.body.toString()).to.equal('missing');
    });

    it('uses the standard reason when Status: has none', async () => {
      expect((await say('Status: 201\nContent-Type: text/plain\n\nmade')).statusLine).to.equal('HTTP/1.1 201 Created');
    });

    it('answers 302 for a Location that is a URL', async () => {
      const response = await say('Location: https://example.com/x\n\n');
      expect(response.statusLine).to.equal('HTTP/1.1 302 Found');
      expect(headerOf(response, 'Location')).to.equal('https://example.com/x');
      expect(headerOf(response, 'Content-Length')).to.equal('0');
    });

    it('sends Status: 303 with a local Location as it is (Post/Redirect/Get)', async () => {
      const response = await say('Status: 303 See Other\nLocation: /ok.txt\n\n');
      expect(response.statusLine).to.equal('HTTP/1.1 303 See Other');
      expect(headerOf(response, 'Location')).to.equal('/ok.txt');
    });

    it('serves a local Location without Status internally (RFC 3875 §6.2.2), as a GET', async () => {
      const response = await say('Location: /ok.txt\n\nignored body');
      expect(response.statusLine).to.equal('HTTP/1.1 200 OK');
      expect(response.body.toString()).to.equal('ok');
      expect(headerOf(response, 'Location')).to.equal(undefined);
    });

    it('follows an internal redirect to another script, and refuses a loop with 502', async () => {
      const hop = `/cgi-bin/say.py?${sayQuery('Location: /cgi-bin/hello.sh\n\n')}`;
      const chained = await say(`Location: ${hop}\n\n`);
      expect(chained.body.toString()).to.equal('hello\n');
      const loop = await cgiGet(fixture.cgi.address, '/cgi-bin/loop.sh');
      expect(loop.status).to.equal(502);
      expect(
        fixture.cgi.log.some((line) => line.startsWith("CGI internal redirects loop at '/cgi-bin/loop.sh'")),
      ).to.equal(true);
    });

    const invalid: [string, string][] = [
      ['no output at all', ''],
      ['a body without a header block', '<html>hi</html>'],
      ['output ending inside the header block', 'Content-Type: text/plain\n'],
      ['a line without a colon', 'Content-Type text/html\n\nx'],
      ['a bare CR inside a field (response splitting)', 'Content-Type: text/plain\nX: a\rInjected: b\n\nx'],
      ['a body without Content-Type', 'X-Only: 1\n\nbody'],
      ['a Status that is not a final status', 'Status: 100 Continue\nContent-Type: text/plain\n\nx'],
      ['a Status that is not a number', 'Status: OK\nContent-Type: text/plain\n\nx'],
      ['a bad Content-Length', 'Content-Type: text/plain\nContent-Length: 1x\n\nx'],
      ['output shorter than its Content-Length', 'Content-Type: text/plain\nContent-Length: 10\n\nshort'],
      ['an empty line first', '\nContent-Type: text/plain\n\nx'],
      ['obs-fold', 'Content-Type: text/plain\nX-Folded: a\n b\n\nx'],
    ];
    for (const [what, output] of invalid) {
      it(`answers 502 for ${what}, and logs why`, async () => {
        const response = await say(output);
        expect(response.statusLine).to.equal('HTTP/1.1 502 Bad Gateway');
        expect(response.body.toString()).to.not.include('Injected');
        expect(fixture.cgi.log.some((line) => line.startsWith('malformed header from CGI script'))).to.equal(true);
      });
    }

    it('answers 500 for a script that cannot be started (missing interpreter)', async () => {
      const response = await cgiGet(fixture.cgi.address, '/cgi-bin/badshebang.sh');
      expect(response.status).to.equal(500);
      expect(fixture.cgi.log.some((line) => line.startsWith('CGI script could not be started'))).to.equal(true);
    });

    it('allows a head without a body: Status 204, or a Location', async () => {
      const response = await say('Status: 204 No Content\n\n');
      expect(response.statusLine).to.equal('HTTP/1.1 204 No Content');
      expect(headerOf(response, 'Content-Length')).to.equal(undefined);
    });

    it("drops the script's own Server, Date, Connection and Transfer-Encoding", async () => {
      const response = await say(
        'Content-Type: text/plain\nServer: evil\nDate: never\nConnection: close\nTransfer-Encoding: chunked\n\nx',
      );
      expect(response.headers.filter(([name]) => name === 'Server').map(([, value]) => value)).to.deep.equal([
        `SimpleHTTP/0.6 Node/${process.versions.node}`,
      ]);
      expect(headerNames(response)).to.not.include('Transfer-Encoding');
      expect(headerNames(response).filter((name) => name === 'Date')).to.have.length(1);
      expect(response.body.toString()).to.equal('x');
    });

    it('passes nph- scripts through untouched, and closes the connection after them', async () => {
      const client = await WireClient.open(fixture.cgi.address);
      client.write('GET /cgi-bin/nph-raw.sh HTTP/1.1\r\nHost: t\r\n\r\n');
      const raw = await client.closed();
      expect(raw.toString('latin1')).to.equal('HTTP/1.0 299 Raw Script\r\nX-Raw: yes\r\n\r\nraw body');
      expect(fixture.cgi.log.some((line) => line.includes('"GET /cgi-bin/nph-raw.sh HTTP/1.1" 299'))).to.equal(true);
    });
  });

  describe('framing', () => {
    it("keeps the script's Content-Length, and cuts a longer body to it", async () => {
      const response = await say('Content-Type: text/plain\nContent-Length: 3\n\nabcdef');
      expect(headerOf(response, 'Content-Length')).to.equal('3');
      expect(response.body.toString()).to.equal('abc');
    });

    it('sends a quick small response in one write, Content-Length framed, and keeps the connection', async () => {
      const client = await WireClient.open(fixture.cgi.address);
      const reads: number[] = [];
      client.socket.on('data', (chunk: Buffer) => reads.push(chunk.length));
      client.write('GET /cgi-bin/hello.sh HTTP/1.1\r\nHost: t\r\n\r\n');
      const [first] = await client.responses(1);
      expect(headerOf(first!, 'Content-Length')).to.equal('6');
      expect(reads).to.deep.equal([first!.raw.length]);
      client.write('GET /cgi-bin/hello.sh HTTP/1.1\r\nHost: t\r\n\r\n');
      const both = await client.responses(2);
      expect(both[1]!.body.toString()).to.equal('hello\n');
      expect(client.ended).to.equal(false);
    });

    it('streams a slow body chunked on HTTP/1.1, and reuses the connection', async () => {
      const client = await WireClient.open(fixture.cgi.address);
      client.write('GET /cgi-bin/slow.sh HTTP/1.1\r\nHost: t\r\n\r\n');
      const [slow] = await client.responses(1);
      expect(headerOf(slow!, 'Transfer-Encoding')).to.equal('chunked');
      expect(headerOf(slow!, 'Content-Length')).to.equal(undefined);
      expect(slow!.body.toString()).to.equal('line 1\nline 2\nline 3\n');
      client.write('GET /ok.txt HTTP/1.1\r\nHost: t\r\n\r\n');
      const [, next] = await client.responses(2);
      expect(next!.body.toString()).to.equal('ok');
      expect(client.ended).to.equal(false);
    });

    it('streams a slow body up to the close for an HTTP/1.0 request', async () => {
      const client = await WireClient.open(fixture.cgi.address);
      client.write('GET /cgi-bin/slow.sh HTTP/1.0\r\n\r\n');
      const data = (await client.closed()).toString('latin1');
      expect(data).to.match(/^HTTP\/1\.1 200 OK\r\n/);
      expect(data).to.include('\r\nConnection: close\r\n');
      expect(data).to.not.match(/Transfer-Encoding|Content-Length/);
      expect(data.endsWith('\r\n\r\nline 1\nline 2\nline 3\n')).to.equal(true);
    });

    it('answers as HTTP/1.0 with a Content-Length, then closes, when protocolVersion is HTTP/1.0', async () => {
      const old = await serveCgi(teardown, { directory: fixture.tree.root, protocolVersion: 'HTTP/1.0' });
      const client = await WireClient.open(old.address);
      client.write('GET /cgi-bin/hello.sh HTTP/1.1\r\nHost: t\r\n\r\n');
      const [response] = await client.allResponses();
      expect(response!.statusLine).to.equal('HTTP/1.0 200 OK');
      expect(headerOf(response!, 'Content-Length')).to.equal('6');
    });
  });

  describe('HEAD', () => {
    it('runs the script and sends its head with the Content-Length, no body, keeping the connection', async () => {
      const client = await WireClient.open(fixture.cgi.address);
      client.write('HEAD /cgi-bin/pid.sh?head HTTP/1.1\r\nHost: t\r\n\r\n');
      const [head] = await client.responses(1, { head: [0] });
      expect(head!.statusLine).to.equal('HTTP/1.1 200 OK');
      expect(head!.body.length).to.equal(0);
      expect(Number(headerOf(head!, 'Content-Length'))).to.be.greaterThan(1);
      expect(writtenPid(fixture.tree, 'pid.head')).to.be.a('number');
      client.write('GET /ok.txt HTTP/1.1\r\nHost: t\r\n\r\n');
      const [, next] = await client.responses(2, { head: [0] });
      expect(next!.body.toString()).to.equal('ok');
    });

    it('sends no body for a slow script either', async () => {
      const response = await cgiExchange(
        fixture.cgi.address,
        'HEAD /cgi-bin/slow.sh HTTP/1.1\r\nHost: t\r\nConnection: close',
      );
      expect(response.status).to.equal(200);
      expect(response.raw.toString('latin1')).to.match(/\r\n\r\n$/);
      expect(headerOf(response, 'Transfer-Encoding')).to.equal(undefined);
    });
  });
});
