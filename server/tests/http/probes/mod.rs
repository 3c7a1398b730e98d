//! A counted security probe suite against the real server over HTTP, on
//! SQLite and on MySQL: SQL injection, XSS (reflected, and stored through
//! scraped text), path traversal, open redirects, CSRF, session fixation,
//! login brute force, oversized, malformed and header-borne requests, against
//! every input (query strings, path params, form fields, JSON bodies,
//! headers, raw bytes). Each probe is a request plus a predicate "did the
//! attack work"; the suite counts probes tried and succeeded per category,
//! prints the table, writes it to `$CARGO_TARGET_TMPDIR/probes-<backend>.json`
//! and fails naming every probe that succeeded.
//!
//! `../admin.rs` and `../common.rs` check the defences one example at a time;
//! this is the systematic sweep (payload lists × input surfaces). The
//! predicates themselves are unit-tested at the bottom (they must see real
//! attacks), and every honest baseline page must pass them (they must not cry
//! wolf).
//!
//! This file holds what every probe shares: the common predicate (`judge`),
//! the run that sends, records and reports, and the two suites; `response` is
//! the answer they judge (`Resp`, from reqwest or from raw bytes) and `html`
//! the tokenizer the XSS predicate reads pages with. The probes themselves
//! sit in one file per kind of attack, each an `impl Run` block: `fixtures`
//! (the hostile data seeded, and the honest baselines), `xss`, `injection`,
//! `traversal`, `redirects`, `requests` (JSON bodies, oversized, malformed
//! and header-borne requests) and `admin` (admin inputs, CSRF, session
//! fixation, the sign-in form, brute force).

mod admin;
mod fixtures;
mod html;
mod injection;
mod redirects;
mod requests;
mod response;
mod traversal;
mod xss;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::header::COOKIE;
use reqwest::RequestBuilder;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{self, TestApp};

