/**
 * Differential spec: python3's own CGIHTTPRequestHandler (spec/support/cgi-python.ts) and
 * sockserve's serve the same fixture tree (spec/support/cgi-tree.ts); each request goes to both on
 * a fresh connection, both speaking HTTP/1.0 as Python's handler does by default.
 *
 * What must match (issue 6 §1): which paths are CGI (collapse, `%2f`, nested directories), the 404
 * and 403 answers and their error pages, do_POST's 501, the CGI variables Python sets and the
 * argument a query without `=` becomes, and the script's own header fields and body.
 *
 * Normalised: the values of Date and Server (time and runtime); the Python 3.11 → 3.14 error page
 * (differential-normalise.ts); Python's `200 Script output follows` status line, sent before the
 * script runs, against sockserve's status taken from the script; the Content-Length sockserve adds
 * (Python's response ends with the connection); SERVER_SOFTWARE's runtime and SERVER_NAME (Python
 * asks DNS: 'localhost').
 *
 * Differences on purpose are asserted on both sides in their own tests: Status honoured, HEAD
 * without a body, a `.py` script without the executable bit, output without a header block.
 */
import { expect } from 'chai';
import type { ServerAddress } from '../../lib/index';
import { buildCgiTree, type CgiTree } from '../support/cgi-tree';
import { startPythonCgiServer } from '../support/cgi-python';
import type { PythonServer } from '../support/differential-python';
import { serveCgi } from '../support/cgi-server';
import { exchange } from '../support/clients';
import { asPython314, normaliseVolatileHeaders, parseReply, type MessageView } from '../support/differential-normalise';
import { Teardown } from '../support/teardown';

/** Server and Date headers as the normaliser wants them ('SimpleHTTP' is the CGI handler's name). */
function normalise(message: MessageView): MessageView {
  const headers = message.headers.map(([name, value]): [string, string] =>
    name === 'Server'
      ? [name, value.replace(/^SimpleHTTP\/0\.6 (Python|Node)\/\S+$/, 'SimpleHTTP/0.6 <runtime>')]
      : [name, value],
  );
  return normaliseVolatileHeaders({ ...message, headers });
}

async function ask(address: ServerAddress, request: string, head = false): Promise<MessageView> {
  const data = await exchange(address, request);
  const [message] = parseReply(data, { head });
  if (message === undefined) throw new Error(`no reply to ${JSON.stringify(request)}`);
  return normalise(asPython314(message, { head }));
}

/** A script's answer from either server: the status code, the script's own fields, the body. */
interface ScriptAnswer {
  status: number;
  fields: [string, string][];
  body: string;
}

/**
 * Python's fork path sends `200 Script output follows`, Server and Date (CRLF), then the script's
 * raw output, whose header block may end its lines with LF only.
 */
function pythonScriptAnswer(raw: Buffer): ScriptAnswer {
  const text = raw.toString('latin1');
  const [statusLine, server, date] = text.split('\r\n', 3);
  expect(statusLine).to.equal('HTTP/1.0 200 Script output follows');
  expect([server?.split(':')[0], date?.split(':')[0]]).to.deep.equal(['Server', 'Date']);
  const output = text.slice([statusLine, server, date].join('\r\n').length + 2);
  const blank = /\r?\n\r?\n/.exec(output);
  if (blank === null) throw new Error(`no header block in ${JSON.stringify(output)}`);
  const fields = output
    .slice(0, blank.index)
    .split(/\r?\n/)
    .map((line): [string, string] => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]);
  return { status: 200, fields, body: output.slice(blank.index + blank[0].length) };
}

/** sockserve's: the status from the script, Server, Date, its fields, then the Content-Length it adds. */
function oursScriptAnswer(message: MessageView): ScriptAnswer {
  const [server, date, ...rest] = message.headers;
  expect([server?.[0], date?.[0]]).to.deep.equal(['Server', 'Date']);
  const length = rest.pop();
  expect(length?.[0]).to.equal('Content-Length');
  expect(Number(length?.[1])).to.equal(Buffer.byteLength(message.body, 'latin1'));
  return { status: Number(message.statusLine?.split(' ')[1]), fields: rest, body: message.body };
}

/** The CGI variables Python's run_cgi sets (SERVER_NAME aside: Python asks DNS for it). */
const PYTHON_VARIABLES = [
  'SERVER_SOFTWARE',
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
  'AUTH_TYPE',
  'REMOTE_USER',
  'CONTENT_TYPE',
  'CONTENT_LENGTH',
  'HTTP_ACCEPT',
  'HTTP_USER_AGENT',
  'HTTP_COOKIE',
  'HTTP_REFERER',
];

