//! The raw records the scraping sources write, one JSON object per line.
//! These are the raw assets: what the site said, plus how and when we asked.

use std::collections::HashMap;

use imdb::{Review, TitlePage};
use serde::{Deserialize, Serialize};

use crate::fetch::Fetched;
use crate::store::AssetStore;
use crate::Result;

/// Object store prefixes of the raw assets.
pub const MOVIES_PREFIX: &str = "raw/imdb_movies";
pub const LISTS_PREFIX: &str = "raw/imdb_lists";
pub const THUMBNAILS_PREFIX: &str = "raw/imdb_thumbnails";
pub const POSTERS_PREFIX: &str = "raw/imdb_posters";
pub const REVIEWS_PREFIX: &str = "raw/imdb_reviews";
pub const PRETRAINED_PREFIX: &str = "raw/pretrained_reviews";
/// Where the thumbnails the site serves live (content-addressed: cacheable forever).
pub const MEDIA_PREFIX: &str = "media/thumbnails";

/// How a record was fetched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchMeta {
    pub url: String,
    /// RFC 3339.
    pub fetched_at: String,
    /// Milliseconds since the epoch (what the cleaning orders by).
    pub fetched_at_ms: i64,
    pub status: u16,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl FetchMeta {
    pub fn of(f: &Fetched) -> Self {
        let now = chrono::Utc::now();
        Self {
            url: f.url.to_string(),
            fetched_at: now.to_rfc3339(),
            fetched_at_ms: now.timestamp_millis(),
            status: f.status,
            etag: f.validators.etag.clone(),
            last_modified: f.validators.last_modified.clone(),
        }
    }
}

/// A title page, parsed: `raw/imdb_movies/date=…/<tt id>.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawMovie {
    /// The id the page was asked for.
    pub id: String,
    pub fetch: FetchMeta,
    pub record: TitlePage,
}

/// A list page's ids: `raw/imdb_lists/date=…/<slug>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawList {
    pub fetch: FetchMeta,
    pub ids: Vec<String>,
    pub next: Option<String>,
}

/// A thumbnail made from a poster: `raw/imdb_thumbnails/date=…/<tt id>.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawThumbnail {
    pub id: String,
    pub poster_url: String,
    pub fetch: FetchMeta,
    /// The original poster, content-addressed under `raw/imdb_posters/`.
    pub poster_key: String,
    pub poster_bytes: u64,
    /// File name under [`MEDIA_PREFIX`] (what `/media/{key}` serves).
    pub thumb_key: String,
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub thumb_bytes: u64,
    /// File name of the tiny blurred version under [`MEDIA_PREFIX`].
    pub placeholder_key: String,
    /// The same tiny image as a `data:` URI, for inlining.
    pub placeholder: String,
}

/// One review as found on a reviews page: `raw/imdb_reviews/date=…/<tt id>-<polarity>-p<n>.jsonl`
/// holds one line per review of that page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawReview {
    pub title_id: String,
    pub polarity: String,
    pub page: u32,
    pub fetch: FetchMeta,
    pub review: Review,
}

/// Serializes `records` as JSON Lines.
pub fn to_json_lines<T: Serialize>(records: &[T]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        if let Ok(line) = serde_json::to_vec(r) {
            out.extend_from_slice(&line);
            out.push(b'\n');
        }
    }
    out
}

/// The newest raw record per title id under `prefix`, for `ids` (all when `None`).
/// Unreadable lines are skipped with a warning: the raw store is append-only
/// and one bad object must not stop a run.
pub async fn latest_by_id<T, K>(
    store: &AssetStore,
    prefix: &str,
    ids: Option<&[String]>,
    key: K,
) -> Result<HashMap<String, T>>
where
    T: for<'de> Deserialize<'de>,
    K: Fn(&T) -> (String, i64),
{
    let wanted: Option<std::collections::HashSet<&str>> = ids.map(|ids| ids.iter().map(String::as_str).collect());
    let mut newest: HashMap<String, (i64, T)> = HashMap::new();
    for meta in store.list(prefix).await? {
        let path = meta.location.to_string();
        // Keys end in `<tt id>.jsonl`: skip objects of other ids without reading them.
        if let Some(w) = &wanted {
            let stem = path.rsplit('/').next().unwrap_or_default().trim_end_matches(".jsonl");
            if !w.contains(stem) {
                continue;
            }
        }
        let bytes = store.get(&path).await?;
        for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            match serde_json::from_slice::<T>(line) {
                Ok(rec) => {
                    let (id, at) = key(&rec);
                    if newest.get(&id).is_none_or(|(t, _)| at >= *t) {
                        newest.insert(id, (at, rec));
                    }
                }
                Err(e) => tracing::warn!(key = %path, error = %e, "unreadable raw record skipped"),
            }
        }
    }
    Ok(newest.into_iter().map(|(k, (_, v))| (k, v)).collect())
}
