//! The `movies` source: list pages give title ids, in partitions of 50; each
//! title page is parsed (`__NEXT_DATA__`, JSON-LD as the fallback) and stored
//! as a raw record with its fetch metadata.

use std::collections::HashSet;

use catalog::db::{ItemStatus, ScrapeItem};

use super::records::{to_json_lines, FetchMeta, RawList, RawMovie, LISTS_PREFIX, MOVIES_PREFIX};
use super::{
    date_partition, now_unix, storing_failed, valid_title_id, validators_for, FailedItem, FetchErrorOrReason, Outcome,
    ScrapeContext, SourceReport, PARTITION_SIZE,
};
use crate::fetch::FetchError;
use crate::{PipelineError, Result};

/// Ledger asset names.
pub const ASSET: &str = "movies";
pub const LISTS_ASSET: &str = "movie_lists";

/// The list pages of a run with `limit` movies: popularity ranges
/// `moviemeter=S,E` in partitions of 50, then the top chart.
pub fn list_paths(limit: usize) -> Vec<(String, String)> {
    let parts = limit.div_ceil(PARTITION_SIZE).max(1);
    let mut out: Vec<(String, String)> = (0..parts)
        .map(|p| {
            let (s, e) = (p * PARTITION_SIZE + 1, (p + 1) * PARTITION_SIZE);
            (format!("moviemeter-{s}-{e}"), format!("/search/title/?title_type=feature&moviemeter={s},{e}"))
        })
        .collect();
    out.push(("chart-top".into(), "/chart/top/".into()));
    out
}

/// The title ids of this run, from the list pages (each fetched once and
/// stored; a later run reads them back from the store), deduplicated, at
/// most the movie limit. Failed list pages are reported and skipped.
pub async fn discover_ids(ctx: &ScrapeContext<'_>) -> Result<(Vec<String>, SourceReport)> {
    discover_in(ctx, list_paths(ctx.movie_limit())).await
}

/// The list page of partition `slug`: `moviemeter-S-E` (at most 1000 wide)
/// or `chart-top`; `None` for anything else.
pub fn list_path(slug: &str) -> Option<String> {
    if slug == "chart-top" {
        return Some("/chart/top/".into());
    }
    let (s, e) = slug.strip_prefix("moviemeter-")?.split_once('-')?;
    let (s, e): (u32, u32) = (s.parse().ok()?, e.parse().ok()?);
    (s >= 1 && e >= s && e - s < 1000).then(|| format!("/search/title/?title_type=feature&moviemeter={s},{e}"))
}

/// The title ids of one list partition (`moviemeter-51-100`, `chart-top`):
/// its list page fetched once, later read back from the store.
pub async fn partition_ids(ctx: &ScrapeContext<'_>, slug: &str) -> Result<(Vec<String>, SourceReport)> {
    let path = list_path(slug).ok_or_else(|| PipelineError::Source {
        source_ref: slug.into(),
        reason: "not a movie partition: expected `moviemeter-S-E` (e.g. moviemeter-1-50), `chart-top` \
                 or comma-separated title ids"
            .into(),
    })?;
    discover_in(ctx, vec![(slug.to_owned(), path)]).await
}

async fn discover_in(ctx: &ScrapeContext<'_>, paths: Vec<(String, String)>) -> Result<(Vec<String>, SourceReport)> {
    let limit = ctx.movie_limit();
    let ledger = ctx.catalog.scrape_items(LISTS_ASSET).await?;
    let mut report = SourceReport { asset: LISTS_ASSET.into(), items: paths.len() as u64, ..Default::default() };
    let before = ctx.fetcher.stats();
    let started = std::time::Instant::now();
    let mut ids = Vec::new();
    let mut seen = HashSet::new();
    ctx.progress.stage("lists", Some(paths.len() as u64));
    for (n, (slug, path)) in paths.iter().enumerate() {
        if ctx.cancel.is_cancelled() {
            report.cancelled = true;
            break;
        }
        if ids.len() >= limit {
            break;
        }
        let prev = ledger.get(slug);
        let found = match prev
            .filter(|p| p.status == ItemStatus::Done && !ctx.refreshes(Some(p)))
            .and_then(|p| p.object_key.clone())
        {
            Some(key) => {
                match ctx.store.get(&key).await.ok().and_then(|b| serde_json::from_slice::<RawList>(&b).ok()) {
                    Some(list) => {
                        report.skipped += 1;
                        Some(list.ids)
                    }
                    None => fetch_list(ctx, slug, path, prev, &mut report).await?,
                }
            }
            None => fetch_list(ctx, slug, path, prev, &mut report).await?,
        };
        for id in found.unwrap_or_default() {
            if valid_title_id(&id) && ids.len() < limit && seen.insert(id.clone()) {
                ids.push(id);
            }
        }
        ctx.progress.advance(n as u64 + 1);
    }
    report.rows = ids.len() as u64;
    report.fetch = ctx.fetcher.stats().since(&before);
    report.requests = report.fetch.requests;
    report.retries = report.fetch.retries;
    report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok((ids, report))
}

