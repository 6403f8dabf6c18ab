/**
 * CGIHTTPRequestHandler against Python 3.14's CGIHTTPRequestHandler, item by item of issue 6 §1:
 * is_cgi with Python's path collapse (nested directories, `%2f`), is_executable, is_python,
 * do_POST's 501, the 404 and 403 texts, the environment Python sets, the argument rule for a query
 * without `=`, and `.py` scripts without the executable bit (run with python3, as Python does
 * where it cannot fork). spec/cgi/differential.spec.ts compares the same cases with python3 itself.
 */
import { expect } from 'chai';
import * as path from 'node:path';
import { CGIHTTPRequestHandler } from '../../lib/http/index';
import { cgiGet, cgiPost, envReport, serveCgi, useCgiFixture } from '../support/cgi-server';
import { headerOf } from '../support/http-wire';
import { Teardown } from '../support/teardown';

/** A handler that is never run (no connection): only its path logic is used. */
function detached(requestPath: string, cgiDirectories?: string[]): CGIHTTPRequestHandler {
  const handler = new CGIHTTPRequestHandler(null as never, ['127.0.0.1', 0], null as never);
  handler.path = requestPath;
  if (cgiDirectories !== undefined) handler.cgiDirectories = cgiDirectories;
  return handler;
}

describe('CGIHTTPRequestHandler: Python parity', function () {
  this.timeout(20000);
  const teardown = new Teardown();
  const fixture = useCgiFixture(teardown, (tree) => ({ cgiEnvironment: { PIDDIR: tree.pids } }));

  describe('isCgi() and cgiInfo', () => {
    const cases: [string, [string, string] | null][] = [
      ['/cgi-bin/hello.sh', ['/cgi-bin', 'hello.sh']],
      ['/htbin/hello.sh', ['/htbin', 'hello.sh']],
      ['/cgi-bin/sub/deep.sh/a/b?x=1', ['/cgi-bin', 'sub/deep.sh/a/b']],
      ['/cgi-bin/', ['/cgi-bin', '']],
      ['/cgi-bin', null],
      ['/cgi-binx/hello.sh', null],
      ['/ok.txt', null],
      ['/cgi-bin%2fhello.sh', ['/cgi-bin', 'hello.sh']],
      ['//cgi-bin/hello.sh', ['/cgi-bin', 'hello.sh']],
      ['/cgi-bin/../cgi-bin/hello.sh', ['/cgi-bin', 'hello.sh']],
      ['/sub/../cgi-bin/./hello.sh', ['/cgi-bin', 'hello.sh']],
      ['/%2e%2e/cgi-bin/hello.sh', ['/cgi-bin', 'hello.sh']],
      ['/cgi-bin/..', null],
      ['/cgi-bin/../secret.txt', null],
      ['/cgi-bin//x//y/', ['/cgi-bin', 'x/y/']],
      ['/cgi-bin/x/.', ['/cgi-bin', 'x/']],
      ['/CGI-BIN/hello.sh', null],
      ['/cgi-bin/%00', null],
    ];
    for (const [requestPath, expected] of cases) {
      it(`${requestPath} → ${JSON.stringify(expected)}`, () => {
        const handler = detached(requestPath);
        expect(handler.isCgi()).to.equal(expected !== null);
        expect(handler.cgiInfo).to.deep.equal(expected);
      });
    }

    it('takes nested CGI directories from cgiDirectories, the first match winning', () => {
      const handler = detached('/app/cgi/run.sh', ['/app/cgi']);
      expect(handler.isCgi()).to.equal(true);
      expect(handler.cgiInfo).to.deep.equal(['/app/cgi', 'run.sh']);
    });
  });

  describe('isExecutable() and isPython()', () => {
    it('reads the executable bit as access(X_OK) does', () => {
      const handler = detached('/');
      expect(handler.isExecutable(path.join(fixture.tree.root, 'cgi-bin', 'hello.sh'))).to.equal(true);
      expect(handler.isExecutable(path.join(fixture.tree.root, 'cgi-bin', 'noexec.cgi'))).to.equal(false);
      expect(handler.isExecutable(path.join(fixture.tree.root, 'cgi-bin', 'missing'))).to.equal(false);
    });

    it('knows .py and .pyw, in any case, as Python scripts', () => {
      const handler = detached('/');
      expect(['a.py', 'B.PY', 'c.pyw', 'd.sh', 'py'].map((name) => handler.isPython(name))).to.deep.equal([
        true,
        true,
        true,
        false,
        false,
      ]);
    });
  });

  describe('answers', () => {
    it('runs an executable script for GET with its header block', async () => {
      const response = await cgiGet(fixture.cgi.address, '/cgi-bin/hello.sh');
      expect(response.statusLine).to.equal('HTTP/1.1 200 OK');
      expect(headerOf(response, 'Content-Type')).to.equal('text/plain');
      expect(response.body.toString()).to.equal('hello\n');
    });

    it('runs scripts in the second directory, /htbin', async () => {
      expect((await cgiGet(fixture.cgi.address, '/htbin/hello.sh')).body.toString()).to.equal('htbin\n');
    });

    it('walks nested directories: SCRIPT_NAME is the script, PATH_INFO what follows', async () => {
      const response = await cgiGet(fixture.cgi.address, '/cgi-bin/sub/deep.sh/extra/path');
      expect(response.body.toString()).to.equal('deep /cgi-bin/sub/deep.sh|/extra/path\n');
    });

    it("answers a POST elsewhere with 501 'Can only POST to CGI scripts'", async () => {
      const response = await cgiPost(fixture.cgi.address, '/ok.txt', 'a=1');
      expect(response.statusLine).to.equal('HTTP/1.1 501 Can only POST to CGI scripts');
    });

    it("answers 404 No such CGI script ('/cgi-bin/missing.sh')", async () => {
      const response = await cgiGet(fixture.cgi.address, '/cgi-bin/missing.sh');
      expect(response.statusLine).to.equal("HTTP/1.1 404 No such CGI script ('/cgi-bin/missing.sh')");
    });

    it("answers 403 CGI script is not a plain file ('/cgi-bin/') for the directory", async () => {
      const response = await cgiGet(fixture.cgi.address, '/cgi-bin/');
      expect(response.statusLine).to.equal("HTTP/1.1 403 CGI script is not a plain file ('/cgi-bin/')");
      expect(response.body.toString()).to.not.include('hello.sh');
    });

    it('redirects /cgi-bin to /cgi-bin/ as a directory, never listing it', async () => {
      const response = await cgiGet(fixture.cgi.address, '/cgi-bin');
      expect(response.status).to.equal(301);
      expect(headerOf(response, 'Location')).to.equal('/cgi-bin/');
    });

    it("answers 403 CGI script is not executable ('/cgi-bin/noexec.cgi') without an interpreter", async () => {
      const response = await cgiGet(fixture.cgi.address, '/cgi-bin/noexec.cgi');
      expect(response.statusLine).to.equal("HTTP/1.1 403 CGI script is not executable ('/cgi-bin/noexec.cgi')");
    });

    it('runs a .py script without the executable bit with python3 (Python without fork)', async () => {
      const response = await cgiGet(fixture.cgi.address, '/cgi-bin/plain.py');
      expect(response.status).to.equal(200);
      expect(response.body.toString()).to.equal('plain python\n');
    });

    it('serves files outside the CGI directories as SimpleHTTPRequestHandler does', async () => {
      const response = await cgiGet(fixture.cgi.address, '/ok.txt');
      expect(response.status).to.equal(200);
      expect(response.body.toString()).to.equal('ok');
    });
  });

  describe('the environment Python sets', () => {
    it('has the server, request, script and client variables', async () => {
      const response = await cgiGet(fixture.cgi.address, '/cgi-bin/env.py/a%20b/c?x=1&y=%41', [
        'Accept: text/html',
        'Accept: text/plain',
        'User-Agent: spec-agent',
        'Cookie: a=1',
        'Cookie: b=2',
        'Referer: http://t/from',
      ]);
      const { env } = envReport(response);
      const [host, port] = fixture.cgi.address as [string, number];
      expect(env).to.deep.include({
        SERVER_SOFTWARE: `SimpleHTTP/0.6 Node/${process.versions.node}`,
        SERVER_NAME: host,
        GATEWAY_INTERFACE: 'CGI/1.1',
        SERVER_PROTOCOL: 'HTTP/1.1',
        SERVER_PORT: String(port),
        REQUEST_METHOD: 'GET',
        PATH_INFO: '/a b/c',
        PATH_TRANSLATED: path.join(fixture.tree.root, 'a b', 'c'),
        SCRIPT_NAME: '/cgi-bin/env.py',
        QUERY_STRING: 'x=1&y=%41',
        REMOTE_ADDR: '127.0.0.1',
        REMOTE_HOST: '',
        CONTENT_TYPE: 'text/plain',
        CONTENT_LENGTH: '',
        HTTP_ACCEPT: 'text/html,text/plain',
        HTTP_USER_AGENT: 'spec-agent',
        HTTP_COOKIE: 'a=1, b=2',
        HTTP_REFERER: 'http://t/from',
      });
    });

    it("sets Python's empty defaults and PATH_TRANSLATED to the directory without PATH_INFO", async () => {
      const { env } = envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py'));
      expect(env).to.deep.include({
        QUERY_STRING: '',
        PATH_INFO: '',
        PATH_TRANSLATED: fixture.tree.root,
        HTTP_USER_AGENT: '',
        HTTP_COOKIE: '',
        HTTP_REFERER: '',
        HTTP_ACCEPT: '',
        CONTENT_LENGTH: '',
      });
    });

    it('sets CONTENT_TYPE and CONTENT_LENGTH from a POST, and the body reaches stdin', async () => {
      const report = envReport(
        await cgiPost(fixture.cgi.address, '/cgi-bin/env.py', 'firstname=Bob', [
          'Content-Type: application/x-www-form-urlencoded',
        ]),
      );
      expect(report.env).to.deep.include({
        REQUEST_METHOD: 'POST',
        CONTENT_TYPE: 'application/x-www-form-urlencoded',
        CONTENT_LENGTH: '13',
      });
      expect(report.stdin).to.equal(13);
    });

    it('sets AUTH_TYPE and REMOTE_USER for Basic credentials, AUTH_TYPE alone for other schemes', async () => {
      const basic = envReport(
        await cgiGet(fixture.cgi.address, '/cgi-bin/env.py', [
          `Authorization: Basic ${Buffer.from('ann:pw').toString('base64')}`,
        ]),
      );
      expect(basic.env).to.deep.include({ AUTH_TYPE: 'Basic', REMOTE_USER: 'ann' });
      const bearer = envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py', ['Authorization: Bearer abc']));
      expect(bearer.env['AUTH_TYPE']).to.equal('Bearer');
      expect(bearer.env).to.not.have.property('REMOTE_USER');
    });
  });

  describe('arguments', () => {
    it("passes a query without '=' as one argument, '+' read as a space, not %-decoded", async () => {
      expect(envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py?a+b%2Bc')).argv.slice(1)).to.deep.equal([
        'a b%2Bc',
      ]);
      expect(envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py?-h')).argv.slice(1)).to.deep.equal(['-h']);
    });

    it("passes no argument for a query with '=', and '' for no query (Python appends it too)", async () => {
      expect(envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py?x=1')).argv.slice(1)).to.deep.equal([]);
      expect(envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py')).argv.slice(1)).to.deep.equal(['']);
    });

    it('passes none at all with cgiQueryArgument = false', async () => {
      const quiet = await serveCgi(teardown, { directory: fixture.tree.root, cgiQueryArgument: false });
      expect(envReport(await cgiGet(quiet.address, '/cgi-bin/env.py?-h')).argv.slice(1)).to.deep.equal([]);
    });
  });
});
