/**
 * Runs the samples of the how-to guides (docs/howto/) and of the Python http.server docs' examples
 * as child processes, the way a reader runs them: each starts on port 0, prints its real port,
 * answers real requests over 127.0.0.1, and exits with code 0 on SIGTERM. The mocha tests of
 * docs/howto/test-with-mocha.md (samples/greeting_handler.spec.ts, which tests samples/greeting_handler.ts)
 * run as part of this file.
 *
 * The nginx part starts Debian's /usr/sbin/nginx with the configuration block of
 * docs/howto/run-behind-nginx.md in front of samples/http_behind_proxy.ts. It is skipped, and says
 * so, on a machine without nginx (CI installs none unless .ci/run does).
 *
 * The samples and lib/ are transpiled once, in this process, the way ts-node's transpile-only mode
 * does it (`tsc --noEmit` does the type check), into a temp dir that mirrors the repository; the
 * children run that JavaScript with plain node, all started together in `before`. Eight ts-node
 * start-ups would cost tens of seconds on a busy 2-core machine; this costs about one.
 */
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TLSSocket } from 'node:tls';
import * as ts from 'typescript';
import { ChildProgram } from './support/child-program';
import { freePort, request } from './support/node-http-client';
import { sleep, waitFor, within } from './support/wait';
import '../samples/greeting_handler.spec';

const ROOT = path.resolve(__dirname, '..');
/** Generous: a start-up can take seconds on a loaded 2-core machine. */
const PROCESS_MS = 30_000;
const REPLY_MS = 10_000;
const TLS_DIR = path.join(ROOT, 'spec', 'fixtures', 'tls');
const NGINX = '/usr/sbin/nginx';
const NGINX_DOC = path.join(ROOT, 'docs', 'howto', 'run-behind-nginx.md');
/** `Serving HTTP on 127.0.0.1 port 41234 (…) ...`: the line every HTTP sample prints. */
const SERVING_HTTP = /^Serving HTTP on 127\.0\.0\.1 port (\d+) /m;

/**
 * Transpile lib/ and the named samples into `outDir` (same layout, `.js`), with tsconfig.json's
 * options and CommonJS output, and link what the programs look for next to them: samples/static
 * and node_modules.
 */
function buildSamples(names: readonly string[], outDir: string): void {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, ROOT);
  const compilerOptions: ts.CompilerOptions = { ...config.options, module: ts.ModuleKind.CommonJS, sourceMap: false };
  const sources = ts.sys
    .readDirectory(path.join(ROOT, 'lib'), ['.ts'])
    .filter((file) => !file.endsWith('.d.ts'))
    .concat(names.map((name) => path.join(ROOT, 'samples', `${name}.ts`)));
  for (const source of sources) {
    const { outputText } = ts.transpileModule(fs.readFileSync(source, 'utf8'), { compilerOptions, fileName: source });
    const target = path.join(outDir, path.relative(ROOT, source)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, outputText);
  }
  fs.symlinkSync(path.join(ROOT, 'samples', 'static'), path.join(outDir, 'samples', 'static'), 'dir');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
}

/** Where buildSamples() wrote (set in `before`). */
let built = '';

/** One sample running as `node samples/<name>.js …args`, from the transpiled copy. */
class RunningSample extends ChildProgram {
  readonly name: string;

  constructor(name: string, args: readonly string[] = [], cwd = ROOT) {
    super(name, process.execPath, [path.join(built, 'samples', `${name}.js`), ...args], { cwd, limitMs: PROCESS_MS });
    this.name = name;
  }

  /** Wait until stdout matches `line` and return the port its first group names. */
  async port(line: RegExp = SERVING_HTTP): Promise<number> {
    return Number((await this.output(line))[1]);
  }
}

/** The samples this file runs. */
const SAMPLES = [
  'http_cors_headers',
  'http_no_listing',
  'http_chunked_upload',
  'http_graceful_shutdown',
  'http_behind_proxy',
  'https_redirect',
  'simple_http_server',
  'http_server_run',
];

