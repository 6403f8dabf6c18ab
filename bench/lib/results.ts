/**
 * Save a bench run as JSON in bench/results/ (git-ignored), for charts and for comparing runs:
 * `bench-<time>.json` for this run and a copy as `latest.json`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchConfig } from './config';
import type { Machine } from './machine';
import { resultsDir } from './paths';
import type { CpuPlacement } from './placement';
import type { ScenarioResult } from './report';

/** The saved document. Rates are per second, latencies in milliseconds, CPU in cores. */
export interface BenchResults {
  readonly version: 1;
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
  return file;
}
