//! The bulk catalog job on DataFusion: IMDb's five files → the catalog
//! backbone (every feature film and TV movie with year, runtime, genres,
//! rating, votes, directors, writers and its top-billed cast, names
//! resolved), as a Parquet in the object store with the `cleaned_movies`
//! columns.
//!
//! Two stages, each a plain DataFusion plan over tables registered through
//! the object store (so the same functions can run on a Ballista context):
//!
//! 1. **Stage** ([`stage_file`]): each raw `.tsv.gz` is read line by line and
//!    parsed by a UDF ([`super::udfs`]) into typed columns (ids as integers,
//!    `\N` as null, escapes decoded, bad numbers null and counted, malformed
//!    lines flagged), written as Parquet under a key derived from the raw
//!    key. Raw keys are content-addressed, so an unchanged file is parsed
//!    once and its staged Parquet reused. A gzip file cannot be split, so
//!    each file is one scan: the five run at the same time.
//! 2. **Catalog** ([`catalog_frame`]): joins on the staged Parquet (which
//!    carries row counts, so the planner builds hash tables on the small
//!    sides): films first, then only the films' principals (a hash join
//!    that streams the 98 M principals past ~0.9 M film ids), only cast and
//!    directors; the top cast by `ordering` is ranked before any name is
//!    looked up, and names are joined once for all the people needed.
//!
//! Memory is bounded by a [`FairSpillPool`] (sorts and aggregations spill
//! to disk beyond it; hash-join build sides are small by construction).

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::array::{Array, Int64Array, RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::datasource::file_format::file_compression_type::FileCompressionType;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::{FairSpillPool, MemoryPool, TrackConsumersPool};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::{SessionState, SessionStateBuilder};
use datafusion::prelude::{CsvReadOptions, DataFrame, ParquetReadOptions, SessionConfig, SessionContext};
use imdb_bulk::BulkFile;
use url::Url;

use super::source::DatasetsManifest;
use crate::engine::{Engine, EngineRun};
use crate::error::DfContext;
use crate::store::{AssetStore, DATAFUSION_STORE_URL};
use crate::{PipelineError, Result};

/// Bumped when the staged columns or the parsers change: older staged
/// Parquets are then not reused.
pub const STAGE_VERSION: u32 = 1;
/// Where staged Parquets live.
pub const STAGED_PREFIX: &str = "staged/imdb_datasets";
/// Where the catalog Parquets live.
pub const CATALOG_PREFIX: &str = "cleaned/imdb_catalog";

/// How the job runs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BulkJobOptions {
    /// DataFusion's memory pool (bytes); sorts and aggregations spill beyond it.
    pub memory_limit: usize,
    /// Where spill files go (the OS temp directory when `None`).
    pub spill_dir: Option<PathBuf>,
    /// Partitions per operator (the number of cores is right).
    pub target_partitions: usize,
    pub batch_size: usize,
    /// Title types kept (`movie`, `tvMovie`).
    pub title_types: Vec<String>,
    pub include_adult: bool,
    /// Billed cast members kept per film.
    pub top_cast: u32,
    /// Principals with a larger `ordering` are not considered for the cast
    /// (an early filter; `None` considers all, which is exact).
    pub max_cast_ordering: Option<u32>,
    /// Parse raw files again even when their staged Parquet exists.
    pub restage: bool,
}

impl Default for BulkJobOptions {
    fn default() -> Self {
        Self {
            memory_limit: 4 << 30,
            spill_dir: None,
            target_partitions: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            batch_size: 8192,
            title_types: vec!["movie".into(), "tvMovie".into()],
            include_adult: false,
            top_cast: 3,
            max_cast_ordering: None,
            restage: false,
        }
    }
}

/// The object-store keys of the five raw files.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BulkInputs {
    pub title_basics: String,
    pub title_ratings: String,
    pub title_principals: String,
    pub name_basics: String,
    pub title_crew: String,
}

impl BulkInputs {
    pub fn key(&self, file: BulkFile) -> &str {
        match file {
            BulkFile::TitleBasics => &self.title_basics,
            BulkFile::TitleRatings => &self.title_ratings,
            BulkFile::TitlePrincipals => &self.title_principals,
            BulkFile::NameBasics => &self.name_basics,
            BulkFile::TitleCrew => &self.title_crew,
        }
    }