use response::{parse_raw, Resp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_security_probe_succeeds_on_sqlite() {
    let (app, _flaky) = crate::admin::spawn(None).await;
    let url = format!("sqlite://{}", app.data_dir.path().join("marquee.db").display());
    probe_suite(&app, "sqlite", &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_security_probe_succeeds_on_mysql() {
    let Some(db) = common::mysql_database().await else { return };
    {
        let (app, _flaky) = crate::admin::spawn(Some(db.url.clone())).await;
        probe_suite(&app, "mysql", &db.url).await;
    }
    db.drop_database().await;
}

// Categories (what the attack is) and surfaces (where it goes in).
const SQLI: &str = "sql-injection";
const XSS: &str = "xss";
const TRAVERSAL: &str = "path-traversal";
const REDIRECT: &str = "open-redirect";
const CSRF: &str = "csrf";
const SESSION: &str = "session-fixation";
const BRUTE: &str = "brute-force";
const OVERSIZED: &str = "oversized";
const MALFORMED: &str = "malformed";
const HEADERS: &str = "headers";

const QUERY: &str = "query";
const PATH: &str = "path";
const FORM: &str = "form";
const JSON_BODY: &str = "json";
const HEADER: &str = "header";
const RAW: &str = "raw";
const STORED: &str = "stored";

/// Past this, a request carrying a timing payload is suspect (then re-measured).
const SLOW: Duration = Duration::from_secs(2);

/// Text a database error would show. `near "` and `syntax` are SQLite's and
/// MySQL's parse errors, `SQLSTATE` MySQL's codes.
const DB_ERROR_MARKERS: [&str; 12] = [
    "syntax",
    "sqlstate",
    "sqlite",
    "mysql",
    "mariadb",
    "sqlx",
    "near \"",
    "no such column",
    "no such table",
    "unknown column",
    "unrecognized token",
    "error returned from database",
];

async fn probe_suite(app: &TestApp, backend: &'static str, database_url: &str) {
    let mut run = Run::new(app, backend).await;
    run.setup(database_url).await;
    run.baselines().await;
    run.reflected_xss().await;
    run.sql_injection().await;
    run.path_traversal().await;
    run.theme_redirects().await;
    run.json_bodies().await;
    run.server_function_forms().await;
    run.oversized().await;
    run.malformed().await;
    run.headers().await;
    run.stored_xss().await;
    run.admin_inputs().await;
    run.csrf().await;
    run.session_fixation().await;
    run.login_fields_and_redirects().await;
    run.brute_force().await;
    run.integrity().await;
    run.finish();
}

/// What a probe's answer must not be, besides what every answer must not be.
#[derive(Clone, Copy, Default)]
struct Expect<'a> {
    /// What the attacker sent: left out when looking for leaked error text.
    payload: &'a str,
    /// A refusal is the only right answer: 2xx or 3xx means the attack was accepted.
    refuse: bool,
    /// Closing the connection without an answer is a fine refusal (oversized, malformed).
    silence_ok: bool,
    /// A 5xx that is the right answer here (505 to an unknown HTTP version).
    allowed_5xx: Option<u16>,
    /// A JSON endpoint: it must answer JSON, never something a browser renders.
    json: bool,
}

/// What every answer is judged on: crashes, leaked database errors, active
/// content injected into HTML, files from outside the store, wrong types.
fn judge(r: &Resp, e: Expect, canary: &str) -> Vec<String> {
    let mut f = Vec::new();
    if r.status == 0 && !e.silence_ok {
        f.push(format!("no answer (a panic?): {}", r.body));
    }
    if r.status >= 500 && e.allowed_5xx != Some(r.status) {
        f.push(format!("HTTP {}: {}", r.status, r.snippet()));
    }
    if e.refuse && (200..400).contains(&r.status) {
        f.push(format!("accepted: HTTP {} {}", r.status, r.location()));
    }
    if let Some(m) = leaked_db_error(&r.body, e.payload) {
        f.push(format!("leaks database error text `{m}`: {}", r.snippet()));
    }
    for (marker, what) in
        [("root:x:0:0", "/etc/passwd"), ("SQLite format 3", "the SQLite database"), (canary, "the canary file")]
    {
        if r.body.contains(marker) {
            f.push(format!("discloses {what}"));
        }
    }
    if r.body.contains("[workspace]") || r.body.contains("[package]\nname") {
        f.push("discloses a Cargo.toml".into());
    }
    if r.is_html() {
        f.extend(html::active_content(&r.body));
    }
    // (A 413 from the body limit is `text/plain` with nosniff: not rendered, fine.)
    if e.json && r.status != 0 && r.is_html() {
        f.push(format!("a JSON endpoint answered {:?}", r.header("content-type")));
    }
    f
}

/// A database error's text in `body`, once the attacker's own words are left out.
fn leaked_db_error(body: &str, payload: &str) -> Option<&'static str> {
    let mut text = html::decode(body);
    if !payload.is_empty() {
        text = text.replace(payload, " ");
        let as_json = serde_json::to_string(payload).unwrap_or_default();
        text = text.replace(as_json.trim_matches('"'), " ");
    }
    let text = text.to_lowercase();
    DB_ERROR_MARKERS.into_iter().find(|m| text.contains(m))
}

/// A `Location` that takes the browser off this site (resolved as a browser would).
fn leaves_site(base: &str, location: &str) -> Option<String> {
    if location.is_empty() {
        return None;
    }
    let base = url::Url::parse(base).expect("the base URL parses");
    match base.join(location) {
        Ok(to) if to.origin() == base.origin() => None,
        Ok(to) => Some(format!("redirects off the site: Location `{location}` → {to}")),
        Err(e) => Some(format!("an unparsable Location `{location}` ({e})")),
    }
}

/// Percent-encodes everything but unreserved characters (for paths and queries).
fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Form fields, in order.
type Fields<'a> = Vec<(&'a str, &'a str)>;

struct Outcome {
    category: &'static str,
    surface: &'static str,
    description: String,
    finding: Option<String>,
}

struct Run<'a> {
    app: &'a TestApp,
    backend: &'static str,
    /// Follows no redirects: a 303 is an answer to judge.
    http: reqwest::Client,
    addr: String,
    canary: String,
    outcomes: Vec<Outcome>,
    /// The suite's own preconditions that failed: a probe that cannot see what it tests proves nothing.
    broken: Vec<String>,
    /// A signed-in admin session, its CSRF token, and a finished run.
    session: String,
    csrf: String,
    run_id: String,
}

