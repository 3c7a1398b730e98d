//! Pure parsers that turn saved IMDb pages into typed records.
//!
//! No network, no IO, no HTML parser: IMDb's pages embed their data as JSON, and the parsers
//! find those blocks by string search and read them with `serde_json`.
//!
//! * [`parse_title_page`] → [`TitlePage`]: `__NEXT_DATA__` (`props.pageProps.aboveTheFoldData`
//!   and `mainColumnData`) first, the JSON-LD block as the fallback; [`TitlePage::source`] says
//!   which one was used.
//! * [`parse_reviews_page`] → [`ReviewsPage`]: `__NEXT_DATA__` → `props.pageProps.contentData`.
//! * [`parse_search_page`] → [`SearchPage`]: the result list in `__NEXT_DATA__`, else the
//!   `/title/tt…/` links of `li.ipc-metadata-list-summary-item`.
//! * [`parse_any`] tells the three apart, for `marquee imdb parse <file.html>`.
//!
//! Key paths are those of `shared/docs/imdb-format.md`. Every lookup is tolerant: a field that
//! is missing, renamed or of the wrong type is `None` or empty in the record, never an error and
//! never a panic, on any input (truncated or hostile HTML included). Errors
//! ([`ParseError`]) are reserved for pages that yield no identity at all.
//!
//! `fixtures` renders IMDb-format pages from records (the inverse
//! of the parsers), for other crates' tests and the fixture HTTP server.
//!
//! ```
//! let html = r#"<ul><li class="ipc-metadata-list-summary-item"><a href="/title/tt0111161/">The Shawshank
//!     Redemption</a></li></ul><a rel="next" href="/search/title/?start=51">Next</a>"#;
//! let page = imdb::parse_search_page(html);
//! assert_eq!(page.ids, ["tt0111161"]);
//! assert_eq!(page.next.as_deref(), Some("/search/title/?start=51"));
//!
//! match imdb::parse_any("<html></html>") {
//!     Err(imdb::ParseError::NoData { reason }) => assert!(reason.contains("__NEXT_DATA__")),
//!     other => panic!("{other:?}"),
//! }
//! ```

#![warn(missing_docs)]

mod error;
mod html;
mod json;
mod model;
mod reviews;
mod search_page;
mod title;

pub mod fixtures;

pub use error::{Blob, ParseError};
pub use html::{decode_entities, html_to_text, is_title_id};
pub use model::{CastMember, Money, Parsed, Person, Review, ReviewsPage, SearchPage, Source, TitlePage};
pub use reviews::{parse_reviews_page, CURSOR_KEYS};
pub use search_page::parse_search_page;
pub use title::{parse_iso_duration, parse_title_page};

use serde_json::Value;

/// Detects the kind of page and parses it.
///
/// With a valid `__NEXT_DATA__`: `aboveTheFoldData` means a title page,
/// `contentData.reviews` a reviews page, a known result list a list page. Without one (or with
/// an unknown shape), a page whose JSON-LD yields a title is a title page, and a page with
/// `li.ipc-metadata-list-summary-item` items is a list page.
///
/// # Errors
/// As [`parse_title_page`] when the page is none of the three.
pub fn parse_any(html: &str) -> Result<Parsed, ParseError> {
    let next = html::next_data(html).map(serde_json::from_str::<Value>);
    if let Some(Ok(v)) = &next {
        if !title::is_title_next_data(v) {
            if reviews::is_reviews_next_data(v) {
                return reviews::reviews_from(html, v).map(Parsed::Reviews);
            }
            if search_page::is_search_next_data(v) {
                return Ok(Parsed::Search(search_page::search_from(html, Some(v))));
            }
        }
    }
    match title::title_from(html, next.as_ref()) {
        Ok(page) => Ok(Parsed::Title(page)),
        Err(_) if search_page::has_summary_items(html) => {
            let v = next.as_ref().and_then(|r| r.as_ref().ok());
            Ok(Parsed::Search(search_page::search_from(html, v)))
        }
        Err(ParseError::NoData { reason }) => {
            Err(ParseError::NoData { reason: format!("not a title, reviews or list page: {reason}") })
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests;
