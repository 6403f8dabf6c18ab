/**
 * Runs each HTTP sample (samples/http_*.ts) as a child process, the way a reader runs it: it
 * prints its real port (started on port 0), answers real HTTP requests made with node:http (the
 * page, the picture's exact bytes, the form, the JSON API), and exits with code 0 on SIGTERM
 * (and on SIGINT, checked once).
 *
 * Children run through ts-node in transpile-only mode (`tsc --noEmit` does the type check), and
 * all of them start together in `before`, so the file costs about one ts-node start-up.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { RunningSample, SAMPLE_START_MS } from './support/running-sample';
import { request, type RequestOptions } from './support/node-http-client';

const ROOT = path.resolve(__dirname, '..');
const PICTURE = readFileSync(path.join(ROOT, 'samples', 'static', 'test.jpg'));

/** `application/x-www-form-urlencoded` body with one field, as a browser submits the form. */
function formBody(firstname: string): string {
  return new URLSearchParams({ firstname }).toString();
}

const FORM_TYPE = { 'Content-Type': 'application/x-www-form-urlencoded' };
const SCRIPT = '<script>alert("pwned")</script>';
const ESCAPED_SCRIPT = '&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;';

describe('HTTP samples (samples/http_*.ts)', () => {
  const samples = new Map<string, RunningSample>();
  const ports = new Map<string, number>();
  const NAMES = ['http_raw_server', 'http_raw_form_server', 'http_handler_server', 'http_handler_form_server'];
  const ALL = [...NAMES, 'http_json_api'];

  before(async function () {
    this.timeout(SAMPLE_START_MS + 5000);
    // `after` kills whatever is still running, even if a start fails.
    for (const name of ALL) samples.set(name, new RunningSample(name));
    samples.set('http_handler_server#SIGINT', new RunningSample('http_handler_server'));
    await Promise.all([...samples].map(async ([key, sample]) => ports.set(key, await sample.port())));
  });

  after(async () => {
    await Promise.all([...samples.values()].map((sample) => sample.kill()));
  });

  function portOf(key: string): number {
    const port = ports.get(key);
    if (port === undefined) throw new Error(`${key} is not running`);
    return port;
  }

  function sampleOf(key: string): RunningSample {
    const sample = samples.get(key);
    if (sample === undefined) throw new Error(`${key} was not started`);
    return sample;
  }

  for (const name of NAMES) {
    describe(`${name}.ts: the tutorial's page and picture`, () => {
      it('answers GET / with the HTML page that shows test.jpg, framed by Content-Length', async () => {
        const reply = await request(portOf(name));
        expect(reply.status).to.equal(200);
        expect(reply.headers['content-type']).to.equal('text/html; charset=utf-8');
        expect(reply.headers['content-length']).to.equal(String(reply.body.length));
        expect(reply.body.toString('utf8'))
          .to.match(/^<!DOCTYPE html>/)
          .and.include('<img src="test.jpg"');
      });

      it('answers with an HTTP/1.0 status line (the tutorial wrote "HTTP/1.x")', async () => {
        const reply = await request(portOf(name));
        expect(reply.httpVersion).to.equal('1.0');
        expect(reply.statusMessage).to.equal('OK');
      });

      it('answers GET /test.jpg with the bytes of samples/static/test.jpg as image/jpeg', async () => {
        const reply = await request(portOf(name), { path: '/test.jpg' });
        expect(reply.status).to.equal(200);
        expect(reply.headers['content-type']).to.equal('image/jpeg');
        expect(reply.body.equals(PICTURE), 'the picture arrives byte for byte').to.equal(true);
      });
    });
  }

  describe('http_raw_server.ts', () => {
    it('answers a method other than GET with 501', async () => {
      const reply = await request(portOf('http_raw_server'), { method: 'DELETE' });
      expect(reply.status).to.equal(501);
    });

    it('logs each request on stdout, as the tutorial prints it', () => {
      expect(sampleOf('http_raw_server').stdout).to.match(
        /^Connected by 127\.0\.0\.1:\d+ {2}request: "GET \/ HTTP\/1\.1"$/m,
      );
    });
  });

  describe('http_handler_server.ts', () => {
    it('sends Server and Date headers first, as BaseHTTPRequestHandler does', async () => {
      const reply = await request(portOf('http_handler_server'));
      expect(reply.headers.server).to.equal(`BaseHTTP/0.6 Node/${process.versions.node}`);
      expect(reply.headers.date).to.match(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    });

    it("answers POST (no do_POST) with Python's 501 reason phrase", async () => {
      const reply = await request(portOf('http_handler_server'), { method: 'POST', body: 'x=1' });
      expect(reply.status).to.equal(501);
      expect(reply.statusMessage).to.equal("Unsupported method ('POST')");
    });

    it("writes Python's access-log line on stderr", () => {
      expect(sampleOf('http_handler_server').stderr).to.match(
        /^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4} \d{2}:\d{2}:\d{2}\] "GET \/test\.jpg HTTP\/1\.1" 200 -$/m,
      );
    });
  });

  for (const name of ['http_raw_form_server', 'http_handler_form_server']) {
    describe(`${name}.ts: the form`, () => {
      it('shows a form that posts a firstname field back to the same server', async () => {
        const page = (await request(portOf(name))).body.toString('utf8');
        expect(page).to.include('<form name="input" action="/" method="post">');
        expect(page).to.include('<input type="text" name="firstname">');
      });

      it('shows the submitted name, decoded from the form encoding', async () => {
        const reply = await request(portOf(name), { method: 'POST', headers: FORM_TYPE, body: formBody('张三 Li+1') });
        expect(reply.status).to.equal(200);
        expect(reply.headers['content-type']).to.equal('text/html; charset=utf-8');
        expect(reply.body.toString('utf8')).to.include('<p>张三 Li+1</p>');
      });

      it('HTML-escapes the submitted value, so a <script> is shown, not run', async () => {
        const reply = await request(portOf(name), { method: 'POST', headers: FORM_TYPE, body: formBody(SCRIPT) });
        const page = reply.body.toString('utf8');
        expect(page).to.include(`<p>${ESCAPED_SCRIPT}</p>`);
        expect(page).not.to.include('<script');
      });

      it('refuses a body that is not a form with 415', async () => {
        const reply = await request(portOf(name), {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain' },
          body: 'firstname=x',
        });
        expect(reply.status).to.equal(415);
      });

      it('refuses a form over 64 KiB with 413', async () => {
        const reply = await request(portOf(name), {
          method: 'POST',
          headers: FORM_TYPE,
          body: formBody('x'.repeat(70_000)),
        });
        expect(reply.status).to.equal(413);
      });
    });
  }

  describe('http_handler_form_server.ts', () => {
    it('reads a chunked upload (no Content-Length) through rfile', async () => {
      const reply = await request(portOf('http_handler_form_server'), {
        method: 'POST',
        headers: FORM_TYPE,
        body: ['first', 'name=Ada+', 'Lovelace'],
      });
      expect(reply.status).to.equal(200);
      expect(reply.body.toString('utf8')).to.include('<p>Ada Lovelace</p>');
    });
  });

  describe('http_json_api.ts', () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    after(() => agent.destroy());
    const json = { 'Content-Type': 'application/json' };

    it('creates items with POST /items and lists them with GET, over one kept-alive connection', async () => {
      const port = portOf('http_json_api');
      const empty = await request(port, { path: '/items', agent });
      expect(empty.status).to.equal(200);
      expect(empty.httpVersion).to.equal('1.1');
      expect(empty.headers['content-type']).to.equal('application/json');
      expect(JSON.parse(empty.body.toString('utf8'))).to.deep.equal([]);

      const created = await request(port, {
        method: 'POST',
        path: '/items',
        headers: json,
        body: JSON.stringify({ name: 'tea' }),
        agent,
      });
      expect(created.status).to.equal(201);
      expect(created.headers.location).to.equal('/items/1');
      expect(JSON.parse(created.body.toString('utf8'))).to.deep.equal({ id: 1, name: 'tea' });
      expect(created.reusedSocket, 'the second request reuses the connection').to.equal(true);

      const listed = await request(port, { path: '/items', agent });
      expect(JSON.parse(listed.body.toString('utf8'))).to.deep.equal([{ id: 1, name: 'tea' }]);
      const one = await request(port, { path: '/items/1', agent });
      expect(JSON.parse(one.body.toString('utf8'))).to.deep.equal({ id: 1, name: 'tea' });
      expect(one.reusedSocket).to.equal(true);
      expect(one.headers.connection).to.equal(undefined);
    });

    it('answers mistakes with a JSON error and keeps the connection', async () => {
      const port = portOf('http_json_api');
      const cases: [RequestOptions, number][] = [
        [{ path: '/items/99' }, 404],
        [{ path: '/elsewhere' }, 404],
        [{ method: 'POST', path: '/items', headers: json, body: '{"name":' }, 400],
        [{ method: 'POST', path: '/items', headers: json, body: '{"name":""}' }, 400],
        [{ method: 'POST', path: '/items', headers: { 'Content-Type': 'text/plain' }, body: 'tea' }, 415],
        [{ method: 'POST', path: '/items/1', headers: json, body: '{}' }, 405],
      ];
      for (const [options, status] of cases) {
        const reply = await request(port, { ...options, agent });
        expect(reply.status, `${options.method ?? 'GET'} ${options.path}`).to.equal(status);
        expect(JSON.parse(reply.body.toString('utf8')))
          .to.have.property('error')
          .that.is.a('string');
        expect(reply.reusedSocket).to.equal(true);
      }
    });

    it('reads a chunked JSON upload', async () => {
      const reply = await request(portOf('http_json_api'), {
        method: 'POST',
        path: '/items',
        headers: json,
        body: ['{"na', 'me":"mi', 'lk"}'],
        agent,
      });
      expect(reply.status).to.equal(201);
      expect(JSON.parse(reply.body.toString('utf8'))).to.have.property('name', 'milk');
    });
  });

  describe('stopping', () => {
    for (const name of ALL) {
      it(`${name}.ts exits with code 0 on SIGTERM`, async () => {
        // The JSON API's keep-alive agent was destroyed by its describe's `after`: no idle connection waits.
        expect(await sampleOf(name).stop('SIGTERM')).to.include({ code: 0, signal: null });
      });
    }

    it('http_handler_server.ts exits with code 0 on SIGINT (Ctrl-C)', async () => {
      expect(await sampleOf('http_handler_server#SIGINT').stop('SIGINT')).to.include({ code: 0, signal: null });
    });
  });
});
