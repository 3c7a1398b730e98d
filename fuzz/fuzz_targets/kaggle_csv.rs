//! The Kaggle catalog's cleaning rules (`pipeline::clean::rules`) on the rows of
//! any CSV: never panics, and every typed value is in the range its rule
//! promises (years 1870–2100, runtimes 1–6000 minutes, ratings 0–10, counts and
//! money not negative, ids `tt…` or `mq` + 14 hex digits, tidy and distinct
//! genre and name lists).
//!
//! The catalog job reads the CSV with DataFusion (arrow-csv, on csv-core) and
//! applies the rules to the columns by position as UDFs (`TYPED_SQL` in
//! `pipeline/src/clean/kaggle.rs`). Here the `csv` crate, on the same csv-core,
//! splits the rows, and `rules.rs` is compiled in from its source file: it is
//! plain Rust on `std` alone, whereas the `pipeline` crate would bring DataFusion,
//! sqlx and the AWS object store into the fuzz build. (If `rules.rs` ever
//! needs `crate::` items, this target stops compiling: move the rules to a
//! crate of their own then.)
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../pipeline/src/clean/rules.rs"]
mod rules;

/// The positions of the columns the combined rules read
/// (`pipeline::sources::kaggle::COLUMNS`).
const POSTER: usize = 0;
const TITLE: usize = 1;
const YEAR: usize = 2;
const CERTIFICATE: usize = 3;
const RUNTIME: usize = 4;
const STARS: std::ops::Range<usize> = 10..14;
const VOTES: usize = 14;
const GROSS: usize = 15;
const COLUMNS: usize = 16;

fuzz_target!(|data: &[u8]| {
    // Rows as the job's reader sees them: a header, quoting, newlines inside
    // quoted values; short and long rows are kept (missing columns are null).
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(data);
    let mut record = csv::ByteRecord::new();
    while let Ok(true) = reader.read_byte_record(&mut record) {
        // A value that is not UTF-8 is null here (DataFusion refuses the file).
        let fields: Vec<Option<&str>> =
            (0..record.len().max(COLUMNS)).map(|i| record.get(i).and_then(|f| std::str::from_utf8(f).ok())).collect();
        check_row(&fields);
    }
});

fn check_row(f: &[Option<&str>]) {
    // Every single-value rule on every field (more tries per input than the one
    // column each rule is for), then the rules that combine columns.
    for &raw in f {
        check_value(raw);
    }
    let year = rules::year(f[YEAR]);
    let title = rules::text(f[TITLE]);
    match rules::movie_id(f[POSTER], f[TITLE], year) {
        Some(id) if id.starts_with("tt") => assert_eq!(rules::imdb_id(Some(&id)), Some(id.clone())),
        Some(id) => {
            let hex = id.strip_prefix("mq").unwrap_or_else(|| panic!("movie id {id:?}"));
            assert!(hex.len() == 14 && hex.bytes().all(|b| b.is_ascii_hexdigit()), "movie id {id:?}");
            assert!(title.is_some(), "a hashed id without a title");
        }
        None => assert!(title.is_none() && rules::imdb_id(f[POSTER]).is_none()),
    }
    if let Some(key) = rules::title_key(f[TITLE], year) {
        let suffix = format!("|{}", year.map(|y| y.to_string()).unwrap_or_default());
        assert!(key.len() > suffix.len() && key.ends_with(&suffix), "title key {key:?}");
    }
    let seconds = f[RUNTIME].and_then(|s| s.trim().parse::<i64>().ok());
    let minutes = rules::runtime_from_seconds(seconds);
    assert!(minutes.is_none_or(|m| (1..=6000).contains(&m)), "runtime {minutes:?} from {seconds:?} s");
    let usd = rules::usd(rules::money_usd(f[GROSS]).or(rules::count(f[VOTES])), f[CERTIFICATE]);
    assert!(usd.is_none_or(|v| v >= 0), "usd {usd:?}");
    let names = rules::names(f[STARS].iter().copied());
    for (i, n) in names.iter().enumerate() {
        check_text(Some(n.clone()));
        assert!(!names[..i].contains(n), "{n:?} twice in {names:?}");
    }
}

/// The rules that read one value, each in the range it promises.
fn check_value(raw: Option<&str>) {
    check_text(rules::text(raw));
    let year = rules::year(raw);
    assert!(year.is_none_or(|y| (1870..=2100).contains(&y)), "year {year:?} from {raw:?}");
    let runtime = rules::runtime_minutes(raw);
    assert!(runtime.is_none_or(|m| (1..=6000).contains(&m)), "runtime {runtime:?} from {raw:?}");
    let rating = rules::rating(raw);
    assert!(rating.is_none_or(|r| r.is_finite() && (0.0..=10.0).contains(&r)), "rating {rating:?} from {raw:?}");
    let metascore = rules::metascore(raw);
    assert!(metascore.is_none_or(|m| (0..=100).contains(&m)), "metascore {metascore:?} from {raw:?}");
    let count = rules::count(raw);
    assert!(count.is_none_or(|v| v >= 0), "count {count:?} from {raw:?}");
    let usd = rules::money_usd(raw);
    assert!(usd.is_none_or(|g| g >= 0), "money {usd:?} from {raw:?}");
    if let Some((amount, currency)) = rules::money(raw) {
        assert!(amount >= 0, "{raw:?} → {amount}");
        check_currency(&currency);
    }
    if let Some(c) = rules::currency(raw) {
        check_currency(&c);
    }
    if let Some(id) = rules::imdb_id(raw) {
        let digits = id.strip_prefix("tt").expect("an IMDb id starts with tt");
        assert!((7..=10).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()), "{id:?}");
    }
    if let Some(url) = rules::poster_url(raw) {
        assert!(url.starts_with("https://") || url.starts_with("http://"), "poster {url:?}");
    }
    let genres = rules::genres(raw);
    for (i, g) in genres.iter().enumerate() {
        check_text(Some(g.clone()));
        assert!(!g.contains([',', '|']), "genre {g:?}");
        assert!(!genres[..i].iter().any(|h| h.eq_ignore_ascii_case(g)), "genre {g:?} twice in {genres:?}");
    }
}

/// Tidy text: non-empty, single spaces only, and `text` leaves it as it is.
fn check_text(t: Option<String>) {
    if let Some(t) = t {
        assert!(!t.is_empty(), "empty text");
        assert_eq!(rules::text(Some(&t)).as_deref(), Some(t.as_str()), "text is not stable");
    }
}

fn check_currency(c: &str) {
    assert!(c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()), "currency {c:?}");
}
