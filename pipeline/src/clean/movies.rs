//! The `cleaned_movies` job on DataFusion: the Kaggle catalog and the scraped
//! IMDb movies (newest scrape per id), with thumbnails and review counts
//! joined, merged into one row per film, written as a versioned Parquet.
//!
//! Merging: a Kaggle row has no `tt` id, so a scraped row and a Kaggle row
//! are the same film when their [title keys](super::rules::title_key)
//! (normalised title and year) are equal. The merged row keeps the Kaggle
//! row's id (so the film's URL does not change when it is scraped), records
//! the `tt` id in `imdb_id`, and takes each fact from the scrape when the
//! scrape has it, else from Kaggle. Scraped titles that are not films
//! (series, episodes, games) are left out.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Int64Array, RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::error::DataFusionError;
use datafusion::prelude::{JsonReadOptions, ParquetReadOptions, SessionContext};

use super::kaggle::{register_typed, session_on, typed_stats, CleanReport, CLEANED_KAGGLE_SQL};
use super::udfs::{people_type, string_list_type};
use crate::engine::{Engine, EngineRun};
use crate::error::DfContext;
use crate::scrape::records::{MOVIES_PREFIX, REVIEWS_PREFIX, THUMBNAILS_PREFIX};
use crate::store::AssetStore;
use crate::Result;

/// What the merged cleaning found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MoviesCleanReport {
    /// The Kaggle part, when a Kaggle raw file was given.
    pub kaggle: Option<CleanReport>,
    /// Scraped title records read (every scrape of every title).
    pub scraped_records: u64,
    /// Distinct scraped titles (newest scrape kept).
    pub scraped_titles: u64,
    /// Scraped titles left out for not being films.
    pub not_films: u64,
    /// Films in both sources, merged into one row.
    pub merged: u64,
    pub scraped_only: u64,
    pub kaggle_only: u64,
    pub with_thumbnail: u64,
    pub with_reviews: u64,
    pub rows_out: u64,
    /// Object store key of the Parquet written.
    pub output_key: String,
    /// Where it ran.
    pub engine: EngineRun,
}

fn f(name: &str, ty: DataType) -> Field {
    Field::new(name, ty, true)
}

fn utf8_list() -> DataType {
    string_list_type()
}

fn fetch_type() -> DataType {
    DataType::Struct(Fields::from(vec![f("fetched_at_ms", DataType::Int64), f("url", DataType::Utf8)]))
}

fn money_type() -> DataType {
    DataType::Struct(Fields::from(vec![f("amount", DataType::Int64), f("currency", DataType::Utf8)]))
}

/// The part of a raw movie record the cleaning reads.
pub fn raw_movie_schema() -> Schema {
    let record = DataType::Struct(Fields::from(vec![
        f("id", DataType::Utf8),
        f("title", DataType::Utf8),
        f("original_title", DataType::Utf8),
        f("title_type", DataType::Utf8),
        f("year", DataType::Int64),
        f("runtime_minutes", DataType::Int64),
        f("rating", DataType::Float64),
        f("votes", DataType::Int64),
        f("metascore", DataType::Int64),
        f("plot", DataType::Utf8),
        f("genres", utf8_list()),
        f("poster_url", DataType::Utf8),
        f("directors", people_type()),
        f("writers", people_type()),
        f("cast", people_type()),
        f("languages", utf8_list()),
        f("countries", utf8_list()),
        f("gross_worldwide", money_type()),
        f("budget", money_type()),
        f("user_review_count", DataType::Int64),
        f("critic_review_count", DataType::Int64),
    ]));
    Schema::new(vec![f("id", DataType::Utf8), f("fetch", fetch_type()), f("record", record)])
}

/// The part of a raw thumbnail record the cleaning reads.
pub fn raw_thumbnail_schema() -> Schema {
    Schema::new(vec![
        f("id", DataType::Utf8),
        f("fetch", fetch_type()),
        f("thumb_key", DataType::Utf8),
        f("thumb_width", DataType::Int64),
        f("thumb_height", DataType::Int64),
        f("placeholder", DataType::Utf8),
    ])
}

