/**
 * The sockserve command as a child process for the CGI specs: `lib/cli.ts` run with ts-node, its
 * address read from Python's startup line, stopped with SIGTERM.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const PROJECT = path.resolve(__dirname, '..', '..');

/** A running sockserve command. */
export interface RunningCommand {
  readonly address: [string, number];
  /** What it wrote to stderr so far (the access log). */
  stderr(): string;
  /** SIGTERM, and wait for it to exit; resolves with its exit status. */
  stop(): Promise<number | null>;
}

/** Start `sockserve args…` from the repository root; resolves once it prints `Serving HTTP on …`. */
export function startCommand(args: readonly string[], timeoutMs = 30000): Promise<RunningCommand> {
  const child = spawn(
    process.execPath,
    ['-r', require.resolve('ts-node/register'), path.join(PROJECT, 'lib', 'cli.ts'), ...args],
    { cwd: PROJECT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  return new Promise<RunningCommand>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`no startup line within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sockserve exited (${code}) before serving; stderr: ${stderr}`));
    });
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const match = /^Serving HTTP on (\S+) port (\d+) /m.exec(stdout);
      if (match === null) return;
      clearTimeout(timer);
      resolve({ address: [match[1] as string, Number(match[2])], stderr: () => stderr, stop });
    });
  });
}
