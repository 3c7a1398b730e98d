// The walking skeleton in a real browser: rows from the database, a card
// opening the right detail page, client-side navigation after hydration,
// and the 404 page.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { OUTPUT, hydrated, launchBrowser, startServer, watchErrors, type Server } from "./support.ts";

let server: Server;
let browser: Browser;

async function open(path: string, width = 1440): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors = watchErrors(page);
  const res = await page.goto(server.base + path);
  assert.ok(res, "navigation answered");
  return { page, errors };
}

describe("catalog", () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the home page shows catalog rows from the database", async () => {
    const { page, errors } = await open("/");
    await hydrated(page);
    const top = page.locator('section[data-row="top-rated"] .movie-card');
    assert.ok((await top.count()) >= 10, "top-rated row has cards");
    assert.equal((await top.first().locator(".card-title").textContent())?.trim(), "The Shawshank Redemption");
    assert.ok((await page.locator('section[data-row="most-voted"] .movie-card').count()) >= 10);
    assert.ok((await page.locator("section.home-row").count()) >= 4, "several rows, genres included");
    assert.equal(await page.locator("img").count(), 0, "no remote images that could break");
    await page.screenshot({ path: join(OUTPUT, "home.png") });
    assert.deepEqual(errors, [], "no console errors");
    await page.close();
  });

  test("clicking a card opens its detail page without a full reload", async () => {
    const { page, errors } = await open("/");
    await hydrated(page);
    await page.evaluate(() => ((window as unknown as { __stayed: number }).__stayed = 1));
    const card = page.locator('section[data-row="top-rated"] .movie-card', { hasText: "The Godfather" }).first();
    await card.click();
    await page.waitForURL(/\/movie\//);
    await page.waitForSelector("h1.movie-title");
    assert.equal((await page.locator("h1.movie-title").textContent())?.trim(), "The Godfather");
    const text = (await page.locator("article.movie-detail").textContent()) ?? "";
    for (const needle of ["1972", "2h 55m", "9.2", "Francis Ford Coppola", "Marlon Brando", "$135M", "organized crime dynasty"]) {
      assert.ok(text.includes(needle), `detail shows ${needle}`);
    }
    assert.equal(await page.evaluate(() => (window as unknown as { __stayed?: number }).__stayed), 1, "client-side navigation kept the page");
    assert.match(await page.title(), /The Godfather · Marquee/);
    await page.screenshot({ path: join(OUTPUT, "detail.png"), fullPage: true });

    // Back to the home page, still client-side.
    await page.goBack();
    await page.waitForSelector('section[data-row="top-rated"]');
    assert.equal(await page.evaluate(() => (window as unknown as { __stayed?: number }).__stayed), 1);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("browse paginates and sorts client-side", async () => {
    const { page, errors } = await open("/browse");
    await hydrated(page);
    await page.evaluate(() => ((window as unknown as { __stayed: number }).__stayed = 1));
    assert.match((await page.locator(".browse-total").textContent()) ?? "", /1000 films · page 1 of 34/);
    await page.locator('a[rel="next"]').click();
    await page.waitForURL(/page=2/);
    await page.waitForFunction(() => document.querySelector(".browse-total")?.textContent?.includes("page 2 of"));
    await page.locator('a[data-sort="year"]').click();
    await page.waitForURL(/sort=year/);
    await page.waitForFunction(() => document.querySelector(".browse-total")?.textContent?.includes("page 1 of"));
    assert.equal(await page.evaluate(() => (window as unknown as { __stayed?: number }).__stayed), 1);
    await page.screenshot({ path: join(OUTPUT, "browse.png") });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("an unknown movie is a 404 page with status 404", async () => {
    const page = await browser.newPage();
    const res = await page.goto(server.base + "/movie/tt0000000");
    assert.equal(res?.status(), 404);
    assert.match((await page.locator(".not-found h1").textContent()) ?? "", /find that page/);
    await page.locator(".not-found a").click();
    await page.waitForURL(server.base + "/");
    await page.screenshot({ path: join(OUTPUT, "not-found-then-home.png") });
    await page.close();
  });

  test("the phone layout renders the rows", async () => {
    const { page } = await open("/", 390);
    await hydrated(page);
    assert.ok((await page.locator(".movie-card").count()) > 20);
    await page.screenshot({ path: join(OUTPUT, "home-390.png") });
    await page.close();
  });
});
