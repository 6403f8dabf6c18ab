/**
 * The tutorial's CGI step, run as the docs say: `npx ts-node lib/cli.ts --cgi -d samples/cgi 8000`
 * (here on a free port). samples/cgi/index.html has the `firstname` form posting to
 * samples/cgi/cgi-bin/post.py; samples/cgi/cgi-bin/post.js and samples/cgi/cgi-bin/post.sh answer
 * the same in Node.js and sh; samples/cgi/cgi-bin/prg.py answers a POST with 303 See Other to
 * samples/cgi/cgi-bin/greet.py (Post/Redirect/Get). A copy without executable bits proves the
 * scripts also run through the interpreters chosen by extension.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cgiGet, cgiPost, serveCgi } from '../support/cgi-server';
import { startCommand, type RunningCommand } from '../support/cgi-command';
import { headerOf } from '../support/http-wire';
import { Teardown } from '../support/teardown';

const SAMPLES = path.resolve(__dirname, '..', '..', 'samples', 'cgi');
/** `firstname=Böb <x>` as a browser encodes the form. */
const FORM = 'firstname=B%C3%B6b+%3Cx%3E';
const PAGE = '<p>Hello world!</p>\n<p>Böb &lt;x&gt;</p>\n';

describe('samples/cgi: the tutorial form posting to a CGI script', function () {
  this.timeout(60000);
  let command: RunningCommand;
  before(async () => {
    command = await startCommand(['--cgi', '-b', '127.0.0.1', '-d', 'samples/cgi', '0']);
  });
  after(async () => {
    expect(await command.stop()).to.equal(0);
  });

  it('serves index.html with the firstname form posting to cgi-bin/post.py', async () => {
    const response = await cgiGet(command.address, '/');
    expect(response.status).to.equal(200);
    const page = response.body.toString();
    expect(page).to.match(/<form name="input" action="cgi-bin\/post\.py" method="post">/);
    expect(page).to.include('<input type="text" name="firstname" />');
    expect((await cgiGet(command.address, '/test.jpg')).status).to.equal(200);
  });

  for (const script of ['post.py', 'post.js', 'post.sh']) {
    it(`cgi-bin/${script} greets the posted name, HTML-escaped`, async () => {
      const response = await cgiPost(command.address, `/cgi-bin/${script}`, FORM, [
        'Content-Type: application/x-www-form-urlencoded',
      ]);
      expect(response.statusLine).to.equal('HTTP/1.0 200 OK');
      expect(headerOf(response, 'Content-Type')).to.equal('text/html; charset=utf-8');
      expect(response.body.toString('utf8')).to.equal(PAGE);
    });
  }

  it('cgi-bin/prg.py answers 303 See Other, and the GET it points to shows the name', async () => {
    const posted = await cgiPost(command.address, '/cgi-bin/prg.py', FORM);
    expect(posted.statusLine).to.equal('HTTP/1.0 303 See Other');
    const location = headerOf(posted, 'Location')!;
    expect(location).to.equal('/cgi-bin/greet.py?firstname=B%C3%B6b+%3Cx%3E');
    const got = await cgiGet(command.address, location);
    expect(got.body.toString('utf8')).to.equal('<p>Hello, Böb &lt;x&gt;!</p>\n');
  });

  it('logs each request in the access log', () => {
    expect(command.stderr()).to.match(/"POST \/cgi-bin\/post\.py HTTP\/1\.1" 200 -/);
  });
});

describe('samples/cgi without the executable bit: interpreters by extension', function () {
  this.timeout(20000);
  const teardown = new Teardown();
  let copy = '';
  before(() => {
    copy = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-cgi-samples-'));
    fs.chmodSync(copy, 0o755);
    fs.cpSync(SAMPLES, copy, { recursive: true });
    for (const name of fs.readdirSync(path.join(copy, 'cgi-bin')))
      fs.chmodSync(path.join(copy, 'cgi-bin', name), 0o644);
  });
  after(async () => {
    await teardown.run();
    fs.rmSync(copy, { recursive: true, force: true });
  });

  it('runs .py with python3, .js with node and .sh with sh', async () => {
    const cgi = await serveCgi(teardown, { directory: copy });
    for (const script of ['post.py', 'post.js', 'post.sh']) {
      const response = await cgiPost(cgi.address, `/cgi-bin/${script}`, FORM);
      expect([script, response.body.toString('utf8')]).to.deep.equal([script, PAGE]);
    }
  });
});
