/**
 * The tutorial keeps its samples and its two languages together. The pages are found by listing
 * docs/tutorial/ and docs/zh/tutorial/, so a new chapter is checked as soon as it exists:
 *
 * - both folders hold the same files: README.md and chapters named NN-slug.md; each README links
 *   every chapter of its folder, in order;
 * - every `samples/...` path a page names exists, and the English and the Chinese page name the
 *   same ones;
 * - the code is the same in both languages: every fenced block except ```` ```text ```` (output
 *   and diagrams, which may be translated), in the same order, with the same info string;
 * - a block whose first line is `// samples/<file>` quotes that file. A ```` ```ts runnable ````
 *   block is the whole file, byte for byte; a plain ```` ```ts ```` block is a run of whole lines
 *   of it. Pages write the imports a reader's project uses, so the sample's `from '../lib/index'`
 *   and `from '../lib/http/index'` read `from 'sockserve'` and `from 'sockserve/http'` there;
 * - each chapter ends with a "Run it" section (Chinese: 运行) whose first ```` ```sh ```` block is
 *   one command, then a "What's next" section (下一步) that links the next chapter, if there is one.
 *
 * Whether runnable blocks type-check, links resolve and a spec runs each sample is checked by
 * spec/docs/runnable-blocks.spec.ts.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const LANGUAGES = [
  { name: 'English', dir: 'docs/tutorial', runIt: 'Run it', whatsNext: "What's next" },
  { name: 'Chinese', dir: 'docs/zh/tutorial', runIt: '运行', whatsNext: '下一步' },
] as const;
const CHAPTER_NAME = /^\d{2}-[a-z0-9-]+\.md$/;
/** `samples/` followed by a path (the same pattern as runnable-blocks.spec.ts). */
const SAMPLE_PATH = /(?<![\w./-])samples\/[\w./*-]*[\w*]/g;
const QUOTE_MARKER = /^\/\/ (samples\/\S+)$/;
/** How a sample's imports of the library read in a page: as in a project that installed sockserve. */
const PAGE_IMPORTS: readonly [string, string][] = [
  ["from '../lib/index'", "from 'sockserve'"],
  ["from '../lib/http/index'", "from 'sockserve/http'"],
];

interface Block {
  info: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The lines between the fences, each followed by '\n'. */
  text: string;
}

interface Section {
  heading: string;
  /** The prose lines under the heading, up to the next `## ` heading. */
  prose: string[];
  blocks: Block[];
}

interface Page {
  file: string;
  source: string;
  blocks: Block[];
  /** The `## ` sections, in order. */
  sections: Section[];
}

/** Split a Markdown page into fenced blocks and `## ` sections (headings inside blocks do not count). */
function parsePage(file: string): Page {
  const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const blocks: Block[] = [];
  const sections: Section[] = [];
  let open: { fence: string; info: string; line: number; body: string[] } | null = null;
  for (const [index, text] of source.split('\n').entries()) {
    if (open === null) {
      const opening = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(text);
      if (opening !== null) {
        open = { fence: opening[1]!, info: opening[2]!.trim(), line: index + 1, body: [] };
      } else if (text.startsWith('## ')) {
        sections.push({ heading: text.slice(3).trim(), prose: [], blocks: [] });
      } else {
        sections.at(-1)?.prose.push(text);
      }
      continue;
    }
    const closing = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(text);
    if (closing !== null && closing[1]![0] === open.fence[0] && closing[1]!.length >= open.fence.length) {
      const block = { info: open.info, line: open.line, text: open.body.map((line) => `${line}\n`).join('') };
      blocks.push(block);
      sections.at(-1)?.blocks.push(block);
      open = null;
    } else {
      open.body.push(text);
    }
  }
  if (open !== null) throw new Error(`${file}: the block opened at line ${open.line} is never closed`);
  return { file, source, blocks, sections };
}

/** The `samples/...` paths a page names, sorted. */
function samplesNamed(page: Page): string[] {
  return [...new Set([...page.source.matchAll(SAMPLE_PATH)].map(([match]) => match))].sort();
}

/** A sample's text as a page shows it. */
function asInPage(text: string): string {
  return PAGE_IMPORTS.reduce((result, [inSample, inPage]) => result.replaceAll(inSample, inPage), text);
}

/** The Markdown files of a tutorial folder: README.md first, then the chapters in order. */
function pagesIn(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir))
    .filter((name) => name.endsWith('.md'))
    .sort((a, b) => (a === 'README.md' ? -1 : b === 'README.md' ? 1 : a.localeCompare(b)));
}

const [english, chinese] = LANGUAGES;
const fileNames = pagesIn(english.dir);
/** The pages both languages have: the pairs compared below (a page missing on one side fails the first test). */
const pairedNames = fileNames.filter((name) => fs.existsSync(path.join(ROOT, chinese.dir, name)));
const chapterNames = fileNames.filter((name) => CHAPTER_NAME.test(name));

