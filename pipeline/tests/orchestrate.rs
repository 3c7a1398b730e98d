//! The orchestrator against a real SQLite database, with small fake assets:
//! order, records, the lease, cancellation, re-runs, crash recovery, logs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog::db::{Catalog, NewRun};
use catalog::runs::{RunEvent, RunStatus, Trigger};
use pipeline::orchestrate::{
    Asset, AssetContext, AssetReport, Orchestrator, OrchestratorOptions, Registry, RunRequest, Selection, TriggerError,
};
use pipeline::store::AssetStore;

struct Env {
    _dir: tempfile::TempDir,
    url: String,
    store: AssetStore,
}

async fn env() -> (Env, Catalog) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("runs.db").display());
    let catalog = Catalog::connect_and_migrate(&url).await.unwrap();
    let store = AssetStore::open(&dir.path().join("objects").display().to_string()).unwrap();
    (Env { _dir: dir, url, store }, catalog)
}

fn options() -> OrchestratorOptions {
    OrchestratorOptions {
        lease_ttl: Duration::from_secs(5),
        heartbeat: Duration::from_millis(200),
        ..Default::default()
    }
}

fn orchestrator(env: &Env, catalog: &Catalog, registry: Registry) -> Orchestrator {
    Orchestrator::new(catalog.clone(), env.store.clone(), registry, options()).unwrap()
}

/// Reports `rows` and passes on the sum of its upstream assets' `n` plus one.
fn counting(name: &str, up: &[&str], rows: i64) -> Asset {
    let ups: Vec<String> = up.iter().map(|s| s.to_string()).collect();
    Asset::new(name, move |ctx: AssetContext| {
        let ups = ups.clone();
        async move {
            let mut n = 1;
            for u in &ups {
                n += ctx.upstream_metadata(u)?["n"].as_i64().unwrap_or(0);
            }
            ctx.progress.stage("work", Some(2));
            ctx.progress.advance(2);
            ctx.progress.note(&format!("{} computed n = {n}", ctx.asset));
            Ok(AssetReport {
                rows: Some(rows),
                bytes: Some(10),
                warnings: vec![],
                metadata: serde_json::json!({ "n": n }),
            })
        }
    })
    .upstream(up.iter().copied())
}

/// Waits (up to a minute) for the run's cancel token.
fn slow(name: &str) -> Asset {
    Asset::new(name, |ctx: AssetContext| async move {
        ctx.progress.note("sleeping");
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = ctx.cancel.cancelled() => {}
        }
        Ok(AssetReport::default())
    })
}

fn diamond() -> Registry {
    Registry::new()
        .with(counting("a", &[], 1))
        .with(counting("b", &["a"], 2))
        .with(counting("c", &["a"], 3))
        .with(counting("d", &["b", "c"], 4))
}

#[tokio::test]
async fn a_run_follows_the_graph_and_records_every_materialization() {
    let (env, catalog) = env().await;
    let orch = orchestrator(&env, &catalog, diamond());
    let mut events = orch.subscribe();
    let handle = orch.trigger(RunRequest::all(Trigger::Cli)).await.unwrap();
    let id = handle.run_id.clone();
    assert_eq!(handle.wait().await, RunStatus::Succeeded);

    let run = catalog.run(&id).await.unwrap().unwrap();
    assert_eq!((run.status, run.trigger, run.rows), (RunStatus::Succeeded, Trigger::Cli, 10));
    assert!(run.selection.is_empty() && run.finished_at >= run.started_at);
    let mats = catalog.materializations(&id).await.unwrap();
    assert_eq!(mats.len(), 4);
    let get = |a: &str| mats.iter().find(|m| m.asset == a).unwrap().clone();
    for m in &mats {
        assert_eq!(m.status, RunStatus::Succeeded, "{m:?}");
        assert!(m.started_at.is_some() && m.finished_at >= m.started_at);
    }
    // Order: every asset started after its upstream finished.
    assert!(get("b").started_at >= get("a").finished_at && get("c").started_at >= get("a").finished_at);
    assert!(get("d").started_at >= get("b").finished_at.max(get("c").finished_at));
    // Upstream metadata reached downstream assets: d = 1 + (1+1) + (1+1).
    let d: serde_json::Value = serde_json::from_str(get("d").metadata.as_deref().unwrap()).unwrap();
    assert_eq!(d["n"], 5);
    assert_eq!((get("c").rows, get("c").bytes), (Some(3), Some(10)));

    let log = catalog.run_log(&id, 0).await.unwrap();
    assert!(log.iter().any(|l| l.message.contains("d computed n = 5")), "{log:?}");
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));

    let mut kinds = Vec::new();
    while let Ok(e) = events.try_recv() {
        kinds.push(e);
    }
    assert!(matches!(kinds.first(), Some(RunEvent::RunStarted { .. })));
    assert!(matches!(kinds.last(), Some(RunEvent::RunFinished { status: RunStatus::Succeeded, .. })));
    assert!(kinds.iter().any(|e| matches!(e, RunEvent::Progress { done: 2, .. })));
    assert_eq!(catalog.lease().await.unwrap().holder, None, "the lease is released");
}

