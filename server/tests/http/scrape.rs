//! The scraper end to end through the orchestrator: `marquee pipeline run`
//! against the fixture site (1000 films, the nine real pages, thumbnails,
//! reviews), then the real server shows the films with our thumbnails; and a
//! run killed with SIGKILL resumes where it stopped (its lease taken over at
//! once, the dead run marked failed).

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use fixture_site::{FixtureSite, Options};

use super::common;

pub fn scrape_env(site: &FixtureSite, data_dir: &Path, limit: usize, rate: &str) -> HashMap<String, String> {
    let mut env = HashMap::new();
    env.insert("MARQUEE_DATA_DIR".into(), data_dir.display().to_string());
    env.insert("MARQUEE_LEPTOS_CONFIG".into(), concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml").into());
    env.insert("MARQUEE_SCRAPE_BASE_URL".into(), site.base_url.clone());
    env.insert("MARQUEE_SCRAPE_ALLOW_HOSTS".into(), "127.0.0.1".into());
    env.insert("MARQUEE_SCRAPE_RATE".into(), rate.into());
    env.insert("MARQUEE_SCRAPE_CONCURRENCY".into(), "8".into());
    env.insert("MARQUEE_SCRAPE_MOVIE_LIMIT".into(), limit.to_string());
    env.insert("MARQUEE_SCRAPE_REVIEW_PAGES".into(), "3".into());
    env.insert("MARQUEE_SCRAPE_BACKOFF_MS".into(), "50".into());
    env.insert("RUST_LOG".into(), "error".into());
    env
}

fn marquee(args: &[&str], env: &HashMap<String, String>) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_marquee"));
    c.args(args).envs(env).env_remove("DATABASE_URL").current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_scrape_of_the_fixture_site_appears_on_the_site_with_real_thumbnails() {
    let site = FixtureSite::start(Options::default()).await.unwrap();
    assert_eq!(site.films().len(), 1000);
    // The site as deployed: it loads the Kaggle catalog at start-up.
    let app = common::spawn(None).await;
    let dir = app.stop().await;

    let env = scrape_env(&site, dir.path(), 1100, "2000");
    let started = Instant::now();
    let out = marquee(&["pipeline", "run", "--json"], &env).output().await.unwrap();
    let elapsed = started.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json prints the run");
    let mats = report["materializations"].as_array().unwrap().clone();
    let mat = |name: &str| mats.iter().find(|m| m["asset"] == name).unwrap_or_else(|| panic!("no {name}")).clone();
    for m in &mats {
        assert_eq!(m["status"], "succeeded", "{m}");
    }
    let (movies, thumbs, reviews, pre) = (
        mat("movies")["metadata"].clone(),
        mat("thumbnails")["metadata"].clone(),
        mat("reviews")["metadata"].clone(),
        mat("pretrained_reviews")["metadata"].clone(),
    );
    assert_eq!(movies["fetched"], 1009, "1000 films and 9 real pages: {movies}");
    assert_eq!(movies["failed"], 0, "{movies}");
    assert_eq!(thumbs["fetched"], 1000, "{thumbs}");
    assert_eq!(reviews["items"], 2018, "both ends of 1009 titles");
    assert_eq!(reviews["failed"], 0, "{reviews}");
    assert_eq!(mat("reviews")["rows"], 1009 * 20);
    assert!(pre["fetched"] == 1 || pre["skipped"] == 1, "{pre}");
    let cleaned = mat("cleaned_movies")["metadata"]["report"].clone();
    assert_eq!(cleaned["merged"], 1000, "{cleaned}");
    assert_eq!(cleaned["with_thumbnail"], 1000);
    let db = mat("database")["metadata"].clone();
    assert_eq!(db["rejected"], 0, "{db}");
    assert!(db["reviews"].as_u64().unwrap() >= 20_000, "{db}");
    assert!(mat("tf_idf")["rows"].as_i64().unwrap() >= 1000);

    // The real pages' posters live on IMDb's image host, which is not on the
    // allow-list: failed items, each in the run's log with its reason.
    let catalog =
        catalog::db::Catalog::connect(&format!("sqlite://{}", dir.path().join("marquee.db").display())).await.unwrap();
    let run_id = report["run"]["id"].as_str().unwrap();
    let log = catalog.run_log(run_id, 0).await.unwrap();
    let failed: Vec<&str> =
        log.iter().filter(|l| l.message.starts_with("failed ")).map(|l| l.message.as_str()).collect();
    assert_eq!(failed.len() as u64, thumbs["failed"].as_u64().unwrap(), "{failed:?}");
    for f in &failed {
        assert!(f.contains("allow-list"), "{f}");
    }
    catalog.close().await;

    let requests: u64 = mats.iter().filter_map(|m| m["metadata"]["requests"].as_u64()).sum();
    let bytes: i64 = mats.iter().filter_map(|m| m["bytes"].as_i64()).sum();
    let numbers = serde_json::json!({
        "wall_seconds": elapsed.as_secs_f64(),
        "requests": requests,
        "retries": mats.iter().filter_map(|m| m["metadata"]["retries"].as_u64()).sum::<u64>(),
        "failed_items": thumbs["failed"],
        "bytes_stored": bytes,
        "fixture_requests": site.total_requests(),
        "movies_rows": cleaned["rows_out"],
        "reviews_loaded": db["reviews"],
    });
    eprintln!("full scrape: {numbers}");
    let _ = std::fs::write(concat!(env!("CARGO_TARGET_TMPDIR"), "/full_scrape.json"), numbers.to_string());

    // The model the run trained, on the labelled set's test split.
    let reviews_csv = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/reviews/imdb_reviews_50k.csv.gz");
    let out = marquee(&["sentiment", "eval", "--json", "--data", reviews_csv], &env).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let eval: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(eval["examples"], 25_000, "{eval}");
    assert!(eval["accuracy"].as_f64().unwrap() >= 0.9, "{eval}");
    let m = &eval["confusion"]["matrix"];
    let cells: Vec<u64> =
        (0..2).flat_map(|a| (0..2).map(move |p| (a, p))).map(|(a, p)| m[a][p].as_u64().unwrap()).collect();
    assert_eq!(cells.iter().sum::<u64>(), 25_000, "{m}");
    assert_eq!(eval["positive"]["support"], 12_500);
    let out = marquee(&["sentiment", "predict", "--json", "A dull, lifeless mess. I want my money back."], &env)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["label"], "negative", "{p}");

    // The real server on the same data: the films, with our thumbnails.
    let app = common::spawn_in(dir, None).await;
    for (text, label) in [
        ("One of the finest films ever made: moving, funny and beautifully acted.", "positive"),
        ("Tedious and badly written. The worst two hours I have spent in a cinema.", "negative"),
    ] {
        let body = serde_json::json!({ "text": text }).to_string();
        let r = app.client.post(format!("{}/api/sentiment", app.base)).header("content-type", "application/json");
        let bytes = r.body(body).send().await.unwrap().bytes().await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["label"], label, "{text}: {v}");
        assert!((0.5..=1.0).contains(&v["confidence"].as_f64().unwrap()), "{v}");
    }
    let (status, home) = app.get("/").await;
    assert_eq!(status, 200);
    // The first thumbnail itself (the billboard's backdrop comes first and asks for a narrow copy).
    let src = home
        .match_indices("src=\"/media/")
        .map(|(at, _)| home[at + 5..].chars().take_while(|c| *c != '"').collect::<String>())
        .find(|src| !src.contains("-w"))
        .expect("the home page shows thumbnails");
    assert!(home.contains("-w160.jpg\" alt=\"\" aria-hidden"), "the backdrop asks for the 160 px copy");
    assert!(src.starts_with("/media/") && src.ends_with(".jpg"), "{src}");
    assert!(home.contains("width=\"300\"") && home.contains("height=\"450\""), "size reserved");
    assert!(home.contains("data:image/jpeg;base64,"), "blur placeholder inlined");

    let r = app.client.get(format!("{}{src}", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let bytes = r.bytes().await.unwrap();
    let img = image_size(&bytes);
    assert_eq!(img, Some((300, 450)), "a real 300 px JPEG");
    let r = app.client.get(format!("{}{src}", app.base)).header("If-None-Match", &etag).send().await.unwrap();
    assert_eq!(r.status(), 304);

    // `srcset` offers the narrower copies, made on their first request and kept.
    let stem = src.trim_start_matches("/media/").trim_end_matches(".jpg").to_owned();
    let srcset = format!("srcset=\"/media/{stem}-w160.jpg 160w, /media/{stem}-w240.jpg 240w, /media/{stem}.jpg 300w\"");
    assert!(home.contains(&srcset), "{srcset} in the home page");
    assert!(home.contains("sizes=\"(min-width: 1024px) 176px"), "row cards say how wide they are drawn");
    let kept = app.data_dir.path().join("objects/media/thumbnails").join(format!("{stem}-w160.jpg"));
    assert!(!kept.exists(), "variants are made on demand");
    for round in ["made", "kept"] {
        let r = app.client.get(format!("{}/media/{stem}-w160.jpg", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{round}");
        assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(r.headers()["etag"].to_str().unwrap(), format!("\"{stem}-w160\""));
        let bytes = r.bytes().await.unwrap();
        assert_eq!(image_size(&bytes), Some((160, 240)), "{round}: a real 160 px JPEG");
        assert!(kept.exists(), "{round}: the variant is kept in the object store");
    }
    let r = app
        .client
        .get(format!("{}/media/{stem}-w240.jpg", app.base))
        .header("If-None-Match", format!("\"{stem}-w240\""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304, "a variant not yet made is still the same bytes forever");
    for bad in [
        format!("/media/{stem}-w161.jpg"),
        format!("/media/{stem}-w0160.jpg"),
        "/media/0123456789abcdef-w160.jpg".to_owned(),
    ] {
        let r = app.client.get(format!("{}{bad}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{bad}");
    }
    for bad in
        ["/media/..%2F..%2Fdata%2Fmarquee.db", "/media/0123456789abcdef.jpg", "/media/raw%2Fkaggle_catalog", "/media/"]
    {
        let r = app.client.get(format!("{}{bad}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{bad}");
    }

    let id = pipeline::clean::rules::movie_id(None, Some("The Shawshank Redemption"), Some(1994)).unwrap();
    let (status, page) = app.get(&format!("/movie/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("poster-thumb") && page.contains("src=\"/media/"), "the detail page shows the thumbnail");
    assert!(page.contains("2,344,110"), "the scrape's newer vote count");
    let (_, ready) = app.get("/ready").await;
    assert!(ready.contains("\"movies\":100"), "{ready}");
}

/// Width and height of a baseline JPEG, from its SOF0 marker.
fn image_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 9 < b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        if (0xC0..=0xC2).contains(&marker) {
            let h = u32::from(u16::from_be_bytes([b[i + 5], b[i + 6]]));
            let w = u32::from(u16::from_be_bytes([b[i + 7], b[i + 8]]));
            return Some((w, h));
        }
        i += 2 + len;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scrape_killed_with_sigkill_resumes_fetching_only_what_is_missing() {
    let site = FixtureSite::start(Options { films: Some(200), real_pages: None, ..Default::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = scrape_env(&site, dir.path(), 200, "80");
    let mut child = marquee(&["pipeline", "run", "--asset", "movies", "--json"], &env).spawn().unwrap();
    let db = dir.path().join("marquee.db");
    let started = Instant::now();
    loop {
        assert!(started.elapsed() < Duration::from_secs(60), "the scrape did not get going");
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the scrape ended before it was killed: {status}");
        }
        if db.exists() {
            if let Ok(c) = catalog::db::Catalog::connect(&format!("sqlite://{}", db.display())).await {
                let n =
                    c.scrape_status_counts("movies").await.map(|m| m.get("done").copied().unwrap_or(0)).unwrap_or(0);
                c.close().await;
                if n >= 40 {
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().await.unwrap(); // SIGKILL: no chance to clean up
    let catalog = catalog::db::Catalog::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    let items = catalog.scrape_items("movies").await.unwrap();
    let done: Vec<String> =
        items.values().filter(|i| i.status == catalog::db::ItemStatus::Done).map(|i| i.item_key.clone()).collect();
    assert!(done.len() >= 40 && done.len() < 200, "{}", done.len());
    // Nothing fetched is lost: every recorded item's raw record is on disk.
    for i in items.values().filter(|i| i.status == catalog::db::ItemStatus::Done) {
        let path = dir.path().join("objects").join(i.object_key.as_deref().unwrap());
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(text.contains(&i.item_key));
    }
    catalog.close().await;

    site.reset_counts();
    // At once: the killed process's lease is taken over (its pid is gone).
    let out = marquee(&["pipeline", "run", "--asset", "movies", "--json"], &env).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let m = &report["materializations"][0]["metadata"];
    assert_eq!(m["skipped"].as_u64().unwrap(), done.len() as u64, "{m}");
    assert_eq!(m["fetched"].as_u64().unwrap() + m["skipped"].as_u64().unwrap(), 200, "{m}");
    let catalog = catalog::db::Catalog::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    let runs = catalog.runs(&catalog::runs::RunFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(runs.len(), 2);
    let killed = runs.iter().find(|r| r.id != report["run"]["id"].as_str().unwrap()).unwrap();
    assert_eq!(killed.status, catalog::runs::RunStatus::Failed, "the killed run is marked failed");
    assert!(killed.error.as_deref().unwrap_or_default().contains("interrupted"), "{:?}", killed.error);
    catalog.close().await;
    for id in &done {
        assert_eq!(site.requests(&format!("/title/{id}/")), 0, "{id} was fetched again");
    }
    assert_eq!(site.requests_under("/title/"), 200 - done.len() as u64);
    assert_eq!(site.requests_under("/search/"), 0, "list pages come from the store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_whose_robots_txt_refuses_us_fails_the_scrape_and_publishes_nothing() {
    let site = FixtureSite::start(Options { films: Some(20), real_pages: None, ..Default::default() }).await.unwrap();
    site.set_robots("User-agent: *\nDisallow: /\n");
    let app = common::spawn(None).await;
    let dir = app.stop().await;
    let env = scrape_env(&site, dir.path(), 20, "2000");
    let out = marquee(&["pipeline", "run", "--json"], &env).output().await.unwrap();
    assert!(!out.status.success(), "a run whose every list page was refused fails");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json prints the failed run too");
    assert_eq!(report["run"]["status"], "failed", "{report}");
    let mats = report["materializations"].as_array().unwrap();
    let status = |name: &str| {
        mats.iter().find(|m| m["asset"] == name).map(|m| m["status"].as_str().unwrap().to_owned()).unwrap_or_default()
    };
    let movies = mats.iter().find(|m| m["asset"] == "movies").unwrap();
    assert_eq!(movies["status"], "failed", "{movies}");
    assert!(movies["error"].as_str().unwrap().contains("robots.txt"), "the cause is named: {movies}");
    for downstream in ["thumbnails", "reviews", "cleaned_movies", "database", "tf_idf", "sentiment_model"] {
        assert_eq!(status(downstream), "skipped", "{downstream} does not run on a failed scrape");
    }
    assert_eq!(status("kaggle_catalog"), "succeeded", "independent assets still run");
    assert_eq!(site.requests_under("/title/"), 0, "no title page is fetched against robots.txt");
}
