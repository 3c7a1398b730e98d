//! `imdb-catalog`: runs the IMDb bulk catalog job from the command line (for
//! benchmarks and operators; the orchestrator calls the same functions).
//!
//! ```text
//! imdb-catalog --store DIR (--inputs-under PREFIX [--plain] | --fetch-from DIR_OR_URL)
//!              [--memory-limit 4G] [--spill-dir DIR] [--partitions N] [--batch-size N]
//!              [--max-cast-ordering N] [--restage] [--version V] [--json]
//!              [--engine embedded|ballista://HOST:PORT]
//! ```
//!
//! On a cluster (`--engine ballista://…`) the scheduler and executors must
//! use the same `--store` (`marquee cluster scheduler|executor --store DIR`).
//!
//! `--inputs-under raw/generated` reads `raw/generated/title.basics.tsv.gz` …
//! already in the store; `--fetch-from` runs the `imdb_datasets` source
//! first. Prints the report and the process's peak RSS (VmHWM).

use std::process::ExitCode;
use std::time::Instant;

use pipeline::bulk::{self, BulkInputs, BulkJobOptions, DatasetsContext};
use pipeline::store::AssetStore;
use pipeline::NoProgress;

fn bytes_arg(s: &str) -> Option<usize> {
    let s = s.trim();
    let (num, mult) = match s.chars().last()? {
        'k' | 'K' => (&s[..s.len() - 1], 1usize << 10),
        'm' | 'M' => (&s[..s.len() - 1], 1 << 20),
        'g' | 'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<f64>().ok().map(|v| (v * mult as f64) as usize)
}

struct Args {
    store: String,
    inputs_under: Option<String>,
    plain: bool,
    fetch_from: Option<String>,
    version: Option<String>,
    json: bool,
    /// Prints the catalog plan with its metrics (EXPLAIN ANALYZE) instead of writing it.
    explain: bool,
    options: BulkJobOptions,
    engine: pipeline::Engine,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        store: String::new(),
        inputs_under: None,
        plain: false,
        fetch_from: None,
        version: None,
        json: false,
        explain: false,
        options: BulkJobOptions::default(),
        engine: pipeline::Engine::Embedded,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--store" => a.store = value()?,
            "--inputs-under" => a.inputs_under = Some(value()?),
            "--plain" => a.plain = true,
            "--fetch-from" => a.fetch_from = Some(value()?),
            "--version" => a.version = Some(value()?),
            "--json" => a.json = true,
            "--explain" => a.explain = true,
            "--restage" => a.options.restage = true,
            "--engine" => a.engine = value()?.parse().map_err(|e| format!("--engine: {e}"))?,
            "--memory-limit" => {
                a.options.memory_limit = bytes_arg(&value()?).ok_or("--memory-limit: e.g. 4G or 512M")?
            }
            "--spill-dir" => a.options.spill_dir = Some(value()?.into()),
            "--partitions" => {
                a.options.target_partitions = value()?.parse().map_err(|e| format!("--partitions: {e}"))?
            }
            "--batch-size" => a.options.batch_size = value()?.parse().map_err(|e| format!("--batch-size: {e}"))?,
            "--max-cast-ordering" => {
                a.options.max_cast_ordering = Some(value()?.parse().map_err(|e| format!("--max-cast-ordering: {e}"))?)
            }
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if a.store.is_empty() || (a.inputs_under.is_none() == a.fetch_from.is_none()) {
        return Err("give --store and one of --inputs-under or --fetch-from".into());
    }
    Ok(a)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}\nusage: imdb-catalog --store DIR (--inputs-under PREFIX [--plain] | --fetch-from DIR_OR_URL) [--memory-limit 4G] [--spill-dir DIR] [--partitions N] [--max-cast-ordering N] [--restage] [--json] [--engine embedded|ballista://HOST:PORT]");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("imdb-catalog: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> pipeline::Result<()> {
    let store = AssetStore::open(&args.store)?;
    let started = Instant::now();
    let (inputs, fetch) = match (&args.inputs_under, &args.fetch_from) {
        (Some(prefix), _) => (BulkInputs::under(prefix, !args.plain), None),
        (None, Some(location)) => {
            let ctx = DatasetsContext { store: &store, progress: &NoProgress, cancel: Default::default() };
            let report = bulk::fetch_imdb_datasets(&ctx, location).await?;
            let manifest = bulk::latest_manifest(&store).await?.ok_or_else(|| pipeline::PipelineError::BadInput {
                key: report.manifest_key.clone(),
                reason: "no manifest after the fetch".into(),
            })?;
            (BulkInputs::from_manifest(&manifest)?, Some(report))
        }
        (None, None) => unreachable!("checked by parse_args"),
    };
    let fetch_seconds = started.elapsed().as_secs_f64();
    let version = args.version.clone().unwrap_or_else(|| chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string());
    if args.explain {
        let ctx = bulk::bulk_session(&store, &args.options, &args.engine).await?;
        bulk::stage_all(&ctx, &store, &inputs, args.options.restage).await?;
        let explain = |e: datafusion::error::DataFusionError| pipeline::PipelineError::BadInput {
            key: "explain".into(),
            reason: e.to_string(),
        };
        let batches = bulk::catalog_frame(&ctx, &args.options)
            .await?
            .explain(false, true)
            .map_err(explain)?
            .collect()
            .await
            .map_err(explain)?;
        println!(
            "{}",
            datafusion::arrow::util::pretty::pretty_format_batches(&batches).map_err(|e| explain(e.into()))?
        );
        return Ok(());
    }
    let started = Instant::now();
    let report = bulk::run_bulk_catalog(&store, &inputs, &version, &args.options, &args.engine).await?;
    let job_seconds = started.elapsed().as_secs_f64();
    let peak_rss = bulk::peak_rss_bytes().unwrap_or_default();
    if args.json {
        let out = serde_json::json!({
            "fetch": fetch, "fetch_seconds": fetch_seconds, "job_seconds": job_seconds,
            "peak_rss_bytes": peak_rss, "report": report, "options": args.options, "engine": report.engine,
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        if let Some(f) = &fetch {
            println!(
                "fetched: {} written, {} unchanged, {} bytes in {fetch_seconds:.1} s",
                f.written, f.unchanged, f.bytes
            );
        }
        for f in &report.files {
            println!(
                "  {:<18} {:>11} rows {:>8} malformed {:>8} bad values  {:>6.1} s{}",
                f.file,
                f.rows,
                f.malformed,
                f.bad_values,
                f.seconds,
                if f.reused { " (staged before)" } else { "" }
            );
        }
        println!(
            "films {} (rated {}, with cast {}, with directors {}, unresolved people {}) -> {}",
            report.films,
            report.rated,
            report.with_cast,
            report.with_directors,
            report.unresolved_people,
            report.output_key
        );
        println!(
            "engine {}{}",
            report.engine.engine,
            report.engine.executors.map(|n| format!(" ({n} executors)")).unwrap_or_default()
        );
        println!(
            "stage {:.1} s, catalog {:.1} s, total {job_seconds:.1} s; pool peak {} MiB of {} MiB, spill peak {} MiB, peak RSS {} MiB",
            report.stage_seconds,
            report.catalog_seconds,
            report.peak_pool_bytes >> 20,
            report.memory_limit >> 20,
            report.peak_spill_bytes >> 20,
            peak_rss >> 20
        );
    }
    Ok(())
}
