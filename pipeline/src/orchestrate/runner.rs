//! The orchestrator: plans a run over the asset graph, takes the run lease,
//! materializes assets in dependency order (independent ones concurrently),
//! records every materialization and log line in the database, and streams
//! [`RunEvent`]s to whoever listens (the CLI's bars, the admin page).
//!
//! Every trigger (schedule, admin, CLI, start-up) calls [`Orchestrator::trigger`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use catalog::db::{Catalog, MaterializationOutcome, NewRun};
use catalog::runs::{layers, AssetNode, GraphError, LogLine, RunEvent, RunStatus, Trigger};
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::asset::{AssetContext, AssetReport, BoxError, Registry};
use crate::progress::Progress;
use crate::store::AssetStore;

/// Tuning of an orchestrator.
#[derive(Debug, Clone)]
pub struct OrchestratorOptions {
    /// How long the run lease lasts without a heartbeat.
    pub lease_ttl: Duration,
    /// How often the lease is renewed (and cancel requests from other processes are polled).
    pub heartbeat: Duration,
    /// Log lines kept per run.
    pub log_keep: i64,
    /// Assets materialized at once when the graph allows it.
    pub concurrency: usize,
}

impl Default for OrchestratorOptions {
    fn default() -> Self {
        Self { lease_ttl: Duration::from_secs(30), heartbeat: Duration::from_secs(1), log_keep: 500, concurrency: 2 }
    }
}

/// Which assets a run materializes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// The whole graph.
    All,
    /// These assets only (their upstream inputs are their latest successes).
    Assets(Vec<String>),
    /// The materializations of run `id` that did not succeed, and nothing else.
    RerunFailed(String),
}

/// A request for a run.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub trigger: Trigger,
    pub selection: Selection,
    /// Only with [`Selection::Assets`] of partitioned assets.
    pub partition: Option<String>,
}

impl RunRequest {
    pub fn all(trigger: Trigger) -> Self {
        Self { trigger, selection: Selection::All, partition: None }
    }
}

/// Why a run did not start.
#[derive(Debug, thiserror::Error)]
pub enum TriggerError {
    #[error("a pipeline run is already in progress{}", .run_id.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    AlreadyRunning { run_id: Option<String> },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] catalog::db::DbError),
}

/// A started run: its id, and a way to wait for its end.
pub struct RunHandle {
    pub run_id: String,
    done: oneshot::Receiver<RunStatus>,
}

impl RunHandle {
    /// Waits until the run finishes and returns its status.
    pub async fn wait(self) -> RunStatus {
        self.done.await.unwrap_or(RunStatus::Failed)
    }
}

/// Runs the pipeline. Cheap to clone; one per process.
#[derive(Clone)]
pub struct Orchestrator {
    inner: Arc<Inner>,
}

struct Inner {
    catalog: Catalog,
    store: AssetStore,
    registry: Registry,
    /// Assets in dependency order.
    order: Vec<String>,
    holder: String,
    options: OrchestratorOptions,
    events: broadcast::Sender<RunEvent>,
    /// Runs of this process, with their cancel tokens and why they were cancelled.
    active: Mutex<HashMap<String, ActiveRun>>,
}

#[derive(Clone)]
struct ActiveRun {
    token: CancellationToken,
    reason: Arc<Mutex<Option<CancelReason>>>,
}

#[derive(Debug, Clone, PartialEq)]
enum CancelReason {
    Requested,
    LeaseLost,
    Shutdown,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// This process's lease holder id: unique, and naming its pid and host so
/// a later process on the same host can tell when it is gone.
fn holder_id() -> String {
    format!("{}@{}@{}", new_id("p"), std::process::id(), host_name())
}

/// The host name, at most 20 characters (the holder column is 64).
fn host_name() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    name.trim().chars().filter(|c| *c != '@').take(20).collect()
}

