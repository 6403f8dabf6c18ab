/**
 * SimpleHTTPRequestHandler: Python's static file handler, with one canonical path pipeline,
 * validators, ranges, precompressed siblings and a listing people like.
 */
import type { BigIntStats } from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, rangeError } from '../errors';
import type { BaseServer } from '../socketserver/base-server';
import type { Connection } from '../socketserver/connection';
import { after, RESOLVED } from '../socketserver/settle';
import type { SocketWriter } from '../socketserver/socket-writer';
import { BaseHTTPRequestHandler } from './base-http-request-handler';
import { HeaderBlock } from './header-block';
import { readDirectory } from './static/directory-entries';
import { cachedFile, isConfined, openFile, openFromDisk, statPath, type OpenedFile } from './static/file-access';
import { listingOrder, listingPage } from './static/listing-page';
import { guessMediaType, PYTHON_EXTENSIONS_MAP } from './static/media-type';
import { acceptedCodings, PRECOMPRESSED_CODINGS } from './static/precompressed';
import { pythonListingPage } from './static/python-listing';
import { requestedRange } from './static/ranges';
import { isRejection, sharedRequestPath, type PathRejection, type RequestPath } from './static/request-path';
import { BytesBody, FileBody, type ResponseBody } from './static/response-body';
import { evaluatePreconditions, type Precondition, type Validators } from './static/validators';
import type { StatusCode } from './status';

/** The Content-type of a listing (Python's, with the file system encoding Node uses). */
const LISTING_TYPE = 'text/html; charset=utf-8';
/** Extra headers of sockserve's listing page: nothing may load, and the type is not to be sniffed. */
const LISTING_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

/** Percent-encode what may not stand in a Location as sent: bytes outside printable ASCII, and `\`. */
function locationText(text: string): string {
  return text.replace(/[^\x21-\x5b\x5d-\x7e]/gu, (char) => {
    const code = char.codePointAt(0) as number;
    const bytes = code <= 0xff ? [code] : [...Buffer.from(char, 'utf8')];
    return bytes.map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  });
}

/**
 * `root` (absolute and normalised, as path.resolve() gives it) with the canonical request path
 * `segments` below it (none empty, `.`, `..` or holding a separator): what path.join() gives for
 * them, without its normalising pass over the whole string.
 */
function joinSegments(root: string, segments: readonly string[]): string {
  if (segments.length === 0) return root;
  return (root.endsWith(path.sep) ? root : root + path.sep) + segments.join(path.sep);
}

/**
 * The file path translatePath() last made for a request path (sharedRequestPath()'s result), and
 * the root it is below. Made once, the same string is then the key of every lookup that follows
 * (the stat of this turn, the file cache): made anew for each request it cost 5% of the CPU time
 * of a request for a 1 KB file, counting its parse (npm run bench:compare).
 */
const translatedPaths = new WeakMap<RequestPath, { root: string; file: string }>();

/**
 * The header fields of a file's response, in Python's order, with sockserve's after them:
 * Content-type, Content-Encoding (a precompressed sibling), Content-Range (206), Content-Length,
 * Last-Modified, ETag and Accept-Ranges.
 */
function fileFields(
  contentType: string,
  encoding: string | null,
  contentRange: string | null,
  length: number,
  validators: Validators,
): [string, string][] {
  const fields: [string, string][] = [['Content-type', contentType]];
  if (encoding !== null) fields.push(['Content-Encoding', encoding]);
  if (contentRange !== null) fields.push(['Content-Range', contentRange]);
  fields.push(
    ['Content-Length', String(length)],
    ['Last-Modified', validators.lastModified],
    ['ETag', validators.etag],
    ['Accept-Ranges', 'bytes'],
  );
  return fields;
}

/**
 * The fields of a whole file sent as it is (most responses), made once per version of the file
 * (its validators, which the file cache keeps while the file is unchanged) and Content-type.
 */
const wholeFileBlocks = new WeakMap<Validators, { contentType: string; block: HeaderBlock }>();

