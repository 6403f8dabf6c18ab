/**
 * The part of Python 3.14's argparse that `python -m http.server` uses, so that `sockserve` parses
 * the same command lines the same way and fails with the same messages: options with one value
 * (`-b ADDRESS`, `-bADDRESS`, `-b=ADDRESS`, `--bind ADDRESS`, `--bind=ADDRESS`, unambiguous
 * abbreviations such as `--dir`), flags (`--cgi`, `-h`), positionals that take zero or one value,
 * `--` ending the options, negative numbers as values, and the error format
 * (`usage: …` then `prog: error: …`, exit status 2).
 */
import { pyRepr } from '../http/request-head';
import { formatHelp, formatUsage, type HelpAction } from './help-formatter';

/** A value an argument holds once parsed. */
export type ArgumentValue = string | number | boolean | null;

/** Converts an argument's text; throws ArgumentTypeError (or a TypeError/RangeError) to refuse it. */
export interface ArgumentType {
  (text: string): ArgumentValue;
  /** The name argparse prints in `invalid NAME value: 'text'`. */
  readonly typeName: string;
}

/** Thrown by an ArgumentType to refuse a value with its own message. */
export class ArgumentTypeError extends Error {}

/** How an argument is declared, as the keywords of Python's `add_argument()`. */
export interface ArgumentDeclaration {
  /** 'store' keeps the value given (the default); 'store_true' is a flag; 'help' prints the help. */
  action?: 'store' | 'store_true' | 'help';
  /** The name shown for the value in the usage and help (default: dest upper-cased for options). */
  metavar?: string;
  /** The value when the argument is absent. */
  default?: ArgumentValue;
  /** Converts the text given (default: kept as a string). */
  type?: ArgumentType;
  /** The help text; `%(default)s` is replaced by the default. */
  help: string;
}

/** What parsing stopped with: what to print where, and the exit status (2 for errors, 0 for -h). */
export class ParserExit extends Error {
  constructor(
    readonly status: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(stderr || stdout);
  }
}

/** One declared argument. Positionals (no option strings) take zero or one value (`nargs='?'`). */
interface Action extends HelpAction {
  readonly dest: string;
  readonly kind: 'store' | 'store_true' | 'help';
  readonly default: ArgumentValue;
  readonly type: ArgumentType | null;
}

/** A way to read one command-line word as an option: Python's option tuple. */
interface OptionMatch {
  action: Action | null;
  optionString: string;
  /** '=' or '' when the value came in the same word, else null. */
  sep: string | null;
  explicitArg: string | null;
}

/** An argument error, printed as `argument -b/--bind: message` (or just the message). */
class ArgumentError extends Error {
  constructor(action: Action | null, message: string) {
    super(action === null ? message : `argument ${actionName(action)}: ${message}`);
  }
}

function actionName(action: Action): string {
  return action.optionStrings.length > 0 ? action.optionStrings.join('/') : action.dest;
}

/** A group of arguments with its own heading in the help. */
interface ArgumentGroup {
  readonly title: string;
  readonly actions: Action[];
}

const NEGATIVE_NUMBER = /^-\.?\d/;

/**
 * A command-line parser with argparse's behaviour for the features above. `parseArgs()` returns
 * the values by dest, or throws ParserExit; so does `error()`, for checks made after parsing.
 */
export class ArgumentParser {
  readonly #prog: string;
  readonly #width: number;
  readonly #actions: Action[] = [];
  readonly #groups: ArgumentGroup[];
  readonly #optionActions = new Map<string, Action>();

