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

/// What the served (and saved) index holds: the product structure only, all
/// the site searches. Exact (scikit-learn) mode, for the CLI's `--exact` and the
/// API's `mode=exact`, gets its own index on demand ([`exact_index`]).
pub const SERVED: search::BuildOptions = search::BuildOptions { exact: false, product: true };
/// What an on-demand exact-mode index holds.
pub const EXACT_ONLY: search::BuildOptions = search::BuildOptions { exact: true, product: false };

/// Builds the index to serve ([`SERVED`]) from every movie in the catalog.
pub async fn build_from_catalog(catalog: &Catalog) -> anyhow::Result<search::Index> {
    let rows = catalog.index_rows().await.context("reading movies for the index")?;
    let index = tokio::task::spawn_blocking(move || search::Index::build_with(documents(rows), SERVED))
        .await
        .context("the index build panicked")?;
    Ok(index)
}

/// The catalog rows as documents to index.
fn documents(rows: Vec<catalog::IndexRow>) -> impl Iterator<Item = search::Document> {
    rows.into_iter().map(|r| search::Document {
        id: r.id,
        title: r.title,
        body: r.overview.unwrap_or_default(),
        votes: r.votes.unwrap_or(0).max(0) as u64,
        year: r.year,
        rating: r.rating.map(|x| x as f32),
        genres: r.genres,
    })
}

/// The index to search in exact mode: `served` if it has the exact structure,
/// else an exact-only index built from the catalog on the first exact search
/// and kept in `live` until the next publish.
pub async fn exact_index(
    catalog: &Catalog,
    live: &LiveIndex,
    served: std::sync::Arc<search::Index>,
) -> anyhow::Result<std::sync::Arc<search::Index>> {
    if served.options().exact {
        return Ok(served);
    }
    if let Some(exact) = live.exact_for(&served) {
        return Ok(exact);
    }
    let rows = catalog.index_rows().await.context("reading movies for the exact-mode index")?;
    let live = live.clone();
    tokio::task::spawn_blocking(move || {
        live.exact_or_build(&served, || search::Index::build_with(documents(rows), EXACT_ONLY))
    })
    .await
    .context("the exact-mode index build panicked")
}

/// Builds, saves (temp file + rename) and publishes a fresh index.
pub async fn rebuild(catalog: &Catalog, path: &Path, live: &LiveIndex) -> anyhow::Result<usize> {
    let started = std::time::Instant::now();
    let index = build_from_catalog(catalog).await?;
    let docs = save_and_publish(index, path, live, &tokio_util::sync::CancellationToken::new()).await?;
    tracing::info!(docs, ms = started.elapsed().as_millis() as u64, "search index published");
    Ok(docs)
}

/// Saves `index` (temp file + rename), then publishes it unless `cancel`
/// fired meanwhile. Returns its document count.
pub async fn save_and_publish(
    index: search::Index,
    path: &Path,
    live: &LiveIndex,
    cancel: &tokio_util::sync::CancellationToken,
) -> anyhow::Result<usize> {
    let docs = index.len();
    pipeline::failpoint::pause(pipeline::failpoint::INDEX_BUILD).await;
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
    pipeline::failpoint::pause(pipeline::failpoint::SWAP).await;
    anyhow::ensure!(!cancel.is_cancelled(), "cancelled before the index was published");
    // Publish only after the file is complete: a crash before this line leaves
    // the old index in memory, and a complete one on disk.
    live.publish(index);
    Ok(docs)
}
