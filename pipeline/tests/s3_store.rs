//! The object store on S3 for real: a moto server on 127.0.0.1 (started by
//! `scripts/moto_server.sh`, stopped by its PID), the catalog pipeline and a
//! small scrape through it. Outside CI a missing Python/moto skips with a
//! message; under `CI=true` it fails instead.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use catalog::db::Catalog;
use fixture_site::{FixtureSite, Options};
use pipeline::fetch::Fetcher;
use pipeline::scrape::runner::{run_scrape, Asset};
use pipeline::scrape::{ScrapeContext, ScraperConfig};
use pipeline::store::{AssetStore, S3Options};
use pipeline::NoProgress;
use tokio_util::sync::CancellationToken;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/catalog/imdb_top_1000.csv");

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The moto process; killed (by PID) when dropped.
struct Moto {
    child: Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_moto() -> Option<Moto> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/moto_server.sh");
    let port = free_port();
    let child = match Command::new("bash").arg(script).arg(port.to_string()).stdout(Stdio::null()).spawn() {
        Ok(c) => c,
        Err(e) => {
            assert!(!in_ci(), "CI=true and moto cannot start: {e}");
            eprintln!("SKIPPED: cannot run {script}: {e}");
            return None;
        }
    };
    let mut moto = Moto { child, port };
    let started = Instant::now();
    // The first start may install moto into the venv (a minute or two).
    while started.elapsed() < Duration::from_secs(300) {
        if let Ok(Some(status)) = moto.child.try_wait() {
            assert!(!in_ci(), "CI=true and moto exited at start-up: {status}");
            eprintln!("SKIPPED: moto exited at start-up ({status}); under CI=true this fails");
            return None;
        }
        if std::net::TcpStream::connect(("127.0.0.1", moto.port)).is_ok() {
            return Some(moto);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = moto.child.kill();
    panic!("moto did not listen on 127.0.0.1:{} within 300 s", moto.port);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "known bug: on S3 DataFusion finds no files at the cleaned_movies key it wrote (moto); store put/get/list pass. Run with --ignored"]
async fn assets_round_trip_through_a_real_s3_endpoint() {
    let Some(moto) = start_moto().await else { return };
    let endpoint = format!("http://127.0.0.1:{}", moto.port);
    // Buckets are made outside the store (as in production): moto takes a plain PUT.
    let resp = reqwest::Client::new().put(format!("{endpoint}/marquee-test")).send().await.unwrap();
    assert!(resp.status().is_success(), "create bucket: {}", resp.status());
    let opts = S3Options {
        endpoint: Some(endpoint.clone()),
        region: Some("us-east-1".into()),
        access_key_id: Some("testing".into()),
        secret_access_key: Some("testing".into()),
    };
    let store = AssetStore::open_with("s3://marquee-test/assets", &opts).unwrap();
    assert_eq!(store.url, "s3://marquee-test/assets");

    store.put("raw/x/date=2026-01-01/a.jsonl", b"{\"a\":1}\n".to_vec()).await.unwrap();
    assert!(store.exists("raw/x/date=2026-01-01/a.jsonl").await.unwrap());
    assert!(!store.exists("raw/x/nope").await.unwrap());
    assert_eq!(store.get("raw/x/date=2026-01-01/a.jsonl").await.unwrap(), b"{\"a\":1}\n");
    let listed = store.list("raw/x").await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].location.as_ref(), "raw/x/date=2026-01-01/a.jsonl", "keys are relative to the prefix");

    // The catalog pipeline with DataFusion reading and writing through S3.
    let dir = tempfile::tempdir().unwrap();
    let catalog =
        Catalog::connect_and_migrate(&format!("sqlite://{}", dir.path().join("m.db").display())).await.unwrap();
    let r = pipeline::run_catalog(&catalog, &store, SAMPLE, &NoProgress).await.unwrap();
    assert_eq!(r.load.inserted, 1000);
    assert!(store.exists(&r.clean.output_key).await.unwrap(), "cleaned_movies Parquet in S3");

    // A small scrape into S3, cleaned and loaded from S3.
    let site = FixtureSite::start(Options { films: Some(8), real_pages: None, ..Default::default() }).await.unwrap();
    let config = ScraperConfig {
        base_url: url::Url::parse(&site.base_url).unwrap(),
        allow_hosts: vec!["127.0.0.1".into()],
        rate_per_second: 1000.0,
        concurrency: 4,
        movie_limit: 8,
        review_pages: 1,
        pretrained_reviews_source: None,
        ..ScraperConfig::default()
    };
    let fetcher = Fetcher::new(&config).unwrap();
    let ctx = ScrapeContext {
        store: &store,
        catalog: &catalog,
        fetcher: &fetcher,
        config: &config,
        progress: &NoProgress,
        cancel: CancellationToken::new(),
        partition: None,
        refresh: false,
        refresh_after: None,
        limit: None,
    };
    let run = run_scrape(&ctx, &[Asset::Movies, Asset::Thumbnails, Asset::Reviews], true).await.unwrap();
    assert_eq!(run.failed_items, 0, "{:#?}", run.sources);
    let cleaned = run.cleaned.unwrap();
    assert_eq!((cleaned.clean.merged, cleaned.clean.with_thumbnail), (8, 8));
    let thumbs = store.list("media/thumbnails").await.unwrap();
    assert_eq!(thumbs.len(), 16, "8 thumbnails and 8 placeholders");
    let (size, _) = store.get_stream(thumbs[0].location.as_ref()).await.unwrap().unwrap();
    assert!(size > 0);
    drop(moto);
}
