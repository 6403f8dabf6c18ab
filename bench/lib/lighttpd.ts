/**
 * lighttpd as a peer, when installed: started in the foreground (-D) with a configuration the
 * bench writes into a scratch directory. Stock settings (keep-alive up to 1000 requests per
 * connection, sendfile, its stat cache), the error log in the scratch directory, no access log
 * (lighttpd has none unless mod_accesslog is loaded). With `cgi`, mod_cgi runs any file under
 * /cgi-bin/ directly (`cgi.assign = ( "" => "" )`: no interpreter in between), as sockserve and
 * Python do with an executable script.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServerRow } from './scenario';
import { findProgram } from './programs';

const LIGHTTPD_CANDIDATES = ['lighttpd', '/usr/sbin/lighttpd'];

/** What lighttpd serves: `root` on 127.0.0.1:`port`, with CGI under /cgi-bin/ or not. */
export interface LighttpdSite {
  readonly root: string;
  readonly port: number;
  readonly scratch: string;
  readonly cgi: boolean;
}

function configuration({ root, port, scratch, cgi }: LighttpdSite): string {
  const lines = [
    `server.document-root = ${JSON.stringify(root)}`,
    'server.bind = "127.0.0.1"',
    `server.port = ${port}`,
    `server.errorlog = ${JSON.stringify(path.join(scratch, 'error.log'))}`,
    'mimetype.assign = ( ".txt" => "text/plain", ".bin" => "application/octet-stream" )',
  ];
  if (cgi) lines.push('server.modules = ( "mod_cgi" )', '$HTTP["url"] =~ "^/cgi-bin/" { cgi.assign = ( "" => "" ) }');
  return `${lines.join('\n')}\n`;
}

/** The lighttpd row for `site`, or null when lighttpd is not installed. */
export function lighttpdRow(site: LighttpdSite): ServerRow | null {
  const lighttpd = findProgram(LIGHTTPD_CANDIDATES, ['-v']);
  if (lighttpd === null) return null;
  const config = path.join(site.scratch, 'lighttpd.conf');
  fs.writeFileSync(config, configuration(site));
  return {
    id: 'lighttpd',
    label: site.cgi ? 'lighttpd mod_cgi' : 'lighttpd',
    shortLabel: 'lighttpd',
    command: { command: lighttpd, args: ['-D', '-f', config] },
    ready: { port: site.port },
    profileFile: null,
  };
}
