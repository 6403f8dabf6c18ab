/**
 * The usage line and the `--help` text, laid out as Python 3.14's argparse.HelpFormatter lays
 * them out (without colour): the same wrapping of the usage, the same columns, the same line
 * breaks in the help texts (Python's textwrap).
 */

/** What the help shows of an argument. */
export interface HelpAction {
  /** `['-b', '--bind']`; empty for a positional. */
  readonly optionStrings: readonly string[];
  /** True for an option that takes a value (shown as `-b ADDRESS`). */
  readonly takesValue: boolean;
  /** The value's name, or the positional's name. */
  readonly metavar: string;
  /** The help text, `%(default)s` already replaced. */
  readonly help: string;
}

/** A titled section of the help. */
export interface HelpSection {
  readonly title: string;
  readonly actions: readonly HelpAction[];
}

const INDENT = 2;
const MAX_HELP_POSITION = 24;

/** `usage: prog [-h] …` and a newline, wrapped to `width` as argparse wraps it. */
export function formatUsage(prog: string, actions: readonly HelpAction[], width: number): string {
  return `${usageText(prog, actions, width)}\n`;
}

/** The full help: usage, then each non-empty section with its arguments in two columns. */
export function formatHelp(
  prog: string,
  actions: readonly HelpAction[],
  sections: readonly HelpSection[],
  width: number,
): string {
  const maxHelpPosition = Math.min(MAX_HELP_POSITION, Math.max(width - 20, INDENT * 2));
  const longestInvocation = Math.max(0, ...actions.map((action) => invocation(action).length + INDENT));
  const helpPosition = Math.min(longestInvocation + 2, maxHelpPosition);
  const blocks = [usageText(prog, actions, width)];
  for (const section of sections) {
    if (section.actions.length === 0) continue;
    const items = section.actions.map((action) => formatAction(action, helpPosition, width)).join('');
    blocks.push(`${section.title}:\n${items.replace(/\n$/, '')}`);
  }
  return `${blocks.join('\n\n')}\n`;
}

/** How the usage shows one argument: `[-h]`, `[-b ADDRESS]`, `[port]`. */
function usagePart(action: HelpAction): string {
  if (action.optionStrings.length === 0) return `[${action.metavar}]`;
  const option = action.optionStrings[0] as string;
  return action.takesValue ? `[${option} ${action.metavar}]` : `[${option}]`;
}

/** How the help's left column shows an argument: `-b, --bind ADDRESS`, `--cgi`, `port`. */
function invocation(action: HelpAction): string {
  if (action.optionStrings.length === 0) return action.metavar;
  const options = action.optionStrings.join(', ');
  return action.takesValue ? `${options} ${action.metavar}` : options;
}

/** Python's HelpFormatter._format_usage, without the trailing newline. */
function usageText(prog: string, actions: readonly HelpAction[], width: number): string {
  const prefix = 'usage: ';
  const optionalParts = actions.filter((action) => action.optionStrings.length > 0).map(usagePart);
  const positionalParts = actions.filter((action) => action.optionStrings.length === 0).map(usagePart);
  const oneLine = [prog, ...optionalParts, ...positionalParts].join(' ');
  if (prefix.length + oneLine.length <= width) return prefix + oneLine;

  const getLines = (parts: readonly string[], indent: string, withPrefix: boolean): string[] => {
    const lines: string[] = [];
    let line: string[] = [];
    let lineLength = withPrefix ? prefix.length - 1 : indent.length - 1;
    for (const part of parts) {
      if (lineLength + 1 + part.length > width && line.length > 0) {
        lines.push(indent + line.join(' '));
        line = [];
        lineLength = indent.length - 1;
      }
      line.push(part);
      lineLength += part.length + 1;
    }
    if (line.length > 0) lines.push(indent + line.join(' '));
    if (withPrefix && lines.length > 0) lines[0] = (lines[0] as string).slice(indent.length);
    return lines;
  };

  let lines: string[];
  if (prefix.length + prog.length <= 0.75 * width) {
    const indent = ' '.repeat(prefix.length + prog.length + 1);
    if (optionalParts.length > 0) {
      lines = [...getLines([prog, ...optionalParts], indent, true), ...getLines(positionalParts, indent, false)];
    } else if (positionalParts.length > 0) {
      lines = getLines([prog, ...positionalParts], indent, true);
    } else {
      lines = [prog];
    }
  } else {
    const indent = ' '.repeat(prefix.length);
    lines = getLines([...optionalParts, ...positionalParts], indent, false);
    if (lines.length > 1) {
      lines = [...getLines(optionalParts, indent, false), ...getLines(positionalParts, indent, false)];
    }
    lines = [prog, ...lines];
  }
  return prefix + lines.join('\n');
}

