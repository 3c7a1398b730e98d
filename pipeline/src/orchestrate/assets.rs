//! The asset graph, declared in one place, and the assets the pipeline
//! crate implements.
//!
//! ```text
//!   movies ──► thumbnails ──┐
//!     │  └───► reviews ─────┼──────────────┐
//!     └─────────────────────┤              │
//!   kaggle_catalog ─────────┴► cleaned_movies ──► database ──► tf_idf
//!   pretrained_reviews ─────────────────────────► (sentiment_model)
//! ```
//!
//! `movies`, `thumbnails` and `reviews` are partitioned: a partition is a
//! list page (`moviemeter-51-100`, `chart-top`) or comma-separated title
//! ids, so the admin can re-scrape one batch of 50 as the old project did. A
//! full run scrapes everything (up to the configured movie limit); items done
//! before are skipped unless older than the refresh age, and then re-fetched
//! conditionally (a `304` costs no bytes).
//!
//! `database` loads the newest `cleaned_movies` version and the scraped
//! reviews; `tf_idf` (the search index) reads the database, not the Parquet:
//! the index holds database ids and must match what the site serves. It is
//! implemented by the server, which owns the live index, and registered at
//! start-up.
//!
//! Registering an asset is one [`Asset`] value: a name, its upstream assets,
//! and an async function of an [`AssetContext`] returning an
//! [`AssetReport`]. Add it to [`pipeline_graph`] (or, for an asset
//! implemented elsewhere, to the registry where that crate builds it).

use std::sync::{Arc, Mutex};

use catalog::db::LoadReport;

use super::asset::{Asset, AssetContext, AssetReport, AssetResult, BoxError, Registry};
use super::runner::asset_error;
use crate::clean::movies::clean_movies_on;
use crate::clean::to_movies::read_cleaned;
use crate::engine::Engine;
use crate::fetch::Fetcher;
use crate::run::{latest_kaggle_key, load_movies, load_reviews};
use crate::scrape::runner::Asset as ScrapeAsset;
use crate::scrape::{movies, ScrapeContext, ScraperConfig, SourceReport};
use crate::sources::kaggle as kaggle_source;

/// The Kaggle-format catalog CSV, stored raw in the object store.
pub const KAGGLE_CATALOG: &str = "kaggle_catalog";
/// Title pages scraped from IMDb (partitioned by list page).
pub const MOVIES: &str = "movies";
/// Poster thumbnails and blur placeholders of the scraped titles.
pub const THUMBNAILS: &str = "thumbnails";
/// Positive and negative user reviews of the scraped titles.
pub const REVIEWS: &str = "reviews";
/// The labelled review CSV for the sentiment model.
pub const PRETRAINED_REVIEWS: &str = "pretrained_reviews";
/// The cleaned, versioned Parquet of movies.
pub const CLEANED_MOVIES: &str = "cleaned_movies";
/// The cleaned movies upserted into the catalog database.
pub const DATABASE: &str = "database";
/// The search index (implemented by the server).
pub const TF_IDF: &str = "tf_idf";

/// The assets that need no network: what a start-up run materializes.
pub const OFFLINE_ASSETS: [&str; 4] = [KAGGLE_CATALOG, CLEANED_MOVIES, DATABASE, TF_IDF];

/// What the pipeline's graph is configured with.
#[derive(Debug, Clone)]
pub struct GraphConfig {
    /// The Kaggle CSV (a path or URL); without one `kaggle_catalog` fails saying so.
    pub catalog_source: Option<String>,
    /// The scraper's settings (its `refresh_after` decides what a run fetches again).
    pub scraper: ScraperConfig,
    /// Where the cleaning runs (embedded, or a Ballista cluster).
    pub engine: Engine,
}

/// The pipeline's own assets: sources, cleaning and the database load.
pub fn pipeline_graph(config: GraphConfig) -> Registry {
    let fetchers = RunFetchers::default();
    let scrape = Arc::new(config.clone());
    let source = config.catalog_source.clone();
    let engine = config.engine.clone();
    let scraping = |name: &'static str, upstream: &[&'static str], describe: &str| {
        let (scrape, fetchers) = (scrape.clone(), fetchers.clone());
        Asset::new(name, move |ctx| scrape_asset(ctx, name, scrape.clone(), fetchers.clone()))
            .upstream(upstream.iter().copied())
            .describe(describe)
    };
    Registry::new()
        .with(
            Asset::new(KAGGLE_CATALOG, move |ctx| kaggle_catalog(ctx, source.clone()))
                .describe("The Kaggle IMDb top-1000 CSV, stored raw and content-addressed"),
        )
        .with(
            scraping(MOVIES, &[], "IMDb title pages from the popularity lists and the top chart, in batches of 50")
                .partitioned(),
        )
        .with(
            scraping(
                THUMBNAILS,
                &[MOVIES],
                "Poster thumbnails (480 px JPEG, smaller copies made on request) and blur placeholders",
            )
            .partitioned(),
        )
        .with(scraping(REVIEWS, &[MOVIES], "Positive and negative user reviews, paginated up to a cap").partitioned())
        .with(scraping(PRETRAINED_REVIEWS, &[], "The labelled 50k IMDb review CSV, stored raw"))
        .with(
            Asset::new(CLEANED_MOVIES, move |ctx| cleaned_movies(ctx, engine.clone()))
                .upstream([KAGGLE_CATALOG, MOVIES, THUMBNAILS])
                .describe("Kaggle and scraped titles cleaned and merged on DataFusion into a versioned Parquet"),
        )
        .with(
            Asset::new(DATABASE, database_load)
                .upstream([CLEANED_MOVIES, REVIEWS])
                .describe("Movies and reviews upserted into the catalog database, a transaction per batch"),
        )
}

