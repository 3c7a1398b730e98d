//! Starts the real server (the same `startup::build` as `main`) on a random
//! port against a fresh database, and talks HTTP to it.

#![allow(dead_code)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use marquee::{build, Config};

pub const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/catalog/imdb_top_1000.csv");

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub data_dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
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
    let data_dir = tempfile::tempdir().unwrap();
    let mut env = HashMap::new();
    env.insert("MARQUEE_DATA_DIR".to_owned(), data_dir.path().display().to_string());
    env.insert("LEPTOS_SITE_ADDR".to_owned(), "127.0.0.1:0".to_owned());
    env.insert("MARQUEE_CATALOG_SOURCE".to_owned(), SAMPLE.to_owned());
    env.insert("MARQUEE_LEPTOS_CONFIG".to_owned(), concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml").to_owned());
    if let Some(url) = database_url {
        env.insert("DATABASE_URL".to_owned(), url);
    }
    let config = Config::from_sources(&env).expect("valid test configuration");
    let app = build(&config).await.expect("the server starts");
    let base = format!("http://{}", app.addr);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let t = TestApp { base, client, data_dir, shutdown: Some(tx) };
    t.wait_ready(Duration::from_secs(120)).await;
    t
}

impl TestApp {
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

    // Health.
    let (status, _) = app.get("/health").await;
    assert_eq!(status, 200);
    let (status, ready) = app.get("/ready").await;
    assert_eq!(status, 200);
    assert!(ready.contains("\"movies\":1000"), "{ready}");
}
