/**
 * CPU time from Linux's /proc: a process's own, and the whole machine's. A measurement takes the
 * difference of each over its duration; the machine's minus the server's and the load
 * generator's is other work that competed with it.
 */
import * as fs from 'node:fs';

/** USER_HZ: Linux reports /proc times in 1/100 s on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, all threads) process `pid` has used so far; null if unknown. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after it start at 3. utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
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
