/**
 * HTTP hello world (issue 3): requests per second with N keep-alive connections (50 by default),
 * once with one request in flight per connection and once with 10 pipelined, driven by wrk.
 *
 * Rows: sockserve's ThreadingHTTPServer + BaseHTTPRequestHandler (do_GET: 200, two headers, a
 * 14-byte body, protocolVersion HTTP/1.1), node:http with the same response (the baseline), and
 * Python's ThreadingHTTPServer with the same handler. Targets: sockserve >= 1.3x node:http
 * (keep-alive) and >= 1.0x node:http (pipelined).
 */
import { programVersion } from '../lib/machine';
import { nodeServerRow } from '../lib/node-row';
import { benchSource, compiledScript } from '../lib/paths';
import {
  LISTENING_LINE,
  type BenchContext,
  type Ratio,
  type Scenario,
  type ScenarioPlan,
  type ServerRow,
} from '../lib/scenario';
import { wrkLoad } from '../lib/wrk';

const CONNECTIONS = 50;
const BODY = Buffer.from('Hello, world!\n');

function httpScenario(id: string, depth: number, keepAliveTarget: number): Scenario {
  return {
    id,
    async plan({ config, profileDir }: BenchContext): Promise<ScenarioPlan> {
      const notes: string[] = [];
      const connections = config.connections ?? CONNECTIONS;
      const rows: ServerRow[] = [
        nodeServerRow({
          id: 'sockserve',
          label: 'sockserve ThreadingHTTPServer + BaseHTTPRequestHandler',
          shortLabel: 'sockserve',
          script: compiledScript('servers/http-sockserve.ts'),
          profileDir,
          scenarioId: id,
        }),
        nodeServerRow({
          id: 'node-http',
          label: 'node:http',
          shortLabel: 'node:http',
          script: compiledScript('servers/http-node.ts'),
          profileDir,
          scenarioId: id,
        }),
      ];
      const ratios: Ratio[] = [{ numerator: 'sockserve', denominator: 'node-http', target: keepAliveTarget }];
      if (programVersion('python3', ['-V']) !== null) {
        rows.push({
          id: 'python',
          label: 'Python http.server.ThreadingHTTPServer (Nagle off)',
          shortLabel: 'Python',
          command: { command: 'python3', args: [benchSource('servers/http_server.py')] },
          ready: LISTENING_LINE,
          profileFile: null,
        });
        ratios.push({ numerator: 'sockserve', denominator: 'python', target: 1 });
      } else {
        notes.push('python3 not found: the Python row is left out');
      }
      const load = wrkLoad({
        config,
        connections,
        path: '/',
        pipelineDepth: depth,
        expect: { status: 200, body: BODY },
        ratePerRequest: 1,
      });
      return {
        title: `HTTP hello world: ${connections} keep-alive connections, ${depth === 1 ? 'one request' : `${depth} pipelined requests`} in flight on each`,
        unit: 'requests/s',
        connections,
        rows,
        load,
        ratios,
        notes,
      };
    },
  };
}

export const httpHelloScenario = httpScenario('http', 1, 1.3);
export const httpPipelinedScenario = httpScenario('http-pipelined', 10, 1.0);
