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
