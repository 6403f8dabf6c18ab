/**
 * sockserve's directory listing: Python's page (an h1, then a ul of li > a with the same hrefs,
 * text and escaping) plus a link to the parent directory, each entry's size and modification time,
 * and column headings that sort the list (links with `?sort=name|size|modified&order=asc|desc`,
 * sorted by the server: no script). Readable in light and dark mode (`color-scheme`).
 */
import type { DirectoryEntry } from './directory-entries';
import { entryLink, listingTitle } from './python-listing';
import { escapeAttribute } from './url-quote';

/** A column the listing can be sorted by. */
export type SortKey = 'name' | 'size' | 'modified';

/** How the entries are ordered. */
export interface ListingOrder {
  readonly key: SortKey;
  readonly descending: boolean;
}

const COLUMNS: readonly { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'size', label: 'Size' },
  { key: 'modified', label: 'Modified (UTC)' },
];

const STYLE = `:root {
color-scheme: light dark;
font-family: system-ui, sans-serif;
}
body { max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
ul { list-style: none; padding: 0; margin: 0; }
.row { display: grid; grid-template-columns: minmax(0, 1fr) 7rem 10rem; gap: 1rem; padding: 0.25rem 0.5rem; }
.row > :not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
.head { font-weight: bold; border-bottom: 1px solid GrayText; }
li:nth-child(even) { background: color-mix(in srgb, CanvasText 6%, Canvas); }
li a { overflow-wrap: anywhere; }
@media (max-width: 36rem) {
.row { grid-template-columns: minmax(0, 1fr) auto; gap: 0 1rem; }
.row > :nth-child(3) { grid-column: 1 / -1; text-align: left; font-size: smaller; }
}`;

/** The order a `sort`/`order` query asks for; by name, ascending (Python's order) by default. */
export function listingOrder(query: string | null): ListingOrder {
  const params = new URLSearchParams(query ?? '');
  const sort = params.get('sort');
  const key: SortKey = sort === 'size' || sort === 'modified' ? sort : 'name';
  return { key, descending: params.get('order') === 'desc' };
}

/** The size a listing sorts by: a directory has none shown, so directories stay together before the files. */
function sortSize(entry: DirectoryEntry): number {
  return entry.isDirectory ? -1 : entry.size;
}

/** `entries` (in Python's order) put in `order`; ties keep Python's order. */
export function orderEntries(entries: readonly DirectoryEntry[], order: ListingOrder): DirectoryEntry[] {
  const sorted =
    order.key === 'name'
      ? [...entries]
      : [...entries].sort((a, b) => (order.key === 'size' ? sortSize(a) - sortSize(b) : a.mtimeMs - b.mtimeMs));
  return order.descending ? sorted.reverse() : sorted;
}

/** A size for people: `512 B`, `1.5 KiB`, `20 MiB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** `2026-11-25 22:59` (UTC, as the column heading says). */
function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

function headingRow(order: ListingOrder): string {
  const cells = COLUMNS.map(({ key, label }) => {
    const current = order.key === key;
    const descending = current && !order.descending;
    const arrow = current ? (order.descending ? ' ▼' : ' ▲') : '';
    const href = `?sort=${key}&order=${descending ? 'desc' : 'asc'}`;
    return `<a href="${escapeAttribute(href)}">${label}${arrow}</a>`;
  });
  return `<div class="row head">${cells.join('')}</div>`;
}

function entryRow(entry: DirectoryEntry): string {
  const { href, text } = entryLink(entry);
  const size = entry.isDirectory
    ? '<span>-</span>'
    : `<span title="${entry.size} bytes">${formatSize(entry.size)}</span>`;
  const when = new Date(entry.mtimeMs).toISOString();
  return `<li class="row"><a href="${href}">${text}</a>${size}<time datetime="${when}">${formatTime(entry.mtimeMs)}</time></li>`;
}

/**
 * The listing page for URL path `displayPath` (decoded, without query or fragment), entries in
 * Python's order, shown in `order`. Every name is escaped (text) or percent-encoded (href).
 */
export function listingPage(displayPath: string, entries: readonly DirectoryEntry[], order: ListingOrder): string {
  const title = listingTitle(displayPath);
  const parent = displayPath === '/' ? '' : '<p><a href="../">Parent directory</a></p>\n';
  const rows = orderEntries(entries, order).map(entryRow);
  return [
    '<!DOCTYPE HTML>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<style>\n${STYLE}\n</style>`,
    `<title>${title}</title>\n</head>`,
    `<body>\n<h1>${title}</h1>`,
    `${parent}<hr>`,
    headingRow(order),
    '<ul>',
    ...rows,
    '</ul>\n<hr>\n</body>\n</html>\n',
  ].join('\n');
}