/// One polite fetcher per run, shared by the run's scraping assets so their
/// per-host rate limit is one limit (robots.txt is read again each run).
#[derive(Clone, Default)]
struct RunFetchers(Arc<Mutex<Option<RunFetcher>>>);

/// A run id and its fetcher.
type RunFetcher = (String, Arc<Fetcher>);

impl RunFetchers {
    fn for_run(&self, run_id: &str, config: &ScraperConfig) -> Result<Arc<Fetcher>, BoxError> {
        let mut slot = self.0.lock().map_err(|_| asset_error("the fetcher lock is poisoned"))?;
        if let Some((id, f)) = slot.as_ref() {
            if id == run_id {
                return Ok(f.clone());
            }
        }
        let fetcher = Arc::new(Fetcher::new(config)?);
        *slot = Some((run_id.to_owned(), fetcher.clone()));
        Ok(fetcher)
    }
}

/// The ids a partition names: comma-separated title ids, or a list page.
async fn partition_ids(
    sctx: &ScrapeContext<'_>,
    partition: &str,
) -> Result<(Vec<String>, Option<SourceReport>), BoxError> {
    let ids: Vec<&str> = partition.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if !ids.is_empty() && ids.iter().all(|id| imdb::is_title_id(id)) {
        return Ok((ids.into_iter().map(str::to_owned).collect(), None));
    }
    let (ids, lists) = movies::partition_ids(sctx, partition).await?;
    if ids.is_empty() {
        return Err(asset_error(format!(
            "partition `{partition}` lists no titles{}",
            lists.failed.first().map(|f| format!(": {}", f.reason)).unwrap_or_default()
        )));
    }
    Ok((ids, Some(lists)))
}

async fn scrape_asset(
    ctx: AssetContext,
    name: &'static str,
    config: Arc<GraphConfig>,
    fetchers: RunFetchers,
) -> AssetResult {
    let fetcher = fetchers.for_run(&ctx.run_id, &config.scraper)?;
    let mut sctx = ScrapeContext {
        store: &ctx.store,
        catalog: &ctx.catalog,
        fetcher: &fetcher,
        config: &config.scraper,
        progress: &*ctx.progress,
        cancel: ctx.cancel.clone(),
        partition: None,
        refresh: false,
        refresh_after: config.scraper.refresh_after,
        limit: None,
    };
    let mut lists = None;
    if let Some(p) = ctx.partition.as_deref() {
        let (ids, l) = partition_ids(&sctx, p).await?;
        sctx.partition = Some(ids);
        lists = l;
    }
    let mut report = name.parse::<ScrapeAsset>()?.run(&sctx).await?;
    if let Some(l) = lists {
        report.requests += l.requests;
        report.retries += l.retries;
        report.failed.extend(l.failed);
    }
    source_report(&ctx, report)
}

/// A source's report as the asset's: cancelled and all-failed runs are
/// errors; failed items are warnings (each is retried by the next run).
fn source_report(ctx: &AssetContext, r: SourceReport) -> AssetResult {
    if let Some(reason) = &r.stopped {
        return Err(asset_error(format!(
            "stopped after {} items: {reason}; what was stored before is kept, and the next run resumes from it",
            r.fetched
        )));
    }
    if r.cancelled {
        return Err(asset_error("cancelled: what was fetched is stored, and the next run resumes from it"));
    }
    // Failed lists count too: a run whose every list page failed found no
    // items, and that is a failure, not an empty success.
    let succeeded = r.fetched + r.not_modified + r.skipped;
    if succeeded == 0 && !r.failed.is_empty() {
        let first: Vec<String> = r.failed.iter().take(3).map(|f| format!("{}: {}", f.key, f.reason)).collect();
        return Err(asset_error(format!("all {} items failed, e.g. {}", r.failed.len(), first.join("; "))));
    }
    if r.items == 0 && r.warnings.iter().any(|w| w.starts_with("source failed")) {
        return Err(asset_error(r.warnings.join("; ")));
    }
    let mut warnings = r.warnings.clone();
    warnings.extend(r.failed.iter().take(50).map(|f| format!("failed {}: {}", f.key, f.reason)));
    if r.failed.len() > 50 {
        warnings.push(format!("… and {} more failed items", r.failed.len() - 50));
    }
    Ok(AssetReport {
        rows: Some(r.rows as i64),
        bytes: Some(r.bytes as i64),
        warnings,
        metadata: serde_json::json!({
            "items": r.items,
            "fetched": r.fetched,
            "not_modified": r.not_modified,
            "skipped": r.skipped,
            "failed": r.failed.len(),
            "requests": r.requests,
            "retries": r.retries,
            "partition": ctx.partition,
        }),
    })
}

