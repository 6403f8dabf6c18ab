/**
 * One CGI script as a child process: started without a shell in a process group of its own (so a
 * kill reaches whatever it started too), stderr turned into log lines, and killed on request with
 * SIGTERM, then SIGKILL if it lingers. Node reaps every child, so none is left a zombie.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { ScriptUser } from './script-user';

/** Seconds between SIGTERM and SIGKILL when a script is killed. */
const KILL_GRACE_SECONDS = 1;
/** A stderr line longer than this is logged in pieces, so a script cannot make the server hold more. */
const MAX_STDERR_LINE = 8192;

/** How to start a script. */
export interface ScriptCommand {
  /** The program: the script itself, or its interpreter. */
  readonly file: string;
  /** Arguments after argv[0]. */
  readonly args: readonly string[];
  /** argv[0] as the program sees it. */
  readonly argv0: string;
  /** The working directory (the script's directory). */
  readonly cwd: string;
  /** The whole environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Ids to switch to, or null to keep the server's. */
  readonly user: ScriptUser | null;
  /** Give the script a pipe to write the request body into; false gives it /dev/null. */
  readonly stdin: boolean;
}

/** How a script ended: Python's exit code (negative for a signal), or the error that kept it from starting. */
export type ScriptExit = { readonly exitCode: number } | { readonly startError: Error };

const SIGNALS: Readonly<Record<string, number>> = { SIGTERM: 15, SIGKILL: 9, SIGINT: 2, SIGHUP: 1, SIGPIPE: 13 };

/** Python's os.waitstatus_to_exitcode(): the exit status, or minus the signal number. */
function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return -(SIGNALS[signal ?? ''] ?? 0);
}

/**
 * A running script. `stdin`, `stdout` are its pipes (stdin null without a body); `exited`
 * resolves once it has ended and been reaped (or failed to start). `kill()` ends it and
 * everything it started.
 */
export class ScriptProcess {
  readonly stdin: Writable | null;
  readonly stdout: Readable;
  readonly exited: Promise<ScriptExit>;
  readonly #child: ChildProcess;
  #killTimer: NodeJS.Timeout | null = null;
  #ended = false;

  /**
   * Start `command`. `onStderrLine` gets each line the script writes to stderr; `onActivity` is
   * called whenever it writes to stdout or stderr (the handler's idle timer).
   */
  constructor(command: ScriptCommand, onStderrLine: (line: string) => void, onActivity: () => void) {
    this.#child = spawn(command.file, command.args, {
      argv0: command.argv0,
      cwd: command.cwd,
      env: command.env,
      stdio: [command.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: true,
      ...(command.user === null ? {} : { uid: command.user.uid, gid: command.user.gid }),
    });
    this.stdin = this.#child.stdin;
    this.stdout = this.#child.stdout as Readable;
    // The script may exit without reading its input: writes then fail with EPIPE, which is no error here.
    this.stdin?.on('error', () => undefined);
    this.stdout.on('error', () => undefined);
    this.#relayStderr(this.#child.stderr as Readable, onStderrLine, onActivity);
    this.exited = new Promise<ScriptExit>((resolve) => {
      this.#child.once('error', (error) => {
        // Spawning failed (no such interpreter, not executable, no memory): nothing runs.
        if (this.#child.pid === undefined) this.#end(resolve, { startError: error });
      });
      this.#child.once('exit', (code, signal) => this.#end(resolve, { exitCode: exitCodeOf(code, signal) }));
    });
  }

  /** The process id (undefined if it did not start). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** True once the script has exited. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * End the script: SIGTERM to its process group now, SIGKILL after KILL_GRACE_SECONDS if it is
   * still there; its pipes are closed at once so nothing more is read from it.
   */
  kill(): void {
    this.stdin?.destroy();
    this.stdout.destroy();
    this.#child.stderr?.destroy();
    if (this.#ended || this.#killTimer !== null) return;
    this.#signalGroup('SIGTERM');
    this.#killTimer = setTimeout(() => this.#signalGroup('SIGKILL'), KILL_GRACE_SECONDS * 1000);
  }

  #signalGroup(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone already
    }
  }

  #end(resolve: (exit: ScriptExit) => void, exit: ScriptExit): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#killTimer !== null) {
      // What the script started may still hold the group: finish the kill now.
      clearTimeout(this.#killTimer);
      this.#signalGroup('SIGKILL');
    }
    resolve(exit);
  }

  #relayStderr(stderr: Readable, onLine: (line: string) => void, onActivity: () => void): void {
    let pending = '';
    stderr.setEncoding('utf8');
    stderr.on('data', (text: string) => {
      onActivity();
      pending += text;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        onLine(pending.slice(0, newline).replace(/\r$/, ''));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
      while (pending.length > MAX_STDERR_LINE) {
        onLine(pending.slice(0, MAX_STDERR_LINE));
        pending = pending.slice(MAX_STDERR_LINE);
      }
    });
    stderr.on('error', () => undefined);
    stderr.once('end', () => {
      if (pending !== '') onLine(pending);
      pending = '';
    });
  }
}
