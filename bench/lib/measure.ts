/**
 * Run one scenario: start its servers, measure every row `runs` times, take the medians.
 *
 * Runs are interleaved (row A, B, C, then A, B, C again …) so that a slow spell on the machine
 * touches every row rather than one. Each server keeps running across its runs (its JIT stays
 * warm); each run is a fresh load generator with fresh connections, warm-up first.
 */
import * as net from 'node:net';
import type { BenchConfig } from './config';
import type { CpuPlacement } from './placement';
import { machineCpuSeconds } from './cpu-time';
import { ChildRun } from './processes';
import type { LoadResult, ScenarioPlan, ServerRow } from './scenario';

/** One measurement of one row, with what the machine did meanwhile. */
export interface RunResult extends LoadResult {
  /** The server's CPU use (1 = one core busy). */
  readonly serverCpu: number | null;
  /** CPU used by other processes on the machine meanwhile (1 = one core), if known. */
  readonly otherCpu: number | null;
  /** Measurements taken for this run: more than 1 when earlier ones met competing work. */
  readonly attempts: number;
}

export interface RowResult {
  readonly id: string;
  readonly label: string;
  readonly shortLabel: string;
  readonly runs: readonly RunResult[];
  /** The run with the median rate. */
  readonly median: RunResult;
}

export interface RatioResult {
  readonly numerator: string;
  readonly denominator: string;
  /** The target it should meet (>= target), or null when it is shown for information. */
  readonly target: number | null;
  readonly value: number;
  /** value >= target, or null without a target. */
  readonly met: boolean | null;
}

const STARTUP_SECONDS = 20;
/** How often a server told its port up front is tried until it accepts a connection. */
const CONNECT_POLL_MS = 50;
/** How many times a run is measured at most when other work competes with it. */
const MAX_ATTEMPTS = 4;
const RETRY_PAUSE_MS = 5000;

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** Resolves true once 127.0.0.1:`port` accepts a connection (closed at once), false if refused. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Start `row`'s server and wait until it accepts connections; resolves with its port. */
export async function startServer(row: ServerRow, cpu: number | null): Promise<{ server: ChildRun; port: number }> {
  const server = new ChildRun(row.label, row.command, cpu);
  const deadline = Date.now() + STARTUP_SECONDS * 1000;
  const remaining = (): number => Math.max(0, (deadline - Date.now()) / 1000);
  const { ready } = row;
  if ('port' in ready) {
    while (!(await accepts(ready.port))) {
      const line = await server.nextLine(Math.min(remaining(), CONNECT_POLL_MS / 1000));
      if (line === null && (server.hasExited() || remaining() === 0)) {
        await server.stop();
        throw server.failure(`did not accept connections on port ${ready.port} within ${STARTUP_SECONDS} s`);
      }
    }
    return { server, port: ready.port };
  }
  for (;;) {
    const line = await server.nextLine(remaining());
    if (line === null) {
      await server.stop();
      throw server.failure(`did not print a line matching ${ready.stdoutPattern} within ${STARTUP_SECONDS} s`);
    }
    const port = ready.stdoutPattern.exec(line)?.[1];
    if (port !== undefined) return { server, port: Number(port) };
  }
}

/** The run whose rate is the median (the lower middle one for an even count). */
function medianRun<T extends { readonly rate: number }>(runs: readonly T[]): T {
  const sorted = [...runs].sort((a, b) => a.rate - b.rate);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (middle === undefined) throw new RangeError('no runs to take the median of');
  return middle;
}

/** One warm-up and measurement of `server`. */
async function measureOnce(
  plan: ScenarioPlan,
  server: ChildRun,
  port: number,
  placement: CpuPlacement,
): Promise<Omit<RunResult, 'attempts'>> {
  let serverAtStart: number | null = null;
  let machineAtStart: number | null = null;
  const result = await plan.load.run(port, placement.load, () => {
    serverAtStart = server.cpuSeconds();
    machineAtStart = machineCpuSeconds();
  });
  const serverAtEnd = server.cpuSeconds();
  const machineAtEnd = machineCpuSeconds();
  const perSecond = (start: number | null, end: number | null): number | null =>
    start === null || end === null ? null : (end - start) / result.seconds;
  const serverCpu = perSecond(serverAtStart, serverAtEnd);
  const machineCpu = perSecond(machineAtStart, machineAtEnd);
  const otherCpu =
    machineCpu === null || serverCpu === null || result.loadCpu === null
      ? null
      : Math.max(0, machineCpu - serverCpu - result.loadCpu);
  return { ...result, serverCpu, otherCpu };
}

/**
 * One run of a row: measured again (after a pause, up to MAX_ATTEMPTS times in all) while other
 * processes use more than `config.maxOtherCpu`; the least disturbed attempt is kept.
 */
async function measureRun(
  plan: ScenarioPlan,
  target: { server: ChildRun; port: number },
  placement: CpuPlacement,
  config: BenchConfig,
  report: (line: string) => void,
): Promise<RunResult> {
  let kept: Omit<RunResult, 'attempts'> | null = null;
  for (let attempts = 1; ; attempts++) {
    const run = await measureOnce(plan, target.server, target.port, placement);
    if (kept === null || (run.otherCpu ?? 0) < (kept.otherCpu ?? 0)) kept = run;
    const other = run.otherCpu === null ? '' : `, other processes ${percent(run.otherCpu)} CPU`;
    const errors = run.errors === 0 ? '' : `, ${run.errors} connection errors`;
    const said = `${Math.round(run.rate)} ${plan.unit}${other}${errors}`;
    const contended = run.otherCpu !== null && run.otherCpu > config.maxOtherCpu;
    if (!contended || attempts === MAX_ATTEMPTS) {
      report(said);
      return { ...kept, attempts };
    }
    report(`${said}: competing work, measuring again in ${RETRY_PAUSE_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
  }
}

/** Measure each row of `plan`, interleaved; `progress` receives a line per measurement. */
export async function measurePlan(
  plan: ScenarioPlan,
  config: BenchConfig,
  placement: CpuPlacement,
  progress: (line: string) => void,
): Promise<{ rows: RowResult[]; ratios: RatioResult[] }> {
  const servers: { row: ServerRow; server: ChildRun; port: number }[] = [];
  const runs = new Map<string, RunResult[]>(plan.rows.map((row) => [row.id, []]));
  try {
    for (const row of plan.rows) servers.push({ row, ...(await startServer(row, placement.server)) });
    for (let round = 1; round <= config.runs; round++) {
      for (const target of servers) {
        const report = (line: string): void => progress(`run ${round}/${config.runs} ${target.row.label}: ${line}`);
        runs.get(target.row.id)!.push(await measureRun(plan, target, placement, config, report));
      }
    }
  } finally {
    await Promise.all(servers.map(({ server }) => server.stop()));
  }
  const rows = plan.rows.map((row): RowResult => {
    const rowRuns = runs.get(row.id)!;
    return { id: row.id, label: row.label, shortLabel: row.shortLabel, runs: rowRuns, median: medianRun(rowRuns) };
  });
  const ratios = plan.ratios.map((ratio): RatioResult => {
    const rate = (id: string): number => {
      const row = rows.find((candidate) => candidate.id === id);
      if (row === undefined) throw new RangeError(`ratio names an unknown row '${id}'`);
      return row.median.rate;
    };
    const value = rate(ratio.numerator) / rate(ratio.denominator);
    return { ...ratio, value, met: ratio.target === null ? null : value >= ratio.target };
  });
  return { rows, ratios };
}
