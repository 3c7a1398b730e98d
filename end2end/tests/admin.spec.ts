// The admin as an operator uses it: sign in, start a full run, watch it go
// live (server-sent events, no reload) to success, then look at the assets.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { OUTPUT, hydrated, launchBrowser, startFixtureSite, startServer, type FixtureSite, watchErrors, type Server } from "./support.ts";

// Stored by `marquee admin set-password` (the CLI) before the server starts.
const PASSWORD = "correct horse battery staple";

let site: FixtureSite;
let server: Server;
let browser: Browser;

describe("admin", () => {
  before(async () => {
    // "Run all" scrapes: the fixture site stands in for imdb.com.
    site = await startFixtureSite(10);
    server = await startServer({
      env: {
        MARQUEE_ADMIN_USER: "admin",
        ...site.scrapeEnv,
      },
      adminPassword: PASSWORD,
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await site?.stop();
  });

  test("without a session the admin refuses", async () => {
    for (const path of ["/admin", "/admin/runs", "/api/admin/overview"]) {
      const r = await fetch(server.base + path, { redirect: "manual" });
      assert.equal(r.status, 401, path);
    }
    const r = await fetch(server.base + "/admin/runs", { method: "POST", redirect: "manual" });
    assert.equal(r.status, 401);
  });

  test("sign in, run everything, watch it live to success", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors = watchErrors(page);
    await page.goto(server.base + "/admin/login");
    await hydrated(page);
    await page.locator('input[name="user"]').fill("admin");
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.locator('#login-form button[type="submit"]').click();
    await page.waitForURL(/\/admin$/);
    await page.waitForSelector(".assets-table");
    await hydrated(page);
    assert.ok((await page.locator(".asset-graph .graph-node").count()) >= 4, "the graph is drawn");
    await page.screenshot({ path: join(OUTPUT, "admin-assets.png"), fullPage: true });

    await page.locator("#run-all").click();
    await page.waitForURL(/\/admin\/runs\/r/);
    await hydrated(page);
    // Mark the document: a reload would lose the mark.
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    // Live: log lines appear and assets change state while we watch.
    await page.waitForSelector(".run-log .log-line", { timeout: 30_000 });
    await page.waitForSelector('.materialization[data-asset="database"][data-status="running"], .materialization[data-asset="database"][data-status="succeeded"]', { timeout: 60_000 });
    await page.screenshot({ path: join(OUTPUT, "admin-run-live.png"), fullPage: true });
    await page.waitForSelector('#run-status [data-status="succeeded"]', { timeout: 120_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload), true, "no reload");
    // The whole graph: Kaggle, the scrape, cleaning, the database, the index and the model.
    const assets = await page.locator(".materialization").evaluateAll((els) =>
      els.map((e) => `${e.getAttribute("data-asset")}=${e.getAttribute("data-status")}`),
    );
    for (const name of ["kaggle_catalog", "movies", "thumbnails", "reviews", "pretrained_reviews", "cleaned_movies", "database", "tf_idf", "sentiment_model"]) {
      assert.ok(assets.includes(`${name}=succeeded`), `${name} succeeded: ${assets.join(" ")}`);
    }
    assert.ok(assets.every((a) => a.endsWith("=succeeded")), assets.join(" "));
    assert.ok((await page.locator(".run-log .log-line").count()) > 5);
    await page.screenshot({ path: join(OUTPUT, "admin-run.png"), fullPage: true });

    await page.goto(server.base + "/admin/runs");
    await page.waitForSelector(".runs-table .run-row");
    assert.ok((await page.locator('.run-row[data-status="succeeded"]').count()) >= 2, "start-up and admin runs");
    await page.screenshot({ path: join(OUTPUT, "admin-runs.png"), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