    /// The keys a fetch recorded.
    pub fn from_manifest(m: &DatasetsManifest) -> Result<Self> {
        let key = |f: BulkFile| {
            m.key(f).map(str::to_owned).ok_or_else(|| PipelineError::BadInput {
                key: "imdb_datasets manifest".into(),
                reason: format!("no {f} file"),
            })
        };
        Ok(Self {
            title_basics: key(BulkFile::TitleBasics)?,
            title_ratings: key(BulkFile::TitleRatings)?,
            title_principals: key(BulkFile::TitlePrincipals)?,
            name_basics: key(BulkFile::NameBasics)?,
            title_crew: key(BulkFile::TitleCrew)?,
        })
    }

    /// `<prefix>/title.basics.tsv.gz` …: the five files as IMDb names them
    /// under one prefix (`.tsv` files, uncompressed, when `gzip` is false).
    pub fn under(prefix: &str, gzip: bool) -> Self {
        let p = prefix.trim_end_matches('/');
        let k = |f: BulkFile| format!("{p}/{}.tsv{}", f.stem(), if gzip { ".gz" } else { "" });
        Self {
            title_basics: k(BulkFile::TitleBasics),
            title_ratings: k(BulkFile::TitleRatings),
            title_principals: k(BulkFile::TitlePrincipals),
            name_basics: k(BulkFile::NameBasics),
            title_crew: k(BulkFile::TitleCrew),
        }
    }
}

/// What staging one file found.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct StagedFile {
    pub file: String,
    pub raw_key: String,
    pub staged_key: String,
    /// True when an existing staged Parquet was used (the raw file was parsed before).
    pub reused: bool,
    /// Data lines read.
    pub rows: u64,
    /// Lines with the wrong number of fields or an unusable id (left out).
    pub malformed: u64,
    /// Values present but unusable (bad numbers, bad ids in lists), made null.
    pub bad_values: u64,
    pub seconds: f64,
}

/// What the bulk catalog job did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct BulkCatalogReport {
    pub files: Vec<StagedFile>,
    /// Films written.
    pub films: u64,
    pub rated: u64,
    pub with_cast: u64,
    pub with_directors: u64,
    /// Credits (cast, directors, writers) whose person is not in `name.basics`.
    pub unresolved_people: u64,
    pub output_key: String,
    pub stage_seconds: f64,
    pub catalog_seconds: f64,
    pub memory_limit: u64,
    /// Highest memory-pool reservation seen (sampled).
    pub peak_pool_bytes: u64,
    /// Most spill bytes on disk at once (sampled; embedded only).
    pub peak_spill_bytes: u64,
    /// Where it ran.
    pub engine: EngineRun,
}

/// The bulk job's session state: a bounded, spilling memory pool (on a
/// cluster, each executor has its own) and Parquet written with snappy.
pub fn bulk_state(options: &BulkJobOptions) -> Result<SessionState> {
    let pool: Arc<dyn MemoryPool> = Arc::new(TrackConsumersPool::new(
        FairSpillPool::new(options.memory_limit),
        NonZeroUsize::new(5).unwrap_or(NonZeroUsize::MIN),
    ));
    let mut disk = DiskManagerBuilder::default();
    if let Some(dir) = &options.spill_dir {
        std::fs::create_dir_all(dir).map_err(|e| PipelineError::StoreConfig {
            url: dir.display().to_string(),
            reason: format!("spill directory: {e}"),
        })?;
        disk = disk.with_mode(DiskManagerMode::Directories(vec![dir.clone()]));
    }
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_pool(pool)
        .with_disk_manager_builder(disk)
        .build_arc()
        .job("bulk runtime")?;
    let mut config = SessionConfig::new()
        .with_target_partitions(options.target_partitions.max(1))
        .with_batch_size(options.batch_size.max(1024))
        .set_bool("datafusion.execution.listing_table_ignore_subdirectory", false);
    // Staged and output Parquets: fast to write and read, readable everywhere.
    config.options_mut().execution.parquet.compression = Some("snappy".into());
    Ok(SessionStateBuilder::new().with_config(config).with_runtime_env(runtime).with_default_features().build())
}