#[tokio::test]
async fn one_asset_runs_alone_on_its_upstream_assets_latest_success() {
    let (env, catalog) = env().await;
    let orch = orchestrator(&env, &catalog, diamond());
    let h = orch
        .trigger(RunRequest {
            trigger: Trigger::Admin,
            selection: Selection::Assets(vec!["d".into()]),
            partition: None,
        })
        .await
        .unwrap();
    assert_eq!(h.wait().await, RunStatus::Failed, "b and c were never materialized");
    orch.trigger(RunRequest::all(Trigger::Cli)).await.unwrap().wait().await;
    let h = orch
        .trigger(RunRequest {
            trigger: Trigger::Admin,
            selection: Selection::Assets(vec!["d".into()]),
            partition: None,
        })
        .await
        .unwrap();
    let id = h.run_id.clone();
    assert_eq!(h.wait().await, RunStatus::Succeeded);
    let mats = catalog.materializations(&id).await.unwrap();
    assert_eq!(mats.iter().map(|m| m.asset.as_str()).collect::<Vec<_>>(), ["d"]);
    assert_eq!(catalog.run(&id).await.unwrap().unwrap().selection, ["d"]);

    for (selection, partition) in [
        (Selection::Assets(vec!["nope".into()]), None),
        (Selection::Assets(vec!["d".into()]), Some("2026-01".to_owned())),
        (Selection::All, Some("p".to_owned())),
    ] {
        let err = orch.trigger(RunRequest { trigger: Trigger::Admin, selection, partition }).await.err().unwrap();
        assert!(matches!(err, TriggerError::Invalid(_)), "{err}");
    }
}

#[tokio::test]
async fn the_lease_allows_one_run_at_a_time_across_processes() {
    let (env, catalog) = env().await;
    // A second "process": its own pool and orchestrator on the same database.
    let other_catalog = Catalog::connect(&env.url).await.unwrap();
    let reg = || Registry::new().with(slow("slow"));
    let first = orchestrator(&env, &catalog, reg());
    let second = orchestrator(&env, &other_catalog, reg());

    // Two triggers at once in one process, and one in the other: one run.
    let (x, y, z) = tokio::join!(
        first.trigger(RunRequest::all(Trigger::Admin)),
        first.trigger(RunRequest::all(Trigger::Admin)),
        second.trigger(RunRequest::all(Trigger::Schedule)),
    );
    let results = [x, y, z];
    for r in &results {
        if let Err(e) = r {
            assert!(matches!(e, TriggerError::AlreadyRunning { .. }), "refused for the right reason: {e}");
        }
    }
    let mut started: Vec<_> = results.into_iter().filter_map(Result::ok).collect();
    assert_eq!(started.len(), 1, "exactly one of three simultaneous triggers starts a run");
    let handle = started.pop().unwrap();
    let refused = second.trigger(RunRequest::all(Trigger::Admin)).await.err().unwrap();
    match refused {
        TriggerError::AlreadyRunning { run_id } => assert_eq!(run_id.as_deref(), Some(handle.run_id.as_str())),
        other => panic!("expected AlreadyRunning, got {other}"),
    }
    // Cancel it from the other process: through the database, seen by the heartbeat.
    let started_at = Instant::now();
    assert!(second.cancel(&handle.run_id).await.unwrap());
    assert_eq!(handle.wait().await, RunStatus::Cancelled);
    assert!(started_at.elapsed() < Duration::from_secs(5), "cancelled promptly: {:?}", started_at.elapsed());
    // Free again: the other process may run now.
    let h = second.trigger(RunRequest::all(Trigger::Admin)).await.unwrap();
    second.cancel(&h.run_id).await.unwrap();
    assert_eq!(h.wait().await, RunStatus::Cancelled);
}

