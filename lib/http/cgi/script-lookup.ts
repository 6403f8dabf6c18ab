/**
 * Where a CGI request's script is: Python's `_url_collapse_path`, `is_cgi` and the directory walk
 * at the top of `run_cgi`, computed from the canonical request-path pipeline (static/request-path.ts)
 * so that classification and file mapping can never disagree (gh-104711).
 */
import type { RequestPath } from '../static/request-path';

/**
 * The request path as Python's `_url_collapse_path` leaves it, from the pipeline's result: the
 * decoded path with empty, `.` and `..` segments removed, a trailing `/` kept when the last
 * segment was empty, `.` or `..`. Unlike Python, `..` above the root stays at the root (Python
 * raises IndexError and the connection drops), and the query is not part of it.
 */
export function collapsePath(target: RequestPath): string {
  if (target.segments.length === 0) return '/';
  const last = target.decoded.slice(target.decoded.lastIndexOf('/') + 1);
  const trailing = last === '' || last === '.' || last === '..';
  return `/${target.segments.join('/')}${trailing ? '/' : ''}`;
}

/**
 * Python's `is_cgi` on a collapsed path: the first prefix of whole segments that is one of
 * `cgiDirectories`, and what follows it, as `[dir, rest]` (Python's `cgi_info`); null when the
 * path is not below a CGI directory (`/cgi-bin` itself is not: it is a directory to redirect).
 */
export function splitCgiPath(collapsed: string, cgiDirectories: readonly string[]): [string, string] | null {
  let separator = collapsed.indexOf('/', 1);
  while (separator > 0 && !cgiDirectories.includes(collapsed.slice(0, separator))) {
    separator = collapsed.indexOf('/', separator + 1);
  }
  return separator > 0 ? [collapsed.slice(0, separator), collapsed.slice(separator + 1)] : null;
}

/** What a file-system lookup of a URL path found. */
export type Found = 'directory' | 'file' | 'other' | 'missing';

/** The script a CGI request names, as `run_cgi` splits it. */
export interface ScriptLocation {
  /** The URL of the directory holding the script (a CGI directory or one nested in it). */
  readonly dir: string;
  /** The script's file name (empty when the path ends at a directory). */
  readonly script: string;
  /** `dir/script`: the SCRIPT_NAME. */
  readonly scriptName: string;
  /** What follows the script, decoded, with its leading `/` (the PATH_INFO), or ''. */
  readonly pathInfo: string;
  /** What the script's URL names on disk. */
  readonly found: Found;
}

/**
 * Walk down nested directories below a CGI directory, as `run_cgi` does: while the next segment
 * of `rest` is a directory on disk, it becomes part of `dir`; the segment after that is the
 * script and the remainder is PATH_INFO. `lookup(urlPath)` says what a URL path is on disk; it
 * is called once per nested directory plus once for the script (a candidate that is not a
 * directory is the script, so its answer is reused).
 */
export function locateScript(cgiInfo: readonly [string, string], lookup: (urlPath: string) => Found): ScriptLocation {
  let [dir, rest] = cgiInfo;
  const whole = `${dir}/${rest}`;
  let found: Found | null = null;
  for (let slash = whole.indexOf('/', dir.length + 1); slash >= 0; slash = whole.indexOf('/', dir.length + 1)) {
    const candidate = whole.slice(0, slash);
    const kind = lookup(candidate);
    if (kind !== 'directory') {
      found = kind;
      break;
    }
    dir = candidate;
    rest = whole.slice(slash + 1);
  }
  const slash = rest.indexOf('/');
  const script = slash >= 0 ? rest.slice(0, slash) : rest;
  const pathInfo = slash >= 0 ? rest.slice(slash) : '';
  const scriptName = `${dir}/${script}`;
  return { dir, script, scriptName, pathInfo, found: found ?? lookup(scriptName) };
}
