/**
 * The shape of a bench scenario. A scenario file (bench/scenarios/*.ts) exports a Scenario; its
 * plan names the servers to compare (the rows of its part of the table), the load generator that
 * drives them, and the ratios to print with their targets. The runner does the rest: start each
 * server, measure each row `runs` times (interleaved), take medians, print, save.
 */
import type { BenchConfig } from './config';
import type { Command } from './processes';

/** What a scenario's plan may use. */
export interface BenchContext {
  readonly config: BenchConfig;
  /** Where Node servers write CPU profiles (`node --cpu-prof`) when BENCH_PROFILE=1; else null. */
  readonly profileDir: string | null;
}

/** A scenario: one part of the table. */
export interface Scenario {
  /** Short id for BENCH_ONLY and the JSON results, e.g. 'echo'. */
  readonly id: string;
  /** Build what it needs (load generator, …) and say what to measure. */
  plan(context: BenchContext): Promise<ScenarioPlan>;
}

/** What a scenario measures. */
export interface ScenarioPlan {
  /** The heading of this part of the table. */
  readonly title: string;
  /** What the measured rate counts, e.g. 'round trips/s', 'requests/s' or 'MB/s'. */
  readonly unit: string;
  /** Concurrent connections the load generator keeps busy (BENCH_CONNECTIONS, else the scenario's own). */
  readonly connections: number;
  readonly rows: readonly ServerRow[];
  readonly load: LoadGenerator;
  readonly ratios: readonly Ratio[];
  /** Lines printed under this part of the table (fallbacks used, settings). */
  readonly notes: readonly string[];
}

/**
 * How the runner learns that a server accepts connections, and on which port of 127.0.0.1:
 * a stdout line matching `stdoutPattern` (its first group is the port), or, for a server told
 * its port up front (nginx, lighttpd), the first successful connection to `port`.
 */
export type ReadySignal = { readonly stdoutPattern: RegExp } | { readonly port: number };

/** The bench's own servers print this once they listen. */
export const LISTENING_LINE: ReadySignal = { stdoutPattern: /^LISTENING (\d+)$/ };

/** The startup line of `python3 -m http.server` and of the sockserve command. */
export const SERVING_LINE: ReadySignal = { stdoutPattern: /^Serving HTTP on \S+ port (\d+) / };

/**
 * One server: a row. Its command must announce that it accepts connections on 127.0.0.1 as
 * `ready` says, and exit on SIGTERM (its child processes with it).
 */
export interface ServerRow {
  /** Key in the JSON results and in ratios, e.g. 'sockserve'. */
  readonly id: string;
  /** Shown in the table. */
  readonly label: string;
  /** Shown in ratio lines, e.g. 'node:net'. */
  readonly shortLabel: string;
  readonly command: Command;
  readonly ready: ReadySignal;
  /** The file its CPU profile is written to when profiling, or null if it is not profiled. */
  readonly profileFile: string | null;
}

/** A ratio of two rows' median rates, printed with the target it should meet (>= target), if any. */
export interface Ratio {
  readonly numerator: string;
  readonly denominator: string;
  readonly target: number | null;
}

/** Drives one server for a warm-up and one measurement. */
export interface LoadGenerator {
  /** What it is, printed under the table, e.g. 'echo_load (C, epoll, one thread)'. */
  readonly description: string;
  /**
   * Load 127.0.0.1:`port` (pinned to `cpu` unless null) for the warm-up and then the measurement;
   * call `measureStarted` when counting begins, so that the runner can read the server's CPU time.
   */
  run(port: number, cpu: number | null, measureStarted: () => void): Promise<LoadResult>;
}

/** One measurement. */
export interface LoadResult {
  /** The measured rate in the scenario's unit: completed operations (round trips, requests) per second, or MB/s. */
  readonly rate: number;
  /** Completed operations. */
  readonly count: number;
  readonly seconds: number;
  /** Connections that failed, closed early or got wrong bytes. */
  readonly errors: number;
  /** Connections that completed at least one operation during the measurement, if known. */
  readonly activeConnections: number | null;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number } | null;
  /** The load generator's CPU use during the measurement (1 = one core busy), if known. */
  readonly loadCpu: number | null;
}