#[tokio::test]
async fn cancelling_is_prompt_and_never_starts_what_follows() {
    let (env, catalog) = env().await;
    let reg = Registry::new().with(slow("slow")).with(counting("after", &["slow"], 1));
    let orch = orchestrator(&env, &catalog, reg);
    let h = orch.trigger(RunRequest::all(Trigger::Admin)).await.unwrap();
    let id = h.run_id.clone();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(orch.is_active(&id));
    let t = Instant::now();
    assert!(orch.cancel(&id).await.unwrap());
    assert_eq!(h.wait().await, RunStatus::Cancelled);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    let run = catalog.run(&id).await.unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Cancelled);
    let mats = catalog.materializations(&id).await.unwrap();
    assert!(mats.iter().all(|m| m.status == RunStatus::Cancelled), "{mats:?}");
    assert!(!orch.cancel(&id).await.unwrap(), "a finished run cannot be cancelled");
}

#[tokio::test]
async fn a_rerun_materializes_only_what_did_not_succeed() {
    let (env, catalog) = env().await;
    let attempts = Arc::new(AtomicUsize::new(0));
    let tries = attempts.clone();
    let flaky = Asset::new("flaky", move |_ctx: AssetContext| {
        let tries = tries.clone();
        async move {
            if tries.fetch_add(1, Ordering::SeqCst) == 0 {
                let io = std::io::Error::other("connection reset by peer");
                return Err(Box::new(WrappedError("fetching the list page failed", io)) as _);
            }
            Ok(AssetReport { rows: Some(7), metadata: serde_json::json!({ "n": 10 }), ..Default::default() })
        }
    });
    let ok_runs = Arc::new(AtomicUsize::new(0));
    let counter = ok_runs.clone();
    let ok = Asset::new("ok", move |_ctx: AssetContext| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(AssetReport { rows: Some(1), metadata: serde_json::json!({ "n": 1 }), ..Default::default() })
        }
    });
    let reg = Registry::new().with(ok).with(flaky).with(counting("joined", &["ok", "flaky"], 2));
    let orch = orchestrator(&env, &catalog, reg);

    let h = orch.trigger(RunRequest::all(Trigger::Schedule)).await.unwrap();
    let first = h.run_id.clone();
    assert_eq!(h.wait().await, RunStatus::Failed);
    let mats = catalog.materializations(&first).await.unwrap();
    let status = |a: &str| mats.iter().find(|m| m.asset == a).unwrap().clone();
    assert_eq!(status("ok").status, RunStatus::Succeeded);
    assert_eq!(status("flaky").status, RunStatus::Failed);
    let err = status("flaky").error.unwrap();
    assert!(err.contains("fetching the list page failed") && err.contains("caused by: connection reset"), "{err}");
    assert_eq!(status("joined").status, RunStatus::Skipped);
    let run = catalog.run(&first).await.unwrap().unwrap();
    assert!(run.error.as_deref().unwrap_or_default().contains("flaky"), "{run:?}");

    let h = orch
        .trigger(RunRequest {
            trigger: Trigger::Admin,
            selection: Selection::RerunFailed(first.clone()),
            partition: None,
        })
        .await
        .unwrap();
    let second = h.run_id.clone();
    assert_eq!(h.wait().await, RunStatus::Succeeded);
    let mats = catalog.materializations(&second).await.unwrap();
    let mut names: Vec<_> = mats.iter().map(|m| m.asset.as_str()).collect();
    names.sort();
    assert_eq!(names, ["flaky", "joined"], "ok is not run again");
    assert_eq!(ok_runs.load(Ordering::SeqCst), 1);
    let joined = mats.iter().find(|m| m.asset == "joined").unwrap();
    let v: serde_json::Value = serde_json::from_str(joined.metadata.as_deref().unwrap()).unwrap();
    assert_eq!(v["n"], 12, "ok's output came from its success in the first run");
    assert_eq!(catalog.run(&second).await.unwrap().unwrap().rerun_of.as_deref(), Some(first.as_str()));

    let err = orch
        .trigger(RunRequest { trigger: Trigger::Admin, selection: Selection::RerunFailed(second), partition: None })
        .await
        .err()
        .unwrap();
    assert!(matches!(err, TriggerError::Invalid(_)), "nothing to re-run in a successful run");
}

