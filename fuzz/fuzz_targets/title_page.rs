//! `imdb::parse_title_page` on any text, and `imdb::parse_any`, which reads
//! title pages through the same code: never panics. A page read has an id and a
//! title, and `parse_any` agrees with `parse_title_page` on it. What the parser
//! reads is a fixed point of the fixture renderer once normalised: rendering the
//! record and parsing it back may drop what the renderer documents it cannot
//! keep (empty strings, a runtime of 0, a JSON-LD-only runtime too long for
//! `runtime.seconds`), but doing it a second time changes nothing.
#![no_main]

use imdb::fixtures::render_title_page;
use imdb::{parse_any, parse_title_page, Parsed, TitlePage};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|html: &str| {
    let page = parse_title_page(html);
    if let Ok(Parsed::Title(p)) = parse_any(html) {
        assert_eq!(page.as_ref(), Ok(&p), "parse_any and parse_title_page disagree");
    }
    let Ok(page) = page else {
        return;
    };
    assert!(!page.id.is_empty() && !page.title.is_empty(), "a title page without an id or a title: {page:?}");
    assert!(page.rating.is_none_or(f64::is_finite), "rating {:?}", page.rating);
    let once = render_and_parse(&page);
    let twice = render_and_parse(&once);
    assert_same(&once, &twice);
});

fn render_and_parse(page: &TitlePage) -> TitlePage {
    let html = render_title_page(page);
    parse_title_page(&html).unwrap_or_else(|e| panic!("a rendered page does not parse: {e}\n{html}"))
}

/// Equal, the rating within a rounding error: serde_json's default float parsing
/// is not always exact, so a rating may move by an ulp through JSON.
fn assert_same(a: &TitlePage, b: &TitlePage) {
    match (a.rating, b.rating) {
        (Some(x), Some(y)) => assert!((x - y).abs() <= 1e-12 * x.abs().max(1.0), "rating {x} came back as {y}"),
        (x, y) => assert_eq!(x, y, "rating"),
    }
    let strip = |p: &TitlePage| TitlePage { rating: None, ..p.clone() };
    assert_eq!(strip(a), strip(b), "render then parse is not stable");
}
