//! The `pretrained_reviews` source: the labelled review CSV (gzip) for the
//! sentiment work, from a path or URL, stored as a content-addressed raw
//! asset. The ledger remembers each digest stored, so the same file is never
//! stored twice, whatever the day.

use catalog::db::{ItemStatus, ScrapeItem};

use super::records::PRETRAINED_PREFIX;
use super::{date_partition, now_unix, ScrapeContext, SourceReport};
use crate::sources::{content_digest, fetch_bytes};
use crate::{PipelineError, Result};

pub const ASSET: &str = "pretrained_reviews";

/// The header the labelled CSV must start with.
pub const HEADER: &str = "split,label,review_id,rating,imdb_id,text";

/// Stores the labelled review CSV from `ctx.config.pretrained_reviews_source`.
pub async fn store_pretrained_reviews(ctx: &ScrapeContext<'_>) -> Result<SourceReport> {
    let started = std::time::Instant::now();
    let source = ctx.config.pretrained_reviews_source.clone().ok_or_else(|| PipelineError::Source {
        source_ref: "MARQUEE_PRETRAINED_REVIEWS".into(),
        reason: "no labelled review file configured and the shared one is absent".into(),
    })?;
    ctx.progress.stage(ASSET, None);
    let mut report = SourceReport { asset: ASSET.into(), items: 1, ..Default::default() };
    let bytes = if source.starts_with("http://") || source.starts_with("https://") {
        // Through the polite fetcher: allow-list, robots.txt, retries.
        let url = url::Url::parse(&source)
            .map_err(|e| PipelineError::Source { source_ref: source.clone(), reason: e.to_string() })?;
        let f = ctx
            .fetcher
            .get(&url, None, &ctx.cancel)
            .await
            .map_err(|e| PipelineError::Source { source_ref: source.clone(), reason: e.to_string() })?;
        f.body.to_vec()
    } else {
        fetch_bytes(&source).await?
    };
    check(&source, &bytes)?;
    let digest = content_digest(&bytes);
    let existing = ctx.catalog.scrape_item(ASSET, &digest).await?;
    if let Some(key) = existing.as_ref().filter(|i| i.status == ItemStatus::Done).and_then(|i| i.object_key.clone()) {
        if ctx.store.exists(&key).await? {
            report.skipped = 1;
            report.warnings.push(format!("already stored as {key}"));
            report.duration_ms = started.elapsed().as_millis() as u64;
            return Ok(report);
        }
    }
    let name: String = source
        .rsplit('/')
        .next()
        .unwrap_or("reviews.csv.gz")
        .trim_end_matches(".gz")
        .trim_end_matches(".csv")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .take(64)
        .collect();
    let gz = bytes.starts_with(&[0x1f, 0x8b]);
    let key = format!("{PRETRAINED_PREFIX}/{}/{name}-{digest}.csv{}", date_partition(), if gz { ".gz" } else { "" });
    report.bytes = bytes.len() as u64;
    ctx.store.put(&key, bytes).await?;
    let mut item = existing.unwrap_or_else(|| ScrapeItem::new(ASSET, &digest));
    item.status = ItemStatus::Done;
    item.object_key = Some(key.clone());
    item.fetched_at = Some(now_unix());
    item.attempts += 1;
    item.cursor = Some(source);
    ctx.catalog.save_scrape_item(&item).await?;
    report.fetched = 1;
    report.rows = 1;
    report.duration_ms = started.elapsed().as_millis() as u64;
    ctx.progress.note(&format!("{ASSET}: stored {key} ({} bytes)", report.bytes));
    Ok(report)
}

/// A gzip file (checked by its magic number: the header is inside) or a CSV
/// with the expected header.
fn check(source: &str, bytes: &[u8]) -> Result<()> {
    let bad = |reason: String| PipelineError::BadInput { key: source.to_owned(), reason };
    if bytes.is_empty() {
        return Err(bad("the file is empty".into()));
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(());
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]);
    if head.trim_start_matches('\u{feff}').starts_with(HEADER) {
        Ok(())
    } else {
        Err(bad(format!("expected a gzip file or a CSV starting with `{HEADER}`")))
    }
}
