//! The generator: same seed → same bytes (whatever the thread count), and
//! files that are valid IMDb bulk files with realistic shapes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use imdb_bulk::format;
use imdb_bulk::{generate, BulkFile, GenerateOptions};

const SCALE: f64 = 0.0005; // 6 150 titles, 7 550 people

fn read_gz(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let mut out = String::new();
    // A single-member decoder: the file must be one gzip member, like IMDb's.
    flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut out).unwrap();
    out
}

#[test]
fn same_seed_same_bytes_whatever_the_threads() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ra = generate(a.path(), &GenerateOptions { scale: SCALE, seed: 7, threads: 1, level: 1 }).unwrap();
    let rb = generate(b.path(), &GenerateOptions { scale: SCALE, seed: 7, threads: 3, level: 1 }).unwrap();
    generate(c.path(), &GenerateOptions { scale: SCALE, seed: 8, threads: 2, level: 1 }).unwrap();
    assert_eq!(ra.files.len(), 5);
    for f in BulkFile::ALL {
        let x = std::fs::read(a.path().join(f.file_name())).unwrap();
        let y = std::fs::read(b.path().join(f.file_name())).unwrap();
        let z = std::fs::read(c.path().join(f.file_name())).unwrap();
        assert_eq!(x, y, "{f}: same seed, different bytes");
        assert_ne!(x, z, "{f}: another seed, same bytes");
    }
    assert_eq!(
        ra.files.iter().map(|f| f.rows).collect::<Vec<_>>(),
        rb.files.iter().map(|f| f.rows).collect::<Vec<_>>()
    );
}

