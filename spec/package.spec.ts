import { expect } from 'chai';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as httpEntrySource from '../lib/http/index';
import * as rootEntrySource from '../lib/index';
import { cCompilerFound } from './support/c-compiler';

/**
 * The package as users get it: `npm pack` (whose prepack builds dist/), the tarball installed into
 * an empty project, then used from CommonJS, from ESM with named imports, and from TypeScript.
 * The pack runs in a copy of the project without dist/, so it proves that prepack builds, and the
 * shared working tree's dist/ is never touched.
 */

const projectRoot = path.resolve(__dirname, '..');
const projectTsc = path.join(projectRoot, 'node_modules', '.bin', 'tsc');
/** Top-level entries of the project that are build output or local state, not sources to pack. */
const notCopiedForPacking = new Set(['node_modules', '.git', 'dist', 'coverage', 'build']);

interface ProcessResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command to completion (killed after 60 s); a non-zero exit is a result, not a rejection. */
function runProcess(file: string, args: readonly string[], cwd: string): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { cwd, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code === 'string') reject(error);
        else resolve({ exitCode: child.exitCode, stdout, stderr });
      },
    );
  });
}

async function runOrFail(file: string, args: readonly string[], cwd: string): Promise<string> {
  const result = await runProcess(file, args, cwd);
  if (result.exitCode !== 0) {
    throw new Error(`${file} ${args.join(' ')} exited ${String(result.exitCode)}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/**
 * The body both JavaScript consumers share; they bring `net`, `ThreadingTCPServer` and
 * `StreamRequestHandler` in their own module style. `echoOnce(line)` serves one line upper-cased.
 */
const echoOnceSource = `
class UpperLineHandler extends StreamRequestHandler {
  async handle() {
    const line = await this.rfile.readline();
    await this.wfile.write(line.toString('utf8').toUpperCase());
  }
}

function exchangeLine([host, port], line) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host, port }, () => socket.write(line));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (reply += chunk));
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
  });
}

async function echoOnce(line) {
  const server = new ThreadingTCPServer(['127.0.0.1', 0], UpperLineHandler);
  await server.ready();
  const serving = server.serveForever();
  try {
    return await exchangeLine(server.serverAddress, line);
  } finally {
    await server.shutdown();
    await serving;
    await server.serverClose();
  }
}
`;

const commonJsConsumer = `'use strict';
const net = require('node:net');
const { ThreadingTCPServer, StreamRequestHandler } = require('sockserve');
${echoOnceSource}
echoOnce('hello from commonjs\\n').then((reply) => {
  const version = require('sockserve/package.json').version;
  const rootExportNames = Object.keys(require('sockserve'));
  const httpExportNames = Object.keys(require('sockserve/http'));
  console.log(JSON.stringify({ reply, version, rootExportNames, httpExportNames }));
});
`;

const esmConsumer = `import { createRequire } from 'node:module';
import * as net from 'node:net';
import { ThreadingTCPServer, StreamRequestHandler } from 'sockserve';
${echoOnceSource}
const require = createRequire(import.meta.url);
const reply = await echoOnce('hello from esm\\n');
const entries = {};
for (const specifier of ['sockserve', 'sockserve/http']) {
  const namespace = await import(specifier);
  const requiredNames = Object.keys(require(specifier));
  entries[specifier] = { requiredNames, missingFromImport: requiredNames.filter((name) => !(name in namespace)) };
}
console.log(JSON.stringify({ reply, entries }));
`;

const typedEsmConsumer = `import { StreamRequestHandler, ThreadingTCPServer, type ServerAddress } from 'sockserve';
import * as httpEntry from 'sockserve/http';

class UpperLineHandler extends StreamRequestHandler {
  protected override async handle(): Promise<void> {
    const line: Buffer = await this.rfile.readline();
    await this.wfile.write(line.toString('utf8').toUpperCase());
  }
}

export async function listenOnce(): Promise<ServerAddress> {
  const server = new ThreadingTCPServer(['127.0.0.1', 0], UpperLineHandler);
  await server.ready();
  const address = server.serverAddress;
  await server.serverClose();
  return address;
}

export const httpExportNames: string[] = Object.keys(httpEntry);
`;

const typedCommonJsConsumer = `import sockserve = require('sockserve');
import httpEntry = require('sockserve/http');

class UpperLineHandler extends sockserve.StreamRequestHandler {
  protected override async handle(): Promise<void> {
    await this.wfile.write((await this.rfile.readline()).toString('utf8').toUpperCase());
  }
}

export function makeServer(): sockserve.TCPServer {
  return new sockserve.TCPServer(['127.0.0.1', 0], UpperLineHandler);
}

export const httpExportNames: string[] = Object.keys(httpEntry);
`;

/** Each line that must not type-check names the error it must get, after `// expect `. */
const wrongConsumer = `import { NoSuchExport, StreamRequestHandler, TCPServer } from 'sockserve'; // expect TS2305

class WrongHandler extends StreamRequestHandler {
  protected override async handle(): Promise<void> {
    await this.wfile.write(42); // expect TS2345
  }
}

export const server = new TCPServer(['127.0.0.1', '8000'], WrongHandler); // expect TS2345
export { NoSuchExport };
`;

const typedConsumerFiles: Record<string, string> = {
  'consumer.mts': typedEsmConsumer,
  'consumer.cts': typedCommonJsConsumer,
  'wrong.mts': wrongConsumer,
};