/// A raw review line.
pub fn raw_review_schema() -> Schema {
    let review = DataType::Struct(Fields::from(vec![
        f("id", DataType::Utf8),
        f("author", DataType::Utf8),
        f("rating", DataType::Int64),
        f("summary", DataType::Utf8),
        f("text", DataType::Utf8),
        f("date", DataType::Utf8),
        f("helpful_up", DataType::Int64),
        f("helpful_down", DataType::Int64),
        f("spoiler", DataType::Boolean),
    ]));
    Schema::new(vec![
        f("title_id", DataType::Utf8),
        f("polarity", DataType::Utf8),
        f("page", DataType::Int64),
        f("fetch", fetch_type()),
        f("review", review),
    ])
}

/// Registers the JSON Lines under `prefix` as `name` with `schema`, or an
/// empty table of that schema when there are none yet.
pub(crate) async fn register_json_lines(
    ctx: &SessionContext,
    store: &AssetStore,
    name: &str,
    prefix: &str,
    schema: Schema,
) -> Result<()> {
    let any = store.list(prefix).await?.iter().any(|m| m.location.as_ref().ends_with(".jsonl"));
    if any {
        let options = JsonReadOptions::default().schema(&schema).file_extension(".jsonl");
        let url = AssetStore::datafusion_url(&format!("{prefix}/"));
        ctx.register_json(name, &url, options).await.job("register raw json lines")?;
    } else {
        register_empty(ctx, store, name, schema).await?;
    }
    Ok(())
}

/// An empty table of `schema`, as a zero-row Parquet in the store: unlike an
/// in-memory table, a file can be read by a cluster's executors.
async fn register_empty(ctx: &SessionContext, store: &AssetStore, name: &str, schema: Schema) -> Result<()> {
    use datafusion::parquet::arrow::ArrowWriter;
    let schema = Arc::new(schema);
    let digest = crate::sources::content_digest(format!("{schema:?}").as_bytes());
    let key = format!("cleaned/empty/{name}-{}.parquet", &digest[..12]);
    if !store.exists(&key).await? {
        let mut bytes = Vec::new();
        let writer = ArrowWriter::try_new(&mut bytes, schema.clone(), None);
        writer.and_then(|w| w.close()).map_err(DataFusionError::from).job("write an empty table")?;
        store.put(&key, bytes).await?;
    }
    let options = ParquetReadOptions::default().schema(&schema);
    ctx.register_parquet(name, &AssetStore::datafusion_url(&key), options).await.job("register empty raw table")
}

/// Kaggle columns when there is no Kaggle file: the same names and types, no rows.
const NO_KAGGLE_SQL: &str = r#"
SELECT CAST(NULL AS VARCHAR) AS id, CAST(NULL AS VARCHAR) AS title, mq_year(NULL) AS year,
       mq_runtime_minutes(NULL) AS runtime_minutes, CAST(NULL AS VARCHAR) AS certificate,
       mq_rating(NULL) AS rating, mq_count(NULL) AS votes, mq_metascore(NULL) AS metascore,
       mq_money_usd(NULL) AS gross_usd, CAST(NULL AS VARCHAR) AS language, mq_genres(NULL) AS genres,
       CAST(NULL AS VARCHAR) AS overview, CAST(NULL AS VARCHAR) AS director,
       mq_names(NULL, NULL, NULL, NULL) AS stars, CAST(NULL AS VARCHAR) AS poster_url
FROM (VALUES (1)) AS t(x) WHERE x = 0
"#;

