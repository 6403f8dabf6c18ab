/**
 * Reading the fork server's frames (fork-server-program.ts describes them) out of the chunks its
 * stdout arrives in: a frame may span several chunks, and a chunk may hold many frames.
 */
import { FRAME_HEAD_BYTES } from './fork-server-program';

/** Gathers the fork server's output and hands on each whole frame: its kind, request id and payload. */
export class FrameReader {
  readonly #onFrame: (kind: number, id: number, payload: Buffer) => void;
  /** The start of a frame whose rest has not arrived yet. */
  #partial: Buffer | null = null;

  constructor(onFrame: (kind: number, id: number, payload: Buffer) => void) {
    this.#onFrame = onFrame;
  }

  /** Take the next chunk of output; the payloads handed on are views of it, not copies. */
  push(chunk: Buffer): void {
    const data = this.#partial === null ? chunk : Buffer.concat([this.#partial, chunk]);
    let offset = 0;
    while (data.length - offset >= FRAME_HEAD_BYTES) {
      const end = offset + FRAME_HEAD_BYTES + data.readUInt32BE(offset + 5);
      if (end > data.length) break;
      this.#onFrame(
        data[offset] as number,
        data.readUInt32BE(offset + 1),
        data.subarray(offset + FRAME_HEAD_BYTES, end),
      );
      offset = end;
    }
    this.#partial = offset === data.length ? null : data.subarray(offset);
  }
}
