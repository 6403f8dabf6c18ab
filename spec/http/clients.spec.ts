/**
 * Real clients against a sockserve handler: Python's http.client (spec/support/python/http_client.py,
 * run by python3) and curl. Both send a GET, a POST with a body and a chunked upload, and reuse one
 * keep-alive connection for several requests; curl also sends HEAD (`curl -I`).
 */
import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { BaseHTTPRequestHandler } from '../../lib/http/index';
import { RecordingHTTPServer } from '../support/differential-handler';
import { PYTHON_SCRIPTS } from '../support/differential-python';
import { Teardown } from '../support/teardown';

const run = promisify(execFile);

/** What the handler reports about a request, as JSON. */
interface RequestReport {
  method: string;
  path: string;
  clientPort: number;
  contentLength: string | null;
  transferEncoding: string | null;
  bodyLength: number;
  bodySha256: string;
}

/**
 * GET and HEAD describe the request; POST /upload reads the whole body with `rfile.read()` (the
 * body only, de-chunked) and describes it too, and POST /ported reads it with the line ported
 * from Python, `rfile.read(Number(headers.get('Content-Length')))`. Every response has a Content-Length, so the
 * connection stays open for the next request.
 */
class ClientsHandler extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';

  override logMessage(): void {}

  report(body: Buffer): Buffer {
    const report: RequestReport = {
      method: this.command ?? '',
      path: this.path,
      clientPort: typeof this.clientAddress === 'string' ? 0 : this.clientAddress[1],
      contentLength: this.headers.get('Content-Length') ?? null,
      transferEncoding: this.headers.get('Transfer-Encoding') ?? null,
      bodyLength: body.length,
      bodySha256: createHash('sha256').update(body).digest('hex'),
    };
    return Buffer.from(JSON.stringify(report));
  }

  async answer(body: Buffer): Promise<void> {
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'application/json');
    this.sendHeader('Content-Length', String(body.length));
    await this.endHeaders();
    await this.wfile.write(body);
  }

  async do_GET(): Promise<void> {
    await this.answer(this.report(Buffer.alloc(0)));
  }

  async do_HEAD(): Promise<void> {
    await this.answer(this.report(Buffer.alloc(0)));
  }

  async do_POST(): Promise<void> {
    if (this.path === '/upload') {
      await this.answer(this.report(await this.rfile.read()));
    } else if (this.path === '/ported') {
      // The line as ported from Python: for a chunked upload the header is missing (NaN).
      await this.answer(this.report(await this.rfile.read(Number(this.headers.get('Content-Length')))));
    } else {
      await this.sendError(404);
    }
  }
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** One exchange as http_client.py prints it. */
interface PythonExchange {
  status: number;
  reason: string;
  version: number;
  headers: [string, string][];
  body: string;
  local_port: number | null;
}

