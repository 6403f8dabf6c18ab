/**
 * A plain-text table: aligned columns, plus full-width lines (section headings) between rows.
 */

/** A row of cells, or a line printed as it is across the table. */
export type TableLine = { readonly cells: readonly string[] } | { readonly text: string };

/** Render `lines` under `header`; `rightAligned[i]` right-aligns column i (numbers). */
export function renderTable(
  header: readonly string[],
  lines: readonly TableLine[],
  rightAligned: readonly boolean[],
): string {
  const cellRows = [header, ...lines.flatMap((line) => ('cells' in line ? [line.cells] : []))];
  const widths = header.map((_, column) => Math.max(...cellRows.map((cells) => (cells[column] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    widths
      .map((width, column) => {
        const cell = cells[column] ?? '';
        return rightAligned[column] === true ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const headerLine = format(header);
  const rule = '-'.repeat(headerLine.length);
  return [headerLine, rule, ...lines.map((line) => ('cells' in line ? format(line.cells) : line.text))].join('\n');
}
