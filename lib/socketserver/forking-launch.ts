/**
 * How ForkingMixIn starts a worker process: the script it runs (the primary's main module), the
 * Node options it gets (the primary's, plus ts-node when the script is TypeScript), and the
 * environment marker that tells the new process it is a worker and which server it serves.
 */
import * as path from 'node:path';
import type { ServerAddress } from './address';
import type { BoundFields } from './forking-bound-fields';

/** The environment variable that marks a worker process: JSON `{ key, serverAddress, boundFields }`. */
const WORKER_MARKER = 'SOCKSERVE_FORKING_WORKER';

/** What a worker process knows about the server it serves, from its marker. */
export interface WorkerRole {
  /** The `workerKey` of the primary's server: the worker serves the server with the same key. */
  readonly key: string;
  /** The primary's real address (the port it bound), copied into the worker's `serverAddress`. */
  readonly serverAddress: ServerAddress;
  /** What the primary's serverBind() and serverActivate() recorded (see forking-bound-fields.ts). */
  readonly boundFields: Readonly<BoundFields>;
}

const TYPESCRIPT_SCRIPT = /\.[cm]?tsx?$/;
/** Debugger options: every worker would try to open the primary's inspector port. */
const DEBUGGER_OPTION = /^--(?:inspect|inspect-brk|inspect-wait|debug-port|inspect-port)(?:=|$)/;
/** The debugger options that may take their value as the next argument. */
const DEBUGGER_PORT_OPTION = /^--(?:debug-port|inspect-port)$/;

/** The part of ts-node's registered service that says how it compiles. */
interface TsNodeService {
  readonly options?: { readonly transpileOnly?: boolean };
}

/** This process's role, read once at load (null: not a worker). */
const role: WorkerRole | null = readRole();

/**
 * Read the marker and remove it from the environment, so that processes a handler starts (a CGI
 * script, a shell) are not taken for workers. A marker without an IPC channel is ignored: only a
 * primary's fork() opens one.
 */
function readRole(): WorkerRole | null {
  const marker = process.env[WORKER_MARKER];
  if (marker === undefined) return null;
  Reflect.deleteProperty(process.env, WORKER_MARKER);
  if (process.send === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(marker);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { key, serverAddress, boundFields } = parsed as {
    key?: unknown;
    serverAddress?: unknown;
    boundFields?: unknown;
  };
  if (typeof key !== 'string') return null;
  if (typeof boundFields !== 'object' || boundFields === null || Array.isArray(boundFields)) return null;
  const fields = boundFields as BoundFields;
  if (typeof serverAddress === 'string') return { key, serverAddress, boundFields: fields };
  if (Array.isArray(serverAddress) && typeof serverAddress[0] === 'string' && typeof serverAddress[1] === 'number') {
    return { key, serverAddress: [serverAddress[0], serverAddress[1]], boundFields: fields };
  }
  return null;
}

/** This process's worker role, or null in a primary (any process not started by a ForkingMixIn server). */
export function workerRole(): WorkerRole | null {
  return role;
}

/**
 * true in a worker process of a ForkingMixIn server: the process re-runs the primary's script, and
 * code that must run only once (printing a banner, starting other services) can test this first,
 * as Node's `cluster.isPrimary` is tested.
 *
 * @example
 * ```ts
 * if (!isForkingWorker()) console.log(`primary ${process.pid}`);
 * ```
 */
export function isForkingWorker(): boolean {
  return role !== null;
}

/**
 * The environment of a worker of the server with this key, (real) address and bound fields: this
 * process's, plus the marker.
 */
export function workerEnvironment(
  key: string,
  serverAddress: ServerAddress,
  boundFields: Readonly<BoundFields>,
): NodeJS.ProcessEnv {
  return { ...process.env, [WORKER_MARKER]: JSON.stringify({ key, serverAddress, boundFields }) };
}

/** The script this process runs: the CommonJS main module, else argv[1] (an ES module); null for `node -e`. */
export function mainScript(): string | null {
  return require.main?.filename ?? process.argv[1] ?? null;
}

/**
 * The Node options a worker running `script` needs: the primary's own (`npx ts-node` puts its
 * entry point there, `node -r ts-node/register` and tsx their hooks), without debugger options,
 * and, when `script` is TypeScript but ts-node was registered from code (mocha's `require`, a
 * `require('ts-node').register()` call) rather than on the command line, `--require` of
 * ts-node/register (or its transpile-only entry, as the primary's ts-node compiles).
 */
export function workerExecArgv(script: string): string[] {
  const execArgv: string[] = [];
  const inherited = process.execArgv;
  for (let index = 0; index < inherited.length; index += 1) {
    const option = inherited[index] as string;
    if (!DEBUGGER_OPTION.test(option)) execArgv.push(option);
    else if (DEBUGGER_PORT_OPTION.test(option)) index += 1;
  }
  if (!TYPESCRIPT_SCRIPT.test(script) || execArgv.some((option) => option.includes('ts-node'))) return execArgv;
  const service = (process as unknown as Record<symbol, TsNodeService | undefined>)[
    Symbol.for('ts-node.register.instance')
  ];
  if (service === undefined) return execArgv;
  const entry = service.options?.transpileOnly === true ? 'ts-node/register/transpile-only' : 'ts-node/register';
  return [...execArgv, '--require', resolveNear(entry, script)];
}

/** Resolve a package entry from the script's folder (then the working directory), so the worker finds it from any cwd. */
function resolveNear(entry: string, script: string): string {
  try {
    return require.resolve(entry, { paths: [path.dirname(script), process.cwd()] });
  } catch {
    return entry;
  }
}
