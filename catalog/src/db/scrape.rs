//! The scrape ledger (`scrape_items`) and the `reviews` table.
//!
//! The ledger has one row per item a scraping source fetched or tried to: its
//! status, the validators for a conditional re-fetch, the object it was
//! stored under, where a paginated item resumes, and the last error. It is
//! what makes a killed run restart with only what is missing.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Backend, Catalog, DbResult, QueryContext};

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Fetched and stored.
    Done,
    /// Some pages stored; resumes at `cursor`.
    Partial,
    /// The last attempt failed (`error` says why); a later run tries again.
    Failed,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Partial => "partial",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "done" => Self::Done,
            "partial" => Self::Partial,
            _ => Self::Failed,
        }
    }
}

/// One row of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScrapeItem {
    pub asset: String,
    pub item_key: String,
    pub status: ItemStatus,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub object_key: Option<String>,
    pub cursor: Option<String>,
    /// Pages stored so far (paginated items).
    pub pages: i64,
    /// Unix seconds of the last successful fetch.
    pub fetched_at: Option<i64>,
    /// Attempts over all runs.
    pub attempts: i64,
    pub error: Option<String>,
}

impl ScrapeItem {
    /// A fresh row for `asset`/`item_key`.
    pub fn new(asset: &str, item_key: &str) -> Self {
        Self {
            asset: asset.to_owned(),
            item_key: item_key.to_owned(),
            status: ItemStatus::Failed,
            etag: None,
            last_modified: None,
            object_key: None,
            cursor: None,
            pages: 0,
            fetched_at: None,
            attempts: 0,
            error: None,
        }
    }
}

/// A review as the `reviews` table stores it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReviewRow {
    pub id: String,
    /// The catalog's movie id.
    pub movie_id: String,
    pub imdb_id: String,
    /// `positive` or `negative`: which rating filter found it.
    pub polarity: Option<String>,
    pub author: Option<String>,
    pub rating: Option<i64>,
    pub summary: Option<String>,
    pub body: String,
    pub date: Option<String>,
    pub helpful_up: Option<i64>,
    pub helpful_down: Option<i64>,
    pub spoiler: bool,
    pub fetched_at: Option<i64>,
}

const ITEM_COLUMNS: &str =
    "asset, item_key, status, etag, last_modified, object_key, resume_cursor, pages, fetched_at, attempts, error";

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

fn opt_text(row: &AnyRow, col: &str) -> Result<Option<String>, sqlx::Error> {
    match row.try_get::<Option<String>, _>(col) {
        Ok(v) => Ok(v),
        Err(_) => Ok(row.try_get::<Option<Vec<u8>>, _>(col)?.map(|b| String::from_utf8_lossy(&b).into_owned())),
    }
}

fn item_from_row(row: &AnyRow) -> Result<ScrapeItem, sqlx::Error> {
    Ok(ScrapeItem {
        asset: row.try_get("asset")?,
        item_key: row.try_get("item_key")?,
        status: ItemStatus::parse(&row.try_get::<String, _>("status")?),
        etag: row.try_get("etag")?,
        last_modified: row.try_get("last_modified")?,
        object_key: row.try_get("object_key")?,
        cursor: row.try_get("resume_cursor")?,
        pages: row.try_get("pages")?,
        fetched_at: row.try_get("fetched_at")?,
        attempts: row.try_get("attempts")?,
        error: opt_text(row, "error")?,
    })
}

/// `INSERT … ON CONFLICT/DUPLICATE KEY UPDATE` for `table`: the two dialects
/// spell an upsert differently; `keep` columns are never overwritten.
fn upsert_sql(backend: Backend, table: &str, columns: &[&str], key: &[&str], keep: &[&str]) -> String {
    let marks = vec!["?"; columns.len()].join(", ");
    let updated: Vec<&&str> = columns.iter().filter(|c| !key.contains(c) && !keep.contains(c)).collect();
    match backend {
        Backend::Sqlite => format!(
            "INSERT INTO {table} ({}) VALUES ({marks}) ON CONFLICT ({}) DO UPDATE SET {}",
            columns.join(", "),
            key.join(", "),
            updated.iter().map(|c| format!("{c} = excluded.{c}")).collect::<Vec<_>>().join(", ")
        ),
        Backend::MySql => format!(
            "INSERT INTO {table} ({}) VALUES ({marks}) ON DUPLICATE KEY UPDATE {}",
            columns.join(", "),
            updated.iter().map(|c| format!("{c} = VALUES({c})")).collect::<Vec<_>>().join(", ")
        ),
    }
}

const REVIEW_COLUMNS: [&str; 15] = [
    "id",
    "movie_id",
    "imdb_id",
    "polarity",
    "author",
    "rating",
    "summary",
    "body",
    "review_date",
    "helpful_up",
    "helpful_down",
    "spoiler",
    "fetched_at",
    "updated_at",
    // Written on insert only, never overwritten: the sentiment job owns them.
    "sentiment_label",
];

/// Reviews per transaction.
const REVIEW_BATCH: usize = 500;

