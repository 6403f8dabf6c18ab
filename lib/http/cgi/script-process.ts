/**
 * One CGI script as a process: started without a shell in a session and process group of its
 * own (so a kill reaches whatever it started too), by the fork server (fork-server.ts) or, without
 * one, by Node's spawn(); stderr turned into log lines; killed on request with SIGTERM, then
 * SIGKILL if it lingers. Every script is reaped, so none is left a zombie.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { forkScript, type ForkRequest } from './fork-server';
import { readableOutput, type ScriptOutput } from './script-output';
import type { ScriptUser } from './script-user';
import { StderrLines } from './stderr-lines';

/** Seconds between SIGTERM and SIGKILL when a script is killed. */
const KILL_GRACE_SECONDS = 1;

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
  /** Connect the script's stdin to this process to feed it the request body; false gives it /dev/null. */
  readonly stdin: boolean;
  /**
   * Start it through a fork server (the compiled one when there is one, or 'python': always the
   * Python one), not with Node's spawn(); false: spawn(). Without a fork server here, spawn().
   */
  readonly forkServer: boolean | 'python';
}

/** A started script's descriptors and its exit code, however it was started. */
interface StartedScript {
  readonly pid: number;
  readonly stdin: Writable | null;
  readonly stdout: ScriptOutput;
  /** Its stderr pipe when this process reads it (spawn()); null when the fork server relays it. */
  readonly stderr: Readable | null;
  /** The exit code once it has been reaped: its status, or minus the signal (Python's convention). */
  readonly exited: Promise<number>;
}

/** How a script ended: Python's exit code (negative for a signal). */
export interface ScriptExit {
  readonly exitCode: number;
}

/** Python's os.waitstatus_to_exitcode(): the exit status, or minus the signal number. */
function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return signal === null ? 0 : -os.constants.signals[signal];
}

/** What the fork server needs to start `command`. */
function forkRequestOf(command: ScriptCommand): ForkRequest {
  const { file, cwd, env, stdin } = command;
  return { file, argv: [command.argv0, ...command.args], cwd, env, stdin };
}

/** Start `command` with Node's spawn(): the whole server forks, and its event loop waits until the child has exec'd. */
function spawnScript(command: ScriptCommand): Promise<StartedScript | Error> {
  const child = spawn(command.file, command.args, {
    argv0: command.argv0,
    cwd: command.cwd,
    env: command.env,
    stdio: [command.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    detached: true,
    ...(command.user === null ? {} : { uid: command.user.uid, gid: command.user.gid }),
  });
  const pid = child.pid;
  // No pid: spawning failed (no such program, not executable, no memory) and 'error' follows.
  if (pid === undefined) return new Promise((resolve) => child.once('error', resolve));
  child.on('error', () => undefined);
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(exitCodeOf(code, signal)));
  });
  return Promise.resolve({
    pid,
    stdin: child.stdin,
    stdout: readableOutput(child.stdout as Readable),
    stderr: child.stderr as Readable,
    exited,
  });
}

/**
 * A running script. `stdin` is its input (null without a body), `stdout` its output (one reader,
 * script-output.ts); `exited` resolves once it has ended and been reaped. `kill()` ends it and
 * everything it started. Made by `ScriptProcess.start()`.
 */
export class ScriptProcess {
  readonly pid: number;
  readonly stdin: Writable | null;
  readonly stdout: ScriptOutput;
  readonly exited: Promise<ScriptExit>;
  readonly #stderr: Readable | null;
  readonly #stderrLines: StderrLines;
  #killTimer: NodeJS.Timeout | null = null;
  #ended = false;

  /**
   * Start `command`: the script, or the error that kept it from starting. `onStderrLine` gets
   * each line the script writes to stderr; `onActivity` is called whenever it writes to stdout or
   * stderr (the handler's idle timer).
   */
  static async start(
    command: ScriptCommand,
    onStderrLine: (line: string) => void,
    onActivity: () => void,
  ): Promise<ScriptProcess | Error> {
    const stderrLines = new StderrLines(onStderrLine, onActivity);
    const forked =
      command.forkServer === false
        ? null
        : await forkScript(
            forkRequestOf(command),
            command.user,
            stderrLines,
            command.forkServer === 'python' ? 'python' : 'compiled',
          );
    if (forked instanceof Error) return forked;
    if (forked !== null) return new ScriptProcess({ ...forked, stderr: null }, stderrLines);
    const spawned = await spawnScript(command);
    return spawned instanceof Error ? spawned : new ScriptProcess(spawned, stderrLines);
  }

  private constructor(started: StartedScript, stderrLines: StderrLines) {
    this.pid = started.pid;
    this.stdin = started.stdin;
    this.stdout = started.stdout;
    this.#stderr = started.stderr;
    this.#stderrLines = stderrLines;
    // The script may exit without reading its input: writes then fail with EPIPE, which is no error here.
    this.stdin?.on('error', () => undefined);
    if (started.stderr !== null) {
      started.stderr.on('data', (chunk: Buffer) => stderrLines.write(chunk));
      started.stderr.on('error', () => undefined);
      started.stderr.once('end', () => stderrLines.end());
    }
    this.exited = started.exited.then((exitCode) => {
      this.#end();
      return { exitCode };
    });
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
    this.#stderr?.destroy();
    this.#stderrLines.close();
    if (this.#ended || this.#killTimer !== null) return;
    this.#signalGroup('SIGTERM');
    this.#killTimer = setTimeout(() => this.#signalGroup('SIGKILL'), KILL_GRACE_SECONDS * 1000);
  }

  #signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // the group is gone already
    }
  }

  #end(): void {
    this.#ended = true;
    if (this.#killTimer !== null) {
      // What the script started may still hold the group: finish the kill now.
      clearTimeout(this.#killTimer);
      this.#signalGroup('SIGKILL');
    }
  }
}
