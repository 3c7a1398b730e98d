//! Merging the bulk catalog into `cleaned_movies`: the bulk data gives every
//! film; the cleaned rows (Kaggle and scraped, from
//! [`crate::clean::movies::clean_movies`]) add what only they have:
//! overviews, posters and thumbnails, metascore, certificate, gross,
//! budget, languages, review counts.
//!
//! Matching: a cleaned row with an `imdb_id` is the bulk film of that id; a
//! cleaned row without one (Kaggle only) is the bulk film with the same
//! [title key](crate::clean::rules::title_key) (normalised title and year),
//! the most-voted one when several share it. A bulk film is matched at most
//! once (an id match beats a title match).
//!
//! Facts: the matched row keeps the cleaned row's `id` (a film's URL does
//! not change when the bulk data arrives), its title and everything only it
//! has; rating and votes come from the bulk data (refreshed daily), every
//! other fact from the cleaned row when it has it, else from the bulk data.
//! `origin` is the cleaned row's origin with `+bulk` when matched, and
//! `imdb_bulk` for bulk-only films.

use datafusion::arrow::datatypes::DataType;
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::{DataFrame, ParquetReadOptions, SessionContext};
use datafusion::scalar::ScalarValue;

use super::job::count_of;
use crate::clean::udfs::{register as register_clean_udfs, string_list_type};
use crate::error::DfContext;
use crate::store::AssetStore;
use crate::Result;

/// The columns of `cleaned_movies` (the merged job's), with their types.
pub fn cleaned_movies_columns() -> Vec<(&'static str, DataType)> {
    use DataType::*;
    let list = string_list_type();
    vec![
        ("id", Utf8),
        ("title", Utf8),
        ("year", Int32),
        ("runtime_minutes", Int32),
        ("certificate", Utf8),
        ("rating", Float64),
        ("votes", Int64),
        ("metascore", Int32),
        ("gross_usd", Int64),
        ("language", Utf8),
        ("genres", list.clone()),
        ("overview", Utf8),
        ("director", Utf8),
        ("stars", list.clone()),
        ("poster_url", Utf8),
        ("user_review_count", Int64),
        ("critic_review_count", Int64),
        ("imdb_id", Utf8),
        ("original_title", Utf8),
        ("title_type", Utf8),
        ("writers", list.clone()),
        ("cast_members", list.clone()),
        ("languages", list.clone()),
        ("countries", list),
        ("gross_amount", Int64),
        ("gross_currency", Utf8),
        ("budget_amount", Int64),
        ("budget_currency", Utf8),
        ("thumbnail_key", Utf8),
        ("thumbnail_width", Int64),
        ("thumbnail_height", Int64),
        ("thumbnail_placeholder", Utf8),
        ("scraped_reviews", Int64),
        ("origin", Utf8),
    ]
}

/// `frame` with exactly the `cleaned_movies` columns, in order and typed
/// (missing ones null, e.g. from a Kaggle-only Parquet; extra ones dropped).
pub fn conform(frame: DataFrame) -> Result<DataFrame> {
    use datafusion::prelude::{cast, col, lit, Expr};
    let have: Vec<String> = frame.schema().fields().iter().map(|f| f.name().clone()).collect();
    let exprs: Vec<Expr> = cleaned_movies_columns()
        .into_iter()
        .map(|(name, ty)| {
            let e = if have.iter().any(|h| h == name) { cast(col(name), ty) } else { cast(lit(ScalarValue::Null), ty) };
            e.alias(name)
        })
        .collect();
    frame.select(exprs).job("conform to cleaned_movies")
}

const MERGE_SQL: &str = r#"
WITH b AS (
    SELECT *, mq_title_key(title, year) AS b_key,
           ROW_NUMBER() OVER (PARTITION BY mq_title_key(title, year) ORDER BY votes DESC NULLS LAST, imdb_id) AS key_rank
    FROM mq_merge_bulk
    WHERE imdb_id IS NOT NULL
),
bk AS (SELECT b_key, imdb_id AS b_id FROM b WHERE key_rank = 1 AND b_key IS NOT NULL),
c0 AS (
    SELECT c.*, COALESCE(c.imdb_id, bk.b_id) AS match_id,
           CASE WHEN c.imdb_id IS NOT NULL THEN 0 ELSE 1 END AS match_quality
    FROM mq_merge_cleaned c
    LEFT JOIN bk ON c.imdb_id IS NULL AND mq_title_key(c.title, c.year) = bk.b_key
),
c1 AS (
    SELECT *, CASE WHEN match_id IS NOT NULL
                    AND ROW_NUMBER() OVER (PARTITION BY match_id ORDER BY match_quality, id) = 1
                   THEN match_id END AS join_id
    FROM c0
)
SELECT
    COALESCE(c.id, b.id)                                                   AS id,
    COALESCE(c.title, b.title)                                             AS title,
    COALESCE(c.year, b.year)                                               AS year,
    COALESCE(c.runtime_minutes, b.runtime_minutes)                         AS runtime_minutes,
    c.certificate                                                          AS certificate,
    COALESCE(b.rating, c.rating)                                           AS rating,
    COALESCE(b.votes, c.votes)                                             AS votes,
    c.metascore                                                            AS metascore,
    c.gross_usd                                                            AS gross_usd,
    c.language                                                             AS language,
    CASE WHEN cardinality(c.genres) > 0 THEN c.genres ELSE b.genres END    AS genres,
    c.overview                                                             AS overview,
    CASE WHEN c.director IS NOT NULL AND c.director <> '' THEN c.director ELSE b.director END AS director,
    CASE WHEN cardinality(c.stars) > 0 THEN c.stars ELSE b.stars END       AS stars,
    c.poster_url                                                           AS poster_url,
    c.user_review_count                                                    AS user_review_count,
    c.critic_review_count                                                  AS critic_review_count,
    COALESCE(c.imdb_id, b.imdb_id)                                         AS imdb_id,
    COALESCE(c.original_title, b.original_title)                           AS original_title,
    COALESCE(c.title_type, b.title_type)                                   AS title_type,
    CASE WHEN cardinality(c.writers) > 0 THEN c.writers ELSE b.writers END AS writers,
    CASE WHEN cardinality(c.cast_members) > 0 THEN c.cast_members ELSE b.cast_members END AS cast_members,
    c.languages                                                            AS languages,
    c.countries                                                            AS countries,
    c.gross_amount                                                         AS gross_amount,
    c.gross_currency                                                       AS gross_currency,
    c.budget_amount                                                        AS budget_amount,
    c.budget_currency                                                      AS budget_currency,
    c.thumbnail_key                                                        AS thumbnail_key,
    c.thumbnail_width                                                      AS thumbnail_width,
    c.thumbnail_height                                                     AS thumbnail_height,
    c.thumbnail_placeholder                                                AS thumbnail_placeholder,
    c.scraped_reviews                                                      AS scraped_reviews,
    CASE WHEN c.id IS NOT NULL AND b.id IS NOT NULL THEN COALESCE(c.origin, 'cleaned') || '+bulk'
         WHEN c.id IS NOT NULL THEN c.origin
         ELSE 'imdb_bulk' END                                              AS origin
