//! The `reviews` source: `/title/tt…/reviews/` filtered to each end of the
//! rating scale (positive: 10, negative: 1), page after page by the page's
//! cursor, up to `review_pages` pages per title and polarity. Each page is
//! stored as soon as it is fetched and the ledger remembers the cursor, so a
//! killed run resumes at the next page.

use catalog::db::{ItemStatus, ScrapeItem};

use super::records::{latest_by_id, to_json_lines, FetchMeta, RawMovie, RawReview, MOVIES_PREFIX, REVIEWS_PREFIX};
use super::{
    date_partition, now_unix, storing_failed, validators_for, FetchErrorOrReason, Outcome, ScrapeContext, SourceReport,
};
use crate::fetch::FetchError;
use crate::Result;

pub const ASSET: &str = "reviews";

/// The two ends of the scale, and the rating filter each uses.
pub const POLARITIES: [(&str, u8); 2] = [("positive", 10), ("negative", 1)];

/// The reviews page URL path for one polarity, at `cursor`.
pub fn reviews_path(title_id: &str, rating: u8, cursor: Option<&str>) -> String {
    let mut p = format!("/title/{title_id}/reviews/?spoiler=hide&sort=helpfulnessScore&dir=desc&rating={rating}");
    if let Some(c) = cursor {
        p.push_str("&paginationKey=");
        p.push_str(&url::form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>());
    }
    p
}

/// The `reviews` asset for the scraped movies (of `ctx.partition`).
pub async fn scrape_reviews(ctx: &ScrapeContext<'_>) -> Result<SourceReport> {
    let ids: Vec<String> = match &ctx.partition {
        Some(p) => p.clone(),
        None => {
            let movies =
                latest_by_id(ctx.store, MOVIES_PREFIX, None, |m: &RawMovie| (m.id.clone(), m.fetch.fetched_at_ms))
                    .await?;
            let mut ids: Vec<String> = movies.into_keys().collect();
            ids.sort();
            ids
        }
    };
    let mut work = Vec::new();
    for id in ids.into_iter().filter(|i| imdb::is_title_id(i)).take(ctx.movie_limit()) {
        for (polarity, rating) in POLARITIES {
            work.push((id.clone(), polarity, rating));
        }
    }
    let ledger = ctx.catalog.scrape_items(ASSET).await?;
    let date = date_partition();
    Ok(ctx
        .run_items(
            ASSET,
            work,
            |(id, p, _)| format!("{id}:{p}"),
            |(id, polarity, rating)| {
                let prev = ledger.get(&format!("{id}:{polarity}")).cloned();
                let date = date.clone();
                async move { title_reviews(ctx, id, polarity, rating, prev, &date).await }
            },
        )
        .await)
}

async fn title_reviews(
    ctx: &ScrapeContext<'_>,
    id: String,
    polarity: &str,
    rating: u8,
    prev: Option<ScrapeItem>,
    date: &str,
) -> Outcome {
    let key = format!("{id}:{polarity}");
    let done = prev.as_ref().is_some_and(|p| p.status == ItemStatus::Done);
    if done && !ctx.refreshes(prev.as_ref()) {
        return Outcome::Skipped;
    }
    let validators = validators_for(prev.as_ref(), ctx.refreshes(prev.as_ref()));
    let mut item = prev.unwrap_or_else(|| ScrapeItem::new(ASSET, &key));
    // Resume a partial item at its cursor; a refresh starts over at page 1.
    let (mut page, mut cursor) = if item.status == ItemStatus::Partial && item.cursor.is_some() && !done {
        (u32::try_from(item.pages).unwrap_or(0) + 1, item.cursor.clone())
    } else {
        item.pages = 0;
        (1, None)
    };
    let (mut rows, mut bytes) = (0u64, 0u64);
    let mut warning = None;
    while page <= ctx.config.review_pages {
        let path = reviews_path(&id, rating, cursor.as_deref());
        let url = match ctx.config.url(&path) {
            Ok(u) => u,
            Err(e) => return Outcome::Failed(format!("bad URL {path}: {e}")),
        };
        let conditional = if page == 1 { validators.as_ref() } else { None };
        let fetched = match ctx.fetcher.get(&url, conditional, &ctx.cancel).await {
            Ok(f) => f,
            Err(FetchError::Cancelled { .. }) => return Outcome::Cancelled,
            Err(e) => return ctx.record_failure(item, &FetchErrorOrReason::Fetch(e)).await,
        };
        if fetched.not_modified {
            // The first page is unchanged: the title's reviews are as stored.
            item.attempts += 1;
            item.fetched_at = Some(now_unix());
            item.error = None;
            return match ctx.catalog.save_scrape_item(&item).await {
                Ok(()) => Outcome::NotModified,
                Err(e) => Outcome::Failed(format!("recording the item: {e}")),
            };
        }
        let parsed = match imdb::parse_reviews_page(&String::from_utf8_lossy(&fetched.body)) {
            Ok(p) => p,
            Err(e) => {
                let reason = format!("{url}: unreadable reviews page: {e}");
                return ctx.record_failure(item, &FetchErrorOrReason::Reason(reason)).await;
            }
        };
        if !parsed.title_id.is_empty() && parsed.title_id != id {
            warning = Some(format!("asked for {id}, the reviews page is of {}", parsed.title_id));
        }
        let meta = FetchMeta::of(&fetched);
        let lines: Vec<RawReview> = parsed
            .reviews
            .into_iter()
            .map(|review| RawReview {
                title_id: id.clone(),
                polarity: polarity.to_owned(),
                page,
                fetch: meta.clone(),
                review,
            })
            .collect();
        rows += lines.len() as u64;
        let data = to_json_lines(&lines);
        bytes += data.len() as u64;
        let object = format!("{REVIEWS_PREFIX}/{date}/{id}-{polarity}-p{page}.jsonl");
        if let Err(e) = ctx.store.put(&object, data).await {
            return storing_failed(&object, e);
        }
        if page == 1 {
            item.etag = fetched.validators.etag.clone();
            item.last_modified = fetched.validators.last_modified.clone();
            item.object_key = Some(object);
        }
        item.pages = i64::from(page);
        item.attempts += 1;
        item.fetched_at = Some(now_unix());
        item.error = None;
        cursor = parsed.next_cursor.filter(|c| !c.is_empty());
        let finished = cursor.is_none() || page >= ctx.config.review_pages;
        item.status = if finished { ItemStatus::Done } else { ItemStatus::Partial };
        item.cursor = if finished { None } else { cursor.clone() };
        if let Err(e) = ctx.catalog.save_scrape_item(&item).await {
            return Outcome::Failed(format!("recording the item: {e}"));
        }
        if finished {
            break;
        }
        if ctx.cancel.is_cancelled() {
            return Outcome::Cancelled;
        }
        page += 1;
    }
    Outcome::Fetched { rows, bytes, warning }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_the_filter_and_the_cursor() {
        assert_eq!(
            reviews_path("tt0111161", 10, None),
            "/title/tt0111161/reviews/?spoiler=hide&sort=helpfulnessScore&dir=desc&rating=10"
        );
        assert!(reviews_path("tt0111161", 1, Some("a b&c=")).ends_with("&rating=1&paginationKey=a+b%26c%3D"));
    }
}
