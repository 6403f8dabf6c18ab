/**
 * Headless Chromium for the browser specs: Debian's `chromium` (or `$CHROMIUM_PATH`) driven by
 * playwright-core, with a fresh profile directory that is removed on close. Launch one per spec
 * file (`before`), close it in `after` before the servers it talked to. A missing browser is an
 * error, not a skip: CI installs it (.ci/run).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

/** Debian's Chromium, unless `$CHROMIUM_PATH` names another binary. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags that keep headless Chromium off the network and away from first-run work. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The repository's folder for files CI keeps after a run (screenshots). */
export const ARTIFACTS_DIR = path.resolve(__dirname, '..', '..', 'artifacts');

/** The binding name the page calls with each Content-Security-Policy violation. */
const CSP_BINDING = 'sockserveReportCspViolation';

/** The Chromium binary the specs launch. */
export function chromiumPath(): string {
  const configured = process.env['CHROMIUM_PATH'];
  return configured === undefined || configured === '' ? DEFAULT_CHROMIUM_PATH : configured;
}

/** Throw a clear error unless `executable` is a file this process may run. */
function requireExecutable(executable: string): void {
  try {
    fs.accessSync(executable, fs.constants.X_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(
      `Chromium is not available at ${executable} (${reason}). The browser specs need it: ` +
        "install Debian's package (`apt-get install chromium`, as .ci/run does) or set CHROMIUM_PATH.",
      { cause: error },
    );
  }
}

/** The path of artifact `name` (e.g. `listing-light.png`); the folder is created if missing. */
export function artifactPath(name: string): string {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}

/** A console message worth failing a test for: any error but the 404 of a `/favicon.ico` probe. */
function isProblem(message: ConsoleMessage): boolean {
  if (message.type() !== 'error') return false;
  return new URL(message.location().url || 'about:blank').pathname !== '/favicon.ico';
}

/**
 * One headless Chromium with one page. Call `launch()`, drive `page`, and `close()` at the end;
 * `takeProblems()` returns, as text, every console error, uncaught page error and
 * Content-Security-Policy violation seen since its last call.
 */
export class BrowserSession {
  readonly #problems: string[] = [];
  readonly #profile: string;

  private constructor(
    /** The browser's only context (its profile is the temporary directory). */
    readonly context: BrowserContext,
    /** The page the specs drive. */
    readonly page: Page,
    profile: string,
  ) {
    this.#profile = profile;
    page.on('console', (message) => {
      if (isProblem(message)) this.#problems.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => this.#problems.push(`page error: ${error.message}`));
  }

  /** Launch Chromium (`chromiumPath()`) with a fresh profile; a 1280×720 light-mode page. */
  static async launch(): Promise<BrowserSession> {
    const executablePath = chromiumPath();
    requireExecutable(executablePath);
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-chromium-'));
    let context: BrowserContext | undefined;
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath,
        headless: true,
        args: [...CHROMIUM_FLAGS],
        viewport: { width: 1280, height: 720 },
        deviceScaleFactor: 1,
        colorScheme: 'light',
        locale: 'en-US',
      });
      const page = context.pages()[0] ?? (await context.newPage());
      const session = new BrowserSession(context, page, profile);
      await session.#reportCspViolations();
      return session;
    } catch (error) {
      await context?.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
      throw error;
    }
  }

  /** Report each `securitypolicyviolation` event to Node, on every page loaded from now on. */
  async #reportCspViolations(): Promise<void> {
    await this.context.exposeBinding(CSP_BINDING, (_source, violation: string) => {
      this.#problems.push(`CSP violation: ${violation}`);
    });
    // Runs in the page (no DOM types here), before the page's own scripts.
    await this.context.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (event) => {
        window.${CSP_BINDING}(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') + ' on ' + event.documentURI);
      });`,
    });
  }

  /** The problems seen since the last call (and forget them). */
  takeProblems(): string[] {
    return this.#problems.splice(0);
  }

  /** Close the browser and remove its profile directory. */
  async close(): Promise<void> {
    try {
      await this.context.close();
    } finally {
      fs.rmSync(this.#profile, { recursive: true, force: true });
    }
  }
}
