/**
 * The fork server: CGI scripts started by a small process instead of by this one.
 *
 * Node's spawn() forks the whole server process (the page tables of a heap of tens or hundreds of
 * megabytes) and keeps its event loop stopped until the child has exec'd: 1.5 to 3 ms per script
 * on a 2-core machine, during which no other client is served, so CGI could not pass a few hundred
 * scripts a second. The fork server is a small process whose posix_spawn (vfork and exec) costs it
 * about 0.15 ms. It is the C program native/fork-server.c when `npm install` could compile it
 * (build/fork-server), else the same program in Python (fork-server-program.ts), which costs
 * about 0.2 ms more CPU per script. A script's stdout and stderr are pipes the fork server reads;
 * it passes on what they carry in frames on its own stdout, for every script at once, so this process
 * makes no socket and no stream of Node's per script: each script's output is handed from those
 * frames straight to its reader (relayed-output.ts).
 * Output is relayed OUTPUT_WINDOW bytes at a time: the fork server reads on only once this process
 * asks for more, so a script is held back as its client is. A script that reads a request body
 * gets a Unix-socket connection to this process as stdin; the connection carries a random
 * per-script token, so nothing but the fork server can pose as a script. The program and its
 * protocol: fork-server-program.ts.
 *
 * Fork servers run per user scripts run as (the process's own, or `cgiUser` when root: the fork
 * server then runs as that user and so do its scripts): one per CPU, at most four, because each
 * one waits out every posix_spawn until the script has exec'd (about a third of a millisecond of
 * a /bin/sh script's start on a 2-core machine), and with a single one for all scripts the CPUs
 * stood idle a fifth of the time under load. A script goes to the fork server with the fewest
 * scripts; another is started only when every one has some. Each starts with its first script
 * and ends with this process; none keeps the process alive. When neither program can be started
 * (no build and no python3) the answer is null and scripts are spawned the usual way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { deferred, type Deferred } from '../../socketserver/settle';
import { FrameReader } from './fork-server-frames';
import { FORK_SERVER_PROGRAM, FrameKind } from './fork-server-program';
import { RelayedOutput } from './relayed-output';
import type { ScriptOutput } from './script-output';
import type { ScriptUser } from './script-user';

/** Which fork server program runs: the compiled one or the Python one. */
export type ForkServerProgram = 'compiled' | 'python';
/** Bytes of the token a stdin connection starts with, then one byte: 0, the script's descriptor. */
const TOKEN_BYTES = 16;
/** Milliseconds a connection may take to send its token before it is dropped. */
const HEAD_TIMEOUT_MS = 2000;
/** Tokens drawn from the system's random source at once. */
const TOKENS_PER_DRAW = 256;

let tokenPool = Buffer.alloc(0);
let tokenOffset = 0;

/** A fresh random token, as hex. */
function nextToken(): string {
  if (tokenOffset === tokenPool.length) {
    tokenPool = randomBytes(TOKEN_BYTES * TOKENS_PER_DRAW);
    tokenOffset = 0;
  }
  tokenOffset += TOKEN_BYTES;
  return tokenPool.toString('hex', tokenOffset - TOKEN_BYTES, tokenOffset);
}

/** What the fork server starts. */
export interface ForkRequest {
  /** The program: a path, or a name looked up in `env.PATH`. */
  readonly file: string;
  /** The whole argument vector, argv[0] first. */
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Connect stdin to this process (else it reads /dev/null). */
  readonly stdin: boolean;
}

/** Where the fork server's relay of a script's stderr goes: its chunks, then its end (when the script has ended). */
export interface StderrSink {
  write(chunk: Buffer): void;
  end(): void;
}

/** A started script: its process id, its stdin and stdout, and its exit code once reaped. */
export interface ForkedScript {
  readonly pid: number;
  readonly stdin: net.Socket | null;
  /** What it writes to stdout, as the fork server relays it; destroying it closes the script's stdout. */
  readonly stdout: ScriptOutput;
  /** os.waitstatus_to_exitcode() of the script: its status, or minus the signal that ended it. */
  readonly exited: Promise<number>;
}

/** An error the fork server reported for a script it could not start, with its errno name as `code`. */
export class ForkError extends Error {
  readonly code: string;

