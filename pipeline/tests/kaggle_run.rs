//! The catalog run end to end on real files: the shared Kaggle CSV, a real
//! object store directory, DataFusion, and a real SQLite database.

use catalog::db::Catalog;
use pipeline::clean::rules::movie_id;
use pipeline::store::AssetStore;
use pipeline::{run_catalog, NoProgress};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/catalog/imdb_top_1000.csv");
const HEADER: &str = "Poster_Link,Series_Title,Released_Year,Certificate,Runtime,Genre,IMDB_Rating,Overview,Meta_score,Director,Star1,Star2,Star3,Star4,No_of_Votes,Gross";

struct Env {
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
    catalog: Catalog,
    store: AssetStore,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let catalog = Catalog::connect_and_migrate(&format!("sqlite://{}/m.db", path.display())).await.unwrap();
    let store = AssetStore::open(path.join("objects").to_str().unwrap()).unwrap();
    Env { _dir: dir, dir: path, catalog, store }
}

#[tokio::test]
async fn the_sample_catalog_loads_cleanly_and_twice_changes_nothing() {
    let e = env().await;
    let r = run_catalog(&e.catalog, &e.store, SAMPLE, &NoProgress).await.unwrap();
    assert_eq!(r.clean.rows_in, 1000);
    assert_eq!(r.clean.rows_out, 1000, "{:?}", r.clean);
    assert_eq!(r.clean.duplicates_removed, 0);
    assert_eq!(r.load.inserted, 1000, "{:?}", r.load.rejected);
    assert!(r.load.rejected.is_empty());
    assert!(r.raw_key.starts_with("raw/kaggle_catalog/date="), "{}", r.raw_key);
    assert!(e.dir.join("objects").join(&r.raw_key).exists(), "the raw asset is a real file");
    assert!(e.dir.join("objects").join(&r.clean.output_key).exists(), "cleaned_movies parquet written");

    let id = movie_id(None, Some("The Shawshank Redemption"), Some(1994)).unwrap();
    let m = e.catalog.movie(&id).await.unwrap().expect("Shawshank is in the catalog");
    assert_eq!(m.year, Some(1994));
    assert_eq!(m.runtime_minutes, Some(142));
    assert_eq!(m.rating, Some(9.3));
    assert_eq!(m.votes, Some(2_343_110));
    assert_eq!(m.metascore, Some(80));
    assert_eq!(m.gross_usd, Some(28_341_469));
    assert_eq!(m.genres, vec!["Drama"]);
    assert_eq!(m.director.as_deref(), Some("Frank Darabont"));
    assert_eq!(m.stars, vec!["Tim Robbins", "Morgan Freeman", "Bob Gunton", "William Sadler"]);
    assert_eq!(m.certificate.as_deref(), Some("A"));

    // Nulls stay nulls: films without a Meta_score or Gross in the file.
    let missing_meta: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM movies WHERE metascore IS NULL")
        .fetch_one(e.catalog.pool())
        .await
        .unwrap();
    assert_eq!(missing_meta, 157);
    let missing_gross: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM movies WHERE gross_usd IS NULL")
        .fetch_one(e.catalog.pool())
        .await
        .unwrap();
    assert_eq!(missing_gross, 169);
    // Same title, different films: both Drishyams are kept.
    let drishyam: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM movies WHERE title = 'Drishyam'")
        .fetch_one(e.catalog.pool())
        .await
        .unwrap();
    assert_eq!(drishyam, 2);

    let before: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, updated_at FROM movies ORDER BY id").fetch_all(e.catalog.pool()).await.unwrap();
    let again = run_catalog(&e.catalog, &e.store, SAMPLE, &NoProgress).await.unwrap();
    assert!(!again.raw_written, "the same raw content is not stored twice");
    assert_eq!((again.load.inserted, again.load.updated, again.load.unchanged), (0, 0, 1000));
    let after: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, updated_at FROM movies ORDER BY id").fetch_all(e.catalog.pool()).await.unwrap();
    assert_eq!(before, after, "a second load changes nothing");
}

