/**
 * Scratch space for a scenario (document roots, CGI scripts, nginx and lighttpd configurations):
 * bench/results/tmp/<name>/ (git-ignored), emptied when a scenario asks for it and removed
 * when the bench exits normally.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resultsDir } from './paths';

const scratchRoot = path.join(resultsDir, 'tmp');
const made = new Set<string>();

process.on('exit', () => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** An empty directory bench/results/tmp/`name`/, readable by every user (nginx's workers). */
export function scratchDir(name: string): string {
  const dir = path.join(scratchRoot, name);
  made.add(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}
