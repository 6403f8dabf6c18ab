/**
 * A program a spec runs as a child process (a sample, the `sockserve` command): its output is
 * collected as it arrives, every wait is bounded, and teardown kills it if it still runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { sleep, within } from './wait';

/** How the program ended, and everything it printed. */
export interface ProgramExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ProgramOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** How long start-up and exit may take (a ts-node start can take seconds on a loaded 2-core machine). */
  limitMs?: number;
}

const DEFAULT_LIMIT_MS = 45_000;

/**
 * A running child process. Read `stdout`/`stderr` at any time; `output(line)` waits for a line,
 * `exit()` for the end, `stop(signal)` sends a signal and waits, `kill()` is for teardown.
 */
export class ChildProgram {
  /** The name used in failure messages. */
  readonly label: string;
  stdout = '';
  stderr = '';
  readonly limitMs: number;
  readonly #child: ChildProcess;
  readonly #exit: Promise<ProgramExit>;
  #exited = false;

  /** Start `command` with `args`, stdin closed. */
  constructor(label: string, command: string, args: readonly string[], options: ProgramOptions = {}) {
    this.label = label;
    this.limitMs = options.limitMs ?? DEFAULT_LIMIT_MS;
    this.#child = spawn(command, args, {
      cwd: options.cwd ?? process.cwd(),
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.#exit = new Promise<ProgramExit>((resolve, reject) => {
      this.#child.once('error', reject);
      this.#child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        this.#exited = true;
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** True once the process has ended. */
  get exited(): boolean {
    return this.#exited;
  }

  /** Wait until stdout matches `line`; returns the match. Fails if the program exits first. */
  async output(line: RegExp): Promise<RegExpExecArray> {
    const giveUp = Date.now() + this.limitMs;
    for (;;) {
      const match = line.exec(this.stdout);
      if (match !== null) return match;
      if (this.#exited) throw new Error(`${this.label} exited before printing ${line}:\n${this.stderr}`);
      if (Date.now() > giveUp) throw new Error(`${this.label} printed no ${line} within ${this.limitMs} ms`);
      await sleep(20);
    }
  }

  /** Resolves with how the process ended. */
  exit(): Promise<ProgramExit> {
    return within(this.#exit, this.limitMs, `${this.label} did not exit`);
  }

  /** Send `signal` and resolve with how the process ended. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<ProgramExit> {
    this.#child.kill(signal);
    return this.exit();
  }

  /** Teardown: kill the process if it still runs, and wait for it. */
  async kill(): Promise<void> {
    if (this.#exited) return;
    this.#child.kill('SIGKILL');
    await this.#exit.catch(() => undefined);
  }
}
