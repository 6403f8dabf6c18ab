/**
 * The `sockserve` command line: Python 3.14's `python -m http.server` arguments, in the same order
 * with the same defaults, help texts and checks, then sockserve's own options (long only) in a
 * section of their own.
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pyRepr } from '../http/request-head';
import { ArgumentParser, ArgumentTypeError, pythonInt, type ArgumentType } from './argparse';

/** What the command was asked to do. */
export interface CommandOptions {
  /** The port to bind (0: any free port). */
  port: number;
  /** The address to bind, or null for every interface (dual-stack). */
  bind: string | null;
  /** The served directory, absolute. */
  directory: string;
  /** The handler's protocolVersion ('HTTP/1.0' unless -p). */
  protocol: string;
  /** TLS certificate chain file, or null for plain HTTP. */
  tlsCert: string | null;
  /** TLS key file, or null when the key is in the certificate file. */
  tlsKey: string | null;
  /** The key's password, read from --tls-password-file, or null. */
  tlsPassword: string | null;
  /** Send `Access-Control-Allow-Origin: *`. */
  cors: boolean;
  /** Serve names starting with '.' (false with --no-dotfiles). */
  serveDotfiles: boolean;
  /** Serve /index.html for missing paths without an extension. */
  spa: boolean;
  /** `Cache-Control: max-age=N` seconds, or null for no header. */
  cache: number | null;
  /** Serve .br/.gz siblings to clients that accept them. */
  precompressed: boolean;
  /** Log nothing per request. */
  quiet: boolean;
  /** Serve with CGIHTTPRequestHandler (`--cgi`). */
  cgi: boolean;
  /** `--cgi-max-scripts`: scripts running at once, or null for the handler's default. */
  cgiMaxScripts: number | null;
  /** `--cgi-timeout`: seconds a script may be idle (Infinity for 0), or null for the handler's default. */
  cgiTimeout: number | null;
}

/** The title of the help section with sockserve's own options. */
const EXTRAS = 'sockserve options';

/** A port: Python's int, then 0-65535 (Python fails later with a traceback; this says why). */
const portNumber: ArgumentType = Object.assign(
  (text: string): number => {
    const port = pythonInt(text) as number;
    if (port < 0 || port > 65535) throw new ArgumentTypeError(`port must be 0-65535, got ${port}`);
    return port;
  },
  { typeName: 'int' },
);

/** Whole seconds, 0 or more. */
const seconds: ArgumentType = Object.assign(
  (text: string): number => {
    const value = pythonInt(text) as number;
    if (value < 0) throw new ArgumentTypeError(`must be a number of seconds >= 0, got ${value}`);
    return value;
  },
  { typeName: 'int' },
);

/** A count of 1 or more. */
const positiveCount: ArgumentType = Object.assign(
  (text: string): number => {
    const value = pythonInt(text) as number;
    if (value < 1) throw new ArgumentTypeError(`must be 1 or more, got ${value}`);
    return value;
  },
  { typeName: 'int' },
);

