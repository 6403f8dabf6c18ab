/**
 * The Content-Type of a served file, from its extension: the handler's `extensionsMap` first (as
 * Python's guess_type does), then the `mime-types` package, then application/octet-stream.
 */
import * as path from 'node:path';
import * as mime from 'mime-types';
import { BoundedMemo } from '../bounded-memo';

/** Python's SimpleHTTPRequestHandler.extensions_map: the compression suffixes it names itself. */
export const PYTHON_EXTENSIONS_MAP: Readonly<Record<string, string>> = {
  '.gz': 'application/gzip',
  '.Z': 'application/octet-stream',
  '.bz2': 'application/x-bzip2',
  '.xz': 'application/x-xz',
};

const OCTET_STREAM = 'application/octet-stream';
/** mime-types' answer per lower-case extension (a finite set: only known extensions are kept). */
const known = new Map<string, string>();

/**
 * path.extname(), remembered per file path (at most 1,024), so each request for a file looks the
 * same extension string up in `extensionsMap` and in `known`. Taken anew for each request, with
 * lookups of a new string each time, the type cost about 3% of the CPU time of a request for a
 * 1 KB file (npm run bench:compare: 0.973 with this memo).
 */
const extensions = new BoundedMemo<string, string>(1024, (file) => path.extname(file));

/**
 * The Content-Type for `file`. An `extensionsMap` entry is used as it is (the extension as
 * written, then in lower case); otherwise mime-types' contentType(), which adds
 * `; charset=utf-8` to text/* and to the types its database marks UTF-8 (JSON, JavaScript
 * source maps, web manifests…).
 */
export function guessMediaType(file: string, extensionsMap: Readonly<Record<string, string>>): string {
  const extension = extensions.get(file);
  const exact = extensionsMap[extension];
  if (exact !== undefined) return exact;
  const lower = extension.toLowerCase();
  const mapped = extensionsMap[lower];
  if (mapped !== undefined) return mapped;
  if (lower === '') return OCTET_STREAM;
  const remembered = known.get(lower);
  if (remembered !== undefined) return remembered;
  const type = mime.contentType(lower);
  if (type === false) return OCTET_STREAM;
  known.set(lower, type);
  return type;
}
