/**
 * The docs keep their promises:
 *
 * - every ```` ```ts runnable ```` block in README.md and docs/**\/*.md type-checks against the
 *   library. Each block is written to a temp dir as an ES module (so top-level `await` is allowed)
 *   and all of them are checked in one TypeScript Program, with tsconfig.json's strict options and
 *   'sockserve' / 'sockserve/http' mapped to lib/index.ts and lib/http/index.ts;
 * - every `samples/...` path they mention exists, and every sample program (`.ts`) among them is
 *   named in a spec under spec/, so something runs it;
 * - every relative link in them points to a file or folder that exists.
 *
 * docs/api/ (TypeDoc's output) is not read. A failure names the Markdown file, the block and the
 * line.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
/** Generated, not written by hand: not checked. */
const SKIPPED_DIRS = new Set([path.join(ROOT, 'docs', 'api')]);
const RUNNABLE_INFO = /^(?:ts|typescript)\s+runnable(?:\s|$)/;
/** `samples/` followed by a path; a `*` in it makes it a glob, which is not checked. */
const SAMPLE_PATH = /(?<![\w./-])samples\/[\w./*-]*[\w*]/g;
/** Inline links and images: `[text](target "title")`. */
const INLINE_LINK = /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
/** Link reference definitions: `[label]: target`. */
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/;
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The Markdown files to check, relative to the repository root: README.md and docs/**. */
function markdownFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    if (SKIPPED_DIRS.has(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.md')) found.push(path.relative(ROOT, full));
    }
  };
  walk(path.join(ROOT, 'docs'));
  return ['README.md', ...found.sort()];
}

interface FencedBlock {
  /** The info string after the opening fence, trimmed. */
  info: string;
  /** 1-based line of the opening fence in the Markdown file. */
  line: number;
  text: string;
}

interface ParsedMarkdown {
  blocks: FencedBlock[];
  /** The lines outside fenced blocks, with their 1-based line numbers. */
  prose: { line: number; text: string }[];
  /** What is wrong with the Markdown itself (a block never closed), or null. */
  problem: string | null;
}

/** Split a Markdown text into fenced code blocks and the prose between them. */
function parseMarkdown(source: string): ParsedMarkdown {
  const lines = source.split(/\r?\n/);
  const blocks: FencedBlock[] = [];
  const prose: { line: number; text: string }[] = [];
  let open: { fence: string; indent: number; info: string; line: number; body: string[] } | null = null;
  lines.forEach((text, index) => {
    if (open === null) {
      const opening = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(text);
      if (opening !== null && !(opening[2]!.startsWith('`') && opening[3]!.includes('`'))) {
        open = { fence: opening[2]!, indent: opening[1]!.length, info: opening[3]!.trim(), line: index + 1, body: [] };
      } else {
        prose.push({ line: index + 1, text });
      }
      return;
    }
    const closing = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(text);
    if (closing !== null && closing[1]![0] === open.fence[0] && closing[1]!.length >= open.fence.length) {
      blocks.push({ info: open.info, line: open.line, text: open.body.join('\n') + '\n' });
      open = null;
      return;
    }
    const indent = open.indent;
    open.body.push(text.replace(new RegExp(`^ {0,${indent}}`), ''));
  });
  let problem: string | null = null;
  if (open !== null) {
    const unclosed: { line: number } = open;
    problem = `the code block opened at line ${unclosed.line} is never closed`;
  }
  return { blocks, prose, problem };
}

interface Doc {
  file: string;
  parsed: ParsedMarkdown;
}

/** A runnable block, where it comes from and the name of the temp file it is checked as. */
interface RunnableBlock {
  doc: string;
  /** 1-based number among the doc's runnable blocks. */
  number: number;
  line: number;
  text: string;
  /** The file name it is written to in the temp dir. */
  name: string;
}

/** Where a block's diagnostic points: `docs/x.md, runnable block 2 (opens at line 41), line 45 …: TS2339: …`. */
function describeDiagnostic(block: RunnableBlock, diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  let where = `${block.doc}, runnable block ${block.number} (opens at line ${block.line})`;
  if (diagnostic.file !== undefined && diagnostic.start !== undefined) {
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    where += `, line ${block.line + 1 + line} of the Markdown file`;
  }
  return `${where}: TS${diagnostic.code}: ${message}`;
}

/** tsconfig.json's compiler options, with the two package names pointing at lib/. */
function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  if (read.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, configPath);
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true };
  delete options.rootDir; // the blocks live in a temp dir, outside the project
  options.paths = {
    sockserve: [path.join(ROOT, 'lib', 'index.ts')],
    'sockserve/http': [path.join(ROOT, 'lib', 'http', 'index.ts')],
  };
  return options;
}

/** Type-check every block (written to `dir`) in one Program; returns each block's problems. */
function typeCheck(blocks: readonly RunnableBlock[], dir: string): Map<RunnableBlock, readonly ts.Diagnostic[]> {
  const program = ts.createProgram({
    rootNames: blocks.map((block) => path.join(dir, block.name)),
    options: compilerOptions(),
  });
  const byBlock = new Map<RunnableBlock, readonly ts.Diagnostic[]>();
  const unplaced: ts.Diagnostic[] = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const block of blocks) {
    const source = program.getSourceFile(path.join(dir, block.name));
    if (source === undefined) throw new Error(`${block.name} is not in the program`);
    byBlock.set(block, [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]);
  }
  if (unplaced.length > 0) {
    const text = unplaced.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n');
    throw new Error(`the compiler options do not work:\n${text}`);
  }
  return byBlock;
}

