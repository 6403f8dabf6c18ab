/**
 * Python child processes for the differential and client specs: a server script that prints its
 * port, and the version of the local python3.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/** The directory of the Python scripts the specs run. */
export const PYTHON_SCRIPTS = path.join(__dirname, 'python');

/** The local python3's version as [major, minor]. */
export function pythonVersion(): [number, number] {
  const text = execFileSync('python3', ['-c', 'import sys; print(sys.version_info[0], sys.version_info[1])'], {
    encoding: 'utf8',
  });
  const [major, minor] = text.trim().split(' ').map(Number);
  return [major ?? 0, minor ?? 0];
}

/** A Python server running as a child process. */
export interface PythonServer {
  readonly port: number;
  /** What the child wrote to stderr so far (tracebacks of failing handlers end up here). */
  stderr(): string;
  /** Kill the child and wait for it to exit. */
  stop(): Promise<void>;
}

/**
 * Run `python3 -u <script>` from PYTHON_SCRIPTS; resolves once it has printed its port on the
 * first line of stdout, rejects if it exits first or takes longer than `timeoutMs`.
 */
export function startPythonServer(script: string, timeoutMs = 10000): Promise<PythonServer> {
  return startPythonChild(script, [path.join(PYTHON_SCRIPTS, script)], {}, timeoutMs);
}

/**
 * Run `python3 -u ...args` (a script, or `-c` and a program) in `options.cwd`; resolves once it
 * has printed its port on the first line of stdout, rejects if it exits first or takes longer
 * than `timeoutMs`. `label` names it in those errors.
 */
export function startPythonChild(
  label: string,
  args: readonly string[],
  options: { cwd?: string },
  timeoutMs = 10000,
): Promise<PythonServer> {
  const child: ChildProcess = spawn('python3', ['-u', ...args], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  return new Promise<PythonServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${label} printed no port within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code ?? signal}) before printing its port; stderr: ${stderr}`));
    });
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      resolve({ port: Number(stdout.slice(0, newline)), stderr: () => stderr, stop });
    });
  });
}
