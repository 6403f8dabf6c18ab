/**
 * Precompressed siblings: `x.br` and `x.gz` next to `x`, served in its place (with
 * `Content-Encoding`) to clients whose Accept-Encoding allows it, Brotli first.
 */

/** A coding the handler looks for, and the suffix of the sibling file that holds it. */
export interface PrecompressedCoding {
  readonly coding: 'br' | 'gzip';
  readonly suffix: string;
}

/** The codings in order of preference. */
export const PRECOMPRESSED_CODINGS: readonly PrecompressedCoding[] = [
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
];

const Q_VALUE = /^q=([0-9.]+)$/i;

/**
 * The content codings an Accept-Encoding value allows (q > 0), lower case. A coding listed with
 * q=0 is refused even if `*` allows others; `*` with q > 0 allows every coding not listed.
 */
export function acceptedCodings(value: string | undefined): (coding: string) => boolean {
  if (value === undefined) return () => false;
  const weights = new Map<string, number>();
  for (const member of value.split(',')) {
    const [name = '', ...parameters] = member.split(';').map((part) => part.trim());
    if (name === '') continue;
    let weight = 1;
    for (const parameter of parameters) {
      const q = Q_VALUE.exec(parameter);
      if (q !== null) weight = Number(q[1]);
    }
    weights.set(name.toLowerCase(), Number.isNaN(weight) ? 0 : weight);
  }
  const wildcard = weights.get('*') ?? 0;
  return (coding) => (weights.get(coding) ?? (coding === 'gzip' ? weights.get('x-gzip') : undefined) ?? wildcard) > 0;
}
