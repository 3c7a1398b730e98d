//! The `marquee` command line: `serve` (default), `migrate`, `search`, `imdb parse`, `pipeline run`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;

#[derive(Parser)]
#[command(name = "marquee", version, about = "Marquee: the movie catalog, its search and its pipeline")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Query the local search index (product mode unless --exact).
    Search {
        /// The query.
        query: String,
        /// scikit-learn-exact TF-IDF scoring instead of product mode.
        #[arg(long)]
        exact: bool,
        /// How many hits (1..=100).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
        limit: u16,
        /// Print `{"hits": [{"id", "title", "year", "score"}]}`.
        #[arg(long)]
        json: bool,
    },
    /// Work with IMDb pages.
    Imdb {
        #[command(subcommand)]
        command: ImdbCommand,
    },
    /// Run and inspect the data pipeline.
    Pipeline {
        #[command(subcommand)]
        command: PipelineCommand,
    },
}

#[derive(Subcommand)]
enum ImdbCommand {
    /// Print a saved title, reviews or list page as JSON (snake_case fields).
    Parse {
        /// The saved HTML page.
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum PipelineCommand {
    /// Fetch the catalog source, clean it on DataFusion and load it into the database.
    Run {
        /// A Kaggle-format CSV, a path or an http(s) URL (default: MARQUEE_CATALOG_SOURCE).
        #[arg(long)]
        source: Option<String>,
        /// Print the run report as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    // Parsing a file needs no configuration, database or runtime.
    if let Some(Command::Imdb { command: ImdbCommand::Parse { file } }) = &cli.command {
        return match imdb_parse(file) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let config = match Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config).await,
            Command::Migrate => migrate(config).await,
            Command::Search { query, exact, limit, json } => search(config, query, exact, limit.into(), json).await,
            Command::Pipeline { command: PipelineCommand::Run { source, json } } => {
                pipeline_run(config, source, json).await
            }
            // Handled before the configuration is read.
            Command::Imdb { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,datafusion=warn,tower_http=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = crate::startup::build(&config).await?;
    app.run_until(crate::startup::shutdown_signal()).await
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    catalog::db::Catalog::connect_and_migrate(&config.database_url).await?;
    println!("migrations applied");
    Ok(())
}

async fn pipeline_run(config: Config, source: Option<String>, json: bool) -> anyhow::Result<()> {
    let source = source
        .or(config.catalog_source.clone())
        .context("no catalog source: pass --source or set MARQUEE_CATALOG_SOURCE")?;
    let catalog = catalog::db::Catalog::connect_and_migrate(&config.database_url).await?;
    let store = pipeline::store::AssetStore::open(&config.object_store)?;
    let bars = Bars::new(json);
    let report = pipeline::run_catalog(&catalog, &store, &source, &bars).await?;
    pipeline::Progress::stage(&bars, "index", None);
    let docs = crate::indexing::rebuild(
        &catalog,
        &crate::indexing::index_path(&config.data_dir),
        &app::ssr::live_index::LiveIndex::default(),
    )
    .await?;
    pipeline::Progress::note(&bars, &format!("search index rebuilt: {docs} documents"));
    bars.finish();
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "catalog run: {} rows read, {} movies cleaned, {} new, {} updated, {} unchanged, {} rejected",
            report.clean.rows_in,
            report.clean.rows_out,
            report.load.inserted,
            report.load.updated,
            report.load.unchanged,
            report.load.rejected.len()
        );
        for r in &report.load.rejected {
            println!("  rejected {} ({}): {}", r.id, r.title, r.reason);
        }
    }
    Ok(())
}

/// Progress bars on stderr (hidden when stderr is not a terminal or with --json).
struct Bars {
    bar: ProgressBar,
}

impl Bars {
    fn new(quiet: bool) -> Self {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new_spinner() };
        bar.enable_steady_tick(Duration::from_millis(120));
        Self { bar }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl pipeline::Progress for Bars {
    fn stage(&self, name: &str, total: Option<u64>) {
        match total {
            Some(n) => {
                self.bar.set_style(
                    ProgressStyle::with_template("{prefix:>6} [{bar:40}] {pos}/{len} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                self.bar.set_length(n);
                self.bar.set_position(0);
            }
            None => self.bar.set_style(
                ProgressStyle::with_template("{prefix:>6} {spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        }
        self.bar.set_prefix(name.to_owned());
    }

    fn advance(&self, done: u64) {
        self.bar.set_position(done);
    }

    fn note(&self, message: &str) {
        self.bar.println(format!("  {message}"));
    }
}

async fn search(config: Config, query: String, exact: bool, limit: usize, json: bool) -> anyhow::Result<()> {
    let q = search::validate_query(&query).map_err(|e| anyhow::anyhow!("{e}"))?;
    let path = crate::indexing::index_path(&config.data_dir);
    let index = crate::indexing::load_saved(&path)?
        .with_context(|| format!("no search index at {}: run `marquee pipeline run` first", path.display()))?;
    let catalog = catalog::db::Catalog::connect(&config.database_url).await?;
    let mut index = std::sync::Arc::new(index);
    if exact {
        // The saved index is product-only: exact mode builds its own from the catalog.
        let live = app::ssr::live_index::LiveIndex::default();
        index = crate::indexing::exact_index(&catalog, &live, index).await?;
    }
    let mode = if exact { search::Mode::Exact } else { search::Mode::Product };
    let hits = index.search(q, mode, &search::Filter::default(), limit);
    let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
    let movies: std::collections::HashMap<String, catalog::Movie> =
        catalog.movies_by_ids(&ids).await?.into_iter().map(|m| (m.id.clone(), m)).collect();
    let rows: Vec<serde_json::Value> = hits
        .iter()
        .map(|h| {
            let m = movies.get(&h.id);
            serde_json::json!({
                "id": h.id,
                "title": m.map(|m| m.title.clone()),
                "year": m.and_then(|m| m.year),
                "score": h.score,
            })
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "hits": rows }))?);
    } else if rows.is_empty() {
        println!("no results");
    } else {
        for (i, r) in rows.iter().enumerate() {
            println!(
                "{:>2}. {:.4}  {} ({})  [{}]",
                i + 1,
                r["score"].as_f64().unwrap_or_default(),
                r["title"].as_str().unwrap_or("?"),
                r["year"].as_i64().map(|y| y.to_string()).unwrap_or_else(|| "n/a".into()),
                r["id"].as_str().unwrap_or_default()
            );
        }
    }
    Ok(())
}

fn imdb_parse(file: &std::path::Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let html = String::from_utf8_lossy(&bytes);
    let parsed = imdb::parse_any(&html).with_context(|| format!("parsing {}", file.display()))?;
    let json = match parsed {
        imdb::Parsed::Title(t) => serde_json::to_string_pretty(&t)?,
        imdb::Parsed::Reviews(r) => serde_json::to_string_pretty(&r)?,
        imdb::Parsed::Search(s) => serde_json::to_string_pretty(&s)?,
    };
    println!("{json}");
    Ok(())
}
