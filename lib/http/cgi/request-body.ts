/**
 * What a script is told about the request body, and what it is given of it before the rest
 * streams: a Content-Length body is announced by its length and streamed whole; a chunked body is
 * read ahead up to CHUNKED_READ_AHEAD bytes, so a small one gets its real CONTENT_LENGTH (RFC 3875
 * §4.1.2) and a large one streams without any (the script reads stdin to its end).
 */
import type { BodyReader } from '../body-reader';
import type { HTTPMessage } from '../http-message';

/** Bytes of a chunked body read before the script starts, to learn its length if it is small. */
export const CHUNKED_READ_AHEAD = 65536;

/** The body as the script will see it. */
export interface ScriptInput {
  /** CONTENT_LENGTH: the body's length, or null when the request has none or it is not known yet. */
  readonly contentLength: number | null;
  /** Bytes to feed stdin before the rest of `rfile`, or null; the whole feed is null without a body. */
  readonly feed: { readonly initial: Buffer | null } | null;
}

const NO_BODY: ScriptInput = { contentLength: null, feed: null };

/**
 * Look at the body `rfile` holds (headers as received). Reads ahead only for a chunked body; a
 * failing read (timeout, broken chunk) rejects with the reader's error.
 */
export async function readRequestBody(rfile: BodyReader, headers: HTTPMessage): Promise<ScriptInput> {
  const declared = headers.get('Content-Length');
  if (declared !== undefined) {
    const length = Number(declared);
    return { contentLength: length, feed: length > 0 ? { initial: null } : null };
  }
  if (rfile.complete) return NO_BODY;
  const parts: Buffer[] = [];
  let total = 0;
  while (!rfile.complete && total < CHUNKED_READ_AHEAD) {
    const part = await rfile.read1(CHUNKED_READ_AHEAD - total);
    if (part.length === 0) break;
    parts.push(part);
    total += part.length;
  }
  const initial = Buffer.concat(parts, total);
  return { contentLength: rfile.complete ? total : null, feed: { initial } };
}
