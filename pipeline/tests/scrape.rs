//! The scraping sources against the fixture site: faults, resumption,
//! conditional re-scrapes, robots.txt and the allow-list, and the merge with
//! the Kaggle catalog.

use std::time::Duration;

use catalog::db::{Catalog, ItemStatus};
use fixture_site::{Fault, FixtureSite, Options};
use pipeline::fetch::Fetcher;
use pipeline::scrape::runner::{run_scrape, Asset};
use pipeline::scrape::{movies, reviews, thumbnails, ScrapeContext, ScraperConfig, SourceReport};
use pipeline::store::AssetStore;
use pipeline::{clean_and_load, LoadContext, NoProgress};
use tokio_util::sync::CancellationToken;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/catalog/imdb_top_1000.csv");

struct Env {
    _dir: tempfile::TempDir,
    store: AssetStore,
    catalog: Catalog,
    site: FixtureSite,
    config: ScraperConfig,
}

async fn env(films: usize) -> Env {
    let site =
        FixtureSite::start(Options { films: Some(films), real_pages: None, ..Default::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = AssetStore::open(dir.path().join("objects").to_str().unwrap()).unwrap();
    let catalog =
        Catalog::connect_and_migrate(&format!("sqlite://{}", dir.path().join("m.db").display())).await.unwrap();
    let config = test_config(&site, films);
    Env { _dir: dir, store, catalog, site, config }
}

fn test_config(site: &FixtureSite, limit: usize) -> ScraperConfig {
    ScraperConfig {
        base_url: url::Url::parse(&site.base_url).unwrap(),
        allow_hosts: vec!["127.0.0.1".into()],
        rate_per_second: 2000.0,
        concurrency: 4,
        timeout: Duration::from_millis(1500),
        max_retries: 3,
        backoff_base: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
        review_pages: 3,
        movie_limit: limit,
        pretrained_reviews_source: None,
        ..ScraperConfig::default()
    }
}

impl Env {
    fn ctx<'a>(&'a self, fetcher: &'a Fetcher, cancel: CancellationToken, refresh: bool) -> ScrapeContext<'a> {
        ScrapeContext {
            store: &self.store,
            catalog: &self.catalog,
            fetcher,
            config: &self.config,
            progress: &NoProgress,
            cancel,
            partition: None,
            refresh,
            refresh_after: None,
            limit: None,
        }
    }

    async fn done(&self, asset: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .catalog
            .scrape_items(asset)
            .await
            .unwrap()
            .into_values()
            .filter(|i| i.status == ItemStatus::Done)
            .map(|i| i.item_key)
            .collect();
        v.sort();
        v
    }
}

fn failed<'a>(r: &'a SourceReport, key: &str) -> Option<&'a str> {
    r.failed.iter().find(|f| f.key == key).map(|f| f.reason.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_is_retried_or_recorded_while_the_run_goes_on() {
    let e = env(40).await;
    let s = &e.site;
    s.inject("/title/tt9000001/", Fault::TooManyRequests { retry_after_secs: 1 }, Some(1));
    s.inject("/title/tt9000002/", Fault::ServerError, Some(2));
    s.inject("/title/tt9000003/", Fault::Slow(Duration::from_secs(3)), Some(1));
    s.inject("/title/tt9000004/", Fault::Truncated, None);
    s.inject("/title/tt9000005/", Fault::JsonMoved, None);
    s.inject("/images/tt9000006.jpg", Fault::NotAnImage, None);
    s.inject("/title/tt9000007/", Fault::ServerError, None);
    let fetcher = Fetcher::new(&e.config).unwrap();
    let ctx = e.ctx(&fetcher, CancellationToken::new(), false);
    let started = std::time::Instant::now();
    let m = movies::scrape_movies(&ctx).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After: 1 was honoured");
    assert_eq!(m.items, 40);
    assert_eq!(m.fetched, 38, "{:#?}", m.failed);
    assert_eq!(m.failed.len(), 2, "{:#?}", m.failed);
    assert!(failed(&m, "tt9000004").unwrap().contains("unreadable title page"), "{:?}", m.failed);
    assert!(failed(&m, "tt9000007").unwrap().contains("HTTP 500 after 4 attempt"), "{:?}", m.failed);
    assert_eq!(s.requests("/title/tt9000001/"), 2, "429 then success");
    assert_eq!(s.requests("/title/tt9000002/"), 3, "500, 500, success");
    assert_eq!(s.requests("/title/tt9000003/"), 2, "timeout, then success");
    assert_eq!(s.requests("/title/tt9000007/"), 4, "1 + 3 retries");
    assert!(m.retries >= 1 + 2 + 1 + 3, "{}", m.retries);
    assert!(m.warnings.iter().any(|w| w.starts_with("tt9000005") && w.contains("JSON-LD")), "{:?}", m.warnings);

    let t = thumbnails::scrape_thumbnails(&ctx).await.unwrap();
    assert_eq!(t.items, 38, "one per stored movie");
    assert_eq!(t.failed.len(), 1, "{:?}", t.failed);
    assert!(failed(&t, "tt9000006").unwrap().contains("not an image"), "{:?}", t.failed);

    // The ledger keeps each failure with its reason.
    let items = e.catalog.scrape_items("movies").await.unwrap();
    let bad = &items["tt9000007"];
    assert_eq!(bad.status, ItemStatus::Failed);
    assert!(bad.error.as_deref().unwrap().contains("500"));
    assert_eq!(items["tt9000002"].status, ItemStatus::Done);

    // Faults gone: the next run fetches exactly the failed items.
    s.clear_faults();
    s.reset_counts();
    let fetcher = Fetcher::new(&e.config).unwrap();
    let ctx = e.ctx(&fetcher, CancellationToken::new(), false);
    let again = movies::scrape_movies(&ctx).await.unwrap();
    assert_eq!((again.fetched, again.skipped, again.failed.len()), (2, 38, 0), "{:?}", again.failed);
    assert_eq!(s.requests_under("/title/"), 2);
    let t2 = thumbnails::scrape_thumbnails(&ctx).await.unwrap();
    assert_eq!((t2.fetched, t2.skipped), (3, 37), "two new movies and the failed poster");
    assert_eq!(e.done("movies").await.len(), 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_run_resumes_with_only_what_is_missing_and_loses_nothing() {
    let mut e = env(120).await;
    e.config.rate_per_second = 60.0; // ~2 s for the whole run: room to cancel in the middle
    let fetcher = Fetcher::new(&e.config).unwrap();
    let cancel = CancellationToken::new();
    let ctx = e.ctx(&fetcher, cancel.clone(), false);
    let stopper = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(900)).await;
        cancel.cancel();
    });
    let started = std::time::Instant::now();
    let first = movies::scrape_movies(&ctx).await.unwrap();
    stopper.await.unwrap();
    assert!(first.cancelled);
    assert!(started.elapsed() < Duration::from_millis(1600), "cancelling stops promptly: {:?}", started.elapsed());
    assert!(first.fetched > 5 && first.fetched < 120, "{}", first.fetched);
    let done = e.done("movies").await;
    assert_eq!(done.len() as u64, first.fetched, "every fetched item is recorded");
    // Nothing fetched is lost: each recorded item's raw record is in the store.
    for item in e.catalog.scrape_items("movies").await.unwrap().values().filter(|i| i.status == ItemStatus::Done) {
        let key = item.object_key.as_deref().unwrap();
        let bytes = e.store.get(key).await.unwrap();
        assert!(String::from_utf8_lossy(&bytes).contains(&item.item_key), "{key}");
    }

    e.site.reset_counts();
    let fetcher = Fetcher::new(&e.config).unwrap();
    let ctx = e.ctx(&fetcher, CancellationToken::new(), false);
    let second = movies::scrape_movies(&ctx).await.unwrap();
    assert!(!second.cancelled);
    assert_eq!(second.skipped, first.fetched);
    assert_eq!(second.fetched + second.skipped, 120);
    for id in &done {
        assert_eq!(e.site.requests(&format!("/title/{id}/")), 0, "{id} was not fetched again");
    }
    assert_eq!(e.site.requests_under("/title/"), 120 - first.fetched, "only the missing titles");
    assert_eq!(e.site.requests_under("/search/"), 0, "list pages are read back from the store");
    assert_eq!(e.done("movies").await.len(), 120);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conditional_rescrape_gets_304s_and_stores_nothing_new() {
    let mut e = env(15).await;
    e.config.review_pages = 2;
    let fetcher = Fetcher::new(&e.config).unwrap();
    let ctx = e.ctx(&fetcher, CancellationToken::new(), false);
    let assets = [Asset::Movies, Asset::Thumbnails, Asset::Reviews];
    let first = run_scrape(&ctx, &assets, false).await.unwrap();
    assert_eq!(first.failed_items, 0, "{:#?}", first.sources);
    let r = &first.sources[2];
    assert_eq!(r.items, 30, "both polarities of 15 titles");
    // 2 pages of 4 at each end (the cap is 2 pages; the positive end has 3).
    assert_eq!(r.rows, 15 * (8 + 8));

    e.site.reset_counts();
    let fetcher = Fetcher::new(&e.config).unwrap();
    let ctx = e.ctx(&fetcher, CancellationToken::new(), true);
    let again = run_scrape(&ctx, &[Asset::Movies, Asset::Thumbnails, Asset::Reviews], false).await.unwrap();
    let (m, t, rv) = (&again.sources[0], &again.sources[1], &again.sources[2]);
    assert_eq!((m.not_modified, m.fetched), (15, 0), "{m:?}");
    assert_eq!((t.not_modified, t.fetched), (15, 0), "{t:?}");
    assert_eq!((rv.not_modified, rv.fetched), (30, 0), "{rv:?}");
    assert_eq!(m.bytes + t.bytes + rv.bytes, 0, "nothing new stored");
    assert_eq!(again.not_modified, 15 + 15 + 30);
    assert_eq!(e.site.requests("/title/tt9000001/"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_txt_and_the_allow_list_are_obeyed() {
    let e = env(10).await;
    e.site.set_robots(
        "User-agent: *\nDisallow: /title/tt9000003/\n\nUser-agent: MarqueeBot\nDisallow: /title/tt9000004/\n",
    );
    let fetcher = Fetcher::new(&e.config).unwrap();
    let ctx = e.ctx(&fetcher, CancellationToken::new(), false);
    let m = movies::scrape_movies(&ctx).await.unwrap();
    assert!(failed(&m, "tt9000004").unwrap().contains("robots.txt"), "our own group applies: {:?}", m.failed);
    assert!(failed(&m, "tt9000003").is_none(), "the * group does not apply when ours exists");
    assert_eq!(e.site.requests("/title/tt9000004/"), 0, "never requested");
    assert_eq!(e.site.requests("/robots.txt"), 1, "robots.txt fetched once per host");
    assert_eq!(m.fetch.robots_refusals, 1);

    // A base URL off the allow-list is never contacted.
    let mut config = e.config.clone();
    config.allow_hosts = vec!["www.imdb.com".into()];
    let fetcher = Fetcher::new(&config).unwrap();
    let before = e.site.total_requests();
    let url = url::Url::parse(&format!("{}title/tt9000001/", e.site.base_url)).unwrap();
    let err = fetcher.get(&url, None, &CancellationToken::new()).await.unwrap_err();
    assert!(err.to_string().contains("allow-list"), "{err}");
    for internal in ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://localhost/"] {
        let err = fetcher.get(&url::Url::parse(internal).unwrap(), None, &CancellationToken::new()).await.unwrap_err();
        assert!(err.to_string().contains("allow-list"), "{internal}: {err}");
    }
    assert_eq!(e.site.total_requests(), before, "no request was sent");
    assert!(ScraperConfig::from_settings(&|k| match k {
        "MARQUEE_SCRAPE_BASE_URL" => Some("http://192.168.1.10/".into()),
        _ => None,
    })
    .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scraped_and_kaggle_rows_merge_and_a_partial_scrape_deletes_nothing() {
    let e = env(1000).await;
    let base = pipeline::run_catalog(&e.catalog, &e.store, SAMPLE, &NoProgress).await.unwrap();
    assert_eq!(base.load.inserted, 1000);
    // One partition of 50 ids: scrape, thumbnails, reviews, then clean and load.
    let ids: Vec<String> = e.site.films()[..50].iter().map(|f| f.id.clone()).collect();
    let fetcher = Fetcher::new(&e.config).unwrap();
    let mut ctx = e.ctx(&fetcher, CancellationToken::new(), false);
    ctx.partition = Some(ids.clone());
    let m = movies::scrape_movies(&ctx).await.unwrap();
    assert_eq!((m.fetched, m.failed.len()), (50, 0));
    assert_eq!(e.site.requests_under("/search/"), 0, "a partition needs no list pages");
    thumbnails::scrape_thumbnails(&ctx).await.unwrap();
    reviews::scrape_reviews(&ctx).await.unwrap();
    let lctx =
        LoadContext { store: &e.store, catalog: &e.catalog, progress: &NoProgress, cancel: CancellationToken::new() };
    let r = clean_and_load(&lctx).await.unwrap();
    assert_eq!(r.clean.merged, 50, "{:?}", r.clean);
    assert_eq!(r.clean.scraped_only, 0);
    assert_eq!(r.clean.rows_out, 1000);
    assert_eq!(r.clean.with_thumbnail, 50);
    assert_eq!(r.load.updated, 50, "the 50 scraped films are updated in place");
    assert_eq!(r.load.rejected.len(), 0, "{:?}", r.load.rejected);
    assert_eq!(e.catalog.movie_count().await.unwrap(), 1000, "nothing deleted, nothing doubled");
    assert_eq!(r.reviews_loaded, 50 * (12 + 8));

    // Shawshank: the Kaggle id stays, scraped facts win, Kaggle's fill the gaps.
    let id = pipeline::clean::rules::movie_id(None, Some("The Shawshank Redemption"), Some(1994)).unwrap();
    let m = e.catalog.movie(&id).await.unwrap().unwrap();
    assert_eq!(m.imdb_id.as_deref(), Some("tt9000001"));
    assert_eq!(m.votes, Some(2_343_110 + 1000), "the scrape's newer vote count");
    assert_eq!(m.certificate.as_deref(), Some("A"), "only Kaggle has the certificate");
    assert_eq!(m.gross_usd, Some(28_341_469 * 2), "the scrape's worldwide gross");
    assert_eq!(m.budget_currency.as_deref(), Some("USD"));
    assert!(m.budget_amount.is_some());
    assert_eq!(m.languages, vec!["English"]);
    assert_eq!(m.stars, vec!["Tim Robbins", "Morgan Freeman", "Bob Gunton", "William Sadler"]);
    let thumb = m.thumbnail.expect("a thumbnail");
    assert_eq!((thumb.width, thumb.height), (300, 450));
    assert!(thumb.placeholder.unwrap().starts_with("data:image/jpeg;base64,"));
    assert!(e.store.exists(&format!("media/thumbnails/{}", thumb.key)).await.unwrap());
    assert_eq!(e.catalog.review_count(&id).await.unwrap(), 20);
    // A film the partial scrape did not see is still there, unchanged.
    let film = &e.site.films()[500];
    let untouched = pipeline::clean::rules::movie_id(None, Some(&film.title), film.year).unwrap();
    let g = e.catalog.movie(&untouched).await.unwrap().unwrap();
    assert_eq!((g.imdb_id, g.votes), (None, film.votes.map(|v| v - 1000)), "the Kaggle row as it was");

    // Loading again changes nothing.
    let again = clean_and_load(&lctx).await.unwrap();
    assert_eq!(again.load.unchanged, 1000, "{:?}", again.load);
}
