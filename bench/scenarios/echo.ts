/**
 * Line echo (issue 2): round trips per second with N connections (50 by default), each sending
 * one 16-byte line plus '\n' and waiting for its echo before sending the next.
 *
 * Rows: sockserve's ThreadingTCPServer + StreamRequestHandler, a bare node:net server that splits
 * lines the same way (the baseline: what Node itself can do), and Python's
 * socketserver.ThreadingTCPServer + StreamRequestHandler. Targets: sockserve >= 0.9x node:net
 * and >= 3x Python.
 */
import { programVersion } from '../lib/machine';
import { compileC } from '../lib/native';
import { nodeServerRow } from '../lib/node-row';
import { benchSource, compiledScript } from '../lib/paths';
import type { Command } from '../lib/processes';
import {
  LISTENING_LINE,
  type BenchContext,
  type Ratio,
  type Scenario,
  type ScenarioPlan,
  type ServerRow,
} from '../lib/scenario';
import { SummaryLoadGenerator } from '../lib/summary-load';

const LINE_BYTES = 16;
const CONNECTIONS = 50;

export const echoScenario: Scenario = {
  id: 'echo',

  async plan({ config, profileDir }: BenchContext): Promise<ScenarioPlan> {
    const notes: string[] = [];
    const connections = config.connections ?? CONNECTIONS;
    const scenarioId = 'echo';
    const rows: ServerRow[] = [
      nodeServerRow({
        id: 'sockserve',
        label: 'sockserve ThreadingTCPServer + StreamRequestHandler',
        shortLabel: 'sockserve',
        script: compiledScript('servers/echo-sockserve.ts'),
        profileDir,
        scenarioId,
      }),
      nodeServerRow({
        id: 'node-net',
        label: 'node:net echo (splits lines)',
        shortLabel: 'node:net',
        script: compiledScript('servers/echo-net.ts'),
        profileDir,
        scenarioId,
      }),
    ];
    const ratios: Ratio[] = [{ numerator: 'sockserve', denominator: 'node-net', target: 0.9 }];
    if (programVersion('python3', ['-V']) === null) {
      notes.push('python3 not found: the Python row is left out');
    } else {
      rows.push({
        id: 'python',
        label: 'Python socketserver.ThreadingTCPServer',
        shortLabel: 'Python',
        command: { command: 'python3', args: [benchSource('servers/echo_server.py')] },
        ready: LISTENING_LINE,
        profileFile: null,
      });
      ratios.push({ numerator: 'sockserve', denominator: 'python', target: 3 });
    }

    const loadArgs = (port: number): string[] => [
      '127.0.0.1',
      String(port),
      String(connections),
      String(config.warmupSeconds),
      String(config.durationSeconds),
      String(LINE_BYTES + 1),
    ];
    const timeoutSeconds = config.warmupSeconds + config.durationSeconds + 30;
    const compiled = compileC(benchSource('load/echo_load.c'), 'echo_load');
    let loadCommand: (port: number) => Command;
    let loadDescription: string;
    if (compiled !== null) {
      loadCommand = (port) => ({ command: compiled, args: loadArgs(port) });
      loadDescription = 'bench/load/echo_load.c (C, one thread, epoll, non-blocking sockets, cc -O2)';
    } else {
      const script = compiledScript('load/echo-load-node.ts');
      loadCommand = (port) => ({ command: process.execPath, args: [script, ...loadArgs(port)] });
      loadDescription = 'bench/load/echo-load-node.ts (Node fallback)';
      notes.push('no C compiler (cc): the Node load generator was used and may be the bottleneck');
    }

    return {
      title: `Line echo: ${connections} connections, one ${LINE_BYTES}-byte line + \\n in flight on each`,
      unit: 'round trips/s',
      connections,
      rows,
      load: new SummaryLoadGenerator(loadDescription, loadCommand, timeoutSeconds),
      ratios,
      notes,
    };
  },
};
