#!/usr/bin/env node
/**
 * The sockserve command, Python's `python -m http.server`: serve a directory over HTTP(S).
 *
 *     npx sockserve [port] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [--tls-cert PATH] …
 *
 * Same options, defaults, errors and startup line as Python 3.14, plus sockserve's own options
 * (docs/cli.md). Ctrl-C or SIGTERM stops it gracefully: no new connections, idle ones closed,
 * responses in flight given GRACE_SECONDS to finish; a second signal stops it at once.
 */
import { pyRepr } from './http/request-head';
import type { Connection } from './socketserver/connection';
import type { RequestHandlerClass } from './socketserver/base-server';
import { ParserExit } from './cli/argparse';
import { commandHandlerClass } from './cli/command-handler';
import { HTTPDualStackServer, HTTPSDualStackServer, bestAddress, type BindAddress } from './cli/dual-stack-server';
import { parseCommandLine, type CommandOptions } from './cli/options';
import { listenForStopSignals } from './cli/signals';

/** Seconds responses in flight may take to finish once the command is asked to stop. */
const GRACE_SECONDS = 2;

/** Errors binding '::' that mean this host has no IPv6: then every IPv4 interface is bound. */
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EPROTONOSUPPORT']);

type CommandServer = HTTPDualStackServer | HTTPSDualStackServer;

/**
 * Run the command with `args` (the words after `sockserve`) until a stop signal; resolves with
 * the exit status: 0 after Ctrl-C or SIGTERM, 2 for a bad command line, 1 if it cannot serve.
 */
export async function main(args: readonly string[]): Promise<number> {
  let options: CommandOptions;
  try {
    options = parseCommandLine(args, process.cwd(), terminalColumns());
  } catch (error) {
    if (!(error instanceof ParserExit)) throw error;
    process.stdout.write(error.stdout);
    process.stderr.write(error.stderr);
    return error.status;
  }
  const server = await startServer(options);
  if (server === null) return 1;

  const [host, port] = server.serverAddress as [string, number];
  const protocol = options.tlsCert === null ? 'HTTP' : 'HTTPS';
  const urlHost = host.includes(':') ? `[${host}]` : host;
  process.stdout.write(
    `Serving ${protocol} on ${host} port ${port} (${protocol.toLowerCase()}://${urlHost}:${port}/) ...\n`,
  );

  const signals = listenForStopSignals(() => server.connections.closeAll());
  const serving = server.serveForever();
  try {
    const signal = await Promise.race([signals.received, serving.then(() => null)]);
    if (signal === 'SIGINT') process.stdout.write('\nKeyboard interrupt received, exiting.\n');
  } finally {
    await server.drain(GRACE_SECONDS);
    signals.dispose();
  }
  await serving;
  return 0;
}

/** Python's terminal width for argparse: $COLUMNS, else the terminal's, else 80. */
function terminalColumns(): number {
  const fromEnvironment = Number(process.env['COLUMNS']);
  if (Number.isInteger(fromEnvironment) && fromEnvironment > 0) return fromEnvironment;
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : 80;
}

/** Resolve the address and bind; on failure print why and resolve with null. */
async function startServer(options: CommandOptions): Promise<CommandServer | null> {
  const Handler = commandHandlerClass(options);
  let address: BindAddress;
  try {
    address = await bestAddress(options.bind);
  } catch (error) {
    process.stderr.write(`sockserve: cannot resolve ${pyRepr(options.bind ?? '')}: ${(error as Error).message}\n`);
    return null;
  }
  try {
    return await listen(options, address, Handler);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (options.bind === null && NO_IPV6.has(code)) {
      return listen(options, { family: 'AF_INET', host: '0.0.0.0' }, Handler).catch(reportStartFailure);
    }
    return reportStartFailure(error);
  }
}

/** Make the server for `options` on `address`, bound and activated (TLS certificate loaded). */
async function listen(
  options: CommandOptions,
  address: BindAddress,
  Handler: RequestHandlerClass<Connection>,
): Promise<CommandServer> {
  const serverAddress: [string, number] = [address.host, options.port];
  const server =
    options.tlsCert === null
      ? new HTTPDualStackServer(serverAddress, Handler, false)
      : new HTTPSDualStackServer(serverAddress, Handler, false, {
          certfile: options.tlsCert,
          keyfile: options.tlsKey,
          password: options.tlsPassword,
        });
  server.addressFamily = address.family;
  try {
    await server.serverBind();
    await server.serverActivate();
  } catch (error) {
    await server.serverClose();
    throw error;
  }
  return server;
}

function reportStartFailure(error: unknown): null {
  process.stderr.write(`sockserve: cannot serve: ${(error as Error).message}\n`);
  return null;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(`sockserve: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
