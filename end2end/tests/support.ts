// Starts the real release binary on a free port against a fresh SQLite data
// dir, and Debian's Chromium through playwright-core.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const OUTPUT = join(ROOT, "end2end", "output");
mkdirSync(OUTPUT, { recursive: true });

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });
}

export interface Server {
  base: string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Extra environment for the server. */
  env?: Record<string, string>;
  /** Stored with `marquee admin set-password` before the server starts. */
  adminPassword?: string;
  /** `marquee` commands (argument lists) run with the server's environment before it starts. */
  prepare?: string[][];
}

export async function startServer(options: ServerOptions = {}): Promise<Server> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "marquee-e2e-"));
  const bin = process.env.MARQUEE_BIN ?? join(ROOT, "target", "release", "marquee");
  const env = {
    ...process.env,
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    MARQUEE_DATA_DIR: dataDir,
    DATABASE_URL: `sqlite://${dataDir}/marquee.db`,
    MARQUEE_CATALOG_SOURCE: join(ROOT, "..", "shared", "data", "catalog", "imdb_top_1000.csv"),
    MARQUEE_SCHEDULE: "off",
    // Training takes ~10 s; the reviews spec trains through `prepare`.
    MARQUEE_SENTIMENT_ON_START: "false",
    RUST_LOG: "warn,tower_http=off",
    ...(options.env ?? {}),
  };
  if (options.adminPassword !== undefined) {
    const set = spawnSync(bin, ["admin", "set-password"], { cwd: ROOT, env, input: options.adminPassword + "\n" });
    if (set.status !== 0) throw new Error(`admin set-password failed: ${set.stderr}`);
  }
  for (const args of options.prepare ?? []) {
    const run = spawnSync(bin, args, { cwd: ROOT, env, encoding: "utf8", maxBuffer: 64 << 20 });
    if (run.status !== 0) throw new Error(`marquee ${args.join(" ")} failed: ${run.stderr}`);
  }
  const child: ChildProcess = spawn(bin, ["serve"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntil(child, "marquee", `${base}/ready`, 120_000);
  return {
    base,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Collects console errors and uncaught exceptions of a page. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

export async function hydrated(page: Page): Promise<void> {
  await page.waitForSelector("body[data-hydrated=true]", { timeout: 15_000 });
}

export interface FixtureSite {
  base: string;
  /** A server's environment to scrape this site (fast, all of its films). */
  scrapeEnv: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the fixture site (IMDb's page format on 127.0.0.1) with `films` films. */
export async function startFixtureSite(films: number): Promise<FixtureSite> {
  const port = await freePort();
  const bin = process.env.FIXTURE_SITE_BIN ?? join(ROOT, "target", "release", "fixture-site");
  const child: ChildProcess = spawn(bin, ["--port", String(port), "--films", String(films)], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}/`;
  await waitUntil(child, "fixture-site", base + "robots.txt", 30_000);
  return {
    base,
    scrapeEnv: {
      MARQUEE_SCRAPE_BASE_URL: base,
      MARQUEE_SCRAPE_ALLOW_HOSTS: "127.0.0.1",
      MARQUEE_SCRAPE_RATE: "1000",
      MARQUEE_SCRAPE_CONCURRENCY: "8",
      MARQUEE_SCRAPE_MOVIE_LIMIT: String(films),
      MARQUEE_SCRAPE_BACKOFF_MS: "50",
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

/** Waits until `url` answers 200, failing if `child` exits or `ms` pass. */
async function waitUntil(child: ChildProcess, name: string, url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} was not ready within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
