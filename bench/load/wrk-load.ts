/**
 * An HTTP load generator speaking the bench's summary protocol (see lib/summary-load.ts) by
 * running wrk twice: a warm-up, then the measurement. With a pipeline depth above 1 it sends that
 * many requests back to back on each connection (bench/load/pipeline.lua).
 *
 * Usage: node wrk-load.js <host> <port> <connections> <warmup s> <duration s> <pipeline depth> <lua dir> [<path>]
 * The CPU wrk used is read from the shell's waited-children times (/proc/self/stat cutime+cstime).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const [
  host = '127.0.0.1',
  port = '0',
  connections = '50',
  warmup = '2',
  duration = '5',
  depth = '1',
  luaDir = '.',
  requestPath = '/',
] = process.argv.slice(2);
const url = `http://${host}:${port}${requestPath}`;
const pipelineArgs = Number(depth) > 1 ? ['-s', path.join(luaDir, 'pipeline.lua')] : [];
const depthArgs = Number(depth) > 1 ? ['--', depth] : [];

function wrk(seconds: string, extra: readonly string[]): string {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, ...extra, ...pipelineArgs, url, ...depthArgs];
  const quoted = args.map((arg) => `'${arg}'`).join(' ');
  const run = spawnSync('bash', ['-c', `wrk ${quoted} && cat /proc/$$/stat`], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr || run.stdout}`);
  return run.stdout;
}

/** wrk's "1.23ms" / "456.00us" / "1.20s" in milliseconds. */
function milliseconds(text: string | undefined): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text ?? '');
  if (match === null) return NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

wrk(warmup, []);
console.log('measure-start');
const output = wrk(duration, ['--latency']);
const count = Number(/(\d+) requests in/.exec(output)?.[1] ?? NaN);
const seconds = milliseconds(/requests in ([\d.]+(?:us|ms|s))/.exec(output)?.[1]) / 1000;
const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
const errors = (socketErrors?.slice(1).reduce((sum, n) => sum + Number(n), 0) ?? 0) + non2xx;
const stat = (output.trim().split('\n').pop() ?? '').split(') ')[1]?.split(' ') ?? [];
const ticks = Number(stat[13]) + Number(stat[14]); // cutime, cstime: fields 16 and 17
console.log(
  JSON.stringify({
    count,
    seconds,
    rate: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN),
    errors,
    activeConnections: Number(connections),
    latencyMs: {
      p50: milliseconds(/\s50%\s+(\S+)/.exec(output)?.[1]),
      p99: milliseconds(/\s99%\s+(\S+)/.exec(output)?.[1]),
      max: milliseconds(/Latency\s+\S+\s+\S+\s+(\S+)/.exec(output)?.[1]),
    },
    cpu: ticks / 100 / seconds,
  }),
);