  /** `columns` is the terminal width (argparse wraps the usage and help to `columns - 2`). */
  constructor(prog: string, columns: number) {
    this.#prog = prog;
    this.#width = columns - 2;
    this.#groups = [
      { title: 'positional arguments', actions: [] },
      { title: 'options', actions: [] },
    ];
    this.addArgument(['-h', '--help'], { action: 'help', help: 'show this help message and exit' });
  }

  /**
   * Declare an option (`['-b', '--bind']`) or a positional (`['port']`), in `group` (a title from
   * addArgumentGroup) or in Python's default sections.
   */
  addArgument(names: readonly string[], declaration: ArgumentDeclaration, group?: string): void {
    const optionStrings = names.filter((name) => name.startsWith('-'));
    const longOption = optionStrings.find((name) => name.startsWith('--'));
    const kind = declaration.action ?? 'store';
    // Where the value goes, as Python infers `dest`: '--tls-cert' -> 'tls_cert', 'port' -> 'port'.
    const dest = (longOption ?? (names[0] as string)).replace(/^-+/, '').replaceAll('-', '_');
    const action: Action = {
      dest,
      kind,
      optionStrings,
      takesValue: kind === 'store',
      metavar: declaration.metavar ?? (optionStrings.length === 0 ? dest : dest.toUpperCase()),
      help: declaration.help.replaceAll('%(default)s', pythonStr(declaration.default ?? null)),
      default: declaration.default ?? (kind === 'store_true' ? false : null),
      type: declaration.type ?? null,
    };
    this.#actions.push(action);
    for (const option of optionStrings) this.#optionActions.set(option, action);
    const title = group ?? (optionStrings.length === 0 ? 'positional arguments' : 'options');
    this.#group(title).actions.push(action);
  }

  /** Add a section of the help, as Python's `add_argument_group(title)`. */
  addArgumentGroup(title: string): void {
    this.#groups.push({ title, actions: [] });
  }

  /** `usage: …` with its newline. */
  formatUsage(): string {
    return formatUsage(this.#prog, this.#actions, this.#width);
  }

  /** The whole `--help` text. */
  formatHelp(): string {
    return formatHelp(this.#prog, this.#actions, this.#groups, this.#width);
  }

  /** Stop with the usage and `prog: error: message` on stderr, exit status 2. */
  error(message: string): never {
    throw new ParserExit(2, '', `${this.formatUsage()}${this.#prog}: error: ${message}\n`);
  }

  /** Parse the words after the program name into values by dest. */
  parseArgs(args: readonly string[]): Record<string, ArgumentValue> {
    const values: Record<string, ArgumentValue> = {};
    for (const action of this.#actions) if (action.kind !== 'help') values[action.dest] = action.default;
    try {
      const extras = this.#parse(args, values);
      if (extras.length > 0) this.error(`unrecognized arguments: ${extras.join(' ')}`);
    } catch (error) {
      if (error instanceof ArgumentError) this.error(error.message);
      throw error;
    }
    return values;
  }

  #group(title: string): ArgumentGroup {
    const group = this.#groups.find((candidate) => candidate.title === title);
    if (group === undefined) throw new RangeError(`no argument group titled ${pyRepr(title)}`);
    return group;
  }

  /** Python's _parse_known_args: returns the words nothing took. */
  #parse(args: readonly string[], values: Record<string, ArgumentValue>): string[] {
    const optionsAt = new Map<number, OptionMatch[]>();
    let pattern = '';
    for (let index = 0; index < args.length; index += 1) {
      const arg = args[index] as string;
      if (arg === '--') {
        pattern += '-' + 'A'.repeat(args.length - index - 1);
        break;
      }
      const matches = this.#parseOptional(arg);
      if (matches === null) pattern += 'A';
      else {
        optionsAt.set(index, matches);
        pattern += 'O';
      }
    }

    const extras: string[] = [];
    const positionals = this.#actions.filter((action) => action.optionStrings.length === 0);

    const takeAction = (action: Action, strings: string[]): void => {
      if (action.kind === 'help') throw new ParserExit(0, this.formatHelp(), '');
      if (action.kind === 'store_true') values[action.dest] = true;
      else if (strings.length === 0) values[action.dest] = action.default;
      else values[action.dest] = convert(action, strings[0] as string);
    };

    const consumePositionals = (start: number): number => {
      const counts = matchPositionals(positionals, pattern.slice(start));
      let index = start;
      for (const [position, count] of counts.entries()) {
        const strings = args.slice(index, index + count);
        if (pattern.slice(index, index + count).includes('-')) strings.splice(strings.indexOf('--'), 1);
        index += count;
        takeAction(positionals[position] as Action, strings);
      }
      positionals.splice(0, counts.length);
      return index;
    };

    const consumeOptional = (start: number): number => {
      const matches = optionsAt.get(start) as OptionMatch[];
      if (matches.length > 1) {
        const candidates = matches.map((match) => match.optionString).join(', ');
        throw new ArgumentError(null, `ambiguous option: ${args[start] as string} could match ${candidates}`);
      }
      let { action, optionString, sep, explicitArg } = matches[0] as OptionMatch;
      const taken: [Action, string[]][] = [];
      let stop: number;
      for (;;) {
        if (action === null) {
          extras.push(args[start] as string);
          return start + 1;
        }
        if (explicitArg === null) {
          const count = action.takesValue && pattern[start + 1] === 'A' ? 1 : 0;
          if (action.takesValue && count === 0) throw new ArgumentError(action, 'expected one argument');
          taken.push([action, args.slice(start + 1, start + 1 + count)]);
          stop = start + 1 + count;
          break;
        }
        if (action.takesValue) {
          taken.push([action, [explicitArg]]);
          stop = start + 1;
          break;
        }
        // A flag with text after it: `-hb` is `-h -b`; `--cgi=x`, `-h=x` and `-h-b` are errors.
        if (optionString[1] === '-' || explicitArg === '' || sep || explicitArg.startsWith('-')) {
          throw new ArgumentError(action, `ignored explicit argument ${pyRepr(explicitArg)}`);
        }
        taken.push([action, []]);
        optionString = `-${explicitArg[0] as string}`;
        const next = this.#optionActions.get(optionString);
        if (next === undefined) {
          extras.push(`-${explicitArg}`);
          stop = start + 1;
          break;
        }
        action = next;
        explicitArg = explicitArg.slice(1);
        if (explicitArg === '') sep = explicitArg = null;
        else if (explicitArg.startsWith('=')) {
          sep = '=';
          explicitArg = explicitArg.slice(1);
        } else sep = '';
      }
      for (const [takenAction, strings] of taken) takeAction(takenAction, strings);
      return stop;
    };

    let start = 0;
    const lastOption = Math.max(-1, ...optionsAt.keys());
    while (start <= lastOption) {
      let nextOption = start;
      while (nextOption <= lastOption && !optionsAt.has(nextOption)) nextOption += 1;
      if (start !== nextOption) {
        const positionalsEnd = consumePositionals(start);
        if (positionalsEnd > start) {
          start = positionalsEnd;
          continue;
        }
      }
      if (!optionsAt.has(start)) {
        extras.push(...args.slice(start, nextOption));
        start = nextOption;
      }
      start = consumeOptional(start);
    }
    const stop = consumePositionals(start);
    extras.push(...args.slice(stop));
    return extras;
  }

  /** Python's _parse_optional: null for a positional word, else the ways to read it as an option. */
  #parseOptional(arg: string): OptionMatch[] | null {
    if (!arg.startsWith('-')) return null;
    const exact = this.#optionActions.get(arg);
    if (exact !== undefined) return [{ action: exact, optionString: arg, sep: null, explicitArg: null }];
    if (arg.length === 1) return null;
    const [prefix, sep, explicitArg] = partition(arg, '=');
    const beforeEquals = this.#optionActions.get(prefix);
    if (sep !== null && beforeEquals !== undefined) {
      return [{ action: beforeEquals, optionString: prefix, sep, explicitArg }];
    }
    const matches = this.#optionTuples(arg);
    if (matches.length > 0) return matches;
    if (NEGATIVE_NUMBER.test(arg)) return null;
    if (arg.includes(' ')) return null;
    return [{ action: null, optionString: arg, sep: null, explicitArg: null }];
  }

  /** Python's _get_option_tuples: abbreviations of long options, `-bVALUE` for short ones. */
  #optionTuples(arg: string): OptionMatch[] {
    const [prefix, sep, explicitArg] = partition(arg, '=');
    const matches: OptionMatch[] = [];
    const isLong = arg[1] === '-';
    for (const [optionString, action] of this.#optionActions) {
      if (!isLong && optionString === arg.slice(0, 2)) {
        matches.push({ action, optionString, sep: '', explicitArg: arg.slice(2) });
      } else if (optionString.startsWith(prefix)) {
        matches.push({ action, optionString, sep, explicitArg });
      }
    }
    return matches;
  }
}

