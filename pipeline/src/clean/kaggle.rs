//! The Kaggle catalog cleaning job on DataFusion: raw CSV in the object store
//! → typed, de-duplicated `cleaned_movies` Parquet in the object store.

use datafusion::arrow::array::{Array, Int64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::execution::{SessionState, SessionStateBuilder};
use datafusion::prelude::{CsvReadOptions, SessionConfig, SessionContext};
use url::Url;

use crate::engine::Engine;
use crate::error::DfContext;
use crate::sources::kaggle::COLUMNS;
use crate::store::{AssetStore, DATAFUSION_STORE_URL};
use crate::{PipelineError, Result};

/// What the cleaning found and did. Every `bad_*` counts raw values that were
/// present but unusable and became null.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CleanReport {
    pub rows_in: u64,
    pub rows_out: u64,
    pub duplicates_removed: u64,
    pub missing_title: u64,
    pub bad_year: u64,
    pub bad_runtime: u64,
    pub bad_rating: u64,
    pub bad_metascore: u64,
    pub bad_votes: u64,
    pub bad_gross: u64,
    /// Object store key of the Parquet written.
    pub output_key: String,
}

/// The cleaning jobs' session state: two partitions (the inputs are small),
/// and raw assets read from their `date=YYYY-MM-DD/` folders.
fn cleaning_state() -> SessionState {
    let config = SessionConfig::new()
        .with_target_partitions(2)
        .set_bool("datafusion.execution.listing_table_ignore_subdirectory", false);
    SessionStateBuilder::new().with_config(config).with_default_features().build()
}

fn with_store(ctx: SessionContext, store: &AssetStore) -> Result<SessionContext> {
    let url = Url::parse(DATAFUSION_STORE_URL)
        .map_err(|e| PipelineError::StoreConfig { url: DATAFUSION_STORE_URL.into(), reason: e.to_string() })?;
    ctx.register_object_store(&url, store.object_store());
    super::udfs::register(&ctx);
    Ok(ctx)
}

/// An embedded session with the asset store and the cleaning UDFs registered.
pub fn session(store: &AssetStore) -> Result<SessionContext> {
    with_store(SessionContext::new_with_state(cleaning_state()), store)
}

/// The same session on `engine`.
pub async fn session_on(store: &AssetStore, engine: &Engine) -> Result<SessionContext> {
    with_store(engine.session(cleaning_state()).await?, store)
}

pub(crate) fn raw_schema() -> Schema {
    Schema::new(COLUMNS.iter().map(|c| Field::new(*c, DataType::Utf8, true)).collect::<Vec<_>>())
}

/// Typed columns next to the raw ones they came from (for the report).
pub(crate) const TYPED_SQL: &str = r#"
SELECT
    mq_movie_id("Poster_Link", "Series_Title", mq_year("Released_Year")) AS id,
    mq_text("Series_Title")            AS title,
    mq_year("Released_Year")           AS year,
    mq_runtime_minutes("Runtime")      AS runtime_minutes,
    mq_text("Certificate")             AS certificate,
    mq_rating("IMDB_Rating")           AS rating,
    mq_count("No_of_Votes")            AS votes,
    mq_metascore("Meta_score")         AS metascore,
    mq_money_usd("Gross")              AS gross_usd,
    CAST(NULL AS VARCHAR)              AS language,
    mq_genres("Genre")                 AS genres,
    mq_text("Overview")                AS overview,
    mq_text("Director")                AS director,
    mq_names("Star1", "Star2", "Star3", "Star4") AS stars,
    mq_poster_url("Poster_Link")       AS poster_url,
    mq_text("Released_Year") AS raw_year,
    mq_text("Runtime")       AS raw_runtime,
    mq_text("IMDB_Rating")   AS raw_rating,
    mq_text("Meta_score")    AS raw_metascore,
    mq_text("No_of_Votes")   AS raw_votes,
    mq_text("Gross")         AS raw_gross
FROM kaggle_raw
"#;

