//! A whole scrape in one call, for the CLI and the tests: the chosen sources
//! in their natural order, then (optionally) `cleaned_movies`.

use std::str::FromStr;
use std::time::Instant;

use super::{movies, pretrained, reviews, thumbnails, ScrapeContext, SourceReport};
use crate::run::{clean_and_load, CleanLoadReport, LoadContext};
use crate::Result;

/// A scraping asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Asset {
    Movies,
    Thumbnails,
    Reviews,
    PretrainedReviews,
}

impl Asset {
    pub const ALL: [Asset; 4] = [Asset::Movies, Asset::Thumbnails, Asset::Reviews, Asset::PretrainedReviews];

    pub fn name(self) -> &'static str {
        match self {
            Asset::Movies => "movies",
            Asset::Thumbnails => "thumbnails",
            Asset::Reviews => "reviews",
            Asset::PretrainedReviews => "pretrained_reviews",
        }
    }

    /// Runs this asset's source.
    pub async fn run(self, ctx: &ScrapeContext<'_>) -> Result<SourceReport> {
        match self {
            Asset::Movies => movies::scrape_movies(ctx).await,
            Asset::Thumbnails => thumbnails::scrape_thumbnails(ctx).await,
            Asset::Reviews => reviews::scrape_reviews(ctx).await,
            Asset::PretrainedReviews => pretrained::store_pretrained_reviews(ctx).await,
        }
    }
}

impl FromStr for Asset {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Asset::ALL
            .into_iter()
            .find(|a| a.name() == s.trim())
            .ok_or_else(|| format!("unknown asset `{s}`: expected movies, thumbnails, reviews or pretrained_reviews"))
    }
}

/// Totals over a scrape run.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ScrapeRunReport {
    pub sources: Vec<SourceReport>,
    /// The `cleaned_movies` load, when asked for.
    pub cleaned: Option<CleanLoadReport>,
    pub requests: u64,
    pub retries: u64,
    pub not_modified: u64,
    pub failed_items: u64,
    pub bytes_stored: u64,
    pub cancelled: bool,
    pub duration_ms: u64,
}

/// Runs `assets` in order, then `cleaned_movies` when `load`. A source that
/// fails as a whole (e.g. no pretrained file) is reported as a warning of its
/// own report and the run goes on.
pub async fn run_scrape(ctx: &ScrapeContext<'_>, assets: &[Asset], load: bool) -> Result<ScrapeRunReport> {
    let started = Instant::now();
    let mut report = ScrapeRunReport::default();
    for asset in assets {
        if ctx.cancel.is_cancelled() {
            report.cancelled = true;
            break;
        }
        let r = match asset.run(ctx).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(asset = asset.name(), error = %e, "source failed");
                ctx.progress.note(&format!("{}: failed: {e}", asset.name()));
                SourceReport {
                    asset: asset.name().into(),
                    warnings: vec![format!("source failed: {e}")],
                    ..Default::default()
                }
            }
        };
        report.requests += r.requests;
        report.retries += r.retries;
        report.not_modified += r.fetch.not_modified;
        report.failed_items += r.failed.len() as u64;
        report.bytes_stored += r.bytes;
        report.cancelled |= r.cancelled;
        report.sources.push(r);
    }
    if load && !report.cancelled {
        let lctx =
            LoadContext { store: ctx.store, catalog: ctx.catalog, progress: ctx.progress, cancel: ctx.cancel.clone() };
        report.cleaned = Some(clean_and_load(&lctx).await?);
    }
    report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(report)
}
