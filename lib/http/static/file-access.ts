/**
 * File system access for the static handler: stat a path, check that what it names lies inside
 * the served directory (by path components, on the real path, after the file is open), and open
 * regular files — small ones read in one go and cached, large ones left open to be streamed.
 */
import * as fs from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { lstat, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { fileCache, SMALL_FILE_BYTES } from './file-cache';
import { validatorsOf, type Validators } from './validators';

/** Opening never blocks on a FIFO or a device; only regular files are served. */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/** Errors that mean "there is no such file to serve" (Python answers them all with 404). */
const NOT_FOUND_CODES = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ELOOP', 'ENAMETOOLONG', 'EISDIR', 'ENXIO']);

/** True when `error` is a file-system error that answers 404. */
export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NOT_FOUND_CODES.has(code);
}

/**
 * The stats taken during this turn of the event loop, by path. Requests read in the same turn are
 * answered in it and their responses leave together at its end (connection.ts), so they may all
 * see a file as it was at one moment of the turn: under load, fifty requests for one file then
 * cost one stat instead of fifty. The map is emptied when the turn ends, so every request read in
 * a later turn sees any change made before that turn began. (lighttpd keeps stats for a second.)
 */
const statsThisTurn = new Map<string, BigIntStats | null>();

function forgetStatsOfThisTurn(): void {
  statsThisTurn.clear();
}

/**
 * stat() `target` (following symlinks), or null if it cannot be; taken at most once per turn of
 * the event loop. Synchronous on purpose: a stat answers from the kernel's inode cache in
 * microseconds, and it is the only system call a cached small file costs.
 */
export function statPath(target: string): BigIntStats | null {
  const known = statsThisTurn.get(target);
  if (known !== undefined) return known;
  let stat: BigIntStats | null;
  try {
    stat = fs.statSync(target, { bigint: true, throwIfNoEntry: false }) ?? null;
  } catch {
    stat = null;
  }
  if (statsThisTurn.size === 0) setImmediate(forgetStatsOfThisTurn);
  statsThisTurn.set(target, stat);
  return stat;
}

/** True when `candidate` is `root` or below it, compared by whole path components. */
export function isInside(root: string, candidate: string): boolean {
  if (candidate === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return candidate.startsWith(prefix);
}

/**
 * True when `target`'s real path (symlinks resolved) lies inside `directory`'s real path.
 * Synchronous for the reason statPath() is: realpath(3) is an lstat per component, answered from
 * the kernel's caches in microseconds, where the thread-pool round trip of the promise version
 * costs five times more.
 */
export function isConfined(target: string, directory: string): boolean {
  try {
    return isInside(fs.realpathSync.native(directory), fs.realpathSync.native(target));
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Where the open file `handle` is, as the kernel names it (Linux), or null where it cannot tell. */
async function openedPath(handle: FileHandle): Promise<string | null> {
  if (process.platform !== 'linux') return null;
  try {
    return await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return null;
  }
}

/**
 * True when the file open as `handle` (fstat `opened`), opened through `target`, lies inside
 * `directory`. Checked after the open, on the open file itself, so swapping `target` for a
 * symlink around the open cannot smuggle out another file: Linux names the open file's path;
 * elsewhere `target`'s real path must be inside and still be that same file (lstat, no symlink).
 */
async function isOpenedInside(
  handle: FileHandle,
  target: string,
  directory: string,
  opened: BigIntStats,
): Promise<boolean> {
  try {
    const realRoot = await realpath(directory);
    const where = await openedPath(handle);
    if (where !== null) return isInside(realRoot, where);
    const realTarget = await realpath(target);
    if (!isInside(realRoot, realTarget)) return false;
    const found = await lstat(realTarget, { bigint: true });
    return found.dev === opened.dev && found.ino === opened.ino;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** A regular file ready to be served: its validators, and its bytes or its open handle. */
export interface OpenedFile {
  readonly size: number;
  readonly validators: Validators;
  /** The whole content (a small file), or null when `handle` is open to stream it. */
  readonly bytes: Buffer | null;
  /** The open file (a large one); the caller closes it. */
  readonly handle: FileHandle | null;
}

async function readSmall(handle: FileHandle, size: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === size ? buffer : buffer.subarray(0, filled);
}

/**
 * The cached copy of `target` if `pathStat` (a stat taken just now) shows it unchanged, without
 * touching the file; undefined otherwise. Most requests for small files end here, with no promise.
 */
export function cachedFile(target: string, pathStat: BigIntStats, confinedTo: string | null): OpenedFile | undefined {
  const cached = fileCache.lookup(target, pathStat, confinedTo);
  if (cached === undefined) return undefined;
  return { size: cached.bytes.length, validators: cached.validators, bytes: cached.bytes, handle: null };
}

/** The cached copy of `target` if `pathStat` (taken just now) shows it unchanged, else openFromDisk(). */
export async function openFile(
  target: string,
  pathStat: BigIntStats,
  confinedTo: string | null,
): Promise<OpenedFile | null> {
  return cachedFile(target, pathStat, confinedTo) ?? (await openFromDisk(target, confinedTo));
}

/**
 * Open the regular file at `target` for serving, or resolve null (missing, unreadable, not a
 * regular file, or — when `confinedTo` is a directory — outside it once symlinks are resolved). A
 * small file is read whole and cached. Callers try cachedFile() first; `target` must be absolute.
 */
export async function openFromDisk(target: string, confinedTo: string | null): Promise<OpenedFile | null> {
  let handle: FileHandle;
  try {
    handle = await open(target, OPEN_FLAGS);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
  try {
    const stat = await handle.stat({ bigint: true });
    if (!stat.isFile() || (confinedTo !== null && !(await isOpenedInside(handle, target, confinedTo, stat)))) {
      await handle.close();
      return null;
    }
    const validators = validatorsOf(stat);
    const size = Number(stat.size);
    if (size > SMALL_FILE_BYTES) return { size, validators, bytes: null, handle };
    const bytes = await readSmall(handle, size);
    await handle.close();
    fileCache.store(target, stat, confinedTo, { bytes, validators });
    return { size: bytes.length, validators, bytes, handle: null };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}
