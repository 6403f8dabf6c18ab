/**
 * How numbers are written in the printed table, the markdown table and the chart.
 */

/** Whole numbers with thousands separators, as every rate is shown. */
export const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A CPU share (1 = one core) as a percentage, '-' when unknown. */
export function percent(fraction: number | null): string {
  return fraction === null ? '-' : `${Math.round(fraction * 100)}%`;
}

/** Milliseconds with two decimals, '-' when unknown. */
export function milliseconds(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(2);
}

/** A ratio: '1.25×'. */
export function times(value: number): string {
  return `${value.toFixed(2)}×`;
}

/** '1 run', '3 runs'. */
export function runsText(runs: number): string {
  return `${runs} run${runs === 1 ? '' : 's'}`;
}