impl<'a> Run<'a> {
    async fn new(app: &'a TestApp, backend: &'static str) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(45))
            .build()
            .unwrap();
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        Self {
            app,
            backend,
            http,
            addr: app.base.trim_start_matches("http://").to_owned(),
            canary: format!("MARQUEE-PROBE-CANARY-{nanos}"),
            outcomes: Vec::new(),
            broken: Vec::new(),
            session: String::new(),
            csrf: String::new(),
            run_id: String::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.app.base)
    }

    fn record(&mut self, category: &'static str, surface: &'static str, description: String, findings: Vec<String>) {
        let finding = (!findings.is_empty()).then(|| findings.join("; "));
        self.outcomes.push(Outcome { category, surface, description, finding });
    }

    fn require(&mut self, ok: bool, what: String) {
        if !ok {
            self.broken.push(what);
        }
    }

    /// Sends `rb`, waiting out rate limits (429 is not what these probes test).
    async fn send(&self, rb: RequestBuilder) -> Resp {
        for attempt in 0.. {
            let req = rb.try_clone().expect("probe bodies are in memory");
            let started = Instant::now();
            match req.send().await {
                Ok(r) if r.status() == 429 && attempt < 10 => {
                    let wait =
                        r.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok()).unwrap_or(1u64);
                    tokio::time::sleep(Duration::from_secs(wait.clamp(1, 3))).await;
                }
                Ok(r) => return Resp::from_reqwest(r, started).await,
                Err(e) => return Resp::none(format!("{e:?}"), started.elapsed()),
            }
        }
        unreachable!()
    }

    /// Sends `rb` once (429 is an answer).
    async fn send_once(&self, rb: RequestBuilder) -> Resp {
        let started = Instant::now();
        match rb.send().await {
            Ok(r) => Resp::from_reqwest(r, started).await,
            Err(e) => Resp::none(format!("{e:?}"), started.elapsed()),
        }
    }

    async fn get(&self, path: &str) -> Resp {
        self.send(self.http.get(self.url(path))).await
    }

    /// GET as the signed-in admin.
    async fn admin_get(&self, path: &str) -> Resp {
        self.send(self.http.get(self.url(path)).header(COOKIE, format!("marquee_admin={}", self.session))).await
    }

    /// Writes `request` to a fresh connection and reads until the server
    /// closes it or `wait` passes: nothing between the bytes and the server.
    async fn raw(&self, request: &[u8], wait: Duration) -> Resp {
        let started = Instant::now();
        let mut s = match tokio::net::TcpStream::connect(&self.addr).await {
            Ok(s) => s,
            Err(e) => return Resp::none(format!("connect: {e}"), started.elapsed()),
        };
        let _ = s.write_all(request).await;
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(wait, s.read_to_end(&mut buf)).await;
        parse_raw(&buf, started.elapsed())
    }

    fn raw_get(&self, path: &str, extra: &str) -> Vec<u8> {
        format!("GET {path} HTTP/1.1\r\nHost: {}\r\n{extra}Connection: close\r\n\r\n", self.addr).into_bytes()
    }

    /// `None` while the server still answers `/health` on a new connection
    /// (a pooled one may be the one the server just closed on purpose).
    async fn dead(&self) -> Option<String> {
        let fresh =
            reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(10)).build().unwrap();
        let r = self.send(fresh.get(self.url("/health"))).await;
        (r.status != 200).then(|| format!("the server stopped answering afterwards ({}: {})", r.status, r.snippet()))
    }

    /// Judges one GET: the common predicate plus `extra` on the answer.
    async fn probe_get(
        &mut self,
        category: &'static str,
        surface: &'static str,
        path: &str,
        e: Expect<'_>,
        description: String,
    ) -> Resp {
        let r = self.get(path).await;
        let f = judge(&r, e, &self.canary);
        self.record(category, surface, description, f);
        r
    }

    // ---------------------------------------------------------------- report

    fn finish(self) {
        let mut by_category = BTreeMap::<&str, (usize, usize)>::new();
        let mut by_surface = BTreeMap::<&str, (usize, usize)>::new();
        for o in &self.outcomes {
            for (map, key) in [(&mut by_category, o.category), (&mut by_surface, o.surface)] {
                let e = map.entry(key).or_default();
                e.0 += 1;
                e.1 += usize::from(o.finding.is_some());
            }
        }
        let tried = self.outcomes.len();
        let succeeded: Vec<&Outcome> = self.outcomes.iter().filter(|o| o.finding.is_some()).collect();
        let mut table =
            format!("\nsecurity probes on {}\n{:<16} {:>6} {:>10}\n", self.backend, "category", "tried", "succeeded");
        for (k, (t, s)) in &by_category {
            table.push_str(&format!("{k:<16} {t:>6} {s:>10}\n"));
        }
        table.push_str(&format!("{:<16} {tried:>6} {:>10}\nby input: ", "total", succeeded.len()));
        table.push_str(&by_surface.iter().map(|(k, (t, s))| format!("{k} {t}/{s}")).collect::<Vec<_>>().join(", "));
        eprintln!("{table}");

        let counts = |m: &BTreeMap<&str, (usize, usize)>| -> Value {
            m.iter().map(|(k, (t, s))| ((*k).to_owned(), json!({ "tried": t, "succeeded": s }))).collect()
        };
        let report = json!({
            "backend": self.backend,
            "tried": tried,
            "succeeded": succeeded.len(),
            "categories": counts(&by_category),
            "surfaces": counts(&by_surface),
            "findings": succeeded.iter().map(|o| json!({ "category": o.category, "probe": o.description, "finding": o.finding })).collect::<Vec<_>>(),
            "probes": self.outcomes.iter().map(|o| json!({
                "category": o.category, "surface": o.surface, "probe": o.description, "succeeded": o.finding.is_some(),
            })).collect::<Vec<_>>(),
            "suite_preconditions_failed": self.broken,
        });
        let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("probes-{}.json", self.backend));
        std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
        eprintln!("written to {}", path.display());

        assert!(
            self.broken.is_empty(),
            "the probe suite could not observe what it tests:\n  {}",
            self.broken.join("\n  ")
        );
        assert!(tried >= 150, "only {tried} probes ran");
        let list: Vec<String> = succeeded
            .iter()
            .map(|o| format!("[{}] {}: {}", o.category, o.description, o.finding.as_deref().unwrap_or_default()))
            .collect();
        assert!(
            list.is_empty(),
            "{} of {tried} probes succeeded on {}:\n  {}",
            list.len(),
            self.backend,
            list.join("\n  ")
        );
    }
}

