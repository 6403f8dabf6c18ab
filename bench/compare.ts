/**
 * `npm run bench:compare -- <revision> [scenario]`: does this working tree make sockserve cheaper
 * or dearer per request than `<revision>` (a commit, tag or branch)?
 *
 * A change of a few percent is lost in `npm run bench` on a noisy VM, whose slow and fast phases
 * move a server's rate by more than that between runs a minute apart. Here the two builds serve
 * at the same time instead: both servers pinned to CPU 1, each driven by its own wrk on CPU 0
 * with half the bench's connections, so that both see the same phase of the machine. Each round
 * reads each server's CPU time (user + system) over the requests it answered; the ratio of the
 * two is what is compared, round by round, and the median ratio is the answer.
 *
 * Scenarios: `static-1k` (the sockserve command serving a 1 KB file, the default) and
 * `http-hello` (the bench's hello-world BaseHTTPRequestHandler). `<revision>` is built from
 * `git archive` into bench/results/tmp/compare/ with this tree's node_modules. BENCH_RUNS sets
 * the rounds (8 or more is sensible), BENCH_WARMUP and BENCH_DURATION each round's timing.
 * Comparing a revision with itself (`HEAD` on a clean tree) shows the method's own spread.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readConfig } from './lib/config';
import { startServer } from './lib/measure';
import { benchBuildDir, repositoryRoot } from './lib/paths';
import { programVersion } from './lib/machine';
import type { ChildRun } from './lib/processes';
import { LISTENING_LINE, SERVING_LINE, type LoadGenerator, type ServerRow } from './lib/scenario';
import { scratchDir } from './lib/scratch';
import { wrkLoad } from './lib/wrk';

/** Where the load generators run, and where both servers run. */
const LOAD_CPU = 0;
const SERVER_CPU = 1;
/** Connections per server: the two share the bench's usual 50. */
const CONNECTIONS = 25;
/** The file static-1k serves. */
const FILE_CONTENT = Buffer.from(`${'x'.repeat(1023)}\n`);

/** What is served, for a build whose compiled files are under `buildDir`, and the body each GET gets. */
interface CompareScenario {
  readonly path: string;
  readonly body: Buffer;
  row(buildDir: string, label: string, root: string): ServerRow;
}

const SCENARIOS: Readonly<Record<string, CompareScenario>> = {
  'static-1k': {
    path: '/1k.txt',
    body: FILE_CONTENT,
    row: (buildDir, label, root) => ({
      id: label,
      label,
      shortLabel: label,
      command: {
        command: process.execPath,
        args: [path.join(buildDir, 'lib/cli.js'), '-b', '127.0.0.1', '-d', root, '-p', 'HTTP/1.1', '--quiet', '0'],
      },
      ready: SERVING_LINE,
      profileFile: null,
    }),
  },
  'http-hello': {
    path: '/',
    body: Buffer.from('Hello, world!\n'),
    row: (buildDir, label) => ({
      id: label,
      label,
      shortLabel: label,
      command: { command: process.execPath, args: [path.join(buildDir, 'bench/servers/http-sockserve.js')] },
      ready: LISTENING_LINE,
      profileFile: null,
    }),
  },
};

function usage(problem: string): never {
  console.error(`${problem}\nusage: npm run bench:compare -- <revision> [${Object.keys(SCENARIOS).join(' | ')}]`);
  process.exit(2);
}

/**
 * Compile `revision`'s library and bench into `dir`/build; returns that directory. `dir` is inside
 * this repository, so the compiler and the build find this tree's node_modules by walking up.
 */
function buildRevision(revision: string, dir: string): string {
  const archive = path.join(dir, 'source.tar');
  const source = path.join(dir, 'source');
  const build = path.join(dir, 'build');
  fs.mkdirSync(source, { recursive: true });
  const files = ['lib', 'bench', 'tsconfig.json', 'package.json'];
  execFileSync('git', ['archive', '--format=tar', `--output=${archive}`, revision, ...files], { cwd: repositoryRoot });
  execFileSync('tar', ['-xf', archive, '-C', source]);
  const tsc = require.resolve('typescript/bin/tsc', { paths: [repositoryRoot] });
  execFileSync(process.execPath, [tsc, '-p', path.join(source, 'bench/tsconfig.json'), '--outDir', build], {
    stdio: 'inherit',
  });
  return build;
}