function curlInstalled(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('http real clients', function () {
  this.timeout(20000);
  const teardown = new Teardown();
  let server: RecordingHTTPServer;
  let baseUrl: string;
  let port: number;

  before(async () => {
    server = teardown.server(new RecordingHTTPServer(['127.0.0.1', 0], ClientsHandler));
    await server.ready();
    void teardown.serve(server);
    port = (server.serverAddress as [string, number])[1];
    baseUrl = `http://127.0.0.1:${port}`;
  });
  after(() => teardown.run());

  describe("Python's http.client", () => {
    let exchanges: PythonExchange[];

    before(async () => {
      const { stdout } = await run('python3', ['-u', path.join(PYTHON_SCRIPTS, 'http_client.py'), String(port)], {
        timeout: 15000,
      });
      exchanges = JSON.parse(stdout) as PythonExchange[];
    });

    it('GETs with HTTP/1.1 and reads the reply', () => {
      const [first] = exchanges;
      expect(first?.status).to.equal(200);
      expect(first?.reason).to.equal('OK');
      expect(first?.version).to.equal(11);
      expect(first?.headers.map(([name]) => name)).to.deep.equal(['Server', 'Date', 'Content-Type', 'Content-Length']);
      const report = JSON.parse(first?.body ?? '') as RequestReport;
      expect(report).to.include({ method: 'GET', path: '/info?step=1', bodyLength: 0 });
    });

    it('POSTs a body with Content-Length', () => {
      const report = JSON.parse(exchanges[1]?.body ?? '') as RequestReport;
      const sent = 'hello from http.client';
      expect(report).to.include({
        method: 'POST',
        contentLength: String(sent.length),
        transferEncoding: null,
        bodyLength: sent.length,
        bodySha256: sha256(sent),
      });
    });

    it('uploads a chunked body (encode_chunked=True) that the handler reads de-chunked', () => {
      const report = JSON.parse(exchanges[2]?.body ?? '') as RequestReport;
      const sent = Buffer.concat([
        Buffer.from('first chunk, '),
        Buffer.from('second \x00 chunk, ', 'latin1'),
        Buffer.alloc(5000, 'x'),
      ]);
      expect(report).to.include({
        method: 'POST',
        contentLength: null,
        transferEncoding: 'chunked',
        bodyLength: sent.length,
        bodySha256: sha256(sent),
      });
    });

    it('sends all four requests over one kept-alive connection', () => {
      const serverSeenPorts = exchanges.map((exchange) => (JSON.parse(exchange.body) as RequestReport).clientPort);
      const clientPorts = exchanges.map((exchange) => exchange.local_port);
      expect(serverSeenPorts).to.have.length(4);
      expect(new Set(serverSeenPorts).size, `ports the server saw: ${serverSeenPorts.join(', ')}`).to.equal(1);
      expect(clientPorts).to.deep.equal(serverSeenPorts);
    });
  });

  const curlMissing = !curlInstalled();
  describe(curlMissing ? 'curl (skipped: curl is not installed)' : 'curl', () => {
    let workDirectory: string | undefined;
    let uploadFile: string;
    let upload: Buffer;

    before(function () {
      if (curlMissing) this.skip();
      workDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-curl-'));
      upload = Buffer.concat([randomBytes(100 * 1024), Buffer.from('\x00\r\n0\r\n\r\n', 'latin1')]);
      uploadFile = path.join(workDirectory, 'upload.bin');
      fs.writeFileSync(uploadFile, upload);
    });
    after(() => {
      if (workDirectory !== undefined) fs.rmSync(workDirectory, { recursive: true, force: true });
    });

    async function curl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
      return run('curl', ['--silent', '--show-error', '--max-time', '10', ...args], { encoding: 'latin1' });
    }

    it('GET -i shows the status line and headers sockserve sent', async () => {
      const { stdout } = await curl('-i', `${baseUrl}/info`);
      const [head = '', body = ''] = stdout.split('\r\n\r\n');
      const [statusLine, ...fields] = head.split('\r\n');
      expect(statusLine).to.equal('HTTP/1.1 200 OK');
      expect(fields.map((field) => field.split(':')[0])).to.deep.equal([
        'Server',
        'Date',
        'Content-Type',
        'Content-Length',
      ]);
      expect(fields[0]).to.match(/^Server: BaseHTTP\/0\.6 Node\/\d+\.\d+\.\d+$/);
      expect(JSON.parse(body)).to.include({ method: 'GET', path: '/info' });
    });

    it('POST --data-binary sends the file byte for byte', async () => {
      const { stdout } = await curl('--data-binary', `@${uploadFile}`, `${baseUrl}/upload`);
      expect(JSON.parse(stdout)).to.include({
        method: 'POST',
        contentLength: String(upload.length),
        transferEncoding: null,
        bodyLength: upload.length,
        bodySha256: sha256(upload),
      });
    });

    it('a chunked upload (-H "Transfer-Encoding: chunked") reaches the handler de-chunked', async () => {
      const { stdout } = await curl(
        '-H',
        'Transfer-Encoding: chunked',
        '--data-binary',
        `@${uploadFile}`,
        `${baseUrl}/upload`,
      );
      expect(JSON.parse(stdout)).to.include({
        contentLength: null,
        transferEncoding: 'chunked',
        bodyLength: upload.length,
        bodySha256: sha256(upload),
      });
    });

    it("a chunked upload reaches Python's ported rfile.read(Number(Content-Length)) line whole", async () => {
      const { stdout } = await curl(
        '-H',
        'Transfer-Encoding: chunked',
        '--data-binary',
        `@${uploadFile}`,
        `${baseUrl}/ported`,
      );
      expect(JSON.parse(stdout)).to.include({ bodyLength: upload.length, bodySha256: sha256(upload) });
    });

    it('--http1.1 with two URLs re-uses the connection', async () => {
      const { stdout, stderr } = await curl('--verbose', '--http1.1', `${baseUrl}/info?n=1`, `${baseUrl}/info?n=2`);
      expect(stderr).to.match(/Re-using existing connection/);
      const reports = stdout
        .replace(/\}\{/g, '}\n{')
        .split('\n')
        .map((line) => JSON.parse(line) as RequestReport);
      expect(reports.map((report) => report.path)).to.deep.equal(['/info?n=1', '/info?n=2']);
      expect(reports[0]?.clientPort).to.equal(reports[1]?.clientPort);
    });

    it('-I sends HEAD and gets the headers without a body', async () => {
      const { stdout } = await curl('-I', `${baseUrl}/info`);
      const [head = '', body] = stdout.split('\r\n\r\n');
      const lines = head.split('\r\n');
      expect(lines[0]).to.equal('HTTP/1.1 200 OK');
      const length = lines.find((line) => line.startsWith('Content-Length: '));
      expect(Number(length?.slice('Content-Length: '.length))).to.be.greaterThan(0);
      expect(body).to.equal('');
    });
  });

  describe('the server afterwards', () => {
    it('reported nothing through handleError', () => {
      expect(server.handlerErrors).to.deep.equal([]);
    });
  });
});
