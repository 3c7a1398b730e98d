//! Query validation, planning and scoring on a small built index, for any
//! query, limit and filter: never panics; scores finite, at most `limit` hits,
//! best first (see `marquee_fuzz::exercise`).
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use search::{validate_query, Filter, Mode};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    query: &'a str,
    limit: u8,
    exact: bool,
    genre: Option<&'a str>,
    year_from: Option<i32>,
    year_to: Option<i32>,
    min_rating: Option<f32>,
}

fuzz_target!(|input: Input<'_>| {
    let index = marquee_fuzz::small_index();
    if let Ok(q) = validate_query(input.query) {
        assert!(!q.is_empty() && q.chars().count() <= search::MAX_QUERY_CHARS);
    }
    let limit = usize::from(input.limit);
    let filter = Filter {
        genre: input.genre.map(String::from),
        year_from: input.year_from,
        year_to: input.year_to,
        min_rating: input.min_rating,
    };
    let mode = if input.exact { Mode::Exact } else { Mode::Product };
    let hits = index.search(input.query, mode, &filter, limit);
    assert!(hits.len() <= limit);
    assert!(hits.iter().all(|h| h.score.is_finite()));
    marquee_fuzz::exercise(index, input.query, limit.min(20));
});
