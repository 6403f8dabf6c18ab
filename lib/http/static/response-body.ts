/**
 * What SimpleHTTPRequestHandler.sendHead() returns, where Python returns an open file: a body
 * that copyfile() writes to wfile chunk by chunk and the caller closes afterwards.
 */
import type { FileHandle } from 'node:fs/promises';
import { RESOLVED } from '../../socketserver/settle';

/** A response body: its length, its chunks in order, and close() (always called once done). */
export interface ResponseBody {
  /** The number of bytes chunks() yields. */
  readonly length: number;
  /** The bytes, chunk by chunk. */
  chunks(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** Release what the body holds (an open file). Idempotent. */
  close(): Promise<void>;
}

/** A body already in memory: a listing, or a small file read in one go. */
export class BytesBody implements ResponseBody {
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  get length(): number {
    return this.bytes.length;
  }

  chunks(): Iterable<Uint8Array> {
    return this.bytes.length === 0 ? [] : [this.bytes];
  }

  close(): Promise<void> {
    return RESOLVED;
  }
}

/** Bytes read per chunk of a streamed file. */
const CHUNK_BYTES = 256 * 1024;

/**
 * A byte range of an open file, read chunk by chunk as the socket takes them (the next chunk is
 * read while the previous one is being sent). If the file shrinks while it is sent, chunks()
 * throws: the response is cut short, the connection is closed and the server logs the error.
 */
export class FileBody implements ResponseBody {
  readonly #handle: FileHandle;
  readonly #start: number;
  readonly length: number;
  #closed = false;

  /** The `length` bytes of `handle` from `start`; the body owns the handle and closes it. */
  constructor(handle: FileHandle, start: number, length: number) {
    this.#handle = handle;
    this.#start = start;
    this.length = length;
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    let position = this.#start;
    let remaining = this.length;
    let next = remaining > 0 ? this.#read(position, remaining) : null;
    while (next !== null) {
      const chunk = await next;
      if (chunk.length === 0) throw new Error(`file shrank while being sent (${remaining} bytes missing)`);
      position += chunk.length;
      remaining -= chunk.length;
      next = remaining > 0 ? this.#read(position, remaining) : null;
      yield chunk;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
  }

  /** Start reading up to CHUNK_BYTES at `position`; a failure the consumer never awaits stays handled. */
  #read(position: number, remaining: number): Promise<Uint8Array> {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, remaining));
    const reading = this.#handle
      .read(buffer, 0, buffer.length, position)
      .then(({ bytesRead }) => buffer.subarray(0, bytesRead));
    reading.catch(() => undefined);
    return reading;
  }
}
