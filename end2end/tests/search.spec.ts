// Search as a user does it: type into the header bar, pick a suggestion with
// the keyboard, land on the right film; then a filtered search.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { OUTPUT, hydrated, launchBrowser, startServer, watchErrors, type Server } from "./support.ts";

let server: Server;
let browser: Browser;

describe("search", () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("typing shows suggestions; the keyboard picks one and lands on the film", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(server.base + "/");
    await hydrated(page);
    const bar = page.locator("#q");
    await bar.click();
    await bar.pressSequentially("godfat", { delay: 40 });
    const first = page.locator("#search-suggestions .suggestion").first();
    await first.waitFor({ timeout: 10_000 });
    assert.match((await first.locator(".suggestion-title").textContent()) ?? "", /Godfather/);
    await page.screenshot({ path: join(OUTPUT, "search-suggestions.png") });
    await bar.press("ArrowDown");
    assert.equal(await page.locator("#search-suggestions [aria-selected=true]").count(), 1);
    await bar.press("Enter");
    await page.waitForURL(/\/movie\//);
    await page.waitForSelector("h1.movie-title");
    assert.match((await page.locator("h1.movie-title").textContent()) ?? "", /The Godfather/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("Enter without a pick runs a search; filters narrow it inside the engine", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.base + "/");
    await hydrated(page);
    await page.locator("#q").fill("love");
    await page.locator("#q").press("Enter");
    await page.waitForURL(/\/search\?q=love/);
    await page.waitForSelector(".search-result");
    const all = await page.locator(".search-result").count();
    assert.ok(all > 0);
    assert.ok((await page.locator(".search-result mark").count()) > 0, "matches are highlighted");

    await page.locator('select[name="genre"]').selectOption("Drama");
    await page.locator('input[name="min_rating"]').fill("8.3");
    await page.locator('.search-filters button[type="submit"]').click();
    await page.waitForURL(/genre=Drama/);
    await page.waitForFunction(() => document.querySelector(".search-summary")?.textContent !== "");
    const results = page.locator(".search-result");
    const n = await results.count();
    assert.ok(n > 0, "the filtered search finds films");
    for (let i = 0; i < n; i++) {
      const meta = (await results.nth(i).locator("p").first().textContent()) ?? "";
      const rating = Number(/★ ([\d.]+)/.exec(meta)?.[1]);
      assert.ok(rating >= 8.3, `rating ${rating} ≥ 8.3 in "${meta}"`);
      assert.ok(meta.includes("Drama"), `Drama in "${meta}"`);
    }
    await page.screenshot({ path: join(OUTPUT, "search-filtered.png"), fullPage: true });
    await page.close();
  });
});