// The predicates must see real attacks and stay quiet on escaped text.

#[test]
fn the_xss_predicate_sees_active_content_and_not_escaped_text() {
    let page =
        |body: &str| format!("<html><head><script nonce=\"n\">var x = 1;</script></head><body>{body}</body></html>");
    for attack in [
        "<img src=x onerror=alert(1)>",
        "<input value=\"\" autofocus onfocus=\"alert(1)\">",
        "<SCRIPT>alert(1)</SCRIPT>",
        "<a href=\" JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
        "<base href=\"//evil.example/\">",
        "<svg/onload=alert(1)>",
        // A breakout of a JSON string inside a nonce'd script.
        "<script nonce=\"n\">var d = \"</script><img src=x onerror=alert(1)>\";</script>",
        "<title></title><script>alert(1)</script></title>",
    ] {
        assert!(!html::active_content(&page(attack)).is_empty(), "missed {attack}");
    }
    for harmless in [
        "&lt;img src=x onerror=alert(1)&gt;",
        "<p>\" autofocus onfocus=\"alert(1)</p>",
        "<input value=\"&quot; autofocus onfocus=&quot;alert(1)\">",
        "<title>&lt;/title&gt;&lt;script&gt;alert(1)</title>",
        "<script nonce=\"n\">var d = \"\\u003c/script>\\u003cimg src=x onerror=alert(1)>\";</script>",
        "<a href=\"/search?q=javascript%3Aalert(1)\">x</a>",
        "<textarea></p><img src=x onerror=alert(1)></textarea>",
        "<!-- <img src=x onerror=alert(1)> -->",
    ] {
        assert_eq!(html::active_content(&page(harmless)), Vec::<String>::new(), "{harmless}");
    }
}

#[test]
fn the_redirect_leak_and_parsing_predicates() {
    let base = "http://127.0.0.1:3000";
    for off in ["//evil.example", "/\\evil.example", "https://evil.example", "\t//evil.example", "javascript:alert(1)"]
    {
        assert!(leaves_site(base, off).is_some(), "{off}");
    }
    for local in ["/", "/browse?genre=Crime", "/.//evil.example", "/%2f%2fevil.example", ""] {
        assert_eq!(leaves_site(base, local), None, "{local}");
    }
    assert_eq!(leaked_db_error("error: near \"OR\": syntax error", ""), Some("syntax"));
    assert_eq!(leaked_db_error("SQLSTATE[42000]", ""), Some("sqlstate"));
    assert_eq!(leaked_db_error("Results for “' OR sqlite_version()”", "' OR sqlite_version()"), None);
    assert_eq!(leaked_db_error("<p>The Godfather</p>", ""), None);
    let r = parse_raw(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        Duration::ZERO,
    );
    assert_eq!((r.status, r.body.as_str()), (200, "hello world"));
    assert_eq!(injection::browse_total("<p data-total=\"209\">"), Some(209));
    assert_eq!(injection::search_total("<p>1,000 films · page 1</p>"), Some(1000));
    assert_eq!(injection::search_total("<p>42 films · page 1 of 3</p>"), Some(42));
    assert_eq!(injection::card_ids("<a data-id=\"a\"></a><li data-id=\"b\">"), ["a", "b"]);
}
