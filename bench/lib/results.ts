/**
 * Save a bench run in bench/results/ (git-ignored): as JSON, `bench-<time>.json` for this run and
 * a copy as `latest.json` (for comparing runs, and what bench/publish.ts publishes), and as
 * `latest.svg` (the chart, lib/chart.ts) and `latest.md` (the table, lib/markdown.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderChart } from './chart';
import type { BenchConfig } from './config';
import type { Machine } from './machine';
import { resultsDir } from './paths';
import type { CpuPlacement } from './placement';
import { renderMarkdown } from './markdown';
import type { ScenarioResult } from './report';

/** The version of the saved document this bench writes and publishes. */
export const RESULTS_VERSION = 2;

/** The saved document. Rates are per second (or MB/s), latencies in milliseconds, CPU in cores. */
export interface BenchResults {
  /** 2: ratios may have no target, scenarios state their connections, server CPU includes child processes. */
  readonly version: typeof RESULTS_VERSION;
  readonly date: string;
  readonly machine: Machine;
  readonly config: BenchConfig;
  readonly placement: CpuPlacement;
  readonly scenarios: readonly ScenarioResult[];
}

/** Write `results`; returns the path of the timestamped file. */
export function saveResults(results: BenchResults): string {
  fs.mkdirSync(resultsDir, { recursive: true });
  const text = `${JSON.stringify(results, null, 2)}\n`;
  const file = path.join(resultsDir, `bench-${results.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, text);
  fs.writeFileSync(path.join(resultsDir, 'latest.json'), text);
  fs.writeFileSync(path.join(resultsDir, 'latest.svg'), renderChart(results));
  fs.writeFileSync(path.join(resultsDir, 'latest.md'), renderMarkdown(results));
  return file;
}
