/**
 * The chart of a bench run as a self-contained SVG: for each scenario, one horizontal bar per
 * server, its length relative to the fastest server of that scenario, labelled with the median;
 * sockserve's bar in blue, the peers' in grey; then the scenario's ratios against their targets,
 * and the machine and settings at the bottom. Plain SVG attributes only (no CSS, no script, no
 * web fonts), on a white background, so it reads the same in a browser, on GitHub (light or dark
 * theme) and in an image viewer.
 */
import { integer, runsText, times } from './format';
import type { RowResult } from './measure';
import { ratioName, type ScenarioResult } from './report';
import type { BenchResults } from './results';

const WIDTH = 820;
const MARGIN = 20;
const FONT = 'Helvetica, Arial, sans-serif';
/** Rough advance of one character at 1px font size (Helvetica averages about 0.5). */
const CHARACTER_WIDTH = 0.55;
const ROW_HEIGHT = 22;
const BAR_HEIGHT = 14;
const VALUE_SPACE = 150;
const SOCKSERVE_COLOUR = '#1f6feb';
const PEER_COLOUR = '#8c959f';
const TEXT_COLOUR = '#1f2328';
const MUTED_COLOUR = '#59636e';
const MET_COLOUR = '#1a7f37';
const MISSED_COLOUR = '#cf222e';

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** `text` cut into lines that fit `width` pixels at `fontSize`, at spaces. */
function wrap(text: string, width: number, fontSize: number): string[] {
  const perLine = Math.max(10, Math.floor(width / (fontSize * CHARACTER_WIDTH)));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > perLine) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Collects SVG elements top to bottom; `y` is where the next one goes. */
class Canvas {
  readonly elements: string[] = [];
  y = MARGIN;

  text(x: number, text: string, options: { size: number; bold?: boolean; colour?: string; anchor?: string }): void {
    const weight = options.bold === true ? ' font-weight="bold"' : '';
    const anchor = options.anchor === undefined ? '' : ` text-anchor="${options.anchor}"`;
    this.elements.push(
      `<text x="${x}" y="${this.y}" font-size="${options.size}"${weight}${anchor} fill="${options.colour ?? TEXT_COLOUR}">${escapeXml(text)}</text>`,
    );
  }

  /** Wrapped text, one line after another; moves `y` past it. */
  paragraph(text: string, options: { size: number; bold?: boolean; colour?: string }): void {
    for (const line of wrap(text, WIDTH - 2 * MARGIN, options.size)) {
      this.y += Math.round(options.size * 1.35);
      this.text(MARGIN, line, options);
    }
  }
}

function drawRows(canvas: Canvas, scenario: ScenarioResult, labelWidth: number): void {
  const barStart = MARGIN + labelWidth;
  const barSpace = WIDTH - MARGIN - VALUE_SPACE - barStart;
  const fastest = Math.max(...scenario.rows.map((row) => row.median.rate));
  for (const row of scenario.rows) {
    const rate = row.median.rate;
    const barWidth = fastest > 0 ? Math.max(1, Math.round((rate / fastest) * barSpace)) : 1;
    const top = canvas.y + (ROW_HEIGHT - BAR_HEIGHT) / 2;
    const baseline = canvas.y + ROW_HEIGHT / 2 + 4;
    const colour = row.id === 'sockserve' ? SOCKSERVE_COLOUR : PEER_COLOUR;
    const value = `${integer.format(rate)} ${scenario.unit}`;
    canvas.elements.push(
      `<g><title>${escapeXml(`${row.label}: ${value}`)}</title>` +
        `<text x="${barStart - 8}" y="${baseline}" font-size="12" text-anchor="end" fill="${TEXT_COLOUR}"` +
        `${row.id === 'sockserve' ? ' font-weight="bold"' : ''}>${escapeXml(row.shortLabel)}</text>` +
        `<rect x="${barStart}" y="${top}" width="${barWidth}" height="${BAR_HEIGHT}" rx="2" fill="${colour}"/>` +
        `<text x="${barStart + barWidth + 6}" y="${baseline}" font-size="12" fill="${TEXT_COLOUR}">${escapeXml(value)}</text></g>`,
    );
    canvas.y += ROW_HEIGHT;
  }
}

function drawRatios(canvas: Canvas, scenario: ScenarioResult, rows: readonly RowResult[]): void {
  for (const ratio of scenario.ratios) {
    canvas.y += 17;
    const verdict =
      ratio.target === null ? '' : ` (target ≥ ${times(ratio.target)}: ${ratio.met === true ? 'met' : 'missed'})`;
    const colour = ratio.met === null ? MUTED_COLOUR : ratio.met ? MET_COLOUR : MISSED_COLOUR;
    canvas.text(MARGIN + 8, `${ratioName(ratio, rows)}: ${times(ratio.value)}${verdict}`, { size: 12, colour });
  }
}

/** The SVG document for `results`. */
export function renderChart(results: BenchResults): string {
  const canvas = new Canvas();
  const longestLabel = Math.max(...results.scenarios.flatMap((s) => s.rows.map((row) => row.shortLabel.length)));
  const labelWidth = Math.ceil(longestLabel * 12 * CHARACTER_WIDTH) + 16;
  canvas.paragraph('sockserve and its peers: npm run bench', { size: 16, bold: true });
  canvas.paragraph(
    'Each bar is the median of the runs, relative to the fastest server of its scenario; longer is faster.',
    {
      size: 12,
      colour: MUTED_COLOUR,
    },
  );
  for (const scenario of results.scenarios) {
    canvas.y += 14;
    canvas.paragraph(scenario.title, { size: 13, bold: true });
    canvas.y += 6;
    drawRows(canvas, scenario, labelWidth);
    drawRatios(canvas, scenario, scenario.rows);
  }
  const { machine, config, placement } = results;
  canvas.y += 12;
  canvas.paragraph(
    `${results.date.slice(0, 10)}, ${machine.cpuModel}, ${machine.cores} cores, ${machine.kernel}; Node ${machine.node}; ` +
      `${machine.python ?? 'no python3'}. Each run: ${config.warmupSeconds} s warm-up, ${config.durationSeconds} s measured; ` +
      `${runsText(config.runs)} interleaved; ${placement.description}. Numbers from one machine compare only with each other.`,
    { size: 11, colour: MUTED_COLOUR },
  );
  const height = canvas.y + MARGIN;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
      `font-family="${FONT}" role="img" aria-label="sockserve benchmark results">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...canvas.elements,
    '</svg>',
    '',
  ].join('\n');
}
