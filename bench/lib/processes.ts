/**
 * Child processes of the bench (servers and load generators): spawned with optional CPU pinning,
 * read line by line, and always ended, even when the bench itself fails or is interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { processCpuSeconds } from './cpu-time';

const running = new Set<ChildProcess>();

function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.kill(process.pid, signal); // the default action now: end with the same signal
  });
}

/** How to start a program. */
export interface Command {
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * A running child. Its stdout is read line by line (`nextLine()`), the end of its stderr is kept
 * for error messages (`failure()`), and `stop()` ends it. With `cpu` set it runs under
 * `taskset -c cpu`, which execs the program, so `pid` is the program's own.
 */
export class ChildRun {
  readonly label: string;
  readonly #child: ChildProcess;
  readonly #lines: string[] = [];
  readonly #exited: Promise<void>;
  #done = false;
  #stderrTail = '';
  #wakeReader: (() => void) | null = null;

  constructor(label: string, command: Command, cpu: number | null) {
    this.label = label;
    const [program, args] =
      cpu === null
        ? [command.command, command.args]
        : ['taskset', ['-c', String(cpu), command.command, ...command.args]];
    this.#child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this.#child);
    this.#exited = new Promise<void>((resolve) => {
      const finish = (): void => {
        this.#done = true;
        running.delete(this.#child);
        this.#wakeReader?.();
        resolve();
      };
      this.#child.once('exit', finish);
      this.#child.once('error', (error: Error) => {
        this.#stderrTail += `${error.message}\n`;
        finish();
      });
    });
    this.#child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      this.#stderrTail = (this.#stderrTail + text).slice(-4000);
    });
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      this.#lines.push(line);
      this.#wakeReader?.();
    });
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** The next stdout line, or null once the process has exited or `seconds` have passed. */
  async nextLine(seconds: number): Promise<string | null> {
    const deadline = Date.now() + seconds * 1000;
    while (this.#lines.length === 0 && !this.#done && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#wakeReader = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wakeReader = null;
    }
    return this.#lines.shift() ?? null;
  }

  /** An Error saying what went wrong with this child, followed by the end of its stderr. */
  failure(what: string): Error {
    const detail = this.#stderrTail.trim();
    return new Error(`${this.label}: ${what}${detail === '' ? '' : `\n${detail}`}`);
  }

  /** True once the process has exited (or could not be started). */
  hasExited(): boolean {
    return this.#done;
  }

  /** Resolves once the process has exited. */
  exited(): Promise<void> {
    return this.#exited;
  }

  /** Ask the process to stop (SIGTERM); SIGKILL it if it is still there after `graceSeconds`. */
  async stop(graceSeconds = 5): Promise<void> {
    if (this.#done) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceSeconds * 1000);
    await this.#exited;
    clearTimeout(timer);
  }

  /** CPU seconds (user + system, all threads, its child processes too) used so far, from /proc; null where unavailable. */
  cpuSeconds(): number | null {
    return processCpuSeconds(this.pid);
  }
}
