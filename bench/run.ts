/**
 * `npm run bench`: measure sockserve against its peers and print one table.
 *
 * For each scenario in bench/scenarios/ (or those named in BENCH_ONLY) it starts the servers as
 * child processes, drives each with the scenario's load generator (warm-up, then a timed
 * measurement, `BENCH_RUNS` times), prints the medians and ratios, saves everything in
 * bench/results/ (JSON, an SVG chart, a markdown table; bench/publish.ts copies them to
 * docs/performance/), and stops every process it started. Settings: see bench/lib/config.ts and
 * bench/README.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConfig } from './lib/config';
import { summariseProfile } from './lib/cpuprofile';
import { describeMachine } from './lib/machine';
import { measurePlan } from './lib/measure';
import { repositoryRoot, resultsDir } from './lib/paths';
import { cpuPlacement } from './lib/placement';
import { renderHeader, renderResults, scenarioResult, type ScenarioResult } from './lib/report';
import { RESULTS_VERSION, saveResults } from './lib/results';
import type { ScenarioPlan } from './lib/scenario';
import { scenarios } from './scenarios/index';

const PROFILE_TOP = 25;
const PROFILE_FILES = 12;

function printProfiles(plan: ScenarioPlan): void {
  for (const row of plan.rows) {
    if (row.profileFile === null || !fs.existsSync(row.profileFile)) continue;
    const { busySamples, top, files } = summariseProfile(row.profileFile, repositoryRoot, PROFILE_TOP);
    console.log(`\nCPU profile of ${row.label}: ${path.relative(repositoryRoot, row.profileFile)}`);
    console.log(`${busySamples} busy samples; shares of busy time; lines are in the compiled JavaScript`);
    console.log('  self %  total %  function (file:line)');
    for (const entry of top) {
      console.log(
        `  ${entry.selfPercent.toFixed(1).padStart(6)}  ${entry.totalPercent.toFixed(1).padStart(7)}  ${entry.where}`,
      );
    }
    console.log('  self %  file');
    for (const { file, selfPercent } of files.slice(0, PROFILE_FILES)) {
      console.log(`  ${selfPercent.toFixed(1).padStart(6)}  ${file}`);
    }
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const machine = describeMachine();
  const placement = cpuPlacement(config.pin, machine.cores);
  const profileDir = config.profile ? path.join(resultsDir, 'profiles') : null;
  if (profileDir !== null) fs.rmSync(profileDir, { recursive: true, force: true });

  const selected = scenarios.filter((scenario) => config.only === null || config.only.includes(scenario.id));
  const unknown = (config.only ?? []).filter((id) => !scenarios.some((scenario) => scenario.id === id));
  if (unknown.length > 0) {
    throw new RangeError(
      `BENCH_ONLY names unknown scenarios: ${unknown.join(', ')} (known: ${scenarios.map((s) => s.id).join(', ')})`,
    );
  }

  console.log(renderHeader(machine, config, placement));
  const results: ScenarioResult[] = [];
  const plans: ScenarioPlan[] = [];
  for (const scenario of selected) {
    const plan = await scenario.plan({ config, profileDir });
    plans.push(plan);
    const measured = await measurePlan(plan, config, placement, (line) =>
      process.stderr.write(`${scenario.id}: ${line}\n`),
    );
    results.push(scenarioResult(scenario.id, plan, measured));
  }

  console.log(`\n${renderResults(results, config)}`);
  const file = saveResults({
    version: RESULTS_VERSION,
    date: new Date().toISOString(),
    machine,
    config,
    placement,
    scenarios: results,
  });
  console.log(
    `\nResults saved to ${path.relative(repositoryRoot, file)} (and bench/results/latest.json), ` +
      'chart in bench/results/latest.svg, table in bench/results/latest.md.',
  );
  for (const plan of plans) printProfiles(plan);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