/** Python's str() of a value, for `%(default)s`. */
function pythonStr(value: ArgumentValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** Python's str.partition, with nulls when `separator` is absent. */
function partition(text: string, separator: string): [string, string | null, string | null] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, null, null] : [text.slice(0, at), separator, text.slice(at + separator.length)];
}

/**
 * How many words each positional takes from the start of `pattern` (Python's
 * _match_arguments_partial for `nargs='?'` positionals): '--' markers around a value go with it,
 * and trailing empty matches are dropped when an option follows.
 */
function matchPositionals(positionals: readonly Action[], pattern: string): number[] {
  for (let length = positionals.length; length > 0; length -= 1) {
    const match = new RegExp(`^${'(-*A?-*)'.repeat(length)}`).exec(pattern);
    if (match === null) continue;
    const counts = match.slice(1).map((group) => (group ?? '').length);
    if (match[0].length < pattern.length && pattern[match[0].length] === 'O') {
      while (counts.length > 0 && counts[counts.length - 1] === 0) counts.pop();
    }
    return counts;
  }
  return [];
}

/** Run the action's type on `text`, turning a refusal into argparse's message. */
function convert(action: Action, text: string): ArgumentValue {
  if (action.type === null) return text;
  try {
    return action.type(text);
  } catch (error) {
    if (error instanceof ArgumentTypeError) throw new ArgumentError(action, error.message);
    if (error instanceof TypeError || error instanceof RangeError) {
      throw new ArgumentError(action, `invalid ${action.type.typeName} value: ${pyRepr(text)}`);
    }
    throw error;
  }
}

/** Python's `int(text)` for decimal text: spaces around, a sign, digits with single underscores. */
export const pythonInt: ArgumentType = Object.assign(
  (text: string): number => {
    const match = /^[ \t\n\v\f\r]*([+-]?)(\d+(?:_\d+)*)[ \t\n\v\f\r]*$/.exec(text);
    if (match === null) throw new TypeError(`invalid literal for int() with base 10: ${pyRepr(text)}`);
    const magnitude = Number((match[2] as string).replaceAll('_', ''));
    return match[1] === '-' ? -magnitude : magnitude;
  },
  { typeName: 'int' },
);
