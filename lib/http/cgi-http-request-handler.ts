/**
 * CGIHTTPRequestHandler: Python's CGI handler (removed from Python in 3.15), rebuilt on RFC 3875:
 * the script's header block decides the response, responses are framed so connections are
 * reused, the environment comes from an allow-list, bodies stream both ways, and scripts are
 * capped, timed and killed when their client leaves.
 */
import type { Stats } from 'node:fs';
import { statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BaseServer } from '../socketserver/base-server';
import type { Connection } from '../socketserver/connection';
import { pyRepr } from './request-head';
import { SimpleHTTPRequestHandler } from './simple-http-request-handler';
import { readRequestBody, type ScriptInput } from './cgi/request-body';
import { ClientWatch } from './cgi/client-watch';
import { buildEnvironment, isCollision } from './cgi/environment';
import { collapsePath, locateScript, splitCgiPath, type Found } from './cgi/script-lookup';
import { limiterFor } from './cgi/script-limiter';
import { startScript, type RunOutcome, type StartedRun } from './cgi/script-run';
import { scriptUserFor } from './cgi/script-user';
import type { ScriptCommand } from './cgi/script-process';
import { isConfined } from './static/file-access';
import { isRejection, type RequestPath } from './static/request-path';
import type { ResponseBody } from './static/response-body';
import { quote } from './static/url-quote';
import type { StatusCode } from './status';

/** Where scripts look for programs when the server has no PATH. */
const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';
/** Internal redirects (`Location: /path`) one request may take before it is refused as a loop. */
const MAX_INTERNAL_REDIRECTS = 10;
/** The Retry-After (seconds) of a 503 sent when the queue of waiting scripts is full. */
const RETRY_AFTER_SECONDS = 1;

/** A request after an internal redirect: its body went to the first script. */
const NO_INPUT: ScriptInput = { contentLength: null, feed: null };

/** Twice the cores, at least 8: scripts often wait (on a database, the network) rather than compute. */
const DEFAULT_MAX_SCRIPTS = Math.max(8, 2 * os.availableParallelism());

/** The interpreters for scripts without the executable bit, by extension. */
const DEFAULT_INTERPRETERS: Readonly<Record<string, readonly string[]>> = {
  '.py': ['python3', '-u'],
  '.pyw': ['python3', '-u'],
  '.js': [process.execPath],
  '.cjs': [process.execPath],
  '.mjs': [process.execPath],
  '.sh': ['sh'],
};

let groupIds: readonly number[] | null = null;

/** The groups this process is in (asked once). */
function ownGroups(): readonly number[] {
  groupIds ??= [process.getgid?.() ?? -1, ...(process.getgroups?.() ?? [])];
  return groupIds;
}

