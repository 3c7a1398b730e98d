//! `kill -9` of the server in each stage of its first pipeline run (clean,
//! load, index build, swap; the scrape has its own test in `scrape.rs`), then
//! a restart: the killed run is marked failed at once, the database holds the
//! whole catalog, the index served is complete (never a partial file), and a
//! re-run succeeds. The process is paused at each point by a failpoint
//! (`MARQUEE_FAILPOINT`, see `pipeline::failpoint`), so the kill lands exactly
//! there.

use std::path::Path;
use std::time::{Duration, Instant};

use catalog::runs::RunStatus;
use pipeline::failpoint;

use super::common;

/// Starts the real `marquee` binary on `dir`, paused at `point` in its start-up run.
async fn serve_until(point: &str, dir: &Path) -> tokio::process::Child {
    let marker = dir.join("failpoint.reached");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_marquee"))
        .arg("serve")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env_remove("DATABASE_URL")
        .env("MARQUEE_DATA_DIR", dir)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("MARQUEE_CATALOG_SOURCE", common::SAMPLE)
        .env("MARQUEE_LEPTOS_CONFIG", concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml"))
        .env("MARQUEE_SCHEDULE", "off")
        .env("MARQUEE_SENTIMENT_ON_START", "false")
        .env(failpoint::ENV, format!("{point}:{}", marker.display()))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the marquee binary starts");
    let started = Instant::now();
    while !marker.exists() {
        if let Ok(Some(status)) = child.try_wait() {
            let out = child.wait_with_output().await.unwrap();
            panic!("the server exited ({status}) before {point}: {}", String::from_utf8_lossy(&out.stderr));
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the start-up run never reached {point}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child
}

/// What a killed first run left behind, and how the restart deals with it.
async fn killed_in(point: &str, movies_left: std::ops::RangeInclusive<i64>, index_left: bool) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = serve_until(point, dir.path()).await;
    child.kill().await.unwrap(); // SIGKILL, then reaped: its pid is gone
    let db = format!("sqlite://{}", dir.path().join("marquee.db").display());
    let index_file = marquee::indexing::index_path(dir.path());

    // What the kill left: the run still "running", whole batches only.
    let killed_id = {
        let catalog = catalog::db::Catalog::connect(&db).await.unwrap();
        let runs = catalog.runs(&catalog::runs::RunFilter { limit: 10, ..Default::default() }).await.unwrap();
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!(runs[0].status, RunStatus::Running, "killed at {point}: {runs:?}");
        let movies = catalog.movie_count().await.unwrap();
        assert!(movies_left.contains(&movies), "killed at {point}: {movies} movies");
        assert!(movies % catalog::db::LOAD_BATCH as i64 == 0 || movies == 1000, "whole batches: {movies}");
        catalog.close().await;
        runs[0].id.clone()
    };
    assert_eq!(index_file.exists(), index_left, "killed at {point}: index file");
    if index_left {
        // Saved by rename: complete, never a torn file.
        assert_eq!(search::Index::load(&index_file).expect("a complete index").len(), 1000);
    }
    let strays: Vec<_> = std::fs::read_dir(index_file.parent().unwrap())
        .map(|d| d.flatten().map(|e| e.file_name()).filter(|n| n != "movies.idx").collect())
        .unwrap_or_default();
    assert!(strays.is_empty(), "no temporary index files left: {strays:?}");

    // Restart (in process): it serves the whole catalog with a complete index.
    let app = common::spawn_in(dir, None).await;
    let catalog = catalog::db::Catalog::connect(&db).await.unwrap();
    let killed = catalog.run(&killed_id).await.unwrap().unwrap();
    assert_eq!(killed.status, RunStatus::Failed, "killed at {point}: {killed:?}");
    assert!(killed.error.as_deref().unwrap_or_default().contains("interrupted"), "{killed:?}");
    let mats = catalog.materializations(&killed_id).await.unwrap();
    assert!(
        mats.iter().all(|m| m.status != RunStatus::Running),
        "no materialization left running after {point}: {mats:?}"
    );
    assert_eq!(catalog.movie_count().await.unwrap(), 1000, "killed at {point}");
    let (status, ready) = app.get("/ready").await;
    assert_eq!(status, 200, "{ready}");
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    assert_eq!(ready["index_docs"], 1000, "the index covers the catalog: {ready}");
    let (status, body) = app.get("/api/search?q=godfather").await;
    assert!(status == 200 && body.contains("The Godfather"), "{status} {body}");
    assert_eq!(search::Index::load(&index_file).expect("a complete index on disk").len(), 1000);

    // A re-run of the whole offline graph succeeds.
    let mut admin = super::admin::Browser::new(&app);
    admin.login().await;
    let csrf = admin.csrf("/admin").await;
    let base = app.base.clone();
    let (status, loc) = admin.post("/admin/runs", &[("csrf", &csrf), ("asset", "tf_idf")], Some(&base)).await;
    assert_eq!(status, 303, "{loc}");
    let detail = admin.wait_run(&super::admin::run_id(&loc), Duration::from_secs(120)).await;
    assert_eq!(detail["run"]["status"], "succeeded", "re-run after a kill at {point}: {detail}");
    catalog.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_cleaning_the_restart_loads_the_catalog() {
    killed_in(failpoint::CLEAN, 0..=0, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_load_the_restart_completes_the_load() {
    let batch = catalog::db::LOAD_BATCH as i64;
    killed_in(failpoint::LOAD, batch..=batch, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_building_the_index_the_restart_builds_it() {
    killed_in(failpoint::INDEX_BUILD, 1000..=1000, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_saving_and_serving_the_index_the_restart_serves_the_saved_one() {
    killed_in(failpoint::SWAP, 1000..=1000, true).await;
}