#[derive(Debug)]
struct WrappedError(&'static str, std::io::Error);

impl std::fmt::Display for WrappedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for WrappedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.1)
    }
}

#[tokio::test]
async fn a_run_whose_process_died_is_marked_failed_and_frees_the_lease() {
    let (env, catalog) = env().await;
    let now = pipeline::orchestrate::now_ms();
    // What a killed process leaves: a running run, a queued materialization, its lease.
    let dead = NewRun {
        id: "r-dead".into(),
        trigger: Trigger::Schedule,
        selection: vec![],
        partition: None,
        rerun_of: None,
        holder: "p-dead".into(),
        created_at: now - 120_000,
        planned: vec![("a".into(), None)],
    };
    assert!(catalog.try_acquire_lease("p-dead", "r-dead", now - 120_000, 30_000).await.unwrap());
    catalog.insert_run(&dead).await.unwrap();
    // And one whose process is alive (its lease is fresh): left alone.
    let orch = orchestrator(&env, &catalog, diamond());
    assert_eq!(orch.recover_interrupted().await.unwrap(), ["r-dead"]);
    let run = catalog.run("r-dead").await.unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Failed);
    assert!(run.error.unwrap().contains("interrupted"));
    let m = &catalog.materializations("r-dead").await.unwrap()[0];
    assert_eq!(m.status, RunStatus::Failed);
    // The expired lease does not block a new run.
    let h = orch.trigger(RunRequest::all(Trigger::Startup)).await.unwrap();
    assert_eq!(h.wait().await, RunStatus::Succeeded);

    let alive = NewRun { id: "r-alive".into(), holder: "p-alive".into(), created_at: now, ..dead };
    assert!(catalog.try_acquire_lease("p-alive", "r-alive", pipeline::orchestrate::now_ms(), 60_000).await.unwrap());
    catalog.insert_run(&alive).await.unwrap();
    assert!(orch.recover_interrupted().await.unwrap().is_empty(), "a live lease is respected");
    assert!(matches!(orch.trigger(RunRequest::all(Trigger::Admin)).await, Err(TriggerError::AlreadyRunning { .. })));
}

#[tokio::test]
async fn the_log_keeps_the_last_lines_and_a_panic_fails_only_its_asset() {
    let (env, catalog) = env().await;
    let chatty = Asset::new("chatty", |ctx: AssetContext| async move {
        for i in 0..700 {
            ctx.progress.note(&format!("line {i}"));
        }
        Ok(AssetReport::default())
    });
    let panicky = Asset::new("panicky", |_ctx: AssetContext| async move {
        if std::env::var("NEVER_SET_THIS").is_err() {
            panic!("boom");
        }
        Ok(AssetReport::default())
    });
    let orch = orchestrator(&env, &catalog, Registry::new().with(chatty).with(panicky));
    let h = orch.trigger(RunRequest::all(Trigger::Cli)).await.unwrap();
    let id = h.run_id.clone();
    assert_eq!(h.wait().await, RunStatus::Failed);
    let log = catalog.run_log(&id, 0).await.unwrap();
    assert!(log.len() <= 500, "{}", log.len());
    assert!(log.iter().any(|l| l.message == "line 699"), "the newest lines are kept");
    assert!(!log.iter().any(|l| l.message == "line 0"), "the oldest are trimmed");
    let mats = catalog.materializations(&id).await.unwrap();
    let p = mats.iter().find(|m| m.asset == "panicky").unwrap();
    assert_eq!(p.status, RunStatus::Failed);
    assert!(p.error.as_deref().unwrap().contains("panicked"));
    assert_eq!(mats.iter().find(|m| m.asset == "chatty").unwrap().status, RunStatus::Succeeded);
}

#[test]
fn a_cyclic_graph_is_refused() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (env, catalog) = env().await;
        let reg = Registry::new().with(counting("x", &["y"], 1)).with(counting("y", &["x"], 1));
        let err = Orchestrator::new(catalog, env.store.clone(), reg, options()).err().unwrap();
        assert!(err.to_string().contains("cycle"), "{err}");
    });
}
