//! The scraping sources: `movies`, `thumbnails`, `reviews` and
//! `pretrained_reviews`, each a plain `pub async fn` over a [`ScrapeContext`]
//! that returns a [`SourceReport`] (what an orchestrator materializes).
//!
//! Every source works item by item (a title, a poster, a title's reviews of
//! one polarity). Each item is written to the object store as soon as it is
//! fetched and then recorded in the scrape ledger (`scrape_items`), so a run
//! that is cancelled or killed loses nothing it fetched, and the next run
//! skips what is done and fetches only what is missing. A fault is retried
//! by the fetcher; when retries run out it is recorded as a failed item with
//! its reason and the run goes on.

pub mod config;
pub mod movies;
pub mod pretrained;
pub mod records;
pub mod reviews;
pub mod runner;
pub mod thumbnails;

use std::future::Future;
use std::time::Instant;

use catalog::db::{Catalog, ItemStatus, ScrapeItem};
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::fetch::{FetchError, FetchStats, Fetcher, Validators};
use crate::progress::Progress;
use crate::store::AssetStore;

pub use config::ScraperConfig;

/// Size of a movie partition: the old project's batches of 50 ids.
pub const PARTITION_SIZE: usize = 50;

/// What every scraping source is given.
pub struct ScrapeContext<'a> {
    pub store: &'a AssetStore,
    pub catalog: &'a Catalog,
    pub fetcher: &'a Fetcher,
    pub config: &'a ScraperConfig,
    pub progress: &'a dyn Progress,
    /// Checked between items (and inside the fetcher's waits): once cancelled,
    /// the source stops starting items, lets none half-written, and returns.
    pub cancel: CancellationToken,
    /// Only these movie ids (a batch of [`PARTITION_SIZE`]); `None` = all.
    pub partition: Option<Vec<String>>,
    /// Re-fetch items already done, conditionally (ETag / Last-Modified): a
    /// current copy costs a `304` and no bytes.
    pub refresh: bool,
    /// Re-fetch (conditionally) items done longer ago than this.
    pub refresh_after: Option<std::time::Duration>,
    /// At most this many items (on top of `config.movie_limit`).
    pub limit: Option<usize>,
}

/// An item that could not be collected, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FailedItem {
    pub key: String,
    pub reason: String,
}

/// What a source run did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SourceReport {
    pub asset: String,
    /// Items considered.
    pub items: u64,
    /// Items fetched and stored by this run.
    pub fetched: u64,
    /// Items re-fetched conditionally that had not changed (304).
    pub not_modified: u64,
    /// Items already done by an earlier run, not fetched again.
    pub skipped: u64,
    /// Records written (titles, thumbnails, reviews, files).
    pub rows: u64,
    /// Bytes written to the object store.
    pub bytes: u64,
    /// HTTP requests sent (robots.txt and retries included).
    pub requests: u64,
    /// Retried attempts.
    pub retries: u64,
    /// The fetcher's counters over this run.
    pub fetch: FetchStats,
    pub failed: Vec<FailedItem>,
    pub warnings: Vec<String>,
    /// True when the run stopped early because it was cancelled.
    pub cancelled: bool,
    /// Why the run stopped starting items (the object store is full), if it did.
    #[serde(default)]
    pub stopped: Option<String>,
    pub duration_ms: u64,
}

/// How one item ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    Fetched {
        rows: u64,
        bytes: u64,
        warning: Option<String>,
    },
    NotModified,
    Skipped,
    Failed(String),
    /// Failed in a way every later item would too (the object store is
    /// full): the run starts no more items and fails with this reason.
    Stop(String),
    Cancelled,
    /// Not started: an earlier item stopped the run.
    NotStarted,
}

/// The outcome of an item whose object could not be stored: a full store
/// stops the run (every later item would fail the same way, after fetching).
pub(crate) fn storing_failed(key: &str, e: crate::PipelineError) -> Outcome {
    match e {
        full @ crate::PipelineError::StoreFull { .. } => Outcome::Stop(full.to_string()),
        other => Outcome::Failed(format!("storing {key}: {other}")),
    }
}

impl<'a> ScrapeContext<'a> {
    /// True when a done item `prev` is fetched again (conditionally) on this
    /// run: always with `refresh`, else once it is older than `refresh_after`.
    pub fn refreshes(&self, prev: Option<&ScrapeItem>) -> bool {
        self.refresh
            || self.refresh_after.is_some_and(|age| {
                prev.and_then(|p| p.fetched_at)
                    .is_some_and(|at| now_unix().saturating_sub(at) > i64::try_from(age.as_secs()).unwrap_or(i64::MAX))
            })
    }

    /// The movie limit of this run.
    pub fn movie_limit(&self) -> usize {
        self.limit.unwrap_or(usize::MAX).min(self.config.movie_limit)
    }

