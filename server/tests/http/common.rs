//! Starts the real server (the same `startup::build` as `main`) on a random
//! port against a fresh database, and talks HTTP to it.

#![allow(dead_code)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use marquee::Config;

pub const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/catalog/imdb_top_1000.csv");
/// The labelled 50k IMDb reviews (25 MB of gzip).
pub const REVIEWS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/reviews/imdb_reviews_50k.csv.gz");

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub data_dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// What the server scrapes instead of imdb.com: ten fixture films.
    _site: fixture_site::FixtureSite,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Spawns the server with `database_url` (SQLite in a temp dir when `None`)
/// and waits until `/ready` says the sample catalog is loaded.
pub async fn spawn(database_url: Option<String>) -> TestApp {
    spawn_in(tempfile::tempdir().unwrap(), database_url).await
}

/// Like [`spawn`], in an existing data directory.
pub async fn spawn_in(data_dir: tempfile::TempDir, database_url: Option<String>) -> TestApp {
    spawn_with(data_dir, database_url, pipeline::orchestrate::Registry::new()).await
}

/// The admin account every test server has (see [`ADMIN_PASSWORD`]).
pub const ADMIN_USER: &str = "admin";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

fn admin_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| marquee::admin::auth::hash_password(ADMIN_PASSWORD).unwrap())
}

/// Like [`spawn_in`], with `extra` assets in the graph.
pub async fn spawn_with(
    data_dir: tempfile::TempDir,
    database_url: Option<String>,
    extra: pipeline::orchestrate::Registry,
) -> TestApp {
    spawn_configured(data_dir, database_url, extra, &[]).await
}

