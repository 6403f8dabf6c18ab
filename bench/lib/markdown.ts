/**
 * The results of a bench run as a markdown document (for docs/performance/): the machine and
 * settings, then for each scenario a table of its rows, its ratios against their targets, the
 * load generator and the scenario's notes.
 */
import { integer, milliseconds, percent, runsText, times } from './format';
import { problems, ratioName } from './report';
import type { BenchResults } from './results';

/** A table cell: pipes escaped, never empty. */
function cell(text: string): string {
  return text === '' ? ' ' : text.replace(/\|/g, '\\|');
}

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly boolean[],
): string[] {
  const rule = header.map((_, column) => (rightAligned[column] === true ? '---:' : '---'));
  return [header, rule, ...rows].map((cells) => `| ${cells.map(cell).join(' | ')} |`);
}

/** The markdown document for `results`. */
export function renderMarkdown(results: BenchResults): string {
  const { machine, config, placement } = results;
  const lines: string[] = [
    `Measured ${results.date.slice(0, 10)} with \`npm run bench\` on ${machine.cpuModel}, ${machine.cores} cores, ` +
      `${machine.kernel}; Node ${machine.node}; ${machine.python ?? 'no python3'}. ` +
      `Each run: ${config.warmupSeconds} s warm-up, then ${config.durationSeconds} s measured; ${runsText(config.runs)} ` +
      `per server, interleaved; the median run is shown; ${placement.description}. ` +
      `Load average when the bench started: ${machine.loadAverage.toFixed(2)}.`,
  ];
  for (const scenario of results.scenarios) {
    const fastest = Math.max(...scenario.rows.map((row) => row.median.rate));
    lines.push('', `### ${scenario.title}`, '');
    const rows = scenario.rows.map((row) => {
      const rates = row.runs.map((run) => run.rate);
      return [
        row.label,
        integer.format(row.median.rate),
        `${integer.format(Math.min(...rates))}–${integer.format(Math.max(...rates))}`,
        `${Math.round((100 * row.median.rate) / fastest)}%`,
        milliseconds(row.median.latencyMs?.p50),
        milliseconds(row.median.latencyMs?.p99),
        percent(row.median.serverCpu),
        problems(row, scenario.connections, config),
      ];
    });
    lines.push(
      ...table(
        ['Server', scenario.unit, 'runs min–max', 'of fastest', 'p50 ms', 'p99 ms', 'server CPU', 'remarks'],
        rows,
        [false, true, true, true, true, true, true, false],
      ),
    );
    lines.push('');
    for (const ratio of scenario.ratios) {
      const verdict =
        ratio.target === null ? '' : ` (target ≥ ${times(ratio.target)}: ${ratio.met === true ? 'met' : '**missed**'})`;
      lines.push(`- ${ratioName(ratio, scenario.rows)}: **${times(ratio.value)}**${verdict}`);
    }
    lines.push(`- load: ${scenario.loadGenerator}`);
    for (const note of scenario.notes) lines.push(`- note: ${note}`);
  }
  return `${lines.join('\n')}\n`;
}