FROM c1 c
FULL OUTER JOIN b ON c.join_id = b.imdb_id
ORDER BY id
"#;

/// The merged `cleaned_movies` rows of `bulk` (the bulk catalog) and
/// `cleaned` (Kaggle and scraped rows), by the rules of the module
/// documentation. Both frames are [conformed](conform) first; the cleaning
/// UDFs are registered on `ctx` if they are not already.
pub async fn merge_frames(ctx: &SessionContext, bulk: DataFrame, cleaned: DataFrame) -> Result<DataFrame> {
    if !ctx.state().scalar_functions().contains_key("mq_title_key") {
        register_clean_udfs(ctx);
    }
    let _ = ctx.deregister_table("mq_merge_bulk");
    let _ = ctx.deregister_table("mq_merge_cleaned");
    ctx.register_table("mq_merge_bulk", conform(bulk)?.into_view()).job("register bulk rows")?;
    ctx.register_table("mq_merge_cleaned", conform(cleaned)?.into_view()).job("register cleaned rows")?;
    ctx.sql(MERGE_SQL).await.job("plan bulk merge")
}

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MergeReport {
    pub rows_out: u64,
    /// Cleaned rows matched to a bulk film by `imdb_id`.
    pub matched_by_id: u64,
    /// Kaggle-only rows matched by title and year.
    pub matched_by_title: u64,
    pub bulk_only: u64,
    pub cleaned_only: u64,
    pub output_key: String,
}

/// Merges the bulk catalog Parquet at `bulk_key` with the `cleaned_movies`
/// Parquet at `cleaned_key` (none: the bulk films alone) into
/// `cleaned/cleaned_movies/version=<version>/cleaned_movies.parquet`.
pub async fn merge_cleaned_movies(
    ctx: &SessionContext,
    bulk_key: &str,
    cleaned_key: Option<&str>,
    version: &str,
) -> Result<MergeReport> {
    let bulk = ctx
        .read_parquet(AssetStore::datafusion_url(bulk_key), ParquetReadOptions::default())
        .await
        .job("read bulk catalog")?;
    let cleaned = match cleaned_key {
        Some(key) => ctx
            .read_parquet(AssetStore::datafusion_url(key), ParquetReadOptions::default())
            .await
            .job("read cleaned_movies")?,
        None => conform(bulk.clone().limit(0, Some(0)).job("empty cleaned rows")?)?,
    };
    let output_key = format!("cleaned/cleaned_movies/version={version}/cleaned_movies.parquet");
    let written = merge_frames(ctx, bulk, cleaned)
        .await?
        .write_parquet(
            &AssetStore::datafusion_url(&output_key),
            DataFrameWriteOptions::new().with_single_file_output(true),
            None,
        )
        .await
        .job("write merged cleaned_movies")?;
    let rows_out = count_of(&written, "count");
    let merged = ctx
        .read_parquet(AssetStore::datafusion_url(&output_key), ParquetReadOptions::default())
        .await
        .job("read merged cleaned_movies")?;
    let _ = ctx.deregister_table("mq_merged_written");
    ctx.register_table("mq_merged_written", merged.into_view()).job("register merged rows")?;
    let stats = ctx
        .sql(
            "SELECT SUM(CASE WHEN origin IN ('imdb+bulk', 'merged+bulk') THEN 1 ELSE 0 END) AS by_id, \
                    SUM(CASE WHEN origin IN ('kaggle+bulk', 'cleaned+bulk') THEN 1 ELSE 0 END) AS by_title, \
                    SUM(CASE WHEN origin = 'imdb_bulk' THEN 1 ELSE 0 END) AS bulk_only, \
                    SUM(CASE WHEN origin NOT LIKE '%+bulk' AND origin <> 'imdb_bulk' THEN 1 ELSE 0 END) AS cleaned_only \
             FROM mq_merged_written",
        )
        .await
        .job("plan merge stats")?
        .collect()
        .await
        .job("merge stats")?;
    let _ = ctx.deregister_table("mq_merged_written");
    Ok(MergeReport {
        rows_out,
        matched_by_id: count_of(&stats, "by_id"),
        matched_by_title: count_of(&stats, "by_title"),
        bulk_only: count_of(&stats, "bulk_only"),
        cleaned_only: count_of(&stats, "cleaned_only"),
        output_key,
    })
}
