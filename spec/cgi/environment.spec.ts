/**
 * The script's environment is an allow-list (issue 6 §2, security cases C1–C5, C19, C20): `HTTP_*`
 * for the request headers except `Proxy` (httpoxy), credentials and framing; header names that
 * collide once `-` becomes `_` refused with 400; nothing of the server's own environment beyond
 * PATH and what the handler is given; no shell in between; the script's directory as its working
 * directory and, when the server runs as root, the user `nobody`.
 */
import { expect } from 'chai';
import * as path from 'node:path';
import { cgiExchange, cgiGet, cgiPost, envReport, serveCgi, useCgiFixture } from '../support/cgi-server';
import { Teardown } from '../support/teardown';

/** What the CGI variables may be; anything else in a script's environment is a leak. */
const ALLOWED = new Set([
  'PATH',
  'SERVER_SOFTWARE',
  'SERVER_NAME',
  'GATEWAY_INTERFACE',
  'SERVER_PROTOCOL',
  'SERVER_PORT',
  'REQUEST_METHOD',
  'PATH_INFO',
  'PATH_TRANSLATED',
  'SCRIPT_NAME',
  'QUERY_STRING',
  'REMOTE_ADDR',
  'REMOTE_HOST',
  'REMOTE_PORT',
  'CONTENT_TYPE',
  'CONTENT_LENGTH',
  'REQUEST_URI',
  'SCRIPT_FILENAME',
  'DOCUMENT_ROOT',
  'AUTH_TYPE',
  'REMOTE_USER',
  'HTTPS',
  // python3 sets this one itself at start-up (PEP 538), in any process without a locale
  'LC_CTYPE',
]);