#[tokio::test]
async fn odd_rows_are_cleaned_counted_and_bad_ones_skipped() {
    let e = env().await;
    let csv = format!(
        "{HEADER}\n\
         \"https://x/a._V1_UX67_.jpg\",Apollo 13,PG,U,140 min,\"Adventure, Drama\",7.6,\"Houston, we have a problem.\",77,Ron Howard,Tom Hanks,Bill Paxton,Kevin Bacon,Gary Sinise,269197,\"173,837,933\"\n\
         \"https://x/b.jpg\",Twice,2001,,90 min,Comedy,7.0,One,,Someone,A,B,C,D,\"1,000\",\n\
         \"https://x/c.jpg\",Twice,2001,,90 min,Comedy,7.1,Two,,Someone,A,B,C,D,\"2,000\",\n\
         \"https://x/d.jpg\",,2001,,90 min,Comedy,7.1,No title,,Someone,A,B,C,D,5,\n\
         \"https://x/e.jpg\",Overrated,1999,,long,Drama,42,\"Multi\nline\",abc,X,,,,,lots,\"$12\"\n"
    );
    let path = e.dir.join("odd.csv");
    std::fs::write(&path, csv).unwrap();
    let r = run_catalog(&e.catalog, &e.store, path.to_str().unwrap(), &NoProgress).await.unwrap();
    assert_eq!(r.clean.rows_in, 5);
    assert_eq!(r.clean.missing_title, 1);
    assert_eq!(r.clean.duplicates_removed, 1);
    assert_eq!(r.clean.rows_out, 3);
    assert_eq!(r.clean.bad_year, 1, "`PG` is not a year");
    assert_eq!(r.clean.bad_runtime, 1);
    assert_eq!(r.clean.bad_rating, 1, "42 is not a rating out of 10");
    assert_eq!(r.clean.bad_votes, 1);
    assert_eq!(r.load.inserted, 3);

    let apollo = e.catalog.movie(&movie_id(None, Some("Apollo 13"), None).unwrap()).await.unwrap().unwrap();
    assert_eq!(apollo.year, None);
    assert_eq!(apollo.gross_usd, Some(173_837_933));
    assert_eq!(apollo.genres, vec!["Adventure", "Drama"]);
    assert_eq!(apollo.overview.as_deref(), Some("Houston, we have a problem."));
    let twice = e.catalog.movie(&movie_id(None, Some("Twice"), Some(2001)).unwrap()).await.unwrap().unwrap();
    assert_eq!(twice.votes, Some(2_000), "the most-voted duplicate wins");
    let over = e.catalog.movie(&movie_id(None, Some("Overrated"), Some(1999)).unwrap()).await.unwrap().unwrap();
    assert_eq!(over.overview.as_deref(), Some("Multi line"));
    assert_eq!(over.gross_usd, Some(12));
    assert_eq!((over.rating, over.runtime_minutes, over.votes), (None, None, None));
}

#[tokio::test]
async fn a_wrong_file_is_refused_with_a_reason_and_nothing_is_stored() {
    let e = env().await;
    let path = e.dir.join("wrong.csv");
    std::fs::write(&path, "title,year\nX,2000\n").unwrap();
    let err = run_catalog(&e.catalog, &e.store, path.to_str().unwrap(), &NoProgress).await.unwrap_err();
    assert!(err.to_string().contains("Poster_Link"), "{err}");
    assert!(!e.dir.join("objects/raw").exists(), "nothing stored for a refused file");
    let missing = run_catalog(&e.catalog, &e.store, "/nonexistent/catalog.csv", &NoProgress).await.unwrap_err();
    assert!(missing.to_string().contains("/nonexistent/catalog.csv"), "{missing}");
    assert_eq!(e.catalog.movie_count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_row_the_database_rejects_is_reported_and_the_rest_load() {
    let e = env().await;
    let good = catalog::Movie {
        id: "tt0000001".into(),
        title: "Good".into(),
        year: Some(2000),
        runtime_minutes: None,
        certificate: None,
        rating: Some(7.0),
        votes: Some(10),
        metascore: None,
        gross_usd: None,
        language: None,
        genres: vec!["Drama".into()],
        overview: None,
        director: None,
        stars: vec![],
        poster_url: None,
        user_review_count: None,
        critic_review_count: None,
        ..Default::default()
    };
    let bad = catalog::Movie { id: "tt0000002".into(), title: " ".into(), ..good.clone() };
    let worse = catalog::Movie { id: "tt0000003".into(), rating: Some(99.0), ..good.clone() };
    let r = e.catalog.upsert_movies(&[bad, good, worse], "test", |_| {}).await.unwrap();
    assert_eq!(r.inserted, 1);
    assert_eq!(r.rejected.len(), 2);
    assert!(r.rejected[0].reason.contains("title"), "{:?}", r.rejected);
    assert!(r.rejected[1].reason.contains("rating"), "{:?}", r.rejected);
    assert_eq!(e.catalog.movie_count().await.unwrap(), 1);
}

/// Serves `body` once per connection over plain HTTP on 127.0.0.1 (a stand-in
/// for the CSV's remote host); returns its base URL.
async fn serve_once(body: Vec<u8>, status: &'static str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(&body).await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_catalog_can_come_from_an_http_url() {
    let e = env().await;
    let csv = std::fs::read(SAMPLE).unwrap();
    let base = serve_once(csv, "200 OK").await;
    let r = run_catalog(&e.catalog, &e.store, &format!("{base}/imdb_top_1000.csv"), &NoProgress).await.unwrap();
    assert_eq!(r.load.inserted, 1000);
    assert!(r.raw_key.contains("imdb_top_1000-"), "{}", r.raw_key);

    let missing = serve_once(b"not here".to_vec(), "404 Not Found").await;
    let err = run_catalog(&e.catalog, &e.store, &format!("{missing}/x.csv"), &NoProgress).await.unwrap_err();
    assert!(err.to_string().contains("404"), "{err}");
}
