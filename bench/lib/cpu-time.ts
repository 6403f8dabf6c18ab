/**
 * CPU time from Linux's /proc: a server's (with its worker and CGI child processes), and the
 * whole machine's. A measurement takes the difference of each over its duration; the machine's
 * minus the server's and the load generator's is other work that competed with it.
 */
import * as fs from 'node:fs';

/** USER_HZ: Linux reports /proc times in 1/100 s on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

interface ProcessTimes {
  readonly parent: number;
  /** utime + stime (all threads) + cutime + cstime (children it has waited for), in ticks. */
  readonly ticks: number;
}

function processTimes(pid: number): ProcessTimes | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after it start at 3: ppid is 4,
    // utime 14, stime 15, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    return { parent: Number(fields[1]), ticks: (utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0) };
  } catch {
    return null;
  }
}

/**
 * CPU seconds process `pid` and its descendants have used so far: its own time, that of the
 * children it has reaped (a CGI script's, once done), and that of its live descendants (nginx's
 * worker, a script still running); null if unknown.
 */
export function processCpuSeconds(pid: number): number | null {
  const root = processTimes(pid);
  if (root === null) return null;
  const children = new Map<number, number[]>();
  const times = new Map<number, ProcessTimes>([[pid, root]]);
  for (const name of fs.readdirSync('/proc')) {
    const other = Number(name);
    if (!Number.isInteger(other) || other === pid) continue;
    const found = processTimes(other);
    if (found === null) continue;
    times.set(other, found);
    children.set(found.parent, [...(children.get(found.parent) ?? []), other]);
  }
  let ticks = 0;
  const pending = [pid];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    ticks += times.get(next)?.ticks ?? 0;
    pending.push(...(children.get(next) ?? []));
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds all processes have spent in user and system mode since boot (interrupt time left
 * out: loopback traffic is partly counted there), or null where /proc/stat is not available.
 */
export function machineCpuSeconds(): number | null {
  try {
    const line = /^cpu\s+(.*)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1];
    if (line === undefined) return null;
    const [user = 0, nice = 0, system = 0] = line.split(/\s+/).map(Number);
    return (user + nice + system) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
