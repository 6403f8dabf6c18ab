// After the build: every name an entry point exports to require() must also be a named export for
// `import`. The package ships CommonJS only; Node finds an ESM importer's named exports by scanning
// the CommonJS source (cjs-module-lexer), which reads tsc's output. This check fails the build if
// some export form ever escapes that scan, so new exports in lib/ need no list kept by hand.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import process from 'node:process';

const packageRoot = path.join(import.meta.dirname, '..');
const requireFromRoot = createRequire(path.join(packageRoot, 'package.json'));
const manifest = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8'));

/** The file an `exports` entry loads at run time: the `default` condition, or a plain string target. */
function runtimeTarget(entry) {
  return typeof entry === 'string' ? entry : entry.default;
}

const problems = [];
for (const [subpath, entry] of Object.entries(manifest.exports)) {
  const target = runtimeTarget(entry);
  if (!target.endsWith('.js')) continue;
  const file = path.join(packageRoot, target);
  const requiredNames = Object.keys(requireFromRoot(file));
  const importedNamespace = await import(pathToFileURL(file).href);
  const missing = requiredNames.filter((name) => !Object.hasOwn(importedNamespace, name));
  if (missing.length > 0) problems.push(`${subpath} (${target}): ${missing.join(', ')}`);
}

if (problems.length > 0) {
  process.stderr.write(`Exports that ESM importers cannot name:\n  ${problems.join('\n  ')}\n`);
  process.exitCode = 1;
}
