/**
 * Colours as a browser's getComputedStyle() gives them (`rgb(…)`, `rgba(…)`, `color(srgb …)`), and
 * the WCAG 2 contrast ratio between two of them.
 */

/** An sRGB colour, each channel and alpha in 0…1. */
export interface Color {
  readonly red: number;
  readonly green: number;
  readonly blue: number;
  readonly alpha: number;
}

/** Parse a computed colour; throws on any other form (so a spec cannot compare garbage). */
export function parseComputedColor(text: string): Color {
  const rgb = /^rgba?\((\d+(?:\.\d+)?), (\d+(?:\.\d+)?), (\d+(?:\.\d+)?)(?:, (\d+(?:\.\d+)?))?\)$/.exec(text);
  if (rgb !== null) {
    const [, red, green, blue, alpha] = rgb;
    return { red: Number(red) / 255, green: Number(green) / 255, blue: Number(blue) / 255, alpha: Number(alpha ?? 1) };
  }
  const srgb = /^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.e-]+))?\)$/.exec(text);
  if (srgb !== null) {
    const [, red, green, blue, alpha] = srgb;
    return { red: Number(red), green: Number(green), blue: Number(blue), alpha: Number(alpha ?? 1) };
  }
  throw new Error(`not a computed colour: ${JSON.stringify(text)}`);
}

function linear(channel: number): number {
  return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2 relative luminance: 0 for black, 1 for white. */
export function relativeLuminance(color: Color): number {
  return 0.2126 * linear(color.red) + 0.7152 * linear(color.green) + 0.0722 * linear(color.blue);
}

/** WCAG 2 contrast ratio of two opaque colours, 1…21 (4.5 is the minimum for body text). */
export function contrastRatio(first: Color, second: Color): number {
  if (first.alpha !== 1 || second.alpha !== 1) throw new Error('contrastRatio needs opaque colours');
  const [light, dark] = [relativeLuminance(first), relativeLuminance(second)].sort((a, b) => b - a) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
