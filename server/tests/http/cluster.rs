//! The pipeline on a Ballista cluster: a scheduler and three executors
//! started from the `marquee` binary as separate processes on 127.0.0.1.
//! The bulk and cleaning jobs give the same rows as embedded; a killed
//! executor's job is re-run or fails cleanly with nothing published; an
//! unreachable scheduler is an error naming it; the site's own pipeline runs
//! on the cluster and the admin page says so.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use imdb_bulk::{BulkFile, GenerateOptions};
use pipeline::bulk::{self, BulkInputs, BulkJobOptions};
use pipeline::clean::movies::clean_movies_on;
use pipeline::clean::to_movies::read_cleaned;
use pipeline::store::AssetStore;
use pipeline::Engine;

use super::common;

/// A scheduler and its executors, killed on drop.
struct Cluster {
    port: u16,
    scheduler: Child,
    executors: Vec<Child>,
    logs: tempfile::TempDir,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.executors.iter_mut().chain(std::iter::once(&mut self.scheduler)) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn spawn(args: &[String], log: &Path) -> Child {
    let out = std::fs::File::create(log).unwrap();
    Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(args)
        .env("RUST_LOG", "warn,ballista=info,ballista_scheduler=info")
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .expect("the marquee binary runs")
}

impl Cluster {
    /// Starts a scheduler and `executors` executors over the store at `store`,
    /// and waits until every executor has registered.
    async fn start(store: &Path, executors: usize) -> Cluster {
        let logs = tempfile::tempdir().unwrap();
        let port = free_port();
        let store = store.display().to_string();
        let s = |v: &str| v.to_owned();
        let scheduler = spawn(
            &[s("cluster"), s("scheduler"), s("--bind"), format!("127.0.0.1:{port}"), s("--store"), store.clone()],
            &logs.path().join("scheduler.log"),
        );
        let mut cluster = Cluster { port, scheduler, executors: Vec::new(), logs };
        for i in 0..executors {
            let args = [
                s("cluster"),
                s("executor"),
                s("--scheduler"),
                format!("127.0.0.1:{port}"),
                s("--flight-port"),
                free_port().to_string(),
                s("--grpc-port"),
                free_port().to_string(),
                s("--vcores"),
                s("2"),
                s("--memory-pool"),
                s("512M"),
                s("--store"),
                store.clone(),
            ];
            let child = spawn(&args, &cluster.logs.path().join(format!("executor-{i}.log")));
            cluster.executors.push(child);
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(n)) = cluster.engine().executors().await {
                if n as usize == executors {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "the cluster did not come up:\n{}", cluster.logs());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        cluster
    }

    fn engine(&self) -> Engine {
        format!("ballista://127.0.0.1:{}", self.port).parse().unwrap()
    }

    fn logs(&self) -> String {
        let mut out = String::new();
        for entry in std::fs::read_dir(self.logs.path()).unwrap().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(30).collect();
            out += &format!(
                "--- {}\n{}\n",
                entry.file_name().to_string_lossy(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        out
    }
}

/// IMDb-format files made by the generator, put in the store under `raw/gen`.
async fn generated(store: &AssetStore, scale: f64) {
    let dir = tempfile::tempdir().unwrap();
    imdb_bulk::generate(dir.path(), &GenerateOptions { scale, seed: 7, threads: 2, level: 1 }).unwrap();
    for f in BulkFile::ALL {
        store
            .put(&format!("raw/gen/{}", f.file_name()), std::fs::read(dir.path().join(f.file_name())).unwrap())
            .await
            .unwrap();
    }
}

fn options() -> BulkJobOptions {
    // Restaged on each run, so the cluster parses the raw files itself.
    BulkJobOptions { memory_limit: 512 << 20, target_partitions: 4, restage: true, ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cluster_gives_the_embedded_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = AssetStore::open(dir.path().to_str().unwrap()).unwrap();
    let cluster = Cluster::start(dir.path(), 3).await;
    let engine = cluster.engine();

    // The bulk catalog: five generated files, staged and joined.
    generated(&store, 0.002).await;
    let inputs = BulkInputs::under("raw/gen", true);
    let embedded = bulk::run_bulk_catalog(&store, &inputs, "embedded", &options(), &Engine::Embedded).await.unwrap();
    let clustered = match bulk::run_bulk_catalog(&store, &inputs, "cluster", &options(), &engine).await {
        Ok(r) => r,
        Err(e) => panic!("the bulk job failed on the cluster: {e}\n{}", cluster.logs()),
    };
    assert_eq!(embedded.engine.engine, "embedded");
    assert_eq!(clustered.engine.engine, format!("ballista://127.0.0.1:{}", cluster.port));
    assert_eq!(clustered.engine.executors, Some(3));
    assert!(embedded.films > 300, "{embedded:?}");
    assert_eq!(
        (clustered.films, clustered.rated, clustered.with_cast, clustered.with_directors, clustered.unresolved_people),
        (embedded.films, embedded.rated, embedded.with_cast, embedded.with_directors, embedded.unresolved_people)
    );
    for (e, c) in embedded.files.iter().zip(&clustered.files) {
        assert_eq!((&e.file, e.rows, e.malformed, e.bad_values), (&c.file, c.rows, c.malformed, c.bad_values));
        assert!(!c.reused, "{c:?}");
    }
    let want = read_cleaned(&store, &embedded.output_key).await.unwrap();
    let got = read_cleaned(&store, &clustered.output_key).await.unwrap();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "row {}", w.id);
    }

    // The cleaning job: the Kaggle catalog (no scrapes: empty scraped tables).
    let raw = pipeline::sources::kaggle::fetch(&store, common::SAMPLE).await.unwrap();
    let embedded = clean_movies_on(&Engine::Embedded, &store, Some(&raw.key), "embedded").await.unwrap();
    let clustered = match clean_movies_on(&engine, &store, Some(&raw.key), "cluster").await {
        Ok(r) => r,
        Err(e) => panic!("the cleaning job failed on the cluster: {e}\n{}", cluster.logs()),
    };
    assert_eq!(clustered.engine.executors, Some(3));
    assert_eq!(clustered.rows_out, embedded.rows_out);
    assert!(embedded.rows_out > 900, "{embedded:?}");
    assert_eq!(
        clustered.kaggle,
        embedded.kaggle.map(|k| pipeline::clean::kaggle::CleanReport { output_key: clustered.output_key.clone(), ..k })
    );
    let want = read_cleaned(&store, &embedded.output_key).await.unwrap();
    let got = read_cleaned(&store, &clustered.output_key).await.unwrap();
    assert_eq!(got, want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_executor_is_retried_or_fails_the_run_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let store = AssetStore::open(dir.path().to_str().unwrap()).unwrap();
    generated(&store, 0.02).await;
    let inputs = BulkInputs::under("raw/gen", true);
    let embedded = bulk::run_bulk_catalog(&store, &inputs, "embedded", &options(), &Engine::Embedded).await.unwrap();

    let mut cluster = Cluster::start(dir.path(), 3).await;
    // Past Ballista's failure detection (15 s) and a re-run, short of CI's patience.
    let engine = cluster.engine().with_deadline(Duration::from_secs(120));
    let job = {
        let (store, inputs, engine) = (store.clone(), inputs.clone(), engine.clone());
        tokio::spawn(async move { bulk::run_bulk_catalog(&store, &inputs, "killed", &options(), &engine).await })
    };
    // Kill an executor once the cluster is running the job's tasks.
    let jobs_url = format!("http://127.0.0.1:{}/api/jobs", cluster.port);
    let started = Instant::now();
    loop {
        let running = match reqwest::get(&jobs_url).await {
            Ok(r) => serde_json::from_str(&r.text().await.unwrap_or_default()).unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        };
        // Queued or running: either way the job is under way on the cluster.
        if running.as_array().into_iter().flatten().any(|j| j["status"] == "Running" || j["status"] == "Queued") {
            break;
        }
        assert!(!job.is_finished(), "the job ended before an executor could be killed:\n{}", cluster.logs());
        assert!(started.elapsed() < Duration::from_secs(60), "no job ran:\n{}", cluster.logs());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    cluster.executors[0].kill().unwrap();
    cluster.executors[0].wait().unwrap();
    let killed_at = started.elapsed();

    match job.await.unwrap() {
        // Re-run on the two others: the same rows as embedded.
        Ok(report) => {
            eprintln!(
                "executor killed {killed_at:?} into the job; it finished after {:?} on {:?} executors",
                started.elapsed(),
                report.engine.executors
            );
            let want = read_cleaned(&store, &embedded.output_key).await.unwrap();
            let got = read_cleaned(&store, &report.output_key).await.unwrap();
            assert_eq!(got, want);
        }
        // Or a clean failure: it names the scheduler, and nothing is published.
        Err(e) => {
            let message = e.to_string();
            eprintln!("executor killed {killed_at:?} into the job; it failed after {:?}: {message}", started.elapsed());
            assert!(message.contains(&format!("127.0.0.1:{}", cluster.port)), "{message}");
            assert!(!store.exists(&bulk::job::catalog_key("killed")).await.unwrap(), "a failed run left its output");
            assert!(store.list("cleaned/imdb_catalog/version=killed").await.unwrap().is_empty());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_scheduler_fails_the_job_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = AssetStore::open(dir.path().to_str().unwrap()).unwrap();
    let raw = pipeline::sources::kaggle::fetch(&store, common::SAMPLE).await.unwrap();
    let port = free_port();
    let engine: Engine = format!("ballista://127.0.0.1:{port}").parse().unwrap();
    let err = clean_movies_on(&engine, &store, Some(&raw.key), "v1").await.unwrap_err().to_string();
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(err.contains("does not fall back to the embedded engine"), "{err}");
    // Nothing was cleaned embedded instead.
    assert!(store.list("cleaned/cleaned_movies").await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_pipeline_runs_on_the_cluster_and_the_admin_page_says_so() {
    let data_dir = tempfile::tempdir().unwrap();
    let objects = data_dir.path().join("objects");
    std::fs::create_dir_all(&objects).unwrap();
    let cluster = Cluster::start(&objects, 3).await;
    let engine = format!("ballista://127.0.0.1:{}", cluster.port);
    // The start-up run loads the sample catalog: its cleaning runs on the cluster.
    let app = common::spawn_configured(
        data_dir,
        None,
        pipeline::orchestrate::Registry::new(),
        &[("MARQUEE_ENGINE", engine.as_str())],
    )
    .await;
    let (status, body) = app.get("/api/search?q=godfather").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Godfather"), "the catalog cleaned on the cluster is served");
    let mut admin = super::admin::Browser::new(&app);
    admin.login().await;
    let (status, runs) = admin.json("/api/admin/runs").await;
    assert_eq!(status, 200, "{runs}");
    let run_id = runs["runs"][0]["id"].as_str().unwrap_or_else(|| panic!("{runs}")).to_owned();
    let (status, page) = admin.get(&format!("/admin/runs/{run_id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&engine), "the run page does not name the cluster:\n{page}");
    assert!(page.contains("3 executors"), "the run page does not count the executors");
}
