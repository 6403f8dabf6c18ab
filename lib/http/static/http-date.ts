/**
 * Reading the dates of conditional requests (If-Modified-Since, If-Unmodified-Since, If-Range) in
 * the three forms RFC 9110 §5.6.7 obliges a recipient to accept.
 */

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d\\d):(\\d\\d):(\\d\\d)';
/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d\\d) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** `Sunday, 06-Nov-94 08:49:37 GMT` */
const RFC_850 = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d\\d)-${MONTH}-(\\d\\d) ${TIME} GMT$`,
);
/** `Sun Nov  6 08:49:37 1994` */
const ASCTIME = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/** Milliseconds since the epoch for a valid calendar date and time, else null (31 Feb, 25:00…). */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number): number | null {
  if (hour > 23 || minute > 59 || second > 60) return null;
  const time = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  const check = new Date(time);
  return check.getUTCFullYear() === year && check.getUTCMonth() === month && check.getUTCDate() === day ? time : null;
}

/** RFC 850's two-digit year: the one that is not more than 50 years in the future (RFC 9110 §5.6.7). */
function fullYear(twoDigits: number): number {
  const thisYear = new Date().getUTCFullYear();
  let year = Math.floor(thisYear / 100) * 100 + twoDigits;
  if (year > thisYear + 50) year -= 100;
  return year;
}

/**
 * The time an HTTP-date names, in milliseconds since the epoch, or null when `text` is not one
 * (such a header is ignored, as RFC 9110 §13.1.3 requires). Accepts IMF-fixdate, the obsolete
 * RFC 850 form and asctime's form.
 */
export function parseHttpDate(text: string): number | null {
  const value = text.trim();
  let match = IMF_FIXDATE.exec(value);
  if (match !== null) {
    const [, day, month, year, hour, minute, second] = match as unknown as string[];
    return utc(Number(year), MONTHS[month!]!, Number(day), Number(hour), Number(minute), Number(second));
  }
  match = RFC_850.exec(value);
  if (match !== null) {
    const [, day, month, year, hour, minute, second] = match as unknown as string[];
    return utc(fullYear(Number(year)), MONTHS[month!]!, Number(day), Number(hour), Number(minute), Number(second));
  }
  match = ASCTIME.exec(value);
  if (match !== null) {
    const [, month, day, hour, minute, second, year] = match as unknown as string[];
    return utc(Number(year), MONTHS[month!]!, Number(day!.trim()), Number(hour), Number(minute), Number(second));
  }
  return null;
}