  constructor(code: string, message: string, file: string) {
    super(`spawn ${file} ${code}: ${message}`);
    this.name = 'ForkError';
    this.code = code;
  }
}

/** A request on its way or its script running: what it waits for and what it relays. */
interface Pending {
  readonly id: number;
  readonly token: string;
  readonly request: ForkRequest;
  /** Its stdin connection, once it has arrived (only when the request asked for one). */
  stdin: net.Socket | null;
  readonly stdout: RelayedOutput;
  readonly stderr: StderrSink;
  pid: number | null;
  readonly started: (outcome: ForkedScript | Error) => void;
  /** Settled with the script's exit code once it has been reaped. */
  readonly exit: Deferred<number>;
  /** The script has ended and been reaped. */
  reaped: boolean;
}

/** Fork servers started for one user at most. */
const SERVERS_PER_USER = Math.min(4, os.availableParallelism());

/** How a fork server program is started: the command, and its arguments before the rendezvous path. */
interface Launch {
  readonly name: ForkServerProgram;
  readonly command: string;
  readonly args: readonly string[];
}

/** The Python version, run by python3 (isolated, no site packages). */
const PYTHON_LAUNCH: Launch = { name: 'python', command: 'python3', args: ['-I', '-S', '-c', FORK_SERVER_PROGRAM] };

/**
 * The fork server `npm install` compiled (scripts/build-fork-server.mjs): build/fork-server in the
 * package's folder, the first one above this file with a package.json; null when it is not there.
 */
const COMPILED_LAUNCH = ((): Launch | null => {
  for (let directory = __dirname; ; directory = path.dirname(directory)) {
    if (fs.existsSync(path.join(directory, 'package.json'))) {
      const program = path.join(directory, 'build', 'fork-server');
      return fs.existsSync(program) ? { name: 'compiled', command: program, args: [] } : null;
    }
    if (path.dirname(directory) === directory) return null;
  }
})();

const pools = new Map<string, ForkServer[] | 'unavailable'>();

/**
 * Start `request` through the least busy fork server for `user` (null: this process's own user),
 * its stderr going to `stderr`: the compiled program's when there is one and `preferred` is
 * 'compiled', else the Python one's. Null when that program cannot run here, so the caller
 * spawns the script itself.
 */
export async function forkScript(
  request: ForkRequest,
  user: ScriptUser | null,
  stderr: StderrSink,
  preferred: ForkServerProgram,
): Promise<ForkedScript | Error | null> {
  const launch = (preferred === 'compiled' ? COMPILED_LAUNCH : null) ?? PYTHON_LAUNCH;
  const key = `${launch.name} ${user === null ? 'self' : `${user.uid}:${user.gid}`}`;
  let pool = pools.get(key);
  if (pool === 'unavailable') return null;
  if (pool === undefined) {
    pool = [];
    pools.set(key, pool);
  }
  const outcome = await leastBusy(pool, user, launch).start(request, stderr);
  if (outcome === null) pools.set(key, 'unavailable');
  return outcome;
}

/** The pool's server with the fewest scripts, after starting another if every one is busy and there is room. */
function leastBusy(pool: ForkServer[], user: ScriptUser | null, launch: Launch): ForkServer {
  for (let index = pool.length - 1; index >= 0; index--) if ((pool[index] as ForkServer).closed) pool.splice(index, 1);
  let best: ForkServer | null = null;
  for (const server of pool) if (best === null || server.load < best.load) best = server;
  if (best !== null && (best.load === 0 || pool.length === SERVERS_PER_USER)) return best;
  const server = new ForkServer(user, launch);
  pool.push(server);
  return server;
}

/** One fork server process, and the rendezvous socket its scripts' stdin connections arrive on. */
class ForkServer {
  #closed = false;
  readonly #booted: Promise<ChildProcess | null>;
  readonly #listener = net.createServer((socket) => this.#onConnection(socket));
  #directory: string | null = null;
  /** Requests waiting for a stdin connection, by token. */
  readonly #awaitingStdin = new Map<string, Pending>();
  /** Requests whose script has not yet ended or still sends output, by id. */
  readonly #unfinished = new Map<number, Pending>();
  #nextId = 1;
  /** Calls of start() waiting for the fork server to be ready. */
  #waitingForBoot = 0;
  /** Lines for the fork server, written together once this turn of the event loop is over. */
  #lines: string[] = [];
  /** The fork server's output, read frame by frame. */
  readonly #frames = new FrameReader((kind, id, payload) => this.#onFrame(kind, id, payload));
  #child: ChildProcess | null = null;
  readonly #removeOnExit = (): void => this.#removeDirectory();
  /** Settles #boot()'s wait for the fork server's Ready frame. */
  #ready: (ready: boolean) => void = () => undefined;

