/**
 * docs/errors.md lists every error code sockserve raises: each value of ErrorCodes has its own
 * section, the page names no code that does not exist, and each error class (and helper) in
 * lib/errors.ts carries the code and built-in type the page says it does.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as errors from '../lib/errors';
import { ErrorCodes } from '../lib/errors';

const DOC_PATH = path.resolve(__dirname, '..', 'docs', 'errors.md');
const doc = fs.readFileSync(DOC_PATH, 'utf8');
const codes: string[] = Object.values(ErrorCodes);

/** The text of the section headed with `code`, up to the next section. */
function section(code: string): string {
  const start = doc.indexOf(`\n## \`${code}\`\n`);
  if (start === -1) return '';
  const next = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, next === -1 ? undefined : next);
}

type ErrorClass = new (message: string) => Error & { code?: unknown };

/** The exported classes of lib/errors.ts whose instances are Errors. */
function errorClasses(): [string, ErrorClass][] {
  const exported: [string, unknown][] = Object.entries(errors);
  return exported.filter(
    (entry): entry is [string, ErrorClass] =>
      typeof entry[1] === 'function' && (entry[1] as { prototype?: unknown }).prototype instanceof Error,
  );
}

describe('docs/errors.md', () => {
  it('has a section for every ErrorCodes value, with its ErrorCodes key', () => {
    const missing = codes.filter((code) => section(code) === '');
    expect(missing, 'codes without a "## `CODE`" section').to.deep.equal([]);
    for (const [key, code] of Object.entries(ErrorCodes)) {
      expect(doc, `${code} in the summary table`).to.include(`| \`${code}\` | \`${key}\` |`);
    }
  });

  it('names no code that ErrorCodes does not have', () => {
    const named = new Set(doc.match(/SOCKSERVE_ERR_[A-Z0-9_]+/g) ?? []);
    expect([...named].filter((code) => !codes.includes(code))).to.deep.equal([]);
  });

  it('every ErrorCodes value is unique and spelled SOCKSERVE_ERR_<KEY>', () => {
    expect(new Set(codes).size).to.equal(codes.length);
    for (const [key, code] of Object.entries(ErrorCodes)) expect(code).to.equal(`SOCKSERVE_ERR_${key}`);
  });

  it('every error class carries a listed code and is documented in the section of that code', () => {
    const classes = errorClasses();
    expect(classes.map(([name]) => name)).to.include.members(['TimeoutError', 'SocketClosedError', 'ServerStateError']);
    for (const [name, ErrorClass] of classes) {
      const error = new ErrorClass('message');
      expect(error, name).to.be.an.instanceOf(Error);
      expect(error.name, `${name}.name`).to.equal(name);
      expect(codes, `${name}.code`).to.include(error.code);
      expect(section(String(error.code)), `the ${String(error.code)} section names ${name}`).to.include(
        `**Class:** \`${name}\``,
      );
    }
  });

  it('the classes Python code catches carry the codes the page gives them', () => {
    expect(new errors.TimeoutError()).to.include({ code: ErrorCodes.TIMEOUT, message: 'timed out' });
    expect(new errors.SocketClosedError()).to.include({ code: ErrorCodes.SOCKET_CLOSED });
    expect(new errors.ServerStateError('the server is closed')).to.include({ code: ErrorCodes.SERVER_CLOSED });
  });

  it('the helpers for built-in types keep the built-in type and carry the code', () => {
    const typeError = errors.typeError(ErrorCodes.INVALID_ADDRESS, 'bad address');
    expect(typeError).to.be.an.instanceOf(TypeError).and.include({ code: ErrorCodes.INVALID_ADDRESS });
    const rangeError = errors.rangeError(ErrorCodes.INVALID_ARGUMENT, 'bad argument');
    expect(rangeError).to.be.an.instanceOf(RangeError).and.include({ code: ErrorCodes.INVALID_ARGUMENT });
    expect(errors.unsupported('no')).to.be.an.instanceOf(Error).and.include({ code: ErrorCodes.UNSUPPORTED });
    expect(section(ErrorCodes.INVALID_ADDRESS)).to.include('**Class:** `TypeError`');
    expect(section(ErrorCodes.INVALID_ARGUMENT)).to.include('**Class:** `RangeError`');
    expect(section(ErrorCodes.UNSUPPORTED)).to.include('**Class:** `Error`');
  });
});
