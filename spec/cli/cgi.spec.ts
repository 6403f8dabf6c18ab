/**
 * `sockserve --cgi` and its options: `--cgi` serves with CGIHTTPRequestHandler (Python's flag),
 * `--cgi-max-scripts N` and `--cgi-timeout SECONDS` set the handler's cap and idle timeout, and
 * reach a running command (a script that never answers gets 504 after the timeout given).
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommandCGIRequestHandler, CommandRequestHandler, commandHandlerClass } from '../../lib/cli/command-handler';
import { parseCommandLine } from '../../lib/cli/options';
import { CGIHTTPRequestHandler } from '../../lib/http/index';
import { cgiGet } from '../support/cgi-server';
import { startCommand } from '../support/cgi-command';
import { WireClient } from '../support/http-wire';

/** A handler of `Handler` that is never run: its fields as the command set them. */
function fieldsOf<T>(Handler: new (request: never, clientAddress: [string, number], server: never) => T): T {
  return new Handler(null as never, ['127.0.0.1', 0], null as never);
}

describe('sockserve --cgi', function () {
  this.timeout(60000);

  describe('options', () => {
    it('reads --cgi, --cgi-max-scripts and --cgi-timeout (0: no timeout)', () => {
      expect(parseCommandLine(['--cgi'], '/srv', 80)).to.deep.include({
        cgi: true,
        cgiMaxScripts: null,
        cgiTimeout: null,
      });
      expect(parseCommandLine(['--cgi', '--cgi-max-scripts', '3', '--cgi-timeout=7'], '/srv', 80)).to.deep.include({
        cgi: true,
        cgiMaxScripts: 3,
        cgiTimeout: 7,
      });
      expect(parseCommandLine(['--cgi', '--cgi-timeout', '0'], '/srv', 80).cgiTimeout).to.equal(Infinity);
    });

    it('serves with CGIHTTPRequestHandler and the given fields only with --cgi', () => {
      const cgi = fieldsOf(
        commandHandlerClass(
          parseCommandLine(['--cgi', '--cgi-max-scripts', '3', '--cgi-timeout', '7', '-d', 'site'], '/srv', 80),
        ),
      );
      expect(cgi).to.be.instanceOf(CommandCGIRequestHandler).and.instanceOf(CGIHTTPRequestHandler);
      expect(cgi).to.deep.include({ directory: '/srv/site', cgiMaxScripts: 3, cgiTimeout: 7, quiet: false });

      const defaults = fieldsOf(commandHandlerClass(parseCommandLine(['--cgi'], '/srv', 80)));
      if (!(defaults instanceof CGIHTTPRequestHandler)) throw new Error('--cgi did not give a CGI handler');
      const plain = fieldsOf(CGIHTTPRequestHandler);
      expect([defaults.cgiMaxScripts, defaults.cgiTimeout]).to.deep.equal([plain.cgiMaxScripts, plain.cgiTimeout]);

      const simple = fieldsOf(commandHandlerClass(parseCommandLine(['--quiet'], '/srv', 80)));
      expect(simple).to.be.instanceOf(CommandRequestHandler).and.not.instanceOf(CGIHTTPRequestHandler);
      expect(simple.quiet).to.equal(true);
    });
  });

  describe('as a process', () => {
    let root = '';
    before(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-cli-cgi-'));
      fs.chmodSync(root, 0o755);
      fs.mkdirSync(path.join(root, 'cgi-bin'), { mode: 0o755 });
      fs.writeFileSync(
        path.join(root, 'cgi-bin', 'hi.sh'),
        "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nhi\\n'\n",
        {
          mode: 0o755,
        },
      );
      fs.writeFileSync(path.join(root, 'cgi-bin', 'stuck.sh'), '#!/bin/sh\nexec sleep 1000\n', { mode: 0o755 });
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it('runs scripts, keeps HTTP/1.1 connections with -p, and applies --cgi-timeout', async () => {
      const command = await startCommand([
        '--cgi',
        '-p',
        'HTTP/1.1',
        '--cgi-timeout',
        '1',
        '-b',
        '127.0.0.1',
        '-d',
        root,
        '0',
      ]);
      try {
        const client = await WireClient.open(command.address);
        client.write('GET /cgi-bin/hi.sh HTTP/1.1\r\nHost: t\r\n\r\nGET /cgi-bin/hi.sh HTTP/1.1\r\nHost: t\r\n\r\n');
        const answers = await client.responses(2, {}, 5000);
        expect(answers.map((hi) => [hi.statusLine, hi.body.toString()])).to.deep.equal([
          ['HTTP/1.1 200 OK', 'hi\n'],
          ['HTTP/1.1 200 OK', 'hi\n'],
        ]);
        client.destroy();
        const started = Date.now();
        const stuck = await cgiGet(command.address, '/cgi-bin/stuck.sh');
        expect(stuck.status).to.equal(504);
        expect(Date.now() - started).to.be.within(900, 5000);
      } finally {
        expect(await command.stop()).to.equal(0);
      }
    });
  });
});