  constructor(user: ScriptUser | null, launch: Launch) {
    this.#listener.unref();
    this.#booted = this.#boot(user, launch);
  }

  /**
   * Scripts asked for whose output has not ended, counting those waiting for the fork server to
   * be ready. A script whose output is over is as good as done: a client that waits for each
   * response before its next request keeps to one fork server.
   */
  get load(): number {
    let producing = 0;
    for (const pending of this.#unfinished.values()) if (!pending.stdout.finished) producing++;
    return this.#waitingForBoot + producing;
  }

  /** True once the fork server has gone: a new one must be started. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Start `request`; null when the fork server could not be started at all. */
  async start(request: ForkRequest, stderr: StderrSink): Promise<ForkedScript | Error | null> {
    this.#waitingForBoot++;
    const child = await this.#booted;
    this.#waitingForBoot--;
    if (child === null) return null;
    if (this.#closed) return new Error('the CGI fork server has exited');
    const token = request.stdin ? nextToken() : '';
    const id = this.#nextId++;
    return new Promise<ForkedScript | Error>((started) => {
      const pending: Pending = {
        id,
        token,
        request,
        stdin: null,
        stdout: new RelayedOutput(
          () => this.#send(`{"more":${id}}\n`),
          () => this.#closeOutput(pending),
        ),
        stderr,
        pid: null,
        started,
        exit: deferred<number>(),
        reaped: false,
      };
      if (request.stdin) this.#awaitingStdin.set(token, pending);
      this.#unfinished.set(id, pending);
      const { file, argv, cwd, env, stdin } = request;
      this.#send(`${JSON.stringify({ id, token, file, argv, cwd, env, stdin })}\n`);
    });
  }

  /** Queue `line` for the fork server: the lines of one turn of the event loop go in one write. */
  #send(line: string): void {
    if (this.#lines.push(line) === 1) setImmediate(this.#flushLines);
  }

  readonly #flushLines = (): void => {
    const lines = this.#lines;
    this.#lines = [];
    this.#child?.stdin?.write(lines.length === 1 ? (lines[0] as string) : lines.join(''));
  };

  /** The reader destroyed stdout before its output ended: close the script's stdout. */
  #closeOutput(pending: Pending): void {
    this.#send(`{"close":${pending.id}}\n`);
    this.#forgetIfDone(pending);
  }