    /// Runs `work` over `items`, `concurrency` at a time, and sums up the
    /// outcomes into a report. Stops starting items once cancelled.
    pub(crate) async fn run_items<T, F, Fut>(
        &self,
        asset: &str,
        items: Vec<T>,
        key: impl Fn(&T) -> String,
        work: F,
    ) -> SourceReport
    where
        F: Fn(T) -> Fut,
        Fut: Future<Output = Outcome>,
    {
        let started = Instant::now();
        let before = self.fetcher.stats();
        let mut report = SourceReport { asset: asset.to_owned(), items: items.len() as u64, ..Default::default() };
        self.progress.stage(asset, Some(items.len() as u64));
        let cancel = self.cancel.clone();
        let stop = CancellationToken::new();
        let jobs = items.into_iter().map(|item| {
            let k = key(&item);
            let (cancel, stop) = (cancel.clone(), stop.clone());
            let fut = work(item);
            async move {
                if cancel.is_cancelled() {
                    return (k, Outcome::Cancelled);
                }
                if stop.is_cancelled() {
                    return (k, Outcome::NotStarted);
                }
                (k, fut.await)
            }
        });
        let mut stream = futures::stream::iter(jobs).buffer_unordered(self.config.concurrency.max(1) * 2);
        let mut done = 0u64;
        while let Some((k, outcome)) = stream.next().await {
            match outcome {
                Outcome::Fetched { rows, bytes, warning } => {
                    report.fetched += 1;
                    report.rows += rows;
                    report.bytes += bytes;
                    if let Some(w) = warning {
                        report.warnings.push(format!("{k}: {w}"));
                    }
                }
                Outcome::NotModified => report.not_modified += 1,
                Outcome::Skipped => report.skipped += 1,
                Outcome::Failed(reason) => {
                    tracing::warn!(asset, item = %k, %reason, "item failed");
                    report.failed.push(FailedItem { key: k, reason });
                }
                Outcome::Stop(reason) => {
                    tracing::error!(asset, item = %k, %reason, "item failed: stopping the run");
                    report.failed.push(FailedItem { key: k, reason: reason.clone() });
                    report.stopped.get_or_insert(reason);
                    stop.cancel();
                }
                Outcome::Cancelled => report.cancelled = true,
                Outcome::NotStarted => {}
            }
            done += 1;
            self.progress.advance(done);
        }
        report.cancelled |= self.cancel.is_cancelled();
        report.fetch = self.fetcher.stats().since(&before);
        report.requests = report.fetch.requests;
        report.retries = report.fetch.retries;
        report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        report.failed.sort_by(|a, b| a.key.cmp(&b.key));
        self.progress.note(&format!(
            "{asset}: {} fetched, {} unchanged, {} already done, {} failed, {} requests, {} retries, {} bytes stored{}",
            report.fetched,
            report.not_modified,
            report.skipped,
            report.failed.len(),
            report.requests,
            report.retries,
            report.bytes,
            if report.cancelled { " (cancelled)" } else { "" }
        ));
        report
    }

    /// Records a failed attempt for `item` (keeping what an earlier success stored).
    pub(crate) async fn record_failure(&self, mut item: ScrapeItem, error: &FetchErrorOrReason) -> Outcome {
        let reason = error.to_string();
        item.attempts += 1;
        if item.status != ItemStatus::Done || !self.refresh {
            // A refresh that fails leaves a done item done: what was stored stays valid.
            item.status = if item.pages > 0 { ItemStatus::Partial } else { ItemStatus::Failed };
        }
        item.error = Some(reason.clone());
        if let Err(e) = self.catalog.save_scrape_item(&item).await {
            return Outcome::Failed(format!("{reason}; and recording it failed: {e}"));
        }
        Outcome::Failed(reason)
    }
}

/// A fetch error or another reason an item failed.
#[derive(Debug)]
pub(crate) enum FetchErrorOrReason {
    Fetch(FetchError),
    Reason(String),
}

impl std::fmt::Display for FetchErrorOrReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Fetch(e) => write!(f, "{e}"),
            Self::Reason(r) => f.write_str(r),
        }
    }
}

/// The validators to send for `item` on this run: only when refreshing a done item.
pub(crate) fn validators_for(item: Option<&ScrapeItem>, refresh: bool) -> Option<Validators> {
    let item = item.filter(|i| refresh && i.status == ItemStatus::Done && i.object_key.is_some())?;
    let v = Validators { etag: item.etag.clone(), last_modified: item.last_modified.clone() };
    (!v.is_empty()).then_some(v)
}

/// Today's date partition, `date=YYYY-MM-DD`.
pub(crate) fn date_partition() -> String {
    format!("date={}", chrono::Utc::now().format("%Y-%m-%d"))
}

pub(crate) fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A title id as used in keys and URLs: `tt` and 7+ digits, nothing else.
pub(crate) fn valid_title_id(id: &str) -> bool {
    imdb::is_title_id(id)
}
