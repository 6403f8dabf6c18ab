// npm's install step: compile the CGI fork server (native/fork-server.c) into build/fork-server.
// It is optional: with no C compiler, or one that cannot build it here, CGI scripts start through
// the fork server's Python version instead, so this never fails the install. $CC names the compiler.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import process from 'node:process';

const root = path.join(import.meta.dirname, '..');
const source = path.join(root, 'native', 'fork-server.c');
const target = path.join(root, 'build', 'fork-server');
const partial = `${target}.partial`;
const compiler = process.env.CC || 'cc';

if (process.platform === 'win32') process.exit(0);
mkdirSync(path.dirname(target), { recursive: true });
const build = spawnSync(compiler, ['-std=c99', '-O2', '-o', partial, source], { encoding: 'utf8' });
if (build.status === 0) {
  renameSync(partial, target);
} else {
  rmSync(partial, { force: true });
  rmSync(target, { force: true }); // never an older build beside a newer source
  const firstError = build.stderr?.trim().split('\n')[0] || `exit status ${build.status}`;
  const why = build.error ? `${compiler} not found` : `${compiler} failed: ${firstError}`;
  process.stdout.write(`sockserve: the compiled CGI fork server was not built (${why}); CGI uses python3's\n`);
}