describe('how-to samples (docs/howto/) and the Python http.server docs examples', () => {
  const samples = new Map<string, RunningSample>();
  const ports = new Map<string, number>();
  let tree = '';

  before(async function () {
    this.timeout(PROCESS_MS + 5000);
    built = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-samples-'));
    buildSamples(SAMPLES, built);
    // A folder for the listing how-to: no index page at its root, a subfolder, a dotfile.
    tree = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-howto-'));
    fs.mkdirSync(path.join(tree, 'sub'));
    fs.writeFileSync(path.join(tree, 'sub', 'a.txt'), 'a file\n');
    fs.writeFileSync(path.join(tree, '.env'), 'SECRET=1\n');
    const started: [string, RunningSample, RegExp][] = [
      ['http_cors_headers', new RunningSample('http_cors_headers', ['0']), SERVING_HTTP],
      ['http_no_listing', new RunningSample('http_no_listing', ['0', tree]), SERVING_HTTP],
      ['http_chunked_upload', new RunningSample('http_chunked_upload', ['0']), SERVING_HTTP],
      ['http_graceful_shutdown', new RunningSample('http_graceful_shutdown', ['0']), SERVING_HTTP],
      ['http_behind_proxy', new RunningSample('http_behind_proxy', ['0']), SERVING_HTTP],
      [
        'https_redirect',
        new RunningSample('https_redirect', ['0', '0', path.join(TLS_DIR, 'cert.pem'), path.join(TLS_DIR, 'key.pem')]),
        /^Serving HTTPS on 127\.0\.0\.1 port (\d+) /m,
      ],
      [
        'simple_http_server',
        new RunningSample('simple_http_server', ['0', '127.0.0.1'], path.join(ROOT, 'samples', 'static')),
        /^serving at port (\d+)$/m,
      ],
      [
        'http_server_run',
        new RunningSample('http_server_run', ['0', '127.0.0.1']),
        /^Serving HTTP on .+ port (\d+) \.\.\.$/m,
      ],
    ];
    // `after` kills whatever is still running, even if a start fails.
    for (const [name, sample] of started) samples.set(name, sample);
    samples.set('https_redirect#missing', new RunningSample('https_redirect', ['0', '0', '/nonexistent/cert.pem']));
    await Promise.all(started.map(async ([name, sample, line]) => ports.set(name, await sample.port(line))));
    ports.set(
      'https_redirect#http',
      await sampleOf('https_redirect').port(/^Redirecting HTTP on 127\.0\.0\.1 port (\d+) /m),
    );
  });

  after(async () => {
    await Promise.all([...samples.values()].map((sample) => sample.kill()));
    if (tree !== '') fs.rmSync(tree, { recursive: true, force: true });
    if (built !== '') fs.rmSync(built, { recursive: true, force: true });
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

  describe('http_cors_headers.ts (cors-and-caching-headers.md)', () => {
    it('adds Access-Control-Allow-Origin and a one-hour Cache-Control to a file', async () => {
      const reply = await request(portOf('http_cors_headers'), { path: '/test.jpg' });
      expect(reply.status).to.equal(200);
      expect(reply.headers['access-control-allow-origin']).to.equal('*');
      expect(reply.headers['cache-control']).to.equal('max-age=3600');
    });

    it('sends Cache-Control: no-cache with a page', async () => {
      const reply = await request(portOf('http_cors_headers'), { path: '/' });
      expect(reply.body.toString('utf8')).to.include('<title>WOW</title>');
      expect(reply.headers['cache-control']).to.equal('no-cache');
      expect(reply.headers['access-control-allow-origin']).to.equal('*');
    });

    it('adds the headers to an error too, so a script on another origin can read it', async () => {
      const reply = await request(portOf('http_cors_headers'), { path: '/missing.png' });
      expect(reply.status).to.equal(404);
      expect(reply.headers['access-control-allow-origin']).to.equal('*');
    });

    it('answers a CORS preflight (OPTIONS) with 204 and the allowed methods', async () => {
      const reply = await request(portOf('http_cors_headers'), {
        method: 'OPTIONS',
        path: '/test.jpg',
        headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'GET' },
      });
      expect(reply.status).to.equal(204);
      expect(reply.headers['access-control-allow-methods']).to.equal('GET, HEAD, OPTIONS');
      expect(reply.headers['access-control-allow-origin']).to.equal('*');
    });
  });

  describe('http_no_listing.ts (hide-directory-listings.md)', () => {
    it('answers 404 where a listing would be, without naming the files', async () => {
      for (const target of ['/', '/sub/']) {
        const reply = await request(portOf('http_no_listing'), { path: target });
        expect(reply.status, target).to.equal(404);
        expect(reply.body.toString('utf8'), target).not.to.include('a.txt');
      }
    });

    it('still serves the files', async () => {
      const reply = await request(portOf('http_no_listing'), { path: '/sub/a.txt' });
      expect(reply.status).to.equal(200);
      expect(reply.body.toString('utf8')).to.equal('a file\n');
    });

    it('hides dotfiles', async () => {
      const reply = await request(portOf('http_no_listing'), { path: '/.env' });
      expect(reply.status).to.equal(404);
      expect(reply.body.toString('utf8')).not.to.include('SECRET');
    });
  });

  describe('http_chunked_upload.ts (read-a-chunked-upload.md)', () => {
    it('reads a chunked upload piece by piece and reports its size and SHA-256', async () => {
      const pieces = Array.from({ length: 16 }, () => randomBytes(64 * 1024));
      const expected = createHash('sha256').update(Buffer.concat(pieces)).digest('hex');
      const reply = await request(portOf('http_chunked_upload'), { method: 'PUT', path: '/upload', body: pieces });
      expect(reply.status).to.equal(200);
      expect(JSON.parse(reply.body.toString('utf8'))).to.deep.equal({
        bytes: 16 * 64 * 1024,
        sha256: expected,
        chunked: true,
      });
    });

    it('reads a body sent with Content-Length the same way', async () => {
      const body = 'hello upload';
      const reply = await request(portOf('http_chunked_upload'), { method: 'POST', path: '/upload', body });
      expect(JSON.parse(reply.body.toString('utf8'))).to.deep.equal({
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        chunked: false,
      });
    });

    it('refuses an announced body over the limit with 413 before the client sends it', async () => {
      const port = portOf('http_chunked_upload');
      const reply = await within(
        new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
          let continued = false;
          const req = http.request({
            host: '127.0.0.1',
            port,
            method: 'PUT',
            path: '/upload',
            agent: false,
            headers: { 'Content-Length': 100 * 1024 * 1024, Expect: '100-continue' },
          });
          req.once('continue', () => (continued = true));
          req.once('response', (res) => {
            res.resume();
            res.once('end', () => resolve({ status: res.statusCode ?? 0, continued }));
            req.destroy();
          });
          req.once('error', reject);
          req.flushHeaders();
        }),
        REPLY_MS,
        'no answer to the announced upload',
      );
      expect(reply).to.deep.equal({ status: 413, continued: false });
    });

    it('answers another path with 404', async () => {
      const reply = await request(portOf('http_chunked_upload'), { method: 'PUT', path: '/elsewhere', body: 'x' });
      expect(reply.status).to.equal(404);
    });
  });

  describe('https_redirect.ts (serve-over-https.md)', () => {
    it('serves HTTPS with the given certificate, and Strict-Transport-Security', async () => {
      const reply = await request(portOf('https_redirect'), { tls: true });
      expect(reply.status).to.equal(200);
      const protocol = (reply.socket as TLSSocket).getProtocol();
      expect(reply.body.toString('utf8')).to.equal(`Hello over ${protocol}\n`);
      expect(reply.headers['strict-transport-security']).to.equal('max-age=31536000');
    });

    it('redirects plain HTTP to the same path on the HTTPS server with 308', async () => {
      const reply = await request(portOf('https_redirect#http'), { path: '/a/b?c=1' });
      expect(reply.status).to.equal(308);
      expect(reply.headers.location).to.equal(`https://127.0.0.1:${portOf('https_redirect')}/a/b?c=1`);
    });

    it('exits with status 1 and the error when the certificate cannot be read', async () => {
      const sample = sampleOf('https_redirect#missing');
      expect(await sample.exit()).to.include({ code: 1, signal: null });
      expect(sample.stderr).to.include('ENOENT').and.include('/nonexistent/cert.pem');
    });
  });

  describe('http_behind_proxy.ts (run-behind-nginx.md), without nginx', () => {
    it('believes X-Real-IP and X-Forwarded-Proto from the proxy on 127.0.0.1', async () => {
      const reply = await request(portOf('http_behind_proxy'), {
        path: '/x?y=1',
        headers: { 'X-Real-IP': '203.0.113.7', 'X-Forwarded-Proto': 'https', Host: 'example.com' },
      });
      expect(JSON.parse(reply.body.toString('utf8'))).to.deep.equal({
        client: '203.0.113.7',
        host: 'example.com',
        scheme: 'https',
        path: '/x?y=1',
      });
      await waitFor(
        () => /^203\.0\.113\.7 - - \[.*\] "GET \/x\?y=1 HTTP\/1\.1" 200 -$/m.test(sampleOf('http_behind_proxy').stderr),
        'the access log shows the forwarded client',
      );
    });

    it('ignores an X-Real-IP that is not an address', async () => {
      const reply = await request(portOf('http_behind_proxy'), { headers: { 'X-Real-IP': 'somebody-else' } });
      expect(JSON.parse(reply.body.toString('utf8'))).to.have.property('client', '127.0.0.1');
    });
  });

  describe('behind nginx: the configuration of run-behind-nginx.md in front of http_behind_proxy.ts', function () {
    let nginx: ChildProcess | null = null;
    let nginxExit: Promise<unknown> = Promise.resolve();
    let scratch = '';
    let nginxPort = 0;

    before(async function () {
      if (!fs.existsSync(NGINX)) {
        console.log(`      (skipped: ${NGINX} is not installed; apt-get install nginx-light runs these tests)`);
        this.skip();
      }
      this.timeout(REPLY_MS * 2);
      const server = nginxServerBlock(portOf('http_behind_proxy'), (nginxPort = await freePort()));
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-nginx-'));
      const config = path.join(scratch, 'nginx.conf');
      fs.writeFileSync(config, nginxConfiguration(scratch, server));
      nginx = spawn(NGINX, ['-p', scratch, '-c', config, '-e', path.join(scratch, 'error.log')], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      nginxExit = once(nginx, 'close');
      let started = false;
      const giveUp = Date.now() + REPLY_MS;
      while (!started) {
        started = await request(nginxPort).then(
          () => true,
          () => false,
        );
        if (!started && Date.now() > giveUp) {
          throw new Error(`nginx did not answer:\n${fs.readFileSync(path.join(scratch, 'error.log'), 'utf8')}`);
        }
        if (!started) await sleep(50);
      }
    });

    after(async () => {
      if (nginx !== null) {
        nginx.kill('SIGTERM');
        await within(nginxExit, REPLY_MS, 'nginx did not exit');
      }
      if (scratch !== '') fs.rmSync(scratch, { recursive: true, force: true });
    });

    it('passes the request on with the Host the client sent, and the real client address', async () => {
      const reply = await request(nginxPort, {
        path: '/through?nginx=1',
        headers: { Host: 'example.com', 'X-Real-IP': '203.0.113.99' }, // a client cannot choose its address
      });
      expect(reply.status).to.equal(200);
      expect(JSON.parse(reply.body.toString('utf8'))).to.deep.equal({
        client: '127.0.0.1',
        host: 'example.com',
        scheme: 'http',
        path: '/through?nginx=1',
      });
    });
  });

  describe('simple_http_server.ts (the Python docs SimpleHTTPRequestHandler example)', () => {
    it('serves the files of the directory it was started in', async () => {
      const page = await request(portOf('simple_http_server'), { path: '/index.html' });
      expect(page.status).to.equal(200);
      expect(page.headers.server).to.match(/^SimpleHTTP\/0\.6 /);
      expect(page.body.toString('utf8')).to.include('<title>WOW</title>');
      const listing = await request(portOf('simple_http_server'), { path: '/files/' });
      expect(listing.body.toString('utf8')).to.include('hello.txt');
    });
  });

  describe('http_server_run.ts (the Python docs run() example)', () => {
    it('answers every GET with 501: BaseHTTPRequestHandler defines no do_GET', async () => {
      const reply = await request(portOf('http_server_run'));
      expect(reply.status).to.equal(501);
      expect(reply.body.toString('utf8')).to.include("Unsupported method ('GET')");
    });
  });

  describe('http_graceful_shutdown.ts (graceful-shutdown.md)', () => {
    it('on SIGTERM, finishes the response in flight, closes idle connections, refuses new ones, exits 0', async function () {
      this.timeout(PROCESS_MS);
      const sample = sampleOf('http_graceful_shutdown');
      const port = portOf('http_graceful_shutdown');
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const first = await request(port, { agent });
        expect(first.status).to.equal(200);
        const idle = first.socket; // back in the agent's pool, waiting for a next request
        const idleClosed = once(idle, 'close');
        const slowHeaders = new Promise<http.IncomingMessage>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port, path: '/slow?seconds=1', agent: false }, resolve).once('error', reject);
        });
        const slow = await within(slowHeaders, REPLY_MS, 'no headers from /slow'); // the request is in flight
        const slowBody = (async () => {
          const chunks: Buffer[] = [];
          for await (const chunk of slow) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks).toString('utf8');
        })();
        const exited = sample.stop('SIGTERM');
        await sample.output(/^SIGTERM: finishing 1 request\(s\) in flight$/m);
        await within(idleClosed, REPLY_MS, 'the idle keep-alive connection was not closed');
        const refused = await new Promise<string>((resolve) => {
          const probe = net.connect(port, '127.0.0.1');
          probe.once('connect', () => {
            probe.destroy();
            resolve('connected');
          });
          probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
        });
        expect(refused, 'a new connection while stopping').to.equal('ECONNREFUSED');
        expect(await within(slowBody, REPLY_MS, 'the slow body')).to.equal('done after 1 s\n');
        expect(await exited).to.include({ code: 0, signal: null });
        expect(sample.stdout).to.match(/^Stopped\.$/m);
      } finally {
        agent.destroy();
      }
    });
  });

  describe('stopping', () => {
    for (const name of [
      'http_cors_headers',
      'http_no_listing',
      'http_chunked_upload',
      'https_redirect',
      'http_behind_proxy',
      'simple_http_server',
      'http_server_run',
    ]) {
      it(`${name}.ts exits with code 0 on SIGTERM`, async () => {
        expect(await sampleOf(name).stop('SIGTERM')).to.include({ code: 0, signal: null });
      });
    }
  });
});

