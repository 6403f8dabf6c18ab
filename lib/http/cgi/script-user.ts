/**
 * Who CGI scripts run as when the server runs as root: Python switches them to `nobody`
 * (`nobody_uid()`); sockserve does the same, for the group too.
 */
import { readFileSync } from 'node:fs';

/** A user and group id to start a script with. */
export interface ScriptUser {
  readonly uid: number;
  readonly gid: number;
}

const users = new Map<string, ScriptUser>();

/**
 * The ids of `name` from /etc/passwd (read once per name). A name that is not there gets ids one
 * past the highest uid, as Python's nobody_uid() does: a user that owns nothing.
 */
export function scriptUser(name: string): ScriptUser {
  const known = users.get(name);
  if (known !== undefined) return known;
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    // no passwd file: fall through to the unused ids
  }
  let highest = 0;
  let found: ScriptUser | null = null;
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    const uidNumber = Number(uid);
    if (!Number.isInteger(uidNumber)) continue;
    highest = Math.max(highest, uidNumber);
    if (user === name) found = { uid: uidNumber, gid: Number(gid) };
  }
  const user = found ?? { uid: highest + 1, gid: highest + 1 };
  users.set(name, user);
  return user;
}

/** The ids to start scripts with: `name`'s when this process is root, otherwise null (unchanged). */
export function scriptUserFor(name: string | null): ScriptUser | null {
  if (name === null || process.getuid?.() !== 0) return null;
  return scriptUser(name);
}