/** The parser, declared as http.server's `__main__` declares it, plus sockserve's options. */
export function commandLineParser(columns: number): ArgumentParser {
  const parser = new ArgumentParser('sockserve', columns);
  parser.addArgument(['--cgi'], { action: 'store_true', help: 'run as CGI server' });
  parser.addArgument(['-b', '--bind'], {
    metavar: 'ADDRESS',
    help: 'bind to this address (default: all interfaces)',
  });
  parser.addArgument(['-d', '--directory'], { help: 'serve this directory (default: current directory)' });
  parser.addArgument(['-p', '--protocol'], {
    metavar: 'VERSION',
    default: 'HTTP/1.0',
    help: 'conform to this HTTP version (default: %(default)s)',
  });
  parser.addArgument(['--tls-cert'], { metavar: 'PATH', help: 'path to the TLS certificate chain file' });
  parser.addArgument(['--tls-key'], { metavar: 'PATH', help: 'path to the TLS key file' });
  parser.addArgument(['--tls-password-file'], {
    metavar: 'PATH',
    help: 'path to the password file for the TLS key',
  });
  parser.addArgumentGroup(EXTRAS);
  parser.addArgument(
    ['--cors'],
    { action: 'store_true', help: 'send Access-Control-Allow-Origin: * with every response' },
    EXTRAS,
  );
  parser.addArgument(
    ['--no-dotfiles'],
    { action: 'store_true', help: 'answer 404 for names starting with a dot (.git, .env) and hide them in listings' },
    EXTRAS,
  );
  parser.addArgument(
    ['--spa'],
    { action: 'store_true', help: 'serve /index.html for missing paths without a file extension (single-page apps)' },
    EXTRAS,
  );
  parser.addArgument(
    ['--cache'],
    {
      metavar: 'SECONDS',
      type: seconds,
      help: 'send Cache-Control: max-age=SECONDS (default: no Cache-Control header)',
    },
    EXTRAS,
  );
  parser.addArgument(
    ['--precompressed'],
    { action: 'store_true', help: 'serve a .br or .gz sibling of a file to clients that accept it' },
    EXTRAS,
  );
  parser.addArgument(['--quiet'], { action: 'store_true', help: 'do not log requests' }, EXTRAS);
  parser.addArgument(
    ['--cgi-max-scripts'],
    {
      metavar: 'N',
      type: positiveCount,
      help: 'with --cgi: run at most N scripts at once; more requests wait (default: twice the CPU count, at least 8)',
    },
    EXTRAS,
  );
  parser.addArgument(
    ['--cgi-timeout'],
    {
      metavar: 'SECONDS',
      type: seconds,
      help: 'with --cgi: kill a script that reads and writes nothing for SECONDS (0: never; default: 60)',
    },
    EXTRAS,
  );
  parser.addArgument(['port'], { default: 8000, type: portNumber, help: 'bind to this port (default: %(default)s)' });
  return parser;
}

/**
 * Parse `args` (the words after `sockserve`) and make Python's checks, in Python's order. Throws
 * ParserExit for `-h` and for every error. `cwd` is the default directory.
 */
export function parseCommandLine(args: readonly string[], cwd: string, columns: number): CommandOptions {
  const parser = commandLineParser(columns);
  const values = parser.parseArgs(args);
  const tlsCert = values['tls_cert'] as string | null;
  const tlsKey = values['tls_key'] as string | null;
  const tlsPasswordFile = values['tls_password_file'] as string | null;
  if (!tlsCert && tlsKey) parser.error('--tls-key requires --tls-cert to be set');
  let tlsPassword: string | null = null;
  if (tlsPasswordFile) {
    if (!tlsCert) parser.error('--tls-password-file requires --tls-cert to be set');
    try {
      tlsPassword = readFileSync(tlsPasswordFile, 'utf8').trim();
    } catch (error) {
      parser.error(`Failed to read TLS password file: ${osErrorText(error as NodeJS.ErrnoException, tlsPasswordFile)}`);
    }
  }
  const cgi = values['cgi'] as boolean;
  const cgiMaxScripts = values['cgi_max_scripts'] as number | null;
  const cgiTimeout = values['cgi_timeout'] as number | null;
  if (!cgi && cgiMaxScripts !== null) parser.error('--cgi-max-scripts requires --cgi to be set');
  if (!cgi && cgiTimeout !== null) parser.error('--cgi-timeout requires --cgi to be set');
  return {
    port: values['port'] as number,
    bind: values['bind'] as string | null,
    directory: path.resolve(cwd, (values['directory'] as string | null) ?? '.'),
    protocol: values['protocol'] as string,
    tlsCert: tlsCert || null,
    tlsKey: tlsKey || null,
    tlsPassword,
    cors: values['cors'] as boolean,
    serveDotfiles: !(values['no_dotfiles'] as boolean),
    spa: values['spa'] as boolean,
    cache: values['cache'] as number | null,
    precompressed: values['precompressed'] as boolean,
    quiet: values['quiet'] as boolean,
    cgi,
    cgiMaxScripts,
    cgiTimeout: cgiTimeout === 0 ? Infinity : cgiTimeout,
  };
}

/** C's strerror() text for the errors reading a file most often meets (libuv words them differently). */
const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
};

/** Python's str() of an OSError about `file`: `[Errno 2] No such file or directory: 'x'`. */
export function osErrorText(error: NodeJS.ErrnoException, file: string): string {
  const code = error.code ?? '';
  const errno = os.constants.errno[code as keyof typeof os.constants.errno] ?? Math.abs(error.errno ?? 0);
  const described = /^\w+: ([^,]+)/.exec(error.message)?.[1] ?? error.message;
  const strerror = STRERROR[code] ?? described.charAt(0).toUpperCase() + described.slice(1);
  return `[Errno ${errno}] ${strerror}: ${pyRepr(file)}`;
}
