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
//! `admin.rs` and `common.rs` check the defences one example at a time; this
//! is the systematic sweep (payload lists × input surfaces). The predicates
//! themselves are unit-tested at the bottom (they must see real attacks), and
//! every honest baseline page must pass them (they must not cry wolf).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, COOKIE, ORIGIN, REFERER, SET_COOKIE};
use reqwest::RequestBuilder;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::admin::{self, Browser};
use super::common::{self, TestApp, ADMIN_PASSWORD, ADMIN_USER};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_security_probe_succeeds_on_sqlite() {
    let (app, _flaky) = admin::spawn(None).await;
    let url = format!("sqlite://{}", app.data_dir.path().join("marquee.db").display());
    probe_suite(&app, "sqlite", &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_security_probe_succeeds_on_mysql() {
    let Some(db) = common::mysql_database().await else { return };
    {
        let (app, _flaky) = admin::spawn(Some(db.url.clone())).await;
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
/// The admin login throttle (`auth::Throttle::default`): failures allowed per window.
const LOGIN_LIMIT: usize = 5;

const XSS_PAYLOADS: [&str; 4] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "\" autofocus onfocus=\"alert(1)",
    "</script><svg onload=alert(1)>",
];

const SQLI_TEXT: [&str; 7] = [
    "' OR '1'='1",
    "' OR 1=1-- ",
    "\") OR (\"1\"=\"1",
    "' UNION SELECT id, title FROM movies-- ",
    "'; DROP TABLE movies;-- ",
    "\\' OR 1=1#",
    "%' OR '%'='",
];

const SQLI_NUM: [&str; 4] = ["1970 OR 1=1", "1970) AND (1=0", "0 UNION SELECT 1", "1970; DELETE FROM movies"];

/// Payloads that take seconds when they reach a database (MySQL, SQLite, any).
const SQLI_TIME: [&str; 5] = [
    "1' AND SLEEP(3)-- ",
    "1 OR SLEEP(3)",
    "' AND 1=like('ABCDEFG',upper(hex(randomblob(300000000))))-- ",
    "1 AND 1=(SELECT COUNT(*) FROM movies a, movies b, movies c)",
    "1 OR BENCHMARK(40000000,MD5(1))",
];

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

/// The film seeded straight into the catalog, as a scraper could have stored it.
const HOSTILE_ID: &str = "tt9990001";
const HOSTILE_TITLE: &str = "Probe</title><script>alert(1)</script><img src=x onerror=alert(1)>";
/// The bytes of the one real thumbnail the suite puts in the store.
const THUMB_KEY: &str = "0123456789abcdef.jpg";
const THUMB_BYTES: &[u8] = b"\xff\xd8\xff\xe0PROBE-THUMBNAIL";

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

/// One answer, from reqwest or from a raw socket. `status` 0: no answer.
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    elapsed: Duration,
}

impl Resp {
    fn none(why: String, elapsed: Duration) -> Self {
        Self { status: 0, headers: Vec::new(), body: why, elapsed }
    }

    async fn from_reqwest(r: reqwest::Response, started: Instant) -> Self {
        let status = r.status().as_u16();
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let body = match r.bytes().await {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => format!("(body cut off: {e})"),
        };
        Self { status, headers, body, elapsed: started.elapsed() }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn location(&self) -> &str {
        self.header("location").unwrap_or_default()
    }

    fn is_html(&self) -> bool {
        match self.header("content-type") {
            Some(ct) => ct.to_ascii_lowercase().contains("html"),
            // No type: a browser may sniff it as HTML.
            None => self.body.trim_start().starts_with('<'),
        }
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    fn session_cookie(&self) -> Option<String> {
        self.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(SET_COOKIE.as_str())).find_map(|(_, v)| {
            v.strip_prefix("marquee_admin=").map(|r| r.split(';').next().unwrap_or_default().to_owned())
        })
    }

    fn snippet(&self) -> String {
        self.body.chars().take(160).collect::<String>().replace('\n', " ")
    }
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

/// `data-total="N"` of a browse page.
fn browse_total(body: &str) -> Option<u64> {
    let at = body.find("data-total=\"")? + 12;
    body[at..].split('"').next()?.parse().ok()
}

/// The `data-id`s of the movie cards, in page order.
fn card_ids(body: &str) -> Vec<String> {
    body.match_indices("data-id=\"").filter_map(|(i, _)| body[i + 9..].split('"').next().map(str::to_owned)).collect()
}

/// "N films · page …" of the search page (0 for "No films match.").
fn search_total(body: &str) -> Option<u64> {
    if body.contains("No films match.") {
        return Some(0);
    }
    let at = body.find(" films · page")?;
    let digits: String = body[..at].chars().rev().take_while(|c| c.is_ascii_digit() || *c == ',').collect();
    digits.chars().rev().filter(|c| *c != ',').collect::<String>().parse().ok()
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

    // ---------------------------------------------------------------- setup

    /// Canary files, a real thumbnail, the hostile film and review in the
    /// database; then, as the admin, the index rebuilt and the sentiment model
    /// trained (also the positive control: a valid admin action is accepted).
    async fn setup(&mut self, database_url: &str) {
        let dir = self.app.data_dir.path();
        let thumbs = dir.join("objects/media/thumbnails");
        std::fs::create_dir_all(&thumbs).unwrap();
        std::fs::write(thumbs.join(THUMB_KEY), THUMB_BYTES).unwrap();
        for canary in ["canary.txt", "objects/canary.txt", "objects/media/canary.txt"] {
            std::fs::write(dir.join(canary), &self.canary).unwrap();
        }

        let catalog = catalog::db::Catalog::connect(database_url).await.expect("the test reaches the database");
        let report = catalog.upsert_movies(&[hostile_movie()], "probe", |_| {}).await.unwrap();
        assert!(report.rejected.is_empty() && report.inserted == 1, "the hostile film is stored: {report:?}");
        catalog.upsert_reviews(&[hostile_review()]).await.unwrap();
        catalog.close().await;

        let mut admin = Browser::new(self.app);
        admin.login().await;
        let csrf = admin.csrf("/admin").await;
        let origin = self.app.base.clone();
        for asset in ["tf_idf", "pretrained_reviews", "sentiment_model"] {
            let (status, loc) = admin.post("/admin/runs", &[("csrf", &csrf), ("asset", asset)], Some(&origin)).await;
            assert_eq!(status, 303, "control: a valid admin trigger of {asset} is accepted ({loc})");
            let id = loc.trim_start_matches("/admin/runs/").split('?').next().unwrap().to_owned();
            let detail = admin.wait_run(&id, Duration::from_secs(300)).await;
            assert_eq!(detail["run"]["status"], "succeeded", "{asset}: {detail}");
            self.run_id = id;
        }
        self.session = admin.cookie.clone().expect("signed in");
        self.csrf = csrf;

        let r = self.get(&format!("/media/{THUMB_KEY}")).await;
        self.require(
            r.status == 200 && r.body.as_bytes().ends_with(b"PROBE-THUMBNAIL"),
            "control: /media serves a real thumbnail".into(),
        );
    }

    /// Honest pages pass the predicates (no false alarms), and the numbers the
    /// injection probes compare against.
    async fn baselines(&mut self) {
        let godfather = pipeline::clean::rules::movie_id(None, Some("The Godfather"), Some(1972)).unwrap();
        let mut pages = vec![
            "/".to_owned(),
            "/browse".into(),
            "/browse?genre=Crime&sort=votes".into(),
            format!("/movie/{godfather}"),
            "/search?q=godfather".into(),
            "/api/search?q=godfather".into(),
            "/api/docs".into(),
            "/no/such/page".into(),
        ];
        pages.push("/admin/login".into());
        for p in pages {
            let r = self.get(&p).await;
            let f = judge(&r, Expect::default(), &self.canary);
            self.require(
                r.status == 200 || (p == "/no/such/page" && r.status == 404),
                format!("baseline {p}: HTTP {}", r.status),
            );
            self.require(f.is_empty(), format!("baseline {p} trips the predicates: {f:?}"));
        }
        for p in ["/admin", "/admin/runs", &format!("/admin/runs/{}", self.run_id)] {
            let r = self.admin_get(p).await;
            let f = judge(&r, Expect::default(), &self.canary);
            self.require(r.status == 200 && f.is_empty(), format!("baseline {p}: HTTP {} {f:?}", r.status));
        }
    }

    // ------------------------------------------------------------- XSS

    async fn reflected_xss(&mut self) {
        type Surface = (&'static str, &'static str, fn(&str) -> String, bool);
        let surfaces: [Surface; 14] = [
            ("/search?q=", QUERY, |p| format!("/search?q={}", pct(p)), false),
            ("/search genre", QUERY, |p| format!("/search?q=godfather&genre={}", pct(p)), false),
            ("/browse genre", QUERY, |p| format!("/browse?genre={}", pct(p)), false),
            ("/browse person", QUERY, |p| format!("/browse?person={}", pct(p)), false),
            ("/browse language", QUERY, |p| format!("/browse?language={}", pct(p)), false),
            ("/browse sort", QUERY, |p| format!("/browse?sort={}", pct(p)), false),
            ("/browse sentiment + year_from", QUERY, |p| format!("/browse?sentiment={0}&year_from={0}", pct(p)), false),
            ("/browse page", QUERY, |p| format!("/browse?page={}", pct(p)), false),
            ("/movie/:id", PATH, |p| format!("/movie/{}", pct(p)), false),
            ("an unknown path", PATH, |p| format!("/{}", pct(p)), false),
            ("/admin/login next", QUERY, |p| format!("/admin/login?failed=1&next={}", pct(p)), false),
            ("/api/search q", QUERY, |p| format!("/api/search?q={}", pct(p)), true),
            ("/api/movies/:id", PATH, |p| format!("/api/movies/{}", pct(p)), true),
            ("/api/search genre", QUERY, |p| format!("/api/search?q=the&genre={}", pct(p)), true),
        ];
        for (name, surface, path, json) in surfaces {
            for p in XSS_PAYLOADS {
                let e = Expect { payload: p, json, ..Default::default() };
                self.probe_get(XSS, surface, &path(p), e, format!("{name} reflects `{p}`")).await;
            }
        }
        self.probe_get(
            XSS,
            QUERY,
            "/admin/login?next=javascript:alert(1)",
            Expect { payload: "javascript:alert(1)", ..Default::default() },
            "/admin/login next=javascript:alert(1)".into(),
        )
        .await;
        // The 401 page built by hand for browsers (not a Leptos view).
        for p in XSS_PAYLOADS {
            let rb = self.http.get(self.url(&format!("/admin/{}?x={}", pct(p), pct(p)))).header("accept", "text/html");
            let r = self.send(rb).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            if r.status != 401 {
                f.push(format!("an anonymous admin page answered {}", r.status));
            }
            self.record(XSS, PATH, format!("the 401 sign-in page reflects `{p}` from the path"), f);
        }
        // Headers a page could echo: the theme cookie is rendered into <html class>.
        for p in XSS_PAYLOADS {
            let rb = self.http.get(self.url("/")).header(COOKIE, format!("marquee_theme={p}"));
            let r = self.send(rb).await;
            let f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            self.record(XSS, HEADER, format!("the theme cookie `{p}`"), f);
        }
        for header in ["user-agent", "referer", "accept-language"] {
            let p = XSS_PAYLOADS[1];
            let r = self.send(self.http.get(self.url("/search?q=godfather")).header(header, p)).await;
            let f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            self.record(XSS, HEADER, format!("a {header} header `{p}` on /search"), f);
        }
    }

    /// Scraped text with markup, stored in the catalog: every page that shows
    /// it must show it as text. Each page must show the film (else the probe saw nothing).
    async fn stored_xss(&mut self) {
        let pages: [(&str, String); 6] = [
            ("the detail page (title, overview, people, facts, reviews)", format!("/movie/{HOSTILE_ID}")),
            ("the search page", "/search?q=probe".into()),
            ("the browse grid (rating order)", "/browse".into()),
            ("browse by the hostile genre", format!("/browse?genre={}", pct("<svg onload=alert(1)>"))),
            ("browse by the hostile director", format!("/browse?person={}", pct("</script><svg onload=alert(1)>"))),
            ("the search page by a hostile word", "/search?q=onerror".into()),
        ];
        for (what, path) in pages {
            let r = self.get(&path).await;
            let mut f = judge(&r, Expect::default(), &self.canary);
            // The key may travel as data (the hydration JSON); never into an attribute.
            if html::tags(&r.body).iter().any(|t| t.attrs.iter().any(|(_, v)| v.contains("canary.txt"))) {
                f.push("an unvalidated thumbnail key reached an attribute".into());
            }
            self.require(
                r.status == 200 && r.body.contains("Probe"),
                format!("{what}: the hostile film is shown ({path})"),
            );
            self.record(XSS, STORED, format!("scraped markup on {what}"), f);
        }
        let detail = self.get(&format!("/movie/{HOSTILE_ID}")).await;
        self.require(detail.body.contains("A hostile review"), "the detail page shows the hostile review".into());
        // The home page caches its rows for up to 10 s (catalog::db::cache::TTL).
        let started = Instant::now();
        let home = loop {
            let r = self.get("/").await;
            if r.body.contains("Probe") || started.elapsed() > Duration::from_secs(15) {
                break r;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        self.require(home.body.contains("Probe"), "the home page shows the hostile film".into());
        let f = judge(&home, Expect::default(), &self.canary);
        self.record(XSS, STORED, "scraped markup on the home page rows".into(), f);
        // JSON carries the text as data: it must come back exactly, typed as JSON.
        for path in ["/api/search?q=probe&limit=5".to_owned(), format!("/api/movies/{HOSTILE_ID}")] {
            let r = self.get(&path).await;
            let mut f = judge(&r, Expect { json: true, ..Default::default() }, &self.canary);
            let v = r.json();
            let title = v["hits"][0]["title"].as_str().or(v["title"].as_str()).unwrap_or_default().to_owned();
            self.require(title == HOSTILE_TITLE, format!("{path} returns the hostile title as data: {}", r.snippet()));
            if r.header("x-content-type-options") != Some("nosniff") {
                f.push("JSON without nosniff".into());
            }
            self.record(XSS, STORED, format!("scraped markup in {path}"), f);
        }
        let r = self.send(self.http.post(self.url("/api/movie")).form(&[("id", HOSTILE_ID)])).await;
        let f = judge(&r, Expect::default(), &self.canary);
        self.record(XSS, STORED, "scraped markup from the movie server function".into(), f);
    }

    // ------------------------------------------------------- SQL injection

    /// A browse page's total and card order for one parameter value.
    async fn browse(&self, param: &str, value: &str) -> (Resp, Option<u64>, Vec<String>) {
        let r = self.get(&format!("/browse?{param}={}", pct(value))).await;
        let (total, ids) = (browse_total(&r.body), card_ids(&r.body));
        (r, total, ids)
    }

    /// Re-measures a slow timing probe against the honest request: slow twice,
    /// and much slower than the honest one, is a finding.
    async fn slow_twice(&self, first: &Resp, again: RequestBuilder, honest: RequestBuilder) -> Option<String> {
        if first.elapsed <= SLOW {
            return None;
        }
        let (again, honest) = (self.send(again).await, self.send(honest).await);
        (again.elapsed > SLOW && honest.elapsed * 2 < again.elapsed).then(|| {
            format!("took {:?} and {:?} (the honest request {:?})", first.elapsed, again.elapsed, honest.elapsed)
        })
    }

    async fn sql_injection(&mut self) {
        // /browse: every filter. The honest comparison is a value that names
        // nothing; an injection shows as a different result.
        let text = ["genre", "person", "language"];
        let numeric = ["year_from", "year_to", "runtime_min", "runtime_max", "min_rating", "page", "sentiment"];
        for (i, param) in text.iter().chain(&numeric).enumerate() {
            let (_, honest, _) = self.browse(param, "zzqx-no-such-value").await;
            self.require(honest.is_some(), format!("/browse?{param}= shows a total"));
            let payloads: Vec<&str> = if i < text.len() {
                SQLI_TEXT.iter().copied().chain([SQLI_TIME[0], SQLI_TIME[2]]).collect()
            } else {
                SQLI_NUM.iter().copied().chain([SQLI_TIME[(i % 3) + 1]]).collect()
            };
            for p in payloads {
                let (r, total, _) = self.browse(param, p).await;
                let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
                if total != honest {
                    f.push(format!("{total:?} films, {honest:?} for a value that names nothing"));
                }
                let url = self.url(&format!("/browse?{param}={}", pct(p)));
                let honest_url = self.url(&format!("/browse?{param}=zzqx"));
                f.extend(self.slow_twice(&r, self.http.get(url), self.http.get(honest_url)).await);
                self.record(SQLI, QUERY, format!("/browse?{param}={p}"), f);
            }
        }
        let (_, _, default_order) = self.browse("sort", "zzqx").await;
        self.require(default_order.len() >= 30, "/browse shows a page of cards".into());
        for p in [SQLI_TEXT[0], SQLI_TEXT[4], "rating DESC, (SELECT 1)", "title; DROP TABLE movies", SQLI_TIME[3]] {
            let (r, _, order) = self.browse("sort", p).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            if order != default_order {
                f.push("the injected sort changed the order".into());
            }
            self.record(SQLI, QUERY, format!("/browse?sort={p}"), f);
        }

        // /search (HTML) and /api/search (JSON): the engine, then the database by id.
        let garbage_genre = search_total(&self.get("/search?q=the&genre=zzqx").await.body);
        self.require(
            garbage_genre == Some(0),
            format!("/search with an unknown genre finds nothing ({garbage_genre:?})"),
        );
        let api_garbage =
            self.get("/api/search?q=the&genre=zzqx&limit=100").await.json()["hits"].as_array().map(Vec::len);
        for &p in SQLI_TEXT.iter().chain(&[SQLI_TIME[0], SQLI_TIME[2]]) {
            for (base, json) in [("/search?q=", false), ("/api/search?q=", true)] {
                let path = format!("{base}{}", pct(p));
                let r = self.get(&path).await;
                let mut f = judge(&r, Expect { payload: p, json, ..Default::default() }, &self.canary);
                let honest = self.http.get(self.url(&format!("{base}godfather")));
                f.extend(self.slow_twice(&r, self.http.get(self.url(&path)), honest).await);
                self.record(SQLI, QUERY, format!("{base}{p}"), f);
            }
        }
        for &p in &SQLI_TEXT[..3] {
            let r = self.get(&format!("/search?q=the&genre={}", pct(p))).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            let n = search_total(&r.body);
            if n != garbage_genre {
                f.push(format!("{n:?} results, {garbage_genre:?} for an unknown genre"));
            }
            self.record(SQLI, QUERY, format!("/search genre={p}"), f);
            let r = self.get(&format!("/api/search?q=the&limit=100&genre={}", pct(p))).await;
            let mut f = judge(&r, Expect { payload: p, json: true, ..Default::default() }, &self.canary);
            let n = r.json()["hits"].as_array().map(Vec::len);
            if n != api_garbage {
                f.push(format!("{n:?} hits, {api_garbage:?} for an unknown genre"));
            }
            self.record(SQLI, QUERY, format!("/api/search genre={p}"), f);
        }
        for (param, p) in
            [("limit", SQLI_NUM[0]), ("year_from", SQLI_NUM[1]), ("min_rating", SQLI_NUM[2]), ("mode", SQLI_TEXT[0])]
        {
            let path = format!("/api/search?q=godfather&{param}={}", pct(p));
            let r = self.get(&path).await;
            let mut f = judge(&r, Expect { payload: p, json: true, ..Default::default() }, &self.canary);
            if r.status != 400 {
                f.push(format!("a non-{param} value was taken: HTTP {}", r.status));
            }
            self.record(SQLI, QUERY, format!("/api/search {param}={p}"), f);
        }

        // Path params: no id that is not an id finds a film.
        let godfather = pipeline::clean::rules::movie_id(None, Some("The Godfather"), Some(1972)).unwrap();
        for p in [
            format!("{godfather}' OR '1'='1"),
            "' OR 1=1-- ".into(),
            format!("x' UNION SELECT * FROM movies WHERE id='{godfather}"),
        ] {
            for (base, json) in [("/movie/", false), ("/api/movies/", true)] {
                let r = self.get(&format!("{base}{}", pct(&p))).await;
                let mut f = judge(&r, Expect { payload: &p, json, ..Default::default() }, &self.canary);
                if r.status == 200 {
                    f.push("a film was found for an injected id".into());
                }
                self.record(SQLI, PATH, format!("{base}{p}"), f);
            }
        }
    }

    /// Leptos server functions take form fields: the same injections, straight to them.
    async fn server_function_forms(&mut self) {
        let garbage = self.send(self.http.post(self.url("/api/browse")).form(&[("query", "genre=zzqx")])).await;
        let honest = garbage.json()["total"].as_u64();
        self.require(honest == Some(0), format!("POST /api/browse answers JSON with a total: {}", garbage.snippet()));
        for p in [SQLI_TEXT[0], SQLI_TEXT[2], SQLI_TEXT[6]] {
            let query = format!("genre={}", pct(p));
            let r = self.send(self.http.post(self.url("/api/browse")).form(&[("query", query.as_str())])).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            if r.json()["total"].as_u64() != honest {
                f.push(format!("total {:?}, {honest:?} for a genre that names nothing", r.json()["total"]));
            }
            self.record(SQLI, FORM, format!("POST /api/browse query=genre={p}"), f);
        }
        for p in [SQLI_TEXT[0], SQLI_TEXT[1]] {
            let r = self.send(self.http.post(self.url("/api/movie")).form(&[("id", p)])).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            if r.json().is_object() {
                f.push("a film was found for an injected id".into());
            }
            self.record(SQLI, FORM, format!("POST /api/movie id={p}"), f);
            let form = [("id", p), ("filter", "all"), ("page", "1")];
            let r = self.send(self.http.post(self.url("/api/movie_reviews")).form(&form)).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            if r.json()["total"].as_u64().is_some_and(|n| n > 0) {
                f.push("reviews were found for an injected id".into());
            }
            self.record(SQLI, FORM, format!("POST /api/movie_reviews id={p}"), f);
            let r = self.send(self.http.post(self.url("/api/suggest")).form(&[("q", p)])).await;
            let f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            self.record(SQLI, FORM, format!("POST /api/suggest q={p}"), f);
        }
        // Malformed arguments: a client error, never a 500.
        let long = format!("genre={}", "x".repeat(3000));
        let cases: [(&str, Fields, &str); 5] = [
            ("/api/movie_reviews", vec![("id", HOSTILE_ID), ("filter", "all"), ("page", "abc")], "page=abc"),
            ("/api/movie_reviews", vec![("id", HOSTILE_ID), ("page", "-1")], "page=-1"),
            ("/api/browse", vec![], "no arguments"),
            ("/api/browse", vec![("query", long.as_str())], "a 3000-character query"),
            ("/api/movie", vec![("id", "x"), ("id", "y")], "a repeated id"),
        ];
        for (path, form, what) in cases {
            let r = self.send(self.http.post(self.url(path)).form(&form)).await;
            let f = judge(&r, Expect::default(), &self.canary);
            self.record(MALFORMED, FORM, format!("POST {path} with {what}"), f);
        }
        let r = self
            .send(self.http.post(self.url("/api/movie")).header(CONTENT_TYPE, "application/json").body(r#"{"id":5}"#))
            .await;
        let f = judge(&r, Expect::default(), &self.canary);
        self.record(MALFORMED, JSON_BODY, "POST /api/movie with a JSON body of the wrong type".into(), f);
    }

    // ------------------------------------------------------- path traversal

    async fn path_traversal(&mut self) {
        let media = [
            "/media/../../../canary.txt",
            "/media/..%2f..%2f..%2fcanary.txt",
            "/media/%2e%2e%2f%2e%2e%2f%2e%2e%2fcanary.txt",
            "/media/%2e%2e/%2e%2e/%2e%2e/canary.txt",
            "/media/%252e%252e%252f%252e%252e%252f%252e%252e%252fcanary.txt",
            "/media/..%5c..%5c..%5ccanary.txt",
            "/media/....//....//....//canary.txt",
            "/media/..;/..;/..;/canary.txt",
            "/media/..%c0%af..%c0%af..%c0%afcanary.txt",
            "/media/../../canary.txt",
            "/media/..%2f..%2fcanary.txt",
            "/media/..%2fcanary.txt",
            "/media/..%2f..%2f..%2fmarquee.db",
            "/media/0123456789abcdef.jpg/../../../marquee.db",
            "/media/0123456789abcdef.jpg%00/../../../canary.txt",
            "/media/0123456789abcdef.jpg%00.txt",
            "/media/%2fetc%2fpasswd",
            "/media//etc/passwd",
            "/media/%2Fetc%2Fpasswd%00.jpg",
            "/media/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        ];
        for path in media {
            let r = self.raw(&self.raw_get(path, ""), Duration::from_secs(10)).await;
            let mut f = judge(&r, Expect::default(), &self.canary);
            if r.status == 200 && !r.body.ends_with("PROBE-THUMBNAIL") {
                f.push(format!("/media served something that is not a thumbnail: {}", r.snippet()));
            }
            self.record(TRAVERSAL, PATH, format!("GET {path}"), f);
        }
        let assets = [
            "/pkg/../../Cargo.toml",
            "/pkg/..%2f..%2fCargo.toml",
            "/pkg/%2e%2e/%2e%2e/Cargo.toml",
            "/pkg/%252e%252e%252f%252e%252e%252fCargo.toml",
            "/pkg/..%5c..%5cCargo.toml",
            "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            "/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
            "/pkg/../../../../../../../../etc/passwd",
            "//etc/passwd",
            "/pkg//etc/passwd",
            "/favicon.svg/..%2f..%2f..%2fCargo.toml",
            "/movie/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
            "/api/movies/..%2f..%2f..%2fmarquee.db",
            "/movie/%00",
        ];
        for path in assets {
            let r = self.raw(&self.raw_get(path, ""), Duration::from_secs(10)).await;
            let f = judge(&r, Expect::default(), &self.canary);
            self.record(TRAVERSAL, PATH, format!("GET {path}"), f);
        }
        let cookie = format!("Cookie: marquee_admin={}\r\n", self.session);
        for path in ["/admin/runs/..%2f..%2f..%2f..%2fetc%2fpasswd", "/api/admin/run?id=..%2f..%2f..%2fetc%2fpasswd"] {
            let r = self.raw(&self.raw_get(path, &cookie), Duration::from_secs(10)).await;
            let f = judge(&r, Expect::default(), &self.canary);
            self.record(TRAVERSAL, PATH, format!("GET {path} (signed in)"), f);
        }
    }

    // -------------------------------------------------------- open redirect

    async fn theme_redirects(&mut self) {
        for next in REDIRECTS {
            let rb = self.http.post(self.url("/theme")).form(&[("theme", "light"), ("next", next)]);
            let r = self.send(rb).await;
            let mut f = judge(&r, Expect { payload: next, ..Default::default() }, &self.canary);
            f.extend(leaves_site(&self.app.base, r.location()));
            if r.status != 303 {
                f.push(format!("HTTP {} instead of a redirect", r.status));
            }
            self.record(REDIRECT, FORM, format!("POST /theme next={next:?}"), f);
        }
        for path in ["/admin//evil.example", "/admin/%2F%2Fevil.example", "/admin/..%2F..%2F%2F%2Fevil.example"] {
            let r = self.send(self.http.get(self.url(path)).header("accept", "text/html")).await;
            let mut f = judge(&r, Expect::default(), &self.canary);
            for link in ["url=", "href=\""] {
                if let Some(at) = r.body.find(link) {
                    let to = r.body[at + link.len()..].split(['"', '\'']).next().unwrap_or_default();
                    f.extend(leaves_site(&self.app.base, &html::decode(to)));
                }
            }
            self.record(REDIRECT, PATH, format!("the 401 page's sign-in link for {path}"), f);
        }
    }

    // ------------------------------------------------------------ JSON bodies

    async fn json_bodies(&mut self) {
        let (http, url) = (self.http.clone(), self.url("/api/sentiment"));
        let sentiment = |body: Vec<u8>, ct: Option<&str>| {
            let mut rb = http.post(&url).body(body);
            if let Some(ct) = ct {
                rb = rb.header(CONTENT_TYPE, ct);
            }
            rb
        };
        let j = Some("application/json");
        let control = self.send(sentiment(br#"{"text":"A wonderful, moving film."}"#.to_vec(), j)).await;
        self.require(
            control.status == 200 && control.json()["label"].is_string(),
            format!("control: /api/sentiment answers ({})", control.snippet()),
        );

        let deep = format!("{{\"text\":{}", "[".repeat(200_000));
        let wide = format!("{{\"text\":\"a\",\"x\":{}", "[".repeat(200_000));
        let malformed: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
            ("an unclosed object", b"{".to_vec(), j),
            ("a truncated value", br#"{"text":"#.to_vec(), j),
            ("an array", b"[]".to_vec(), j),
            ("null", b"null".to_vec(), j),
            ("a bare string", br#""text""#.to_vec(), j),
            ("text: null", br#"{"text":null}"#.to_vec(), j),
            ("text: a number", br#"{"text":123}"#.to_vec(), j),
            ("text: an array", br#"{"text":["a"]}"#.to_vec(), j),
            ("text: an operator object", br#"{"text":{"$gt":""}}"#.to_vec(), j),
            ("a duplicated key", br#"{"text":"a","text":"b"}"#.to_vec(), j),
            ("text nested 200,000 arrays deep", deep.into_bytes(), j),
            ("an unknown key nesting 200,000 arrays", wide.into_bytes(), j),
            ("invalid UTF-8", b"{\"text\":\"\xff\xfe\xfd\"}".to_vec(), j),
            ("a lone surrogate escape", br#"{"text":"\ud800"}"#.to_vec(), j),
            ("a number past f64", br#"{"text":1e999999}"#.to_vec(), j),
            (
                "a UTF-16 body",
                "{\"text\":\"hi\"}".encode_utf16().flat_map(u16::to_le_bytes).collect(),
                Some("application/json; charset=utf-16"),
            ),
            ("a byte-order mark", b"\xef\xbb\xbf{\"text\":\"fine\"}".to_vec(), j),
            ("gzip-encoded garbage", b"\x1f\x8b\x08\x00garbage".to_vec(), j),
        ];
        for (what, body, ct) in malformed {
            let r = self.send(sentiment(body, ct)).await;
            let mut f = judge(&r, Expect { json: true, ..Default::default() }, &self.canary);
            if r.status == 200 && what != "a byte-order mark" {
                f.push("malformed JSON was accepted".into());
            }
            self.record(MALFORMED, JSON_BODY, format!("/api/sentiment: {what}"), f);
        }
        // A browser can send these cross-site without a preflight: JSON only.
        for ct in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
        ] {
            let r = self.send(sentiment(br#"{"text":"fine"}"#.to_vec(), ct)).await;
            let f = judge(&r, Expect { refuse: true, json: true, ..Default::default() }, &self.canary);
            self.record(HEADERS, HEADER, format!("/api/sentiment with Content-Type {ct:?}"), f);
        }
        let combining = serde_json::to_vec(&json!({ "text": "e\u{301}".repeat(10_000) })).unwrap();
        let escapes = format!("{{\"text\":\"{}\"}}", "\\u00e9".repeat(40_000));
        let oversized: [(&str, Vec<u8>, bool); 4] = [
            ("20,001 characters", serde_json::to_vec(&json!({ "text": "a".repeat(20_001) })).unwrap(), true),
            ("40,000 escaped characters in 240 KB", escapes.into_bytes(), true),
            ("a 1 MB body", serde_json::to_vec(&json!({ "text": "a".repeat(1 << 20) })).unwrap(), true),
            ("20,000 combining characters", combining, false),
        ];
        for (what, body, refuse) in oversized {
            let r = self.send(sentiment(body, j)).await;
            let f = judge(&r, Expect { refuse, json: true, silence_ok: refuse, ..Default::default() }, &self.canary);
            self.record(OVERSIZED, JSON_BODY, format!("/api/sentiment: {what}"), f);
        }
        for (cat, p) in [(XSS, XSS_PAYLOADS[0]), (XSS, XSS_PAYLOADS[3]), (SQLI, SQLI_TEXT[4]), (SQLI, SQLI_TIME[0])] {
            let body = serde_json::to_vec(&json!({ "text": p })).unwrap();
            let r = self.send(sentiment(body, j)).await;
            let mut f = judge(&r, Expect { payload: p, json: true, ..Default::default() }, &self.canary);
            if r.status != 200 || r.elapsed > SLOW {
                f.push(format!("HTTP {} in {:?}", r.status, r.elapsed));
            }
            self.record(cat, JSON_BODY, format!("/api/sentiment text {p}"), f);
        }
        let r = self.send(sentiment(serde_json::to_vec(&json!({ "text": "\u{0}".repeat(1000) })).unwrap(), j)).await;
        let f = judge(&r, Expect { json: true, ..Default::default() }, &self.canary);
        self.record(MALFORMED, JSON_BODY, "/api/sentiment text of 1000 NULs".into(), f);
    }

    // ------------------------------------------------------------- oversized

    async fn oversized(&mut self) {
        let gets: [(&str, String, bool); 6] = [
            ("a 70 KB URL", format!("/search?q={}", "a".repeat(70_000)), false),
            ("6,000 genre parameters", format!("/browse?{}", "genre=Crime&".repeat(6_000)), false),
            ("a 10,000-character API query", format!("/api/search?q={}", "a".repeat(10_000)), true),
            ("a 10,000-character movie id", format!("/movie/{}", "x".repeat(10_000)), false),
            ("a path of 10,000 segments", "/a".repeat(10_000), false),
            ("a 2,000-character person", format!("/browse?person={}", "x".repeat(2_000)), false),
        ];
        for (what, path, refuse) in gets {
            let r = self.get(&path).await;
            let mut f = judge(&r, Expect { refuse, silence_ok: true, ..Default::default() }, &self.canary);
            f.extend(self.dead().await);
            self.record(OVERSIZED, QUERY, what.into(), f);
        }
        let big = "a".repeat(5 << 20);
        let (cookie, csrf) = (format!("marquee_admin={}", self.session), self.csrf.clone());
        let posts: [(&str, Fields, bool); 4] = [
            ("/theme", vec![("theme", "light"), ("next", big.as_str())], false),
            ("/admin/login", vec![("user", ADMIN_USER), ("password", big.as_str()), ("csrf", "x")], false),
            ("/api/browse", vec![("query", big.as_str())], false),
            ("/admin/runs", vec![("csrf", csrf.as_str()), ("asset", big.as_str())], true),
        ];
        for (path, form, signed_in) in posts {
            let mut rb = self.http.post(self.url(path)).header(ORIGIN, &self.app.base).form(&form);
            if signed_in {
                rb = rb.header(COOKIE, &cookie);
            }
            let r = self.send(rb).await;
            let mut f = judge(&r, Expect { refuse: true, silence_ok: true, ..Default::default() }, &self.canary);
            f.extend(self.dead().await);
            self.record(OVERSIZED, FORM, format!("a 5 MB form to {path}"), f);
        }
        let req = format!(
            "POST /theme HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: 99999999999\r\nConnection: close\r\n\r\ntheme=light",
            self.addr
        );
        let r = self.raw(req.as_bytes(), Duration::from_secs(3)).await;
        let mut f = judge(&r, Expect { refuse: true, silence_ok: true, ..Default::default() }, &self.canary);
        f.extend(self.dead().await);
        self.record(OVERSIZED, RAW, "a 100 GB Content-Length with a tiny body".into(), f);
    }

    // ------------------------------------------------------------- malformed

    async fn malformed(&mut self) {
        let h = self.addr.clone();
        let form = "Content-Type: application/x-www-form-urlencoded";
        let reject = Expect { refuse: true, silence_ok: true, ..Default::default() };
        let survive = Expect { silence_ok: true, ..Default::default() };
        let cases: Vec<(&str, Vec<u8>, Expect, u64)> = vec![
            ("an invalid request line", b"GARBAGE\r\n\r\n".to_vec(), reject, 5),
            ("an unknown HTTP version", format!("GET / HTTP/9.9\r\nHost: {h}\r\n\r\n").into_bytes(), Expect { allowed_5xx: Some(505), ..reject }, 5),
            ("an HTTP/0.9 request", b"GET /\r\n\r\n".to_vec(), reject, 5),
            ("a header line without a colon", format!("GET / HTTP/1.1\r\nHost: {h}\r\nNoColonHere\r\n\r\n").into_bytes(), reject, 5),
            ("a control character in the method", format!("G\x01T / HTTP/1.1\r\nHost: {h}\r\n\r\n").into_bytes(), reject, 5),
            ("a NUL byte in the path", format!("GET /\0 HTTP/1.1\r\nHost: {h}\r\n\r\n").into_bytes(), reject, 5),
            ("a NUL byte in a header value", format!("GET / HTTP/1.1\r\nHost: {h}\r\nX-A: a\0b\r\n\r\n").into_bytes(), reject, 5),
            (
                "two different Content-Lengths",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nContent-Length: 11\r\nContent-Length: 5\r\n\r\ntheme=light").into_bytes(),
                reject,
                5,
            ),
            (
                "a negative Content-Length",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nContent-Length: -1\r\n\r\ntheme=light").into_bytes(),
                reject,
                5,
            ),
            (
                "a chunk size that is not hex",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\ntheme=light\r\n0\r\n\r\n").into_bytes(),
                reject,
                5,
            ),
            (
                "a chunk longer than its size",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ntheme=light\r\n0\r\n\r\n").into_bytes(),
                reject,
                5,
            ),
            (
                "a chunk size past 64 bits",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFFFF\r\ntheme=light\r\n0\r\n\r\n").into_bytes(),
                reject,
                5,
            ),
            (
                "an unfinished chunked body",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nTransfer-Encoding: chunked\r\n\r\nb\r\ntheme").into_bytes(),
                reject,
                3,
            ),
            (
                "Transfer-Encoding and Content-Length together",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nb\r\ntheme=light\r\n0\r\n\r\n").into_bytes(),
                survive,
                5,
            ),
            ("non-UTF-8 bytes in the path", [b"GET /movie/\xff\xfe HTTP/1.1\r\nHost: ".as_slice(), h.as_bytes(), b"\r\nConnection: close\r\n\r\n"].concat(), survive, 5),
            ("a folded header line", format!("GET / HTTP/1.1\r\nHost: {h}\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n").into_bytes(), survive, 5),
            ("headers that never end", format!("GET / HTTP/1.1\r\nHost: {h}\r\nX-Slow: ").into_bytes(), survive, 3),
            ("a form body that is not urlencoded", format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nContent-Length: 9\r\nConnection: close\r\n\r\n%%%=%zz&&").into_bytes(), survive, 5),
        ];
        for (what, bytes, e, wait) in cases {
            let r = self.raw(&bytes, Duration::from_secs(wait)).await;
            let mut f = judge(&r, e, &self.canary);
            f.extend(self.dead().await);
            self.record(MALFORMED, RAW, what.into(), f);
        }
        let r = self
            .raw(
                format!("TRACE / HTTP/1.1\r\nHost: {h}\r\nX-Probe-Secret: trace-me\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
                Duration::from_secs(5),
            )
            .await;
        let mut f = judge(&r, Expect::default(), &self.canary);
        if r.body.contains("trace-me") {
            f.push("TRACE echoes request headers (cross-site tracing)".into());
        }
        self.record(MALFORMED, RAW, "TRACE echoing the request".into(), f);
        let r = self
            .raw(
                b"GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
                Duration::from_secs(5),
            )
            .await;
        let mut f = judge(&r, survive, &self.canary);
        if r.body.contains("evil.example") || r.location().contains("evil.example") {
            f.push("the foreign host is echoed".into());
        }
        self.record(MALFORMED, RAW, "an absolute-form target naming another host".into(), f);
    }

    // --------------------------------------------------------------- headers

    async fn headers(&mut self) {
        let h = self.addr.clone();
        let evil_hosts = [
            ("Host: evil.example", "Host: evil.example\r\n".to_owned()),
            ("Host: <script>", "Host: <script>alert(1)</script>\r\n".to_owned()),
            ("no Host", String::new()),
            ("two Hosts", format!("Host: {h}\r\nHost: evil.example\r\n")),
            ("Host with userinfo", format!("Host: {h}@evil.example\r\n")),
        ];
        for (what, host) in evil_hosts {
            for path in ["/", "/admin/login"] {
                let req = format!("GET {path} HTTP/1.1\r\n{host}Connection: close\r\n\r\n");
                let r = self.raw(req.as_bytes(), Duration::from_secs(5)).await;
                let mut f = judge(
                    &r,
                    Expect { silence_ok: true, payload: "<script>alert(1)</script>", ..Default::default() },
                    &self.canary,
                );
                if r.body.contains("evil.example") || r.location().contains("evil.example") {
                    f.push("the Host header is echoed into the page".into());
                }
                self.record(HEADERS, HEADER, format!("{what} on {path}"), f);
            }
        }
        for (name, value) in [
            ("x-forwarded-host", "evil.example"),
            ("forwarded", "host=evil.example;proto=https"),
            ("x-forwarded-proto", "javascript"),
            ("x-forwarded-server", "evil.example"),
        ] {
            for path in ["/", "/admin/login"] {
                let r = self.send(self.http.get(self.url(path)).header(name, value)).await;
                let mut f = judge(&r, Expect::default(), &self.canary);
                if r.body.contains("evil.example") || r.location().contains("evil.example") {
                    f.push(format!("{name} is echoed into the page"));
                }
                self.record(HEADERS, HEADER, format!("{name}: {value} on {path}"), f);
            }
        }
        for name in ["x-original-url", "x-rewrite-url"] {
            let r = self.send(self.http.get(self.url("/")).header(name, "/admin")).await;
            let mut f = judge(&r, Expect::default(), &self.canary);
            if r.body.contains("Asset graph") {
                f.push(format!("{name} reached the admin page"));
            }
            self.record(HEADERS, HEADER, format!("{name}: /admin without a session"), f);
        }
        let cookie = format!("marquee_admin={}", self.session);
        let rb = self
            .http
            .post(self.url("/admin/runs"))
            .header(COOKIE, &cookie)
            .header(ORIGIN, &self.app.base)
            .header("x-http-method-override", "GET")
            .form(&[("asset", "tf_idf")]);
        let r = self.send(rb).await;
        let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
        self.record(HEADERS, HEADER, "X-HTTP-Method-Override: GET on a token-less admin POST".into(), f);
        for (what, value) in [
            ("an injected session id", "marquee_admin=' OR '1'='1".to_owned()),
            ("an 8 KB session id", format!("marquee_admin={}", "a".repeat(8192))),
            ("3,000 cookies", (0..3000).map(|i| format!("c{i}=v")).collect::<Vec<_>>().join("; ")),
        ] {
            let r = self.send(self.http.get(self.url("/api/admin/overview")).header(COOKIE, value)).await;
            let mut f = judge(&r, Expect { silence_ok: true, ..Default::default() }, &self.canary);
            if r.status == 200 {
                f.push("signed in without a session".into());
            }
            self.record(HEADERS, HEADER, format!("{what} in the Cookie header"), f);
        }
        let r = self.send(self.http.get(self.url("/")).header("x-big", "a".repeat(60_000))).await;
        let mut f = judge(&r, Expect { silence_ok: true, ..Default::default() }, &self.canary);
        f.extend(self.dead().await);
        self.record(HEADERS, HEADER, "a 60 KB header".into(), f);
        let mut rb = self.http.get(self.url("/"));
        for i in 0..150 {
            rb = rb.header(format!("x-h{i}"), "v");
        }
        let r = self.send(rb).await;
        let mut f = judge(&r, Expect { silence_ok: true, ..Default::default() }, &self.canary);
        f.extend(self.dead().await);
        self.record(HEADERS, HEADER, "150 headers".into(), f);
        let r = self.send(self.http.get(self.url("/media/fedcba9876543210.jpg")).header("if-none-match", "*")).await;
        let mut f = judge(&r, Expect::default(), &self.canary);
        if r.status != 404 {
            f.push(format!("a missing thumbnail answered {}", r.status));
        }
        self.record(HEADERS, HEADER, "If-None-Match: * for a missing thumbnail".into(), f);
        let ranges = (0..500).map(|i| format!("{i}-{i}")).collect::<Vec<_>>().join(",");
        let r = self
            .send(self.http.get(self.url(&format!("/media/{THUMB_KEY}"))).header("range", format!("bytes={ranges}")))
            .await;
        let f = judge(&r, Expect::default(), &self.canary);
        self.record(HEADERS, HEADER, "500 byte ranges of a thumbnail".into(), f);
        for (path, ct, body) in
            [("/theme", "application/json", r#"{"theme":"light"}"#), ("/admin/login", "text/plain", "user=admin")]
        {
            let r = self
                .send(self.http.post(self.url(path)).header(CONTENT_TYPE, ct).header(ORIGIN, &self.app.base).body(body))
                .await;
            let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
            self.record(HEADERS, HEADER, format!("POST {path} as {ct}"), f);
        }
        let r = self
            .send(
                self.http
                    .get(self.url(&format!("/api/search?q={}", pct(XSS_PAYLOADS[0]))))
                    .header("accept", "text/html"),
            )
            .await;
        let f = judge(&r, Expect { json: true, payload: XSS_PAYLOADS[0], ..Default::default() }, &self.canary);
        self.record(HEADERS, HEADER, "Accept: text/html on /api/search with markup".into(), f);

        // The search rate limit is per connection address, not per claimed one.
        let tasks: Vec<_> = (0..250)
            .map(|i| {
                let rb = self
                    .http
                    .get(self.url("/api/search?q=space"))
                    .header("x-forwarded-for", format!("10.9.{}.{}", i / 250, i % 250))
                    .header("x-real-ip", format!("10.8.0.{}", i % 250));
                tokio::spawn(async move { rb.send().await.map(|r| r.status().as_u16()).unwrap_or(0) })
            })
            .collect();
        let mut limited = 0;
        for t in tasks {
            limited += usize::from(t.await.unwrap() == 429);
        }
        let f = if limited == 0 {
            vec!["250 requests with spoofed X-Forwarded-For were never limited".into()]
        } else {
            vec![]
        };
        self.record(HEADERS, HEADER, "X-Forwarded-For spoofing to dodge the search rate limit".into(), f);
        tokio::time::sleep(Duration::from_secs(3)).await;
    }

    // ------------------------------------------------------------ admin inputs

    async fn admin_inputs(&mut self) {
        let origin = self.app.base.clone();
        let cookie = format!("marquee_admin={}", self.session);
        for (param, garbage) in [("status", "zzqx"), ("asset", "zzqx"), ("trigger", "zzqx")] {
            let honest = self.admin_get(&format!("/api/admin/runs?{param}={garbage}")).await.json()["runs"]
                .as_array()
                .map(Vec::len);
            self.require(honest.is_some(), format!("/api/admin/runs?{param}= answers runs"));
            for p in [SQLI_TEXT[0], SQLI_TEXT[1]] {
                let r = self.admin_get(&format!("/api/admin/runs?{param}={}", pct(p))).await;
                let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
                let n = r.json()["runs"].as_array().map(Vec::len);
                if n != honest {
                    f.push(format!("{n:?} runs, {honest:?} for a value that names nothing"));
                }
                self.record(SQLI, QUERY, format!("/api/admin/runs?{param}={p}"), f);
            }
            for p in [XSS_PAYLOADS[0], XSS_PAYLOADS[1]] {
                let r = self.admin_get(&format!("/admin/runs?{param}={}", pct(p))).await;
                let f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
                self.record(XSS, QUERY, format!("/admin/runs?{param}={p}"), f);
            }
        }
        for p in [format!("{}' OR '1'='1", self.run_id), "' OR 1=1-- ".to_owned()] {
            let r = self.admin_get(&format!("/api/admin/run?id={}", pct(&p))).await;
            let mut f = judge(&r, Expect { payload: &p, ..Default::default() }, &self.canary);
            if r.body.contains("materializations") {
                f.push("a run was found for an injected id".into());
            }
            self.record(SQLI, QUERY, format!("/api/admin/run?id={p}"), f);
        }
        for p in [XSS_PAYLOADS[0], XSS_PAYLOADS[3]] {
            let r = self.admin_get(&format!("/admin/runs/{}", pct(p))).await;
            let f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            self.record(XSS, PATH, format!("/admin/runs/{p}"), f);
        }
        // Stored through an admin form field: the partition is shown on the run's page.
        let p = "</script><script>alert(1)</script><img src=x onerror=alert(1)>";
        let rb = self.http.post(self.url("/admin/runs")).header(COOKIE, &cookie).header(ORIGIN, &origin).form(&[
            ("csrf", self.csrf.as_str()),
            ("asset", "slow_probe"),
            ("partition", p),
        ]);
        let r = self.send(rb).await;
        let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
        self.require(r.status == 303, format!("a partition run of slow_probe starts ({} {})", r.status, r.location()));
        let id = r.location().trim_start_matches("/admin/runs/").split('?').next().unwrap_or_default().to_owned();
        let mut b = Browser::new(self.app);
        b.cookie = Some(self.session.clone());
        b.wait_run(&id, Duration::from_secs(30)).await;
        for page in [format!("/admin/runs/{id}"), "/admin/runs".into(), "/admin".into()] {
            let r = self.admin_get(&page).await;
            self.require(r.body.contains("alert(1)"), format!("{page} shows the hostile partition"));
            f.extend(judge(&r, Expect::default(), &self.canary));
        }
        self.record(XSS, FORM, "a partition with markup, shown on the admin run pages".into(), f);
        for p in [XSS_PAYLOADS[0], SQLI_TEXT[0]] {
            let rb = self
                .http
                .post(self.url("/admin/runs"))
                .header(COOKIE, &cookie)
                .header(ORIGIN, &origin)
                .form(&[("csrf", self.csrf.as_str()), ("asset", p)]);
            let r = self.send(rb).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            if r.status == 303 {
                f.push("a run started for an asset that does not exist".into());
            }
            let cat = if p.contains('<') { XSS } else { SQLI };
            self.record(cat, FORM, format!("POST /admin/runs asset={p}"), f);
        }
    }

    // ------------------------------------------------------------------ CSRF

    async fn csrf(&mut self) {
        let origin = self.app.base.clone();
        let runs_before = self.admin_get("/api/admin/runs").await.json()["runs"].as_array().map(Vec::len);
        let mut anon = Browser::new(self.app);
        let anon_csrf = anon.csrf("/admin/login").await;
        let anon_id = anon.cookie.clone().unwrap();
        let (session, csrf) = (self.session.clone(), self.csrf.clone());
        let port = self.addr.rsplit(':').next().unwrap().to_owned();
        struct Attack {
            name: &'static str,
            cookie: Option<String>,
            csrf: Option<String>,
            origin: Option<String>,
            referer: Option<String>,
        }
        let with =
            |name, cookie: Option<&str>, token: Option<&str>, origin: Option<&str>, referer: Option<&str>| Attack {
                name,
                cookie: cookie.map(str::to_owned),
                csrf: token.map(str::to_owned),
                origin: origin.map(str::to_owned),
                referer: referer.map(str::to_owned),
            };
        let lookalike = format!("http://127.0.0.1:{port}.evil.example");
        let upper = csrf.to_uppercase();
        let s = Some(session.as_str());
        let attacks = [
            with("no token", s, None, Some(&origin), None),
            with("a wrong token", s, Some(&"0".repeat(64)), Some(&origin), None),
            with("another session's token", s, Some(&anon_csrf), Some(&origin), None),
            with("the token in upper case", s, Some(&upper), Some(&origin), None),
            with("the right token from a foreign Origin", s, Some(&csrf), Some("http://evil.example"), None),
            with("the right token with no Origin or Referer", s, Some(&csrf), None, None),
            with("the right token from Origin: null", s, Some(&csrf), Some("null"), None),
            with("the right token with a foreign Referer", s, Some(&csrf), None, Some("http://evil.example/admin")),
            with("the right token from a look-alike Origin", s, Some(&csrf), Some(&lookalike), None),
            with("a token but no session", None, Some(&csrf), Some(&origin), None),
            with("the sign-in form's session and token", Some(&anon_id), Some(&anon_csrf), Some(&origin), None),
        ];
        let run = self.run_id.clone();
        let routes = [
            ("/admin/runs".to_owned(), Some(("asset", "tf_idf"))),
            (format!("/admin/runs/{run}/cancel"), None),
            (format!("/admin/runs/{run}/rerun"), None),
            ("/admin/logout".to_owned(), None),
        ];
        for (path, extra) in &routes {
            for a in &attacks {
                let mut form: Vec<(&str, &str)> = extra.iter().copied().collect();
                if let Some(t) = &a.csrf {
                    form.push(("csrf", t.as_str()));
                }
                let mut rb = self.http.post(self.url(path)).form(&form);
                if let Some(c) = &a.cookie {
                    rb = rb.header(COOKIE, format!("marquee_admin={c}"));
                }
                if let Some(o) = &a.origin {
                    rb = rb.header(ORIGIN, o);
                }
                if let Some(r) = &a.referer {
                    rb = rb.header(REFERER, r);
                }
                let r = self.send(rb).await;
                let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
                self.record(CSRF, FORM, format!("POST {path} with {}", a.name), f);
            }
        }
        // Server functions carry the token in X-CSRF-Token.
        for (name, token, from) in [
            ("no X-CSRF-Token", None, origin.as_str()),
            ("a wrong X-CSRF-Token", Some("0".repeat(64)), origin.as_str()),
            ("another session's X-CSRF-Token", Some(anon_csrf.clone()), origin.as_str()),
            ("the right X-CSRF-Token from a foreign Origin", Some(csrf.clone()), "http://evil.example"),
        ] {
            let mut rb = self
                .http
                .post(self.url("/api/admin/overview"))
                .header(COOKIE, format!("marquee_admin={session}"))
                .header(ORIGIN, from);
            if let Some(t) = token {
                rb = rb.header("x-csrf-token", t);
            }
            let r = self.send(rb).await;
            let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
            self.record(CSRF, HEADER, format!("POST /api/admin/overview with {name}"), f);
        }
        let runs_after = self.admin_get("/api/admin/runs").await.json()["runs"].as_array().map(Vec::len);
        self.require(runs_before.is_some(), "/api/admin/runs answers".into());
        let f =
            if runs_after != runs_before { vec![format!("runs {runs_before:?} → {runs_after:?}")] } else { vec![] };
        self.record(CSRF, FORM, "no refused admin post started a run".into(), f);
        let still = self.admin_get("/admin").await;
        self.require(still.status == 200, "the admin session survives the CSRF probes".into());
        // Control: the same cancel with the right token and Origin is accepted.
        let rb = self
            .http
            .post(self.url(&format!("/admin/runs/{run}/cancel")))
            .header(COOKIE, format!("marquee_admin={session}"))
            .header(ORIGIN, &origin)
            .form(&[("csrf", csrf.as_str())]);
        let r = self.send(rb).await;
        self.require(r.status == 303, format!("control: a valid cancel is accepted ({})", r.status));
    }

    // ------------------------------------------------------- session fixation

    /// Signs in with a fresh sign-in form; the answer to the login post, and the pre-login id.
    async fn login_with(&self, user: &str, password: &str, next: Option<&str>) -> (Resp, String, String) {
        let mut b = Browser::new(self.app);
        let csrf = b.csrf("/admin/login").await;
        let pre = b.cookie.clone().unwrap();
        let mut form = vec![("user", user), ("password", password), ("csrf", csrf.as_str())];
        if let Some(n) = next {
            form.push(("next", n));
        }
        let rb = self
            .http
            .post(self.url("/admin/login"))
            .header(COOKIE, format!("marquee_admin={pre}"))
            .header(ORIGIN, &self.app.base)
            .form(&form);
        (self.send_once(rb).await, pre, csrf)
    }

    async fn session_fixation(&mut self) {
        let cookie = |id: &str| format!("marquee_admin={id}");
        // 1. An id the attacker made up is never adopted.
        let planted = "ab".repeat(32);
        let r = self.send(self.http.get(self.url("/admin/login")).header(COOKIE, cookie(&planted))).await;
        let mut f = Vec::new();
        match r.session_cookie() {
            Some(id) if id != planted => {}
            other => f.push(format!("the planted id was kept ({other:?})")),
        }
        let r = self.send(self.http.get(self.url("/api/admin/overview")).header(COOKIE, cookie(&planted))).await;
        if r.status == 200 {
            f.push("the planted id signs in".into());
        }
        self.record(SESSION, HEADER, "an attacker-chosen session id".into(), f);

        // 2. A real pre-login id planted in the victim's browser is worthless after sign-in.
        let (r, pre, pre_csrf) = self.login_with(ADMIN_USER, ADMIN_PASSWORD, None).await;
        self.require(
            r.status == 303 && r.location() == "/admin",
            format!("control: sign-in works ({} {})", r.status, r.location()),
        );
        let new = r.session_cookie().unwrap_or_default();
        let mut f = Vec::new();
        if new.is_empty() || new == pre {
            f.push(format!("the session id was not rotated at sign-in ({new:?})"));
        }
        let r = self.send(self.http.get(self.url("/api/admin/overview")).header(COOKIE, cookie(&pre))).await;
        if r.status == 200 {
            f.push("the pre-login id is signed in".into());
        }
        self.record(SESSION, HEADER, "a pre-login session id planted before sign-in".into(), f);

        // 3. The signed-in cookie is out of scripts' and other sites' reach, and long.
        let (r, _, _) = self.login_with(ADMIN_USER, ADMIN_PASSWORD, None).await;
        let set = r.header("set-cookie").unwrap_or_default().to_owned();
        let id = r.session_cookie().unwrap_or_default();
        let mut f = Vec::new();
        for attr in ["HttpOnly", "SameSite=Strict"] {
            if !set.contains(attr) {
                f.push(format!("the session cookie lacks {attr}: {set}"));
            }
        }
        if id.len() < 32 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            f.push(format!("a guessable session id `{id}`"));
        }
        self.record(SESSION, HEADER, "the signed-in cookie's attributes and entropy".into(), f);

        // 4. The pre-login CSRF token does not act for the new session.
        let rb = self
            .http
            .post(self.url(&format!("/admin/runs/{}/cancel", self.run_id)))
            .header(COOKIE, cookie(&new))
            .header(ORIGIN, &self.app.base)
            .form(&[("csrf", pre_csrf.as_str())]);
        let r = self.send(rb).await;
        let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
        self.record(SESSION, FORM, "the pre-login CSRF token after sign-in".into(), f);

        // 5. The id in the URL instead of the cookie.
        let r = self.get(&format!("/api/admin/overview?marquee_admin={new}")).await;
        let f = if r.status == 200 { vec!["a session id in the query string signs in".into()] } else { vec![] };
        self.record(SESSION, QUERY, "the session id in the query string".into(), f);

        // 6. Replaying the sign-in post (same pre-login id and token) after it succeeded.
        let rb = self
            .http
            .post(self.url("/admin/login"))
            .header(COOKIE, cookie(&pre))
            .header(ORIGIN, &self.app.base)
            .form(&[("user", ADMIN_USER), ("password", ADMIN_PASSWORD), ("csrf", pre_csrf.as_str())]);
        let r = self.send_once(rb).await;
        let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
        self.record(SESSION, FORM, "a replayed sign-in post with the consumed pre-login id".into(), f);

        // 7. Signing out ends the session for good.
        let mut b = Browser::new(self.app);
        b.cookie = Some(new.clone());
        let token = b.csrf("/admin").await;
        let (status, _) = b.post("/admin/logout", &[("csrf", &token)], Some(&self.app.base.clone())).await;
        self.require(status == 303, format!("control: sign-out works ({status})"));
        let r = self.send(self.http.get(self.url("/api/admin/overview")).header(COOKIE, cookie(&new))).await;
        let f = if r.status == 200 { vec!["the signed-out id still signs in".into()] } else { vec![] };
        self.record(SESSION, HEADER, "a signed-out session id".into(), f);
    }

    // ---------------------------------------- login form fields and redirects

    async fn login_fields_and_redirects(&mut self) {
        // At most four failures: the fifth would throttle this address (the success after resets it).
        for (user, password) in [
            ("admin' -- ", "x"),
            ("admin'#", "x"),
            (ADMIN_USER, "' OR '1'='1"),
            ("' OR 1=1 LIMIT 1-- ", "x' OR 1=1-- "),
        ] {
            let (r, _, _) = self.login_with(user, password, None).await;
            let mut f = judge(&r, Expect { payload: password, ..Default::default() }, &self.canary);
            if !r.location().starts_with("/admin/login?failed=1") {
                f.push(format!("not refused: HTTP {} {}", r.status, r.location()));
            }
            self.record(SQLI, FORM, format!("sign-in user={user:?} password={password:?}"), f);
        }
        for &next in REDIRECTS.iter().take(8).chain(&["/admin/../../evil", "/admin/%2F%2Fevil.example"]) {
            let (r, _, _) = self.login_with(ADMIN_USER, ADMIN_PASSWORD, Some(next)).await;
            let mut f = judge(&r, Expect { payload: next, ..Default::default() }, &self.canary);
            f.extend(leaves_site(&self.app.base, r.location()));
            if r.status != 303 || !r.location().starts_with("/admin") {
                f.push(format!("after sign-in: HTTP {} to `{}`", r.status, r.location()));
            }
            self.record(REDIRECT, FORM, format!("sign-in next={next:?}"), f);
        }
    }

    // ----------------------------------------------------------- brute force

    async fn brute_force(&mut self) {
        // Twenty guesses at once, from a clean slate (the last sign-in reset it).
        let mut b = Browser::new(self.app);
        let csrf = b.csrf("/admin/login").await;
        let pre = b.cookie.clone().unwrap();
        let (http, url, base) = (self.http.clone(), self.url("/admin/login"), self.app.base.clone());
        let guess = |password: String| {
            http.post(&url).header(COOKIE, format!("marquee_admin={pre}")).header(ORIGIN, &base).form(&[
                ("user", ADMIN_USER),
                ("password", password.as_str()),
                ("csrf", csrf.as_str()),
            ])
        };
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let rb = guess(format!("guess-{i}"));
                tokio::spawn(async move { rb.send().await.map(|r| r.status().as_u16()).unwrap_or(0) })
            })
            .collect();
        let mut statuses = BTreeMap::<u16, usize>::new();
        for t in tasks {
            *statuses.entry(t.await.unwrap()).or_default() += 1;
        }
        let evaluated = statuses.get(&303).copied().unwrap_or_default();
        let mut f = Vec::new();
        if evaluated > LOGIN_LIMIT {
            f.push(format!(
                "{evaluated} of 20 parallel guesses were checked ({statuses:?}); the limit is {LOGIN_LIMIT}"
            ));
        }
        if statuses.keys().any(|s| *s >= 500 || *s == 0) {
            f.push(format!("errors: {statuses:?}"));
        }
        self.record(BRUTE, FORM, "20 parallel password guesses".into(), f);

        // Past the limit even the right password is refused, however the client dresses up.
        let right = self.send_once(guess(ADMIN_PASSWORD.to_owned())).await;
        let wrong = self.send_once(guess("still-guessing".to_owned())).await;
        for (what, r) in [("the right password", &right), ("a wrong password", &wrong)] {
            let mut f = judge(r, Expect { refuse: true, ..Default::default() }, &self.canary);
            if r.status != 429 {
                f.push(format!("HTTP {} instead of 429", r.status));
            }
            self.record(BRUTE, FORM, format!("{what} once throttled"), f);
        }
        let f = if right.body != wrong.body || right.status != wrong.status {
            vec!["a throttled answer tells the right password from a wrong one".into()]
        } else {
            vec![]
        };
        self.record(BRUTE, FORM, "throttled answers leak nothing".into(), f);
        for (name, value) in [
            ("x-forwarded-for", "10.9.8.7"),
            ("x-real-ip", "10.9.8.7"),
            ("forwarded", "for=10.9.8.7"),
            ("true-client-ip", "10.9.8.7"),
            ("cf-connecting-ip", "10.9.8.7"),
            ("x-client-ip", "10.9.8.7"),
        ] {
            let r = self.send_once(guess(ADMIN_PASSWORD.to_owned()).header(name, value)).await;
            let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
            self.record(BRUTE, HEADER, format!("the right password with {name}: {value}"), f);
        }
        for user in ["ADMIN", " admin "] {
            let rb = self
                .http
                .post(self.url("/admin/login"))
                .header(COOKIE, format!("marquee_admin={pre}"))
                .header(ORIGIN, &self.app.base)
                .form(&[("user", user), ("password", ADMIN_PASSWORD), ("csrf", csrf.as_str())]);
            let r = self.send_once(rb).await;
            let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
            self.record(BRUTE, FORM, format!("the right password as user {user:?}"), f);
        }
        let mut fresh = Browser::new(self.app);
        let token = fresh.csrf("/admin/login").await;
        let rb = self
            .http
            .post(self.url("/admin/login"))
            .header(COOKIE, format!("marquee_admin={}", fresh.cookie.unwrap()))
            .header(ORIGIN, &self.app.base)
            .form(&[("user", ADMIN_USER), ("password", ADMIN_PASSWORD), ("csrf", token.as_str())]);
        let r = self.send_once(rb).await;
        let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
        self.record(BRUTE, FORM, "the right password from a brand-new session".into(), f);
    }

    // ------------------------------------------------------------- integrity

    async fn integrity(&mut self) {
        let ready = self.get("/ready").await;
        let mut f = Vec::new();
        if !ready.body.contains("\"movies\":1001") {
            f.push(format!("the catalog changed: {}", ready.snippet()));
        }
        let r = self.get("/api/search?q=godfather").await;
        if r.status != 200 || !r.body.contains("The Godfather") {
            f.push(format!("search broke: {}", r.snippet()));
        }
        f.extend(self.dead().await);
        self.record(
            SQLI,
            QUERY,
            "after every probe: the catalog intact (1000 films + the hostile one) and served".into(),
            f,
        );
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

/// `next` values that try to leave the site (browsers read `\` as `/`, drop tabs, …).
const REDIRECTS: [&str; 18] = [
    "//evil.example",
    "https://evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "http:evil.example",
    "https:/evil.example",
    "//evil.example/%2e%2e",
    "/%2f%2fevil.example",
    "/%5cevil.example",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "//%09evil.example",
    "///evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/.//evil.example",
];

fn hostile_movie() -> catalog::Movie {
    let img = "\"><img src=x onerror=alert(1)>";
    catalog::Movie {
        id: HOSTILE_ID.into(),
        imdb_id: Some(HOSTILE_ID.into()),
        title: HOSTILE_TITLE.into(),
        original_title: Some("<script>alert(1)</script>".into()),
        year: Some(2020),
        runtime_minutes: Some(101),
        // Top of the rating order: on the first browse page and the home rows.
        rating: Some(9.95),
        votes: Some(3_000_000),
        certificate: Some("<b onmouseover=alert(1)>R</b>".into()),
        language: Some("\" autofocus onfocus=\"alert(1)".into()),
        languages: vec!["\" autofocus onfocus=\"alert(1)".into()],
        genres: vec!["Drama".into(), "<svg onload=alert(1)>".into()],
        overview: Some(format!("{img} </script><script>alert(1)</script> An overview with onerror in it.")),
        director: Some("</script><svg onload=alert(1)>".into()),
        stars: vec!["javascript:alert(1)".into(), "<iframe src=javascript:alert(1)>".into()],
        cast: vec!["javascript:alert(1)".into(), img.into()],
        writers: vec![img.into()],
        countries: vec![img.into()],
        poster_url: Some("javascript:alert(1)".into()),
        thumbnail: Some(catalog::Thumbnail {
            key: "../../../canary.txt".into(),
            width: 1,
            height: 1,
            placeholder: Some("data:image/jpeg;base64,x);background:url(javascript:alert(1)".into()),
        }),
        ..Default::default()
    }
}

fn hostile_review() -> catalog::db::ReviewRow {
    catalog::db::ReviewRow {
        id: "probe-review-1".into(),
        movie_id: HOSTILE_ID.into(),
        imdb_id: HOSTILE_ID.into(),
        polarity: Some("positive".into()),
        author: Some("<script>alert(1)</script>".into()),
        rating: Some(10),
        summary: Some("\"><img src=x onerror=alert(1)>".into()),
        body: "A hostile review. </script><svg onload=alert(1)> <a href=\"javascript:alert(1)\">a link</a>".into(),
        date: Some("<b>2020</b>".into()),
        helpful_up: Some(1),
        helpful_down: Some(0),
        spoiler: false,
        fetched_at: None,
    }
}

/// Status line, headers and (de-chunked) body of raw response bytes.
fn parse_raw(buf: &[u8], elapsed: Duration) -> Resp {
    if buf.is_empty() {
        return Resp::none("closed without an answer".into(), elapsed);
    }
    let text = String::from_utf8_lossy(buf);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_owned() };
    Resp { status, headers, body, elapsed }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else { break };
        if n == 0 || rest.len() < n {
            out.push_str(&rest[..rest.len().min(n)]);
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Just enough of an HTML tokenizer to see what a browser would make active:
/// tags and attributes outside raw-text elements, where a `<script>` ends at
/// the first `</script` whatever it sits in.
mod html {
    pub struct Tag {
        /// Where its `<` is in the page.
        pub at: usize,
        pub name: String,
        pub attrs: Vec<(String, String)>,
        pub text: String,
    }

    const RAW_TEXT: [&str; 6] = ["script", "style", "title", "textarea", "xmp", "noscript"];
    const URL_ATTRS: [&str; 9] =
        ["href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "ping"];
    const DANGEROUS: [&str; 7] = ["iframe", "frame", "frameset", "object", "embed", "base", "applet"];

    pub fn tags(html: &str) -> Vec<Tag> {
        let lower = html.to_ascii_lowercase();
        let b = html.as_bytes();
        let n = b.len();
        let mut out = Vec::new();
        let mut i = 0;
        while i < n {
            if b[i] != b'<' {
                i += 1;
                continue;
            }
            if lower[i..].starts_with("<!--") {
                i = lower[i + 4..].find("-->").map_or(n, |e| i + 4 + e + 3);
                continue;
            }
            let mut j = i + 1;
            if j < n && matches!(b[j], b'/' | b'!' | b'?') {
                i = lower[j..].find('>').map_or(n, |e| j + e + 1);
                continue;
            }
            let start = j;
            while j < n && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'-' | b':')) {
                j += 1;
            }
            if j == start || !b[start].is_ascii_alphabetic() {
                i += 1;
                continue;
            }
            let name = lower[start..j].to_owned();
            let mut attrs = Vec::new();
            loop {
                while j < n && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                    j += 1;
                }
                if j >= n || b[j] == b'>' {
                    j += 1;
                    break;
                }
                let s = j;
                j += 1; // a name may start with `=`
                while j < n && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/') {
                    j += 1;
                }
                let attr = lower[s..j].to_owned();
                while j < n && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                let mut value = "";
                if j < n && b[j] == b'=' {
                    j += 1;
                    while j < n && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if j < n && matches!(b[j], b'"' | b'\'') {
                        let q = b[j] as char;
                        let vs = j + 1;
                        let ve = html[vs..].find(q).map_or(n, |e| vs + e);
                        value = &html[vs..ve];
                        j = ve + 1;
                    } else {
                        let vs = j;
                        while j < n && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                            j += 1;
                        }
                        value = &html[vs..j];
                    }
                }
                attrs.push((attr, decode(value)));
            }
            let j = j.min(n);
            let mut text = String::new();
            if RAW_TEXT.contains(&name.as_str()) {
                let end = lower[j..].find(&format!("</{name}")).map_or(n, |e| j + e);
                text = html[j..end].to_owned();
                i = end;
            } else {
                i = j;
            }
            out.push(Tag { at: start - 1, name, attrs, text });
        }
        out
    }

    /// What in `html` a browser would run: scripts without the page's nonce,
    /// event handlers, `javascript:` URLs, frames and `<base>`.
    pub fn active_content(html: &str) -> Vec<String> {
        let mut found = Vec::new();
        for t in tags(html) {
            // What precedes the tag, as evidence of where it landed.
            let mut from = t.at.saturating_sub(50);
            while !html.is_char_boundary(from) {
                from += 1;
            }
            let before = &html[from..t.at];
            let show =
                |a: &str, v: &str| format!("…{before}<{} {a}=\"{}\">", t.name, v.chars().take(60).collect::<String>());
            if t.name == "script" && !t.attrs.iter().any(|(a, _)| a == "nonce") {
                found.push(format!(
                    "a <script> without the nonce: …{before}<script>{}",
                    t.text.chars().take(60).collect::<String>()
                ));
            }
            if DANGEROUS.contains(&t.name.as_str()) {
                found.push(format!("an injected …{before}<{}>", t.name));
            }
            for (a, v) in &t.attrs {
                let compact: String = v
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                let script_url = ["javascript:", "vbscript:", "data:text/html"].iter().any(|s| compact.starts_with(s));
                if a.starts_with("on") && compact.contains("alert") {
                    found.push(format!("an event handler {}", show(a, v)));
                } else if URL_ATTRS.contains(&a.as_str()) && script_url {
                    found.push(format!("a script URL {}", show(a, v)));
                } else if a == "srcdoc" && (compact.contains("<script") || compact.contains("onerror")) {
                    found.push(format!("script in srcdoc {}", show(a, v)));
                } else if a == "style" && (compact.contains("javascript:") || compact.contains("expression(")) {
                    found.push(format!("script in a style {}", show(a, v)));
                } else if t.name == "meta" && a == "content" && compact.contains("url=javascript:") {
                    found.push(format!("a refresh to a script URL {}", show(a, v)));
                }
            }
        }
        found
    }

    /// Character references a browser decodes in text and attributes.
    pub fn decode(s: &str) -> String {
        if !s.contains('&') {
            return s.to_owned();
        }
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(at) = rest.find('&') {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            let end = rest[1..].find(|c: char| !c.is_ascii_alphanumeric() && c != '#').map_or(rest.len(), |e| e + 1);
            let name = &rest[1..end];
            let c = match name {
                "quot" => Some('"'),
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "apos" => Some('\''),
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                n if n.starts_with("#x") || n.starts_with("#X") => {
                    u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32)
                }
                n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            match c {
                Some(c) => {
                    out.push(c);
                    rest = rest[end..].strip_prefix(';').unwrap_or(&rest[end..]);
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        out
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
    assert_eq!(browse_total("<p data-total=\"209\">"), Some(209));
    assert_eq!(search_total("<p>1,000 films · page 1</p>"), Some(1000));
    assert_eq!(search_total("<p>42 films · page 1 of 3</p>"), Some(42));
    assert_eq!(card_ids("<a data-id=\"a\"></a><li data-id=\"b\">"), ["a", "b"]);
}
