//! Reviews for the sentiment model and the movie page: the texts to label,
//! the labels written back in batches, each movie's score, and a movie's
//! reviews page by page.

use sqlx::Row;

use super::read::opt_text;
use super::{Catalog, DbResult, QueryContext};
use crate::review::{MovieReview, ReviewFilter, ReviewPage, REVIEWS_PER_PAGE};

/// Labels written per transaction.
const LABEL_BATCH: usize = 500;

/// A review's label from the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewLabel {
    pub id: String,
    /// `positive` or `negative`.
    pub label: &'static str,
    pub confidence: f64,
}

impl Catalog {
    /// Every stored review that carries the reviewer's rating, as (text, rating):
    /// training data labelled by its stars.
    pub async fn rated_review_texts(&self) -> DbResult<Vec<(String, u8)>> {
        let rows = sqlx::query("SELECT summary, body, rating FROM reviews WHERE rating IS NOT NULL ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .ctx("rated reviews")?;
        rows.iter()
            .map(|r| {
                let rating: i64 = r.try_get("rating")?;
                Ok((review_text(opt_text(r, "summary")?, opt_text(r, "body")?), rating.clamp(0, 10) as u8))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .ctx("rated reviews")
    }

    /// Up to `limit` reviews after `after` in id order, as (id, text): pages
    /// through every review for labelling without holding them all.
    pub async fn review_texts(&self, after: &str, limit: u32) -> DbResult<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT id, summary, body FROM reviews WHERE id > ? ORDER BY id LIMIT ?")
            .bind(after.to_owned())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .ctx("reviews to label")?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, review_text(opt_text(r, "summary")?, opt_text(r, "body")?))))
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .ctx("reviews to label")
    }

    /// Writes the model's labels, a transaction per batch of 500.
    pub async fn set_review_sentiments(&self, labels: &[ReviewLabel], model: &str) -> DbResult<u64> {
        let mut written = 0;
        for batch in labels.chunks(LABEL_BATCH) {
            let mut tx = self.begin_write().await.ctx("begin labels batch")?;
            for l in batch {
                sqlx::query(
                    "UPDATE reviews SET sentiment_label = ?, sentiment_confidence = ?, sentiment_model = ? WHERE id = ?",
                )
                .bind(l.label)
                .bind(l.confidence)
                .bind(model.to_owned())
                .bind(l.id.clone())
                .execute(&mut *tx)
                .await
                .ctx("label review")?;
                written += 1;
            }
            tx.commit().await.ctx("commit labels batch")?;
            self.invalidate_cached();
        }
        Ok(written)
    }

    /// Recomputes every movie's score from its labelled reviews (one statement).
    pub async fn refresh_movie_sentiment(&self) -> DbResult<u64> {
        let r = sqlx::query(
            "UPDATE movies SET \
               sentiment_positive = (SELECT COUNT(*) FROM reviews r \
                   WHERE r.movie_id = movies.id AND r.sentiment_label = 'positive'), \
               sentiment_reviews = (SELECT COUNT(*) FROM reviews r \
                   WHERE r.movie_id = movies.id AND r.sentiment_label IS NOT NULL)",
        )
        .execute(&self.pool)
        .await
        .ctx("refresh movie sentiment")?;
        self.invalidate_cached();
        Ok(r.rows_affected())
    }

    /// A page of `movie_id`'s reviews (most helpful first).
    pub async fn movie_reviews(&self, movie_id: &str, filter: ReviewFilter, page: u32) -> DbResult<ReviewPage> {
        let per_page = i64::from(REVIEWS_PER_PAGE);
        let condition = match filter {
            ReviewFilter::All => "",
            ReviewFilter::Positive => " AND sentiment_label = 'positive'",
            ReviewFilter::Negative => " AND sentiment_label = 'negative'",
        };
        let count_sql = format!("SELECT COUNT(*) AS n FROM reviews WHERE movie_id = ?{condition}");
        let total: i64 = sqlx::query(&count_sql)
            .bind(movie_id.to_owned())
            .fetch_one(&self.pool)
            .await
            .and_then(|r| r.try_get("n"))
            .ctx("count movie reviews")?;
        let total_pages = u32::try_from((total + per_page - 1) / per_page).unwrap_or(u32::MAX).max(1);
        let page = page.clamp(1, total_pages);
        let sql = format!(
            "SELECT id, author, rating, summary, body, review_date, helpful_up, spoiler, sentiment_label, \
             sentiment_confidence FROM reviews WHERE movie_id = ?{condition} \
             ORDER BY helpful_up IS NULL, helpful_up DESC, id LIMIT ? OFFSET ?"
        );
        let rows = sqlx::query(&sql)
            .bind(movie_id.to_owned())
            .bind(per_page)
            .bind(i64::from(page - 1) * per_page)
            .fetch_all(&self.pool)
            .await
            .ctx("movie reviews")?;
        let reviews = rows
            .iter()
            .map(|r| {
                Ok(MovieReview {
                    id: r.try_get("id")?,
                    author: opt_text(r, "author")?,
                    rating: r.try_get("rating")?,
                    summary: opt_text(r, "summary")?,
                    body: opt_text(r, "body")?.unwrap_or_default(),
                    date: opt_text(r, "review_date")?,
                    helpful_up: r.try_get("helpful_up")?,
                    spoiler: r.try_get::<i64, _>("spoiler")? != 0,
                    sentiment: opt_text(r, "sentiment_label")?,
                    confidence: r.try_get("sentiment_confidence")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .ctx("movie reviews")?;
        Ok(ReviewPage { reviews, page, total_pages, total: u64::try_from(total).unwrap_or(0), filter })
    }
}

/// What the model reads of a review: its summary line, then its body.
fn review_text(summary: Option<String>, body: Option<String>) -> String {
    match (summary, body) {
        (Some(s), Some(b)) => format!("{s}\n{b}"),
        (Some(s), None) => s,
        (None, b) => b.unwrap_or_default(),
    }
}