/** What access(X_OK) answers for this process, from the file's mode (ACLs aside). */
function executableFor(stats: Stats): boolean {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return (stats.mode & 0o111) !== 0;
  if (stats.uid === uid) return (stats.mode & 0o100) !== 0;
  if (ownGroups().includes(stats.gid)) return (stats.mode & 0o010) !== 0;
  return (stats.mode & 0o001) !== 0;
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

function kindOf(stats: Stats | null): Found {
  if (stats === null) return 'missing';
  if (stats.isDirectory()) return 'directory';
  return stats.isFile() ? 'file' : 'other';
}

/**
 * SimpleHTTPRequestHandler plus CGI scripts below `cgiDirectories`, as Python's
 * CGIHTTPRequestHandler: GET and HEAD run a script or serve a file; POST runs a script (elsewhere
 * `501 Can only POST to CGI scripts`).
 *
 * ```ts
 * const server = new ThreadingHTTPServer(['127.0.0.1', 8000], partial(CGIHTTPRequestHandler, { directory: 'site' }));
 * ```
 *
 * Methods that may be overridden (as in Python): `isCgi()` (sets `cgiInfo`), `isExecutable(path)`,
 * `isPython(path)`, `runCgi()`, `do_POST()`, and everything SimpleHTTPRequestHandler offers
 * (`translatePath()` maps script paths too).
 *
 * Fields a subclass (or `partial()`) may set: Python's `cgiDirectories`; and sockserve's
 * `cgiTimeout` (60 s without input or output, then the script is killed: 504 if nothing was sent),
 * `cgiMaxScripts` (scripts running at once per server; 2 × cores, at least 8), `cgiQueueLength`
 * (64 requests may wait for one; more get 503 with Retry-After), `cgiInterpreters` (extension →
 * command for scripts without the executable bit), `cgiPath` (the scripts' PATH), `cgiEnvironment`
 * (more variables for every script), `cgiUser` ('nobody': who scripts run as when the server runs
 * as root), `cgiQueryArgument` (true: a query without `=` is passed as one argument, as Python does),
 * `cgiForkServer` (true: scripts are started by a small fork server, compiled or python3's, instead
 * of by forking this process).
 *
 * The script's output must begin with a header block (RFC 3875 §6): `Status:` sets the status,
 * `Location: /path` (status 200) is served internally, `Location: URL` answers 302, a body needs a
 * `Content-Type`; anything else is a 502. `nph-` scripts write the whole response themselves. The
 * response carries a Content-Length when the output ended soon enough, else it is chunked
 * (HTTP/1.1 keep-alive) or ends with the connection. See docs/reference/cgi-http-request-handler.md.
 */
export class CGIHTTPRequestHandler<
  TServer extends BaseServer<Connection> = BaseServer<Connection>,
> extends SimpleHTTPRequestHandler<TServer> {
  /** URL directories whose files (and nested directories' files) are scripts. */
  cgiDirectories: string[] = ['/cgi-bin', '/htbin'];
  /** `[dir, rest]` of the request path, set by isCgi() (`rest` without the query string). */
  cgiInfo: [string, string] | null = null;
  /** Seconds a script may go without reading input or writing output before it is killed (Infinity: never). */
  cgiTimeout = 60;
  /** Scripts one server runs at once; further requests wait in a queue. */
  cgiMaxScripts = DEFAULT_MAX_SCRIPTS;
  /** Requests that may wait for a script slot; beyond that the answer is 503 with Retry-After. */
  cgiQueueLength = 64;
  /** Extension (lower case, with the dot) → interpreter command, for scripts without the executable bit. */
  cgiInterpreters: Record<string, readonly string[]> = { ...DEFAULT_INTERPRETERS };
  /** The PATH scripts get (the server's own at construction). */
  cgiPath: string = process.env['PATH'] ?? FALLBACK_PATH;
  /** Variables added to every script's environment (they win over the CGI ones). */
  cgiEnvironment: Record<string, string> = {};
  /** The user scripts run as when the server runs as root (Python: nobody); null keeps root. */
  cgiUser: string | null = 'nobody';
  /** true: a query string without `=` becomes the script's one argument, `+` read as a space (Python's rule). */
  cgiQueryArgument = true;
  /**
   * true: scripts are started by a fork server, a small process (about 0.15 ms each), not by
   * forking this process with Node's spawn() (1.5 ms or more each, the event loop stopped
   * meanwhile): the C program `npm install` compiled when it could, else the same program run by
   * python3. 'python': always python3's. Without either, scripts are spawned as if this were false.
   */
  cgiForkServer: boolean | 'python' = true;

  /** Internal redirects taken so far in this request. */
  #redirects = 0;
  /** Add Retry-After to the response being sent (the 503 of a full queue). */
  #retryAfter = false;
  /** The script whose stats the current lookup read (isExecutable() reuses them). */
  #scriptStats: { file: string; stats: Stats | null } | null = null;

  /** Serve a POST request: only CGI scripts take one. */
  async do_POST(): Promise<void> {
    if (this.isCgi()) {
      await this.runCgi();
      return;
    }
    const target = this.requestPath();
    if (isRejection(target)) await this.sendError(400, target.rejected);
    else await this.sendError(501, 'Can only POST to CGI scripts');
  }

  /** As SimpleHTTPRequestHandler's, but a CGI path runs its script (and returns null). */
  override async sendHead(): Promise<ResponseBody | null> {
    if (!this.isCgi()) return super.sendHead();
    await this.runCgi();
    return null;
  }

  /** Queue the status line and headers; a 503 for a full queue gets Retry-After. May be extended. */
  override sendResponse(code: StatusCode, message?: string): void {
    super.sendResponse(code, message);
    if (this.#retryAfter) this.sendHeader('Retry-After', RETRY_AFTER_SECONDS);
  }

  /**
   * True when the request path (decoded, dot-segments removed, as Python's _url_collapse_path
   * leaves it) lies below one of `cgiDirectories`; then `cgiInfo` is `[dir, rest]`.
   */
  isCgi(): boolean {
    const target = this.requestPath();
    this.cgiInfo = isRejection(target) ? null : splitCgiPath(collapsePath(target), this.cgiDirectories);
    return this.cgiInfo !== null;
  }

  /** True when the file at `file` may be executed by this process (its mode bits, as access(X_OK)). */
  isExecutable(file: string): boolean {
    const stats = this.#scriptStats?.file === file ? this.#scriptStats.stats : statOrNull(file);
    return stats !== null && executableFor(stats);
  }

  /** True for a Python script (`.py`, `.pyw`). */
  isPython(file: string): boolean {
    const extension = path.extname(file).toLowerCase();
    return extension === '.py' || extension === '.pyw';
  }

  /** Run the script `cgiInfo` names and send its response (or the error that stops it). */
  async runCgi(): Promise<void> {
    if (this.cgiInfo === null && !this.isCgi()) {
      await this.sendError(404, 'No such CGI script');
      return;
    }
    const target = this.requestPath() as RequestPath;
    const location = locateScript(this.cgiInfo as [string, string], (urlPath) => this.#lookup(urlPath));
    const scriptFile = this.translatePath(quote(location.scriptName));
    if (location.found === 'missing' || (!this.serveDotfiles && target.segments.some((s) => s.startsWith('.')))) {
      await this.sendError(404, `No such CGI script (${pyRepr(location.scriptName)})`);
      return;
    }
    if (location.found !== 'file') {
      await this.sendError(403, `CGI script is not a plain file (${pyRepr(location.scriptName)})`);
      return;
    }
    if (!this.followSymlinks && !isConfined(scriptFile, path.resolve(this.directory))) {
      await this.sendError(404, `No such CGI script (${pyRepr(location.scriptName)})`);
      return;
    }
    const program = this.#program(scriptFile, location.script);
    if (program === null) {
      await this.sendError(403, `CGI script is not executable (${pyRepr(location.scriptName)})`);
      return;
    }
    if (this.path.includes('\0')) {
      await this.sendError(400, 'Bad request path');
      return;
    }
    const input = this.#redirects > 0 ? NO_INPUT : await readRequestBody(this.rfile, this.headers);
    const env = buildEnvironment(
      {
        serverSoftware: this.versionString(),
        serverName: (this.server as { serverName?: string }).serverName ?? '',
        serverPort: (this.server as { serverPort?: number }).serverPort ?? 0,
        serverProtocol: this.protocolVersion,
        method: this.command ?? 'GET',
        requestUri: this.path,
        scriptName: location.scriptName,
        scriptFilename: scriptFile,
        documentRoot: path.resolve(this.directory),
        pathInfo: location.pathInfo,
        pathTranslated: this.#pathTranslated(location.pathInfo),
        queryString: target.query ?? '',
        remoteAddr: typeof this.clientAddress === 'string' ? '' : this.clientAddress[0],
        remotePort: typeof this.clientAddress === 'string' ? null : this.clientAddress[1],
        https: 'encrypted' in this.connection.socket,
        headers: this.headers,
        contentLength: input.contentLength,
      },
      this.cgiPath,
      this.cgiEnvironment,
    );
    if (isCollision(env)) {
      const [first, second] = env.collision;
      await this.sendError(400, `Header fields ${pyRepr(first)} and ${pyRepr(second)} name the same CGI variable`);
      return;
    }
    const command: ScriptCommand = {
      ...program,
      args: [...program.args, ...this.#queryArgument(target.query ?? '')],
      cwd: path.dirname(scriptFile),
      env,
      user: scriptUserFor(this.cgiUser),
      stdin: input.feed !== null,
      forkServer: this.cgiForkServer,
    };
    await this.#runScript(
      command,
      input.feed?.initial ?? null,
      input.feed !== null,
      location.script.startsWith('nph-'),
    );
  }

  /** Wait for a slot, run the script, and finish what its run leaves to the handler. */
  async #runScript(command: ScriptCommand, initial: Buffer | null, feed: boolean, nph: boolean): Promise<void> {
    const client = new ClientWatch(this.connection.socket);
    let outcome: RunOutcome;
    try {
      const slot = limiterFor(this.server).tryAcquire(this.cgiMaxScripts, this.cgiQueueLength);
      if (slot === null) {
        await this.#sendBusy();
        return;
      }
      await Promise.race([slot.granted, new Promise<void>((resolve) => client.onGone(resolve))]);
      if (client.gone) {
        slot.release();
        this.closeConnection = true;
        return;
      }
      let run: StartedRun;
      try {
        run = await startScript({
          command,
          body: feed ? { rfile: this.rfile, initial } : null,
          nph,
          timeout: this.cgiTimeout,
          target: this,
          client,
          logError: (format, ...args) => this.logError(format, ...args),
        });
      } catch (error) {
        // spawn() refused its arguments outright: no process, so the slot is free again
        slot.release();
        throw error;
      }
      void run.exited.then((exit) => {
        slot.release();
        if (exit !== null && exit.exitCode !== 0) this.logError('CGI script exit code %d', exit.exitCode);
      });
      outcome = await run.outcome;
      if (outcome.kind === 'redirect') await run.exited;
    } finally {
      client.dispose();
    }
    await this.#finishRun(outcome);
  }

  async #finishRun(outcome: RunOutcome): Promise<void> {
    switch (outcome.kind) {
      case 'sent':
      case 'closed':
        return;
      case 'error':
        await this.sendError(outcome.status, outcome.message, outcome.explain);
        return;
      case 'redirect':
        await this.#redirectInternally(outcome.location);
        return;
    }
  }

  /** Serve `location` as a GET (HEAD stays HEAD) of this server, the script's local redirect. */
  async #redirectInternally(location: string): Promise<void> {
    if (this.#redirects >= MAX_INTERNAL_REDIRECTS) {
      this.logError('CGI internal redirects loop at %r', location);
      await this.sendError(502, undefined, 'The CGI script redirects in a loop');
      return;
    }
    const [savedPath, savedCommand] = [this.path, this.command];
    this.#redirects += 1;
    this.path = location;
    if (this.command !== 'HEAD') this.command = 'GET';
    try {
      if (this.command === 'HEAD') await this.do_HEAD();
      else await this.do_GET();
    } finally {
      this.#redirects -= 1;
      this.path = savedPath;
      this.command = savedCommand;
    }
  }

  /** 503 with Retry-After: too many scripts run and wait already. */
  async #sendBusy(): Promise<void> {
    this.#retryAfter = true;
    try {
      await this.sendError(503, undefined, 'Too many CGI scripts are running; try again shortly');
    } finally {
      this.#retryAfter = false;
    }
  }

  /** What to execute for `scriptFile`: itself when executable, else its interpreter; null if neither. */
  #program(scriptFile: string, script: string): Pick<ScriptCommand, 'file' | 'args' | 'argv0'> | null {
    if (this.isExecutable(scriptFile)) return { file: scriptFile, args: [], argv0: script };
    const interpreter = this.cgiInterpreters[path.extname(scriptFile).toLowerCase()];
    if (interpreter === undefined || interpreter.length === 0) return null;
    const [file, ...args] = interpreter as [string, ...string[]];
    return { file, args: [...args, scriptFile], argv0: file };
  }

  /** Python's rule: a query without `=`, `+` read as a space, is one more argument. */
  #queryArgument(query: string): string[] {
    if (!this.cgiQueryArgument) return [];
    const decoded = query.replace(/\+/g, ' ');
    return decoded.includes('=') ? [] : [decoded];
  }

  /** PATH_TRANSLATED: PATH_INFO mapped like a request path (the served directory when empty, as Python). */
  #pathTranslated(pathInfo: string): string {
    if (pathInfo === '') return path.resolve(this.directory);
    return this.translatePath(quote(pathInfo));
  }

  /** What a URL path below a CGI directory is on disk (one stat, kept for isExecutable()). */
  #lookup(urlPath: string): Found {
    const file = this.translatePath(quote(urlPath));
    const stats = statOrNull(file);
    this.#scriptStats = { file, stats };
    return kindOf(stats);
  }
}
