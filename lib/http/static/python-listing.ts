/**
 * The directory listing of Python 3.14's SimpleHTTPRequestHandler.list_directory, byte for byte.
 */
import { escapeHtml } from '../python-format';
import type { DirectoryEntry } from './directory-entries';
import { quote } from './url-quote';

/** The href and the text of an entry, as Python writes them: `/` after directories, `@` after symlinks. */
export function entryLink(entry: DirectoryEntry): { href: string; text: string } {
  const linkName = entry.isDirectory ? `${entry.name}/` : entry.name;
  const displayName = entry.isSymlink ? `${entry.name}@` : linkName;
  return { href: quote(linkName), text: escapeHtml(displayName) };
}

/** The title line of a listing: `Directory listing for <path>`, the path HTML-escaped. */
export function listingTitle(displayPath: string): string {
  return `Directory listing for ${escapeHtml(displayPath)}`;
}

/**
 * Python 3.14's listing page for the directory at URL path `displayPath` (decoded, without query
 * or fragment), its entries already sorted.
 */
export function pythonListingPage(displayPath: string, entries: readonly DirectoryEntry[]): string {
  const title = listingTitle(displayPath);
  const lines = [
    '<!DOCTYPE HTML>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<style type="text/css">\n:root {\ncolor-scheme: light dark;\n}\n</style>',
    `<title>${title}</title>\n</head>`,
    `<body>\n<h1>${title}</h1>`,
    '<hr>\n<ul>',
  ];
  for (const entry of entries) {
    const { href, text } = entryLink(entry);
    lines.push(`<li><a href="${href}">${text}</a></li>`);
  }
  lines.push('</ul>\n<hr>\n</body>\n</html>\n');
  return lines.join('\n');
}