/// Newest scrape per title, typed through the cleaning rules.
const SCRAPED_SQL: &str = r#"
SELECT * FROM (
    SELECT
        get_field(record, 'id')                                                AS imdb_id,
        mq_text(get_field(record, 'title'))                                    AS title,
        mq_text(get_field(record, 'original_title'))                           AS original_title,
        mq_text(get_field(record, 'title_type'))                               AS title_type,
        mq_year(CAST(get_field(record, 'year') AS VARCHAR))                    AS year,
        mq_runtime_minutes(CAST(get_field(record, 'runtime_minutes') AS VARCHAR)) AS runtime_minutes,
        mq_rating(CAST(get_field(record, 'rating') AS VARCHAR))                AS rating,
        mq_count(CAST(get_field(record, 'votes') AS VARCHAR))                  AS votes,
        mq_metascore(CAST(get_field(record, 'metascore') AS VARCHAR))          AS metascore,
        mq_text(get_field(record, 'plot'))                                     AS overview,
        get_field(record, 'genres')                                            AS genres,
        mq_text(get_field(record, 'poster_url'))                               AS poster_url,
        mq_names_of(get_field(record, 'directors'))                            AS directors,
        mq_names_of(get_field(record, 'writers'))                              AS writers,
        mq_names_of(get_field(record, 'cast'))                                 AS cast_list,
        get_field(record, 'languages')                                         AS languages,
        get_field(record, 'countries')                                         AS countries,
        get_field(get_field(record, 'gross_worldwide'), 'amount')                         AS gross_amount,
        mq_currency(get_field(get_field(record, 'gross_worldwide'), 'currency'))          AS gross_currency,
        get_field(get_field(record, 'budget'), 'amount')                                  AS budget_amount,
        mq_currency(get_field(get_field(record, 'budget'), 'currency'))                   AS budget_currency,
        get_field(record, 'user_review_count')                                 AS user_review_count,
        get_field(record, 'critic_review_count')                               AS critic_review_count,
        get_field(fetch, 'fetched_at_ms')                                      AS fetched_at_ms,
        ROW_NUMBER() OVER (PARTITION BY get_field(record, 'id') ORDER BY get_field(fetch, 'fetched_at_ms') DESC) AS scrape_rank
    FROM imdb_movies_raw
    WHERE get_field(record, 'id') IS NOT NULL AND mq_text(get_field(record, 'title')) IS NOT NULL
) WHERE scrape_rank = 1
"#;

/// Film types kept from the scrape (a null type is a film: JSON-LD pages may not say).
const FILM_FILTER: &str = "(title_type IS NULL OR title_type IN ('movie', 'tvMovie', 'video', 'short', 'tvSpecial'))";

const MERGED_SQL: &str = r#"
SELECT
    COALESCE(k.id, s.imdb_id)                                   AS id,
    COALESCE(s.title, k.title)                                  AS title,
    COALESCE(s.year, k.year)                                    AS year,
    COALESCE(s.runtime_minutes, k.runtime_minutes)              AS runtime_minutes,
    k.certificate                                               AS certificate,
    COALESCE(s.rating, k.rating)                                AS rating,
    COALESCE(s.votes, k.votes)                                  AS votes,
    COALESCE(s.metascore, k.metascore)                          AS metascore,
    COALESCE(mq_usd(s.gross_amount, s.gross_currency), k.gross_usd) AS gross_usd,
    COALESCE(array_element(s.languages, 1), k.language)         AS language,
    CASE WHEN cardinality(s.genres) > 0 THEN s.genres ELSE k.genres END AS genres,
    COALESCE(s.overview, k.overview)                            AS overview,
    CASE WHEN cardinality(s.directors) > 0 THEN array_to_string(s.directors, ', ') ELSE k.director END AS director,
    CASE WHEN cardinality(s.cast_list) > 0 THEN array_slice(s.cast_list, 1, 4) ELSE k.stars END AS stars,
    COALESCE(s.poster_url, k.poster_url)                        AS poster_url,
    COALESCE(s.user_review_count, r.scraped_reviews)            AS user_review_count,
    s.critic_review_count                                       AS critic_review_count,
    s.imdb_id                                                   AS imdb_id,
    s.original_title                                            AS original_title,
    s.title_type                                                AS title_type,
    s.writers                                                   AS writers,
    s.cast_list                                                 AS cast_members,
    s.languages                                                 AS languages,
    s.countries                                                 AS countries,
    s.gross_amount                                              AS gross_amount,
    s.gross_currency                                            AS gross_currency,
    s.budget_amount                                             AS budget_amount,
    s.budget_currency                                           AS budget_currency,
    t.thumb_key                                                 AS thumbnail_key,
    t.thumb_width                                               AS thumbnail_width,
    t.thumb_height                                              AS thumbnail_height,
    t.placeholder                                               AS thumbnail_placeholder,
    r.scraped_reviews                                           AS scraped_reviews,
    CASE WHEN k.id IS NOT NULL AND s.imdb_id IS NOT NULL THEN 'merged'
         WHEN s.imdb_id IS NOT NULL THEN 'imdb' ELSE 'kaggle' END AS origin