const REPORT_SQL: &str = r#"
SELECT
    COUNT(*) AS rows_in,
    SUM(CASE WHEN id IS NULL OR title IS NULL THEN 1 ELSE 0 END) AS missing_title,
    SUM(CASE WHEN raw_year IS NOT NULL AND year IS NULL THEN 1 ELSE 0 END) AS bad_year,
    SUM(CASE WHEN raw_runtime IS NOT NULL AND runtime_minutes IS NULL THEN 1 ELSE 0 END) AS bad_runtime,
    SUM(CASE WHEN raw_rating IS NOT NULL AND rating IS NULL THEN 1 ELSE 0 END) AS bad_rating,
    SUM(CASE WHEN raw_metascore IS NOT NULL AND metascore IS NULL THEN 1 ELSE 0 END) AS bad_metascore,
    SUM(CASE WHEN raw_votes IS NOT NULL AND votes IS NULL THEN 1 ELSE 0 END) AS bad_votes,
    SUM(CASE WHEN raw_gross IS NOT NULL AND gross_usd IS NULL THEN 1 ELSE 0 END) AS bad_gross,
    COUNT(DISTINCT id) AS distinct_ids
FROM typed
"#;

/// One row per id: the most-voted copy wins a duplicate.
const CLEANED_SQL: &str = r#"
SELECT id, title, year, runtime_minutes, certificate, rating, votes, metascore, gross_usd,
       language, genres, overview, director, stars, poster_url
FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY id ORDER BY votes DESC NULLS LAST, rating DESC NULLS LAST, title
    ) AS dup_rank
    FROM typed
    WHERE id IS NOT NULL AND title IS NOT NULL
)
WHERE dup_rank = 1
ORDER BY id
"#;

/// Registers the raw Kaggle CSV at `raw_key` as `kaggle_raw` and its typed
/// columns as the view `typed`.
pub(crate) async fn register_typed(ctx: &SessionContext, raw_key: &str) -> Result<()> {
    let schema = raw_schema();
    let options =
        CsvReadOptions::new().schema(&schema).has_header(true).newlines_in_values(true).file_extension(".csv");
    ctx.register_csv("kaggle_raw", &AssetStore::datafusion_url(raw_key), options).await.job("register raw csv")?;
    let typed = ctx.sql(TYPED_SQL).await.job("plan typed")?;
    ctx.register_table("typed", typed.into_view()).job("register typed")?;
    Ok(())
}

/// The report's counts over the view `typed` (`rows_out` and `output_key` left empty).
pub(crate) async fn typed_stats(ctx: &SessionContext) -> Result<CleanReport> {
    let stats = ctx.sql(REPORT_SQL).await.job("plan report")?.collect().await.job("run report")?;
    let get = |name: &str| -> u64 {
        stats
            .first()
            .and_then(|b| b.column_by_name(name))
            .and_then(|c| datafusion::arrow::compute::cast(c, &DataType::Int64).ok())
            .and_then(|c| {
                let a = c.as_any().downcast_ref::<Int64Array>()?;
                (!a.is_empty() && !a.is_null(0)).then(|| a.value(0))
            })
            .map_or(0, |v| u64::try_from(v).unwrap_or_default())
    };
    let (rows_in, missing, distinct) = (get("rows_in"), get("missing_title"), get("distinct_ids"));
    Ok(CleanReport {
        rows_in,
        rows_out: 0,
        duplicates_removed: rows_in.saturating_sub(missing).saturating_sub(distinct),
        missing_title: missing,
        bad_year: get("bad_year"),
        bad_runtime: get("bad_runtime"),
        bad_rating: get("bad_rating"),
        bad_metascore: get("bad_metascore"),
        bad_votes: get("bad_votes"),
        bad_gross: get("bad_gross"),
        output_key: String::new(),
    })
}

/// The de-duplicated Kaggle rows of the view `typed` (the most-voted copy wins).
pub(crate) const CLEANED_KAGGLE_SQL: &str = CLEANED_SQL;

/// Cleans the raw Kaggle CSV at `raw_key` alone into
/// `cleaned/cleaned_movies/version=<version>/` (the catalog run uses
/// [`super::movies::clean_movies`], which merges in the scraped movies).
pub async fn clean(store: &AssetStore, raw_key: &str, version: &str) -> Result<CleanReport> {
    let ctx = session(store)?;
    register_typed(&ctx, raw_key).await?;
    let mut report = typed_stats(&ctx).await?;
    let output_key = format!("cleaned/cleaned_movies/version={version}/cleaned_movies.parquet");
    let written = ctx
        .sql(CLEANED_SQL)
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
        .and_then(|b| b.column(0).as_any().downcast_ref::<datafusion::arrow::array::UInt64Array>().map(|a| a.value(0)))
        .unwrap_or_default();
    report.output_key = output_key;
    Ok(report)
}

/// Schema of `cleaned_movies`, for readers that check what they get.
pub fn cleaned_field_names() -> [&'static str; 15] {
    [
        "id",
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
    ]
}
