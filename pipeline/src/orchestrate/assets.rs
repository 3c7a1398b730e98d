//! The asset graph, declared in one place, and the assets the pipeline
//! crate implements.
//!
//! ```text
//!   kaggle_catalog ──► cleaned_movies ──► database ──► tf_idf
//! ```
//!
//! `tf_idf` (the search index) reads the database, not the Parquet: the index
//! holds database ids and must match what the site serves. It is implemented
//! by the server, which owns the live index, and registered at start-up.
//!
//! Registering an asset is one [`Asset`] value: a name, its upstream assets,
//! and an async function of an [`AssetContext`] returning an
//! [`AssetReport`]. Add it to [`catalog_graph`] (or, for an asset implemented
//! elsewhere, to the registry where that crate builds it).

use catalog::db::LoadReport;

use super::asset::{Asset, AssetContext, AssetReport, AssetResult, Registry};
use super::runner::asset_error;
use crate::clean::kaggle;
use crate::clean::to_movies::read_cleaned;
use crate::sources::kaggle as kaggle_source;

/// The Kaggle-format catalog CSV, stored raw in the object store.
pub const KAGGLE_CATALOG: &str = "kaggle_catalog";
/// The cleaned, versioned Parquet of movies.
pub const CLEANED_MOVIES: &str = "cleaned_movies";
/// The cleaned movies upserted into the catalog database.
pub const DATABASE: &str = "database";
/// The search index (implemented by the server).
pub const TF_IDF: &str = "tf_idf";

/// The pipeline's own assets. `catalog_source` is the Kaggle CSV (a path or
/// URL); without one the `kaggle_catalog` asset fails saying so.
pub fn catalog_graph(catalog_source: Option<String>) -> Registry {
    Registry::new()
        .with(
            Asset::new(KAGGLE_CATALOG, move |ctx| kaggle_catalog(ctx, catalog_source.clone()))
                .describe("The Kaggle IMDb top-1000 CSV, stored raw and content-addressed"),
        )
        .with(
            Asset::new(CLEANED_MOVIES, cleaned_movies)
                .upstream([KAGGLE_CATALOG])
                .describe("Cleaned on DataFusion into a versioned Parquet"),
        )
        .with(
            Asset::new(DATABASE, database_load)
                .upstream([CLEANED_MOVIES])
                .describe("Upserted into the catalog database, a transaction per batch"),
        )
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

async fn cleaned_movies(ctx: AssetContext) -> AssetResult {
    let raw_key = ctx.upstream_str(KAGGLE_CATALOG, "key")?;
    ctx.progress.stage("clean", None);
    let version = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
    let r = kaggle::clean(&ctx.store, &raw_key, &version).await?;
    ctx.progress.note(&format!(
        "cleaned {} rows into {} movies ({} duplicates removed)",
        r.rows_in, r.rows_out, r.duplicates_removed
    ));
    let mut warnings = Vec::new();
    for (n, what) in [
        (r.missing_title, "rows without a title"),
        (r.bad_year, "unusable years set to null"),
        (r.bad_runtime, "unusable runtimes set to null"),
        (r.bad_rating, "unusable ratings set to null"),
        (r.bad_metascore, "unusable metascores set to null"),
        (r.bad_votes, "unusable vote counts set to null"),
        (r.bad_gross, "unusable grosses set to null"),
    ] {
        if n > 0 {
            warnings.push(format!("{n} {what}"));
        }
    }
    Ok(AssetReport {
        rows: Some(r.rows_out as i64),
        bytes: None,
        warnings,
        metadata: serde_json::json!({ "key": r.output_key, "version": version, "raw_key": raw_key, "report": r }),
    })
}

async fn database_load(ctx: AssetContext) -> AssetResult {
    let key = ctx.upstream_str(CLEANED_MOVIES, "key")?;
    let movies = read_cleaned(&ctx.store, &key).await?;
    ctx.progress.stage("load", Some(movies.len() as u64));
    let progress = ctx.progress.clone();
    // A transaction per batch, idempotent: a cancelled or killed load leaves
    // whole batches behind, and the next load completes it.
    let load: LoadReport = ctx.catalog.upsert_movies(&movies, "kaggle", |done| progress.advance(done as u64)).await?;
    ctx.progress.note(&format!(
        "loaded: {} new, {} updated, {} unchanged, {} rejected",
        load.inserted,
        load.updated,
        load.unchanged,
        load.rejected.len()
    ));
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
        }),
    })
}