/** `file(line): TSnnnn` for each error a source's `// expect TSnnnn` comments announce. */
function announcedErrors(file: string, source: string): string[] {
  return source.split('\n').flatMap((line, index) => {
    const announced = /\/\/ expect (TS\d+)$/.exec(line);
    return announced ? [`${file}(${index + 1}): ${announced[1]}`] : [];
  });
}

/** `file(line): TSnnnn` for each error tsc reported. */
function reportedErrors(tscOutput: string): string[] {
  return [...tscOutput.matchAll(/^(\S+)\((\d+),\d+\): error (TS\d+)/gm)].map(
    ([, file, line, code]) => `${file}(${line}): ${code}`,
  );
}

describe('the packed package', function () {
  this.timeout(120_000);

  let tempRoot = '';
  let consumerDir = '';
  let packedFiles: string[] = [];
  after(() => {
    if (tempRoot) fs.rmSync(tempRoot, { recursive: true, force: true });
  });

  before(async () => {
    tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-package-'));
    consumerDir = path.join(tempRoot, 'consumer');
    const sourceCopy = path.join(tempRoot, 'source');
    const tarballDir = path.join(tempRoot, 'tarball');
    fs.cpSync(projectRoot, sourceCopy, {
      recursive: true,
      filter: (source) => !notCopiedForPacking.has(path.relative(projectRoot, source).split(path.sep)[0] ?? ''),
    });
    fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(sourceCopy, 'node_modules'), 'dir');
    fs.mkdirSync(tarballDir);
    const packReport = JSON.parse(
      await runOrFail('npm', ['pack', '--json', '--pack-destination', tarballDir], sourceCopy),
    ) as [{ filename: string; files: { path: string }[] }];
    packedFiles = packReport[0].files.map((file) => file.path);

    fs.mkdirSync(consumerDir);
    fs.writeFileSync(path.join(consumerDir, 'package.json'), '{ "name": "consumer", "private": true }\n');
    const tarball = path.join(tarballDir, packReport[0].filename);
    await runOrFail('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], consumerDir);
  });

  it("holds the built CommonJS and declarations, the fork server's C source and its build script, and no other sources or specs", () => {
    expect(packedFiles).to.include.members([
      'package.json',
      'README.md',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/http/index.js',
      'dist/http/index.d.ts',
    ]);
    expect(packedFiles.filter((file) => !file.startsWith('dist/'))).to.have.members([
      'package.json',
      'README.md',
      'native/fork-server.c',
      'scripts/build-fork-server.mjs',
    ]);
  });

  it('compiles the CGI fork server as it is installed, where a C compiler is found', function () {
    if (!cCompilerFound()) this.skip(); // CGI then uses python3's
    const program = path.join(consumerDir, 'node_modules', 'sockserve', 'build', 'fork-server');
    expect(fs.statSync(program).mode & 0o111, `${program} executable`).to.not.equal(0);
  });

  it('serves a line over a real socket when required from CommonJS', async () => {
    fs.writeFileSync(path.join(consumerDir, 'consumer.js'), commonJsConsumer);
    const output = JSON.parse(await runOrFail(process.execPath, ['consumer.js'], consumerDir)) as Record<
      string,
      unknown
    >;
    const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    expect(output).to.deep.equal({
      reply: 'HELLO FROM COMMONJS\n',
      version: manifest.version,
      rootExportNames: Object.keys(rootEntrySource),
      httpExportNames: Object.keys(httpEntrySource),
    });
  });

  it('serves a line over a real socket when imported from ESM with named imports', async () => {
    fs.writeFileSync(path.join(consumerDir, 'consumer.mjs'), esmConsumer);
    const output = JSON.parse(await runOrFail(process.execPath, ['consumer.mjs'], consumerDir)) as {
      reply: string;
      entries: Record<string, { requiredNames: string[]; missingFromImport: string[] }>;
    };
    expect(output.reply).to.equal('HELLO FROM ESM\n');
    expect(output.entries['sockserve']?.requiredNames).to.include.members(['TCPServer', 'StreamRequestHandler']);
    expect(output.entries['sockserve']?.missingFromImport).to.deep.equal([]);
    expect(output.entries['sockserve/http']?.missingFromImport).to.deep.equal([]);
  });

  for (const [resolution, moduleOptions] of [
    ['module node20', { module: 'node20' }],
    ['moduleResolution bundler', { module: 'preserve', moduleResolution: 'bundler' }],
  ] as const) {
    it(`type-checks TypeScript consumers with ${resolution}, and rejects wrong usage`, async () => {
      for (const [file, source] of Object.entries(typedConsumerFiles))
        fs.writeFileSync(path.join(consumerDir, file), source);
      const tsconfig = {
        compilerOptions: {
          ...moduleOptions,
          target: 'es2023',
          lib: ['es2023'],
          strict: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [path.join(projectRoot, 'node_modules', '@types')],
        },
        files: Object.keys(typedConsumerFiles),
      };
      const tsconfigFile = `tsconfig.${moduleOptions.module}.json`;
      fs.writeFileSync(path.join(consumerDir, tsconfigFile), JSON.stringify(tsconfig));

      const result = await runProcess(projectTsc, ['-p', tsconfigFile], consumerDir);

      expect(result.exitCode, result.stdout).to.equal(2);
      expect(reportedErrors(result.stdout)).to.have.members(announcedErrors('wrong.mts', wrongConsumer));
    });
  }
});
