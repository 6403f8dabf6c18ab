/**
 * The CGI specs' fixture tree, built in a fresh temporary directory (0755, so scripts switched to
 * `nobody` when the specs run as root can reach it):
 *
 *     index.html, ok.txt ("ok"), secret.txt, sub/page.txt
 *     cgi-bin/
 *       env.py        prints JSON: environment, argv, cwd, uid, stdin length and sha256
 *       say.py        prints the `out` query parameter byte for byte (the specs' scripted output)
 *       cgienv.py     prints JSON: environment, arguments, and the CONTENT_LENGTH bytes of stdin
 *                     (reads no more: under Python's handler stdin is the client's socket)
 *       hello.sh      "Content-Type: text/plain" + "hello" (executable)
 *       plain.py      like hello.sh in Python, mode 0644 (runs through the .py interpreter)
 *       noexec.cgi    mode 0644, no interpreter for .cgi: 403
 *       count.py      prints the byte count and sha256 of stdin, and CONTENT_LENGTH
 *       sleep.sh      writes its pid to $PIDDIR/sleep.<query>, then sleeps for ever
 *       flood.sh      a header block, then 64 MiB of zeros
 *       echo.sh       a header block, then its stdin byte for byte
 *       pid.sh        writes its pid to $PIDDIR/pid.<query> and answers at once
 *       slow.sh       prints its head, then a body line every 150 ms (three of them)
 *       hang.sh       prints its head and part of a body, then sleeps for ever
 *       stderr.sh     writes two lines to stderr and exits 3
 *       parent.sh     prints its parent's pid and what its stdin, stdout and stderr are
 *       peek.sh       prints "readable" or "denied": whether it can read its parent's environment
 *       badshebang.sh #!/nonexistent/interpreter
 *       nph-raw.sh    writes a whole HTTP response itself
 *       loop.sh       redirects internally to itself
 *       .hidden.sh    a dot-file script
 *       sub/deep.sh   a script in a nested directory
 *       out ->  /usr/bin (a symlink out of the tree)
 *     htbin/hello.sh  Python's second CGI directory
 *     pids/           mode 0777: where scripts leave their pids
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The built tree. */
export interface CgiTree {
  readonly root: string;
  /** Where sleep.sh and pid.sh write `<name>.<query>` with their pid. */
  readonly pids: string;
  /** Remove it all. */
  remove(): void;
}