/// A session for the bulk job on `engine`: [`bulk_state`], the asset store
/// at [`DATAFUSION_STORE_URL`] and every Marquee UDF.
pub async fn bulk_session(store: &AssetStore, options: &BulkJobOptions, engine: &Engine) -> Result<SessionContext> {
    let ctx = engine.session(bulk_state(options)?).await?;
    let url = Url::parse(DATAFUSION_STORE_URL)
        .map_err(|e| PipelineError::StoreConfig { url: DATAFUSION_STORE_URL.into(), reason: e.to_string() })?;
    ctx.register_object_store(&url, store.object_store());
    register_functions(&ctx);
    Ok(ctx)
}

/// Registers every UDF Marquee's jobs use (cleaning rules and bulk parsers):
/// the one place a client, a scheduler or an executor calls.
pub fn register_functions(ctx: &SessionContext) {
    crate::clean::udfs::register(ctx);
    super::udfs::register(ctx);
}

/// One column holding each whole line.
fn line_schema() -> Schema {
    Schema::new(vec![Field::new("line", DataType::Utf8, true)])
}

/// CSV options that read each line of a plain `.tsv` whole: NUL delimits
/// and SOH quotes, control bytes IMDb's text never holds (NUL would fail the
/// scan with a CSV error, not pass silently). Bytes that are not UTF-8 at
/// all (0xFF) would be safer, but Ballista ships a scan's options to its
/// executors as UTF-8 and refuses them. The header row is skipped. Lines
/// hold no raw newline, so DataFusion may split one file into byte ranges
/// and parse them on every core.
pub fn line_options(schema: &Schema) -> CsvReadOptions<'_> {
    CsvReadOptions::new()
        .has_header(true)
        .delimiter(0x00)
        .quote(0x01)
        .schema(schema)
        .newlines_in_values(false)
        .file_extension(".tsv")
        .file_compression_type(FileCompressionType::UNCOMPRESSED)
}

/// Decompresses the gzip object at `gz_key` into `plain_key`, streaming
/// (the workspace builds DataFusion without its compression codecs, and a
/// plain file can be scanned in parallel ranges where a gzip one cannot).
/// Returns the plain size.
pub async fn gunzip_object(store: &AssetStore, gz_key: &str, plain_key: &str) -> Result<u64> {
    use futures::StreamExt;
    use object_store::ObjectStoreExt;
    use std::io::Write;
    let store_err = |op: &'static str, key: &str| {
        let key = key.to_owned();
        move |source| PipelineError::Store { op, key, source }
    };
    let bad = |reason: String| PipelineError::BadInput { key: gz_key.to_owned(), reason };
    let (_, mut stream) = store.get_stream(gz_key).await?.ok_or_else(|| bad("no such object".into()))?;
    let os = store.object_store();
    let upload =
        os.put_multipart(&object_store::path::Path::from(plain_key)).await.map_err(store_err("put", plain_key))?;
    let mut writer = object_store::WriteMultipart::new_with_chunk_size(upload, 16 << 20);
    let mut decoder = flate2::write::MultiGzDecoder::new(Vec::with_capacity(32 << 20));
    let mut total = 0u64;
    let result: Result<()> = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(store_err("get", gz_key))?;
            decoder.write_all(&chunk).map_err(|e| bad(format!("not a gzip file: {e}")))?;
            if decoder.get_ref().len() >= 8 << 20 {
                let out = std::mem::take(decoder.get_mut());
                total += out.len() as u64;
                writer.wait_for_capacity(4).await.map_err(store_err("put", plain_key))?;
                writer.put(out.into());
            }
        }
        decoder.try_finish().map_err(|e| bad(format!("truncated gzip file: {e}")))?;
        let out = std::mem::take(decoder.get_mut());
        total += out.len() as u64;
        writer.put(out.into());
        Ok(())
    }
    .await;
    if let Err(e) = result {
        let _ = writer.abort().await;
        return Err(e);
    }
    writer.finish().await.map_err(store_err("put", plain_key))?;
    Ok(total)
}

fn parser_udf(file: BulkFile) -> (&'static str, datafusion::arrow::datatypes::Fields) {
    use super::udfs::*;
    match file {
        BulkFile::TitleBasics => ("mq_imdb_basics", basics_fields()),
        BulkFile::TitleRatings => ("mq_imdb_ratings", ratings_fields()),
        BulkFile::TitlePrincipals => ("mq_imdb_principals", principals_fields()),
        BulkFile::NameBasics => ("mq_imdb_names", names_fields()),
        BulkFile::TitleCrew => ("mq_imdb_crew", crew_fields()),
    }
}