async fn kaggle_catalog(ctx: AssetContext, source: Option<String>) -> AssetResult {
    let source = source.ok_or_else(|| asset_error("no catalog source: set MARQUEE_CATALOG_SOURCE"))?;
    ctx.progress.stage("fetch", None);
    let raw = kaggle_source::fetch(&ctx.store, &source).await?;
    ctx.progress.note(&format!(
        "raw asset {} ({} bytes{})",
        raw.key,
        raw.bytes,
        if raw.written { "" } else { ", unchanged" }
    ));
    Ok(AssetReport {
        rows: None,
        bytes: Some(raw.bytes as i64),
        warnings: Vec::new(),
        metadata: serde_json::json!({ "key": raw.key, "bytes": raw.bytes, "written": raw.written, "source": source }),
    })
}

async fn cleaned_movies(ctx: AssetContext, engine: Engine) -> AssetResult {
    // This run's (or the latest) Kaggle file; else the newest in the store.
    let kaggle_key = match ctx.upstream_str(KAGGLE_CATALOG, "key") {
        Ok(k) => Some(k),
        Err(_) => latest_kaggle_key(&ctx.store).await?,
    };
    ctx.progress.stage("clean", None);
    let version = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
    if let Engine::Ballista(_) = &engine {
        ctx.progress.note(&format!("cleaning on the Ballista cluster at {engine}"));
    }
    let r = clean_movies_on(&engine, &ctx.store, kaggle_key.as_deref(), &version).await?;
    crate::failpoint::pause(crate::failpoint::CLEAN).await;
    ctx.progress.note(&format!(
        "cleaned_movies: {} rows ({} merged, {} scraped only, {} Kaggle only, {} with thumbnails, {} not films left out)",
        r.rows_out, r.merged, r.scraped_only, r.kaggle_only, r.with_thumbnail, r.not_films
    ));
    let mut warnings = Vec::new();
    if kaggle_key.is_none() {
        warnings.push("no Kaggle catalog in the store: only scraped movies were cleaned".to_owned());
    }
    if let Some(k) = &r.kaggle {
        for (n, what) in [
            (k.missing_title, "Kaggle rows without a title"),
            (k.bad_year, "unusable years set to null"),
            (k.bad_runtime, "unusable runtimes set to null"),
            (k.bad_rating, "unusable ratings set to null"),
            (k.bad_metascore, "unusable metascores set to null"),
            (k.bad_votes, "unusable vote counts set to null"),
            (k.bad_gross, "unusable grosses set to null"),
        ] {
            if n > 0 {
                warnings.push(format!("{n} {what}"));
            }
        }
    }
    Ok(AssetReport {
        rows: Some(r.rows_out as i64),
        bytes: None,
        warnings,
        metadata: serde_json::json!({
            "key": r.output_key, "version": version, "raw_key": kaggle_key, "engine": r.engine, "report": r,
        }),
    })
}

async fn database_load(ctx: AssetContext) -> AssetResult {
    let key = ctx.upstream_str(CLEANED_MOVIES, "key")?;
    // A transaction per batch, idempotent: a cancelled or killed load leaves
    // whole batches behind, and the next load completes it.
    let movies = read_cleaned(&ctx.store, &key).await?;
    let load: LoadReport = load_movies(&ctx.catalog, &movies, &*ctx.progress).await?;
    if ctx.cancel.is_cancelled() {
        return Err(asset_error("cancelled after the movies were loaded, before the reviews"));
    }
    ctx.progress.stage("reviews", None);
    let (reviews, orphans) = load_reviews(&ctx.catalog, &ctx.store, &movies).await?;
    ctx.progress.note(&format!("reviews: {reviews} loaded, {orphans} of titles not in the catalog left out"));
    Ok(AssetReport {
        rows: Some(load.loaded() as i64),
        bytes: None,
        warnings: load.rejected.iter().map(|r| format!("row {} ({}) rejected: {}", r.id, r.title, r.reason)).collect(),
        metadata: serde_json::json!({
            "source_key": key,
            "inserted": load.inserted,
            "updated": load.updated,
            "unchanged": load.unchanged,
            "rejected": load.rejected.len(),
            "reviews": reviews,
            "reviews_orphaned": orphans,
        }),
    })
}