async fn fetch_list(
    ctx: &ScrapeContext<'_>,
    slug: &str,
    path: &str,
    prev: Option<&ScrapeItem>,
    report: &mut SourceReport,
) -> Result<Option<Vec<String>>> {
    let mut item = prev.cloned().unwrap_or_else(|| ScrapeItem::new(LISTS_ASSET, slug));
    let url = match ctx.config.url(path) {
        Ok(u) => u,
        Err(e) => {
            report.failed.push(FailedItem { key: slug.into(), reason: format!("bad URL {path}: {e}") });
            return Ok(None);
        }
    };
    let validators = validators_for(prev, ctx.refreshes(prev));
    match ctx.fetcher.get(&url, validators.as_ref(), &ctx.cancel).await {
        Ok(f) if f.not_modified => {
            // Unchanged since the stored copy: read the ids back.
            let stored = match item.object_key.as_deref() {
                Some(key) => ctx.store.get(key).await.ok().and_then(|b| serde_json::from_slice::<RawList>(&b).ok()),
                None => None,
            };
            item.fetched_at = Some(now_unix());
            item.attempts += 1;
            ctx.catalog.save_scrape_item(&item).await?;
            report.not_modified += 1;
            Ok(stored.map(|l| l.ids))
        }
        Err(FetchError::Cancelled { .. }) => {
            report.cancelled = true;
            Ok(None)
        }
        Err(e) => {
            if let Outcome::Failed(reason) = ctx.record_failure(item, &FetchErrorOrReason::Fetch(e)).await {
                report.failed.push(FailedItem { key: slug.into(), reason });
            }
            Ok(None)
        }
        Ok(f) => {
            let page = imdb::parse_search_page(&String::from_utf8_lossy(&f.body));
            let list = RawList { fetch: FetchMeta::of(&f), ids: page.ids.clone(), next: page.next };
            let bytes = serde_json::to_vec(&list).unwrap_or_default();
            let key = format!("{LISTS_PREFIX}/{}/{slug}.json", date_partition());
            report.bytes += bytes.len() as u64;
            ctx.store.put(&key, bytes).await?;
            item.status = ItemStatus::Done;
            item.object_key = Some(key);
            item.etag = f.validators.etag.clone();
            item.last_modified = f.validators.last_modified.clone();
            item.fetched_at = Some(now_unix());
            item.attempts += 1;
            item.error = None;
            ctx.catalog.save_scrape_item(&item).await?;
            report.fetched += 1;
            Ok(Some(page.ids))
        }
    }
}

/// The title ids of this run in partitions of 50, for an orchestrator that
/// materializes `movies` one partition at a time.
pub async fn partitions(ctx: &ScrapeContext<'_>) -> Result<Vec<Vec<String>>> {
    let (ids, _) = discover_ids(ctx).await?;
    Ok(ids.chunks(PARTITION_SIZE).map(<[String]>::to_vec).collect())
}

/// The `movies` asset: every title page of the run (or of `ctx.partition`).
pub async fn scrape_movies(ctx: &ScrapeContext<'_>) -> Result<SourceReport> {
    let (ids, lists) = match &ctx.partition {
        Some(p) => (p.iter().filter(|id| valid_title_id(id)).take(ctx.movie_limit()).cloned().collect(), None),
        None => {
            let (ids, report) = discover_ids(ctx).await?;
            (ids, Some(report))
        }
    };
    let ledger = ctx.catalog.scrape_items(ASSET).await?;
    let date = date_partition();
    let mut report = ctx
        .run_items(
            ASSET,
            ids,
            |id: &String| id.clone(),
            |id| {
                let prev = ledger.get(&id).cloned();
                let date = date.clone();
                async move { title(ctx, id, prev, &date).await }
            },
        )
        .await;
    if let Some(l) = lists {
        report.requests += l.requests;
        report.retries += l.retries;
        report.bytes += l.bytes;
        report.failed.extend(l.failed);
        report.warnings.extend(l.warnings);
        report.cancelled |= l.cancelled;
    }
    Ok(report)
}

