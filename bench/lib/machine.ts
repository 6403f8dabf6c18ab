/**
 * What the bench ran on, printed above the table and stored with the results.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly kernel: string;
  readonly node: string;
  readonly python: string | null;
  /** The 1-minute load average when the bench started: other work running at the same time. */
  readonly loadAverage: number;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1] !== undefined) return match[1].trim();
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

/** The version line of `program --version`, or null when it is not installed. */
export function programVersion(program: string, args: readonly string[] = ['--version']): string | null {
  const result = spawnSync(program, args, { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return null;
  const firstLine = `${result.stdout}${result.stderr}`.trim().split('\n')[0];
  return firstLine === undefined || firstLine === '' ? null : firstLine;
}

/** Describe this machine. */
export function describeMachine(): Machine {
  return {
    cpuModel: cpuModel(),
    cores: os.availableParallelism(),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    python: programVersion('python3', ['-V']),
    loadAverage: os.loadavg()[0] ?? 0,
  };
}
