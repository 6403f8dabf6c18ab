/**
 * Where the bench's files are: sources in bench/, build output and results in bench/results/.
 * The bench runs from its compiled copy (bench/results/build/bench/…), so source files are found
 * from the repository root, found by walking up to sockserve's package.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRepositoryRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (name === 'sockserve') return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no sockserve package.json above ${start}`);
  }
}

/** The repository root (where package.json is). */
export const repositoryRoot = findRepositoryRoot(__dirname);

/** bench/ in the source tree: C and Python sources are run from here. */
export const benchSourceDir = path.join(repositoryRoot, 'bench');

/** bench/results/ (git-ignored): compiled programs, JSON results, CPU profiles. */
export const resultsDir = path.join(benchSourceDir, 'results');

/** The compiled bench (this file's parent): Node servers and load generators run from here. */
export const benchBuildDir = path.resolve(__dirname, '..');

/** The compiled JavaScript for a bench TypeScript file given relative to bench/, e.g. 'servers/echo-net.ts'. */
export function compiledScript(relativeTs: string): string {
  return path.join(benchBuildDir, relativeTs.replace(/\.ts$/, '.js'));
}

/** A file in the bench source tree, e.g. 'servers/echo_server.py'. */
export function benchSource(relative: string): string {
  return path.join(benchSourceDir, relative);
}
