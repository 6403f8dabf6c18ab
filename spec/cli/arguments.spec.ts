/**
 * The sockserve command line against Python 3.14's `python -m http.server` argparse: defaults, the
 * spellings argparse accepts, the exact usage, help and error texts, and Python's checks after
 * parsing. Most cases call the parser in this process; a few spawn the command to check what
 * reaches stdout and stderr and the exit status. The expected texts are what Python's argparse
 * prints for the same parser (checked against CPython's argparse with the same declarations).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ParserExit } from '../../lib/cli/argparse';
import { parseCommandLine, type CommandOptions } from '../../lib/cli/options';

const PROJECT = path.resolve(__dirname, '..', '..');
const CWD = '/srv/site';

const USAGE = `usage: sockserve [-h] [--cgi] [-b ADDRESS] [-d DIRECTORY] [-p VERSION]
                 [--tls-cert PATH] [--tls-key PATH] [--tls-password-file PATH]
                 [--cors] [--no-dotfiles] [--spa] [--cache SECONDS]
                 [--precompressed] [--quiet] [--cgi-max-scripts N]
                 [--cgi-timeout SECONDS]
                 [port]
`;

const HELP = `${USAGE}
positional arguments:
  port                  bind to this port (default: 8000)

options:
  -h, --help            show this help message and exit
  --cgi                 run as CGI server
  -b, --bind ADDRESS    bind to this address (default: all interfaces)
  -d, --directory DIRECTORY
                        serve this directory (default: current directory)
  -p, --protocol VERSION
                        conform to this HTTP version (default: HTTP/1.0)
  --tls-cert PATH       path to the TLS certificate chain file
  --tls-key PATH        path to the TLS key file
  --tls-password-file PATH
                        path to the password file for the TLS key

sockserve options:
  --cors                send Access-Control-Allow-Origin: * with every
                        response
  --no-dotfiles         answer 404 for names starting with a dot (.git, .env)
                        and hide them in listings
  --spa                 serve /index.html for missing paths without a file
                        extension (single-page apps)
  --cache SECONDS       send Cache-Control: max-age=SECONDS (default: no
                        Cache-Control header)
  --precompressed       serve a .br or .gz sibling of a file to clients that
                        accept it
  --quiet               do not log requests
  --cgi-max-scripts N   with --cgi: run at most N scripts at once; more
                        requests wait (default: twice the CPU count, at least
                        8)
  --cgi-timeout SECONDS
                        with --cgi: kill a script that reads and writes
                        nothing for SECONDS (0: never; default: 60)
`;

const DEFAULTS: CommandOptions = {
  port: 8000,
  bind: null,
  directory: CWD,
  protocol: 'HTTP/1.0',
  tlsCert: null,
  tlsKey: null,
  tlsPassword: null,
  cors: false,
  serveDotfiles: true,
  spa: false,
  cache: null,
  precompressed: false,
  quiet: false,
  cgi: false,
  cgiMaxScripts: null,
  cgiTimeout: null,
};

function parse(...args: string[]): CommandOptions {
  return parseCommandLine(args, CWD, 80);
}

/** The ParserExit that parsing `args` stops with (fails if it parses). */
function exitOf(args: string[], columns = 80): ParserExit {
  try {
    parseCommandLine(args, CWD, columns);
  } catch (error) {
    if (error instanceof ParserExit) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(args)} parsed without an error`);
}

/** The stderr argparse prints for `message`. */
function errorText(message: string): string {
  return `${USAGE}sockserve: error: ${message}\n`;
}

describe('sockserve command line', () => {
  let tempDir = '';
  before(() => {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-cli-args-'));
  });
  after(() => fs.rmSync(tempDir, { recursive: true, force: true }));

  describe('values', () => {
    it("has Python's defaults: port 8000, every interface, the working directory, HTTP/1.0, no TLS", () => {
      expect(parse()).to.deep.equal(DEFAULTS);
    });

    it('reads every option, in every spelling argparse accepts', () => {
      expect(parse('-b', '127.0.0.1', '-d', 'public', '-p', 'HTTP/1.1', '9000')).to.deep.include({
        port: 9000,
        bind: '127.0.0.1',
        directory: `${CWD}/public`,
        protocol: 'HTTP/1.1',
      });
      expect(parse('9000', '--bind=::1', '--directory', '/var/www')).to.deep.include({
        port: 9000,
        bind: '::1',
        directory: '/var/www',
      });
      expect(parse('-b::1', '-d=/tmp', '--proto', 'HTTP/1.1')).to.deep.include({
        bind: '::1',
        directory: '/tmp',
        protocol: 'HTTP/1.1',
      });
      expect(parse('--', '0')).to.deep.include({ port: 0 });
      expect(parse(' 8_080 ')).to.deep.include({ port: 8080 });
    });

    it("reads sockserve's options", () => {
      expect(
        parse('--cors', '--no-dotfiles', '--spa', '--cache', '60', '--precompressed', '--quiet', '--tls-cert', 'c.pem'),
      ).to.deep.equal({
        ...DEFAULTS,
        cors: true,
        serveDotfiles: false,
        spa: true,
        cache: 60,
        precompressed: true,
        quiet: true,
        tlsCert: 'c.pem',
      });
    });

    it('reads the TLS key password from --tls-password-file as UTF-8, stripped', () => {
      const passwordFile = path.join(tempDir, 'password.txt');
      fs.writeFileSync(passwordFile, '  pässwörd \n');
      expect(parse('--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--tls-password-file', passwordFile)).to.deep.include({
        tlsCert: 'c.pem',
        tlsKey: 'k.pem',
        tlsPassword: 'pässwörd',
      });
    });
  });

  describe('help and errors', () => {
    it('prints the help on stdout with status 0 for -h, --help and --he', () => {
      for (const flag of ['-h', '--help', '--he']) {
        const exit = exitOf([flag]);
        expect([exit.status, exit.stdout, exit.stderr]).to.deep.equal([0, HELP, '']);
      }
    });

    it('wraps the usage and help to the terminal width, as argparse does', () => {
      const { stdout } = exitOf(['-h'], 60);
      expect(stdout.split('\n').slice(0, 12)).to.deep.equal([
        'usage: sockserve [-h] [--cgi] [-b ADDRESS] [-d DIRECTORY]',
        '                 [-p VERSION] [--tls-cert PATH]',
        '                 [--tls-key PATH]',
        '                 [--tls-password-file PATH] [--cors]',
        '                 [--no-dotfiles] [--spa] [--cache SECONDS]',
        '                 [--precompressed] [--quiet]',
        '                 [--cgi-max-scripts N]',
        '                 [--cgi-timeout SECONDS]',
        '                 [port]',
        '',
        'positional arguments:',
        '  port                  bind to this port (default: 8000)',
      ]);
    });

    const errors: [string[], string][] = [
      [['x'], "argument port: invalid int value: 'x'"],
      [['8000', '9000'], 'unrecognized arguments: 9000'],
      [['--verbose', '8000'], 'unrecognized arguments: --verbose'],
      [['-b'], 'argument -b/--bind: expected one argument'],
      [['-d', '-x'], 'argument -d/--directory: expected one argument'],
      [['--tls', 'x'], 'ambiguous option: --tls could match --tls-cert, --tls-key, --tls-password-file'],
      [['--cgi=yes'], "argument --cgi: ignored explicit argument 'yes'"],
      [['--tls-key', 'k.pem'], '--tls-key requires --tls-cert to be set'],
      [['--tls-password-file', 'p.txt'], '--tls-password-file requires --tls-cert to be set'],
      [
        ['--tls-cert', 'c.pem', '--tls-password-file', '/nonexistent/p.txt'],
        "Failed to read TLS password file: [Errno 2] No such file or directory: '/nonexistent/p.txt'",
      ],
      [['--cgi-max-scripts', '4'], '--cgi-max-scripts requires --cgi to be set'],
      [['--cgi-timeout', '5'], '--cgi-timeout requires --cgi to be set'],
      [['--cgi', '--cgi-max-scripts', '0'], 'argument --cgi-max-scripts: must be 1 or more, got 0'],
      [['--cgi', '--cgi-timeout', '-1'], 'argument --cgi-timeout: must be a number of seconds >= 0, got -1'],
      [['--cg'], 'ambiguous option: --cg could match --cgi, --cgi-max-scripts, --cgi-timeout'],
      [['--cache', 'soon'], "argument --cache: invalid int value: 'soon'"],
      [['--cache', '-1'], 'argument --cache: must be a number of seconds >= 0, got -1'],
      [['65536'], 'argument port: port must be 0-65535, got 65536'],
    ];
    for (const [args, message] of errors) {
      it(`fails with status 2 for ${args.join(' ')}: ${message}`, () => {
        const exit = exitOf(args);
        expect([exit.status, exit.stdout, exit.stderr]).to.deep.equal([2, '', errorText(message)]);
      });
    }
  });

  describe('as a process', function () {
    this.timeout(60_000);

    interface Finished {
      status: number | null;
      stdout: string;
      stderr: string;
    }
    /** Run `lib/cli.ts args` to completion with ts-node. */
    function run(args: string[]): Promise<Finished> {
      return new Promise((resolve, reject) => {
        const child = execFile(
          process.execPath,
          ['-r', require.resolve('ts-node/register'), path.join(PROJECT, 'lib', 'cli.ts'), ...args],
          {
            cwd: PROJECT,
            env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', COLUMNS: '80' },
            timeout: 50_000,
          },
          (error, stdout, stderr) => {
            if (error && typeof error.code === 'string') reject(error);
            else resolve({ status: child.exitCode, stdout, stderr });
          },
        );
      });
    }

    let runs: Finished[] = [];
    before(async () => {
      runs = await Promise.all([run(['-h']), run(['x']), run(['--tls-key', 'k.pem'])]);
    });

    it('prints -h on stdout and exits 0', () => {
      expect(runs[0]).to.deep.equal({ status: 0, stdout: HELP, stderr: '' });
    });

    it('prints an argument error on stderr and exits 2', () => {
      expect(runs[1]).to.deep.equal({
        status: 2,
        stdout: '',
        stderr: errorText("argument port: invalid int value: 'x'"),
      });
      expect(runs[2]).to.deep.equal({
        status: 2,
        stdout: '',
        stderr: errorText('--tls-key requires --tls-cert to be set'),
      });
    });
  });
});
