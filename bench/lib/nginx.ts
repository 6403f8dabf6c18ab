/**
 * nginx as a static-file peer, when installed (Debian's nginx-light): started in the foreground
 * with a configuration the bench writes into a scratch directory. Stock settings but for what a
 * benchmark of static files needs and the docs say to set: one worker process (sockserve and the
 * Node peers run on one event loop too), sendfile on, the access log off; pid file, error log
 * and temporary directories inside the scratch directory. keepalive_requests stays at its
 * default (1000 requests, then the connection is closed and wrk reconnects).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServerRow } from './scenario';
import { findProgram } from './programs';

const NGINX_CANDIDATES = ['nginx', '/usr/sbin/nginx'];

/** What nginx serves: `root` on 127.0.0.1:`port`; its files go to `scratch`. */
export interface NginxSite {
  readonly root: string;
  readonly port: number;
  readonly scratch: string;
}

function configuration({ root, port, scratch }: NginxSite): string {
  const inScratch = (name: string): string => JSON.stringify(path.join(scratch, name));
  // As root, nginx would run its worker as nobody; run it as the bench's user instead.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${user}worker_processes 1;
daemon off;
pid ${inScratch('nginx.pid')};
error_log ${inScratch('error.log')} warn;
events { worker_connections 1024; }
http {
  types { text/plain txt; application/octet-stream bin; }
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  client_body_temp_path ${inScratch('client_body')};
  proxy_temp_path ${inScratch('proxy')};
  fastcgi_temp_path ${inScratch('fastcgi')};
  uwsgi_temp_path ${inScratch('uwsgi')};
  scgi_temp_path ${inScratch('scgi')};
  server {
    listen 127.0.0.1:${port};
    root ${JSON.stringify(root)};
  }
}
`;
}

/** The nginx row for `site`, or null when nginx is not installed. */
export function nginxRow(site: NginxSite): ServerRow | null {
  const nginx = findProgram(NGINX_CANDIDATES, ['-v']);
  if (nginx === null) return null;
  const config = path.join(site.scratch, 'nginx.conf');
  fs.writeFileSync(config, configuration(site));
  return {
    id: 'nginx',
    label: 'nginx (1 worker, sendfile on, access_log off)',
    shortLabel: 'nginx',
    command: { command: nginx, args: ['-p', site.scratch, '-c', config, '-e', path.join(site.scratch, 'error.log')] },
    ready: { port: site.port },
    profileFile: null,
  };
}