/// The staged Parquet's key for a raw key (raw keys are content-addressed,
/// so this is too).
pub fn staged_key(file: BulkFile, raw_key: &str) -> String {
    let digest = crate::sources::content_digest(raw_key.as_bytes());
    format!("{STAGED_PREFIX}/v{STAGE_VERSION}/{}-{}.parquet", file.stem(), &digest[..12])
}

/// Registers the plain `.tsv` at `key` as the one-column table `<table>_raw`.
pub async fn register_raw(ctx: &SessionContext, file: BulkFile, key: &str) -> Result<()> {
    let schema = line_schema();
    let name = format!("{}_raw", file.table_name());
    let _ = ctx.deregister_table(&name);
    ctx.register_csv(&name, &AssetStore::datafusion_url(key), line_options(&schema)).await.job("register raw bulk file")
}

/// The typed rows of `<table>_raw`, one column per field of the file's parser.
pub async fn parsed_frame(ctx: &SessionContext, file: BulkFile) -> Result<DataFrame> {
    let (udf, fields) = parser_udf(file);
    let cols: Vec<String> = fields.iter().map(|f| format!("p['{0}'] AS {0}", f.name())).collect();
    let sql = format!("SELECT {} FROM (SELECT {udf}(line) AS p FROM {}_raw)", cols.join(", "), file.table_name());
    ctx.sql(&sql).await.job("plan staging")
}

