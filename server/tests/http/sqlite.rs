use super::common;

#[tokio::test]
async fn the_site_serves_the_catalog_from_sqlite() {
    let app = common::spawn(None).await;
    common::catalog_suite(&app).await;
    common::search_suite(&app).await;
}

#[tokio::test]
async fn invalid_configuration_fails_naming_the_setting() {
    let mut env = std::collections::HashMap::new();
    env.insert("LEPTOS_SITE_ADDR".to_owned(), "not-an-address".to_owned());
    env.insert("MARQUEE_DATA_DIR".to_owned(), tempfile::tempdir().unwrap().path().display().to_string());
    let err = marquee::Config::from_sources(&env).unwrap_err().to_string();
    assert!(err.contains("LEPTOS_SITE_ADDR"), "{err}");
}

#[tokio::test]
async fn an_unreachable_database_fails_start_up_fast_naming_it() {
    let mut env = std::collections::HashMap::new();
    env.insert("DATABASE_URL".to_owned(), "mysql://root@127.0.0.1:1/nowhere".to_owned());
    env.insert("LEPTOS_SITE_ADDR".to_owned(), "127.0.0.1:0".to_owned());
    env.insert("MARQUEE_DATA_DIR".to_owned(), tempfile::tempdir().unwrap().path().display().to_string());
    env.insert("MARQUEE_LEPTOS_CONFIG".to_owned(), concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml").to_owned());
    let config = marquee::Config::from_sources(&env).unwrap();
    let started = std::time::Instant::now();
    let err = match marquee::build(&config).await {
        Ok(_) => panic!("must not start without a database"),
        Err(e) => format!("{e:#}"),
    };
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "fails fast");
    assert!(err.contains("127.0.0.1:1"), "names the database address: {err}");
}

#[tokio::test]
async fn a_corrupt_index_file_is_reported_and_rebuilt_not_served() {
    let app = common::spawn(None).await;
    let dir = app.stop().await;
    let index = dir.path().join("index/movies.idx");
    let mut bytes = std::fs::read(&index).expect("the index was saved");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&index, &bytes).unwrap();
    // Same data dir and database: the server must start, rebuild and serve search.
    let app = common::spawn_in(dir, None).await;
    let (status, body) = app.get("/api/search?q=godfather").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("The Godfather"));
    let rebuilt = std::fs::read(app.data_dir.path().join("index/movies.idx")).unwrap();
    assert_ne!(rebuilt, bytes, "the corrupt file was replaced");
    let (status, ready) = app.get("/ready").await;
    assert_eq!(status, 200, "{ready}");
    assert!(ready.contains("movies.idx") && ready.contains("never served"), "/ready reports it: {ready}");
}

