/**
 * Reading raw HTTP replies for the differential spec, and the normalisations that make Python's
 * and sockserve's replies comparable: Date and Server values (they name the time and the runtime),
 * and, on Python's side only, what Python 3.11 (the local python3) does differently from 3.14 (the
 * reference): the error page template and the reason phrases of 413, 414, 416 and 422.
 */

/** One response on the wire: status line (null for a bare HTTP/0.9 body), headers, body. */
export interface MessageView {
  statusLine: string | null;
  headers: [string, string][];
  /** The body bytes as a latin-1 string, so any byte survives and diffs stay readable. */
  body: string;
}

const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;
const SERVER_VERSION = /^BaseHTTP\/0\.6 (Python|Node)\/\d+\.\d+\.\d+\S*$/;

/** Statuses that answer without a body whatever their headers say. */
function bodiless(status: number, head: boolean): boolean {
  return (status >= 100 && status < 200) || status === 204 || status === 304 || (head && status >= 200);
}

/**
 * Split a reply into its responses. A response's body runs for its Content-Length, is empty for
 * 1xx, 204, 304 and (with `head`) a reply to HEAD, and otherwise runs to the end of the data. A
 * reply that does not start with `HTTP/` is one bare body (HTTP/0.9 style).
 */
export function parseReply(data: Buffer, options: { head?: boolean } = {}): MessageView[] {
  const text = data.toString('latin1');
  const messages: MessageView[] = [];
  let position = 0;
  while (position < text.length) {
    if (!text.startsWith('HTTP/', position)) {
      messages.push({ statusLine: null, headers: [], body: text.slice(position) });
      break;
    }
    const headEnd = text.indexOf('\r\n\r\n', position);
    if (headEnd === -1) {
      messages.push({ statusLine: `(unterminated head) ${text.slice(position)}`, headers: [], body: '' });
      break;
    }
    const [statusLine, ...lines] = text.slice(position, headEnd).split('\r\n');
    const headers = lines.map((line): [string, string] => {
      const colon = line.indexOf(':');
      return colon === -1 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
    const status = Number((statusLine ?? '').split(' ')[1]);
    const lengthHeader = headers.find(([name]) => name.toLowerCase() === 'content-length');
    const bodyStart = headEnd + 4;
    let bodyEnd = text.length;
    if (bodiless(status, options.head === true)) bodyEnd = bodyStart;
    else if (lengthHeader !== undefined) bodyEnd = Math.min(text.length, bodyStart + Number(lengthHeader[1]));
    messages.push({ statusLine: statusLine ?? '', headers, body: text.slice(bodyStart, bodyEnd) });
    position = bodyEnd;
  }
  return messages;
}

/** Replace the values of Date and Server, when they have the expected form, by placeholders. */
export function normaliseVolatileHeaders(message: MessageView): MessageView {
  const headers = message.headers.map(([name, value]): [string, string] => {
    if (name === 'Date' && IMF_FIXDATE.test(value)) return [name, '<IMF-fixdate>'];
    if (name === 'Server' && SERVER_VERSION.test(value)) return [name, 'BaseHTTP/0.6 <runtime>/<version>'];
    return [name, value];
  });
  return { ...message, headers };
}

/** The lines Python 3.14's error page adds after `<meta charset="utf-8">` (its dark-mode style). */
const STYLE_BLOCK_3_14 =
  '        <style type="text/css">\n' +
  '            :root {\n' +
  '                color-scheme: light dark;\n' +
  '            }\n' +
  '        </style>\n';

/** Python 3.11's DEFAULT_ERROR_MESSAGE, filled in: the 3.14 page without STYLE_BLOCK_3_14. */
const ERROR_PAGE_3_11 = new RegExp(
  '^<!DOCTYPE HTML>\\n<html lang="en">\\n    <head>\\n        <meta charset="utf-8">\\n' +
    '        <title>Error response</title>\\n    </head>\\n    <body>\\n        <h1>Error response</h1>\\n' +
    '        <p>Error code: (\\d+)</p>\\n        <p>Message: (.*)\\.</p>\\n' +
    '        <p>Error code explanation: \\d+ - (.*)\\.</p>\\n    </body>\\n</html>\\n$',
  's',
);

/** Python 3.11's phrase and explanation → Python 3.13+'s (RFC 9110 names), for 413, 414, 416, 422. */
const RENAMED_STATUSES: Readonly<Record<number, { old: [string, string]; now: [string, string] }>> = {
  413: { old: ['Request Entity Too Large', 'Entity is too large'], now: ['Content Too Large', 'Content is too large'] },
  414: { old: ['Request-URI Too Long', 'URI is too long'], now: ['URI Too Long', 'URI is too long'] },
  416: {
    old: ['Requested Range Not Satisfiable', 'Cannot satisfy request range'],
    now: ['Range Not Satisfiable', 'Cannot satisfy request range'],
  },
  422: { old: ['Unprocessable Entity', ''], now: ['Unprocessable Content', ''] },
};

function renamed(code: number, text: string, part: 0 | 1): string {
  const entry = RENAMED_STATUSES[code];
  return entry !== undefined && entry.old[part] === text ? entry.now[part] : text;
}

/** The 3.14 error page for what a 3.11 page says. */
function errorPage314(code: number, message: string, explain: string): string {
  return (
    '<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n' +
    STYLE_BLOCK_3_14 +
    '        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n' +
    `        <p>Error code: ${code}</p>\n        <p>Message: ${message}.</p>\n` +
    `        <p>Error code explanation: ${code} - ${explain}.</p>\n    </body>\n</html>\n`
  );
}

/** The Content-Type of Python's error page. */
const ERROR_CONTENT_TYPE = 'text/html;charset=utf-8';

function headerValue(message: MessageView, name: string): string | undefined {
  return message.headers.find(([header]) => header === name)?.[1];
}

function withContentLength(headers: [string, string][], length: number): [string, string][] {
  return headers.map(([name, value]): [string, string] =>
    name === 'Content-Length' ? [name, String(length)] : [name, value],
  );
}

/**
 * Turn what Python 3.11 sent into what Python 3.14 sends, and nothing else: a 3.11 error page
 * becomes the 3.14 page (Content-Length follows), and the old phrases and explanation of 413, 414,
 * 416 and 422 become the new ones in the status line and the page. An error reply to HEAD has no
 * page, so only its Content-Length moves (by the style block and a renamed phrase). A message
 * already in 3.14's form (a newer python3) comes back unchanged.
 */
export function asPython314(message: MessageView, options: { head?: boolean } = {}): MessageView {
  let { statusLine, headers, body } = message;
  const statusMatch = statusLine === null ? null : /^(HTTP\/\d\.\d) (\d{3}) (.*)$/.exec(statusLine);
  if (statusMatch !== null) {
    const [, version, codeText, phrase] = statusMatch as unknown as [string, string, string, string];
    const code = Number(codeText);
    statusLine = `${version} ${code} ${renamed(code, phrase, 0)}`;
    const length = headerValue(message, 'Content-Length');
    const pageLess = options.head === true && body === '' && length !== undefined;
    if (pageLess && headerValue(message, 'Content-Type') === ERROR_CONTENT_TYPE) {
      const growth = STYLE_BLOCK_3_14.length + renamed(code, phrase, 0).length - phrase.length;
      headers = withContentLength(headers, Number(length) + growth);
    }
  }
  const page = ERROR_PAGE_3_11.exec(body);
  if (page !== null) {
    const [, code, pageMessage, explain] = page as unknown as [string, string, string, string];
    body = errorPage314(Number(code), renamed(Number(code), pageMessage, 0), renamed(Number(code), explain, 1));
    headers = withContentLength(headers, body.length);
  }
  return { statusLine, headers, body };
}

/**
 * What Python 3.14 sends for a request-line error that Python 3.11 answered with a bare error
 * page (3.11 still took the request for HTTP/0.9 there): the status line, whose reason is the
 * page's message, and send_error()'s headers, before the same 3.14 page.
 */
export function python314ErrorReply(barePage: MessageView): MessageView {
  const page = asPython314(barePage);
  const fields = /<p>Error code: (\d+)<\/p>\n {8}<p>Message: ([^\n]*)\.<\/p>/.exec(page.body);
  if (fields === null) throw new Error(`not an error page: ${JSON.stringify(page.body)}`);
  const [, code, escapedMessage] = fields as unknown as [string, string, string];
  // The page is UTF-8; the status line is latin-1 (both views here are latin-1 strings of bytes).
  const message = Buffer.from(escapedMessage, 'latin1')
    .toString('utf8')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return {
    statusLine: `HTTP/1.1 ${code} ${message}`,
    headers: [
      ['Server', 'BaseHTTP/0.6 <runtime>/<version>'],
      ['Date', '<IMF-fixdate>'],
      ['Connection', 'close'],
      ['Content-Type', ERROR_CONTENT_TYPE],
      ['Content-Length', String(page.body.length)],
    ],
    body: page.body,
  };
}
