//! The search index's lifecycle on the server: load the saved file at
//! start-up, (re)build it from the catalog, save it atomically, publish it
//! behind the atomic swap. A corrupt file is reported and replaced, never served.

use std::path::{Path, PathBuf};

use anyhow::Context;
use app::ssr::live_index::LiveIndex;
use catalog::db::Catalog;

/// Where the index file lives under the data directory.
pub fn index_path(data_dir: &Path) -> PathBuf {
    data_dir.join("index").join("movies.idx")
}

/// Loads the saved index, if any. `Ok(None)` when there is no file.
pub fn load_saved(path: &Path) -> anyhow::Result<Option<search::Index>> {
    if !path.exists() {
        return Ok(None);
    }
    search::Index::load(path).map(Some).with_context(|| format!("loading the search index {}", path.display()))
}

/// Builds the index from every movie in the catalog.
pub async fn build_from_catalog(catalog: &Catalog) -> anyhow::Result<search::Index> {
    let rows = catalog.index_rows().await.context("reading movies for the index")?;
    let index = tokio::task::spawn_blocking(move || {
        search::Index::build(rows.into_iter().map(|r| search::Document {
            id: r.id,
            title: r.title,
            body: r.overview.unwrap_or_default(),
            votes: r.votes.unwrap_or(0).max(0) as u64,
            year: r.year,
            rating: r.rating.map(|x| x as f32),
            genres: r.genres,
        }))
    })
    .await
    .context("the index build panicked")?;
    Ok(index)
}

/// Builds, saves (temp file + rename) and publishes a fresh index.
pub async fn rebuild(catalog: &Catalog, path: &Path, live: &LiveIndex) -> anyhow::Result<usize> {
    let started = std::time::Instant::now();
    let index = build_from_catalog(catalog).await?;
    let docs = index.len();
    let path = path.to_path_buf();
    let index = tokio::task::spawn_blocking(move || -> anyhow::Result<search::Index> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        index.save(&path)?;
        Ok(index)
    })
    .await
    .context("saving the index panicked")?
    .context("saving the search index")?;
    // Publish only after the file is complete: a crash before this line leaves
    // the old index both on disk and in memory.
    live.publish(index);
    tracing::info!(docs, ms = started.elapsed().as_millis() as u64, "search index published");
    Ok(docs)
}