#[test]
fn files_are_valid_and_realistic() {
    let dir = tempfile::tempdir().unwrap();
    let report = generate(dir.path(), &GenerateOptions { scale: SCALE, seed: 42, threads: 2, level: 1 }).unwrap();
    let rows: HashMap<BulkFile, u64> = report.files.iter().map(|f| (f.file, f.rows)).collect();
    let text: HashMap<BulkFile, String> =
        BulkFile::ALL.iter().map(|f| (*f, read_gz(&dir.path().join(f.file_name())))).collect();
    for f in BulkFile::ALL {
        let t = &text[&f];
        let first = t.lines().next().unwrap();
        format::check_header(f, first).unwrap();
        assert_eq!(t.lines().count() as u64 - 1, rows[&f], "{f}: reported rows");
        assert!(t.ends_with('\n'));
    }

    // title.basics: ids ascending, 7- and 8-digit, types mixed, every line parses.
    let mut types: BTreeMap<String, u64> = BTreeMap::new();
    let mut last = 0;
    let (mut eight_digits, mut non_ascii, mut quoted, mut films) = (0, 0, 0, HashSet::new());
    let mut null_runtime = 0;
    for line in text[&BulkFile::TitleBasics].lines().skip(1) {
        let r = format::parse_basics(line).row().unwrap_or_else(|| panic!("bad line {line:?}"));
        assert_eq!(r.bad_fields, 0, "{line}");
        assert!(r.tconst > last);
        last = r.tconst;
        eight_digits += u64::from(r.tconst >= 10_000_000);
        let title = r.primary_title.unwrap();
        non_ascii += u64::from(!title.is_ascii());
        quoted += u64::from(title.contains('"'));
        null_runtime += u64::from(r.runtime_minutes.is_none());
        let ty = r.title_type.unwrap().into_owned();
        if ty == "movie" || ty == "tvMovie" {
            films.insert(r.tconst);
        }
        *types.entry(ty).or_default() += 1;
        let g: Vec<_> = r.genres.iter().map(|g| g.to_string()).collect();
        let mut sorted = g.clone();
        sorted.sort();
        assert_eq!(g, sorted, "genres in alphabetical order");
        assert!(g.len() <= 3);
    }
    let titles = rows[&BulkFile::TitleBasics] as f64;
    let share = |t: &str| types.get(t).copied().unwrap_or_default() as f64 / titles;
    assert!((0.70..0.85).contains(&share("tvEpisode")), "{types:?}");
    assert!((0.04..0.08).contains(&share("movie")), "{types:?}");
    for t in ["short", "tvSeries", "tvMovie", "video", "videoGame", "tvMiniSeries", "tvSpecial"] {
        assert!(types.contains_key(t), "no {t}: {types:?}");
    }
    assert!(eight_digits > 0 && (eight_digits as f64) < titles, "ids of 7 and 8 digits");
    assert!(non_ascii as f64 > titles * 0.01, "non-ASCII titles: {non_ascii}");
    assert!(quoted > 0, "some titles carry quotes");
    assert!(null_runtime as f64 > titles * 0.3);

    // title.ratings: most titles unrated, votes heavy-tailed.
    let ratings: Vec<_> =
        text[&BulkFile::TitleRatings].lines().skip(1).map(|l| format::parse_ratings(l).row().unwrap()).collect();
    let rated = ratings.len() as f64 / titles;
    assert!((0.09..0.2).contains(&rated), "rated share {rated}");
    let mut votes: Vec<i64> = ratings.iter().map(|r| r.num_votes.unwrap()).collect();
    votes.sort_unstable();
    let median = votes[votes.len() / 2];
    assert!(
        votes[0] >= 5 && median < 100 && *votes.last().unwrap() > 100 * median,
        "median {median}, max {:?}",
        votes.last()
    );
    assert!(ratings.iter().all(|r| (1.0..=10.0).contains(&r.average_rating.unwrap())));

    // title.principals: ~8 per title, ordering 1..N per title, categories mixed.
    let mut per_title: BTreeMap<i64, Vec<i32>> = BTreeMap::new();
    let mut categories: BTreeMap<String, u64> = BTreeMap::new();
    let mut credited = HashSet::new();
    for line in text[&BulkFile::TitlePrincipals].lines().skip(1) {
        let p = format::parse_principals(line).row().unwrap();
        assert_eq!(p.bad_fields, 0);
        per_title.entry(p.tconst).or_default().push(p.ordering.unwrap());
        *categories.entry(p.category.unwrap().into_owned()).or_default() += 1;
        credited.insert(p.nconst.unwrap());
    }
    for (t, orders) in &per_title {
        assert_eq!(*orders, (1..=orders.len() as i32).collect::<Vec<_>>(), "ordering of tt{t}");
    }
    let ratio = rows[&BulkFile::TitlePrincipals] as f64 / titles;
    assert!((6.5..9.5).contains(&ratio), "principals per title {ratio}");
    for c in ["actor", "actress", "director", "writer", "producer", "self", "composer"] {
        assert!(categories.contains_key(c), "no {c}: {categories:?}");
    }

    // name.basics: some people credited are missing; names are non-ASCII now and then.
    let mut names = HashSet::new();
    let mut non_ascii_names = 0;
    for line in text[&BulkFile::NameBasics].lines().skip(1) {
        let n = format::parse_name(line).row().unwrap();
        non_ascii_names += u64::from(!n.primary_name.as_deref().unwrap().is_ascii());
        names.insert(n.nconst);
    }
    let missing = credited.iter().filter(|n| !names.contains(n)).count();
    assert!(missing > 0 && (missing as f64) < credited.len() as f64 * 0.02, "missing {missing} of {}", credited.len());
    assert!(non_ascii_names > 0);

    // title.crew: one line per title, directors of films mostly known.
    let mut films_with_directors = 0;
    for line in text[&BulkFile::TitleCrew].lines().skip(1) {
        let c = format::parse_crew(line).row().unwrap();
        if films.contains(&c.tconst) && !c.directors.is_empty() {
            films_with_directors += 1;
        }
    }
    assert_eq!(rows[&BulkFile::TitleCrew], rows[&BulkFile::TitleBasics]);
    assert!(films_with_directors as f64 > films.len() as f64 * 0.9);
}
