/**
 * Traversal into and out of CGI directories (security cases C6–C9, gh-104711, CVE-2011-1015):
 * every spelling of a script's path either runs it or answers 4xx — never its source — because
 * classification and file mapping both start from the one canonical path pipeline. Paths that
 * leave a CGI directory are static files; PATH_TRANSLATED stays inside the served directory; a
 * symlink out of the tree and dot-files (with serveDotfiles false) are not run.
 */
import { expect } from 'chai';
import { scriptSource } from '../support/cgi-tree';
import { cgiExchange, cgiGet, envReport, serveCgi, useCgiFixture } from '../support/cgi-server';
import { Teardown } from '../support/teardown';

describe('CGIHTTPRequestHandler: path safety', function () {
  this.timeout(20000);
  const teardown = new Teardown();
  const fixture = useCgiFixture(teardown);

  const runs = [
    '/cgi-bin/hello.sh',
    '/cgi-bin/../cgi-bin/hello.sh',
    '/cgi-bin//hello.sh',
    '/./cgi-bin/hello.sh',
    '//cgi-bin/hello.sh',
    '/%63gi-bin/hello.sh',
    '/cgi-bin%2fhello.sh',
    '/cgi-bin%2Fhello.sh',
    '/sub/../cgi-bin/hello.sh',
    '/%2e%2e/cgi-bin/hello.sh',
    '/cgi-bin/%2e/hello.sh',
    '/cgi-bin/sub/%2e%2e/hello.sh',
    '/../../cgi-bin/hello.sh',
  ];
  for (const target of runs) {
    it(`runs the script for ${target}, never sending its source`, async () => {
      const response = await cgiGet(fixture.cgi.address, target);
      expect([response.status, response.body.toString()]).to.deep.equal([200, 'hello\n']);
    });
  }

  const refused: [string, number][] = [
    ['/CGI-BIN/hello.sh', 404],
    ['/cgi-bin/hello.sh%00', 400],
    ['/cgi-bin/hello.sh::$DATA', 404],
    ['/cgi-bin\\hello.sh', 400],
    ['/cgi-bin/%5chello.sh', 400],
    ['/cgi-bin/hello.sh%', 400],
  ];
  for (const [target, status] of refused) {
    it(`answers ${status} for ${target}, never the source`, async () => {
      const response = await cgiGet(fixture.cgi.address, target);
      expect(response.status).to.equal(status);
      expect(response.body.toString()).to.not.include(scriptSource('hello.sh').split('\n')[1]);
    });
  }

  it('POST to a path the pipeline rejects is a 400, not a 501', async () => {
    const response = await cgiExchange(
      fixture.cgi.address,
      'POST /cgi-bin/%zz HTTP/1.1\r\nHost: t\r\nContent-Length: 0',
    );
    expect(response.status).to.equal(400);
  });

  it('serves a path that leaves the CGI directory as a static file (/cgi-bin/../secret.txt)', async () => {
    const response = await cgiGet(fixture.cgi.address, '/cgi-bin/../secret.txt');
    expect([response.status, response.body.toString()]).to.deep.equal([200, 'SECRET-CANARY']);
  });

  it('applies encoded dot-segments to the whole path first: PATH_INFO never climbs out', async () => {
    const { env } = envReport(await cgiGet(fixture.cgi.address, '/cgi-bin/env.py/a/%2e%2e/b'));
    expect([env['PATH_INFO'], env['PATH_TRANSLATED']]).to.deep.equal(['/b', `${fixture.tree.root}/b`]);
    // ..%2f three times climbs above env.py and cgi-bin: what is left is the static /secret.txt, inside the root
    const climbed = await cgiGet(fixture.cgi.address, '/cgi-bin/env.py/..%2f..%2f..%2fsecret.txt');
    expect([climbed.status, climbed.body.toString()]).to.deep.equal([200, 'SECRET-CANARY']);
  });

  it('does not run a program through a symlink that leaves the tree', async () => {
    const response = await cgiGet(fixture.cgi.address, '/cgi-bin/out/id');
    expect(response.statusLine).to.equal("HTTP/1.1 404 No such CGI script ('/cgi-bin/out/id')");
  });

  it('runs it with followSymlinks = true (as Python would)', async () => {
    const following = await serveCgi(teardown, { directory: fixture.tree.root, followSymlinks: true });
    const response = await cgiGet(following.address, '/cgi-bin/out/true');
    // /usr/bin/true prints no header block: the point is that it ran
    expect(response.status).to.equal(502);
  });

  it('runs dot-file scripts as Python does, and answers 404 with serveDotfiles = false', async () => {
    expect((await cgiGet(fixture.cgi.address, '/cgi-bin/.hidden.sh')).body.toString()).to.equal('hidden\n');
    const strict = await serveCgi(teardown, { directory: fixture.tree.root, serveDotfiles: false });
    expect((await cgiGet(strict.address, '/cgi-bin/.hidden.sh')).status).to.equal(404);
  });
});