function wholeFileBlock(contentType: string, size: number, validators: Validators): HeaderBlock {
  let made = wholeFileBlocks.get(validators);
  if (made?.contentType !== contentType) {
    made = { contentType, block: new HeaderBlock(fileFields(contentType, null, null, size, validators)) };
    wholeFileBlocks.set(validators, made);
  }
  return made.block;
}

function isDotName(segment: string): boolean {
  return segment.startsWith('.');
}

/** Write `source` to `outputfile` chunk by chunk, waiting for the socket to take each. */
async function copyChunks(source: ResponseBody, outputfile: SocketWriter): Promise<void> {
  for await (const chunk of source.chunks()) await outputfile.write(chunk);
}

/**
 * Serves the files below `directory`, as Python's http.server does. GET and HEAD only.
 *
 * ```ts
 * const server = new ThreadingHTTPServer(['127.0.0.1', 8000], partial(SimpleHTTPRequestHandler, { directory: '/srv/www' }));
 * ```
 *
 * Methods that may be overridden (as Python users do): `do_GET()`, `do_HEAD()`, `sendHead()`
 * (headers sent, returns the body or null), `listDirectory(path)` (e.g. to hide listings),
 * `translatePath(path)` (request path → file path), `copyfile(source, outputfile)`,
 * `guessType(path)`; and `sendResponse()` / `endHeaders()` to add headers.
 *
 * Fields a subclass (or `partial()`) may set: `directory` (the working directory at
 * construction), `indexPages`, `extensionsMap`, `serverVersion`, and sockserve's options, whose
 * defaults are Python's behaviour but one: `serveDotfiles` (true), `followSymlinks` (false: a
 * symlink whose target is outside `directory` answers 404, where Python follows it),
 * `precompressed`, `cacheControl`, `cors`, `spa`, `pythonListing` (all off).
 *
 * Request paths pass one pipeline (static/request-path.ts): decoded once; `%00`, malformed
 * escapes, invalid UTF-8, control characters and backslashes answer 400; dot-segments are
 * removed; `%2F` separates segments, as in Python. Content-type comes from `extensionsMap`, then
 * the mime-types package (text/*, JSON and JavaScript get `; charset=utf-8`). Files have strong
 * ETags; If-Match, If-Unmodified-Since (412), If-None-Match and If-Modified-Since (304) are
 * evaluated in RFC 9110's order. One byte range answers 206; several ranges get the whole file.
 * A file is statted synchronously, once for all the requests read in the same turn of the event
 * loop; small files are read in one go and cached while unchanged (static/file-cache.ts), larger
 * ones are streamed with backpressure.
 */
export class SimpleHTTPRequestHandler<
  TServer extends BaseServer<Connection> = BaseServer<Connection>,