const SCRIPTS: Readonly<Record<string, [mode: number, text: string]>> = {
  'env.py': [
    0o755,
    `#!/usr/bin/env python3
import hashlib, json, os, sys
data = sys.stdin.buffer.read()
print("Content-Type: application/json")
print()
print(json.dumps({"env": dict(os.environ), "argv": sys.argv, "cwd": os.getcwd(), "uid": os.getuid(),
                  "stdin": len(data), "sha256": hashlib.sha256(data).hexdigest()}))
`,
  ],
  'cgienv.py': [
    0o755,
    `#!/usr/bin/env python3
import json, os, sys
length = os.environ.get("CONTENT_LENGTH", "")
data = sys.stdin.buffer.read(int(length)) if length.isdigit() else b""
print("Content-Type: application/json")
print()
print(json.dumps({"env": dict(os.environ), "argv": sys.argv[1:], "stdin": data.decode("latin-1")}))
`,
  ],
  'say.py': [
    0o755,
    `#!/usr/bin/env python3
import os, sys
from urllib.parse import parse_qs
out = parse_qs(os.environ.get("QUERY_STRING", ""), encoding="latin-1").get("out", [""])[0]
sys.stdout.buffer.write(out.encode("latin-1"))
`,
  ],
  'hello.sh': [0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nhello\\n'\n"],
  'peek.sh': [
    0o755,
    "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\n" +
      'if cat /proc/$PPID/environ >/dev/null 2>&1; then echo readable; else echo denied; fi\n',
  ],
  'parent.sh': [
    0o755,
    '#!/bin/sh\nprintf \'Content-Type: text/plain\\n\\n%s %s %s %s\\n\' "$PPID" ' +
      '"$(readlink /proc/$$/fd/0)" "$(readlink /proc/$$/fd/1)" "$(readlink /proc/$$/fd/2)"\n',
  ],
  'plain.py': [0o644, "print('Content-Type: text/plain')\nprint()\nprint('plain python')\n"],
  'noexec.cgi': [0o644, "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nnoexec\\n'\n"],
  'count.py': [
    0o755,
    `#!/usr/bin/env python3
import hashlib, os, sys
digest = hashlib.sha256()
total = 0
while True:
    block = sys.stdin.buffer.read(1 << 20)
    if not block:
        break
    total += len(block)
    digest.update(block)
print("Content-Type: text/plain")
print()
print(total, digest.hexdigest(), repr(os.environ.get("CONTENT_LENGTH")))
`,
  ],
  'sleep.sh': [0o755, '#!/bin/sh\necho $$ > "$PIDDIR/sleep.$1"\nexec sleep 1000\n'],
  'flood.sh': [
    0o755,
    "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\n\\n'\nexec head -c 67108864 /dev/zero\n",
  ],
  'echo.sh': [0o755, "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\n\\n'\nexec cat\n"],
  'pid.sh': [0o755, '#!/bin/sh\necho $$ > "$PIDDIR/pid.$1"\nprintf \'Content-Type: text/plain\\n\\n%s\\n\' $$\n'],
  'slow.sh': [
    0o755,
    "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nfor i in 1 2 3; do sleep 0.15; echo line $i; done\n",
  ],
  'hang.sh': [0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\npartial'\nexec sleep 1000\n"],
  'stderr.sh': [
    0o755,
    "#!/bin/sh\necho 'first problem' >&2\necho 'second problem' >&2\nprintf 'Content-Type: text/plain\\n\\nbad\\n'\nexit 3\n",
  ],
  'badshebang.sh': [0o755, "#!/nonexistent/interpreter\nprint('never')\n"],
  'loop.sh': [0o755, "#!/bin/sh\nprintf 'Location: /cgi-bin/loop.sh\\n\\n'\n"],
  'nph-raw.sh': [0o755, "#!/bin/sh\nprintf 'HTTP/1.0 299 Raw Script\\r\\nX-Raw: yes\\r\\n\\r\\nraw body'\n"],
  '.hidden.sh': [0o755, "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nhidden\\n'\n"],
  'sub/deep.sh': [0o755, '#!/bin/sh\nprintf \'Content-Type: text/plain\\n\\ndeep %s\\n\' "$SCRIPT_NAME|$PATH_INFO"\n'],
};

/** Build the tree in a new temporary directory. */
export function buildCgiTree(): CgiTree {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-cgi-'));
  fs.chmodSync(root, 0o755);
  const write = (relative: string, text: string, mode = 0o644): void => {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(file, text);
    fs.chmodSync(file, mode);
  };
  write('index.html', '<p>index</p>\n');
  write('ok.txt', 'ok');
  write('secret.txt', 'SECRET-CANARY');
  write('sub/page.txt', 'page');
  for (const [name, [mode, text]] of Object.entries(SCRIPTS)) write(`cgi-bin/${name}`, text, mode);
  write('htbin/hello.sh', "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nhtbin\\n'\n", 0o755);
  fs.symlinkSync('/usr/bin', path.join(root, 'cgi-bin', 'out'));
  const pids = path.join(root, 'pids');
  fs.mkdirSync(pids);
  fs.chmodSync(pids, 0o777);
  return { root, pids, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** The source text of cgi-bin/`name` (to prove a response never discloses it). */
export function scriptSource(name: string): string {
  const entry = SCRIPTS[name];
  if (entry === undefined) throw new Error(`no fixture script ${name}`);
  return entry[1];
}

/** The pid a script wrote to `pids/<name>`, or null if the file is not there (yet). */
export function writtenPid(tree: CgiTree, name: string): number | null {
  try {
    const text = fs.readFileSync(path.join(tree.pids, name), 'utf8').trim();
    return text === '' ? null : Number(text);
  } catch {
    return null;
  }
}

/** True while process `pid` exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    return statFields(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The fields of /proc/<pid>/stat after the parenthesised command name: state, ppid, … */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The parent of process `pid`. */
export function parentPid(pid: number): number {
  return Number(statFields(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))[1]);
}

/** A process as /proc shows it. */
interface ProcessEntry {
  pid: number;
  state: string;
  command: string;
}

/** Every process whose parent is `parent`. */
function childrenOf(parent: number): ProcessEntry[] {
  const children: ProcessEntry[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = statFields(stat);
      if (Number(fields[1]) !== parent) continue;
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      children.push({ pid: Number(entry), state: fields[0] ?? '?', command });
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

/** True for one of this process's CGI fork servers (its rendezvous socket is on its command line). */
function isForkServer(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('/sockserve-cgi-');
  } catch {
    return false;
  }
}

/** The pids of this process's CGI fork servers that are running. */
export function forkServers(): number[] {
  return childrenOf(process.pid)
    .filter((child) => isForkServer(child.pid) && child.state !== 'Z')
    .map((child) => child.pid);
}

/**
 * The CGI scripts this process has started and not reaped, with their state letter (R, S, Z …):
 * its children and its fork servers' children, not the fork servers themselves.
 */
export function scriptProcesses(): ProcessEntry[] {
  const scripts: ProcessEntry[] = [];
  for (const child of childrenOf(process.pid)) {
    if (isForkServer(child.pid)) scripts.push(...childrenOf(child.pid));
    else scripts.push(child);
  }
  return scripts;
}

/** The `out` query for say.py: `text` (Latin-1 bytes) percent-encoded. */
export function sayQuery(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'latin1')) encoded += `%${byte.toString(16).padStart(2, '0')}`;
  return `out=${encoded}`;
}