/// Like [`spawn_with`], with `settings` (environment names and values) over the test defaults.
pub async fn spawn_configured(
    data_dir: tempfile::TempDir,
    database_url: Option<String>,
    extra: pipeline::orchestrate::Registry,
    settings: &[(&str, &str)],
) -> TestApp {
    let mut env = HashMap::new();
    env.insert("MARQUEE_SCHEDULE".to_owned(), "off".to_owned());
    // Training takes ~10 s; the tests that need a model train it themselves.
    env.insert("MARQUEE_SENTIMENT_ON_START".to_owned(), "false".to_owned());
    env.insert("MARQUEE_ADMIN_USER".to_owned(), ADMIN_USER.to_owned());
    env.insert("MARQUEE_ADMIN_PASSWORD_HASH".to_owned(), admin_hash().to_owned());
    env.insert("MARQUEE_DATA_DIR".to_owned(), data_dir.path().display().to_string());
    env.insert("LEPTOS_SITE_ADDR".to_owned(), "127.0.0.1:0".to_owned());
    env.insert("MARQUEE_CATALOG_SOURCE".to_owned(), SAMPLE.to_owned());
    env.insert("MARQUEE_LEPTOS_CONFIG".to_owned(), concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml").to_owned());
    if let Some(url) = database_url {
        env.insert("DATABASE_URL".to_owned(), url);
    }
    // Never imdb.com from a test: a full run scrapes a small fixture site.
    let site = fixture_site::FixtureSite::start(fixture_site::Options {
        films: Some(10),
        real_pages: None,
        ..Default::default()
    })
    .await
    .expect("the fixture site starts");
    env.insert("MARQUEE_SCRAPE_BASE_URL".to_owned(), site.base_url.clone());
    env.insert("MARQUEE_SCRAPE_ALLOW_HOSTS".to_owned(), "127.0.0.1".to_owned());
    env.insert("MARQUEE_SCRAPE_RATE".to_owned(), "1000".to_owned());
    env.insert("MARQUEE_SCRAPE_CONCURRENCY".to_owned(), "8".to_owned());
    env.insert("MARQUEE_SCRAPE_MOVIE_LIMIT".to_owned(), "10".to_owned());
    env.insert("MARQUEE_PRETRAINED_REVIEWS".to_owned(), REVIEWS.to_owned());
    env.extend(settings.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let config = Config::from_sources(&env).expect("valid test configuration");
    let app = marquee::build_with(&config, extra).await.expect("the server starts");
    let base = format!("http://{}", app.addr);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let t = TestApp { base, client, data_dir, shutdown: Some(tx), _site: site };
    t.wait_ready(Duration::from_secs(120)).await;
    t
}

impl TestApp {
    /// Stops the server and hands back its data directory.
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.data_dir, dir)
    }

    pub async fn wait_ready(&self, limit: Duration) {
        let start = Instant::now();
        loop {
            if let Ok(r) = self.client.get(format!("{}/ready", self.base)).send().await {
                let status = r.status();
                let body = r.text().await.unwrap_or_default();
                if status == 200 {
                    return;
                }
                assert!(!body.contains("\"failed\""), "catalog load failed: {body}");
                assert!(start.elapsed() < limit, "not ready after {limit:?}: {body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.text().await.unwrap())
    }
}

/// A MySQL server for the MySQL tests: `MARQUEE_TEST_MYSQL_URL`, else the
/// local default. `None` (skip) only outside CI; under `CI=true` a missing
/// server fails the test.
pub async fn mysql_database() -> Option<MysqlDb> {
    let admin = std::env::var("MARQUEE_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into());
    sqlx::any::install_default_drivers();
    let pool = match sqlx::AnyPool::connect(&admin).await {
        Ok(p) => p,
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED: no MySQL at {admin} ({e}); under CI=true this fails");
            return None;
        }
        Err(e) => panic!("CI=true and MySQL at {admin} is unreachable: {e}"),
    };
    // Databases left by an earlier, crashed run of these tests: only those of
    // a process that is gone (this process's other tests run at the same time).
    let left_behind = |name: &str| {
        let pid =
            name.strip_prefix("marquee_it_").and_then(|r| r.split('_').next()).and_then(|p| p.parse::<u32>().ok());
        pid.is_some_and(|pid| pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists())
    };
    if let Ok(rows) = sqlx::query("SHOW DATABASES LIKE 'marquee\\_it\\_%'").fetch_all(&pool).await {
        for row in rows {
            use sqlx::Row;
            let name = row
                .try_get::<String, _>(0)
                .or_else(|_| row.try_get::<Vec<u8>, _>(0).map(|b| String::from_utf8_lossy(&b).into_owned()));
            if let Ok(name) = name {
                if left_behind(&name) {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS `{name}`")).execute(&pool).await;
                }
            }
        }
    }
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let name = format!("marquee_it_{}_{nanos}", std::process::id());
    sqlx::query(&format!("CREATE DATABASE {name} CHARACTER SET utf8mb4")).execute(&pool).await.unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin.clone());
    Some(MysqlDb { url: format!("{base}/{name}"), name, admin: pool })
}

pub struct MysqlDb {
    pub url: String,
    pub name: String,
    admin: sqlx::AnyPool,
}

impl MysqlDb {
    pub async fn drop_database(self) {
        sqlx::query(&format!("DROP DATABASE IF EXISTS {}", self.name)).execute(&self.admin).await.unwrap();
    }
}

/// The checks every backend must pass, over HTTP.
pub async fn catalog_suite(app: &TestApp) {
    // Home: rows from the database.
    let (status, home) = app.get("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("Top rated"), "home has the top-rated row");
    assert!(home.contains("Most voted"));
    assert!(home.contains("The Shawshank Redemption"), "the best-rated film is on the home page");
    assert!(home.contains("data-row=\"genre-crime\""), "a genre row");
    assert!(home.contains("/pkg/marquee.js") || home.contains("/pkg/marquee"), "hydration scripts are linked");

    // Detail page with the right data.
    let id = pipeline::clean::rules::movie_id(None, Some("The Shawshank Redemption"), Some(1994)).unwrap();
    let (status, page) = app.get(&format!("/movie/{id}")).await;
    assert_eq!(status, 200);
    for needle in [
        "The Shawshank Redemption",
        "1994",
        "2h 22m",
        "9.3",
        "2,343,110",
        "$28.3M",
        "Frank Darabont",
        "Morgan Freeman",
        "Two imprisoned men bond",
    ] {
        assert!(page.contains(needle), "detail page shows {needle}");
    }

    // Unknown ids and hostile ids: 404 page, never 500.
    for bad in [
        "/movie/tt0000000",
        "/movie/%3Cscript%3E",
        "/movie/'%20OR%201=1--",
        &format!("/movie/{}", "x".repeat(300)),
        "/no/such/page",
    ] {
        let (status, body) = app.get(bad).await;
        assert_eq!(status, 404, "{bad}");
        assert!(body.contains("find that page"), "{bad} shows the 404 page");
        assert!(!body.contains("<script>alert"), "{bad}");
    }

    // Browse: sorted by rating, paginated, bad pages clamped.
    let (status, browse) = app.get("/browse").await;
    assert_eq!(status, 200);
    assert!(browse.contains("1000 films · page 1 of 34"), "browse counts the catalog");
    let first = browse.find("The Shawshank Redemption").expect("rating order starts with Shawshank");
    let godfather = browse.find("The Godfather").expect("The Godfather on page 1");
    assert!(first < godfather);
    for q in ["?page=0", "?page=-1", "?page=abc", "?page=99999999999999", "?sort=%27%3B%20DROP%20TABLE%20movies"] {
        let (status, body) = app.get(&format!("/browse{q}")).await;
        assert_eq!(status, 200, "{q}");
        assert!(body.contains("films · page"), "{q}");
    }
    let (status, last) = app.get("/browse?page=500").await;
    assert_eq!(status, 200);
    assert!(last.contains("page 34 of 34"), "a page past the end is the last page");
    let (_, p2) = app.get("/browse?page=2").await;
    assert!(p2.contains("page 2 of 34"));
    assert!(!p2.contains(">The Shawshank Redemption<"), "page 2 does not repeat page 1");
    let (status, crime) = app.get("/browse?genre=Crime&sort=votes").await;
    assert_eq!(status, 200);
    assert!(crime.contains("209 films"), "genre filter");
    let (_, none) = app.get("/browse?genre=%3Cimg%20src%3Dx%3E").await;
    assert!(none.contains("0 films") && !none.contains("<img src=x>"), "hostile genre is escaped");

    // Filters combine with AND, every value bound: counts from the 1000-film catalog.
    for (q, n) in [
        ("genre=Crime&genre=Drama", 160),
        ("genre=Crime&year_from=1970&year_to=1979", 19),
        ("min_rating=8.5", 53),
        ("runtime_max=90", 78),
        ("person=Al%20Pacino", 13),
        ("person=Christopher+Nolan&sort=year", 8),
        ("sort=trending&runtime_min=0", 1000),
        // The Kaggle catalog has no languages (scraped pages add them).
        ("language=English", 0),
        // LIKE wildcards and SQL in a name match nothing, rather than everything.
        ("person=%25", 0),
        ("person=_", 0),
        ("person=%27%20OR%201%3D1--", 0),
        ("genre=Crime&genre=%27%20OR%20%271%27%3D%271", 0),
    ] {
        let (status, body) = app.get(&format!("/browse?{q}")).await;
        assert_eq!(status, 200, "{q}");
        assert!(body.contains(&format!("data-total=\"{n}\"")), "{q}: expected {n} films");
    }
    let (_, nolan) = app.get("/browse?person=Christopher+Nolan&sort=year").await;
    assert!(nolan.contains("Films with Christopher Nolan"));
    let tenet = nolan.find("Tenet").or_else(|| nolan.find("Dunkirk")).expect("Nolan's newest film");
    assert!(tenet < nolan.find("Memento").expect("Memento"), "sorted newest first");
    assert!(home.contains("Trending now") && home.contains("data-row=\"trending\""), "a trending row");
    assert!(page.contains("/browse?person=Frank+Darabont"), "the director links to his films");

    // Security headers: pages allow only scripts carrying this render's nonce.
    for path in ["/", "/browse", "/movie/tt0000000", "/api/search?q=x", "/health"] {
        let r = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        let h = r.headers().clone();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
        let csp = h["content-security-policy"].to_str().unwrap().to_owned();
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("'unsafe-inline' 'unsafe-eval'"),
            "{path}: {csp}"
        );
        let body = r.text().await.unwrap();
        if body.contains("<script") {
            let nonce = csp.split("'nonce-").nth(1).and_then(|n| n.split('\'').next()).expect("pages carry a nonce");
            let scripts = body.matches("<script").count();
            assert_eq!(
                body.matches(&format!("nonce=\"{nonce}\"")).count(),
                scripts,
                "{path}: every script has the nonce"
            );
        }
    }
    let (_, again) = app.get("/").await;
    assert!(!again.contains(&home[home.find("nonce=\"").unwrap()..][..30]), "a fresh nonce per response");

    // The theme: a cookie the server renders, set by a POST that only returns to local paths.
    let r = app.client.get(format!("{}/", app.base)).header("cookie", "marquee_theme=light").send().await.unwrap();
    assert!(r.text().await.unwrap().contains("<html lang=\"en\" class=\"light\""), "light theme rendered");
    let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for (next, location) in
        [("/browse?genre=Crime", "/browse?genre=Crime"), ("//evil.example", "/"), ("https://evil.example", "/")]
    {
        let r = no_redirect
            .post(format!("{}/theme", app.base))
            .form(&[("theme", "light"), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "{next}");
        assert_eq!(r.headers()["location"], location, "{next}");
        assert!(r.headers()["set-cookie"].to_str().unwrap().starts_with("marquee_theme=light;"));
    }

    // Health.
    let (status, _) = app.get("/health").await;
    assert_eq!(status, 200);
    let (status, ready) = app.get("/ready").await;
    assert_eq!(status, 200);
    assert!(ready.contains("\"movies\":1000"), "{ready}");
}

async fn json(app: &TestApp, path: &str) -> (u16, serde_json::Value) {
    let r = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

/// Search over HTTP: the REST API, its validation, and the SSR results page.
pub async fn search_suite(app: &TestApp) {
    let (status, body) = json(app, "/api/search?q=godfather&limit=5").await;
    assert_eq!(status, 200, "{body}");
    let hits = body["hits"].as_array().expect("hits");
    assert!(!hits.is_empty() && hits.len() <= 5);
    assert!(hits[0]["title"].as_str().unwrap().contains("Godfather"), "{body}");
    assert!(hits[0]["director"].is_string(), "hits carry movie details");
    assert!(hits[0]["score"].as_f64().unwrap() > 0.0);

    let (_, exact) = json(app, "/api/search?q=godfather&mode=exact").await;
    assert!(exact["hits"][0]["title"].as_str().unwrap().contains("Godfather"));

    let long = "a".repeat(257);
    for bad in [
        "/api/search",
        "/api/search?q=",
        "/api/search?q=%20%20",
        &format!("/api/search?q={long}"),
        "/api/search?q=x&limit=0",
        "/api/search?q=x&limit=101",
        "/api/search?q=x&limit=abc",
        "/api/search?q=x&year_from=soon",
        "/api/search?q=x&min_rating=11",
        "/api/search?q=x&mode=fast",
    ] {
        let (status, body) = json(app, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["error"].as_str().is_some_and(|m| !m.is_empty()), "{bad} explains itself");
    }
    for hostile in [
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "%27%3B%20DROP%20TABLE%20movies%3B--",
        "%F0%9F%8E%AC%F0%9F%8D%BF",
        "%00%01%02",
        "%E2%80%AE%E2%80%8B",
        "Am%C3%A9lie",
    ] {
        let (status, body) = json(app, &format!("/api/search?q={hostile}")).await;
        assert_eq!(status, 200, "{hostile}: {body}");
    }
    let (_, amelie) = json(app, "/api/search?q=amelie").await;
    assert_eq!(amelie["hits"][0]["title"], "Amélie", "accent folding");

    let (status, filtered) =
        json(app, "/api/search?q=love&genre=Drama&year_from=1990&year_to=2010&min_rating=8&limit=50").await;
    assert_eq!(status, 200);
    let hits = filtered["hits"].as_array().unwrap();
    assert!(!hits.is_empty(), "the filtered search finds films");
    for h in hits {
        let year = h["year"].as_i64().unwrap();
        assert!((1990..=2010).contains(&year), "{h}");
        assert!(h["rating"].as_f64().unwrap() >= 8.0, "{h}");
        assert!(h["genres"].as_array().unwrap().iter().any(|g| g == "Drama"), "{h}");
    }
    let (_, still_100) = json(app, "/api/search?q=the&limit=100").await;
    assert_eq!(still_100["hits"].as_array().unwrap().len(), 100, "limit is honoured");

    let id = pipeline::clean::rules::movie_id(None, Some("The Godfather"), Some(1972)).unwrap();
    let (status, m) = json(app, &format!("/api/movies/{id}")).await;
    assert_eq!((status, m["title"].as_str()), (200, Some("The Godfather")));
    let (status, _) = json(app, "/api/movies/tt0000000").await;
    assert_eq!(status, 404);
    let (status, spec) = json(app, "/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(spec["paths"]["/api/search"]["get"].is_object());
    let (status, docs) = app.get("/api/docs").await;
    assert!(status == 200 && docs.contains("/api/search"));

    let (status, page) = app.get("/search?q=casab").await;
    assert_eq!(status, 200);
    assert!(page.contains("Casablanca") && page.contains("<mark"), "prefix match highlighted");
    let (status, page) = app.get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(status, 200);
    assert!(!page.contains("<script>alert(1)"), "the query is escaped on the page");
    let (status, page) = app.get("/search?q=crime&genre=Crime&min_rating=8.5").await;
    assert_eq!(status, 200);
    assert!(page.contains("search-result flex"), "filtered results");
    let (status, page) = app.get("/search?q=").await;
    assert_eq!(status, 200);
    assert!(!page.contains("search-result flex"), "an empty query shows no results");

    // More like this on the detail page.
    let (_, detail) = app.get(&format!("/movie/{id}")).await;
    assert!(detail.contains("More like this"), "the detail page has similar films");

    // A flood from one client (default 50/s, bursts of 100) is answered 429
    // with Retry-After, never a 500, and the pages still serve.
    let tasks: Vec<_> = (0..300)
        .map(|_| {
            let (client, url) = (app.client.clone(), format!("{}/api/search?q=space", app.base));
            tokio::spawn(async move {
                let r = client.get(url).send().await.unwrap();
                (r.status().as_u16(), r.headers().get("retry-after").is_some())
            })
        })
        .collect();
    let mut counts = HashMap::<u16, usize>::new();
    for t in tasks {
        let (status, retry_after) = t.await.unwrap();
        assert!(status == 200 || (status == 429 && retry_after), "{status}");
        *counts.entry(status).or_default() += 1;
    }
    assert!(counts.get(&429).copied().unwrap_or_default() >= 100, "the flood is throttled: {counts:?}");
    assert!(counts.get(&200).copied().unwrap_or_default() >= 50, "within the burst it is served: {counts:?}");
    assert_eq!(app.get("/").await.0, 200);
}