#[tokio::test]
async fn a_corrupt_sentiment_model_is_reported_and_not_served() {
    let app = common::spawn(None).await;
    let dir = app.stop().await;
    let model = marquee::sentiment::model_path(dir.path());
    std::fs::create_dir_all(model.parent().unwrap()).unwrap();
    std::fs::write(&model, b"MQSENTIMENT but not really a model").unwrap();
    let app = common::spawn_in(dir, None).await;
    let (status, ready) = app.get("/ready").await;
    assert_eq!(status, 200, "the catalog and search still serve: {ready}");
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    assert_eq!(ready["sentiment_model"], serde_json::Value::Null, "{ready}");
    let reported = ready["unusable_files"].to_string();
    assert!(reported.contains("model.bin"), "/ready names the file: {reported}");
    let r = app
        .client
        .post(format!("{}/api/sentiment", app.base))
        .header("content-type", "application/json")
        .body(r#"{"text": "a fine film"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503, "no model is served");
}

#[tokio::test]
async fn the_search_command_queries_the_saved_index() {
    let app = common::spawn(None).await;
    let dir = app.stop().await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_marquee"))
            .args(args)
            .env("MARQUEE_DATA_DIR", dir.path())
            .env("MARQUEE_LEPTOS_CONFIG", concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml"))
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "error")
            .output()
            .expect("the marquee binary runs")
    };
    let out = run(&["search", "godfater", "--json", "--limit", "3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
    let hits = v["hits"].as_array().unwrap();
    assert!(hits.len() <= 3 && !hits.is_empty());
    assert_eq!(hits[0]["title"], "The Godfather", "product mode forgives the typo");
    assert!(hits[0]["year"].is_i64() && hits[0]["score"].is_f64() && hits[0]["id"].is_string());

    let exact = run(&["search", "godfater", "--exact", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&exact.stdout).unwrap();
    assert!(v["hits"].as_array().unwrap().is_empty(), "exact mode has no typo tolerance");

    let empty = run(&["search", "   "]);
    assert!(!empty.status.success(), "an empty query is refused");
    assert!(String::from_utf8_lossy(&empty.stderr).contains("empty"), "{}", String::from_utf8_lossy(&empty.stderr));
}

#[test]
fn the_imdb_parse_command_prints_a_real_title_page_as_json() {
    let page = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/imdb-pages/title-tt0375568.html");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_marquee")).args(["imdb", "parse", page]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["id"].as_str(), v["title"].as_str(), v["title_type"].as_str()),
        (Some("tt0375568"), Some("Astro Boy"), Some("movie"))
    );
    assert_eq!((v["year"].as_i64(), v["runtime_minutes"].as_i64()), (Some(2009), Some(94)));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(["imdb", "parse", "/nonexistent.html"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("/nonexistent.html"));
}

#[tokio::test]
async fn the_admin_and_orchestration_work_over_http_on_sqlite() {
    let (app, flaky) = super::admin::spawn(None).await;
    super::admin::admin_suite(&app, &flaky).await;
}

#[tokio::test]
async fn a_run_killed_mid_way_is_marked_failed_at_the_next_start_with_nothing_half_published() {
    let app = common::spawn(None).await;
    let dir = app.stop().await;
    let url = format!("sqlite://{}", dir.path().join("marquee.db").display());
    let index_before = std::fs::read(dir.path().join("index/movies.idx")).unwrap();
    {
        // What `kill -9` mid-run leaves: a running run, its lease (now expired), a half-done asset.
        let catalog = catalog::db::Catalog::connect(&url).await.unwrap();
        let long_ago = pipeline::orchestrate::now_ms() - 3_600_000;
        assert!(catalog.try_acquire_lease("p-killed", "r-killed", long_ago, 30_000).await.unwrap());
        catalog
            .insert_run(&catalog::db::NewRun {
                id: "r-killed".into(),
                trigger: catalog::runs::Trigger::Schedule,
                selection: vec![],
                partition: None,
                rerun_of: None,
                holder: "p-killed".into(),
                created_at: long_ago,
                planned: vec![("database".into(), None), ("tf_idf".into(), None)],
            })
            .await
            .unwrap();
        catalog.start_materialization("r-killed", "database", &None, long_ago).await.unwrap();
        catalog.close().await;
    }
    let app = common::spawn_in(dir, None).await;
    let catalog = catalog::db::Catalog::connect(&url).await.unwrap();
    let run = catalog.run("r-killed").await.unwrap().unwrap();
    assert_eq!(run.status, catalog::runs::RunStatus::Failed);
    assert!(run.error.as_deref().unwrap_or_default().contains("interrupted"), "{run:?}");
    let mats = catalog.materializations("r-killed").await.unwrap();
    assert!(mats.iter().all(|m| m.status == catalog::runs::RunStatus::Failed), "{mats:?}");
    // The index on disk is the last complete one, and search serves it.
    assert_eq!(std::fs::read(app.data_dir.path().join("index/movies.idx")).unwrap(), index_before);
    let (status, body) = app.get("/api/search?q=godfather").await;
    assert!(status == 200 && body.contains("The Godfather"));
    // The expired lease blocks nothing: a run starts and succeeds.
    let mut admin = super::admin::Browser::new(&app);
    admin.login().await;
    let csrf = admin.csrf("/admin").await;
    let (status, loc) =
        admin.post("/admin/runs", &[("csrf", &csrf), ("asset", "tf_idf")], Some(&app.base.clone())).await;
    assert_eq!(status, 303, "{loc}");
    let id = loc.trim_start_matches("/admin/runs/").to_owned();
    let detail = admin.wait_run(&id, std::time::Duration::from_secs(60)).await;
    assert_eq!(detail["run"]["status"], "succeeded", "{detail}");
}

#[tokio::test]
async fn the_pipeline_commands_run_through_the_orchestrator() {
    let app = common::spawn(None).await;
    let dir = app.stop().await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_marquee"))
            .args(args)
            .env("MARQUEE_DATA_DIR", dir.path())
            .env("MARQUEE_LEPTOS_CONFIG", concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml"))
            .env("MARQUEE_CATALOG_SOURCE", common::SAMPLE)
            .env("MARQUEE_SCHEDULE", "off")
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "error")
            .output()
            .expect("the marquee binary runs")
    };
    let out = run(&["pipeline", "run", "--asset", "tf_idf", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["run"]["status"].as_str(), v["run"]["trigger"].as_str()), (Some("succeeded"), Some("cli")));
    assert_eq!(v["materializations"][0]["rows"], 1000);

    let out = run(&["pipeline", "runs", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let triggers: Vec<&str> = v["runs"].as_array().unwrap().iter().map(|r| r["trigger"].as_str().unwrap()).collect();
    assert_eq!(triggers, ["cli", "startup"], "newest first");

    let bad = run(&["pipeline", "run", "--asset", "nope"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown asset `nope`"));
    let bad = run(&["pipeline", "cancel", "r-nope"]);
    assert!(!bad.status.success());
}
