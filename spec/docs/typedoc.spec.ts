/**
 * The generated API reference (`npm run docs`) builds without a warning: typedoc.json treats
 * warnings as errors and asks for a doc comment on every exported member, so an undocumented
 * export or a broken {@link} fails here rather than on a reader's machine.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

describe('docs: the TypeDoc API reference', function () {
  this.timeout(120_000); // TypeDoc builds its own TypeScript program: seconds, more on a loaded machine

  it('builds from typedoc.json with no warning (validation only, nothing written)', () => {
    const typedoc = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');
    const run = spawnSync(process.execPath, [typedoc, '--emit', 'none'], { cwd: ROOT, encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`;
    expect(output, output).to.not.match(/\[(warning|error)\]/);
    expect(run.status, output).to.equal(0);
  });
});
