//! The `marquee` command line: `serve` (default), `migrate`, `search`, `imdb parse`,
//! `pipeline run|runs|cancel`, `sentiment eval|predict`, `admin set-password`,
//! `cluster scheduler|executor`.

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
    /// Evaluate or query the saved sentiment model (the `sentiment_model` asset).
    Sentiment {
        #[command(subcommand)]
        command: SentimentCommand,
    },
    /// Administer the /admin page.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Run a process of the pipeline's Ballista cluster.
    Cluster {
        #[command(subcommand)]
        command: crate::cluster::ClusterCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Set the admin password (read from standard input), stored as an
    /// argon2 hash in the database. MARQUEE_ADMIN_PASSWORD_HASH, when set, wins.
    SetPassword,
}

#[derive(Subcommand)]
enum SentimentCommand {
    /// Accuracy, precision and recall per class and the confusion matrix of the
    /// saved model on the labelled set's test split (never trained on).
    Eval {
        /// The labelled review CSV (default: MARQUEE_PRETRAINED_REVIEWS, when a path).
        #[arg(long)]
        data: Option<std::path::PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Label one text with the saved model.
    Predict {
        /// The review text.
        text: String,
        /// Print `{"label", "confidence"}`.
        #[arg(long)]
        json: bool,
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
    /// Run the pipeline through the orchestrator (the whole graph, or some
    /// assets), with progress bars; Ctrl-C cancels the run (what was fetched
    /// stays stored and the next run resumes from it).
    Run {
        /// A Kaggle-format CSV, a path or an http(s) URL (default: MARQUEE_CATALOG_SOURCE).
        #[arg(long)]
        source: Option<String>,
        /// Materialize only these assets, comma-separated (their inputs are their
        /// upstream assets' latest successes), e.g. `movies,thumbnails,reviews`.
        #[arg(long)]
        asset: Option<String>,
        /// Scrape at most this many movies (default MARQUEE_SCRAPE_MOVIE_LIMIT).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100000))]
        limit: Option<u32>,
        /// The partition of partitioned assets (with --asset): a list page such as
        /// `moviemeter-51-100` or `chart-top`, or comma-separated title ids.
        #[arg(long, requires = "asset")]
        partition: Option<String>,
        /// Print the run and its materializations as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Recent runs, newest first.
    Runs {
        /// How many (1..=200).
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=200))]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Ask the process running a run to cancel it.
    Cancel {
        /// The run's id.
        run_id: String,
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
    // Cluster processes read no site configuration (a worker has only this binary).
    if let Some(Command::Cluster { .. }) = &cli.command {
        let Some(Command::Cluster { command }) = cli.command else { unreachable!() };
        return match crate::cluster::run(command) {
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
            Command::Pipeline { command: PipelineCommand::Run { source, asset, limit, partition, json } } => {
                pipeline_run(config, source, asset, limit, partition, json).await
            }
            Command::Pipeline { command: PipelineCommand::Runs { limit, json } } => {
                pipeline_runs(config, limit, json).await
            }
            Command::Pipeline { command: PipelineCommand::Cancel { run_id } } => pipeline_cancel(config, run_id).await,
            Command::Sentiment { command: SentimentCommand::Eval { data, json } } => {
                tokio::task::spawn_blocking(move || sentiment_eval(&config, data, json)).await?
            }
            Command::Sentiment { command: SentimentCommand::Predict { text, json } } => {
                sentiment_predict(&config, &text, json)
            }
            Command::Admin { command: AdminCommand::SetPassword } => set_password(config).await,
            // Handled before the configuration is read.
            Command::Imdb { .. } | Command::Cluster { .. } => Ok(()),
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

/// The saved model (as the server loads it), or an error saying how to make one.
fn saved_sentiment_model(config: &Config) -> anyhow::Result<sentiment::Model> {
    let path = crate::sentiment::model_path(&config.data_dir);
    let published = crate::sentiment::load_saved(&path)?.with_context(|| {
        format!(
            "no sentiment model at {}: train one with `marquee pipeline run --asset pretrained_reviews,sentiment_model`",
            path.display()
        )
    })?;
    Ok(published.model)
}

fn sentiment_eval(config: &Config, data: Option<std::path::PathBuf>, json: bool) -> anyhow::Result<()> {
    let data = match data {
        Some(d) => d,
        None => config
            .scraper
            .pretrained_reviews_source
            .as_deref()
            .filter(|s| !s.contains("://"))
            .map(std::path::PathBuf::from)
            .context("no labelled review file: pass --data or set MARQUEE_PRETRAINED_REVIEWS to a path")?,
    };
    let model = saved_sentiment_model(config)?;
    let reviews = sentiment::read_imdb_csv(&data).with_context(|| format!("reading {}", data.display()))?;
    let test: Vec<&sentiment::Review> = reviews.iter().filter(|r| r.split == sentiment::Split::Test).collect();
    if test.is_empty() {
        anyhow::bail!("{} has no test split", data.display());
    }
    let report = sentiment::evaluate(&model, &test);
    if json {
        let class = |m: &sentiment::ClassMetrics| serde_json::json!({ "precision": m.precision, "recall": m.recall, "f1": m.f1, "support": m.support });
        let v = serde_json::json!({
            "examples": report.total(),
            "accuracy": report.accuracy,
            "positive": class(&report.positive),
            "negative": class(&report.negative),
            "confusion": { "rows": "actual positive, actual negative", "columns": "predicted positive, predicted negative", "matrix": report.confusion },
            "log_loss": report.log_loss,
            "calibration_error": report.calibration_error,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!("{} (test split)\n{report}", data.display());
    }
    Ok(())
}

fn sentiment_predict(config: &Config, text: &str, json: bool) -> anyhow::Result<()> {
    let text = text.trim();
    if text.is_empty() {
        anyhow::bail!("the text is empty");
    }
    let p = saved_sentiment_model(config)?.predict(text);
    let label = p.label.name();
    if json {
        println!("{}", serde_json::json!({ "label": label, "confidence": p.confidence }));
    } else {
        println!("{label} ({:.0}%)", 100.0 * p.confidence);
    }
    Ok(())
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    catalog::db::Catalog::connect_and_migrate(&config.database_url).await?;
    println!("migrations applied");
    Ok(())
}

async fn pipeline_run(
    mut config: Config,
    source: Option<String>,
    asset: Option<String>,
    limit: Option<u32>,
    partition: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    use catalog::runs::{RunStatus, Trigger};
    use pipeline::orchestrate::{RunRequest, Selection};

    if source.is_some() {
        config.catalog_source = source;
    }
    if let Some(limit) = limit {
        config.scraper.movie_limit = limit as usize;
    }
    let catalog = catalog::db::Catalog::connect_and_migrate(&config.database_url).await?;
    let store = config.open_store().context("opening the object store (MARQUEE_OBJECT_STORE)")?;
    // The CLI's index is written to disk; a running server loads it at its next start.
    let registry = crate::orchestration::registry(
        &config,
        app::ssr::live_index::LiveIndex::default(),
        crate::sentiment::LiveSentiment::default(),
    );
    let orchestrator = crate::orchestration::orchestrator(&catalog, &store, registry)?;
    let mut events = orchestrator.subscribe();
    let selection = match asset {
        Some(a) => Selection::Assets(a.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()),
        None => Selection::All,
    };
    let handle = orchestrator.trigger(RunRequest { trigger: Trigger::Cli, selection, partition }).await?;
    let run_id = handle.run_id.clone();
    let bars = Bars::new(json);
    bars.bar.println(format!("run {run_id}"));
    let wait = handle.wait();
    tokio::pin!(wait);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut cancelling = false;
    let status = loop {
        tokio::select! {
            status = &mut wait => break status,
            ev = events.recv() => if let Ok(ev) = ev { bars.event(&ev) },
            _ = &mut ctrl_c, if !cancelling => {
                cancelling = true;
                bars.bar.println("cancelling…");
                orchestrator.cancel(&run_id).await?;
            }
        }
    };
    while let Ok(ev) = events.try_recv() {
        bars.event(&ev);
    }
    bars.finish();
    let run = catalog.run(&run_id).await?.context("the run vanished from the database")?;
    let mats = catalog.materializations(&run_id).await?;
    if json {
        // Each materialization's metadata as JSON, not as a string of JSON.
        let mats: Vec<serde_json::Value> = mats
            .iter()
            .map(|m| {
                let mut v = serde_json::to_value(m).unwrap_or_default();
                if let Some(meta) = m.metadata.as_deref().and_then(|s| serde_json::from_str(s).ok()) {
                    v["metadata"] = meta;
                }
                v
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "run": run, "materializations": mats }))?);
    } else {
        println!("run {} {} ({} rows)", run.id, run.status, run.rows);
        for m in &mats {
            println!(
                "  {:<16} {:<10} {:>8} rows  {:>8}{}",
                m.asset,
                m.status.as_str(),
                m.rows.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
                m.duration_ms().map(|d| format!("{:.1} s", d as f64 / 1000.0)).unwrap_or_default(),
                m.error.as_ref().map(|e| format!("  {}", e.lines().next().unwrap_or_default())).unwrap_or_default()
            );
        }
    }
    if status != RunStatus::Succeeded {
        anyhow::bail!("run {run_id} {status}{}", run.error.map(|e| format!(": {e}")).unwrap_or_default());
    }
    Ok(())
}

async fn pipeline_runs(config: Config, limit: u32, json: bool) -> anyhow::Result<()> {
    let catalog = catalog::db::Catalog::connect_and_migrate(&config.database_url).await?;
    let runs = catalog.runs(&catalog::runs::RunFilter { limit, ..Default::default() }).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "runs": runs }))?);
        return Ok(());
    }
    if runs.is_empty() {
        println!("no runs yet");
    }
    for r in runs {
        let when = chrono::DateTime::from_timestamp_millis(r.created_at)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        println!(
            "{}  {:<10} {:<9} {}  {:>8}  {:>7} rows  {}",
            r.id,
            r.status.as_str(),
            r.trigger.as_str(),
            when,
            r.duration_ms().map(|d| format!("{:.1} s", d as f64 / 1000.0)).unwrap_or_else(|| "-".into()),
            r.rows,
            if r.selection.is_empty() { "all".to_owned() } else { r.selection.join(",") }
        );
    }
    Ok(())
}

