/**
 * The fork server: CGI scripts started by a small python3 process instead of by this one.
 *
 * Node's spawn() forks the whole server process (the page tables of a heap of tens or hundreds of
 * megabytes) and keeps its event loop stopped until the child has exec'd: 1.5 to 3 ms per script
 * on a 2-core machine, during which no other client is served, so CGI could not pass a few hundred
 * scripts a second. The fork server is a ten-megabyte Python process whose posix_spawn (vfork and
 * exec) costs it about 0.15 ms; this process only writes a line of JSON and accepts the script's
 * connections. Each script gets its stdin and stdout as Unix-socket connections to this process
 * (Python's CGI gives scripts the client's socket and libuv gives them socketpairs, so scripts
 * already run on sockets); its stderr is a pipe the fork server reads and passes on. Connections
 * carry a random per-script token, so nothing but the fork server can pose as a script. The program and its protocol: fork-server-program.ts.
 *
 * One fork server runs per user scripts run as (the process's own, or `cgiUser` when root: the
 * fork server then runs as that user and so do its scripts). It starts with the first script and
 * ends with this process; it never keeps the process alive. When python3 cannot be started the
 * answer is null and scripts are spawned the usual way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { deferred, type Deferred } from '../../socketserver/settle';
import { FORK_SERVER_PROGRAM } from './fork-server-program';
import type { ScriptUser } from './script-user';

/** The Python that runs the fork server. */
const PYTHON = 'python3';
/** Bytes of the token each connection starts with, then one byte: the script's descriptor. */
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

/** A started script: its process id, its stdio, and its exit code once reaped. */
export interface ForkedScript {
  readonly pid: number;
  readonly stdin: net.Socket | null;
  readonly stdout: net.Socket;
  /** What it writes to stderr, as the fork server relays it (ends when the script does). */
  readonly stderr: Readable;
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

/** A request on its way: the answer and the connections it is waiting for. */
interface Pending {
  readonly id: number;
  readonly token: string;
  readonly request: ForkRequest;
  /** Its stdin and stdout connections, by descriptor, as they arrive. */
  readonly connections: [net.Socket | null, net.Socket | null];
  readonly stderr: Readable;
  pid: number | null;
  readonly started: (outcome: ForkedScript | Error) => void;
  /** Settled with the script's exit code once it has been reaped. */
  readonly exit: Deferred<number>;
}

const servers = new Map<string, ForkServer | 'unavailable'>();

/**
 * Start `request` through the fork server for `user` (null: this process's own user); null when
 * there can be no fork server here (python3 missing), so the caller spawns the script itself.
 */
export async function forkScript(request: ForkRequest, user: ScriptUser | null): Promise<ForkedScript | Error | null> {
  const key = user === null ? 'self' : `${user.uid}:${user.gid}`;
  let server = servers.get(key);
  if (server === 'unavailable') return null;
  if (server === undefined || server.closed) {
    server = new ForkServer(user);
    servers.set(key, server);
  }
  const outcome = await server.start(request);
  if (outcome === null) servers.set(key, 'unavailable');
  return outcome;
}

/** One fork server process and the rendezvous socket its scripts' connections arrive on. */
class ForkServer {
  #closed = false;
  readonly #booted: Promise<ChildProcess | null>;
  readonly #listener = net.createServer((socket) => this.#onConnection(socket));
  #directory: string | null = null;
  /** Requests not yet started, by token. */
  readonly #pending = new Map<string, Pending>();
  /** Requests not yet ended, by id. */
  readonly #unfinished = new Map<number, Pending>();
  #nextId = 1;
  #replies = '';
  readonly #removeOnExit = (): void => this.#removeDirectory();
  /** Settles #boot()'s wait for the fork server's first line. */
  #ready: (ready: boolean) => void = () => undefined;

  constructor(user: ScriptUser | null) {
    this.#listener.unref();
    this.#booted = this.#boot(user);
  }