FROM kaggle k
FULL OUTER JOIN scraped_keyed s ON k.match_key = s.join_key
LEFT JOIN thumbs t ON t.t_id = s.imdb_id
LEFT JOIN review_counts r ON r.r_id = s.imdb_id
"#;

fn count_of(batches: &[RecordBatch], col: &str) -> u64 {
    batches
        .first()
        .and_then(|b| b.column_by_name(col))
        .and_then(|c| datafusion::arrow::compute::cast(c, &DataType::Int64).ok())
        .and_then(|c| {
            let a = c.as_any().downcast_ref::<Int64Array>()?;
            (!a.is_empty() && !a.is_null(0)).then(|| a.value(0))
        })
        .map_or(0, |v| u64::try_from(v).unwrap_or_default())
}

/// Registers the scraped tables (`imdb_movies_raw`, `imdb_thumbnails_raw`,
/// `imdb_reviews_raw`) on `ctx`.
pub(crate) async fn register_scraped(ctx: &SessionContext, store: &AssetStore) -> Result<()> {
    register_json_lines(ctx, store, "imdb_movies_raw", MOVIES_PREFIX, raw_movie_schema()).await?;
    register_json_lines(ctx, store, "imdb_thumbnails_raw", THUMBNAILS_PREFIX, raw_thumbnail_schema()).await?;
    register_json_lines(ctx, store, "imdb_reviews_raw", REVIEWS_PREFIX, raw_review_schema()).await?;
    Ok(())
}

/// Cleans the Kaggle CSV at `kaggle_key` (if any) and every scraped raw
/// record in the store into `cleaned/cleaned_movies/version=<version>/`, embedded.
pub async fn clean_movies(store: &AssetStore, kaggle_key: Option<&str>, version: &str) -> Result<MoviesCleanReport> {
    clean_movies_on(&Engine::Embedded, store, kaggle_key, version).await
}

/// Where a version of `cleaned_movies` is written.
pub fn cleaned_movies_key(version: &str) -> String {
    format!("cleaned/cleaned_movies/version={version}/cleaned_movies.parquet")
}

/// [`clean_movies`] on `engine`, within its deadline. A failed run leaves
/// nothing under `version`.
pub async fn clean_movies_on(
    engine: &Engine,
    store: &AssetStore,
    kaggle_key: Option<&str>,
    version: &str,
) -> Result<MoviesCleanReport> {
    let ctx = session_on(store, engine).await?;
    let job = clean_movies_in(&ctx, store, kaggle_key, version);
    let (mut report, ran) = engine.run_job(&ctx, store, &cleaned_movies_key(version), job).await?;
    report.engine = ran;
    Ok(report)
}

