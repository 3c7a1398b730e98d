//! The catalog run (Kaggle CSV → raw asset → `cleaned_movies` → database) and
//! the `cleaned_movies` asset (every raw asset in the store → `cleaned_movies`
//! → database, reviews included).

use std::collections::HashMap;

use catalog::db::{Catalog, LoadReport};
use tokio_util::sync::CancellationToken;

use crate::clean::kaggle::CleanReport;
use crate::clean::movies::{clean_movies, MoviesCleanReport};
use crate::clean::reviews::cleaned_reviews;
use crate::clean::to_movies::read_cleaned;
use crate::progress::Progress;
use crate::sources::kaggle::{self as kaggle_source, RawAsset};
use crate::store::AssetStore;
use crate::Result;

/// Everything a catalog run did, stage by stage.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CatalogRunReport {
    pub raw_key: String,
    pub raw_bytes: u64,
    pub raw_written: bool,
    pub clean: CleanReport,
    /// The merge with scraped movies (empty counts when nothing was scraped).
    pub merge: MoviesCleanReport,
    pub load: LoadReport,
}

fn version() -> String {
    format!("{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"))
}

/// Runs the catalog pipeline from `source` (a path or http(s) URL). Scraped
/// movies already in the store are merged in (see [`clean_movies`]).
pub async fn run_catalog(
    catalog: &Catalog,
    store: &AssetStore,
    source: &str,
    progress: &dyn Progress,
) -> Result<CatalogRunReport> {
    progress.stage("fetch", None);
    let RawAsset { key, bytes, written } = kaggle_source::fetch(store, source).await?;
    tracing::info!(%key, bytes, written, "raw asset stored");
    progress.note(&format!("raw asset {key} ({bytes} bytes{})", if written { "" } else { ", unchanged" }));

    progress.stage("clean", None);
    let merge = clean_movies(store, Some(&key), &version()).await?;
    let clean = merge.kaggle.clone().unwrap_or_default();
    tracing::info!(?merge, "cleaned");
    progress.note(&format!(
        "cleaned {} rows into {} movies ({} duplicates, {} bad years, {} bad runtimes, {} bad grosses; {} merged with scraped titles)",
        clean.rows_in, merge.rows_out, clean.duplicates_removed, clean.bad_year, clean.bad_runtime, clean.bad_gross, merge.merged
    ));
    let movies = read_cleaned(store, &merge.output_key).await?;
    let load = load_movies(catalog, &movies, progress).await?;
    Ok(CatalogRunReport { raw_key: key, raw_bytes: bytes, raw_written: written, clean, merge, load })
}

/// Upserts the movies of a `cleaned_movies` version, each row under the
/// source its facts came from.
pub async fn load_movies(catalog: &Catalog, movies: &[catalog::Movie], progress: &dyn Progress) -> Result<LoadReport> {
    progress.stage("load", Some(movies.len() as u64));
    // Each row's source says where its facts came from (and is part of its
    // content hash, so a Kaggle-only row stays unchanged when others are scraped).
    let mut groups: [(&str, Vec<catalog::Movie>); 3] =
        [("kaggle", Vec::new()), ("kaggle+imdb", Vec::new()), ("imdb", Vec::new())];
    for m in movies.iter().cloned() {
        let g = match &m.imdb_id {
            None => 0,
            Some(tt) if *tt != m.id => 1,
            Some(_) => 2,
        };
        groups[g].1.push(m);
    }
    let mut load = LoadReport::default();
    let mut done_before = 0;
    for (source, rows) in &groups {
        if rows.is_empty() {
            continue;
        }
        let r = catalog
            .upsert_movies(rows, source, |done| {
                progress.advance((done_before + done) as u64);
                crate::failpoint::pause_blocking(crate::failpoint::LOAD);
            })
            .await?;
        done_before += rows.len();
        load.inserted += r.inserted;
        load.updated += r.updated;
        load.unchanged += r.unchanged;
        load.rejected.extend(r.rejected);
    }
    for r in &load.rejected {
        tracing::warn!(id = %r.id, title = %r.title, reason = %r.reason, "row skipped");
    }
    progress.note(&format!(
        "loaded: {} new, {} updated, {} unchanged, {} rejected",
        load.inserted,
        load.updated,
        load.unchanged,
        load.rejected.len()
    ));
    Ok(load)
}

