/**
 * Publish the latest bench run for docs/performance.md: reads bench/results/latest.json (written
 * by `npm run bench`) and writes docs/performance/bench.svg (the chart), bench.md (the tables)
 * and bench.json (the measurements they were drawn from), to be committed.
 *
 *     npx tsc -p bench/tsconfig.json && node bench/results/build/bench/publish.js [--partial] [--out DIR]
 *
 * It refuses a run that left scenarios out (BENCH_ONLY) unless --partial is given, and warns
 * about runs that met competing work or were shorter than the defaults. `--out DIR` writes to
 * DIR instead of docs/performance/ (to look at the files first).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderChart } from './lib/chart';
import { renderMarkdown } from './lib/markdown';
import { repositoryRoot, resultsDir } from './lib/paths';
import { RESULTS_VERSION, type BenchResults } from './lib/results';
import { scenarios } from './scenarios/index';

const PUBLISH_DIR = path.join(repositoryRoot, 'docs', 'performance');
const DEFAULT_RUNS = 3;
const DEFAULT_DURATION_SECONDS = 5;

/** Why `results` should not be published as they are (errors), and what a reader should know (warnings). */
function review(results: BenchResults, partial: boolean): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const measured = new Set(results.scenarios.map((scenario) => scenario.id));
  const missing = scenarios.map((scenario) => scenario.id).filter((id) => !measured.has(id));
  if (missing.length > 0) {
    (partial ? warnings : errors).push(`the run left out scenarios: ${missing.join(', ')} (BENCH_ONLY was set)`);
  }
  const { config } = results;
  if (config.runs < DEFAULT_RUNS || config.durationSeconds < DEFAULT_DURATION_SECONDS) {
    warnings.push(`short run: ${config.runs} runs of ${config.durationSeconds} s (defaults: 3 runs of 5 s)`);
  }
  for (const scenario of results.scenarios) {
    for (const row of scenario.rows) {
      const contended = row.runs.filter((run) => run.otherCpu !== null && run.otherCpu > config.maxOtherCpu).length;
      if (contended > 0) warnings.push(`${scenario.id} / ${row.id}: ${contended} runs met competing work`);
      const errorCount = row.runs.reduce((sum, run) => sum + run.errors, 0);
      if (errorCount > 0) warnings.push(`${scenario.id} / ${row.id}: ${errorCount} connection errors`);
    }
  }
  return { errors, warnings };
}

/** The directory after `--out`, or docs/performance/. */
function outputDir(args: readonly string[]): string {
  const at = args.indexOf('--out');
  const dir = at === -1 ? undefined : args[at + 1];
  return dir === undefined ? PUBLISH_DIR : path.resolve(dir);
}

function main(): number {
  const args = process.argv.slice(2);
  const partial = args.includes('--partial');
  const outDir = outputDir(args);
  const source = path.join(resultsDir, 'latest.json');
  if (!fs.existsSync(source)) {
    console.error(`${path.relative(repositoryRoot, source)} does not exist: run npm run bench first`);
    return 1;
  }
  const results = JSON.parse(fs.readFileSync(source, 'utf8')) as BenchResults;
  if (results.version !== RESULTS_VERSION) {
    console.error(`${source} is version ${results.version}, expected ${RESULTS_VERSION}: run npm run bench again`);
    return 1;
  }
  const { errors, warnings } = review(results, partial);
  for (const warning of warnings) console.warn(`warning: ${warning}`);
  if (errors.length > 0) {
    for (const error of errors) console.error(`not published: ${error}; use --partial to publish it anyway`);
    return 1;
  }
  fs.mkdirSync(outDir, { recursive: true });
  const outputs: [string, string][] = [
    ['bench.svg', renderChart(results)],
    ['bench.md', renderMarkdown(results)],
    ['bench.json', `${JSON.stringify(results, null, 2)}\n`],
  ];
  for (const [name, text] of outputs) {
    const file = path.join(outDir, name);
    fs.writeFileSync(file, text);
    console.log(`wrote ${path.relative(repositoryRoot, file)}`);
  }
  return 0;
}

process.exitCode = main();
