//! `imdb::parse_reviews_page` on any text, and `imdb::parse_any`, which reads
//! reviews pages through the same code: never panics. A page read has a title
//! id, ratings of 1–10, trimmed non-empty summaries and a non-empty cursor when
//! it has one, and `parse_any` agrees with `parse_reviews_page` on it. As for
//! title pages, what the parser reads is a fixed point of the fixture renderer
//! once normalised (a second render and parse changes nothing).
#![no_main]

use imdb::fixtures::render_reviews_page;
use imdb::{parse_any, parse_reviews_page, Parsed, ReviewsPage};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|html: &str| {
    let page = parse_reviews_page(html);
    if let Ok(Parsed::Reviews(p)) = parse_any(html) {
        assert_eq!(page.as_ref(), Ok(&p), "parse_any and parse_reviews_page disagree");
    }
    let Ok(page) = page else {
        return;
    };
    assert!(!page.title_id.is_empty(), "a reviews page without a title id");
    assert!(page.next_cursor.as_ref().is_none_or(|c| !c.is_empty()), "empty cursor");
    for r in &page.reviews {
        assert!(r.rating.is_none_or(|n| (1..=10).contains(&n)), "rating {:?}", r.rating);
        assert!(r.summary.as_ref().is_none_or(|s| !s.is_empty() && s.trim() == s), "summary {:?}", r.summary);
    }
    let once = render_and_parse(&page);
    let twice = render_and_parse(&once);
    assert_eq!(once, twice, "render then parse is not stable");
});

fn render_and_parse(page: &ReviewsPage) -> ReviewsPage {
    let html = render_reviews_page(&page.title_id, &page.reviews, page.next_cursor.as_deref());
    parse_reviews_page(&html).unwrap_or_else(|e| panic!("a rendered page does not parse: {e}\n{html}"))
}
