/**
 * A sample the specs run the way a reader does: `node -r ts-node/register samples/<name>.ts 0`
 * from the repository root (transpile-only: `tsc --noEmit` does the type check), port 0, and the
 * real port read from Python's startup line.
 */
import { expect } from 'chai';
import * as path from 'node:path';
import { ChildProgram } from './child-program';

const ROOT = path.resolve(__dirname, '..', '..');
const CHILD_ENV: NodeJS.ProcessEnv = { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' };
/** Generous: a ts-node start-up can take seconds on a loaded 2-core machine. */
export const SAMPLE_START_MS = 45_000;
/** `Serving HTTP on 127.0.0.1 port N (http://127.0.0.1:N/…) ...`: the port, and the URL's port. */
const STARTUP_LINE = /^Serving HTTP on 127\.0\.0\.1 port (\d+) \(http:\/\/127\.0\.0\.1:(\d+)\/[^)]*\) \.\.\.$/m;

/** One sample running as `node -r ts-node/register samples/<name>.ts 0`. */
export class RunningSample extends ChildProgram {
  readonly name: string;

  constructor(name: string) {
    super(name, process.execPath, ['-r', 'ts-node/register', `samples/${name}.ts`, '0'], {
      cwd: ROOT,
      env: CHILD_ENV,
      limitMs: SAMPLE_START_MS,
    });
    this.name = name;
  }

  /** Wait for the start-up line and return the port it names. */
  async port(): Promise<number> {
    const match = await this.output(STARTUP_LINE);
    expect(match[2], 'the URL names the same port').to.equal(match[1]);
    return Number(match[1]);
  }
}
