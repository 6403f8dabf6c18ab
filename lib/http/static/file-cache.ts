/**
 * The small-file cache: the bytes and validators of small files, kept while the files are
 * unchanged, so a hit costs one stat() (shared by the requests of one turn of the event loop,
 * file-access.ts) and no open/read/close.
 *
 * An entry is valid only while a fresh stat of the path shows the same device, inode, size,
 * modification time and change time (nanoseconds). Any write or `utimes` moves the change time,
 * and it cannot be set back, so a rewritten file never matches its old entry, even with its size
 * and mtime restored. File times have a coarse clock tick, so a file changed within the last
 * SETTLE_MS is served but not stored (git's "racily clean" rule): a later write then always lands
 * on a later tick than the entry's. Containment (symlinks leaving the served directory) is
 * checked when an entry is stored; an entry is reused only under the directory it was checked
 * against. Moving the inode or adding a link to it moves its change time too.
 */
import type { BigIntStats } from 'node:fs';
import type { Validators } from './validators';

/**
 * Files up to this size are read in one go and may be cached. A mebibyte: a cached 1 MiB file
 * goes out in one write from memory, 2.5 times the rate of reading it from the page cache in
 * chunks (`BENCH_ONLY=static-1m npm run bench`), and memory stays bounded by CACHE_BYTES.
 */
export const SMALL_FILE_BYTES = 1024 * 1024;
/** The most bytes of file content the cache holds (least recently used entries go first). */
const CACHE_BYTES = 64 * 1024 * 1024;
/** A file whose change time is less than this old (milliseconds) is not cached. */
const SETTLE_MS = 1000;

/** A small file's content and validators. */
export interface CachedFile {
  readonly bytes: Buffer;
  readonly validators: Validators;
}

interface Entry extends CachedFile {
  readonly stat: BigIntStats;
  /** The served directory the file was found inside, or null when symlinks were followed unchecked. */
  readonly confinedTo: string | null;
}

function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.dev === b.dev;
}

/** A least-recently-used map from absolute paths to small files' bytes. */
class FileCache {
  /** Entries from least to most recently used (a Map keeps insertion order). */
  readonly #entries = new Map<string, Entry>();
  /** The most recently used entry, which a hit need not move to the end again. */
  #newest: Entry | null = null;
  #bytes = 0;
  /** Lookups answered from the cache, for specs and benchmarks. */
  hits = 0;

  /**
   * The cached file at `path` if `stat` (taken just now) shows it unchanged, and it was checked
   * against `confinedTo` (null: any entry will do, symlinks are followed).
   */
  lookup(path: string, stat: BigIntStats, confinedTo: string | null): CachedFile | undefined {
    const entry = this.#entries.get(path);
    if (entry === undefined) return undefined;
    if (!sameFile(entry.stat, stat)) {
      this.#delete(path, entry);
      return undefined;
    }
    if (confinedTo !== null && entry.confinedTo !== confinedTo) return undefined;
    if (entry !== this.#newest) {
      this.#entries.delete(path);
      this.#entries.set(path, entry);
      this.#newest = entry;
    }
    this.hits += 1;
    return entry;
  }

  /** Keep `file`, read from `path` whose fstat before the read was `stat`, unless it changed too recently. */
  store(path: string, stat: BigIntStats, confinedTo: string | null, file: CachedFile): void {
    if (file.bytes.length !== Number(stat.size) || Number(stat.ctimeMs) > Date.now() - SETTLE_MS) return;
    const old = this.#entries.get(path);
    if (old !== undefined) this.#delete(path, old);
    const stored = { ...file, stat, confinedTo };
    this.#entries.set(path, stored);
    this.#newest = stored;
    this.#bytes += file.bytes.length;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= CACHE_BYTES) break;
      this.#delete(oldest, entry);
    }
  }

  /** Forget every entry. */
  clear(): void {
    this.#entries.clear();
    this.#newest = null;
    this.#bytes = 0;
  }

  #delete(path: string, entry: Entry): void {
    this.#entries.delete(path);
    if (entry === this.#newest) this.#newest = null;
    this.#bytes -= entry.bytes.length;
  }
}

/** The process-wide cache every SimpleHTTPRequestHandler shares. */
export const fileCache = new FileCache();