/** The ```nginx block of run-behind-nginx.md, listening on `nginxPort` and passing to `appPort`. */
function nginxServerBlock(appPort: number, nginxPort: number): string {
  const doc = fs.readFileSync(NGINX_DOC, 'utf8');
  const blocks = [...doc.matchAll(/^```nginx\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
  expect(blocks, `${NGINX_DOC} has one nginx block`).to.have.length(1);
  const block = blocks[0]!;
  expect(block, 'the block listens on port 80').to.include('listen 80;');
  expect(block, 'the block passes to 127.0.0.1:8000').to.include('127.0.0.1:8000');
  return block
    .replace('listen 80;', `listen 127.0.0.1:${nginxPort};`)
    .replaceAll('127.0.0.1:8000', `127.0.0.1:${appPort}`);
}

/** A whole nginx.conf around `server`: one process in the foreground, every file in `scratch`. */
function nginxConfiguration(scratch: string, server: string): string {
  const inScratch = (name: string): string => JSON.stringify(path.join(scratch, name));
  // The temporary directories nginx was built with must all be moved out of /var/lib/nginx.
  const version = spawnSync(NGINX, ['-V'], { encoding: 'utf8' }); // nginx -V writes to stderr
  const built = `${version.stdout}${version.stderr}`;
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .filter((kind) => kind === 'client_body' || built.includes(`--http-${kind}-temp-path`))
    .map((kind) => `  ${kind}_temp_path ${inScratch(kind)};`)
    .join('\n');
  return `daemon off;
master_process off;
worker_processes 1;
pid ${inScratch('nginx.pid')};
error_log ${inScratch('error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
${temps}
${server}
}
`;
}
