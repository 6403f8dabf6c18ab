/**
 * CGI (issue 6 §4): requests per second for a /bin/sh script that prints a header block and a
 * 14-byte body, 10 keep-alive connections by default, driven by wrk. Every request starts the
 * script as a new process.
 *
 * Rows: sockserve's CGIHTTPRequestHandler on ThreadingHTTPServer (protocolVersion HTTP/1.1, log
 * off), lighttpd's mod_cgi when installed, and `python3 -m http.server --cgi` (HTTP/1.0, Python's
 * default: its CGI responses carry no length, so it closes every connection and wrk reconnects).
 * Targets: sockserve >= 1.0x lighttpd and >= 5x Python.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../lib/free-port';
import { lighttpdRow } from '../lib/lighttpd';
import { programVersion } from '../lib/machine';
import { nodeServerRow } from '../lib/node-row';
import { compiledScript } from '../lib/paths';
import {
  SERVING_LINE,
  type BenchContext,
  type Ratio,
  type Scenario,
  type ScenarioPlan,
  type ServerRow,
} from '../lib/scenario';
import { scratchDir } from '../lib/scratch';
import { wrkLoad } from '../lib/wrk';

const CONNECTIONS = 10;
const SCRIPT_PATH = '/cgi-bin/hello.sh';
const BODY = Buffer.from('Hello, world!\n');
/**
 * The script: its header block and BODY from one builtin printf, no other process. Its header
 * lines end in CRLF: Python copies a script's output to the client unchanged, and strict HTTP
 * clients (node:http, which checks the response before each run) refuse bare LF there.
 */
const SCRIPT = "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nHello, world!\\n'\n";

export const cgiScenario: Scenario = {
  id: 'cgi',

  async plan({ config, profileDir }: BenchContext): Promise<ScenarioPlan> {
    const connections = config.connections ?? CONNECTIONS;
    const scratch = scratchDir('cgi');
    const root = path.join(scratch, 'www');
    fs.mkdirSync(path.join(root, 'cgi-bin'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(root, SCRIPT_PATH), SCRIPT, { mode: 0o755 });

    const notes: string[] = [];
    const rows: ServerRow[] = [
      nodeServerRow({
        id: 'sockserve',
        label: 'sockserve ThreadingHTTPServer + CGIHTTPRequestHandler (HTTP/1.1)',
        shortLabel: 'sockserve',
        script: compiledScript('servers/cgi-sockserve.ts'),
        args: [root],
        profileDir,
        scenarioId: 'cgi',
      }),
    ];
    const ratios: Ratio[] = [];
    const lighttpd = lighttpdRow({ root, port: await freePort(), scratch, cgi: true });
    if (lighttpd === null) {
      notes.push('lighttpd not installed: its row and ratio are left out');
    } else {
      rows.push(lighttpd);
      ratios.push({ numerator: 'sockserve', denominator: 'lighttpd', target: 1 });
    }
    if (programVersion('python3', ['-V']) === null) {
      notes.push('python3 not found: the Python row is left out');
    } else {
      rows.push({
        id: 'python',
        label: 'python3 -m http.server --cgi (HTTP/1.0: a connection per request)',
        shortLabel: 'Python',
        command: { command: 'python3', args: ['-u', '-m', 'http.server', '--cgi', '-b', '127.0.0.1', '-d', root, '0'] },
        ready: SERVING_LINE,
        profileFile: null,
      });
      ratios.push({ numerator: 'sockserve', denominator: 'python', target: 5 });
      notes.push('wrk counts each connection Python closes as a read error: its connection errors are those closes');
    }
    notes.push(`the script: /bin/sh running one printf builtin; server CPU includes the scripts' processes`);

    const load = wrkLoad({
      config,
      connections,
      path: SCRIPT_PATH,
      pipelineDepth: 1,
      expect: { status: 200, body: BODY },
      ratePerRequest: 1,
    });
    return {
      title: `CGI: a /bin/sh script with a ${BODY.length}-byte body, ${connections} keep-alive connections, one request in flight on each`,
      unit: 'requests/s',
      connections,
      rows,
      load,
      ratios,
      notes,
    };
  },
};
