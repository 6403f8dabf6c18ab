/**
 * Whether npm's install step had a C compiler to build the CGI fork server with
 * (scripts/build-fork-server.mjs uses $CC, else cc): where it had, build/fork-server must exist.
 */
import { spawnSync } from 'node:child_process';

/** True when $CC (or cc) runs. */
export function cCompilerFound(): boolean {
  return spawnSync(process.env['CC'] || 'cc', ['--version']).status === 0;
}
