/**
 * The syntax of header fields (RFC 9110 §5.1, §5.5): which names are tokens, and which characters
 * no field value may hold. Request heads, responses and CGI scripts' headers are checked with these.
 */

/** One character of an RFC 9110 token, as a pattern to build others from. */
export const TOKEN_CHARACTER = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";

/** A field name: an RFC 9110 token. */
export const TOKEN = new RegExp(`^${TOKEN_CHARACTER}+$`);

/** A control character other than HTAB (CR, LF and NUL among them): no field value may hold one. */
export const CONTROL_CHARACTER = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * What a status line or header sockserve sends may not hold: a control character other than HTAB,
 * or a character beyond Latin-1. One class of what may stand (HTAB, printable ASCII, \x80-\xff)
 * rather than an alternation: it is tested on every header of every response.
 */
export const UNSENDABLE_CHARACTER = /[^\t\x20-\x7e\x80-\xff]/;

/** Names tokenInLowerCase() has found to be tokens, with their lower-case form. */
const checkedNames = new Map<string, string>();
/** Enough for every name an application sends; past it, names are checked each time. */
const CHECKED_NAMES_LIMIT = 1024;

/**
 * `name` in lower case if it is a token (a valid field name), else null. A response sends the same
 * few names again and again, so each is checked once.
 */
export function tokenInLowerCase(name: string): string | null {
  let lower = checkedNames.get(name);
  if (lower !== undefined) return lower;
  if (!TOKEN.test(name)) return null;
  lower = name.toLowerCase();
  if (checkedNames.size < CHECKED_NAMES_LIMIT) checkedNames.set(name, lower);
  return lower;
}
