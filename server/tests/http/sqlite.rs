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
