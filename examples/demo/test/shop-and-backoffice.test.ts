import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumGate, launchChromium } from '../../../packages/server/test/support/chromium.ts';
import { freePort } from '../../../packages/server/test/support/free-port.ts';
import { serviceGate } from '../../../packages/server/test/support/services.ts';
import { createTestDatabase } from '../../../packages/server/test/support/test-database.ts';
import { buildShop } from '../src/build-shop.ts';
import { shopMain } from '../src/repository-paths.ts';
import { type RunningDemo, startDemo } from '../src/start-demo.ts';
import { mugPhoto } from './product-photos.ts';

// At the repository root, git-ignored: a person looks at these after a run.
const screenshotDir = fileURLToPath(new URL('../../../test-artifacts/screenshots/', import.meta.url));
const desktop = { width: 1280, height: 860 };

const chromiumSkip = await chromiumGate();
const postgresSkip = await serviceGate('postgres');
const skip = chromiumSkip || postgresSkip;

/** The parts of an <img> the checks read (the test's TypeScript has no DOM library). */
interface ImageLike {
  complete: boolean;
  naturalWidth: number;
  getAttribute(name: string): string | null;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Every object key under a directory of the filesystem object store, e.g. `files/fil_…`. */
async function objectKeys(root: string, prefix: string): Promise<string[]> {
  const dir = path.join(root, prefix);
  if (!(await exists(dir))) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('the shop and the back office in a real browser', { skip }, () => {
  let demo: RunningDemo;
  let guichetDb: { url: string; drop: () => Promise<void> };
  let shopDb: { url: string; drop: () => Promise<void> };
  let dataDir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let sql: pg.Client;
  const navigations: string[] = [];
  const problems: string[] = [];
  let step = 0;

  async function screenshot(name: string, target: Page = page): Promise<void> {
    step += 1;
    await target.screenshot({
      path: path.join(screenshotDir, `demo-${String(step).padStart(2, '0')}-${name}.png`),
      fullPage: true,
      animations: 'disabled',
    });
  }

  async function storedFiles(): Promise<Array<{ id: string; state: string }>> {
    const { rows } = await sql.query<{ id: string; state: string }>(
      'SELECT id, state FROM stored_file ORDER BY id',
    );
    return rows;
  }

  before(async () => {
    await mkdir(screenshotDir, { recursive: true });
    // Numbered per run: an earlier run's pictures would only mislead.
    for (const name of await readdir(screenshotDir))
      if (name.startsWith('demo-')) await rm(path.join(screenshotDir, name), { force: true });
    // `npm test` builds the shop first (pretest:unit); a lone run of this file builds it here.
    if (!(await exists(shopMain))) await buildShop();
    [guichetDb, shopDb, dataDir] = await Promise.all([
      createTestDatabase(),
      createTestDatabase(),
      mkdtemp(path.join(os.tmpdir(), 'guichet-demo-')),
    ]);
    const ports = { guichet: await freePort(), shop: await freePort(), backoffice: await freePort() };
    demo = await startDemo({
      dataDir,
      host: '127.0.0.1',
      ports,
      guichetEnv: { DATABASE_URL: guichetDb.url },
      shopDatabaseUrl: shopDb.url,
    });
    sql = new pg.Client({ connectionString: guichetDb.url });
    await sql.connect();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: desktop, locale: 'en-GB' });
    context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`));
    context.on('console', (message) => {
      // Refused forms are answered 400 and 422 on purpose, and Chrome logs any 4xx document as an
      // error; neither app nor Guichet has a favicon.
      const expected =
        /status of (400|422)/.test(message.text()) || message.location().url.endsWith('/favicon.ico');
      if (message.type() === 'error' && !expected)
        problems.push(`console error on ${message.location().url}: ${message.text()}`);
    });
    page = await context.newPage();
    // Every document request, redirects included (a 303 never commits a page of its own).
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame())
        navigations.push(request.url());
    });
  });

  after(async () => {
    // What Guichet and the apps printed, for a person reading a failed run (the last test checks
    // it holds no secret).
    if (demo) await writeFile(path.join(screenshotDir, '..', 'demo-output.log'), demo.output());
    await context?.close();
    await browser?.close();
    await sql?.end();
    await demo?.stop();
    await Promise.all([guichetDb?.drop(), shopDb?.drop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const personOf = (email: string) => {
    const person = demo.seeded.people.find((entry) => entry.email === email);
    assert.ok(person, email);
    return person;
  };
  const ada = () => personOf('ada@example.com');

  it('signs in to the shop through Guichet and lands in the chosen business', async () => {
    await page.goto(demo.urls.shop);
    await page.getByRole('heading', { level: 1, name: /Everything your business sells/ }).waitFor();
    await screenshot('shop-landing');
    await page.getByRole('link', { name: 'Sign in' }).first().click();

    await page.waitForURL((url) => url.origin === demo.urls.guichet);
    await page.getByLabel('Email', { exact: true }).fill(ada().email);
    await page.getByLabel('Password', { exact: true }).fill(ada().password);
    await screenshot('guichet-sign-in');
    await page.getByLabel('Password', { exact: true }).press('Enter');

    // Ada works for two businesses: Guichet asks which one, once.
    await page.getByRole('heading', { level: 1, name: 'Choose a business' }).waitFor();
    await screenshot('guichet-business-chooser');
    await page.getByRole('button', { name: /Northwind Outfitters/ }).click();

    await page.waitForURL(`${demo.urls.shop}/products`);
    assert.equal((await page.getByTestId('active-business').textContent()) ?? '', 'Northwind Outfitters');
    await screenshot('shop-empty-catalogue');
    // The browser holds a session id, never a token.
    const cookies = await context.cookies(demo.urls.shop);
    const shopCookie = cookies.find((cookie) => cookie.name === 'shop_session');
    assert.ok(shopCookie?.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(shopCookie?.sameSite, 'Lax');
    assert.equal(shopCookie?.value.split('.').length, 1, 'the cookie is an opaque id, not a JWT');
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    assert.equal(storage, '{}');
  });

  it('creates a product with two images and shows their thumbnails', async () => {
    await page.getByRole('link', { name: 'New product' }).first().click();
    await page.getByLabel('Name').fill('Harbor Stoneware Mug');
    await page.getByLabel('Price (EUR)').fill('24.90');
    await page
      .getByLabel('Description')
      .fill('Hand-glazed stoneware, 350 ml. Keeps your coffee warm through the morning meeting.');
    await page.getByLabel('Images').setInputFiles([
      {
        name: 'mug-front.jpg',
        mimeType: 'image/jpeg',
        buffer: await mugPhoto({ body: '#2f6f8f', shade: '#1d4a61', format: 'jpeg' }),
      },
      {
        name: 'mug-side.png',
        mimeType: 'image/png',
        buffer: await mugPhoto({ body: '#2f6f8f', shade: '#1d4a61', angle: -12, format: 'png' }),
      },
    ]);
    await screenshot('new-product-form');
    await page.getByRole('button', { name: 'Add product' }).click();
    await page.waitForURL(/\/products\/prd_/);
    await page.getByRole('heading', { level: 1, name: 'Harbor Stoneware Mug' }).waitFor();
    assert.equal(await page.getByTestId('gallery').locator('img').count(), 2);

    const committed = await storedFiles();
    assert.equal(committed.length, 2);
    assert.ok(committed.every((file) => file.state === 'committed'));

    // Thumbnails are made in the background after the commit: reload until both are served.
    const deadline = Date.now() + 30_000;
    for (;;) {
      await page.goto(page.url());
      const images = page.getByTestId('gallery').locator('img');
      const variants = await images.evaluateAll((nodes) =>
        nodes.map((node) => {
          const image = node as unknown as ImageLike;
          return {
            variant: image.getAttribute('data-variant'),
            loaded: image.complete && image.naturalWidth > 0,
            width: image.naturalWidth,
          };
        }),
      );
      if (variants.length === 2 && variants.every((image) => image.variant === 'thumb' && image.loaded)) {
        assert.ok(
          variants.every((image) => image.width === 480),
          'the thumb variant is 480 px wide',
        );
        break;
      }
      assert.ok(Date.now() < deadline, `thumbnails not ready: ${JSON.stringify(variants)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await screenshot('product-page');

    await page.getByRole('link', { name: '← All products' }).click();
    const card = page.getByTestId('product-card');
    assert.equal(await card.count(), 1);
    await card.locator('img[data-variant="thumb"]').waitFor();
    assert.ok(await card.locator('img').evaluate((node) => (node as unknown as ImageLike).naturalWidth > 0));
    assert.match((await card.textContent()) ?? '', /Harbor Stoneware Mug\s*€24\.90/);
    await screenshot('catalogue-with-thumbnail');
  });

  it('refuses invalid products and keeps none of their images', async () => {
    const rowsBefore = await storedFiles();
    const objectsBefore = await objectKeys(path.join(demo.guichetDataDir, 'objects'), 'files');
    assert.deepEqual(
      objectsBefore,
      rowsBefore.map((row) => path.join('files', row.id)).sort(),
      'one object per committed file',
    );

    await page.goto(`${demo.urls.shop}/products/new`);
    await page.getByLabel('Name').fill('');
    await page.getByLabel('Price (EUR)').fill('-3');
    await page.getByLabel('Images').setInputFiles([
      {
        name: 'mug-red.png',
        mimeType: 'image/png',
        buffer: await mugPhoto({ body: '#b5452f', shade: '#7d2c1d', format: 'png' }),
      },
    ]);
    const answer = page.waitForResponse((response) => response.url() === `${demo.urls.shop}/products`);
    await page.getByRole('button', { name: 'Add product' }).click();
    assert.equal((await answer).status(), 400);
    const errors = page.getByTestId('form-errors');
    await errors.waitFor();
    assert.match((await errors.textContent()) ?? '', /Give the product a name/);
    assert.match((await errors.textContent()) ?? '', /price must be more than zero/i);
    assert.equal(await page.getByLabel('Price (EUR)').inputValue(), '-3', 'what was typed is kept');
    await screenshot('invalid-product-refused');

    // The image was staged at Guichet while the form streamed in, then discarded: no row, no object.
    assert.deepEqual(await storedFiles(), rowsBefore);
    assert.deepEqual(await objectKeys(path.join(demo.guichetDataDir, 'objects'), 'files'), objectsBefore);
    const staged = await sql.query('SELECT count(*)::int AS n FROM stored_file WHERE state = $1', ['staged']);
    assert.equal(staged.rows[0].n, 0);

    // Valid fields, but a "photo" that is not an image: Guichet refuses it at commit (422), the
    // product row inserted in the same transaction is rolled back, the staged upload discarded.
    await page.getByLabel('Name').fill('Mystery Mug');
    await page.getByLabel('Price (EUR)').fill('12');
    await page
      .getByLabel('Images')
      .setInputFiles([
        { name: 'mug.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a picture at all\n'.repeat(50)) },
      ]);
    const refused = page.waitForResponse((response) => response.url() === `${demo.urls.shop}/products`);
    await page.getByRole('button', { name: 'Add product' }).click();
    assert.equal((await refused).status(), 422);
    assert.match((await page.getByTestId('form-errors').textContent()) ?? '', /mug\.jpg/);
    await screenshot('fake-image-refused');
    assert.deepEqual(await storedFiles(), rowsBefore);
    assert.deepEqual(await objectKeys(path.join(demo.guichetDataDir, 'objects'), 'files'), objectsBefore);

    await page.goto(`${demo.urls.shop}/products`);
    assert.equal(await page.getByTestId('product-card').count(), 1, 'no product was added');
  });

  it('opens the back office without a second sign-in', async () => {
    navigations.length = 0;
    await page.goto(demo.urls.backoffice);
    await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
    assert.equal(page.url(), `${demo.urls.backoffice}/`);
    // Through Guichet's authorization endpoint and straight back: no sign-in page on the way.
    assert.ok(navigations.some((url) => url.startsWith(`${demo.urls.backoffice}/callback`)));
    assert.ok(!navigations.some((url) => url.includes('/interaction/')), navigations.join('\n'));
    assert.equal((await page.getByTestId('active-business').textContent()) ?? '', 'Northwind Outfitters');
    const members = await page.getByTestId('members').locator('tbody tr').allTextContents();
    assert.equal(members.length, 3);
    assert.ok(members.some((row) => /Grace Hopper.*admin/s.test(row)));
    await screenshot('backoffice-single-sign-on');
  });

  it('follows a business switch made in the shop', async () => {
    await page.goto(`${demo.urls.shop}/products`);
    await page.getByLabel('Business').selectOption({ label: 'Blue Harbor Coffee' });
    await page.getByRole('button', { name: 'Switch' }).click();
    await page.waitForURL(`${demo.urls.shop}/products`);
    assert.equal((await page.getByTestId('active-business').textContent()) ?? '', 'Blue Harbor Coffee');
    // Products belong to a business: Northwind's mug is not in Blue Harbor's catalogue.
    assert.equal(await page.getByTestId('product-card').count(), 0);
    await screenshot('shop-switched-business');

    // Same tokens, new business: the back office's SDK drops its cached context when Guichet's
    // event reaches it (milliseconds over SSE), so allow a moment for the event to travel.
    const deadline = Date.now() + 5_000;
    for (;;) {
      await page.goto(demo.urls.backoffice);
      await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
      const shown = (await page.getByTestId('active-business').textContent()) ?? '';
      if (shown === 'Blue Harbor Coffee') break;
      assert.ok(Date.now() < deadline, `the back office still shows ${shown}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const members = await page.getByTestId('members').locator('tbody tr').allTextContents();
    assert.equal(members.length, 2);
    assert.ok(!members.some((row) => row.includes('Grace Hopper')), 'Grace is not at Blue Harbor');
    await screenshot('backoffice-follows-switch');
  });

  it('signs out of both apps from the back office', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign out' }).waitFor();
    await screenshot('guichet-sign-out-confirm');
    await page.getByRole('button', { name: 'Yes, sign out' }).click();
    await page.waitForURL(`${demo.urls.backoffice}/signed-out`);
    await page.getByRole('heading', { level: 1, name: 'Signed out' }).waitFor();
    await screenshot('backoffice-signed-out');

    // Guichet told the shop by back-channel logout: its session is gone, the landing page shows.
    await page.goto(demo.urls.shop);
    await page.getByRole('heading', { level: 1, name: /Everything your business sells/ }).waitFor();
    assert.equal(await page.getByTestId('active-business').count(), 0);
    // And a page that needs a session sends the person to Guichet's sign-in form again.
    await page.goto(`${demo.urls.shop}/products`);
    await page.getByLabel('Password', { exact: true }).waitFor();
    await screenshot('shop-signed-out');
  });

  it('shows the member list to owners and admins only', async () => {
    // Linus is a member of both businesses: the back office refuses him, with a page that says why.
    const linus = personOf('linus@example.com');
    const other = await browser.newContext({ viewport: desktop, locale: 'en-GB' });
    try {
      const linusPage = await other.newPage();
      await linusPage.goto(demo.urls.backoffice);
      await linusPage.waitForURL((url) => url.origin === demo.urls.guichet);
      await linusPage.getByLabel('Email', { exact: true }).fill(linus.email);
      await linusPage.getByLabel('Password', { exact: true }).fill(linus.password);
      await linusPage.getByLabel('Password', { exact: true }).press('Enter');
      await linusPage.getByRole('heading', { level: 1, name: 'Choose a business' }).waitFor();
      const answer = linusPage.waitForResponse((response) => response.url() === `${demo.urls.backoffice}/`);
      await linusPage.getByRole('button', { name: /Northwind Outfitters/ }).click();
      assert.equal((await answer).status(), 403);
      await linusPage.getByRole('heading', { level: 1, name: 'Admins only' }).waitFor();
      assert.match(
        (await linusPage.locator('main').textContent()) ?? '',
        /Only owners and admins of Northwind Outfitters see its members\. Your role there: member\./,
      );
      assert.equal(await linusPage.getByTestId('members').count(), 0);
      await screenshot('backoffice-admins-only', linusPage);
    } finally {
      await other.close();
    }
  });

  it('had no script error and logged no secret', () => {
    assert.deepEqual(problems, []);
    const output = demo.output();
    for (const person of demo.seeded.people)
      assert.ok(!output.includes(person.password), 'no password logged');
    for (const client of Object.values(demo.seeded.clients))
      assert.ok(!output.includes(client.secret), 'no client secret logged');
    assert.ok(!output.includes(demo.seeded.adminToken), 'no admin token logged');
  });
});
