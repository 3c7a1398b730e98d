//! Scraped reviews → the `reviews` table: newest copy of each review id, on DataFusion.

use std::collections::HashMap;

use catalog::db::ReviewRow;
use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;

use super::kaggle::session;
use super::movies::register_json_lines;
use crate::error::DfContext;
use crate::scrape::records::REVIEWS_PREFIX;
use crate::store::AssetStore;
use crate::Result;

const REVIEWS_SQL: &str = r#"
SELECT * FROM (
    SELECT
        get_field(review, 'id')           AS id,
        title_id               AS imdb_id,
        polarity               AS polarity,
        mq_text(get_field(review, 'author'))  AS author,
        get_field(review, 'rating')       AS rating,
        mq_text(get_field(review, 'summary')) AS summary,
        get_field(review, 'text')         AS body,
        mq_text(get_field(review, 'date')) AS review_date,
        get_field(review, 'helpful_up')   AS helpful_up,
        get_field(review, 'helpful_down') AS helpful_down,
        get_field(review, 'spoiler')      AS spoiler,
        get_field(fetch, 'fetched_at_ms') AS fetched_at_ms,
        ROW_NUMBER() OVER (PARTITION BY get_field(review, 'id') ORDER BY get_field(fetch, 'fetched_at_ms') DESC) AS rn
    FROM imdb_reviews_raw
    WHERE get_field(review, 'id') IS NOT NULL AND title_id IS NOT NULL AND get_field(review, 'text') IS NOT NULL
) WHERE rn = 1 AND (rating IS NULL OR (rating >= 1 AND rating <= 10))
"#;

/// Every scraped review (newest copy per id) whose title is in `movie_ids`
/// (`tt` id → catalog id); also the number left out for an unknown title.
pub async fn cleaned_reviews(store: &AssetStore, movie_ids: &HashMap<String, String>) -> Result<(Vec<ReviewRow>, u64)> {
    let ctx: SessionContext = session(store)?;
    register_json_lines(&ctx, store, "imdb_reviews_raw", REVIEWS_PREFIX, super::movies::raw_review_schema()).await?;
    let batches = ctx.sql(REVIEWS_SQL).await.job("plan reviews")?.collect().await.job("read reviews")?;
    let mut out = Vec::new();
    let mut orphans = 0;
    for b in &batches {
        let col = |n: &str, ty: &DataType| -> Option<ArrayRef> { b.column_by_name(n).and_then(|c| cast(c, ty).ok()) };
        let s = |n: &str| col(n, &DataType::Utf8);
        let i = |n: &str| col(n, &DataType::Int64);
        let (id, imdb_id, polarity, author, summary, body, date) =
            (s("id"), s("imdb_id"), s("polarity"), s("author"), s("summary"), s("body"), s("review_date"));
        let (rating, up, down, at) = (i("rating"), i("helpful_up"), i("helpful_down"), i("fetched_at_ms"));
        let spoiler = col("spoiler", &DataType::Boolean);
        let str_at = |a: &Option<ArrayRef>, r: usize| {
            let a = a.as_ref()?.as_any().downcast_ref::<StringArray>()?;
            (!a.is_null(r)).then(|| a.value(r).to_owned())
        };
        let int_at = |a: &Option<ArrayRef>, r: usize| {
            let a = a.as_ref()?.as_any().downcast_ref::<Int64Array>()?;
            (!a.is_null(r)).then(|| a.value(r))
        };
        for r in 0..b.num_rows() {
            let (Some(rid), Some(tt), Some(text)) = (str_at(&id, r), str_at(&imdb_id, r), str_at(&body, r)) else {
                continue;
            };
            let Some(movie_id) = movie_ids.get(&tt) else {
                orphans += 1;
                continue;
            };
            if rid.len() > 32 {
                continue;
            }
            out.push(ReviewRow {
                id: rid,
                movie_id: movie_id.clone(),
                imdb_id: tt,
                polarity: str_at(&polarity, r),
                author: str_at(&author, r),
                rating: int_at(&rating, r),
                summary: str_at(&summary, r),
                body: text,
                date: str_at(&date, r),
                helpful_up: int_at(&up, r),
                helpful_down: int_at(&down, r),
                spoiler: spoiler
                    .as_ref()
                    .and_then(|a| a.as_any().downcast_ref::<BooleanArray>().map(|a| !a.is_null(r) && a.value(r)))
                    .unwrap_or(false),
                fetched_at: int_at(&at, r).map(|ms| ms / 1000),
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((out, orphans))
}
