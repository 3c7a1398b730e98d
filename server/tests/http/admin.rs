//! `/admin` and orchestration over real HTTP: refusal without a session,
//! CSRF and origin checks, session rotation, login throttling, triggering,
//! watching (server-sent events), cancelling and re-running runs, `/metrics`.
//! [`admin_suite`] runs on SQLite and on MySQL.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog::runs::Trigger;
use pipeline::orchestrate::{Asset, AssetContext, AssetReport, Registry};
use reqwest::header::{HeaderMap, HeaderValue, COOKIE, LOCATION, ORIGIN, SET_COOKIE};

use super::common::{self, TestApp, ADMIN_PASSWORD, ADMIN_USER};

/// Test-only assets: `slow_probe` (partitioned: sleeps `partition` seconds,
/// or until cancelled) and `flaky_probe` (fails while the flag is set).
pub fn probe_assets() -> (Registry, Arc<AtomicBool>) {
    let fail = Arc::new(AtomicBool::new(false));
    let flag = fail.clone();
    let registry = Registry::new()
        .with(
            Asset::new("slow_probe", |ctx: AssetContext| async move {
                let secs: u64 = ctx.partition.as_deref().and_then(|p| p.parse().ok()).unwrap_or(0);
                ctx.progress.stage("wait", Some(secs.max(1)));
                for i in 0..secs * 10 {
                    if i % 10 == 0 {
                        ctx.progress.note(&format!("second {}", i / 10));
                        ctx.progress.advance(i / 10);
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Ok(AssetReport { rows: Some(secs as i64), ..Default::default() })
            })
            .partitioned()
            .describe("test: waits"),
        )
        .with(
            Asset::new("flaky_probe", move |_ctx: AssetContext| {
                let flag = flag.clone();
                async move {
                    if flag.load(Ordering::SeqCst) {
                        return Err("the probe was told to fail".into());
                    }
                    Ok(AssetReport { rows: Some(1), ..Default::default() })
                }
            })
            .describe("test: fails on demand"),
        );
    (registry, fail)
}

/// A client that follows no redirects and keeps cookies by hand.
pub struct Browser {
    pub base: String,
    client: reqwest::Client,
    pub cookie: Option<String>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Self { base: app.base.clone(), client, cookie: None }
    }

    fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(c) = &self.cookie {
            h.insert(COOKIE, HeaderValue::from_str(&format!("marquee_admin={c}")).unwrap());
        }
        h
    }

    fn remember(&mut self, resp: &reqwest::Response) {
        for v in resp.headers().get_all(SET_COOKIE) {
            let v = v.to_str().unwrap();
            if let Some(rest) = v.strip_prefix("marquee_admin=") {
                let id = rest.split(';').next().unwrap_or_default();
                self.cookie = (!id.is_empty()).then(|| id.to_owned());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> (u16, String) {
        let r = self.client.get(format!("{}{path}", self.base)).headers(self.headers()).send().await.unwrap();
        self.remember(&r);
        let s = r.status().as_u16();
        (s, r.text().await.unwrap_or_default())
    }

    /// A form post from our own origin (or `origin`), returning status and `Location`.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)], origin: Option<&str>) -> (u16, String) {
        let mut req = self.client.post(format!("{}{path}", self.base)).headers(self.headers()).form(form);
        if let Some(o) = origin {
            req = req.header(ORIGIN, o);
        }
        let r = req.send().await.unwrap();
        self.remember(&r);
        let loc = r.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        (r.status().as_u16(), loc)
    }

    /// The CSRF token of the page at `path` (a hidden `csrf` input).
    pub async fn csrf(&mut self, path: &str) -> String {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}");
        let at = body.find("name=\"csrf\"").unwrap_or_else(|| panic!("{path} has a CSRF field"));
        let rest = &body[at..];
        let v = rest.find("value=\"").unwrap() + 7;
        rest[v..v + 64].to_owned()
    }

    pub async fn login(&mut self) {
        let csrf = self.csrf("/admin/login").await;
        let origin = self.base.clone();
        let (status, loc) = self
            .post("/admin/login", &[("user", ADMIN_USER), ("password", ADMIN_PASSWORD), ("csrf", &csrf)], Some(&origin))
            .await;
        assert_eq!((status, loc.as_str()), (303, "/admin"), "signed in");
    }

    pub async fn json(&mut self, path: &str) -> (u16, serde_json::Value) {
        let (s, body) = self.get(path).await;
        (s, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
    }

    /// Waits for run `id` to finish and returns its detail.
    pub async fn wait_run(&mut self, id: &str, limit: Duration) -> serde_json::Value {
        let start = Instant::now();
        loop {
            let (s, v) = self.json(&format!("/api/admin/run?id={id}")).await;
            assert_eq!(s, 200, "{v}");
            let status = v["run"]["status"].as_str().unwrap_or_default().to_owned();
            if !["running", "queued"].contains(&status.as_str()) {
                return v;
            }
            assert!(start.elapsed() < limit, "run {id} still {status} after {limit:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

pub fn run_id(location: &str) -> String {
    location.trim_start_matches("/admin/runs/").split('?').next().unwrap().to_owned()
}

/// Everything the admin must hold, on whichever backend `app` runs.
pub async fn admin_suite(app: &TestApp, flaky: &AtomicBool) {
    let mut anon = Browser::new(app);
    let origin = app.base.clone();

    // 1. Without a session: every admin route, handler and server function refuses.
    for path in [
        "/admin",
        "/admin/runs",
        "/admin/runs/r1",
        "/admin/events",
        "/api/admin/overview",
        "/api/admin/runs",
        "/api/admin/run?id=r1",
    ] {
        let (status, _) = anon.get(path).await;
        assert_eq!(status, 401, "GET {path} without a session");
    }
    for path in ["/admin/runs", "/admin/runs/r1/cancel", "/admin/runs/r1/rerun", "/admin/logout", "/api/admin/overview"]
    {
        let (status, _) = anon.post(path, &[("csrf", "x")], Some(&origin)).await;
        assert_eq!(status, 401, "POST {path} without a session");
    }
    let r = reqwest::Client::new()
        .get(format!("{}/admin/runs", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.text().await.unwrap().contains("/admin/login?next="), "browsers are sent to the login form");

    // 2. The login form: an anonymous session with a CSRF token; its cookie is locked down.
    let r = reqwest::Client::new().get(format!("{}/admin/login", app.base)).send().await.unwrap();
    let set = r.headers().get(SET_COOKIE).expect("a session cookie").to_str().unwrap().to_owned();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attr), "{set}");
    }
    assert!(!set.contains("Secure"), "plain http in tests");
    let r = reqwest::Client::new()
        .get(format!("{}/admin/login", app.base))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get(SET_COOKIE).unwrap().to_str().unwrap().contains("Secure"), "Secure behind TLS");

    let mut admin = Browser::new(app);
    let csrf = admin.csrf("/admin/login").await;
    let pre = admin.cookie.clone().expect("an anonymous session");
    // CSRF and origin on the login itself.
    let (status, _) = admin
        .post("/admin/login", &[("user", ADMIN_USER), ("password", ADMIN_PASSWORD), ("csrf", "0")], Some(&origin))
        .await;
    assert_eq!(status, 403, "wrong login token");
    let (status, _) = admin
        .post(
            "/admin/login",
            &[("user", ADMIN_USER), ("password", ADMIN_PASSWORD), ("csrf", &csrf)],
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(status, 403, "cross-origin login");
    let (status, loc) = admin
        .post("/admin/login", &[("user", ADMIN_USER), ("password", "wrong"), ("csrf", &csrf)], Some(&origin))
        .await;
    assert_eq!(status, 303);
    assert!(loc.starts_with("/admin/login?failed=1"), "{loc}");

    // 3. Login rotates the session id: the anonymous id is worthless afterwards.
    let (status, loc) = admin
        .post(
            "/admin/login",
            &[("user", ADMIN_USER), ("password", ADMIN_PASSWORD), ("csrf", &csrf), ("next", "/admin/runs")],
            Some(&origin),
        )
        .await;
    assert_eq!((status, loc.as_str()), (303, "/admin/runs"));
    let session = admin.cookie.clone().unwrap();
    assert_ne!(session, pre, "a new session id at login");
    let mut fixated = Browser::new(app);
    fixated.cookie = Some(pre);
    assert_eq!(fixated.get("/admin").await.0, 401, "the pre-login id does not sign in");

    // 4. Signed in: the pages and server functions answer.
    let (status, page) = admin.get("/admin").await;
    assert_eq!(status, 200);
    for needle in ["Asset graph", "kaggle_catalog", "cleaned_movies", "tf_idf", "<svg", "Run everything", "Schedule"] {
        assert!(page.contains(needle), "/admin shows {needle}");
    }
    let (status, overview) = admin.json("/api/admin/overview").await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(overview["schedule"], "off");
    let startup = overview["recent"].as_array().unwrap().iter().find(|r| r["trigger"] == "startup").cloned();
    let startup = startup.expect("the start-up load is a run");
    assert_eq!(startup["status"], "succeeded", "{startup}");

    // 5. CSRF on actions: a wrong token, a foreign origin, no origin.
    let page_csrf = admin.csrf("/admin").await;
    assert_eq!(admin.post("/admin/runs", &[("csrf", "0".repeat(64).as_str())], Some(&origin)).await.0, 403);
    assert_eq!(admin.post("/admin/runs", &[("csrf", &page_csrf)], Some("http://evil.example")).await.0, 403);
    assert_eq!(admin.post("/admin/runs", &[("csrf", &page_csrf)], None).await.0, 403, "no Origin or Referer");
    assert_eq!(admin.post("/admin/runs", &[], Some(&origin)).await.0, 403, "no token");

    // 6. Trigger a full run and watch it succeed with rows recorded.
    let (status, loc) = admin.post("/admin/runs", &[("csrf", &page_csrf)], Some(&origin)).await;
    assert_eq!(status, 303, "{loc}");
    let full = run_id(&loc);
    let detail = admin.wait_run(&full, Duration::from_secs(120)).await;
    assert_eq!(detail["run"]["status"], "succeeded", "{detail}");
    assert_eq!(detail["run"]["trigger"], "admin");
    let mats = detail["materializations"].as_array().unwrap();
    let rows = |a: &str| mats.iter().find(|m| m["asset"] == a).and_then(|m| m["rows"].as_i64());
    assert_eq!(rows("cleaned_movies"), Some(1000));
    assert_eq!(rows("database"), Some(1000));
    assert_eq!(rows("tf_idf"), Some(1000));
    assert!(mats.iter().all(|m| m["status"] == "succeeded"), "{detail}");
    assert!(detail["log"].as_array().unwrap().iter().any(|l| l["message"].as_str().unwrap().contains("loaded:")));
    let (status, page) = admin.get(&format!("/admin/runs/{full}")).await;
    assert!(status == 200 && page.contains(&full) && page.contains("succeeded") && page.contains("run-log"));
    // A finished run's event stream says so at once, and ends.
    let (status, sse) = admin.get(&format!("/admin/events?run={full}")).await;
    assert_eq!(status, 200);
    assert!(sse.contains("\"kind\":\"run_finished\"") && sse.contains("\"succeeded\""), "{sse}");

    // 7. Live: a slow partition run streams progress; a second trigger joins it; cancel stops it.
    let (status, loc) = admin
        .post("/admin/runs", &[("csrf", &page_csrf), ("asset", "slow_probe"), ("partition", "30")], Some(&origin))
        .await;
    assert_eq!(status, 303, "{loc}");
    let slow = run_id(&loc);
    let mut stream = reqwest::Client::new()
        .get(format!("{}/admin/events?run={slow}", app.base))
        .header(COOKIE, format!("marquee_admin={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut seen = String::new();
    let t = Instant::now();
    while !seen.contains("\"kind\":\"log\"") {
        assert!(t.elapsed() < Duration::from_secs(10), "live events arrive: {seen}");
        if let Ok(Ok(Some(chunk))) = tokio::time::timeout(Duration::from_secs(5), stream.chunk()).await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    let (a, b) = tokio::join!(
        admin_post(app, &session, "/admin/runs", &page_csrf),
        admin_post(app, &session, "/admin/runs", &page_csrf)
    );
    assert_eq!(a.1, format!("/admin/runs/{slow}?busy=1"), "a trigger during a run lands on that run");
    assert_eq!(b.1, a.1, "two triggers at once start no second run");
    let t = Instant::now();
    let (status, _) = admin.post(&format!("/admin/runs/{slow}/cancel"), &[("csrf", &page_csrf)], Some(&origin)).await;
    assert_eq!(status, 303);
    let detail = admin.wait_run(&slow, Duration::from_secs(5)).await;
    assert!(t.elapsed() < Duration::from_secs(5), "cancel is prompt");
    assert_eq!(detail["run"]["status"], "cancelled", "{detail}");
    assert_eq!(detail["run"]["partition"], "30");
    let mut rest = String::new();
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout(Duration::from_secs(5), stream.chunk()).await {
        rest.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        rest.contains("\"kind\":\"run_finished\"") && rest.contains("cancelled"),
        "the stream ends with the run: {rest}"
    );

    // 8. A failed run re-runs its failures only.
    flaky.store(true, Ordering::SeqCst);
    let (_, loc) = admin.post("/admin/runs", &[("csrf", &page_csrf)], Some(&origin)).await;
    let failed = run_id(&loc);
    let detail = admin.wait_run(&failed, Duration::from_secs(120)).await;
    assert_eq!(detail["run"]["status"], "failed", "{detail}");
    let flaky_row =
        detail["materializations"].as_array().unwrap().iter().find(|m| m["asset"] == "flaky_probe").cloned();
    assert!(flaky_row.unwrap()["error"].as_str().unwrap().contains("told to fail"));
    flaky.store(false, Ordering::SeqCst);
    let (status, loc) =
        admin.post(&format!("/admin/runs/{failed}/rerun"), &[("csrf", &page_csrf)], Some(&origin)).await;
    assert_eq!(status, 303, "{loc}");
    let rerun = run_id(&loc);
    assert_ne!(rerun, failed);
    let detail = admin.wait_run(&rerun, Duration::from_secs(60)).await;
    assert_eq!(detail["run"]["status"], "succeeded", "{detail}");
    assert_eq!(detail["run"]["rerun_of"], failed.as_str());
    let assets: Vec<&str> =
        detail["materializations"].as_array().unwrap().iter().map(|m| m["asset"].as_str().unwrap()).collect();
    assert_eq!(assets, ["flaky_probe"], "only what failed");

    // 9. History filters.
    let (_, runs) = admin.json("/api/admin/runs?status=cancelled").await;
    let runs = runs["runs"].as_array().unwrap();
    assert!(runs.iter().all(|r| r["status"] == "cancelled") && runs.iter().any(|r| r["id"] == slow.as_str()));
    let (_, runs) = admin.json(&format!("/api/admin/runs?trigger={}&asset=flaky_probe", Trigger::Admin)).await;
    assert!(runs["runs"].as_array().unwrap().iter().any(|r| r["id"] == rerun.as_str()));
    let (status, page) = admin.get("/admin/runs?status=failed").await;
    assert!(status == 200 && page.contains(&failed) && !page.contains(&format!("data-run=\"{rerun}\"")));

    // 10. /metrics reads the same rows.
    let (status, metrics) = anon.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(metrics.contains("marquee_pipeline_runs{status=\"succeeded\"}"), "{metrics}");
    assert!(metrics.contains("marquee_pipeline_runs{status=\"cancelled\"} 1"), "{metrics}");
    assert!(metrics.contains("marquee_asset_last_success_timestamp_seconds{asset=\"database\"}"), "{metrics}");
    assert!(metrics.contains("marquee_search_index_documents 1000"), "{metrics}");

    // 11. Sign out: the session is gone.
    let (status, _) = admin.post("/admin/logout", &[("csrf", &page_csrf)], Some(&origin)).await;
    assert_eq!(status, 303);
    let mut old = Browser::new(app);
    old.cookie = Some(session);
    assert_eq!(old.get("/api/admin/overview").await.0, 401, "signed out");

    // 12. Throttling: after 5 failures from one IP, 429 with Retry-After (even for the right password).
    let mut guesser = Browser::new(app);
    let csrf = guesser.csrf("/admin/login").await;
    for _ in 0..5 {
        let (s, _) = guesser
            .post("/admin/login", &[("user", ADMIN_USER), ("password", "guess"), ("csrf", &csrf)], Some(&origin))
            .await;
        assert_eq!(s, 303);
    }
    let r = reqwest::Client::new()
        .post(format!("{}/admin/login", app.base))
        .header(COOKIE, format!("marquee_admin={}", guesser.cookie.clone().unwrap()))
        .header(ORIGIN, &origin)
        .form(&[("user", ADMIN_USER), ("password", ADMIN_PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
}

async fn admin_post(app: &TestApp, session: &str, path: &str, csrf: &str) -> (u16, String) {
    let mut b = Browser::new(app);
    b.cookie = Some(session.to_owned());
    b.post(path, &[("csrf", csrf)], Some(&app.base)).await
}

/// Spawns a server with the probe assets.
pub async fn spawn(database_url: Option<String>) -> (TestApp, Arc<AtomicBool>) {
    let (registry, flaky) = probe_assets();
    (common::spawn_with(tempfile::tempdir().unwrap(), database_url, registry).await, flaky)
}
