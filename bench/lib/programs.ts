/**
 * Finding the optional peers (nginx, lighttpd): on PATH, or where Debian installs them.
 */
import { programVersion } from './machine';

/** The first of `candidates` that runs `candidate ...versionArgs` successfully, or null. */
export function findProgram(candidates: readonly string[], versionArgs: readonly string[]): string | null {
  return candidates.find((candidate) => programVersion(candidate, versionArgs) !== null) ?? null;
}