async fn clean_movies_in(
    ctx: &SessionContext,
    store: &AssetStore,
    kaggle_key: Option<&str>,
    version: &str,
) -> Result<MoviesCleanReport> {
    let mut report = MoviesCleanReport::default();
    let kaggle_sql = match kaggle_key {
        Some(key) => {
            register_typed(ctx, key).await?;
            report.kaggle = Some(typed_stats(ctx).await?);
            CLEANED_KAGGLE_SQL
        }
        None => NO_KAGGLE_SQL,
    };
    let kaggle = ctx
        .sql(&format!("SELECT *, mq_title_key(title, year) AS match_key FROM ({kaggle_sql})"))
        .await
        .job("plan kaggle rows")?;
    ctx.register_table("kaggle", kaggle.into_view()).job("register kaggle")?;

    register_scraped(ctx, store).await?;
    let scraped_all = ctx.sql(SCRAPED_SQL).await.job("plan scraped")?;
    ctx.register_table("scraped_all", scraped_all.into_view()).job("register scraped")?;
    let keyed = ctx
        .sql(&format!(
            "SELECT *, CASE WHEN key_rank = 1 THEN match_key END AS join_key FROM ( \
               SELECT *, mq_title_key(title, year) AS match_key, \
                      ROW_NUMBER() OVER (PARTITION BY mq_title_key(title, year) ORDER BY votes DESC NULLS LAST, imdb_id) AS key_rank \
               FROM scraped_all WHERE {FILM_FILTER})"
        ))
        .await
        .job("plan scraped keys")?;
    ctx.register_table("scraped_keyed", keyed.into_view()).job("register scraped keys")?;
    let thumbs = ctx
        .sql(
            "SELECT id AS t_id, thumb_key, thumb_width, thumb_height, placeholder FROM ( \
               SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY get_field(fetch, 'fetched_at_ms') DESC) AS rn \
               FROM imdb_thumbnails_raw WHERE id IS NOT NULL AND thumb_key IS NOT NULL) WHERE rn = 1",
        )
        .await
        .job("plan thumbnails")?;
    ctx.register_table("thumbs", thumbs.into_view()).job("register thumbnails")?;
    let counts = ctx
        .sql(
            "SELECT title_id AS r_id, COUNT(DISTINCT get_field(review, 'id')) AS scraped_reviews \
             FROM imdb_reviews_raw WHERE get_field(review, 'id') IS NOT NULL GROUP BY title_id",
        )
        .await
        .job("plan review counts")?;
    ctx.register_table("review_counts", counts.into_view()).job("register review counts")?;
    let merged = ctx.sql(MERGED_SQL).await.job("plan merge")?;
    ctx.register_table("merged", merged.into_view()).job("register merge")?;

    let stats = ctx
        .sql(&format!(
            "SELECT \
               (SELECT COUNT(*) FROM imdb_movies_raw) AS scraped_records, \
               (SELECT COUNT(*) FROM scraped_all) AS scraped_titles, \
               (SELECT COUNT(*) FROM scraped_all WHERE NOT {FILM_FILTER}) AS not_films, \
               (SELECT COUNT(*) FROM merged WHERE origin = 'merged') AS merged, \
               (SELECT COUNT(*) FROM merged WHERE origin = 'imdb') AS scraped_only, \
               (SELECT COUNT(*) FROM merged WHERE origin = 'kaggle') AS kaggle_only, \
               (SELECT COUNT(*) FROM merged WHERE thumbnail_key IS NOT NULL) AS with_thumbnail, \
               (SELECT COUNT(*) FROM merged WHERE scraped_reviews > 0) AS with_reviews"
        ))
        .await
        .job("plan merge stats")?
        .collect()
        .await
        .job("run merge stats")?;
    report.scraped_records = count_of(&stats, "scraped_records");
    report.scraped_titles = count_of(&stats, "scraped_titles");
    report.not_films = count_of(&stats, "not_films");
    report.merged = count_of(&stats, "merged");
    report.scraped_only = count_of(&stats, "scraped_only");
    report.kaggle_only = count_of(&stats, "kaggle_only");
    report.with_thumbnail = count_of(&stats, "with_thumbnail");
    report.with_reviews = count_of(&stats, "with_reviews");

    let output_key = cleaned_movies_key(version);
    let written = ctx
        .sql("SELECT * FROM merged WHERE id IS NOT NULL AND title IS NOT NULL ORDER BY id")
        .await
        .job("plan cleaned_movies")?
        .write_parquet(
            &AssetStore::datafusion_url(&output_key),
            DataFrameWriteOptions::new().with_single_file_output(true),
            None,
        )
        .await
        .job("write cleaned_movies")?;
    report.rows_out = written
        .first()
        .and_then(|b| b.column(0).as_any().downcast_ref::<UInt64Array>().map(|a| a.value(0)))
        .unwrap_or_default();
    if let Some(k) = report.kaggle.as_mut() {
        k.output_key = output_key.clone();
        k.rows_out = report.rows_out;
    }
    report.output_key = output_key;
    Ok(report)
}
