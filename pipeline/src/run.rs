//! The catalog run: Kaggle CSV → raw asset → `cleaned_movies` → database.

use catalog::db::{Catalog, LoadReport};

use crate::clean::kaggle::{self, CleanReport};
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
    pub load: LoadReport,
}

/// Runs the catalog pipeline from `source` (a path or http(s) URL).
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
    let version = format!("{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"));
    let clean = kaggle::clean(store, &key, &version).await?;
    tracing::info!(?clean, "cleaned");
    progress.note(&format!(
        "cleaned {} rows into {} movies ({} duplicates, {} bad years, {} bad runtimes, {} bad grosses)",
        clean.rows_in, clean.rows_out, clean.duplicates_removed, clean.bad_year, clean.bad_runtime, clean.bad_gross
    ));

    let movies = read_cleaned(store, &clean.output_key).await?;
    progress.stage("load", Some(movies.len() as u64));
    let load = catalog.upsert_movies(&movies, "kaggle", |done| progress.advance(done as u64)).await?;
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
    Ok(CatalogRunReport { raw_key: key, raw_bytes: bytes, raw_written: written, clean, load })
}