/// What the `cleaned_movies` asset is given.
pub struct LoadContext<'a> {
    pub store: &'a AssetStore,
    pub catalog: &'a Catalog,
    pub progress: &'a dyn Progress,
    /// Checked between the stages.
    pub cancel: CancellationToken,
}

/// What the `cleaned_movies` asset did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CleanLoadReport {
    /// The Kaggle raw file merged in, if any.
    pub kaggle_key: Option<String>,
    pub clean: MoviesCleanReport,
    pub load: LoadReport,
    /// Reviews written to the `reviews` table.
    pub reviews_loaded: u64,
    /// Reviews of titles that are not in the catalog (e.g. series), left out.
    pub reviews_orphaned: u64,
    pub warnings: Vec<String>,
    pub cancelled: bool,
    pub duration_ms: u64,
}

/// The newest Kaggle raw file in the store.
pub async fn latest_kaggle_key(store: &AssetStore) -> Result<Option<String>> {
    store.newest("raw/kaggle_catalog", ".csv").await
}

/// The `cleaned_movies` asset: cleans every raw movie asset in the store (the
/// newest Kaggle file and all scrapes) into a new `cleaned_movies` version,
/// upserts it, then loads the scraped reviews. Upserts only: a movie a
/// partial scrape did not see is never deleted.
pub async fn clean_and_load(ctx: &LoadContext<'_>) -> Result<CleanLoadReport> {
    let started = std::time::Instant::now();
    let mut report = CleanLoadReport { kaggle_key: latest_kaggle_key(ctx.store).await?, ..Default::default() };
    if report.kaggle_key.is_none() {
        report.warnings.push("no Kaggle catalog in the store: only scraped movies are cleaned".into());
    }
    ctx.progress.stage("clean", None);
    report.clean = clean_movies(ctx.store, report.kaggle_key.as_deref(), &version()).await?;
    ctx.progress.note(&format!(
        "cleaned_movies: {} rows ({} merged, {} scraped only, {} Kaggle only, {} with thumbnails, {} not films left out)",
        report.clean.rows_out,
        report.clean.merged,
        report.clean.scraped_only,
        report.clean.kaggle_only,
        report.clean.with_thumbnail,
        report.clean.not_films
    ));
    if ctx.cancel.is_cancelled() {
        report.cancelled = true;
        return Ok(report);
    }
    let movies = read_cleaned(ctx.store, &report.clean.output_key).await?;
    report.load = load_movies(ctx.catalog, &movies, ctx.progress).await?;
    if ctx.cancel.is_cancelled() {
        report.cancelled = true;
        return Ok(report);
    }
    ctx.progress.stage("reviews", None);
    let (loaded, orphans) = load_reviews(ctx.catalog, ctx.store, &movies).await?;
    report.reviews_loaded = loaded;
    report.reviews_orphaned = orphans;
    ctx.progress.note(&format!("reviews: {loaded} loaded, {orphans} of titles not in the catalog"));
    report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(report)
}

/// Loads every scraped review of a title among `movies` (a `cleaned_movies`
/// version; idempotent upserts); returns (loaded, left out as not in the catalog).
pub async fn load_reviews(catalog: &Catalog, store: &AssetStore, movies: &[catalog::Movie]) -> Result<(u64, u64)> {
    let ids: HashMap<String, String> = movies.iter().filter_map(|m| Some((m.imdb_id.clone()?, m.id.clone()))).collect();
    let (reviews, orphans) = cleaned_reviews(store, &ids).await?;
    Ok((catalog.upsert_reviews(&reviews).await?, orphans))
}
