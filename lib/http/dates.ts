/**
 * The date strings an HTTP server writes: the `Date` header and the access log's timestamp.
 * Both change once a second, so each is built at most once a second (as nginx does).
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

let httpDateSecond = -1;
let httpDateText = '';
let logDateSecond = -1;
let logDateText = '';

/** An HTTP date (RFC 9110 IMF-fixdate), e.g. `Wed, 25 Nov 2026 22:23:56 GMT`; now if `seconds` is omitted. */
export function httpDate(seconds?: number): string {
  if (seconds !== undefined) return new Date(Math.floor(seconds) * 1000).toUTCString();
  const now = Math.floor(Date.now() / 1000);
  if (now !== httpDateSecond) {
    httpDateSecond = now;
    httpDateText = new Date(now * 1000).toUTCString();
  }
  return httpDateText;
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The access log's local time, Python's `%02d/%3s/%04d %02d:%02d:%02d`, e.g. `24/Nov/2026 18:20:33`. */
export function logDate(): string {
  const now = Math.floor(Date.now() / 1000);
  if (now !== logDateSecond) {
    logDateSecond = now;
    const d = new Date(now * 1000);
    logDateText =
      `${twoDigits(d.getDate())}/${MONTHS[d.getMonth()]}/${String(d.getFullYear()).padStart(4, '0')} ` +
      `${twoDigits(d.getHours())}:${twoDigits(d.getMinutes())}:${twoDigits(d.getSeconds())}`;
  }
  return logDateText;
}