  /** Listen on a socket in a fresh private directory, then start the program `launch` says on it. */
  async #boot(user: ScriptUser | null, launch: Launch): Promise<ChildProcess | null> {
    let rendezvous: string;
    try {
      this.#directory = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-cgi-'));
      rendezvous = path.join(this.#directory, 'fork-server.sock');
      await new Promise<void>((resolve, reject) => {
        this.#listener.once('error', reject);
        this.#listener.listen(rendezvous, resolve);
      });
      if (user !== null) {
        fs.chownSync(this.#directory, user.uid, user.gid);
        fs.chownSync(rendezvous, user.uid, user.gid);
      }
    } catch {
      this.#close();
      return null;
    }
    const ids = user === null ? [] : [String(user.uid), String(user.gid)];
    // Only PATH (to find python3): the fork server runs as the scripts' user, who can read its
    // /proc/<pid>/environ, so it must not hold a copy of this process's environment.
    const child = spawn(launch.command, [...launch.args, rendezvous, ...ids], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { PATH: process.env['PATH'] ?? '' },
    });
    child.stdin?.on('error', () => undefined);
    child.stdout?.on('data', (chunk: Buffer) => this.#frames.push(chunk));
    // Ready once it says so; no program, a Python too old, or a failure to switch users: never.
    const ready = await new Promise<boolean>((resolve) => {
      this.#ready = resolve;
      child.once('error', () => resolve(false));
      child.once('exit', () => resolve(false));
    });
    if (!ready) {
      this.#close();
      return null;
    }
    // Neither the fork server nor its pipes keep this process alive; it ends when stdin does.
    child.unref();
    (child.stdin as unknown as net.Socket).unref();
    (child.stdout as unknown as net.Socket).unref();
    child.once('exit', () => this.#close());
    process.once('exit', this.#removeOnExit);
    this.#child = child;
    return child;
  }

  #onFrame(kind: number, id: number, payload: Buffer): void {
    if (kind === FrameKind.Ready) {
      this.#ready(true);
      return;
    }
    const pending = this.#unfinished.get(id);
    if (pending === undefined) return;
    switch (kind) {
      case FrameKind.Started:
        pending.pid = payload.readUInt32BE(0);
        this.#settle(pending);
        return;
      case FrameKind.Failed: {
        const { error, message } = JSON.parse(payload.toString()) as { error: string; message: string };
        this.#unfinished.delete(id);
        this.#abandon(pending, new ForkError(error, message, pending.request.file));
        return;
      }
      case FrameKind.Output:
        if (pending.stdout.finished) return;
        if (payload.length === 0) {
          pending.stdout.end();
          this.#forgetIfDone(pending);
        } else {
          pending.stdout.push(payload);
        }
        return;
      case FrameKind.Stderr:
        pending.stderr.write(payload);
        return;
      case FrameKind.Exit:
        pending.reaped = true;
        pending.stderr.end();
        pending.exit.resolve(payload.readInt32BE(0));
        this.#forgetIfDone(pending);
        return;
    }
  }

  /** A script that has been reaped and sends no more output needs nothing more. */
  #forgetIfDone(pending: Pending): void {
    if (pending.stdout.finished && pending.reaped) this.#unfinished.delete(pending.id);
  }

  /** A script's stdin connection: read its token and descriptor number, then hand it to its request. */
  #onConnection(socket: net.Socket): void {
    socket.on('error', () => undefined);
    // The fork server writes the head as it connects: a connection that holds it back is not its.
    const silent = setTimeout(() => socket.destroy(), HEAD_TIMEOUT_MS).unref();
    const readHead = (): void => {
      const head = socket.read(TOKEN_BYTES + 1) as Buffer | null;
      if (head === null) return;
      clearTimeout(silent);
      socket.off('readable', readHead);
      const token = head.subarray(0, TOKEN_BYTES).toString('hex');
      const pending = this.#awaitingStdin.get(token);
      if (pending === undefined || head.length <= TOKEN_BYTES || head[TOKEN_BYTES] !== 0) {
        socket.destroy();
        return;
      }
      this.#awaitingStdin.delete(token);
      pending.stdin = socket;
      this.#settle(pending);
    };
    socket.on('readable', readHead);
  }

  /** Hand a request its script once it has started and its stdin connection (if any) is in. */
  #settle(pending: Pending): void {
    if (pending.pid === null || (pending.request.stdin && pending.stdin === null)) return;
    const { pid, stdin, stdout } = pending;
    pending.started({ pid, stdin, stdout, exited: pending.exit.promise });
  }

  #abandon(pending: Pending, error: Error): void {
    this.#awaitingStdin.delete(pending.token);
    pending.stdin?.destroy();
    pending.started(error);
  }

  /** The fork server is gone: what was waiting to start fails, what was running is killed and counted ended. */
  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.close();
    for (const pending of this.#unfinished.values()) {
      if (pending.pid === null) {
        this.#abandon(pending, new Error('the CGI fork server has exited'));
        continue;
      }
      try {
        process.kill(-pending.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      pending.stdout.end();
      pending.stderr.end();
      pending.exit.resolve(-9);
      // A script still waiting for its stdin connection never reached its caller: it fails.
      if (this.#awaitingStdin.has(pending.token)) this.#abandon(pending, new Error('the CGI fork server has exited'));
    }
    this.#unfinished.clear();
    process.off('exit', this.#removeOnExit);
    this.#removeDirectory();
  }

  #removeDirectory(): void {
    if (this.#directory !== null) fs.rmSync(this.#directory, { recursive: true, force: true });
  }
}
