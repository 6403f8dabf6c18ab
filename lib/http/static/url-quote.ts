/**
 * Python's `urllib.parse.quote(text, safe='/')`: the hrefs of a directory listing and the path of
 * a redirect are percent-encoded exactly as Python encodes them.
 */

/** Characters quote() leaves alone: letters, digits, `_.-~` and the `/` of `safe='/'`. */
const UNRESERVED = /[^A-Za-z0-9_.\-~/]/gu;

function percentEncode(char: string): string {
  let encoded = '';
  for (const byte of Buffer.from(char, 'utf8')) encoded += `%${byte < 16 ? '0' : ''}${byte.toString(16).toUpperCase()}`;
  return encoded;
}

/** Percent-encode the UTF-8 bytes of every character but `A-Z a-z 0-9 _ . - ~ /`. */
export function quote(text: string): string {
  return text.replace(UNRESERVED, percentEncode);
}

/** Python's `html.escape(text)` with `quote=True`: `&`, `<`, `>`, `"` and `'`, for attribute values. */
export function escapeAttribute(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');
}
