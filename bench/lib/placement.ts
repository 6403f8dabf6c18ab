/**
 * Which CPUs the load generator and the servers may use (BENCH_PIN), applied with taskset.
 */
import type { Pinning } from './config';
import { programVersion } from './machine';

/** CPU numbers for `taskset -c`, or null for "any". */
export interface CpuPlacement {
  readonly load: number | null;
  readonly server: number | null;
  /** Said in the report's header. */
  readonly description: string;
}

/** The placement for `pinning` on a machine with `cores` cores (none when taskset is missing). */
export function cpuPlacement(pinning: Pinning, cores: number): CpuPlacement {
  if (pinning === 'none') return { load: null, server: null, description: 'no CPU pinning' };
  if (cores < 2) return { load: null, server: null, description: 'no CPU pinning (one core)' };
  if (programVersion('taskset', ['--version']) === null) {
    return { load: null, server: null, description: 'no CPU pinning (taskset not found)' };
  }
  if (pinning === 'both') return { load: 0, server: 1, description: 'load generator on CPU 0, servers on CPU 1' };
  return { load: 0, server: null, description: 'load generator on CPU 0, servers on any CPU' };
}