describe('docs: the tutorial in English and Chinese (docs/tutorial/, docs/zh/tutorial/)', () => {
  it('has the same pages in both languages: a README and chapters named NN-slug.md', () => {
    expect(pagesIn(chinese.dir)).to.deep.equal(fileNames);
    expect(fileNames).to.include('README.md');
    expect(fileNames.filter((name) => name !== 'README.md' && !CHAPTER_NAME.test(name))).to.deep.equal([]);
    expect(chapterNames).to.have.length.greaterThan(0);
  });

  for (const language of LANGUAGES) {
    it(`${language.dir}/README.md links every chapter, in order`, () => {
      const readme = fs.readFileSync(path.join(ROOT, language.dir, 'README.md'), 'utf8');
      const linked = [...readme.matchAll(/\]\((\d{2}-[a-z0-9-]+\.md)\)/g)].map(([, target]) => target);
      const chapters = pagesIn(language.dir).filter((name) => CHAPTER_NAME.test(name));
      expect([...new Set(linked)]).to.deep.equal(chapters);
    });
  }

  for (const name of pairedNames) {
    describe(name, () => {
      const pages = LANGUAGES.map((language) => parsePage(`${language.dir}/${name}`));
      const [englishPage, chinesePage] = pages as [Page, Page];

      it('names only samples that exist, the same ones in English and Chinese', () => {
        for (const page of pages) {
          const missing = samplesNamed(page).filter((sample) => !fs.existsSync(path.join(ROOT, sample)));
          expect(missing, `${page.file} names samples that do not exist`).to.deep.equal([]);
        }
        expect(samplesNamed(chinesePage), 'the Chinese page names other samples').to.deep.equal(
          samplesNamed(englishPage),
        );
      });

      it('shows the same code in English and Chinese (every block but ```text)', () => {
        const code = (page: Page): Block[] => page.blocks.filter((block) => block.info !== 'text');
        const [englishCode, chineseCode] = [code(englishPage), code(chinesePage)];
        for (const [index, block] of englishCode.entries()) {
          const other = chineseCode[index];
          const where = `code block ${index + 1}: ${englishPage.file} line ${block.line}, ${chinesePage.file} line ${other?.line}`;
          expect({ info: other?.info, text: other?.text }, where).to.deep.equal({ info: block.info, text: block.text });
        }
        expect(chineseCode.length, 'the number of code blocks').to.equal(englishCode.length);
      });

      for (const page of pages) {
        const quotes = page.blocks.filter((block) => QUOTE_MARKER.test(block.text.split('\n', 1)[0]!));
        if (quotes.length === 0) continue;
        it(`${page.file}: its ${quotes.length} block(s) that quote a sample match the file`, () => {
          for (const block of quotes) {
            const sample = QUOTE_MARKER.exec(block.text.split('\n', 1)[0]!)![1]!;
            const where = `${page.file}, the block at line ${block.line} (${sample})`;
            expect(fs.existsSync(path.join(ROOT, sample)), `${where}: no such file`).to.equal(true);
            const shown = asInPage(fs.readFileSync(path.join(ROOT, sample), 'utf8'));
            if (block.info === 'ts runnable') {
              expect(block.text, `${where} is not the whole file`).to.equal(shown);
            } else {
              expect(block.info, `${where}: a quote is a ts or ts runnable block`).to.equal('ts');
              const excerpt = block.text.slice(block.text.indexOf('\n') + 1);
              expect(excerpt, `${where} is empty`).not.to.equal('');
              expect(
                `\n${shown}`.includes(`\n${excerpt}`),
                `${where} is not a run of whole lines of the file`,
              ).to.equal(true);
            }
          }
        });
      }

      const chapter = chapterNames.indexOf(name);
      if (chapter === -1) return;
      const next = chapterNames[chapter + 1];
      for (const [index, page] of pages.entries()) {
        const { runIt, whatsNext } = LANGUAGES[index]!;
        it(`${page.file}: ends with "${runIt}" (one sh command) and "${whatsNext}"${next === undefined ? '' : ` (linking ${next})`}`, () => {
          const headings = page.sections.map((section) => section.heading);
          expect(headings.slice(-2), `the last two ## headings of ${page.file}`).to.deep.equal([runIt, whatsNext]);
          const [runSection, nextSection] = page.sections.slice(-2) as [Section, Section];
          const command = runSection.blocks.find((block) => block.info === 'sh');
          expect(command, `a sh block under "${runIt}"`).not.to.equal(undefined);
          expect(command!.text.trimEnd().split('\n'), 'the first sh block under Run it is one line').to.have.length(1);
          if (next !== undefined) expect(nextSection.prose.join('\n')).to.include(`](${next})`);
        });
      }
    });
  }
});