> extends BaseHTTPRequestHandler<TServer> {
  override serverVersion = 'SimpleHTTP/0.6';
  /** The directory served. */
  directory: string = process.cwd();
  /** File names served for a directory, in order, before a listing is made. */
  indexPages: string[] = ['index.html', 'index.htm'];
  /** Extension → Content-type, consulted before mime-types (exact case first, then lower case). */
  extensionsMap: Record<string, string> = { ...PYTHON_EXTENSIONS_MAP };
  /** false: any path segment starting with `.` answers 404, and listings hide such names. */
  serveDotfiles = true;
  /** true: serve symlinks that lead out of `directory` (Python does). */
  followSymlinks = false;
  /** true: serve `x.br` / `x.gz` for `x` when Accept-Encoding allows (with `Vary: Accept-Encoding`). */
  precompressed = false;
  /** Seconds for `Cache-Control: max-age=N` on files and listings; null sends no Cache-Control. */
  cacheControl: number | null = null;
  /** true: `Access-Control-Allow-Origin: *` on every response. */
  cors = false;
  /** true: a GET or HEAD of a missing path whose last segment has no extension serves `/index.html`. */
  spa = false;
  /** true: the listing is byte for byte Python 3.14's; false: sockserve's richer page of the same structure. */
  pythonListing = false;

  #resolvedRoot: { directory: string; root: string } | null = null;

  /** Serve a GET request. */
  async do_GET(): Promise<void> {
    const body = await this.sendHead();
    if (body === null) return;
    try {
      await this.copyfile(body, this.wfile);
    } finally {
      await body.close();
    }
  }

  /** Serve a HEAD request: the headers of a GET, no body. */
  async do_HEAD(): Promise<void> {
    const body = await this.sendHead();
    if (body !== null) await body.close();
  }

  /** Queue the status line and headers; with `cors`, add Access-Control-Allow-Origin. May be extended. */
  override sendResponse(code: StatusCode, message?: string): void {
    super.sendResponse(code, message);
    if (this.cors) this.sendHeader('Access-Control-Allow-Origin', '*');
  }

  /**
   * The common part of GET and HEAD: send the status and headers and return the body to copy (the
   * caller closes it), or null when the response is complete (error, redirect, 304…).
   */
  sendHead(): Promise<ResponseBody | null> {
    const target = this.requestPath();
    if (isRejection(target)) return this.#fail(400, target.rejected);
    if (!this.serveDotfiles && target.segments.some(isDotName)) return this.#notFound();
    let file = this.translatePath(this.path);
    let info = statPath(file);
    if (info === null && this.#spaFallback(target)) {
      file = this.translatePath('/index.html');
      info = statPath(file);
    }
    if (info === null) return this.#notFound();
    if (info.isDirectory()) {
      if (!this.followSymlinks && !isConfined(file, this.#root())) return this.#notFound();
      if (!target.trailingSlash) return this.#redirectToDirectory(target);
      const index = this.#indexPage(file);
      if (index === null) return this.listDirectory(file);
      [file, info] = index;
    }
    const contentType = this.guessType(file);
    if (file.endsWith('/') || !info.isFile()) return this.#notFound();
    return this.#sendFile(file, info, contentType);
  }

  /**
   * Send a listing of the directory at file path `dirPath` (the request path is its title) and
   * return it, or send 404 'No permission to list directory' and return null.
   */
  async listDirectory(dirPath: string): Promise<ResponseBody | null> {
    const hidden = this.serveDotfiles ? () => false : isDotName;
    const entries = await readDirectory(dirPath, hidden, this.followSymlinks ? null : this.#root());
    if (entries === null) {
      await this.sendError(404, 'No permission to list directory');
      return null;
    }
    const target = this.requestPath();
    const displayPath = isRejection(target) ? this.path : target.decoded;
    const query = isRejection(target) ? null : target.query;
    const page = this.pythonListing
      ? pythonListingPage(displayPath, entries)
      : listingPage(displayPath, entries, listingOrder(query));
    const body = Buffer.from(page, 'utf8');
    this.sendResponse(200);
    this.sendHeader('Content-type', LISTING_TYPE);
    this.sendHeader('Content-Length', String(body.length));
    if (!this.pythonListing) {
      this.sendHeader('Content-Security-Policy', LISTING_POLICY);
      this.sendHeader('X-Content-Type-Options', 'nosniff');
    }
    this.#sendCacheControl();
    await this.endHeaders();
    return new BytesBody(body);
  }

  /**
   * Map a request path to a file path below `directory` (absolute, keeping a trailing slash).
   * Throws a RangeError (code SOCKSERVE_ERR_INVALID_ARGUMENT) for a path the pipeline rejects.
   * An override may map elsewhere; unless `followSymlinks` is set, what it returns is still only
   * served if its real path lies inside `directory` (to pin a root, set `directory`).
   */
  translatePath(requestPath: string): string {
    const target = sharedRequestPath(requestPath);
    if (isRejection(target)) {
      throw rangeError(ErrorCodes.INVALID_ARGUMENT, `${target.rejected}: ${JSON.stringify(requestPath)}`);
    }
    const root = this.#root();
    const known = translatedPaths.get(target);
    if (known?.root === root) return known.file;
    const joined = joinSegments(root, target.segments);
    const file = target.trailingSlash && !joined.endsWith(path.sep) ? joined + path.sep : joined;
    translatedPaths.set(target, { root, file });
    return file;
  }

  /** Write `source` to `outputfile` chunk by chunk, waiting for the socket to take each. */
  copyfile(source: ResponseBody, outputfile: SocketWriter): Promise<void> {
    if (source instanceof BytesBody) {
      // In memory already: one write, without an iterator (most responses are small files).
      return source.length > 0 ? outputfile.write(source.bytes) : RESOLVED;
    }
    return copyChunks(source, outputfile);
  }

  /** The Content-type for file path `file`: extensionsMap, then mime-types, then application/octet-stream. */
  guessType(file: string): string {
    return guessMediaType(file, this.extensionsMap);
  }

  /**
   * Send the regular file `file` (stat `info`): from the cache when it holds the file unchanged
   * (most requests, answered in this turn), else from disk; with `precompressed`, a sibling the
   * client accepts may go instead.
   */
  #sendFile(file: string, info: BigIntStats, contentType: string): Promise<ResponseBody | null> {
    const confinedTo = this.followSymlinks ? null : this.#root();
    if (this.precompressed) return this.#sendPrecompressed(file, info, contentType, confinedTo);
    const cached = cachedFile(file, info, confinedTo);
    if (cached !== undefined) return this.#sendFileHead(cached, contentType, null, false);
    return this.#sendOpened(openFromDisk(file, confinedTo), contentType, null, false);
  }

  /** #sendFile() with `precompressed`: the first `.br` / `.gz` sibling the client accepts, else the file. */
  async #sendPrecompressed(
    file: string,
    info: BigIntStats,
    contentType: string,
    confinedTo: string | null,
  ): Promise<ResponseBody | null> {
    let opened: OpenedFile | null = null;
    let encoding: string | null = null;
    let varies = false;
    const accepts = acceptedCodings(this.headers.getAll('Accept-Encoding')?.join(','));
    for (const { coding, suffix } of PRECOMPRESSED_CODINGS) {
      const sibling = file + suffix;
      const siblingInfo = statPath(sibling);
      if (siblingInfo === null || !siblingInfo.isFile()) continue;
      varies = true;
      if (opened !== null || !accepts(coding)) continue;
      opened = await openFile(sibling, siblingInfo, confinedTo);
      if (opened !== null) encoding = coding;
    }
    opened ??= await openFile(file, info, confinedTo);
    return this.#sendOpened(opened, contentType, encoding, varies);
  }

  /** Send the file `opening` gives (null: 404), closing it if its head cannot be sent. */
  async #sendOpened(
    opening: OpenedFile | null | Promise<OpenedFile | null>,
    contentType: string,
    encoding: string | null,
    varies: boolean,
  ): Promise<ResponseBody | null> {
    const opened = await opening;
    if (opened === null) return this.#notFound();
    try {
      return await this.#sendFileHead(opened, contentType, encoding, varies);
    } catch (error) {
      await opened.handle?.close();
      throw error;
    }
  }

  /**
   * Send the head of the response with `opened`'s bytes (200 or 206) and return its body; or,
   * when a precondition or the range says so, a response without them (412, 304, 416) and null.
   * Not async: a file from the cache has its head sent and its body returned in this turn.
   */
  #sendFileHead(
    opened: OpenedFile,
    contentType: string,
    encoding: string | null,
    varies: boolean,
  ): Promise<ResponseBody | null> {
    const { size, validators } = opened;
    const precondition = evaluatePreconditions(this.headers, validators);
    const range = precondition === 'proceed' ? requestedRange(this.command, this.headers, size, validators) : null;
    if (range === null || range.kind === 'unsatisfiable') return this.#sendWithoutFile(opened, precondition, varies);
    const start = range.kind === 'partial' ? range.start : 0;
    const length = range.kind === 'partial' ? range.end - start + 1 : size;
    if (range.kind === 'partial') {
      this.sendResponse(206);
      const contentRange = `bytes ${start}-${range.end}/${size}`;
      this.sendHeaderBlock(new HeaderBlock(fileFields(contentType, encoding, contentRange, length, validators)));
    } else {
      this.sendResponse(200);
      this.sendHeaderBlock(
        encoding === null
          ? wholeFileBlock(contentType, size, validators)
          : new HeaderBlock(fileFields(contentType, encoding, null, length, validators)),
      );
    }
    if (varies) this.sendHeader('Vary', 'Accept-Encoding');
    this.#sendCacheControl();
    const body =
      opened.bytes === null
        ? new FileBody(opened.handle!, start, length)
        : new BytesBody(length === opened.bytes.length ? opened.bytes : opened.bytes.subarray(start, start + length));
    return after(this.endHeaders(), body);
  }

  /** The response to a file request that gets none of the file: 412, 304, or 416 (the file is closed). */
  async #sendWithoutFile(opened: OpenedFile, precondition: Precondition, varies: boolean): Promise<null> {
    await opened.handle?.close();
    if (precondition === 'failed') {
      await this.sendError(412);
    } else if (precondition === 'not-modified') {
      this.sendResponse(304);
      this.sendHeader('ETag', opened.validators.etag);
      if (varies) this.sendHeader('Vary', 'Accept-Encoding');
      this.#sendCacheControl();
      await this.endHeaders();
    } else {
      this.sendResponse(416);
      this.sendHeader('Content-Range', `bytes */${opened.size}`);
      this.sendHeader('Content-Length', '0');
      await this.endHeaders();
    }
    return null;
  }

  /** 301 to the same path with a `/` added, query and fragment kept (Python's redirect). */
  async #redirectToDirectory(target: RequestPath): Promise<null> {
    let location = `${locationText(target.raw)}/`;
    if (target.query) location += `?${locationText(target.query)}`;
    if (target.fragment) location += `#${locationText(target.fragment)}`;
    this.sendResponse(301);
    this.sendHeader('Location', location);
    this.sendHeader('Content-Length', '0');
    await this.endHeaders();
    return null;
  }

  /** The first index page in `dirPath` that is a file, with its stat, or null. */
  #indexPage(dirPath: string): [string, BigIntStats] | null {
    for (const name of this.indexPages) {
      const candidate = path.join(dirPath, name);
      const info = statPath(candidate);
      if (info !== null && info.isFile()) return [candidate, info];
    }
    return null;
  }

  /** True when `spa` serves /index.html for this missing path: its last segment has no extension. */
  #spaFallback(target: RequestPath): boolean {
    return this.spa && path.extname(target.segments[target.segments.length - 1] ?? '') === '';
  }

  #sendCacheControl(): void {
    if (this.cacheControl !== null)
      this.sendHeader('Cache-Control', `max-age=${Math.max(0, Math.floor(this.cacheControl))}`);
  }

  #notFound(): Promise<null> {
    return this.#fail(404, 'File not found');
  }

  /** sendError(), for sendHead(): the response is complete. */
  async #fail(code: StatusCode, message: string): Promise<null> {
    await this.sendError(code, message);
    return null;
  }

  /** `directory` made absolute (resolved again only when `directory` changes). */
  #root(): string {
    if (this.#resolvedRoot?.directory !== this.directory) {
      this.#resolvedRoot = { directory: this.directory, root: path.resolve(this.directory) };
    }
    return this.#resolvedRoot.root;
  }

  /**
   * `path` through the canonical pipeline (static/request-path.ts): its decoded segments, query
   * and fragment, or why it is refused. Computed once per request target for the whole process
   * (sharedRequestPath()); subclasses (CGI) use it too.
   */
  protected requestPath(): RequestPath | PathRejection {
    return sharedRequestPath(this.path);
  }
}