/// True when `holder` names a process of this host that no longer exists
/// (Linux only: elsewhere a lease is only ever taken once it expires).
fn holder_is_dead(holder: &str) -> bool {
    let mut parts = holder.rsplitn(3, '@');
    let (Some(host), Some(pid), Some(_)) = (parts.next(), parts.next(), parts.next()) else { return false };
    let Ok(pid) = pid.parse::<u32>() else { return false };
    cfg!(target_os = "linux")
        && !host.is_empty()
        && host == host_name()
        && pid != std::process::id()
        && std::path::Path::new("/proc/self").exists()
        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// A fresh, sortable, unguessable id: `<prefix><UTC time>-<12 hex>`.
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 6];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: time and pid are still unique enough for run ids.
        let n = chrono::Utc::now().timestamp_subsec_nanos() ^ std::process::id();
        bytes[..4].copy_from_slice(&n.to_le_bytes());
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{}-{hex}", chrono::Utc::now().format("%Y%m%dT%H%M%S"))
}

/// Formats an error with its causes, one per line.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let s = c.to_string();
        if !out.contains(&s) {
            out.push_str("\ncaused by: ");
            out.push_str(&s);
        }
        cur = c.source();
    }
    out
}

impl Orchestrator {
    /// An orchestrator over `registry`; fails when the graph is not a DAG.
    pub fn new(
        catalog: Catalog,
        store: AssetStore,
        registry: Registry,
        options: OrchestratorOptions,
    ) -> Result<Self, GraphError> {
        let nodes = registry.nodes();
        let order = layers(&nodes)?.into_iter().flatten().map(|i| nodes[i].name.clone()).collect();
        let (events, _) = broadcast::channel(1024);
        Ok(Self {
            inner: Arc::new(Inner {
                catalog,
                store,
                registry,
                order,
                holder: holder_id(),
                options,
                events,
                active: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The graph, in registration order.
    pub fn nodes(&self) -> Vec<AssetNode> {
        self.inner.registry.nodes()
    }

    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    /// This process's lease holder id.
    pub fn holder(&self) -> &str {
        &self.inner.holder
    }

    /// Live events of every run of this process.
    pub fn subscribe(&self) -> broadcast::Receiver<RunEvent> {
        self.inner.events.subscribe()
    }

    /// True while run `id` is running in this process.
    pub fn is_active(&self, id: &str) -> bool {
        self.inner.active.lock().map(|a| a.contains_key(id)).unwrap_or(false)
    }

    /// Marks runs whose process died (their lease expired or was taken) as
    /// failed, "interrupted". Their partial outputs were never published: the
    /// database load commits whole batches idempotently and the search index
    /// is swapped only once built and saved. Returns the ids marked.
    pub async fn recover_interrupted(&self) -> Result<Vec<String>, catalog::db::DbError> {
        let catalog = &self.inner.catalog;
        // Runs first, then the lease: a run row is written only after its
        // lease is taken, so a live run's lease is always seen here.
        let unfinished = catalog.unfinished_runs().await?;
        let lease = catalog.lease().await?;
        let now = now_ms();
        let mut marked = Vec::new();
        for (run, holder) in unfinished {
            if self.is_active(&run.id) {
                continue;
            }
            // Its process holds the lease for it (this one too, between
            // taking the lease and registering the run): alive, unless that
            // process is of this host and gone (killed: no need to wait for
            // the lease to expire).
            let alive = lease.run_id.as_deref() == Some(run.id.as_str())
                && lease.holder.as_deref() == Some(holder.as_str())
                && lease.expires_at >= now
                && !holder_is_dead(&holder);
            if alive {
                continue;
            }
            let reason = "interrupted: the process running it stopped before it finished";
            tracing::warn!(run_id = %run.id, "{reason}");
            catalog.mark_interrupted(&run.id, reason, now).await?;
            marked.push(run.id);
        }
        Ok(marked)
    }

    /// Cancels run `id`, here or in another process (through the database,
    /// seen by its heartbeat within a second). False when it is not running.
    pub async fn cancel(&self, id: &str) -> Result<bool, catalog::db::DbError> {
        let local = self.inner.active.lock().ok().and_then(|a| a.get(id).cloned());
        let requested = self.inner.catalog.request_cancel(id).await?;
        if let Some(run) = &local {
            set_reason(run, CancelReason::Requested);
            run.token.cancel();
        }
        Ok(local.is_some() || requested)
    }

    /// Cancels every run of this process (server shutdown).
    pub fn shutdown(&self) {
        if let Ok(active) = self.inner.active.lock() {
            for run in active.values() {
                set_reason(run, CancelReason::Shutdown);
                run.token.cancel();
            }
        }
    }

    /// Starts a run in the background: plans it, takes the lease, records
    /// it. Fails at once with [`TriggerError::AlreadyRunning`] when any
    /// process holds the lease.
    pub async fn trigger(&self, req: RunRequest) -> Result<RunHandle, TriggerError> {
        let planned = self.plan(&req).await?;
        // Runs whose process died no longer hold the lease: close them first.
        self.recover_interrupted().await?;

        let inner = &self.inner;
        let run_id = new_id("r");
        let now = now_ms();
        let ttl = inner.options.lease_ttl.as_millis() as i64;
        if !inner.catalog.try_acquire_lease(&inner.holder, &run_id, now, ttl).await? {
            let lease = inner.catalog.lease().await?;
            // A process of this machine that was killed leaves its lease until
            // it expires; when its pid is gone, take the lease over at once.
            let dead = lease.holder.as_deref().filter(|h| holder_is_dead(h));
            let taken = match dead {
                Some(h) => inner.catalog.take_over_lease(h, &inner.holder, &run_id, now, ttl).await?,
                None => false,
            };
            if !taken {
                return Err(TriggerError::AlreadyRunning { run_id: lease.run_id });
            }
            tracing::warn!(dead_holder = ?dead, "took over the lease of a process that is gone");
            self.recover_interrupted().await?;
        }
        let selection = match &req.selection {
            Selection::All => Vec::new(),
            _ => {
                let mut names: Vec<String> = Vec::new();
                for (a, _) in &planned {
                    if !names.contains(a) {
                        names.push(a.clone());
                    }
                }
                names
            }
        };
        let new = NewRun {
            id: run_id.clone(),
            trigger: req.trigger,
            selection,
            partition: req.partition.clone(),
            rerun_of: match &req.selection {
                Selection::RerunFailed(id) => Some(id.clone()),
                _ => None,
            },
            holder: inner.holder.clone(),
            created_at: now,
            planned: planned.clone(),
        };
        if let Err(e) = inner.catalog.insert_run(&new).await {
            let _ = inner.catalog.release_lease(&inner.holder).await;
            return Err(e.into());
        }
        let active = ActiveRun { token: CancellationToken::new(), reason: Arc::new(Mutex::new(None)) };
        if let Ok(mut a) = inner.active.lock() {
            a.insert(run_id.clone(), active.clone());
        }
        let (tx, rx) = oneshot::channel();
        let this = self.clone();
        let id = run_id.clone();
        tracing::info!(run_id = %id, trigger = %req.trigger, assets = planned.len(), "pipeline run started");
        tokio::spawn(async move {
            let status = this.execute(&id, req.trigger, planned, active).await;
            let _ = tx.send(status);
        });
        Ok(RunHandle { run_id, done: rx })
    }

    /// The (asset, partition) pairs a request materializes, in dependency order.
    async fn plan(&self, req: &RunRequest) -> Result<Vec<(String, Option<String>)>, TriggerError> {
        let registry = &self.inner.registry;
        let in_order = |wanted: &dyn Fn(&str) -> bool| -> Vec<String> {
            self.inner.order.iter().filter(|a| wanted(a)).cloned().collect()
        };
        match &req.selection {
            Selection::All => {
                if req.partition.is_some() {
                    return Err(TriggerError::Invalid(
                        "a partition needs one partitioned asset, not a full run".into(),
                    ));
                }
                Ok(in_order(&|_| true).into_iter().map(|a| (a, None)).collect())
            }
            Selection::Assets(names) => {
                if names.is_empty() {
                    return Err(TriggerError::Invalid("no asset named".into()));
                }
                for n in names {
                    let Some(asset) = registry.get(n) else {
                        return Err(TriggerError::Invalid(format!("unknown asset `{n}`")));
                    };
                    if req.partition.is_some() && !asset.partitioned {
                        return Err(TriggerError::Invalid(format!("asset `{n}` has no partitions")));
                    }
                }
                if let Some(p) = &req.partition {
                    if p.is_empty() || p.len() > 128 || p.chars().any(char::is_control) {
                        return Err(TriggerError::Invalid("a partition is 1 to 128 printable characters".into()));
                    }
                }
                Ok(in_order(&|a| names.iter().any(|n| n == a))
                    .into_iter()
                    .map(|a| (a, req.partition.clone()))
                    .collect())
            }
            Selection::RerunFailed(id) => {
                let catalog = &self.inner.catalog;
                let Some(run) = catalog.run(id).await? else {
                    return Err(TriggerError::Invalid(format!("no run `{id}`")));
                };
                if !run.status.is_finished() {
                    return Err(TriggerError::Invalid(format!("run `{id}` has not finished")));
                }
                let failed: Vec<(String, Option<String>)> = catalog
                    .materializations(id)
                    .await?
                    .into_iter()
                    .filter(|m| m.status != RunStatus::Succeeded && registry.get(&m.asset).is_some())
                    .map(|m| (m.asset, m.partition))
                    .collect();
                if failed.is_empty() {
                    return Err(TriggerError::Invalid(format!("run `{id}` has nothing to re-run")));
                }
                let mut out = Vec::new();
                for a in &self.inner.order {
                    out.extend(failed.iter().filter(|(f, _)| f == a).cloned());
                }
                Ok(out)
            }
        }
    }

    async fn execute(
        &self,
        run_id: &str,
        trigger: Trigger,
        planned: Vec<(String, Option<String>)>,
        active: ActiveRun,
    ) -> RunStatus {
        let inner = &self.inner;
        let log = RunLog::start(inner.catalog.clone(), run_id.to_owned(), inner.events.clone(), inner.options.log_keep);
        let _ = inner.events.send(RunEvent::RunStarted {
            run_id: run_id.to_owned(),
            trigger,
            assets: planned.iter().map(|(a, _)| a.clone()).collect(),
        });
        log.line(None, "info", &format!("run started ({trigger}): {} materialization(s)", planned.len()));

        let heartbeat = tokio::spawn(heartbeat(
            inner.catalog.clone(),
            inner.holder.clone(),
            run_id.to_owned(),
            active.clone(),
            inner.options.clone(),
        ));

        let outcome = self.materialize_all(run_id, &planned, &active, &log).await;

        heartbeat.abort();
        let reason = active.reason.lock().ok().and_then(|r| r.clone());
        let (status, error) = match (&outcome, reason) {
            (_, Some(CancelReason::LeaseLost)) => {
                (RunStatus::Failed, Some("the run lost its lease (database unreachable or taken over)".to_owned()))
            }
            (_, Some(CancelReason::Shutdown)) => (RunStatus::Cancelled, Some("the server shut down".to_owned())),
            (_, Some(CancelReason::Requested)) => (RunStatus::Cancelled, Some("cancelled on request".to_owned())),
            (failed, None) if failed.is_empty() => (RunStatus::Succeeded, None),
            (failed, None) => (RunStatus::Failed, Some(format!("failed: {}", failed.join(", ")))),
        };
        log.line(
            None,
            if status == RunStatus::Succeeded { "info" } else { "error" },
            &format!("run {status}{}", error.as_ref().map(|e| format!(": {e}")).unwrap_or_default()),
        );
        log.close().await;
        if let Err(e) = inner.catalog.finish_run(run_id, status, error.as_deref(), now_ms()).await {
            tracing::error!(run_id, error = %e, "recording the end of the run failed");
        }
        if let Err(e) = inner.catalog.release_lease(&inner.holder).await {
            tracing::error!(run_id, error = %e, "releasing the run lease failed (it expires by itself)");
        }
        if let Ok(mut a) = inner.active.lock() {
            a.remove(run_id);
        }
        tracing::info!(run_id, %status, "pipeline run finished");
        let _ = inner.events.send(RunEvent::RunFinished { run_id: run_id.to_owned(), status, error });
        status
    }

    /// Materializes the plan; returns the names of what did not succeed.
    async fn materialize_all(
        &self,
        run_id: &str,
        planned: &[(String, Option<String>)],
        active: &ActiveRun,
        log: &RunLog,
    ) -> Vec<String> {
        let inner = &self.inner;
        let mut state: Vec<Option<RunStatus>> = vec![None; planned.len()];
        let mut produced: HashMap<String, serde_json::Value> = HashMap::new();
        let mut running = FuturesUnordered::new();

        loop {
            // In dependency order: skip what can no longer run, start what is ready.
            if !active.token.is_cancelled() {
                for i in 0..planned.len() {
                    if state[i].is_some() {
                        continue;
                    }
                    let (asset_name, partition) = &planned[i];
                    let Some(asset) = inner.registry.get(asset_name) else { continue };
                    let ups: Vec<(&str, Option<RunStatus>)> = planned
                        .iter()
                        .enumerate()
                        .filter(|(_, (a, _))| asset.upstream.contains(a))
                        .map(|(j, (a, _))| (a.as_str(), state[j]))
                        .collect();
                    let blocked = ups
                        .iter()
                        .find(|(_, s)| s.is_some_and(|s| s != RunStatus::Succeeded && s != RunStatus::Running));
                    if let Some((up, _)) = blocked {
                        state[i] = Some(RunStatus::Skipped);
                        let msg = format!("not run: upstream `{up}` did not succeed");
                        self.finish(run_id, asset_name, partition, RunStatus::Skipped, None, Some(msg), None, log)
                            .await;
                        continue;
                    }
                    let ready = ups.iter().all(|(_, s)| *s == Some(RunStatus::Succeeded));
                    if ready && running.len() < inner.options.concurrency.max(1) {
                        state[i] = Some(RunStatus::Running);
                        let mut upstream = HashMap::new();
                        for u in &asset.upstream {
                            if let Some(m) = produced.get(u) {
                                upstream.insert(u.clone(), m.clone());
                            } else if let Ok(Some(m)) = inner.catalog.last_success(u, &None).await {
                                if let Some(v) = m.metadata.as_deref().and_then(|s| serde_json::from_str(s).ok()) {
                                    upstream.insert(u.clone(), v);
                                }
                            }
                        }
                        running.push(self.materialize_one(
                            run_id,
                            i,
                            asset_name.clone(),
                            partition.clone(),
                            upstream,
                            active.clone(),
                            log.clone(),
                        ));
                    }
                }
            }
            // Cancellation makes the running ones return promptly.
            let Some((i, status, metadata)) = running.next().await else { break };
            state[i] = Some(status);
            if let Some(m) = metadata {
                produced.insert(planned[i].0.clone(), m);
            }
        }
        // Whatever never started: cancelled (the run was) or skipped.
        for i in 0..planned.len() {
            if state[i].is_none() {
                let (a, p) = &planned[i];
                let (status, why) = if active.token.is_cancelled() {
                    (RunStatus::Cancelled, "not started: the run was cancelled")
                } else {
                    (RunStatus::Skipped, "not started: an upstream asset did not succeed")
                };
                state[i] = Some(status);
                self.finish(run_id, a, p, status, None, Some(why.into()), None, log).await;
            }
        }
        planned
            .iter()
            .zip(&state)
            .filter(|(_, s)| *s != &Some(RunStatus::Succeeded))
            .map(|((a, p), _)| match p {
                Some(p) => format!("{a}[{p}]"),
                None => a.clone(),
            })
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    async fn materialize_one(
        &self,
        run_id: &str,
        index: usize,
        asset_name: String,
        partition: Option<String>,
        upstream: HashMap<String, serde_json::Value>,
        active: ActiveRun,
        log: RunLog,
    ) -> (usize, RunStatus, Option<serde_json::Value>) {
        let inner = &self.inner;
        let started = now_ms();
        if let Err(e) = inner.catalog.start_materialization(run_id, &asset_name, &partition, started).await {
            tracing::error!(run_id, asset = %asset_name, error = %e, "recording the start failed");
        }
        let _ = inner.events.send(RunEvent::AssetStarted { run_id: run_id.to_owned(), asset: asset_name.clone() });
        log.line(
            Some(&asset_name),
            "info",
            &format!("materializing{}", partition.as_ref().map(|p| format!(" partition {p}")).unwrap_or_default()),
        );
        let Some(asset) = inner.registry.get(&asset_name).cloned() else {
            return (index, RunStatus::Failed, None);
        };
        let ctx = AssetContext {
            run_id: run_id.to_owned(),
            asset: asset_name.clone(),
            partition: partition.clone(),
            catalog: inner.catalog.clone(),
            store: inner.store.clone(),
            progress: Arc::new(AssetProgress {
                run_id: run_id.to_owned(),
                asset: asset_name.clone(),
                events: inner.events.clone(),
                log: log.clone(),
            }),
            cancel: active.token.child_token(),
            upstream,
        };
        // Its own task: a panic fails this asset, not the run; cancelling drops it.
        let mut task = tokio::spawn(asset.materialize(ctx));
        let result: Result<AssetReport, (RunStatus, String)> = tokio::select! {
            // A cancelled run's asset is cancelled, even if it returned meanwhile.
            biased;
            _ = active.token.cancelled() => {
                task.abort();
                Err((RunStatus::Cancelled, "cancelled while running".to_owned()))
            }
            joined = &mut task => match joined {
                Ok(Ok(report)) => Ok(report),
                Ok(Err(e)) => Err((RunStatus::Failed, error_chain(e.as_ref()))),
                Err(e) => Err((RunStatus::Failed, format!("the asset panicked: {e}"))),
            },
        };
        let (status, outcome, metadata) = match result {
            Ok(report) => {
                for w in &report.warnings {
                    log.line(Some(&asset_name), "warn", w);
                }
                let metadata = report.metadata.clone();
                let outcome = MaterializationOutcome {
                    rows: report.rows,
                    bytes: report.bytes,
                    warnings: report.warnings.len() as i64,
                    metadata: Some(metadata.to_string()),
                    error: None,
                };
                (RunStatus::Succeeded, outcome, Some(metadata))
            }
            Err((status, error)) => (status, MaterializationOutcome { error: Some(error), ..Default::default() }, None),
        };
        self.finish(
            run_id,
            &asset_name,
            &partition,
            status,
            Some(&outcome),
            outcome.error.clone(),
            Some(started),
            &log,
        )
        .await;
        (index, status, metadata)
    }

    #[allow(clippy::too_many_arguments)]
    async fn finish(
        &self,
        run_id: &str,
        asset: &str,
        partition: &Option<String>,
        status: RunStatus,
        outcome: Option<&MaterializationOutcome>,
        error: Option<String>,
        started: Option<i64>,
        log: &RunLog,
    ) {
        let inner = &self.inner;
        let now = now_ms();
        let outcome = match outcome {
            Some(o) => o.clone(),
            None => MaterializationOutcome { error: error.clone(), ..Default::default() },
        };
        if let Err(e) = inner.catalog.finish_materialization(run_id, asset, partition, status, &outcome, now).await {
            tracing::error!(run_id, asset, error = %e, "recording the end of a materialization failed");
        }
        let duration_ms = started.map(|s| now - s);
        let level = match status {
            RunStatus::Succeeded => "info",
            RunStatus::Skipped | RunStatus::Cancelled => "warn",
            _ => "error",
        };
        let detail = match (&error, outcome.rows) {
            (Some(e), _) => format!(": {e}"),
            (None, Some(r)) => format!(": {r} rows"),
            (None, None) => String::new(),
        };
        log.line(Some(asset), level, &format!("{status}{detail}"));
        let _ = inner.events.send(RunEvent::AssetFinished {
            run_id: run_id.to_owned(),
            asset: asset.to_owned(),
            status,
            rows: outcome.rows,
            duration_ms,
            error,
        });
    }
}

fn set_reason(run: &ActiveRun, reason: CancelReason) {
    if let Ok(mut r) = run.reason.lock() {
        r.get_or_insert(reason);
    }
}

/// Renews the lease and polls for cancel requests until aborted; cancels the
/// run when the lease is lost or someone asked.
async fn heartbeat(catalog: Catalog, holder: String, run_id: String, run: ActiveRun, options: OrchestratorOptions) {
    let ttl = options.lease_ttl.as_millis() as i64;
    let mut last_renewal = now_ms();
    let mut tick = tokio::time::interval(options.heartbeat.min(options.lease_ttl / 3));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = now_ms();
        match catalog.renew_lease(&holder, now, ttl).await {
            Ok(true) => last_renewal = now,
            Ok(false) => {
                tracing::error!(%run_id, "the run lease was taken over: stopping the run");
                set_reason(&run, CancelReason::LeaseLost);
                run.token.cancel();
                return;
            }
            Err(e) if now - last_renewal > ttl => {
                tracing::error!(%run_id, error = %e, "the run lease could not be renewed in time: stopping the run");
                set_reason(&run, CancelReason::LeaseLost);
                run.token.cancel();
                return;
            }
            Err(e) => tracing::warn!(%run_id, error = %e, "renewing the run lease failed; retrying"),
        }
        if catalog.cancel_requested(&run_id).await.unwrap_or(false) {
            tracing::info!(%run_id, "cancel requested");
            set_reason(&run, CancelReason::Requested);
            run.token.cancel();
        }
    }
}

/// A run's log: numbered lines, sent live as events and written to the
/// database in batches by a writer task (which keeps the last `keep`).
#[derive(Clone)]
struct RunLog {
    run_id: String,
    seq: Arc<AtomicI64>,
    tx: mpsc::UnboundedSender<LogLine>,
    events: broadcast::Sender<RunEvent>,
    writer: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl RunLog {
    fn start(catalog: Catalog, run_id: String, events: broadcast::Sender<RunEvent>, keep: i64) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<LogLine>();
        let id = run_id.clone();
        let writer = tokio::spawn(async move {
            let mut batch = Vec::new();
            while let Some(line) = rx.recv().await {
                batch.push(line);
                // Whatever else is queued goes in the same transaction.
                while batch.len() < 200 {
                    match rx.try_recv() {
                        Ok(l) => batch.push(l),
                        Err(_) => break,
                    }
                }
                if let Err(e) = catalog.append_log(&id, &batch, keep).await {
                    tracing::warn!(run_id = %id, error = %e, "writing the run log failed");
                }
                batch.clear();
            }
        });
        Self { run_id, seq: Arc::new(AtomicI64::new(0)), tx, events, writer: Arc::new(Mutex::new(Some(writer))) }
    }

    fn line(&self, asset: Option<&str>, level: &str, message: &str) {
        let line = LogLine {
            seq: self.seq.fetch_add(1, Ordering::SeqCst) + 1,
            at: now_ms(),
            asset: asset.map(str::to_owned),
            level: level.to_owned(),
            // Bounded: one line never floods the table or the page.
            message: message.chars().take(2000).collect(),
        };
        match level {
            "error" => tracing::error!(run_id = %self.run_id, asset, "{message}"),
            "warn" => tracing::warn!(run_id = %self.run_id, asset, "{message}"),
            _ => tracing::info!(run_id = %self.run_id, asset, "{message}"),
        }
        let _ = self.events.send(RunEvent::Log { run_id: self.run_id.clone(), line: line.clone() });
        let _ = self.tx.send(line);
    }

    /// Flushes the log: every line is in the database when this returns.
    async fn close(self) {
        let writer = self.writer.lock().ok().and_then(|mut w| w.take());
        drop(self.tx);
        if let Some(w) = writer {
            // Other clones (held by aborted asset tasks) may keep the channel
            // open; don't wait for them forever.
            let _ = tokio::time::timeout(Duration::from_secs(5), w).await;
        }
    }
}

/// Progress of one asset: stages and counts as events, notes in the log.
struct AssetProgress {
    run_id: String,
    asset: String,
    events: broadcast::Sender<RunEvent>,
    log: RunLog,
}

impl Progress for AssetProgress {
    fn stage(&self, name: &str, total: Option<u64>) {
        let _ = self.events.send(RunEvent::Stage {
            run_id: self.run_id.clone(),
            asset: self.asset.clone(),
            stage: name.to_owned(),
            total,
        });
    }

    fn advance(&self, done: u64) {
        let _ = self.events.send(RunEvent::Progress { run_id: self.run_id.clone(), asset: self.asset.clone(), done });
    }

    fn note(&self, message: &str) {
        self.log.line(Some(&self.asset), "info", message);
    }
}

/// Wraps a plain error message as a [`BoxError`].
pub fn asset_error(message: impl Into<String>) -> BoxError {
    message.into().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_is_dead_only_when_its_pid_on_this_host_is_gone() {
        let me = holder_id();
        assert!(!holder_is_dead(&me), "this process is alive");
        let mut child = std::process::Command::new("true").spawn().expect("spawn `true`");
        let pid = child.id();
        let alive_or_zombie = format!("p-x@{pid}@{}", host_name());
        child.wait().expect("wait");
        let gone = alive_or_zombie;
        if cfg!(target_os = "linux") {
            assert!(holder_is_dead(&gone), "{gone}: its process was reaped");
        }
        assert!(!holder_is_dead(&format!("p-x@{pid}@another-host")), "another host's process is never judged");
        for odd in ["", "p-x", "p-x@12", "p-x@notapid@host", "@@"] {
            assert!(!holder_is_dead(odd), "{odd}");
        }
    }
}
