//! The load: cleaned movies in, by upsert, in transactions of a batch each.
//!
//! Idempotent by construction: each row carries a content hash, and a row whose
//! hash is unchanged is not written at all, so loading the same data twice
//! changes nothing (not even `updated_at`). A row the database rejects is
//! rolled back to its savepoint, reported and skipped; the batch goes on.

use std::collections::HashMap;

use sqlx::{Acquire, Row};

use super::{Catalog, DbResult, QueryContext};
use crate::model::Movie;

/// Rows per transaction.
pub const LOAD_BATCH: usize = 250;

/// What a load did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LoadReport {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: Vec<RejectedRow>,
}

/// A row that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RejectedRow {
    pub id: String,
    pub title: String,
    pub reason: String,
}

impl LoadReport {
    pub fn loaded(&self) -> u64 {
        self.inserted + self.updated + self.unchanged
    }
}

/// Checks the invariants the pages rely on; the reason names the field.
pub fn validate(m: &Movie) -> Result<(), String> {
    if m.id.trim().is_empty() || m.id.len() > 32 {
        return Err(format!("id `{}` must be 1 to 32 characters", m.id));
    }
    if m.title.trim().is_empty() {
        return Err("title is empty".into());
    }
    if m.title.chars().count() > 512 {
        return Err("title is longer than 512 characters".into());
    }
    if let Some(r) = m.rating {
        if !(0.0..=10.0).contains(&r) || r.is_nan() {
            return Err(format!("rating {r} is outside 0..10"));
        }
    }
    if m.votes.is_some_and(|v| v < 0) {
        return Err("votes is negative".into());
    }
    if m.gross_usd.is_some_and(|v| v < 0) {
        return Err("gross is negative".into());
    }
    if m.year.is_some_and(|y| !(1870..=2100).contains(&y)) {
        return Err(format!("year {} is outside 1870..2100", m.year.unwrap_or_default()));
    }
    if m.genres.iter().any(|g| g.is_empty() || g.len() > 64) {
        return Err("a genre is empty or longer than 64 characters".into());
    }
    Ok(())
}