describe('CGIHTTPRequestHandler: the environment', function () {
  this.timeout(20000);
  const teardown = new Teardown();
  const fixture = useCgiFixture(teardown);

  it('passes the other request headers as HTTP_*, repeated ones joined with ", "', async () => {
    const { env } = envReport(
      await cgiGet(fixture.cgi.address, '/cgi-bin/env.py', [
        'Accept-Language: de',
        'X-Trace: 1',
        'X-Trace: 2',
        'Dnt: 1',
      ]),
    );
    expect(env).to.deep.include({ HTTP_HOST: 't', HTTP_ACCEPT_LANGUAGE: 'de', HTTP_X_TRACE: '1, 2', HTTP_DNT: '1' });
  });

  it('never sets HTTP_PROXY from a Proxy header (httpoxy)', async () => {
    const { env } = envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py', ['Proxy: http://127.0.0.1:9/']));
    expect(env).to.not.have.property('HTTP_PROXY');
    expect(Object.values(env)).to.not.include('http://127.0.0.1:9/');
  });

  it('never passes credentials: no HTTP_AUTHORIZATION, no HTTP_PROXY_AUTHORIZATION', async () => {
    const { env } = envReport(
      await cgiGet(fixture.cgi.address, '/cgi-bin/env.py', [
        'Authorization: Basic dXNlcjpwYXNz',
        'Proxy-Authorization: Basic eDp5',
      ]),
    );
    expect(env).to.not.have.property('HTTP_AUTHORIZATION');
    expect(env).to.not.have.property('HTTP_PROXY_AUTHORIZATION');
    expect(env).to.deep.include({ AUTH_TYPE: 'Basic', REMOTE_USER: 'user' });
  });

  it('takes CONTENT_LENGTH and CONTENT_TYPE only from the real fields, never HTTP_CONTENT_*', async () => {
    const { env } = envReport(
      await cgiGet(fixture.cgi.address, '/cgi-bin/env.py', ['Content_Type: text/x-fake', 'Content_Length: 99']),
    );
    expect(env).to.deep.include({ CONTENT_LENGTH: '', CONTENT_TYPE: 'text/plain' });
    expect(Object.keys(env).filter((name) => name.startsWith('HTTP_CONTENT'))).to.deep.equal([]);
    const twin = await cgiPost(fixture.cgi.address, '/cgi-bin/env.py', 'abc', [
      'Content-Type: text/x-real',
      'Content_Type: x',
    ]);
    expect(twin.status).to.equal(400);
  });

  it('answers 400 for header names that collide once - becomes _ (X-Foo and X_Foo)', async () => {
    const response = await cgiGet(fixture.cgi.address, '/cgi-bin/env.py', ['X-Foo: a', 'X_Foo: b']);
    expect(response.statusLine).to.equal("HTTP/1.1 400 Header fields 'X-Foo' and 'X_Foo' name the same CGI variable");
  });

  it('answers 400 when an underscore name would shadow a header Python passes (User_Agent)', async () => {
    const response = await cgiGet(fixture.cgi.address, '/cgi-bin/env.py', ['User-Agent: real', 'User_Agent: spoofed']);
    expect(response.status).to.equal(400);
  });

  it('passes an underscore name with no twin, but never lets it stand for a Python variable', async () => {
    const { env } = envReport(
      await cgiGet(fixture.cgi.address, '/cgi-bin/env.py', ['X_Alone: 1', 'User_Agent: spoofed']),
    );
    expect(env['HTTP_X_ALONE']).to.equal('1');
    expect(env['HTTP_USER_AGENT']).to.equal('');
  });

  it('drops header names that cannot stand in a variable name', async () => {
    const { env } = envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py', ['X.Dotted: 1', "X'Quote: 2"]));
    expect(Object.keys(env).filter((name) => name.includes('DOTTED') || name.includes('QUOTE'))).to.deep.equal([]);
  });

  it("leaks nothing of the server's environment beyond PATH", async () => {
    process.env['SOCKSERVE_SECRET_TOKEN'] = 'canary-123';
    try {
      const { env } = envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py', ['X-Ok: 1']));
      const unexpected = Object.keys(env).filter((name) => !ALLOWED.has(name) && !name.startsWith('HTTP_'));
      expect(unexpected).to.deep.equal([]);
      expect(Object.values(env)).to.not.include('canary-123');
    } finally {
      delete process.env['SOCKSERVE_SECRET_TOKEN'];
    }
  });

  it('sets PATH from cgiPath and adds cgiEnvironment last', async () => {
    const configured = await serveCgi(teardown, {
      directory: fixture.tree.root,
      cgiPath: '/usr/bin:/bin',
      cgiEnvironment: { APP_MODE: 'test', GATEWAY_INTERFACE: 'CGI/1.1-custom' },
    });
    const { env } = envReport(await cgiGet(configured.address, '/cgi-bin/env.py'));
    expect(env).to.deep.include({ PATH: '/usr/bin:/bin', APP_MODE: 'test', GATEWAY_INTERFACE: 'CGI/1.1-custom' });
  });

  it('adds REQUEST_URI, SCRIPT_FILENAME, DOCUMENT_ROOT and REMOTE_PORT', async () => {
    const { env } = envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py/p?q=1'));
    expect(env).to.deep.include({
      REQUEST_URI: '/cgi-bin/env.py/p?q=1',
      SCRIPT_FILENAME: path.join(fixture.tree.root, 'cgi-bin', 'env.py'),
      DOCUMENT_ROOT: fixture.tree.root,
    });
    expect(Number(env['REMOTE_PORT'])).to.be.greaterThan(0);
  });

  it('starts the script without a shell: a Shellshock User-Agent is only a value', async () => {
    const agent = '() { :; }; echo; echo INJECTED';
    const response = await cgiGet(fixture.cgi.address, '/cgi-bin/hello.sh', [`User-Agent: ${agent}`]);
    expect(response.body.toString()).to.equal('hello\n');
    expect(
      envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py', [`User-Agent: ${agent}`])).env['HTTP_USER_AGENT'],
    ).to.equal(agent);
  });

  it('runs the script in its own directory', async () => {
    expect(envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py')).cwd).to.equal(
      path.join(fixture.tree.root, 'cgi-bin'),
    );
  });

  it('runs scripts as nobody when the server runs as root (as Python), and as root with cgiUser null', async function () {
    if (process.getuid?.() !== 0) this.skip();
    expect(envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py')).uid).to.equal(65534);
    const asRoot = await serveCgi(teardown, { directory: fixture.tree.root, cgiUser: null });
    expect(envReport(await cgiGet(asRoot.address, '/cgi-bin/env.py')).uid).to.equal(0);
  });

  it('refuses a request target holding a NUL byte with 400 (it cannot go into an environment)', async () => {
    const response = await cgiExchange(fixture.cgi.address, 'GET /cgi-bin/env.py?a\x00b HTTP/1.1\r\nHost: t');
    expect(response.status).to.equal(400);
  });
});