/** Every spec file's text, to find which samples they run. */
function specSources(): string {
  const texts: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(?:ts|cjs|mjs|js)$/.test(entry.name)) texts.push(fs.readFileSync(full, 'utf8'));
    }
  };
  walk(path.join(ROOT, 'spec'));
  return texts.join('\n');
}

/** True if a spec names `samplePath` (samples/x.ts): by its path, or by its name in quotes. */
function namedInSpecs(samplePath: string, specs: string): boolean {
  if (specs.includes(samplePath)) return true;
  const stem = path.basename(samplePath).replace(/\.ts$/, '');
  return ["'", '"', '`'].some((quote) => specs.includes(`${quote}${stem}${quote}`));
}

/** Remove inline code spans, so a link or path written as code is not taken for one. */
function withoutCodeSpans(text: string): string {
  return text.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, (span) => ' '.repeat(span.length));
}

const docs: Doc[] = markdownFiles().map((file) => ({
  file,
  parsed: parseMarkdown(fs.readFileSync(path.join(ROOT, file), 'utf8')),
}));

describe('docs: runnable blocks, sample paths and links (README.md, docs/**/*.md)', () => {
  it('every code block is closed', () => {
    const problems = docs
      .filter(({ parsed }) => parsed.problem !== null)
      .map(({ file, parsed }) => `${file}: ${parsed.problem}`);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  describe('```ts runnable blocks type-check against lib/', () => {
    const blocks: RunnableBlock[] = [];
    for (const { file, parsed } of docs) {
      parsed.blocks
        .filter((block) => RUNNABLE_INFO.test(block.info))
        .forEach((block, index) => {
          const name = `${file.replace(/[^\w.-]+/g, '__')}__block${index + 1}.mts`;
          blocks.push({ doc: file, number: index + 1, line: block.line, text: block.text, name });
        });
    }

    let tempDir: string | null = null;
    let diagnostics = new Map<RunnableBlock, readonly ts.Diagnostic[]>();
    before(function () {
      this.timeout(120_000); // one Program for all blocks: a few seconds, more on a loaded machine
      tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-runnable-'));
      // Packages the blocks import ('chai', '@types/node') resolve through the project's node_modules.
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tempDir, 'node_modules'), 'dir');
      for (const block of blocks) fs.writeFileSync(path.join(tempDir, block.name), block.text);
      diagnostics = typeCheck(blocks, tempDir);
    });
    after(() => {
      if (tempDir !== null) fs.rmSync(tempDir, { recursive: true, force: true });
      diagnostics = new Map(); // let the compiler's objects go before the later specs run
    });

    it('finds runnable blocks (README.md has one)', () => {
      expect(blocks.filter((block) => block.doc === 'README.md')).to.have.length.greaterThan(0);
    });

    for (const file of new Set(blocks.map((block) => block.doc))) {
      const inFile = blocks.filter((block) => block.doc === file);
      it(`${file}: ${inFile.length} runnable block(s) compile`, () => {
        const problems = inFile.flatMap((block) =>
          (diagnostics.get(block) ?? []).map((diagnostic) => describeDiagnostic(block, diagnostic)),
        );
        expect(problems, problems.join('\n')).to.deep.equal([]);
      });
    }
  });

  describe('samples/... paths', () => {
    const specs = specSources();
    for (const { file, parsed } of docs) {
      const mentioned = new Set<string>();
      for (const text of [...parsed.prose.map((line) => line.text), ...parsed.blocks.map((block) => block.text)]) {
        for (const [match] of text.matchAll(SAMPLE_PATH)) if (!match.includes('*')) mentioned.add(match);
      }
      if (mentioned.size === 0) continue;
      it(`${file}: the ${mentioned.size} sample path(s) it mentions exist, and a spec runs each program`, () => {
        const missing = [...mentioned].filter((sample) => !fs.existsSync(path.join(ROOT, sample)));
        expect(missing, `${file} mentions paths that do not exist`).to.deep.equal([]);
        const unrun = [...mentioned].filter((sample) => sample.endsWith('.ts') && !namedInSpecs(sample, specs));
        expect(unrun, `${file} mentions samples that no spec under spec/ names`).to.deep.equal([]);
      });
    }
  });

  describe('relative links', () => {
    for (const { file, parsed } of docs) {
      const targets: { line: number; target: string }[] = [];
      for (const { line, text } of parsed.prose) {
        const definition = REFERENCE_DEFINITION.exec(text);
        if (definition !== null) targets.push({ line, target: definition[1]! });
        for (const [, target] of withoutCodeSpans(text).matchAll(INLINE_LINK)) targets.push({ line, target: target! });
      }
      const relative = targets.filter(
        ({ target }) => target !== '' && !target.startsWith('#') && !URL_SCHEME.test(target),
      );
      if (relative.length === 0) continue;
      it(`${file}: its ${relative.length} relative link(s) point to files that exist`, () => {
        const broken = relative
          .filter(({ target }) => {
            const pathPart = decodeURIComponent(target.replace(/[#?].*$/, ''));
            const base = pathPart.startsWith('/') ? ROOT : path.dirname(path.join(ROOT, file));
            return !fs.existsSync(path.join(base, pathPart));
          })
          .map(({ line, target }) => `line ${line}: ${target}`);
        expect(broken, `${file} has broken links`).to.deep.equal([]);
      });
    }
  });
});