/// FNV-1a over the serialized row: stable across runs and platforms.
fn content_hash(m: &Movie, source: &str) -> String {
    let json = serde_json::to_string(&(m, source)).unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in json.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// Columns written by the load, in bind order (`id` last).
const COLUMNS: [&str; 36] = [
    "title",
    "year",
    "runtime_minutes",
    "certificate",
    "rating",
    "votes",
    "metascore",
    "gross_usd",
    "language",
    "genres",
    "overview",
    "director",
    "stars",
    "poster_url",
    "user_review_count",
    "critic_review_count",
    "imdb_id",
    "original_title",
    "title_type",
    "writers",
    "cast_members",
    "languages",
    "countries",
    "gross_amount",
    "gross_currency",
    "budget_amount",
    "budget_currency",
    "thumbnail_key",
    "thumbnail_width",
    "thumbnail_height",
    "thumbnail_placeholder",
    "scraped_at",
    "source",
    "content_hash",
    "updated_at",
    "created_at",
];

fn insert_sql() -> String {
    let marks = vec!["?"; COLUMNS.len() + 1].join(", ");
    format!("INSERT INTO movies ({}, id) VALUES ({marks})", COLUMNS.join(", "))
}

fn update_sql() -> String {
    let sets: Vec<String> = COLUMNS.iter().filter(|c| **c != "created_at").map(|c| format!("{c} = ?")).collect();
    format!("UPDATE movies SET {} WHERE id = ?", sets.join(", "))
}

impl Catalog {
    /// Upserts `movies` from `source`, calling `progress(done)` after each batch.
    pub async fn upsert_movies(
        &self,
        movies: &[Movie],
        source: &str,
        mut progress: impl FnMut(usize),
    ) -> DbResult<LoadReport> {
        let mut report = LoadReport::default();
        let mut done = 0;
        for batch in movies.chunks(LOAD_BATCH) {
            let written = self.upsert_batch(batch, source, &mut report).await;
            // Readers may have cached a half-loaded catalog meanwhile.
            self.invalidate_cached();
            written?;
            done += batch.len();
            progress(done);
        }
        Ok(report)
    }

    async fn upsert_batch(&self, batch: &[Movie], source: &str, report: &mut LoadReport) -> DbResult<()> {
        let mut tx = self.begin_write().await.ctx("begin load batch")?;

        // Existing hashes of this batch, in one query.
        let marks = vec!["?"; batch.len()].join(", ");
        let sql = format!("SELECT id, content_hash FROM movies WHERE id IN ({marks})");
        let mut query = sqlx::query(&sql);
        for m in batch {
            query = query.bind(m.id.clone());
        }
        let existing: HashMap<String, String> = query
            .fetch_all(&mut *tx)
            .await
            .ctx("read existing hashes")?
            .iter()
            .filter_map(|r| Some((r.try_get("id").ok()?, r.try_get("content_hash").ok()?)))
            .collect();

        let now = now_unix();
        for m in batch {
            if let Err(reason) = validate(m) {
                report.rejected.push(RejectedRow { id: m.id.clone(), title: m.title.clone(), reason });
                continue;
            }
            let hash = content_hash(m, source);
            let is_update = match existing.get(&m.id) {
                Some(old) if *old == hash => {
                    report.unchanged += 1;
                    continue;
                }
                Some(_) => true,
                None => false,
            };
            // A savepoint per row: a rejected row leaves no half-written trace.
            let mut sp = tx.begin().await.ctx("savepoint")?;
            match write_row(&mut sp, m, source, &hash, now, is_update).await {
                Ok(()) => {
                    sp.commit().await.ctx("release savepoint")?;
                    if is_update {
                        report.updated += 1;
                    } else {
                        report.inserted += 1;
                    }
                }
                Err(e) => {
                    sp.rollback().await.ctx("rollback savepoint")?;
                    tracing::warn!(id = %m.id, error = %e, "row rejected by the database");
                    report.rejected.push(RejectedRow {
                        id: m.id.clone(),
                        title: m.title.clone(),
                        reason: format!("database: {e}"),
                    });
                }
            }
        }
        tx.commit().await.ctx("commit load batch")?;
        Ok(())
    }
}

async fn write_row(
    conn: &mut sqlx::AnyConnection,
    m: &Movie,
    source: &str,
    hash: &str,
    now: i64,
    is_update: bool,
) -> Result<(), sqlx::Error> {
    let list = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let thumb = m.thumbnail.as_ref();
    let sql = if is_update { update_sql() } else { insert_sql() };
    let mut q = sqlx::query(&sql)
        .bind(m.title.clone())
        .bind(m.year.map(i64::from))
        .bind(m.runtime_minutes.map(i64::from))
        .bind(m.certificate.clone())
        .bind(m.rating)
        .bind(m.votes)
        .bind(m.metascore.map(i64::from))
        .bind(m.gross_usd)
        .bind(m.language.clone())
        .bind(list(&m.genres))
        .bind(m.overview.clone())
        .bind(m.director.clone())
        .bind(list(&m.stars))
        .bind(m.poster_url.clone())
        .bind(m.user_review_count)
        .bind(m.critic_review_count)
        .bind(m.imdb_id.clone())
        .bind(m.original_title.clone())
        .bind(m.title_type.clone())
        .bind(list(&m.writers))
        .bind(list(&m.cast))
        .bind(list(&m.languages))
        .bind(list(&m.countries))
        .bind(m.gross_amount)
        .bind(m.gross_currency.clone())
        .bind(m.budget_amount)
        .bind(m.budget_currency.clone())
        .bind(thumb.map(|t| t.key.clone()))
        .bind(thumb.map(|t| i64::from(t.width)))
        .bind(thumb.map(|t| i64::from(t.height)))
        .bind(thumb.and_then(|t| t.placeholder.clone()))
        .bind(m.imdb_id.as_ref().map(|_| now))
        .bind(source.to_owned())
        .bind(hash.to_owned())
        .bind(now);
    if !is_update {
        q = q.bind(now);
    }
    q.bind(m.id.clone()).execute(&mut *conn).await?;

    sqlx::query("DELETE FROM movie_genres WHERE movie_id = ?").bind(m.id.clone()).execute(&mut *conn).await?;
    let mut seen = std::collections::HashSet::new();
    for g in m.genres.iter().filter(|g| seen.insert(g.as_str())) {
        sqlx::query("INSERT INTO movie_genres (movie_id, genre) VALUES (?, ?)")
            .bind(m.id.clone())
            .bind(g.clone())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
