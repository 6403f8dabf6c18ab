/**
 * The bench's settings, read once from the environment:
 *
 * - BENCH_WARMUP (seconds, default 2): load before each measurement that is not counted.
 * - BENCH_DURATION (seconds, default 5): how long each measurement lasts.
 * - BENCH_RUNS (default 3): measurements per row; the table shows their median.
 * - BENCH_CONNECTIONS (default: each scenario's own, 50 or 10): concurrent connections the load
 *   generator keeps busy, for every scenario.
 * - BENCH_ONLY (default: all): comma-separated scenario ids to run, e.g. "echo".
 * - BENCH_PIN (default 'load'): where processes run, with taskset, on 2 or more cores.
 *   'load': the load generator on CPU 0, servers free to use any core (what a server would get
 *   on a machine of its own, minus what the load generator needs); 'both': the load generator on
 *   CPU 0 and the servers on CPU 1 (one core each, nobody steals from anybody); 'none'.
 * - BENCH_MAX_OTHER_CPU (percent of one core, default 10): a measurement during which other
 *   processes used more CPU than this is repeated (up to 4 times in all), so that a shared
 *   machine's busy spells do not end up in the medians.
 * - BENCH_PROFILE (default 0): 1 runs the Node servers under `node --cpu-prof` and prints their
 *   top functions by self time after the table (profiling slows them: read ratios from a normal run).
 */
/** See BENCH_PIN. */
export type Pinning = 'load' | 'both' | 'none';

export interface BenchConfig {
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly runs: number;
  /** BENCH_CONNECTIONS, or null when each scenario uses its own number. */
  readonly connections: number | null;
  readonly only: readonly string[] | null;
  readonly pin: Pinning;
  /** BENCH_MAX_OTHER_CPU as a fraction of one core. */
  readonly maxOtherCpu: number;
  readonly profile: boolean;
}

function numberFrom(name: string, fallback: number, minimum: number, integer: boolean): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < minimum || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number';
    throw new RangeError(`${name} must be ${kind} >= ${minimum}, got '${text}'`);
  }
  return value;
}

function pinningFrom(name: string, fallback: Pinning): Pinning {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (text === 'load' || text === 'both' || text === 'none') return text;
  throw new RangeError(`${name} must be load, both or none, got '${text}'`);
}

function flagFrom(name: string, fallback: boolean): boolean {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (text === '1') return true;
  if (text === '0') return false;
  throw new RangeError(`${name} must be 0 or 1, got '${text}'`);
}

/** Read the settings from process.env; throws RangeError naming the variable when one is invalid. */
export function readConfig(): BenchConfig {
  const only = process.env['BENCH_ONLY'];
  const connectionsText = process.env['BENCH_CONNECTIONS'];
  return {
    warmupSeconds: numberFrom('BENCH_WARMUP', 2, 0, false),
    durationSeconds: numberFrom('BENCH_DURATION', 5, 0.1, false),
    runs: numberFrom('BENCH_RUNS', 3, 1, true),
    connections:
      connectionsText === undefined || connectionsText === '' ? null : numberFrom('BENCH_CONNECTIONS', 0, 1, true),
    only: only === undefined || only === '' ? null : only.split(',').map((id) => id.trim()),
    pin: pinningFrom('BENCH_PIN', 'load'),
    maxOtherCpu: numberFrom('BENCH_MAX_OTHER_CPU', 10, 0, false) / 100,
    profile: flagFrom('BENCH_PROFILE', false),
  };
}
