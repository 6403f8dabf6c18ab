/**
 * The bench's printed report: the machine, the settings, and one table with a section per
 * scenario (its rows, then its ratios against their targets, then its notes).
 */
import type { BenchConfig } from './config';
import type { Machine } from './machine';
import type { RatioResult, RowResult } from './measure';
import type { CpuPlacement } from './placement';
import type { ScenarioPlan } from './scenario';
import { integer, milliseconds, percent, runsText, times } from './format';
import { renderTable, type TableLine } from './table';

/** A measured scenario, as the report and the JSON results hold it. */
export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly connections: number;
  readonly loadGenerator: string;
  readonly rows: readonly RowResult[];
  readonly ratios: readonly RatioResult[];
  readonly notes: readonly string[];
}

/** Combine a plan with its measurements. */
export function scenarioResult(
  id: string,
  plan: ScenarioPlan,
  measured: { rows: RowResult[]; ratios: RatioResult[] },
): ScenarioResult {
  return {
    id,
    title: plan.title,
    unit: plan.unit,
    connections: plan.connections,
    loadGenerator: plan.load.description,
    rows: measured.rows,
    ratios: measured.ratios,
    notes: plan.notes,
  };
}

/**
 * What to know about a row's runs (`connections` of them were opened): measurements repeated because other work competed, runs that
 * still had competition, connection errors, connections that never completed an operation.
 */
export function problems(row: RowResult, connections: number, config: BenchConfig): string {
  const { maxOtherCpu } = config;
  const errors = row.runs.reduce((sum, run) => sum + run.errors, 0);
  const fewestActive = Math.min(...row.runs.map((run) => run.activeConnections ?? connections));
  const repeated = row.runs.reduce((sum, run) => sum + run.attempts - 1, 0);
  const contended = row.runs.filter((run) => run.otherCpu !== null && run.otherCpu > maxOtherCpu).length;
  const said: string[] = [];
  if (repeated > 0) said.push(`${repeated} re-measured`);
  if (contended > 0) said.push(`${contended} with competing work`);
  if (errors > 0) said.push(`${errors} connection errors`);
  if (fewestActive < connections) said.push(`only ${fewestActive}/${connections} connections active`);
  return said.join(', ');
}

function rowCells(row: RowResult, connections: number, config: BenchConfig): string[] {
  const rates = row.runs.map((run) => run.rate);
  const { median } = row;
  return [
    `  ${row.label}`,
    integer.format(median.rate),
    `${integer.format(Math.min(...rates))}–${integer.format(Math.max(...rates))}`,
    milliseconds(median.latencyMs?.p50),
    milliseconds(median.latencyMs?.p99),
    percent(median.serverCpu),
    percent(median.loadCpu),
    percent(median.otherCpu),
    problems(row, connections, config),
  ];
}

/** "sockserve / sirv": a ratio's two rows by their short labels. */
export function ratioName(ratio: RatioResult, rows: readonly RowResult[]): string {
  const name = (id: string): string => rows.find((row) => row.id === id)?.shortLabel ?? id;
  return `${name(ratio.numerator)} / ${name(ratio.denominator)}`;
}

function ratioCells(ratio: RatioResult, rows: readonly RowResult[]): string[] {
  return [
    `  ratio ${ratioName(ratio, rows)}`,
    times(ratio.value),
    ratio.target === null ? 'no target' : `target ≥ ${times(ratio.target)}`,
    ratio.met === null ? '' : ratio.met ? 'met' : 'MISSED',
  ];
}

/** The header lines: machine and settings. */
export function renderHeader(machine: Machine, config: BenchConfig, placement: CpuPlacement): string {
  const python = machine.python ?? 'python3 not found';
  return [
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.kernel}; Node ${machine.node}; ${python}`,
    `Load average at start: ${machine.loadAverage.toFixed(2)} (other work on the machine skews the numbers)`,
    `Each row: ${config.warmupSeconds} s warm-up, then ${config.durationSeconds} s measured; ` +
      `${runsText(config.runs)} interleaved, median shown; ${placement.description}.`,
  ].join('\n');
}

/** The table: a section per scenario. */
export function renderResults(scenarios: readonly ScenarioResult[], config: BenchConfig): string {
  const lines: TableLine[] = [];
  for (const scenario of scenarios) {
    lines.push({ text: `${scenario.title} — ${scenario.unit}` });
    for (const row of scenario.rows) lines.push({ cells: rowCells(row, scenario.connections, config) });
    for (const ratio of scenario.ratios) lines.push({ cells: ratioCells(ratio, scenario.rows) });
    lines.push({ text: `  load: ${scenario.loadGenerator}` });
    for (const note of scenario.notes) lines.push({ text: `  note: ${note}` });
  }
  const header = ['', 'median', 'runs min–max', 'p50 ms', 'p99 ms', 'server CPU', 'load CPU', 'other CPU', ''];
  return renderTable(header, lines, [false, true, true, true, true, true, true, true, false]);
}
