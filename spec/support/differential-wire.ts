/**
 * A strict reader of what an HTTP/1.1 server sent on one connection, for the property spec: the
 * bytes must be a sequence of well-formed responses, each framed so a client knows where it ends,
 * optionally followed by one bare HTTP/0.9 body.
 */

/** One well-formed response. */
export interface WireResponse {
  status: number;
  reason: string;
  headers: [string, string][];
  body: Buffer;
}

/** The responses in order, and the bare HTTP/0.9 body after them, if any. */
export interface WireReply {
  responses: WireResponse[];
  bareBody: Buffer | null;
}

const STATUS_LINE = /^HTTP\/1\.1 (\d{3}) ([^\r\n]*)$/;
const FIELD_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+): ([^\x00-\x08\x0a-\x1f\x7f]*)$/;
const CRLF_CRLF = Buffer.from('\r\n\r\n');

/**
 * Read `data` as responses; throw an Error saying what is wrong at which offset otherwise.
 * Every final response other than 204 and 304 must carry a Content-Length (the handlers under
 * test always frame their bodies, and sendError does). Data that does not start with `HTTP/` is
 * the bare body of an HTTP/0.9 response and ends the reply.
 */
export function readWire(data: Buffer): WireReply {
  const responses: WireResponse[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (data.subarray(offset, offset + 5).toString('latin1') !== 'HTTP/') {
      return { responses, bareBody: data.subarray(offset) };
    }
    const headEnd = data.indexOf(CRLF_CRLF, offset);
    if (headEnd === -1) throw new Error(`unterminated response head at offset ${offset}`);
    const [statusLine = '', ...lines] = data.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const status = STATUS_LINE.exec(statusLine);
    if (status === null) throw new Error(`bad status line ${JSON.stringify(statusLine)} at offset ${offset}`);
    const headers = lines.map((line): [string, string] => {
      const field = FIELD_LINE.exec(line);
      if (field === null) throw new Error(`bad header line ${JSON.stringify(line)} at offset ${offset}`);
      return [field[1] as string, field[2] as string];
    });
    const code = Number(status[1]);
    const lengths = headers.filter(([name]) => name.toLowerCase() === 'content-length');
    const bodyStart = headEnd + 4;
    let length = 0;
    if (code >= 200 && code !== 204 && code !== 304) {
      const [only, ...more] = lengths;
      if (only === undefined || more.length > 0 || !/^\d+$/.test(only[1])) {
        throw new Error(`response ${statusLine} has no single Content-Length`);
      }
      length = Number(only[1]);
      if (bodyStart + length > data.length) throw new Error(`response ${statusLine} is cut short`);
    }
    responses.push({
      status: code,
      reason: status[2] as string,
      headers,
      body: data.subarray(bodyStart, bodyStart + length),
    });
    offset = bodyStart + length;
  }
  return { responses, bareBody: null };
}

/** The data with every Date header's value replaced, so two runs compare byte for byte. */
export function withoutDates(data: Buffer): string {
  return data.toString('latin1').replace(/\r\nDate: [^\r\n]*/g, '\r\nDate: <date>');
}
