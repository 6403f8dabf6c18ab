/**
 * The tutorial's CGI step in headless Chromium: CGIHTTPRequestHandler serves samples/cgi (what
 * `npx ts-node lib/cli.ts --cgi -d samples/cgi 8000` serves) on 127.0.0.1 port 0; a person opens
 * index.html, types a name, submits, and reads the script's answer; and the Post/Redirect/Get form
 * (prg.py: `Status: 303` + `Location`) lands on greet.py, which a reload fetches again without
 * posting. Screenshots go to artifacts/ (CI keeps them).
 */
import { expect } from 'chai';
import * as path from 'node:path';
import type { Page, Request } from 'playwright-core';
import { artifactPath, BrowserSession } from '../support/browser';
import { serveCgi, type CgiServer } from '../support/cgi-server';
import { Teardown } from '../support/teardown';

/** The sample the tutorial serves. */
const SAMPLE = path.resolve(__dirname, '..', '..', 'samples', 'cgi');
/** A name that needs form encoding, UTF-8 and HTML escaping all the way through. */
const NAME = 'Ada <&> Léa';
/** NAME as the form encodes it (application/x-www-form-urlencoded, UTF-8). */
const NAME_ENCODED = 'Ada+%3C%26%3E+L%C3%A9a';

/** The text of each `p` on the page. */
function paragraphs(page: Page): Promise<string[]> {
  return page.locator('p').allInnerTexts();
}

describe("the tutorial's CGI form in headless Chromium (samples/cgi)", function () {
  // Each test drives several page loads; on a loaded 2-core machine one takes up to half a second.
  this.timeout(30_000);
  const teardown = new Teardown();
  let session: BrowserSession | undefined;
  let cgi: CgiServer | undefined;
  let base = '';

  after(async () => {
    await session?.close();
    await teardown.run();
  });

  before(async function () {
    this.timeout(60_000);
    cgi = await serveCgi(teardown, { directory: SAMPLE });
    base = `http://127.0.0.1:${cgi.server.serverAddress[1]}`;
    session = await BrowserSession.launch();
  });

  function browser(): BrowserSession {
    if (session === undefined) throw new Error('Chromium was not launched');
    return session;
  }

  function server(): CgiServer {
    if (cgi === undefined) throw new Error('the CGI server was not started');
    return cgi;
  }

  /** Open the sample's index.html (served for `/`); it and its image must load. */
  async function openIndex(): Promise<Page> {
    const { page } = browser();
    const response = await page.goto(`${base}/`);
    expect(response?.status()).to.equal(200);
    expect(await page.title()).to.equal('WOW');
    const imageWidth = await page.locator('img').evaluate((image) => image.naturalWidth);
    expect(imageWidth, 'test.jpg is shown').to.be.greaterThan(0);
    return page;
  }

  /** Access-log lines of the sample's server that start with `"METHOD /path`. */
  function logged(requestLine: string): string[] {
    return server().log.filter((line) => line.startsWith(`"${requestLine}`));
  }

  /** No console error, page error or CSP violation in the browser, no handler error in the server. */
  function expectNothingWentWrong(): void {
    expect(browser().takeProblems()).to.deep.equal([]);
    expect(server().server.reported).to.deep.equal([]);
  }

  it("posts the firstname form to cgi-bin/post.py and shows the script's page", async () => {
    const page = await openIndex();
    const form = page.locator('form[name="input"]');
    await form.getByRole('textbox').fill(NAME);
    await page.screenshot({ path: artifactPath('cgi-form.png'), fullPage: true });
    const answer = page.waitForResponse(`${base}/cgi-bin/post.py`);
    await form.getByRole('button', { name: 'Submit', exact: true }).click();
    const response = await answer;
    await page.waitForURL(`${base}/cgi-bin/post.py`);
    expect(response.request().method()).to.equal('POST');
    expect(response.request().postData()).to.equal(`firstname=${NAME_ENCODED}`);
    expect(response.status()).to.equal(200);
    expect(await response.headerValue('content-type')).to.equal('text/html; charset=utf-8');
    expect(await paragraphs(page)).to.deep.equal(['Hello world!', NAME]);
    await page.screenshot({ path: artifactPath('cgi-result.png'), fullPage: true });
    expect(logged('POST /cgi-bin/post.py HTTP/1.1" 200')).to.have.length(1);
    expectNothingWentWrong();
  });

  for (const script of ['post.js', 'post.sh']) {
    it(`gets the same page from the ${script} version of the script`, async () => {
      const page = await openIndex();
      const form = page.locator(`form[action="cgi-bin/${script}"]`);
      await form.getByRole('textbox').fill(NAME);
      await form.getByRole('button', { name: `Submit to ${script}` }).click();
      await page.waitForURL(`${base}/cgi-bin/${script}`);
      expect(await paragraphs(page)).to.deep.equal(['Hello world!', NAME]);
      expectNothingWentWrong();
    });
  }

  it('redirects after the POST (303 + Location) to greet.py, and a reload does not post again', async () => {
    const page = await openIndex();
    const form = page.locator('form[name="prg"]');
    await form.getByRole('textbox').fill(NAME);
    const greetUrl = `${base}/cgi-bin/greet.py?firstname=${NAME_ENCODED}`;
    const landed = page.waitForResponse(greetUrl);
    await form.getByRole('button', { name: 'Submit to prg.py' }).click();
    const greeting = await landed;
    await page.waitForURL(greetUrl);
    expect(page.url()).to.equal(greetUrl);
    expect(greeting.request().method()).to.equal('GET');
    const post = greeting.request().redirectedFrom();
    expect(post?.url()).to.equal(`${base}/cgi-bin/prg.py`);
    expect(post?.method()).to.equal('POST');
    const redirect = await post?.response();
    expect(redirect?.status()).to.equal(303);
    expect(await redirect?.headerValue('location')).to.equal(`/cgi-bin/greet.py?firstname=${NAME_ENCODED}`);
    expect(await paragraphs(page)).to.deep.equal([`Hello, ${NAME}!`]);

    const reloadRequests: Request[] = [];
    const record = (request: Request) => reloadRequests.push(request);
    page.on('request', record);
    try {
      await page.reload();
    } finally {
      page.off('request', record);
    }
    expect(page.url()).to.equal(greetUrl);
    expect(await paragraphs(page)).to.deep.equal([`Hello, ${NAME}!`]);
    const documents = reloadRequests.filter((request) => request.resourceType() === 'document');
    expect(documents.map((request) => [request.method(), request.url()])).to.deep.equal([['GET', greetUrl]]);
    expect(logged('POST /cgi-bin/prg.py HTTP/1.1" 303')).to.have.length(1);
    expect(logged(`GET /cgi-bin/greet.py?firstname=${NAME_ENCODED} HTTP/1.1" 200`)).to.have.length(2);
    expectNothingWentWrong();
  });
});