  /** True once the fork server has gone: a new one must be started. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Start `request`; null when the fork server could not be started at all. */
  async start(request: ForkRequest): Promise<ForkedScript | Error | null> {
    const child = await this.#booted;
    if (child === null) return null;
    if (this.#closed) return new Error('the CGI fork server has exited');
    const token = nextToken();
    const id = this.#nextId++;
    const exit = deferred<number>();
    return new Promise<ForkedScript | Error>((started) => {
      const connections: Pending['connections'] = [null, null];
      const stderr = new Readable({ read: () => undefined });
      const pending: Pending = { id, token, request, connections, stderr, pid: null, started, exit };
      this.#pending.set(token, pending);
      this.#unfinished.set(id, pending);
      const { file, argv, cwd, env, stdin } = request;
      child.stdin?.write(`${JSON.stringify({ id, token, file, argv, cwd, env, stdin })}\n`);
    });
  }

  /** Listen on a socket in a fresh private directory, then start python3 on it. */
  async #boot(user: ScriptUser | null): Promise<ChildProcess | null> {
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
    const child = spawn(PYTHON, ['-I', '-S', '-c', FORK_SERVER_PROGRAM, rendezvous, ...ids], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { PATH: process.env['PATH'] ?? '' },
    });
    child.stdin?.on('error', () => undefined);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => this.#onReplies(text));
    // Ready once it says so; no python3, a Python too old, or a failure to switch users: never.
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
    return child;
  }

  #onReplies(text: string): void {
    this.#replies += text;
    let newline = this.#replies.indexOf('\n');
    while (newline !== -1) {
      this.#onReply(JSON.parse(this.#replies.slice(0, newline)) as Reply);
      this.#replies = this.#replies.slice(newline + 1);
      newline = this.#replies.indexOf('\n');
    }
  }

  #onReply(reply: Reply): void {
    if ('ready' in reply) {
      this.#ready(true);
      return;
    }
    const pending = this.#unfinished.get(reply.id);
    if (pending === undefined) return;
    if ('stderr' in reply) {
      pending.stderr.push(reply.stderr);
    } else if ('exit' in reply) {
      this.#unfinished.delete(reply.id);
      pending.stderr.push(null);
      pending.exit.resolve(reply.exit);
    } else if ('error' in reply) {
      this.#unfinished.delete(reply.id);
      this.#abandon(pending, new ForkError(reply.error, reply.message, pending.request.file));
    } else {
      pending.pid = reply.pid;
      this.#settle(pending);
    }
  }

  /** A script's connection: read its token and descriptor number, then hand it to its request. */
  #onConnection(socket: net.Socket): void {
    socket.on('error', () => undefined);
    // The fork server writes the head as it connects: a connection that holds it back is not its.
    const silent = setTimeout(() => socket.destroy(), HEAD_TIMEOUT_MS).unref();
    const readHead = (): void => {
      const head = socket.read(TOKEN_BYTES + 1) as Buffer | null;
      if (head === null) return;
      clearTimeout(silent);
      socket.off('readable', readHead);
      const pending = this.#pending.get(head.subarray(0, TOKEN_BYTES).toString('hex'));
      const fd = head.length > TOKEN_BYTES ? (head[TOKEN_BYTES] as number) : -1;
      if (pending === undefined || (fd !== 0 && fd !== 1) || pending.connections[fd] !== null) {
        socket.destroy();
        return;
      }
      pending.connections[fd] = socket;
      this.#settle(pending);
    };
    socket.on('readable', readHead);
  }

  /** Hand a request its script once the answer and every connection are in. */
  #settle(pending: Pending): void {
    const [stdin, stdout] = pending.connections;
    if (pending.pid === null || stdout === null || (pending.request.stdin && stdin === null)) return;
    this.#pending.delete(pending.token);
    pending.started({ pid: pending.pid, stdin, stdout, stderr: pending.stderr, exited: pending.exit.promise });
  }

  #abandon(pending: Pending, error: Error): void {
    this.#pending.delete(pending.token);
    for (const connection of pending.connections) connection?.destroy();
    pending.started(error);
  }

  /** The fork server is gone: what was waiting to start fails, what was running is killed and counted ended. */
  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.close();
    for (const pending of this.#unfinished.values()) {
      if (pending.pid !== null) {
        try {
          process.kill(-pending.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        pending.stderr.push(null);
        pending.exit.resolve(-9);
      }
      if (this.#pending.has(pending.token)) this.#abandon(pending, new Error('the CGI fork server has exited'));
    }
    this.#unfinished.clear();
    process.off('exit', this.#removeOnExit);
    this.#removeDirectory();
  }

  #removeDirectory(): void {
    if (this.#directory !== null) fs.rmSync(this.#directory, { recursive: true, force: true });
  }
}

/** A line from the fork server. */
type Reply =
  | { readonly ready: true }
  | { readonly id: number; readonly pid: number }
  | { readonly id: number; readonly error: string; readonly message: string }
  | { readonly id: number; readonly stderr: string }
  | { readonly id: number; readonly exit: number };