/// Parses the raw file into its staged Parquet (unless it exists and
/// `restage` is false), registers it as the table `<table>` and counts its
/// rows, malformed lines and bad values.
pub async fn stage_file(
    ctx: &SessionContext,
    store: &AssetStore,
    file: BulkFile,
    raw_key: &str,
    restage: bool,
) -> Result<StagedFile> {
    let started = Instant::now();
    let key = staged_key(file, raw_key);
    let reused = !restage && store.exists(&key).await?;
    if !reused {
        if !store.exists(raw_key).await? {
            return Err(PipelineError::BadInput { key: raw_key.into(), reason: format!("no {file} file here") });
        }
        // A gzip file is unpacked next to its staged Parquet, then removed.
        let unpacked = if raw_key.ends_with(".gz") {
            let plain = key.replace(".parquet", ".unpacked.tsv");
            gunzip_object(store, raw_key, &plain).await?;
            Some(plain)
        } else {
            None
        };
        let plain = unpacked.as_deref().unwrap_or(raw_key);
        register_raw(ctx, file, plain).await?;
        let written = parsed_frame(ctx, file)
            .await?
            .write_parquet(
                &AssetStore::datafusion_url(&key),
                DataFrameWriteOptions::new().with_single_file_output(true),
                None,
            )
            .await
            .job("write staged bulk file");
        let _ = ctx.deregister_table(format!("{}_raw", file.table_name()));
        if let Some(plain) = &unpacked {
            use object_store::ObjectStoreExt;
            store
                .object_store()
                .delete(&object_store::path::Path::from(plain.as_str()))
                .await
                .map_err(|source| PipelineError::Store { op: "delete", key: plain.clone(), source })?;
        }
        written?;
    }
    let table = file.table_name();
    let _ = ctx.deregister_table(table);
    ctx.register_parquet(table, &AssetStore::datafusion_url(&key), ParquetReadOptions::default())
        .await
        .job("register staged bulk file")?;
    let stats = ctx
        .sql(&format!(
            "SELECT COUNT(*) AS rows, SUM(CASE WHEN malformed THEN 1 ELSE 0 END) AS malformed, \
             SUM(bad_fields) AS bad FROM {table}"
        ))
        .await
        .job("plan staging stats")?
        .collect()
        .await
        .job("staging stats")?;
    Ok(StagedFile {
        file: file.stem().into(),
        raw_key: raw_key.into(),
        staged_key: key,
        reused,
        rows: count_of(&stats, "rows"),
        malformed: count_of(&stats, "malformed"),
        bad_values: count_of(&stats, "bad"),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Stages the five files at once (each is one sequential gzip scan).
pub async fn stage_all(
    ctx: &SessionContext,
    store: &AssetStore,
    inputs: &BulkInputs,
    restage: bool,
) -> Result<Vec<StagedFile>> {
    let tasks = BulkFile::ALL.map(|f| {
        let (ctx, store, key) = (ctx.clone(), store.clone(), inputs.key(f).to_owned());
        tokio::spawn(async move { stage_file(&ctx, &store, f, &key, restage).await })
    });
    let mut out = Vec::new();
    for task in futures::future::join_all(tasks).await {
        let staged = task.map_err(|e| PipelineError::BadInput {
            key: STAGED_PREFIX.into(),
            reason: format!("staging task failed: {e}"),
        })??;
        out.push(staged);
    }
    Ok(out)
}

fn quoted_list(items: &[String]) -> String {
    items.iter().map(|s| format!("'{}'", s.replace('\'', "''"))).collect::<Vec<_>>().join(", ")
}

/// The catalog over the staged tables (`title_basics`, `title_ratings`,
/// `title_principals`, `name_basics`, `title_crew`), one row per film with
/// the `cleaned_movies` columns and `unresolved_people`, ordered by `tt` id.
pub async fn catalog_frame(ctx: &SessionContext, options: &BulkJobOptions) -> Result<DataFrame> {
    let types = quoted_list(&options.title_types);
    let adult = if options.include_adult { "" } else { "AND NOT COALESCE(is_adult, false)" };
    let cast_bound = options.max_cast_ordering.map(|b| format!("AND ordering <= {b}")).unwrap_or_default();
    let top = options.top_cast.max(1);
    let sql = format!(
        r#"
WITH film_rows AS (
    SELECT tconst, primary_title, original_title, title_type, start_year, runtime_minutes, genres,
           ROW_NUMBER() OVER (PARTITION BY tconst ORDER BY primary_title, original_title) AS dup
    FROM title_basics
    WHERE NOT malformed AND title_type IN ({types}) AND primary_title IS NOT NULL {adult}
),
films AS (SELECT * FROM film_rows WHERE dup = 1),
film_ids AS (SELECT DISTINCT tconst FROM title_basics
             WHERE NOT malformed AND title_type IN ({types}) AND primary_title IS NOT NULL {adult}),
film_ratings AS (
    SELECT tconst, average_rating, num_votes FROM (
        SELECT r.tconst, r.average_rating, r.num_votes,
               ROW_NUMBER() OVER (PARTITION BY r.tconst ORDER BY r.num_votes DESC NULLS LAST,
                                  r.average_rating DESC NULLS LAST) AS rn
        FROM film_ids f JOIN title_ratings r ON r.tconst = f.tconst
        WHERE NOT r.malformed)
    WHERE rn = 1
),
film_principals AS (
    SELECT p.tconst, p.ordering, p.nconst, p.category
    FROM film_ids f JOIN title_principals p ON p.tconst = f.tconst
    WHERE NOT p.malformed AND p.nconst IS NOT NULL AND p.ordering IS NOT NULL
      AND p.category IN ('actor', 'actress', 'director')
),
cast_ranked AS (
    SELECT tconst, ordering, nconst,
           ROW_NUMBER() OVER (PARTITION BY tconst ORDER BY ordering, nconst) AS pos
    FROM (SELECT tconst, MIN(ordering) AS ordering, nconst FROM film_principals
          WHERE category IN ('actor', 'actress') {cast_bound}
          GROUP BY tconst, nconst)
),
film_crew AS (
    SELECT c.tconst, c.directors, c.writers
    FROM film_ids f JOIN title_crew c ON c.tconst = f.tconst
    WHERE NOT c.malformed
),
crew_directors AS (
    SELECT tconst, nconst, array_position(directors, nconst) AS pos
    FROM (SELECT tconst, directors, unnest(directors) AS nconst FROM film_crew WHERE cardinality(directors) > 0)
),
crew_writers AS (
    SELECT tconst, nconst, array_position(writers, nconst) AS pos
    FROM (SELECT tconst, writers, unnest(writers) AS nconst FROM film_crew WHERE cardinality(writers) > 0)
),
principal_directors AS (
    SELECT tconst, nconst, ROW_NUMBER() OVER (PARTITION BY tconst ORDER BY ordering, nconst) AS pos
    FROM film_principals d
    WHERE category = 'director'
      AND NOT EXISTS (SELECT 1 FROM crew_directors cd WHERE cd.tconst = d.tconst)
),
people AS (
    SELECT tconst, 'cast' AS role, CAST(pos AS BIGINT) AS pos, nconst FROM cast_ranked WHERE pos <= {top}
    UNION ALL SELECT tconst, 'director', CAST(pos AS BIGINT), nconst FROM crew_directors
    UNION ALL SELECT tconst, 'director', CAST(pos AS BIGINT), nconst FROM principal_directors
    UNION ALL SELECT tconst, 'writer', CAST(pos AS BIGINT), nconst FROM crew_writers
),
named AS (
    SELECT p.tconst, p.role, p.pos, MIN(n.primary_name) AS name
    FROM people p
    LEFT JOIN (SELECT nconst, primary_name FROM name_basics WHERE NOT malformed AND primary_name IS NOT NULL) n
           ON n.nconst = p.nconst
    GROUP BY p.tconst, p.role, p.pos, p.nconst
),
credits AS (
    SELECT tconst,
           mq_names_by_position(string_agg(CAST(pos AS VARCHAR) || chr(31) || name, chr(30))
                                FILTER (WHERE role = 'cast' AND name IS NOT NULL)) AS stars,
           mq_names_by_position(string_agg(CAST(pos AS VARCHAR) || chr(31) || name, chr(30))
                                FILTER (WHERE role = 'director' AND name IS NOT NULL)) AS directors,
           mq_names_by_position(string_agg(CAST(pos AS VARCHAR) || chr(31) || name, chr(30))
                                FILTER (WHERE role = 'writer' AND name IS NOT NULL)) AS writers,
           SUM(CASE WHEN name IS NULL THEN 1 ELSE 0 END) AS unresolved
    FROM named
    GROUP BY tconst
)
SELECT
    mq_tconst(f.tconst)                        AS id,
    f.primary_title                            AS title,
    f.start_year                               AS year,
    f.runtime_minutes                          AS runtime_minutes,
    CAST(NULL AS VARCHAR)                      AS certificate,
    r.average_rating                           AS rating,
    r.num_votes                                AS votes,
    CAST(NULL AS INT)                          AS metascore,
    CAST(NULL AS BIGINT)                       AS gross_usd,
    CAST(NULL AS VARCHAR)                      AS language,
    f.genres                                   AS genres,
    CAST(NULL AS VARCHAR)                      AS overview,
    array_to_string(c.directors, ', ')         AS director,
    c.stars                                    AS stars,
    CAST(NULL AS VARCHAR)                      AS poster_url,
    CAST(NULL AS BIGINT)                       AS user_review_count,
    CAST(NULL AS BIGINT)                       AS critic_review_count,
    mq_tconst(f.tconst)                        AS imdb_id,
    f.original_title                           AS original_title,
    f.title_type                               AS title_type,
    c.writers                                  AS writers,
    c.stars                                    AS cast_members,
    mq_genres(CAST(NULL AS VARCHAR))           AS languages,
    mq_genres(CAST(NULL AS VARCHAR))           AS countries,
    CAST(NULL AS BIGINT)                       AS gross_amount,
    CAST(NULL AS VARCHAR)                      AS gross_currency,
    CAST(NULL AS BIGINT)                       AS budget_amount,
    CAST(NULL AS VARCHAR)                      AS budget_currency,
    CAST(NULL AS VARCHAR)                      AS thumbnail_key,
    CAST(NULL AS BIGINT)                       AS thumbnail_width,
    CAST(NULL AS BIGINT)                       AS thumbnail_height,
    CAST(NULL AS VARCHAR)                      AS thumbnail_placeholder,
    CAST(NULL AS BIGINT)                       AS scraped_reviews,
    'imdb_bulk'                                AS origin,
    CAST(COALESCE(c.unresolved, 0) AS BIGINT)  AS unresolved_people
FROM films f
LEFT JOIN film_ratings r ON r.tconst = f.tconst
LEFT JOIN credits c ON c.tconst = f.tconst
ORDER BY f.tconst
"#
    );
    ctx.sql(&sql).await.job("plan bulk catalog")
}

pub(crate) fn count_of(batches: &[RecordBatch], col: &str) -> u64 {
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

/// Samples the pool and the spill directory while a job runs.
struct Monitor {
    stop: Arc<AtomicBool>,
    peak_pool: Arc<AtomicU64>,
    peak_spill: Arc<AtomicU64>,
    handle: tokio::task::JoinHandle<()>,
}

impl Monitor {
    fn start(ctx: &SessionContext) -> Self {
        let runtime = ctx.runtime_env();
        let (stop, peak_pool, peak_spill) =
            (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (s, pp, ps) = (stop.clone(), peak_pool.clone(), peak_spill.clone());
        let handle = tokio::spawn(async move {
            while !s.load(Ordering::Relaxed) {
                pp.fetch_max(runtime.memory_pool.reserved() as u64, Ordering::Relaxed);
                ps.fetch_max(runtime.spilling_progress().current_bytes, Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        });
        Self { stop, peak_pool, peak_spill, handle }
    }

    async fn finish(self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.handle.await;
        (self.peak_pool.load(Ordering::Relaxed), self.peak_spill.load(Ordering::Relaxed))
    }
}

/// Runs the whole job on `ctx` (a [`bulk_session`], or any context with the
/// store and [`register_functions`]): stages the five files, builds the
/// catalog and writes it to `cleaned/imdb_catalog/version=<version>/`.
pub async fn run_bulk_catalog_on(
    ctx: &SessionContext,
    store: &AssetStore,
    inputs: &BulkInputs,
    version: &str,
    options: &BulkJobOptions,
) -> Result<BulkCatalogReport> {
    let monitor = Monitor::start(ctx);
    let started = Instant::now();
    let files = stage_all(ctx, store, inputs, options.restage).await?;
    let stage_seconds = started.elapsed().as_secs_f64();
    tracing::info!(stage_seconds, "bulk files staged");

    let started = Instant::now();
    let output_key = catalog_key(version);
    let written = catalog_frame(ctx, options)
        .await?
        .write_parquet(
            &AssetStore::datafusion_url(&output_key),
            DataFrameWriteOptions::new().with_single_file_output(true),
            None,
        )
        .await
        .job("write bulk catalog")?;
    let films = written
        .first()
        .and_then(|b| b.column(0).as_any().downcast_ref::<UInt64Array>().map(|a| a.value(0)))
        .unwrap_or_default();
    let stats = ctx
        .read_parquet(AssetStore::datafusion_url(&output_key), ParquetReadOptions::default())
        .await
        .job("read bulk catalog")?;
    ctx.register_table("imdb_catalog_written", stats.into_view()).job("register bulk catalog")?;
    let stats = ctx
        .sql(
            "SELECT COUNT(rating) AS rated, \
                    SUM(CASE WHEN cardinality(stars) > 0 THEN 1 ELSE 0 END) AS with_cast, \
                    SUM(CASE WHEN director IS NOT NULL AND director <> '' THEN 1 ELSE 0 END) AS with_directors, \
                    SUM(unresolved_people) AS unresolved \
             FROM imdb_catalog_written",
        )
        .await
        .job("plan bulk catalog stats")?
        .collect()
        .await
        .job("bulk catalog stats")?;
    let _ = ctx.deregister_table("imdb_catalog_written");
    let catalog_seconds = started.elapsed().as_secs_f64();
    let (peak_pool_bytes, peak_spill_bytes) = monitor.finish().await;
    Ok(BulkCatalogReport {
        files,
        films,
        rated: count_of(&stats, "rated"),
        with_cast: count_of(&stats, "with_cast"),
        with_directors: count_of(&stats, "with_directors"),
        unresolved_people: count_of(&stats, "unresolved"),
        output_key,
        stage_seconds,
        catalog_seconds,
        memory_limit: options.memory_limit as u64,
        peak_pool_bytes,
        peak_spill_bytes,
        engine: EngineRun::default(),
    })
}

/// Where a version's catalog Parquet is written.
pub fn catalog_key(version: &str) -> String {
    format!("{CATALOG_PREFIX}/version={version}/imdb_catalog.parquet")
}

/// [`run_bulk_catalog_on`] on a fresh [`bulk_session`] on `engine`, within
/// its deadline. A failed run leaves no catalog under `version`.
pub async fn run_bulk_catalog(
    store: &AssetStore,
    inputs: &BulkInputs,
    version: &str,
    options: &BulkJobOptions,
    engine: &Engine,
) -> Result<BulkCatalogReport> {
    let ctx = bulk_session(store, options, engine).await?;
    let job = run_bulk_catalog_on(&ctx, store, inputs, version, options);
    let (mut report, ran) = engine.run_job(&ctx, store, &catalog_key(version), job).await?;
    report.engine = ran;
    Ok(report)
}

/// The process's peak resident set (VmHWM, bytes), where `/proc` has it.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