async fn pipeline_cancel(config: Config, run_id: String) -> anyhow::Result<()> {
    let catalog = catalog::db::Catalog::connect_and_migrate(&config.database_url).await?;
    if catalog.request_cancel(run_id.trim()).await? {
        println!("cancel requested for {run_id}: its process stops it within a second or two");
        Ok(())
    } else {
        anyhow::bail!("no running run `{run_id}`")
    }
}

async fn set_password(config: Config) -> anyhow::Result<()> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    if tty {
        eprint!("new admin password for `{}`: ", config.admin_user);
        // Best effort: no echo while typing.
        let _ = std::process::Command::new("stty").arg("-echo").status();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if tty {
        let _ = std::process::Command::new("stty").arg("echo").status();
        eprintln!();
    }
    read.context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']);
    anyhow::ensure!(password.chars().count() >= 8, "the password must have at least 8 characters");
    anyhow::ensure!(password.len() <= 1024, "the password is too long");
    let hash = crate::admin::auth::hash_password(password).map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?;
    let catalog = catalog::db::Catalog::connect_and_migrate(&config.database_url).await?;
    catalog.set_setting(catalog::db::ADMIN_PASSWORD_SETTING, &hash, pipeline::orchestrate::now_ms()).await?;
    if config.admin_password_hash.is_some() {
        eprintln!("note: MARQUEE_ADMIN_PASSWORD_HASH is set and takes precedence over the stored password");
    }
    println!("admin password stored for `{}`", config.admin_user);
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

impl Bars {
    /// Draws a run event: a bar per stage, log lines above it.
    fn event(&self, ev: &catalog::runs::RunEvent) {
        use catalog::runs::RunEvent;
        use pipeline::Progress;
        match ev {
            RunEvent::AssetStarted { asset, .. } => self.stage(asset, None),
            RunEvent::Stage { asset, stage, total, .. } => self.stage(&format!("{asset}:{stage}"), *total),
            RunEvent::Progress { done, .. } => self.advance(*done),
            RunEvent::Log { line, .. } => {
                let who = line.asset.as_deref().map(|a| format!("{a}: ")).unwrap_or_default();
                self.note(&format!("[{}] {who}{}", line.level, line.message));
            }
            _ => {}
        }
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
