/**
 * Reading a directory for a listing: the entries in Python's order (directory order, then a
 * stable sort by lower-cased name), each with what the listing shows about it.
 */
import type { Dirent, OpenDirOptions } from 'node:fs';
import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { isInside } from './file-access';

/** One entry of a listing. */
export interface DirectoryEntry {
  /** The file name. */
  readonly name: string;
  /** A directory, or a symlink to one (Python's os.path.isdir). */
  readonly isDirectory: boolean;
  /** A symbolic link (Python's os.path.islink). */
  readonly isSymlink: boolean;
  /**
   * Size in bytes: of the target, for a symlink; of the link itself when it is broken or, in a
   * confined listing, when it leads out of the served directory.
   */
  readonly size: number;
  /** Modification time in milliseconds since the epoch. */
  readonly mtimeMs: number;
}

/** How many stat() calls a listing keeps in flight. */
const STAT_CONCURRENCY = 32;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Names as raw bytes (Node accepts encoding 'buffer' here; @types/node 20 does not list it). */
const BUFFER_NAMES = { encoding: 'buffer', bufferSize: 256 } as unknown as OpenDirOptions;

/** Compare by Unicode code points, as Python compares str (JS's `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** `names` sorted as Python's `list.sort(key=lambda a: a.lower())` sorts them (stable). */
export function sortLikePython<T>(items: T[], nameOf: (item: T) => string): T[] {
  const keyed = items.map((item) => ({ item, key: nameOf(item).toLowerCase() }));
  keyed.sort((a, b) => compareCodePoints(a.key, b.key));
  return keyed.map(({ item }) => item);
}

/** True when the symlink `full` resolves inside `realRoot` (a real path); false if it leads out or nowhere. */
async function leadsInside(full: string, realRoot: string): Promise<boolean> {
  try {
    return isInside(realRoot, await realpath(full));
  } catch {
    return false;
  }
}

async function describe(
  directory: string,
  dirent: Dirent<Buffer>,
  name: string,
  realRoot: string | null,
): Promise<DirectoryEntry> {
  const full = path.join(directory, name);
  const isSymlink = dirent.isSymbolicLink();
  try {
    const info = await stat(full);
    const isDirectory = info.isDirectory();
    if (isSymlink && realRoot !== null && !(await leadsInside(full, realRoot))) {
      // Served as 404: show the link's own size and time, nothing of what lies outside.
      const link = await lstat(full);
      return { name, isDirectory, isSymlink, size: link.size, mtimeMs: link.mtimeMs };
    }
    return { name, isDirectory, isSymlink, size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    // A broken symlink, or an entry that vanished: describe what is left of it, if anything.
    const info = await lstat(full).catch(() => null);
    return { name, isDirectory: false, isSymlink, size: info?.size ?? 0, mtimeMs: info?.mtimeMs ?? 0 };
  }
}

/**
 * The entries of `directory`, sorted as Python sorts them, or null if it cannot be read. Names
 * that are not valid UTF-8 are left out (no request path can name them), and so are names
 * `hide` returns true for. With `confinedTo` (the served directory), a symlink that leads out of
 * it is described by the link itself, so a listing reveals nothing about files it will not serve.
 */
export async function readDirectory(
  directory: string,
  hide: (name: string) => boolean,
  confinedTo: string | null = null,
): Promise<DirectoryEntry[] | null> {
  let realRoot: string | null = null;
  if (confinedTo !== null) {
    try {
      realRoot = await realpath(confinedTo);
    } catch {
      return null;
    }
  }
  const found: { dirent: Dirent<Buffer>; name: string }[] = [];
  try {
    const handle = await opendir(directory, BUFFER_NAMES);
    for await (const entry of handle) {
      // With encoding 'buffer' the names are Buffers; @types/node still types them as strings.
      const dirent = entry as unknown as Dirent<Buffer>;
      let name: string;
      try {
        name = STRICT_UTF8.decode(dirent.name);
      } catch {
        continue;
      }
      if (!hide(name)) found.push({ dirent, name });
    }
  } catch {
    return null;
  }
  const entries: DirectoryEntry[] = [];
  for (let start = 0; start < found.length; start += STAT_CONCURRENCY) {
    const batch = found.slice(start, start + STAT_CONCURRENCY);
    entries.push(...(await Promise.all(batch.map(({ dirent, name }) => describe(directory, dirent, name, realRoot)))));
  }
  return sortLikePython(entries, (entry) => entry.name);
}
