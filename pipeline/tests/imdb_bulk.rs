//! The IMDb bulk catalog: the source storing into the object store, the
//! DataFusion job on hand-written edge cases (exact rows) and on generated
//! files (against a reference computed here in plain Rust), and the merge
//! into `cleaned_movies`.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use catalog::Movie;
use imdb_bulk::format::{self};
use imdb_bulk::gz::{deflate_chunk, GzWriter};
use imdb_bulk::{BulkFile, GenerateOptions};
use pipeline::bulk::{self, BulkInputs, BulkJobOptions, DatasetsContext};
use pipeline::clean::to_movies::read_cleaned;
use pipeline::store::AssetStore;
use pipeline::Engine;
use pipeline::NoProgress;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/imdb_bulk")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut w = GzWriter::new(Vec::new()).unwrap();
    w.push(deflate_chunk(bytes, 6)).unwrap();
    w.finish().unwrap()
}

fn options() -> BulkJobOptions {
    BulkJobOptions { memory_limit: 256 << 20, target_partitions: 2, ..Default::default() }
}

/// Puts the edge-case fixtures under `prefix` (gzipped, or as plain `.tsv`).
async fn put_fixtures(store: &AssetStore, prefix: &str, gzipped: bool) {
    for f in BulkFile::ALL {
        let bytes = std::fs::read(fixtures().join(format!("{}.tsv", f.stem()))).unwrap();
        let (name, bytes) = if gzipped { (f.file_name(), gzip(&bytes)) } else { (format!("{}.tsv", f.stem()), bytes) };
        store.put(&format!("{prefix}/{name}"), bytes).await.unwrap();
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn by_id(movies: Vec<Movie>) -> HashMap<String, Movie> {
    movies.into_iter().map(|m| (m.id.clone(), m)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edge_cases_give_exact_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = AssetStore::open(dir.path().to_str().unwrap()).unwrap();
    put_fixtures(&store, "raw/fixtures", true).await;
    let report =
        bulk::run_bulk_catalog(&store, &BulkInputs::under("raw/fixtures", true), "t1", &options(), &Engine::Embedded)
            .await
            .unwrap();

    let stats: HashMap<&str, (u64, u64, u64)> =
        report.files.iter().map(|f| (f.file.as_str(), (f.rows, f.malformed, f.bad_values))).collect();
    assert_eq!(stats["title.basics"], (15, 3, 2), "{stats:?}");
    assert_eq!(stats["title.ratings"], (8, 1, 1));
    assert_eq!(stats["title.principals"], (25, 1, 2));
    assert_eq!(stats["name.basics"], (24, 1, 1));
    assert_eq!(stats["title.crew"], (7, 1, 1));
    assert_eq!(
        (report.films, report.rated, report.with_cast, report.with_directors, report.unresolved_people),
        (7, 4, 6, 5, 1),
        "{report:?}"
    );

    let movies = read_cleaned(&store, &report.output_key).await.unwrap();
    let ids: Vec<&str> = movies.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["tt0000001", "tt0000002", "tt0000003", "tt0000004", "tt0000007", "tt0000012", "tt10000010"]);
    let m = by_id(movies);

    let a = &m["tt0000001"];
    assert_eq!((a.title.as_str(), a.year, a.runtime_minutes), ("Alpha", Some(1994), Some(142)));
    assert_eq!((a.rating, a.votes), (Some(9.3), Some(2_900_000)));
    assert_eq!(a.genres, strings(&["Crime", "Drama"]));
    // Top three billed by ordering: the fourth actor and the director are not cast.
    assert_eq!(a.stars, strings(&["Tim Robbins", "Morgan Freeman", "Renée Blaine"]));
    assert_eq!(a.cast, a.stars);
    assert_eq!(a.director.as_deref(), Some("Frank Darabont"));
    assert_eq!(a.writers, strings(&["Stephen King", "Frank Darabont"]));
    assert_eq!((a.imdb_id.as_deref(), a.title_type.as_deref()), (Some("tt0000001"), Some("movie")));

    let b = &m["tt0000002"];
    assert_eq!(b.original_title.as_deref(), Some("Le Fabuleux Destin d'Amélie Poulain"));
    assert_eq!((b.rating, b.votes), (Some(8.3), None));
    // Ranked before names are resolved: nm0000099 (billed 3rd) is not in
    // name.basics and is left out; `self` is not cast.
    assert_eq!(b.stars, strings(&["Audrey Tautou", "Mathieu Kassovitz"]));
    assert_eq!(b.director.as_deref(), Some("Jean-Pierre Jeunet, Marc Caro"));
    assert!(b.writers.is_empty());

    let c = &m["tt0000003"];
    assert_eq!(c.title, "Tab\tTitle \\ Slash", "escapes decoded");
    assert_eq!((c.year, c.runtime_minutes, c.original_title.as_deref()), (None, None, None));
    assert!(c.genres.is_empty());
    assert_eq!((c.rating, c.votes), (None, Some(12)), "a bad rating is null, its votes kept");
    assert_eq!(c.stars, strings(&["Back\\Slash", "Zoë \"Zo\" Kravitz"]), "ordering, not file order");
    assert_eq!((c.director.as_deref(), c.title_type.as_deref()), (None, Some("tvMovie")));

    let d = &m["tt0000004"];
    assert_eq!(d.title, "\"Weird\" Movie", "quotes are plain characters");
    assert_eq!((d.year, d.runtime_minutes), (None, None), "bad numbers are null");
    assert_eq!(d.stars, strings(&["Юрий Никулин"]), "bad nconst and bad ordering left out");
    assert_eq!(d.director.as_deref(), Some("Tab\tName"));
    assert!(d.writers.is_empty(), "a bad id in a list is dropped");

    let e = &m["tt0000007"];
    assert_eq!((e.rating, e.votes), (Some(6.5), Some(20)), "duplicate ratings: the most voted");
    assert_eq!(e.stars, strings(&["Dup Actor"]), "duplicate principal and name rows count once");
    assert_eq!(e.director.as_deref(), Some("Director Writer"), "principals' director when crew has none");
    assert_eq!(e.writers, strings(&["Director Writer"]));

    let f = &m["tt0000012"];
    assert_eq!((f.year, f.rating, f.director.as_deref()), (Some(2020), None, None));
    assert!(f.stars.is_empty() && f.genres.is_empty());

    let g = &m["tt10000010"];
    assert_eq!(g.title, "千と千尋の神隠し");
    assert_eq!(g.original_title.as_deref(), Some("Sen to Chihiro no kamikakushi"));
    assert_eq!(g.genres, strings(&["Animation", "Adventure", "Family"]));
    assert_eq!(g.stars, strings(&["柊瑠美", "入野自由"]));
    assert_eq!((g.director.as_deref(), g.writers.clone()), (Some("宮崎駿"), strings(&["宮崎駿"])));

    // A second run reuses the staged files and writes the same catalog.
    let again =
        bulk::run_bulk_catalog(&store, &BulkInputs::under("raw/fixtures", true), "t2", &options(), &Engine::Embedded)
            .await
            .unwrap();
    assert!(again.files.iter().all(|f| f.reused));
    assert_eq!(
        read_cleaned(&store, &again.output_key).await.unwrap(),
        read_cleaned(&store, &report.output_key).await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_tsv_files_read_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let store = AssetStore::open(dir.path().to_str().unwrap()).unwrap();
    put_fixtures(&store, "raw/gz", true).await;
    put_fixtures(&store, "raw/plain", false).await;
    let gz = bulk::run_bulk_catalog(&store, &BulkInputs::under("raw/gz", true), "a", &options(), &Engine::Embedded)
        .await
        .unwrap();
    let plain =
        bulk::run_bulk_catalog(&store, &BulkInputs::under("raw/plain", false), "b", &options(), &Engine::Embedded)
            .await
            .unwrap();
    assert_eq!(
        read_cleaned(&store, &gz.output_key).await.unwrap(),
        read_cleaned(&store, &plain.output_key).await.unwrap()
    );
}

/// The expected catalog of generated files, computed without DataFusion,
/// and the number of credits whose person is missing from `name.basics`.
fn reference(dir: &Path) -> (HashMap<String, Movie>, u64) {
    let read = |f: BulkFile| {
        let mut s = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(dir.join(f.file_name())).unwrap())
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    let names: HashMap<i64, String> = read(BulkFile::NameBasics)
        .lines()
        .skip(1)
        .filter_map(|l| format::parse_name(l).row().map(|n| (n.nconst, n.primary_name.unwrap().into_owned())))
        .collect();
    let ratings: HashMap<i64, (f64, i64)> = read(BulkFile::TitleRatings)
        .lines()
        .skip(1)
        .filter_map(|l| {
            format::parse_ratings(l).row().map(|r| (r.tconst, (r.average_rating.unwrap(), r.num_votes.unwrap())))
        })
        .collect();
    let mut cast: HashMap<i64, Vec<(i32, i64)>> = HashMap::new();
    let mut principal_directors: HashMap<i64, Vec<(i32, i64)>> = HashMap::new();
    for l in read(BulkFile::TitlePrincipals).lines().skip(1) {
        let p = format::parse_principals(l).row().unwrap();
        let entry = (p.ordering.unwrap(), p.nconst.unwrap());
        match p.category.as_deref() {
            Some("actor" | "actress") => cast.entry(p.tconst).or_default().push(entry),
            Some("director") => principal_directors.entry(p.tconst).or_default().push(entry),
            _ => {}
        }
    }
    let crew: HashMap<i64, (Vec<i64>, Vec<i64>)> = read(BulkFile::TitleCrew)
        .lines()
        .skip(1)
        .filter_map(|l| format::parse_crew(l).row().map(|c| (c.tconst, (c.directors, c.writers))))
        .collect();
    let unresolved = std::cell::Cell::new(0u64);
    // A person listed twice in one role counts once.
    let resolve = |ids: &[i64]| -> Vec<String> {
        let mut seen = HashSet::new();
        let ids: Vec<i64> = ids.iter().copied().filter(|n| seen.insert(*n)).collect();
        unresolved.set(unresolved.get() + ids.iter().filter(|n| !names.contains_key(n)).count() as u64);
        ids.iter().filter_map(|n| names.get(n).cloned()).collect()
    };
    let mut out = HashMap::new();
    for l in read(BulkFile::TitleBasics).lines().skip(1) {
        let b = format::parse_basics(l).row().unwrap();
        let ty = b.title_type.as_deref().unwrap();
        if !(ty == "movie" || ty == "tvMovie") || b.is_adult == Some(true) {
            continue;
        }
        let mut c = cast.get(&b.tconst).cloned().unwrap_or_default();
        c.sort();
        // One place per person (their first billing), then the top three.
        let mut seen = HashSet::new();
        let top: Vec<i64> = c.iter().map(|(_, n)| *n).filter(|n| seen.insert(*n)).take(3).collect();
        let (crew_directors, writers) = crew.get(&b.tconst).cloned().unwrap_or_default();
        let directors = if crew_directors.is_empty() {
            let mut d = principal_directors.get(&b.tconst).cloned().unwrap_or_default();
            d.sort();
            d.into_iter().map(|(_, n)| n).collect()
        } else {
            crew_directors
        };
        let directors = resolve(&directors);
        let id = format::format_id("tt", b.tconst);
        let stars = resolve(&top);
        out.insert(
            id.clone(),
            Movie {
                id: id.clone(),
                title: b.primary_title.unwrap().into_owned(),
                year: b.start_year,
                runtime_minutes: b.runtime_minutes,
                rating: ratings.get(&b.tconst).map(|r| r.0),
                votes: ratings.get(&b.tconst).map(|r| r.1),
                genres: b.genres.iter().map(|g| g.to_string()).collect(),
                director: (!directors.is_empty()).then(|| directors.join(", ")),
                cast: stars.clone(),
                stars,
                writers: resolve(&writers),
                imdb_id: Some(id),
                original_title: b.original_title.map(|t| t.into_owned()),
                title_type: Some(ty.to_owned()),
                ..Default::default()
            },
        );
    }
    (out, unresolved.get())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_files_match_the_reference() {
    let gen = tempfile::tempdir().unwrap();
    imdb_bulk::generate(gen.path(), &GenerateOptions { scale: 0.002, seed: 11, threads: 2, level: 1 }).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = AssetStore::open(dir.path().to_str().unwrap()).unwrap();
    for f in BulkFile::ALL {
        store
            .put(&format!("raw/gen/{}", f.file_name()), std::fs::read(gen.path().join(f.file_name())).unwrap())
            .await
            .unwrap();
    }
    let report =
        bulk::run_bulk_catalog(&store, &BulkInputs::under("raw/gen", true), "g", &options(), &Engine::Embedded)
            .await
            .unwrap();
    assert!(report.files.iter().all(|f| f.malformed == 0 && f.bad_values == 0), "{report:?}");
    let got = by_id(read_cleaned(&store, &report.output_key).await.unwrap());
    let (want, unresolved) = reference(gen.path());
    assert!(want.len() > 300, "{} films", want.len());
    assert_eq!(got.len(), want.len());
    assert_eq!(report.unresolved_people, unresolved);
    for (id, w) in &want {
        assert_eq!(got.get(id), Some(w), "{id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_stores_files_once_by_content() {
    let input = tempfile::tempdir().unwrap();
    for f in BulkFile::ALL {
        let bytes = std::fs::read(fixtures().join(format!("{}.tsv", f.stem()))).unwrap();
        std::fs::write(input.path().join(f.file_name()), gzip(&bytes)).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let store = AssetStore::open(dir.path().to_str().unwrap()).unwrap();
    let ctx = DatasetsContext { store: &store, progress: &NoProgress, cancel: Default::default() };
    let location = input.path().to_str().unwrap();

    let first = bulk::fetch_imdb_datasets(&ctx, location).await.unwrap();
    assert_eq!((first.written, first.unchanged, first.files.len()), (5, 0, 5), "{first:?}");
    for f in &first.files {
        assert!(f.key.starts_with("raw/imdb_datasets/date="), "{}", f.key);
        assert!(f.key.ends_with(&format!("{}-{}.tsv.gz", f.file, f.digest)), "{}", f.key);
        let stored = store.get(&f.key).await.unwrap();
        assert_eq!(stored, std::fs::read(input.path().join(format!("{}.tsv.gz", f.file))).unwrap());
        assert_eq!(f.digest, pipeline::sources::content_digest(&stored));
    }
    let second = bulk::fetch_imdb_datasets(&ctx, location).await.unwrap();
    assert_eq!((second.written, second.unchanged), (0, 5));
    assert_eq!(
        first.files.iter().map(|f| &f.key).collect::<Vec<_>>(),
        second.files.iter().map(|f| &f.key).collect::<Vec<_>>()
    );
    let objects: HashSet<String> =
        store.list("raw/imdb_datasets").await.unwrap().iter().map(|o| o.location.to_string()).collect();
    assert_eq!(objects.iter().filter(|k| k.ends_with(".tsv.gz")).count(), 5, "{objects:?}");
    assert!(!objects.iter().any(|k| k.contains(".incoming")), "no staging object left: {objects:?}");

    // The latest manifest names the files the job reads.
    let manifest = bulk::latest_manifest(&store).await.unwrap().unwrap();
    let inputs = BulkInputs::from_manifest(&manifest).unwrap();
    assert_eq!(inputs.title_basics, first.files[0].key);
    let report = bulk::run_bulk_catalog(&store, &inputs, "m", &options(), &Engine::Embedded).await.unwrap();
    assert_eq!(report.films, 7);

    // A file with the wrong header is refused and nothing of it is stored.
    std::fs::write(input.path().join("title.basics.tsv.gz"), gzip(b"tconst\taverageRating\tnumVotes\n")).unwrap();
    let err = bulk::fetch_imdb_datasets(&ctx, location).await.unwrap_err().to_string();
    assert!(err.contains("title.basics") && err.contains("header"), "{err}");
    let after: HashSet<String> =
        store.list("raw/imdb_datasets").await.unwrap().iter().map(|o| o.location.to_string()).collect();
    assert_eq!(after.iter().filter(|k| k.ends_with(".tsv.gz")).count(), 5, "{after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_gives_every_film_and_keeps_what_cleaned_rows_add() {
    let dir = tempfile::tempdir().unwrap();
    let store = AssetStore::open(dir.path().to_str().unwrap()).unwrap();
    put_fixtures(&store, "raw/fixtures", true).await;
    let report =
        bulk::run_bulk_catalog(&store, &BulkInputs::under("raw/fixtures", true), "t", &options(), &Engine::Embedded)
            .await
            .unwrap();
    let ctx = bulk::bulk_session(&store, &options(), &Engine::Embedded).await.unwrap();
    // Cleaned rows: a scraped film (tt id), a Kaggle film matched by title
    // and year, and a Kaggle film the bulk data does not have.
    let cleaned = ctx
        .sql(
            "SELECT * FROM (VALUES \
               ('tt0000001', 'Alpha (scraped)', 1994, 'A banker in prison.', 'https://img/alpha.jpg', 'tt0000001', 8.9, 100, 'imdb', 82), \
               ('mq00000000000001', 'Amélie', 2001, 'A shy waitress.', 'https://img/amelie.jpg', CAST(NULL AS VARCHAR), 8.0, 5, 'kaggle', 69), \
               ('mq00000000000002', 'Only Kaggle', 1950, 'Not in the dump.', CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), 7.0, 7, 'kaggle', CAST(NULL AS INT)) \
             ) AS t(id, title, year, overview, poster_url, imdb_id, rating, votes, origin, metascore)",
        )
        .await
        .unwrap();
    let bulk_rows = ctx.read_parquet(AssetStore::datafusion_url(&report.output_key), Default::default()).await.unwrap();
    let merged = bulk::merge_frames(&ctx, bulk_rows, cleaned).await.unwrap();
    let schema: Vec<String> = merged.schema().fields().iter().map(|f| f.name().clone()).collect();
    let expected: Vec<String> = bulk::merge::cleaned_movies_columns().iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(schema, expected);
    let key = "cleaned/cleaned_movies/version=test/cleaned_movies.parquet";
    merged
        .write_parquet(
            &AssetStore::datafusion_url(key),
            datafusion::dataframe::DataFrameWriteOptions::new().with_single_file_output(true),
            None,
        )
        .await
        .unwrap();
    let m = by_id(read_cleaned(&store, key).await.unwrap());
    assert_eq!(m.len(), 8, "7 bulk films + 1 Kaggle-only: {:?}", m.keys());

    let alpha = &m["tt0000001"];
    assert_eq!(alpha.title, "Alpha (scraped)");
    assert_eq!((alpha.rating, alpha.votes), (Some(9.3), Some(2_900_000)), "rating and votes from the dump");
    assert_eq!(alpha.overview.as_deref(), Some("A banker in prison."));
    assert_eq!(alpha.metascore, Some(82));
    assert_eq!(alpha.stars, strings(&["Tim Robbins", "Morgan Freeman", "Renée Blaine"]));

    let amelie = &m["mq00000000000001"];
    assert!(!m.contains_key("tt0000002"), "matched by title and year: one row");
    assert_eq!(amelie.imdb_id.as_deref(), Some("tt0000002"));
    assert_eq!(amelie.poster_url.as_deref(), Some("https://img/amelie.jpg"));
    assert_eq!(amelie.director.as_deref(), Some("Jean-Pierre Jeunet, Marc Caro"));
    assert_eq!((amelie.rating, amelie.votes), (Some(8.3), Some(5)), "no votes in the dump: Kaggle's");

    assert_eq!(m["mq00000000000002"].title, "Only Kaggle");
    assert_eq!(m["tt10000010"].title, "千と千尋の神隠し");

    // The stored-key form, with no cleaned rows: the bulk films alone.
    let alone = bulk::merge_cleaned_movies(&ctx, &report.output_key, None, "alone").await.unwrap();
    assert_eq!((alone.rows_out, alone.bulk_only, alone.matched_by_id), (7, 7, 0), "{alone:?}");
}