async fn title(ctx: &ScrapeContext<'_>, id: String, prev: Option<ScrapeItem>, date: &str) -> Outcome {
    if prev.as_ref().is_some_and(|p| p.status == ItemStatus::Done) && !ctx.refreshes(prev.as_ref()) {
        return Outcome::Skipped;
    }
    let validators = validators_for(prev.as_ref(), ctx.refreshes(prev.as_ref()));
    let mut item = prev.unwrap_or_else(|| ScrapeItem::new(ASSET, &id));
    let url = match ctx.config.url(&format!("/title/{id}/")) {
        Ok(u) => u,
        Err(e) => return Outcome::Failed(format!("bad URL: {e}")),
    };
    let fetched = match ctx.fetcher.get(&url, validators.as_ref(), &ctx.cancel).await {
        Ok(f) => f,
        Err(FetchError::Cancelled { .. }) => return Outcome::Cancelled,
        Err(e) => return ctx.record_failure(item, &FetchErrorOrReason::Fetch(e)).await,
    };
    item.attempts += 1;
    if fetched.not_modified {
        item.fetched_at = Some(now_unix());
        item.error = None;
        return match ctx.catalog.save_scrape_item(&item).await {
            Ok(()) => Outcome::NotModified,
            Err(e) => Outcome::Failed(format!("recording the item: {e}")),
        };
    }
    let html = String::from_utf8_lossy(&fetched.body);
    let record = match imdb::parse_title_page(&html) {
        Ok(r) => r,
        Err(e) => {
            item.attempts -= 1; // record_failure counts it
            return ctx
                .record_failure(item, &FetchErrorOrReason::Reason(format!("{url}: unreadable title page: {e}")))
                .await;
        }
    };
    let warning = match (record.source, record.id == id) {
        (_, false) => Some(format!("asked for {id}, the page is {}", record.id)),
        (imdb::Source::JsonLd, _) => Some("no usable __NEXT_DATA__: read from JSON-LD (fewer fields)".into()),
        _ => None,
    };
    let raw = RawMovie { id: id.clone(), fetch: FetchMeta::of(&fetched), record };
    let bytes = to_json_lines(&[raw]);
    let len = bytes.len() as u64;
    let key = format!("{MOVIES_PREFIX}/{date}/{id}.jsonl");
    if let Err(e) = ctx.store.put(&key, bytes).await {
        return storing_failed(&key, e);
    }
    item.status = ItemStatus::Done;
    item.object_key = Some(key);
    item.etag = fetched.validators.etag;
    item.last_modified = fetched.validators.last_modified;
    item.fetched_at = Some(now_unix());
    item.error = None;
    match ctx.catalog.save_scrape_item(&item).await {
        Ok(()) => Outcome::Fetched { rows: 1, bytes: len, warning },
        Err(e) => Outcome::Failed(format!("recording the item: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_slugs_name_their_list_pages() {
        assert_eq!(
            list_path("moviemeter-51-100").as_deref(),
            Some("/search/title/?title_type=feature&moviemeter=51,100")
        );
        assert_eq!(list_path("chart-top").as_deref(), Some("/chart/top/"));
        for bad in
            ["", "moviemeter-0-50", "moviemeter-50-1", "moviemeter-1-5000", "moviemeter-a-b", "../etc", "tt0111161"]
        {
            assert_eq!(list_path(bad), None, "{bad}");
        }
        for (slug, path) in list_paths(120) {
            assert_eq!(list_path(&slug), Some(path));
        }
    }

    #[test]
    fn partitions_of_fifty_then_the_chart() {
        let p = list_paths(120);
        assert_eq!(p.len(), 4);
        assert_eq!(p[0].1, "/search/title/?title_type=feature&moviemeter=1,50");
        assert_eq!(p[2].1, "/search/title/?title_type=feature&moviemeter=101,150");
        assert_eq!(p[3].1, "/chart/top/");
        assert_eq!(list_paths(1000).len(), 21);
    }
}
