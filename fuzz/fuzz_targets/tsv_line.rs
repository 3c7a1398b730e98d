//! The IMDb bulk TSV format (`imdb_bulk::format`) on any bytes: never panics.
//! The bytes are tried as a gzip file's start (`first_line_gz`), then, when they
//! are UTF-8, every line goes through every line parser, the escaping, the field
//! splitter, the id parser, the header check and the file-name matcher, with
//! their promises checked: `unescape(escape(s)) == s`, ids read back to the same
//! text, a split line joins back to itself, and parsed values are in range.
#![no_main]

use imdb_bulk::format::{
    check_header, escape, first_line_gz, format_id, list, parse_basics, parse_crew, parse_id, parse_name,
    parse_principals, parse_ratings, push_id, split_fields, unescape, BulkFile, NULL,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(first) = first_line_gz(data) {
        assert!(!first.contains('\n'), "first line {first:?} holds a newline");
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for (i, line) in text.split('\n').enumerate() {
        if i == 0 {
            for file in BulkFile::ALL {
                if check_header(file, line).is_ok() {
                    assert!(line.contains(&file.header()), "{line:?} passed as the {file} header");
                }
            }
        }
        if let Some(file) = BulkFile::from_file_name(line) {
            let base = line.rsplit('/').next().unwrap_or(line);
            assert!(base.starts_with(file.stem()), "{line:?} read as {file}");
        }
        escaping(line);
        fields(line);
        rows(line);
    }
});

/// `escape` leaves no tab or line break, and `unescape` reverses it; `\N` is the
/// only null.
fn escaping(raw: &str) {
    let value = unescape(raw);
    assert_eq!(value.is_none(), raw == NULL, "{raw:?}");
    for s in [Some(raw), value.as_deref()].into_iter().flatten() {
        let mut escaped = String::new();
        escape(s, &mut escaped);
        assert!(!escaped.contains(['\t', '\n', '\r']), "{escaped:?}");
        assert_eq!(unescape(&escaped).as_deref(), Some(s), "escaped as {escaped:?}");
    }
    for item in list(raw) {
        assert!(!item.is_empty() && item.trim() == item && !item.contains(','), "list item {item:?}");
    }
}

/// Splitting into `N` fields succeeds exactly when the line has `N - 1` tabs
/// (after a trailing `\r`), and the fields join back into the line; every field
/// that reads as an id writes back as the same text.
fn fields(line: &str) {
    let body = line.strip_suffix('\r').unwrap_or(line);
    let tabs = body.matches('\t').count();
    let check = |split: Option<Vec<&str>>, n: usize| {
        assert_eq!(split.is_some(), tabs + 1 == n, "{n} fields of {line:?}");
        if let Some(f) = split {
            assert_eq!(f.join("\t"), body);
        }
    };
    check(split_fields::<3>(line).map(Vec::from), 3);
    check(split_fields::<6>(line).map(Vec::from), 6);
    check(split_fields::<9>(line).map(Vec::from), 9);
    for field in body.split('\t') {
        for prefix in ["tt", "nm"] {
            if let Some(id) = parse_id(field, prefix) {
                assert_eq!(format_id(prefix, id), field);
                let mut pushed = String::new();
                push_id(&mut pushed, prefix, id as u64);
                assert_eq!(pushed, field);
            }
        }
    }
}

/// Every line parser on the line: a row's id is the line's first field, and its
/// numbers are in the ranges the parsers promise.
fn rows(line: &str) {
    let first = line.strip_suffix('\r').unwrap_or(line).split('\t').next().unwrap_or_default();
    let year_ok = |y: Option<i32>| y.is_none_or(|y| (1800..=2200).contains(&y));
    if let Some(r) = parse_basics(line).row() {
        assert_eq!(format_id("tt", r.tconst), first);
        assert!(year_ok(r.start_year) && year_ok(r.end_year), "{r:?}");
        assert!(r.runtime_minutes.is_none_or(|m| (1..=6000).contains(&m)), "{r:?}");
        assert!(r.genres.iter().all(|g| !g.is_empty() && g.trim() == *g && !g.contains(',')), "{r:?}");
        assert!(r.bad_fields <= 4, "{r:?}");
    }
    if let Some(r) = parse_ratings(line).row() {
        assert_eq!(format_id("tt", r.tconst), first);
        assert!(r.average_rating.is_none_or(|v| v.is_finite() && (0.0..=10.0).contains(&v)), "{r:?}");
        assert!(r.num_votes.is_none_or(|v| v >= 0), "{r:?}");
        assert!(r.bad_fields <= 2, "{r:?}");
    }
    if let Some(r) = parse_principals(line).row() {
        assert_eq!(format_id("tt", r.tconst), first);
        assert!(r.ordering.is_none_or(|o| o >= 1), "{r:?}");
        assert!(r.bad_fields <= 2, "{r:?}");
    }
    if let Some(r) = parse_name(line).row() {
        assert_eq!(format_id("nm", r.nconst), first);
        assert!(year_ok(r.birth_year) && year_ok(r.death_year), "{r:?}");
    }
    if let Some(r) = parse_crew(line).row() {
        assert_eq!(format_id("tt", r.tconst), first);
        assert!(r.directors.iter().chain(&r.writers).all(|&id| id >= 0), "{r:?}");
    }
}
