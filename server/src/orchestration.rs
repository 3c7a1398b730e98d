//! The server's side of orchestration: the asset registry (the pipeline's
//! graph plus `tf_idf`, which lives here because the live index does), the
//! orchestrator, the scheduler task and the start-up trigger.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use app::ssr::live_index::LiveIndex;
use catalog::db::Catalog;
use catalog::runs::Trigger;
use pipeline::orchestrate::assets::{pipeline_graph, GraphConfig, DATABASE, PRETRAINED_REVIEWS, TF_IDF};
use pipeline::orchestrate::{
    Asset, AssetContext, AssetReport, AssetResult, Orchestrator, OrchestratorOptions, Registry, RunRequest, Schedule,
    TriggerError,
};
use pipeline::store::AssetStore;

use crate::config::Config;
use crate::indexing;
use crate::sentiment::LiveSentiment;

/// The review-sentiment model (implemented here: the server serves it).
pub const SENTIMENT_MODEL: &str = "sentiment_model";

/// The full registry: the pipeline's assets and the server's `tf_idf` and
/// `sentiment_model`.
pub fn registry(config: &Config, index: LiveIndex, sentiment: LiveSentiment) -> Registry {
    let path = indexing::index_path(&config.data_dir);
    let model_path = crate::sentiment::model_path(&config.data_dir);
    pipeline_graph(GraphConfig {
        catalog_source: config.catalog_source.clone(),
        scraper: config.scraper.clone(),
        engine: config.engine.clone(),
    })
    .with(
        Asset::new(TF_IDF, move |ctx| tf_idf(ctx, path.clone(), index.clone()))
            .upstream([DATABASE])
            .describe("The search index, built from the catalog, saved, then published"),
    )
    .with(
        Asset::new(SENTIMENT_MODEL, move |ctx| {
            crate::sentiment::materialize(ctx, model_path.clone(), sentiment.clone())
        })
        .upstream([PRETRAINED_REVIEWS, DATABASE])
        .describe("Review classifier trained on labelled and star-rated reviews; labels every review"),
    )
}

/// Builds the index from the database, saves it (temp file + rename) and only
/// then publishes it: a cancelled or killed run never serves half an index.
async fn tf_idf(ctx: AssetContext, path: PathBuf, live: LiveIndex) -> AssetResult {
    ctx.progress.stage("index", None);
    let index = indexing::build_from_catalog(&ctx.catalog).await?;
    if ctx.cancel.is_cancelled() {
        return Err("cancelled before the index was saved".into());
    }
    let docs = indexing::save_and_publish(index, &path, &live, &ctx.cancel).await?;
    let bytes = std::fs::metadata(&path).map(|m| m.len() as i64).ok();
    ctx.progress.note(&format!("search index published: {docs} documents"));
    Ok(AssetReport {
        rows: Some(docs as i64),
        bytes,
        warnings: Vec::new(),
        metadata: serde_json::json!({ "path": path.display().to_string(), "documents": docs }),
    })
}

/// Opens the orchestrator over `registry`.
pub fn orchestrator(catalog: &Catalog, store: &AssetStore, registry: Registry) -> anyhow::Result<Orchestrator> {
    Orchestrator::new(catalog.clone(), store.clone(), registry, OrchestratorOptions::default())
        .map_err(|e| anyhow::anyhow!("the asset graph is invalid: {e}"))
}

/// The schedule's next run time (Unix ms; 0 when off), shared with the admin page.
#[derive(Clone, Default)]
pub struct NextRun(pub Arc<AtomicI64>);

impl NextRun {
    pub fn get(&self) -> Option<i64> {
        Some(self.0.load(Ordering::Relaxed)).filter(|t| *t > 0)
    }
}

/// Runs the schedule until `shutdown`: at start-up, the missed-run policy
/// (one catch-up run when the latest due time passed without a full run),
/// then a run at every scheduled time. Each goes through [`Orchestrator::trigger`].
pub fn spawn_scheduler(
    orchestrator: Orchestrator,
    schedule: Schedule,
    next_run: NextRun,
    shutdown: tokio_util::sync::CancellationToken,
) {
    if schedule == Schedule::Off {
        tracing::info!("pipeline schedule is off");
        return;
    }
    tokio::spawn(async move {
        let now = chrono::Utc::now();
        let last = match orchestrator.catalog().last_full_run_created().await {
            Ok(t) => t.and_then(chrono::DateTime::from_timestamp_millis),
            Err(e) => {
                tracing::warn!(error = %e, "reading the last run failed; assuming none was missed");
                Some(now)
            }
        };
        if schedule.missed_run(now, last) {
            tracing::info!("a scheduled run was missed while the server was down: running once now");
            scheduled_run(&orchestrator).await;
        }
        loop {
            let Some(next) = schedule.next_after(chrono::Utc::now()) else { return };
            next_run.0.store(next.timestamp_millis(), Ordering::Relaxed);
            tracing::info!(next = %next.to_rfc3339(), "next scheduled pipeline run");
            let wait = (next - chrono::Utc::now()).to_std().unwrap_or_default();
            tokio::select! {
                _ = tokio::time::sleep(wait) => scheduled_run(&orchestrator).await,
                _ = shutdown.cancelled() => return,
            }
        }
    });
}

async fn scheduled_run(orchestrator: &Orchestrator) {
    match orchestrator.trigger(RunRequest::all(Trigger::Schedule)).await {
        Ok(h) => tracing::info!(run_id = %h.run_id, "scheduled run started"),
        Err(TriggerError::AlreadyRunning { run_id }) => {
            tracing::info!(?run_id, "scheduled run skipped: a run is already in progress")
        }
        Err(e) => tracing::error!(error = %e, "the scheduled run could not start"),
    }
}
