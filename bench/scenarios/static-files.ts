/**
 * Static files (issue 4 §4): a 1 KB file (requests/s) and a 1 MB file (MB/s of file bytes),
 * 50 keep-alive connections by default, driven by wrk, each server serving the same directory.
 *
 * Rows: the sockserve command as users run it (`sockserve -p HTTP/1.1`, with --quiet as the
 * peers log nothing), sirv 3 and serve-static 2 on node:http, http-server 14's command, Python's
 * `python3 -m http.server --protocol HTTP/1.1`, and nginx and lighttpd when installed. Targets:
 * 1 KB >= 5x sirv and >= 0.5x nginx; 1 MB >= 1.2x sirv.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../lib/free-port';
import { lighttpdRow } from '../lib/lighttpd';
import { programVersion } from '../lib/machine';
import { nginxRow } from '../lib/nginx';
import { nodeServerRow } from '../lib/node-row';
import { compiledScript, repositoryRoot } from '../lib/paths';
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

const CONNECTIONS = 50;

/** One static-file scenario: the file it fetches and the targets it sets. */
interface StaticFile {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  /** Printable text (for the 1 KB file, served as text/plain) or random bytes. */
  readonly text: boolean;
  /** The rate is requests/s, or MB/s of file bytes (10^6 bytes per second). */
  readonly unit: 'requests/s' | 'MB/s';
  readonly sirvTarget: number;
  readonly nginxTarget: number | null;
}

/** A devDependency's directory and version, read from its package.json. */
function installedPackage(name: string): { dir: string; version: string } {
  const manifest = require.resolve(`${name}/package.json`, { paths: [repositoryRoot] });
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  return { dir: path.dirname(manifest), version };
}

function fileContent(file: StaticFile): Buffer {
  if (!file.text) return randomBytes(file.size);
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Buffer.from(Array.from({ length: file.size }, (_, i) => (i % 64 === 63 ? '\n' : letters[i % 36])).join(''));
}

function staticScenario(file: StaticFile): Scenario {
  return {
    id: file.id,
    async plan({ config, profileDir }: BenchContext): Promise<ScenarioPlan> {
      const connections = config.connections ?? CONNECTIONS;
      const scratch = scratchDir(file.id);
      const root = path.join(scratch, 'www');
      fs.mkdirSync(root, { mode: 0o755 });
      const content = fileContent(file);
      fs.writeFileSync(path.join(root, file.name), content, { mode: 0o644 });

      const notes: string[] = [];
      const scenarioId = file.id;
      const sirv = installedPackage('sirv');
      const httpServer = installedPackage('http-server');
      const serveStatic = installedPackage('serve-static');
      const httpServerPort = await freePort();
      const rows: ServerRow[] = [
        nodeServerRow({
          id: 'sockserve',
          label: 'sockserve command: sockserve -p HTTP/1.1 --quiet',
          shortLabel: 'sockserve',
          script: compiledScript('../lib/cli.ts'),
          args: ['-b', '127.0.0.1', '-d', root, '-p', 'HTTP/1.1', '--quiet', '0'],
          ready: SERVING_LINE,
          profileDir,
          scenarioId,
        }),
        nodeServerRow({
          id: 'sirv',
          label: `sirv ${sirv.version} on node:http (defaults)`,
          shortLabel: 'sirv',
          script: compiledScript('servers/static-sirv.ts'),
          args: [root],
          profileDir,
          scenarioId,
        }),
        nodeServerRow({
          id: 'http-server',
          label: `http-server ${httpServer.version} command: http-server -s`,
          shortLabel: 'http-server',
          script: path.join(httpServer.dir, 'bin', 'http-server'),
          args: [root, '-a', '127.0.0.1', '-p', String(httpServerPort), '-s'],
          ready: { port: httpServerPort },
          profileDir,
          scenarioId,
        }),
        nodeServerRow({
          id: 'serve-static',
          label: `serve-static ${serveStatic.version} on node:http (defaults)`,
          shortLabel: 'serve-static',
          script: compiledScript('servers/static-serve-static.ts'),
          args: [root],
          profileDir,
          scenarioId,
        }),
      ];
      const ratios: Ratio[] = [{ numerator: 'sockserve', denominator: 'sirv', target: file.sirvTarget }];
      notes.push(
        'sockserve, http-server, Python: their commands, request logs off (--quiet, -s) except Python, ' +
          'which has no such option (its log goes to a pipe the bench reads)',
        'http-server sends its default Cache-Control: max-age=3600; sirv indexes the directory at startup (production mode)',
      );

      if (programVersion('python3', ['-V']) === null) {
        notes.push('python3 not found: the Python row is left out');
      } else {
        rows.push({
          id: 'python',
          label: 'python3 -m http.server --protocol HTTP/1.1',
          shortLabel: 'Python',
          command: {
            command: 'python3',
            args: ['-u', '-m', 'http.server', '--protocol', 'HTTP/1.1', '-b', '127.0.0.1', '-d', root, '0'],
          },
          ready: SERVING_LINE,
          profileFile: null,
        });
      }
      const nginx = nginxRow({ root, port: await freePort(), scratch });
      if (nginx === null) {
        notes.push('nginx not installed: its row and ratio are left out');
      } else {
        rows.push(nginx);
        ratios.push({ numerator: 'sockserve', denominator: 'nginx', target: file.nginxTarget });
        notes.push('nginx runs one worker process (worker_processes 1), as the Node servers run one event loop');
      }
      const lighttpd = lighttpdRow({ root, port: await freePort(), scratch, cgi: false });
      if (lighttpd === null) notes.push('lighttpd not installed: its row is left out');
      else rows.push(lighttpd);

      const load = wrkLoad({
        config,
        connections,
        path: `/${file.name}`,
        pipelineDepth: 1,
        expect: { status: 200, body: content },
        ratePerRequest: file.unit === 'MB/s' ? file.size / 1e6 : 1,
      });
      const sizeText = file.size >= 1 << 20 ? `${file.size >> 20} MB` : `${file.size >> 10} KB`;
      return {
        title: `Static file, ${sizeText} (${file.size} bytes): ${connections} keep-alive connections, one request in flight on each`,
        unit: file.unit,
        connections,
        rows,
        load,
        ratios,
        notes,
      };
    },
  };
}

export const staticSmallScenario = staticScenario({
  id: 'static-1k',
  name: '1k.txt',
  size: 1024,
  text: true,
  unit: 'requests/s',
  sirvTarget: 5,
  nginxTarget: 0.5,
});

export const staticLargeScenario = staticScenario({
  id: 'static-1m',
  name: '1m.bin',
  size: 1024 * 1024,
  text: false,
  unit: 'MB/s',
  sirvTarget: 1.2,
  nginxTarget: null,
});
