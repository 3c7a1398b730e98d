// Reviews and sentiment in a real browser: a scrape of the fixture site and
// the sentiment model trained by the pipeline (through the orchestrator),
// then the movie page's reviews (labels beside the reviewer's rating,
// filters, spoilers hidden, long texts collapsed), the sentiment badges and
// filter of /browse, and the sentiment API.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { OUTPUT, hydrated, launchBrowser, startFixtureSite, startServer, type FixtureSite, watchErrors, type Server } from "./support.ts";

let site: FixtureSite;
let server: Server;
let browser: Browser;

async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  const res = await page.goto(server.base + path);
  assert.ok(res, "navigation answered");
  return { page, errors };
}

describe("reviews and sentiment", () => {
  before(async () => {
    site = await startFixtureSite(30);
    server = await startServer({
      env: site.scrapeEnv,
      // The whole graph: Kaggle, the scrape, cleaning, the database, the index and the model.
      prepare: [["pipeline", "run", "--json"]],
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await site?.stop();
  });

  test("a movie page shows its reviews with the model's labels, filters, hidden spoilers and collapsed long texts", async () => {
    const { page, errors } = await open("/browse?sort=sentiment");
    await hydrated(page);
    const badge = page.locator(".movie-card .card-sentiment").first();
    assert.ok(await badge.isVisible(), "cards show the sentiment score");
    await page.locator(".movie-card").first().click();
    await page.waitForSelector("section.movie-reviews");
    const fact = (await page.locator(".fact-sentiment").textContent()) ?? "";
    assert.match(fact, /\d+% positive \(\d+ reviews\)/);
    assert.equal(await page.locator("article.review").count(), 10, "a page of ten");
    for (const r of await page.locator("article.review").all()) {
      assert.match((await r.locator(".review-rating").textContent()) ?? "", /★ \d+\/10/, "the reviewer's rating");
      assert.match((await r.locator(".review-label").textContent()) ?? "", /(Positive|Negative) · \d+%/, "the model's label");
    }

    await page.locator('button[data-filter="negative"]').click();
    await page.waitForFunction(() => document.querySelector('button[data-filter="negative"]')?.getAttribute("aria-pressed") === "true");
    const labels = await page.locator("article.review .review-label").evaluateAll((els) => els.map((e) => e.getAttribute("data-label")));
    assert.ok(labels.length > 0 && labels.every((l) => l === "negative"), `only negative reviews: ${labels}`);
    for (const r of await page.locator("article.review").all()) {
      const rating = Number((((await r.locator(".review-rating").textContent()) ?? "").match(/★ (\d+)/) ?? [])[1]);
      assert.ok(rating <= 5, "the model agrees with the reviewers' low ratings");
    }

    const spoiler = page.locator('article.review[data-spoiler="true"]').first();
    assert.equal(await spoiler.locator(".review-body").count(), 0, "a spoiler's text is hidden");
    await spoiler.locator("button.review-spoiler").click();
    assert.ok(await spoiler.locator(".review-body").isVisible(), "shown when asked for");

    const long = page.locator("article.review", { has: page.locator("button.review-more") }).first();
    const before = ((await long.locator(".review-body").textContent()) ?? "").length;
    assert.equal((await long.locator("button.review-more").textContent())?.trim(), "Read more");
    await long.locator("button.review-more").click();
    await page.waitForFunction(
      (n) => Array.from(document.querySelectorAll("article.review .review-body")).some((b) => (b.textContent ?? "").length > n),
      before,
    );
    assert.equal((await long.locator("button.review-more").textContent())?.trim(), "Show less");
    await page.screenshot({ path: join(OUTPUT, "reviews.png"), fullPage: true });
    assert.deepEqual(errors, [], "no console errors");
    await page.close();
  });

  test("browse filters by sentiment and the API labels a text", async () => {
    const { page, errors } = await open("/browse?sentiment=negative");
    await hydrated(page);
    const pcts = await page.locator(".movie-card .card-sentiment").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-percent"))));
    assert.ok(pcts.every((p) => p < 40), `mostly negative only: ${pcts}`);
    await page.locator('a[data-sentiment="positive"]').click();
    await page.waitForURL(/sentiment=positive/);
    await page.waitForFunction(() => document.querySelectorAll(".movie-card .card-sentiment").length > 0);
    const positive = await page.locator(".movie-card .card-sentiment").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-percent"))));
    assert.ok(positive.length > 0 && positive.every((p) => p >= 70), `mostly positive only: ${positive}`);
    assert.deepEqual(errors, [], "no console errors");
    await page.close();

    const post = (body: string, type = "application/json") =>
      fetch(server.base + "/api/sentiment", { method: "POST", headers: { "content-type": type }, body });
    const good = await post(JSON.stringify({ text: "A moving, beautifully acted film. I loved every minute." }));
    assert.equal(good.status, 200);
    const g = await good.json();
    assert.equal(g.label, "positive");
    assert.ok(g.confidence > 0.5 && g.confidence <= 1);
    const bad = await post(JSON.stringify({ text: "Dull, badly acted and far too long. A waste of time." }));
    assert.equal((await bad.json()).label, "negative");
    assert.equal((await post("{}")).status, 400);
    assert.equal((await post(JSON.stringify({ text: "" }))).status, 400);
  });
});