/** One measurement of `server` under `load`: its CPU µs per answered request, and the rate. */
async function measure(load: LoadGenerator, server: ChildRun, port: number): Promise<{ micros: number; rate: number }> {
  let cpuAtStart: number | null = null;
  const result = await load.run(port, LOAD_CPU, () => {
    cpuAtStart = server.cpuSeconds();
  });
  const cpuAtEnd = server.cpuSeconds();
  if (cpuAtStart === null || cpuAtEnd === null) throw new Error("cannot read the servers' CPU time (/proc)");
  if (result.count === 0 || result.errors > 0)
    throw server.failure(`${result.count} requests, ${result.errors} errors`);
  return { micros: ((cpuAtEnd - cpuAtStart) * 1e6) / result.count, rate: result.rate };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

async function main(): Promise<void> {
  const [revision, scenarioId = 'static-1k', ...extra] = process.argv.slice(2);
  if (revision === undefined || revision.startsWith('-')) usage('name the revision to compare with');
  const scenario = SCENARIOS[scenarioId];
  if (scenario === undefined || extra.length > 0) usage(`unknown scenario ${JSON.stringify(scenarioId)}`);
  if (os.availableParallelism() < 2 || programVersion('taskset', ['--version']) === null) {
    throw new Error('bench:compare needs two CPUs and taskset (util-linux): servers on CPU 1, wrk on CPU 0');
  }
  const config = readConfig();
  const scratch = scratchDir('compare');
  const root = path.join(scratch, 'www');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, '1k.txt'), FILE_CONTENT);
  console.log(`building ${revision} …`);
  const baseline = scenario.row(buildRevision(revision, path.join(scratch, 'base')), revision, root);
  const current = scenario.row(path.dirname(benchBuildDir), 'this tree', root);
  const load = wrkLoad({
    config,
    connections: CONNECTIONS,
    path: scenario.path,
    pipelineDepth: 1,
    expect: { status: 200, body: scenario.body },
    ratePerRequest: 1,
  });
  const baselineServer = await startServer(baseline, SERVER_CPU);
  const currentServer = await startServer(current, SERVER_CPU);
  console.log(
    `${scenarioId}: both servers on CPU ${SERVER_CPU}, a wrk each on CPU ${LOAD_CPU} (${CONNECTIONS} connections), ` +
      `${config.runs} rounds of ${config.warmupSeconds} s warm-up and ${config.durationSeconds} s measured`,
  );
  const ratios: number[] = [];
  try {
    for (let round = 1; round <= config.runs; round++) {
      const [base, mine] = await Promise.all([
        measure(load, baselineServer.server, baselineServer.port),
        measure(load, currentServer.server, currentServer.port),
      ]);
      const ratio = mine.micros / base.micros;
      ratios.push(ratio);
      console.log(
        `round ${round}: ${revision} ${base.micros.toFixed(1)} µs/request (${Math.round(base.rate)}/s), ` +
          `this tree ${mine.micros.toFixed(1)} µs/request (${Math.round(mine.rate)}/s): ${ratio.toFixed(3)}`,
      );
    }
  } finally {
    await Promise.all([baselineServer.server.stop(), currentServer.server.stop()]);
  }
  const middle = median(ratios);
  const change = (middle - 1) * 100;
  console.log(
    `\nCPU per request, this tree / ${revision}: median ${middle.toFixed(3)} (${Math.min(...ratios).toFixed(3)} to ` +
      `${Math.max(...ratios).toFixed(3)}): ${Math.abs(change).toFixed(1)}% ${change <= 0 ? 'less' : 'more'} CPU per request`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
