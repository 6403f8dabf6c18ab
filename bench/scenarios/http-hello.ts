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
import { benchSource, compiledScript } from '../lib/paths';
import type { BenchContext, Ratio, Scenario, ScenarioPlan, ServerRow } from '../lib/scenario';
import { SummaryLoadGenerator } from '../lib/summary-load';

function nodeRow(id: string, label: string, shortLabel: string, script: string): ServerRow {
  return {
    id,
    label,
    shortLabel,
    command: { command: process.execPath, args: [compiledScript(script)] },
    profileFile: null,
  };
}

function httpScenario(id: string, depth: number, keepAliveTarget: number): Scenario {
  return {
    id,
    async plan({ config }: BenchContext): Promise<ScenarioPlan> {
      const notes: string[] = [];
      const rows: ServerRow[] = [
        nodeRow(
          'sockserve',
          'sockserve ThreadingHTTPServer + BaseHTTPRequestHandler',
          'sockserve',
          'servers/http-sockserve.ts',
        ),
        nodeRow('node-http', 'node:http', 'node:http', 'servers/http-node.ts'),
      ];
      const ratios: Ratio[] = [{ numerator: 'sockserve', denominator: 'node-http', target: keepAliveTarget }];
      if (programVersion('python3', ['-V']) !== null) {
        rows.push({
          id: 'python',
          label: 'Python http.server.ThreadingHTTPServer (Nagle off)',
          shortLabel: 'Python',
          command: { command: 'python3', args: [benchSource('servers/http_server.py')] },
          profileFile: null,
        });
        ratios.push({ numerator: 'sockserve', denominator: 'python', target: 1 });
      } else {
        notes.push('python3 not found: the Python row is left out');
      }
      if (programVersion('which', ['wrk']) === null) {
        throw new Error('wrk is not installed (apt-get install wrk): the HTTP rows need it');
      }
      const script = compiledScript('load/wrk-load.ts');
      const load = new SummaryLoadGenerator(
        `wrk 4 (one thread${depth > 1 ? `, bench/load/pipeline.lua, ${depth} requests per batch` : ''})`,
        (port) => ({
          command: process.execPath,
          args: [
            script,
            '127.0.0.1',
            String(port),
            String(config.connections),
            String(config.warmupSeconds),
            String(config.durationSeconds),
            String(depth),
            benchSource('load'),
          ],
        }),
        config.warmupSeconds + config.durationSeconds + 30,
      );
      return {
        title: `HTTP hello world: ${config.connections} keep-alive connections, ${depth === 1 ? 'one request' : `${depth} pipelined requests`} in flight on each`,
        unit: 'requests/s',
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
