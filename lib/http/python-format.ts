/**
 * Python's string formatting where it shows on the wire or in the log: `%`-templates for the
 * error page and log messages, html.escape, and the log's control-character escaping.
 */
import { pyRepr } from './request-head';

/** Python's `template % {name: value}` for `%(name)s` and `%(name)d` (and `%%`). */
export function formatNamed(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/%\((\w+)\)[sd]|%%/g, (match, name: string | undefined) =>
    name === undefined ? '%' : String(values[name] ?? match),
  );
}

/** Python's repr() of a value: a string quoted, an error as `TimeoutError('timed out')`. */
function pyReprOf(value: unknown): string {
  if (typeof value === 'string') return pyRepr(value);
  if (value instanceof Error) return `${value.name}(${pyRepr(value.message)})`;
  return String(value);
}

/** Python's `format % args` for `%s`, `%d`, `%r` (and `%%`); `%r` is the repr. */
export function formatPositional(format: string, args: readonly unknown[]): string {
  let next = 0;
  return format.replace(/%[sdr%]/g, (spec) => {
    if (spec === '%%') return '%';
    const arg = args[next++];
    if (spec === '%r') return pyReprOf(arg);
    if (spec === '%d') return String(Math.trunc(Number(arg)));
    return String(arg);
  });
}

/** Python's `html.escape(text, quote=False)`: &, < and >. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const LOG_UNSAFE = /[\x00-\x1f\x7f-\x9f\\]/g;

/**
 * Escape what could forge or garble a log line, as Python 3.14's log_message does: C0 and C1
 * control characters become `\xHH` and a backslash is doubled.
 */
export function escapeForLog(message: string): string {
  return message.replace(LOG_UNSAFE, (char) =>
    char === '\\' ? '\\\\' : `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