impl Catalog {
    /// Every ledger row of `asset`, by item key.
    pub async fn scrape_items(&self, asset: &str) -> DbResult<HashMap<String, ScrapeItem>> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM scrape_items WHERE asset = ?");
        let rows = sqlx::query(&sql).bind(asset.to_owned()).fetch_all(&self.pool).await.ctx("read scrape items")?;
        rows.iter()
            .map(|r| item_from_row(r).map(|i| (i.item_key.clone(), i)))
            .collect::<Result<_, _>>()
            .ctx("read scrape items")
    }

    /// One ledger row.
    pub async fn scrape_item(&self, asset: &str, item_key: &str) -> DbResult<Option<ScrapeItem>> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM scrape_items WHERE asset = ? AND item_key = ?");
        let row = sqlx::query(&sql)
            .bind(asset.to_owned())
            .bind(item_key.to_owned())
            .fetch_optional(&self.pool)
            .await
            .ctx("read scrape item")?;
        row.as_ref().map(item_from_row).transpose().ctx("read scrape item")
    }

    /// Writes (inserts or replaces) a ledger row.
    pub async fn save_scrape_item(&self, item: &ScrapeItem) -> DbResult<()> {
        let mut cols: Vec<&str> = ITEM_COLUMNS.split(", ").collect();
        cols.push("updated_at");
        let sql = upsert_sql(self.backend, "scrape_items", &cols, &["asset", "item_key"], &[]);
        let error = item.error.as_ref().map(|e| e.chars().take(2000).collect::<String>());
        sqlx::query(&sql)
            .bind(item.asset.clone())
            .bind(item.item_key.clone())
            .bind(item.status.as_str())
            .bind(item.etag.clone())
            .bind(item.last_modified.clone())
            .bind(item.object_key.clone())
            .bind(item.cursor.clone())
            .bind(item.pages)
            .bind(item.fetched_at)
            .bind(item.attempts)
            .bind(error)
            .bind(now_unix())
            .execute(&self.pool)
            .await
            .ctx("save scrape item")?;
        Ok(())
    }

    /// Number of ledger rows of `asset` per status.
    pub async fn scrape_status_counts(&self, asset: &str) -> DbResult<HashMap<String, i64>> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM scrape_items WHERE asset = ? GROUP BY status")
            .bind(asset.to_owned())
            .fetch_all(&self.pool)
            .await
            .ctx("count scrape items")?;
        rows.iter()
            .map(|r| Ok((r.try_get::<String, _>("status")?, r.try_get::<i64, _>("n")?)))
            .collect::<Result<_, sqlx::Error>>()
            .ctx("count scrape items")
    }

    /// Upserts reviews in transactions of 500; sentiment columns are left as they are.
    /// Returns the number of rows written.
    pub async fn upsert_reviews(&self, reviews: &[ReviewRow]) -> DbResult<u64> {
        let sql = upsert_sql(self.backend, "reviews", &REVIEW_COLUMNS, &["id"], &["sentiment_label"]);
        let now = now_unix();
        let mut written = 0;
        for batch in reviews.chunks(REVIEW_BATCH) {
            let mut tx = self.begin_write().await.ctx("begin reviews batch")?;
            for r in batch {
                sqlx::query(&sql)
                    .bind(r.id.clone())
                    .bind(r.movie_id.clone())
                    .bind(r.imdb_id.clone())
                    .bind(r.polarity.clone())
                    .bind(r.author.as_ref().map(|a| a.chars().take(255).collect::<String>()))
                    .bind(r.rating)
                    .bind(r.summary.clone())
                    .bind(r.body.clone())
                    .bind(r.date.clone())
                    .bind(r.helpful_up)
                    .bind(r.helpful_down)
                    .bind(i64::from(r.spoiler))
                    .bind(r.fetched_at)
                    .bind(now)
                    .bind(None::<String>)
                    .execute(&mut *tx)
                    .await
                    .ctx("upsert review")?;
                written += 1;
            }
            tx.commit().await.ctx("commit reviews batch")?;
            // Movie pages show reviews: what was derived before is stale.
            self.invalidate_cached();
        }
        Ok(written)
    }

    /// Number of reviews stored for `movie_id`.
    pub async fn review_count(&self, movie_id: &str) -> DbResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM reviews WHERE movie_id = ?")
            .bind(movie_id.to_owned())
            .fetch_one(&self.pool)
            .await
            .ctx("count reviews")?;
        row.try_get("n").ctx("count reviews")
    }

    /// Number of reviews stored.
    pub async fn total_reviews(&self) -> DbResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM reviews").fetch_one(&self.pool).await.ctx("count reviews")?;
        row.try_get("n").ctx("count reviews")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upserts_keep_what_they_must() {
        let s = upsert_sql(Backend::Sqlite, "t", &["id", "a", "s"], &["id"], &["s"]);
        assert_eq!(s, "INSERT INTO t (id, a, s) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET a = excluded.a");
        let m = upsert_sql(Backend::MySql, "t", &["id", "a", "s"], &["id"], &["s"]);
        assert_eq!(m, "INSERT INTO t (id, a, s) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE a = VALUES(a)");
    }
}
