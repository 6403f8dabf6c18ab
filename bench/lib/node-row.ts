/**
 * A server row that runs on Node: the bench's own servers (compiled TypeScript in servers/),
 * the sockserve command, or a peer's JavaScript. Under BENCH_PROFILE=1 it runs under
 * `node --cpu-prof`, its profile written when it exits after SIGTERM.
 */
import * as path from 'node:path';
import { LISTENING_LINE, type ReadySignal, type ServerRow } from './scenario';

export interface NodeRowOptions {
  readonly id: string;
  readonly label: string;
  readonly shortLabel: string;
  /** The JavaScript file to run. */
  readonly script: string;
  readonly args?: readonly string[];
  /** How it says it listens; `LISTENING <port>` (the bench's own servers) by default. */
  readonly ready?: ReadySignal;
  /** Where profiles go when profiling, else null (BenchContext.profileDir). */
  readonly profileDir: string | null;
  /** Names the profile file, with the row id: `<scenario>-<id>.cpuprofile`. */
  readonly scenarioId: string;
}

/** The row for a Node server described by `options`. */
export function nodeServerRow(options: NodeRowOptions): ServerRow {
  const { id, profileDir, scenarioId } = options;
  const profileFile = profileDir === null ? null : path.join(profileDir, `${scenarioId}-${id}.cpuprofile`);
  const profileArgs =
    profileFile === null
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${path.dirname(profileFile)}`, `--cpu-prof-name=${path.basename(profileFile)}`];
  return {
    id,
    label: options.label,
    shortLabel: options.shortLabel,
    command: { command: process.execPath, args: [...profileArgs, options.script, ...(options.args ?? [])] },
    ready: options.ready ?? LISTENING_LINE,
    profileFile,
  };
}
