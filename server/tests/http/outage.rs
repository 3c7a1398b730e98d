//! MariaDB goes away under load and comes back: while it is down, requests
//! that need it are answered 503 within the pool's acquire timeout (none
//! hangs, none is a 500) and `/ready` says so; once it is back, the server
//! recovers by itself, with no pool left exhausted.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::common;
use super::proxy::CuttableProxy;

/// What the load saw in one phase: status → count, and the slowest answer.
#[derive(Debug, Default, Clone)]
struct Phase {
    statuses: BTreeMap<u16, u64>,
    slowest: Duration,
    /// Requests that got no HTTP answer at all (timeout, reset).
    transport_errors: u64,
}

type Phases = Arc<Mutex<BTreeMap<&'static str, Phase>>>;

/// `workers` clients looping over pages and APIs that read the database,
/// recording each answer under the phase current when it came back.
fn load(
    base: &str,
    workers: usize,
    phase: Arc<Mutex<&'static str>>,
    phases: Phases,
) -> Vec<tokio::task::JoinHandle<()>> {
    let paths: Vec<String> = vec![
        "/api/search?q=godfather".into(),
        "/api/search?q=space%20adventure".into(),
        "/browse?sort=votes&genre=Drama".into(),
        format!(
            "/movie/{}",
            pipeline::clean::rules::movie_id(None, Some("The Shawshank Redemption"), Some(1994)).unwrap()
        ),
        format!("/api/movies/{}", pipeline::clean::rules::movie_id(None, Some("The Godfather"), Some(1972)).unwrap()),
    ];
    (0..workers)
        .map(|w| {
            let (base, paths, phase, phases) = (base.to_owned(), paths.clone(), phase.clone(), phases.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
                for i in w.. {
                    if *phase.lock().unwrap() == "stop" {
                        return;
                    }
                    let started = Instant::now();
                    let answer = client.get(format!("{base}{}", paths[i % paths.len()])).send().await;
                    let took = started.elapsed();
                    let name = *phase.lock().unwrap();
                    let mut all = phases.lock().unwrap();
                    let p = all.entry(name).or_default();
                    p.slowest = p.slowest.max(took);
                    match answer {
                        Ok(r) => *p.statuses.entry(r.status().as_u16()).or_default() += 1,
                        Err(_) => p.transport_errors += 1,
                    }
                }
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_going_away_under_load_gives_fast_503s_and_the_server_recovers_alone() {
    let Some(db) = common::mysql_database().await else { return };
    let url = url::Url::parse(&db.url).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(3306)).parse().unwrap();
    let proxy = CuttableProxy::start(target).await;
    let mut proxied = url.clone();
    proxied.set_port(Some(proxy.addr.port())).unwrap();
    {
        // The load comes from one address: no per-client search limit here.
        let settings = [("MARQUEE_SEARCH_RATE_LIMIT", "off")];
        let app = common::spawn_configured(
            tempfile::tempdir().unwrap(),
            Some(proxied.to_string()),
            Default::default(),
            &settings,
        )
        .await;
        let phase = Arc::new(Mutex::new("up"));
        let phases: Phases = Default::default();
        let workers = load(&app.base, 8, phase.clone(), phases.clone());
        tokio::time::sleep(Duration::from_secs(2)).await;

        *phase.lock().unwrap() = "down";
        proxy.cut();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (status, ready) = app.get("/ready").await;
        assert_eq!(status, 503, "/ready while the database is down: {ready}");
        assert!(ready.contains("\"database\":false"), "{ready}");
        tokio::time::sleep(Duration::from_secs(4)).await;

        *phase.lock().unwrap() = "recovering";
        proxy.restore();
        let back = Instant::now();
        loop {
            let (status, _) = app.get("/ready").await;
            if status == 200 {
                break;
            }
            assert!(back.elapsed() < Duration::from_secs(15), "not ready 15 s after the database came back");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let recovered_in = back.elapsed();
        // Answers to requests sent while it was down may still come back: let them.
        tokio::time::sleep(Duration::from_millis(500)).await;
        *phase.lock().unwrap() = "after";
        tokio::time::sleep(Duration::from_secs(3)).await;
        *phase.lock().unwrap() = "stop";
        // (answers that come back after this are counted under "stop")
        for w in workers {
            w.await.unwrap();
        }
        // No pool left exhausted: a burst wider than the pool is served whole.
        let burst = futures::future::join_all((0..64).map(|_| app.get("/api/search?q=godfather"))).await;
        let burst_ok = burst.iter().filter(|(s, _)| *s == 200).count();

        let phases = phases.lock().unwrap().clone();
        eprintln!("database outage under load: {phases:#?}\nready again {recovered_in:?} after the database came back");
        let (up, down, after) = (&phases["up"], &phases["down"], &phases["after"]);
        assert!(up.statuses.keys().all(|s| *s == 200) && up.transport_errors == 0, "before: {up:?}");
        assert!(down.statuses.values().sum::<u64>() > 20, "the load went on while the database was down: {down:?}");
        assert_eq!(down.transport_errors, 0, "every request got an answer: {down:?}");
        assert!(down.statuses.keys().all(|s| *s == 200 || *s == 503), "only 503s (or cached pages): {down:?}");
        assert!(down.statuses.get(&503).copied().unwrap_or(0) > 0, "the outage was seen: {down:?}");
        assert!(down.slowest < Duration::from_secs(5), "failed fast (acquire timeout 3 s): {down:?}");
        assert!(after.statuses.keys().all(|s| *s == 200) && after.transport_errors == 0, "after: {after:?}");
        assert!(after.statuses[&200] > 20, "{after:?}");
        assert_eq!(burst_ok, 64, "a 64-request burst after the outage");
    }
    db.drop_database().await;
}