interface CgiReport {
  env: Record<string, string>;
  argv: string[];
  stdin: string;
}

describe('CGIHTTPRequestHandler: differential against python3 http.server', function () {
  this.timeout(30000);
  const teardown = new Teardown();
  let tree: CgiTree;
  let python: PythonServer;
  let pythonAddress: ServerAddress;
  let ours: ServerAddress;
  before(async () => {
    tree = buildCgiTree();
    python = await startPythonCgiServer(tree.root);
    pythonAddress = ['127.0.0.1', python.port];
    ours = (await serveCgi(teardown, { directory: tree.root, protocolVersion: 'HTTP/1.0' })).address;
  });
  after(async () => {
    await teardown.run();
    await python.stop();
    tree.remove();
  });

  /** The same request to both; Python's reply first. */
  function both(request: string, head = false): Promise<[MessageView, MessageView]> {
    return Promise.all([ask(pythonAddress, request, head), ask(ours, request, head)]);
  }

  /** The same request for a script to both: Python's raw reply, and sockserve's parsed. */
  async function bothScripts(request: string): Promise<[ScriptAnswer, ScriptAnswer]> {
    const [theirs, mine] = await Promise.all([exchange(pythonAddress, request), ask(ours, request)]);
    return [pythonScriptAnswer(theirs), oursScriptAnswer(mine)];
  }

  describe('answers that match byte for byte', () => {
    const cases: [string, string][] = [
      ['a missing script: 404 No such CGI script', 'GET /cgi-bin/missing.sh HTTP/1.0\r\n\r\n'],
      ['a directory as script: 403 not a plain file', 'GET /cgi-bin/ HTTP/1.0\r\n\r\n'],
      ['a nested directory: 403 not a plain file', 'GET /cgi-bin/sub/ HTTP/1.0\r\n\r\n'],
      ['a script without the executable bit: 403 not executable', 'GET /cgi-bin/noexec.cgi HTTP/1.0\r\n\r\n'],
      ['POST outside the CGI directories: 501', 'POST /ok.txt HTTP/1.0\r\nContent-Length: 0\r\n\r\n'],
      ['the CGI directory without its slash: 301', 'GET /cgi-bin HTTP/1.0\r\n\r\n'],
      ['the directory name in another case: 404 File not found', 'GET /CGI-BIN/hello.sh HTTP/1.0\r\n\r\n'],
    ];
    for (const [what, request] of cases) {
      it(what, async () => {
        const [theirs, mine] = await both(request);
        expect(mine).to.deep.equal(theirs);
      });
    }
  });

  it('a path out of the CGI directory is the static file (headers: see the static differential)', async () => {
    const [theirs, mine] = await both('GET /cgi-bin/../ok.txt HTTP/1.0\r\n\r\n');
    expect([mine.statusLine, mine.body]).to.deep.equal([theirs.statusLine, theirs.body]);
    expect(mine.body).to.equal('ok');
  });

  describe('scripts: the same status, fields and body', () => {
    const targets = [
      '/cgi-bin/hello.sh',
      '/cgi-bin/../cgi-bin/hello.sh',
      '//cgi-bin/hello.sh',
      '/cgi-bin%2fhello.sh',
      '/sub/../cgi-bin/./hello.sh',
      '/htbin/hello.sh',
      '/cgi-bin/sub/deep.sh/extra/path',
    ];
    for (const target of targets) {
      it(`GET ${target}`, async () => {
        const [theirs, mine] = await bothScripts(`GET ${target} HTTP/1.0\r\n\r\n`);
        expect(mine).to.deep.equal(theirs);
      });
    }
  });

  describe('the environment and the arguments', () => {
    async function reports(request: string): Promise<[CgiReport, CgiReport]> {
      const answers = await bothScripts(request);
      return answers.map((answer) => JSON.parse(answer.body) as CgiReport) as [CgiReport, CgiReport];
    }

    /** Python's variables from a report, the runtime in SERVER_SOFTWARE and the ports normalised. */
    function pythonVariables(report: CgiReport, port: number): Record<string, string | undefined> {
      const picked: Record<string, string | undefined> = {};
      for (const name of PYTHON_VARIABLES) picked[name] = report.env[name];
      picked['SERVER_SOFTWARE'] = picked['SERVER_SOFTWARE']?.replace(/ (Python|Node)\/\S+$/, ' <runtime>');
      expect(picked['SERVER_PORT']).to.equal(String(port));
      picked['SERVER_PORT'] = '<port>';
      return picked;
    }

    const requests: [string, string][] = [
      [
        'GET with PATH_INFO, a query and the four headers Python passes',
        'GET /cgi-bin/cgienv.py/a%20b/c?x=1&y=%41 HTTP/1.0\r\nAccept: text/html\r\nAccept: text/plain\r\n' +
          'User-Agent: spec-agent\r\nCookie: a=1\r\nCookie: b=2\r\nReferer: http://t/from\r\n\r\n',
      ],
      ['GET with nothing extra', 'GET /cgi-bin/cgienv.py HTTP/1.0\r\n\r\n'],
      [
        'POST with a form body',
        'POST /cgi-bin/cgienv.py HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
          'Content-Length: 13\r\n\r\nfirstname=Bob',
      ],
      [
        'Basic credentials',
        `GET /cgi-bin/cgienv.py HTTP/1.0\r\nAuthorization: Basic ${Buffer.from('ann:pw').toString('base64')}\r\n\r\n`,
      ],
      ['other credentials', 'GET /cgi-bin/cgienv.py HTTP/1.0\r\nAuthorization: Bearer abc\r\n\r\n'],
      ["a query without '='", 'GET /cgi-bin/cgienv.py?a+b%2Bc HTTP/1.0\r\n\r\n'],
      ["a query with '='", 'GET /cgi-bin/cgienv.py?a=b+c HTTP/1.0\r\n\r\n'],
    ];
    for (const [what, request] of requests) {
      it(what, async () => {
        const [theirs, mine] = await reports(request);
        expect(pythonVariables(mine, (ours as [string, number])[1])).to.deep.equal(
          pythonVariables(theirs, python.port),
        );
        expect(mine.argv).to.deep.equal(theirs.argv);
        expect(mine.stdin).to.equal(theirs.stdin);
      });
    }
  });

  describe('differences on purpose, asserted on both sides', () => {
    it('Status: Python sends 200 first and the Status line as a header; sockserve sends the status', async () => {
      const request = `GET /cgi-bin/say.py?out=Status%3A%20404%20Gone%0AContent-Type%3A%20text%2Fplain%0A%0Ax HTTP/1.0\r\n\r\n`;
      const [theirs, mine] = await Promise.all([exchange(pythonAddress, request), ask(ours, request)]);
      expect(pythonScriptAnswer(theirs).fields).to.deep.include(['Status', '404 Gone']);
      expect(mine.statusLine).to.equal('HTTP/1.0 404 Gone');
      expect(mine.headers.map(([name]) => name)).to.not.include('Status');
    });

    it('HEAD: Python sends the body; sockserve runs the script and sends none', async () => {
      const request = 'HEAD /cgi-bin/hello.sh HTTP/1.0\r\n\r\n';
      const [theirs, mine] = await Promise.all([exchange(pythonAddress, request), exchange(ours, request)]);
      expect(theirs.toString('latin1')).to.match(/\nContent-Type: text\/plain\n\nhello\n$/);
      expect(mine.toString('latin1')).to.match(/Content-Length: 6\r\n\r\n$/);
    });

    it('a .py script without the executable bit: Python (fork) 403, sockserve runs it with python3', async () => {
      const [theirs, mine] = await both('GET /cgi-bin/plain.py HTTP/1.0\r\n\r\n');
      expect(theirs.statusLine).to.equal("HTTP/1.0 403 CGI script is not executable ('/cgi-bin/plain.py')");
      expect([mine.statusLine, mine.body]).to.deep.equal(['HTTP/1.0 200 OK', 'plain python\n']);
    });

    it('output without a header block: Python passes it on after its 200; sockserve answers 502', async () => {
      const request = 'GET /cgi-bin/say.py?out=just%20text HTTP/1.0\r\n\r\n';
      const [theirs, mine] = await Promise.all([exchange(pythonAddress, request), ask(ours, request)]);
      expect(theirs.toString('latin1')).to.match(/^HTTP\/1\.0 200 Script output follows\r\n[^]*\r\njust text$/);
      expect(mine.statusLine).to.equal('HTTP/1.0 502 Bad Gateway');
    });

    it('the Proxy header: neither sets HTTP_PROXY (Python passes a fixed set); sockserve passes Host', async () => {
      const request = 'GET /cgi-bin/cgienv.py HTTP/1.0\r\nHost: t\r\nProxy: http://127.0.0.1:9/\r\n\r\n';
      const [theirs, mine] = (await bothScripts(request)).map((answer) => JSON.parse(answer.body) as CgiReport);
      expect([theirs!.env['HTTP_PROXY'], mine!.env['HTTP_PROXY']]).to.deep.equal([undefined, undefined]);
      expect([theirs!.env['HTTP_HOST'], mine!.env['HTTP_HOST']]).to.deep.equal([undefined, 't']);
    });
  });
});
