/**
 * Response header fields: the check every sent field passes, what a field says about the
 * connection and the body's framing, and HeaderBlock, fields checked and written out once to be
 * queued any number of times with BaseHTTPRequestHandler.sendHeaderBlock().
 */
import { ErrorCodes, typeError } from '../errors';
import { tokenInLowerCase, UNSENDABLE_CHARACTER } from './field-syntax';

/** One field of a block: the name as given, its lower-case form, and the value as sent. */
export interface BlockField {
  /** The name as given. */
  readonly keyword: string;
  /** The name in lower case. */
  readonly name: string;
  /** The value as sent (a number made a string). */
  readonly text: string;
}

/**
 * `keyword` in lower case, when `keyword: text` may be sent: the name is a token and the value
 * holds no control character other than HTAB and nothing past Latin-1. Throws a TypeError (code
 * SOCKSERVE_ERR_INVALID_HEADER) otherwise, so a header can never split a response.
 */
export function sendableFieldName(keyword: string, text: string): string {
  const name = tokenInLowerCase(keyword);
  if (name === null || UNSENDABLE_CHARACTER.test(text)) {
    throw typeError(ErrorCodes.INVALID_HEADER, `refusing header ${JSON.stringify(keyword)}: ${JSON.stringify(text)}`);
  }
  return name;
}

/** True for the fields that give a response body its length: Content-Length, Transfer-Encoding. */
export function framesBody(name: string): boolean {
  return name === 'content-length' || name === 'transfer-encoding';
}

/** What a Connection field's value decides for the connection: 'close', 'keep-alive', or null (neither). */
export function connectionChoice(text: string): 'close' | 'keep-alive' | null {
  const token = text.toLowerCase();
  return token === 'close' || token === 'keep-alive' ? token : null;
}

/**
 * Header fields that a handler sends again and again (a file's Content-type, Content-Length,
 * Last-Modified and ETag; the Server and Date of the current second), checked when the block is
 * made, with their wire form, `Name: value` lines ending in CRLF, made once in one flat string.
 * Queuing a block appends that one string, where sendHeader() for each field checks it, formats
 * it and adds to the head piece by piece, and the head then has to be flattened from the pieces.
 * Throws like sendHeader() for a field that may not be sent.
 *
 * Make one with `new HeaderBlock([[name, value], …])` and queue it with
 * `handler.sendHeaderBlock(block)`. Fields to read: `fields`, `text`, and what they say about the
 * response, `framesBody` and `connection`. A block does not change once made.
 */
export class HeaderBlock {
  /** The fields in order. */
  readonly fields: readonly BlockField[];
  /** The fields as they go on the wire. */
  readonly text: string;
  /** A field gives the body its length (Content-Length or Transfer-Encoding). */
  readonly framesBody: boolean;
  /** What the last Connection field that decides anything decides ('close', 'keep-alive'); null when none does. */
  readonly connection: 'close' | 'keep-alive' | null;

  constructor(fields: Iterable<readonly [string, string | number]>) {
    const checked: BlockField[] = [];
    const lines: string[] = [];
    let framed = false;
    let connection: 'close' | 'keep-alive' | null = null;
    for (const [keyword, value] of fields) {
      const text = String(value);
      const name = sendableFieldName(keyword, text);
      checked.push({ keyword, name, text });
      lines.push(`${keyword}: ${text}\r\n`);
      if (name === 'connection') connection = connectionChoice(text) ?? connection;
      else if (framesBody(name)) framed = true;
    }
    this.fields = checked;
    this.text = lines.join('');
    this.framesBody = framed;
    this.connection = connection;
  }
}
