/**
 * Compile the bench's C programs (load generators) with the system C compiler at bench time.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resultsDir } from './paths';

/**
 * Compile `source` with `cc -O2` into bench/results/bin/`name` and return the executable's path,
 * or null when there is no C compiler (callers then fall back and say so). A compile error throws.
 */
export function compileC(source: string, name: string): string | null {
  const binDir = path.join(resultsDir, 'bin');
  fs.mkdirSync(binDir, { recursive: true });
  const output = path.join(binDir, name);
  const result = spawnSync('cc', ['-O2', '-Wall', '-Wextra', '-o', output, source], { encoding: 'utf8' });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return null;
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`cc failed on ${source}:\n${result.stderr}`);
  return output;
}