/** Python's HelpFormatter._format_action: the invocation, then the help from `helpPosition`. */
function formatAction(action: HelpAction, helpPosition: number, width: number): string {
  const helpWidth = Math.max(width - helpPosition, 11);
  const actionWidth = helpPosition - INDENT - 2;
  const header = invocation(action);
  const helpLines = wrap(action.help.replace(/\s+/g, ' ').trim(), helpWidth);
  const indent = ' '.repeat(INDENT);
  if (helpLines.length === 0) return `${indent}${header}\n`;
  let text: string;
  let rest = helpLines;
  if (header.length <= actionWidth) {
    text = `${indent}${header.padEnd(actionWidth)}  ${helpLines[0] as string}\n`;
    rest = helpLines.slice(1);
  } else {
    text = `${indent}${header}\n`;
  }
  for (const line of rest) text += `${' '.repeat(helpPosition)}${line}\n`;
  return text;
}

/**
 * Python's textwrap.wrap(text, width) with its defaults: break at spaces and after hyphens inside
 * words, drop spaces at the line ends, cut words longer than a line.
 */
export function wrap(text: string, width: number): string[] {
  const chunks = splitChunks(text).reverse();
  const lines: string[] = [];
  while (chunks.length > 0) {
    if (lines.length > 0 && (chunks[chunks.length - 1] as string).trim() === '') chunks.pop();
    const line: string[] = [];
    let length = 0;
    while (chunks.length > 0 && length + (chunks[chunks.length - 1] as string).length <= width) {
      const chunk = chunks.pop() as string;
      line.push(chunk);
      length += chunk.length;
    }
    if (chunks.length > 0 && (chunks[chunks.length - 1] as string).length > width) {
      cutLongWord(chunks, line, length, width);
    }
    if (line.length > 0 && (line[line.length - 1] as string).trim() === '') line.pop();
    if (line.length > 0) lines.push(line.join(''));
  }
  return lines;
}

/** Python's TextWrapper._handle_long_word: put as much of the word as fits on this line. */
function cutLongWord(chunks: string[], line: string[], length: number, width: number): void {
  const spaceLeft = width < 1 ? 1 : width - length;
  const chunk = chunks[chunks.length - 1] as string;
  let end = spaceLeft;
  if (chunk.length > spaceLeft) {
    const hyphen = chunk.lastIndexOf('-', spaceLeft - 1);
    if (hyphen > 0 && /[^-]/.test(chunk.slice(0, hyphen))) end = hyphen + 1;
  }
  line.push(chunk.slice(0, end));
  chunks[chunks.length - 1] = chunk.slice(end);
}

/**
 * Python's TextWrapper.wordsep_re: runs of spaces, em-dashes (`--`) between words, and words,
 * hyphenated words split after each hyphen that has letters on both sides.
 */
const WORD_SEPARATOR = new RegExp(
  String.raw`([ \t\n\r\f\v]+` +
    String.raw`|(?<=[\p{L}\p{N}_!"'&.,?])-{2,}(?=[\p{L}\p{N}_])` +
    String.raw`|[^ \t\n\r\f\v]+?(?:-(?:(?<=[\p{L}_]{2}-)|(?<=[\p{L}_]-[\p{L}_]-))(?=[\p{L}_]-?[\p{L}_])` +
    String.raw`|(?=[ \t\n\r\f\v]|$)` +
    String.raw`|(?<=[\p{L}\p{N}_!"'&.,?])(?=-{2,}[\p{L}\p{N}_])))`,
  'u',
);

function splitChunks(text: string): string[] {
  return text.split(WORD_SEPARATOR).filter((chunk) => chunk !== '');
}
