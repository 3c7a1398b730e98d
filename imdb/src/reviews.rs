//! Reviews pages `/title/tt…/reviews/`.

use serde_json::Value;

use crate::error::{Blob, ParseError};
use crate::html::{self, decode_entities, html_to_text};
use crate::json::{as_i64, at, find_cursor, str_at};
use crate::model::{Review, ReviewsPage};

/// Keys tried, in this order within one object, for the next-page cursor.
pub const CURSOR_KEYS: &[&str] = &["paginationKey", "endCursor", "nextCursor", "nextPageKey", "after", "cursor"];

/// Parses a saved reviews page.
///
/// Reads `__NEXT_DATA__` → `props.pageProps.contentData`: the title id from
/// `entityMetadata.id` (else `pageProps.tconst`, else the page's canonical `/title/tt…/` link),
/// and `reviews[]`, each `{review: {reviewId, authorRating, author: {username: {text}, userId},
/// reviewSummary, reviewText, submissionDate, helpfulnessVotes: {upVotes, downVotes}, spoiler}}`
/// (fields are also accepted directly on the item, and `author.nickName` as the name).
///
/// `next_cursor`: IMDb's pagination key is not documented, so the parser looks for it
/// tolerantly: breadth-first through `contentData` (then the rest of `pageProps`, minus its
/// request, CMS, translation and GraphQL-cache state), at most six
/// levels deep and never inside `reviews` or GraphQL `edges` (whose items carry per-item
/// cursors), for the first non-empty string under one of [`CURSOR_KEYS`]; an object that holds
/// the key and says `"hasNextPage": false` means no next page. Failing that, the `data-key` of
/// the old layout's `<div class="load-more-data">`.
///
/// # Errors
/// [`ParseError::BadJson`] when `__NEXT_DATA__` is not valid JSON; [`ParseError::NoData`] when
/// the page has no `contentData.reviews` list or no title id.
pub fn parse_reviews_page(html: &str) -> Result<ReviewsPage, ParseError> {
    let Some(body) = html::next_data(html) else {
        return Err(ParseError::no_data("no <script id=\"__NEXT_DATA__\"> block (reviews are read from it)"));
    };
    let v: Value = serde_json::from_str(body).map_err(|e| ParseError::bad_json(Blob::NextData, &e))?;
    reviews_from(html, &v)
}

/// Whether a parsed `__NEXT_DATA__` looks like a reviews page's.
pub(crate) fn is_reviews_next_data(v: &Value) -> bool {
    at(v, &["props", "pageProps", "contentData", "reviews"]).is_some_and(Value::is_array)
}

pub(crate) fn reviews_from(html: &str, v: &Value) -> Result<ReviewsPage, ParseError> {
    let null = Value::Null;
    let pp = at(v, &["props", "pageProps"]).unwrap_or(&null);
    let content = at(pp, &["contentData"]).unwrap_or(&null);
    let Some(items) = at(content, &["reviews"]).and_then(Value::as_array) else {
        return Err(ParseError::no_data("__NEXT_DATA__ has no props.pageProps.contentData.reviews list"));
    };
    let title_id = str_at(content, &["entityMetadata", "id"])
        .or_else(|| str_at(pp, &["tconst"]))
        .map(str::to_string)
        .or_else(|| canonical_title_id(html));
    let Some(title_id) = title_id else {
        return Err(ParseError::no_data(
            "no title id: no contentData.entityMetadata.id, pageProps.tconst or canonical /title/tt… link",
        ));
    };
    let skip = ["reviews", "edges"];
    // Outside contentData, also skip the page furniture (request, CMS, translation and GraphQL
    // cache state), whose query variables may carry unrelated `after` cursors.
    let skip_outside =
        ["reviews", "edges", "requestContext", "cmsContext", "translationContext", "urqlState", "fetchState"];
    let next_cursor = find_cursor(content, CURSOR_KEYS, &skip, 6)
        .or_else(|| find_cursor(pp, CURSOR_KEYS, &skip_outside, 6))
        .or_else(|| load_more_key(html));
    Ok(ReviewsPage { title_id, reviews: items.iter().map(review).collect(), next_cursor })
}

/// One review item; every field is optional.
fn review(item: &Value) -> Review {
    let r = at(item, &["review"]).filter(|r| r.is_object()).unwrap_or(item);
    let get = |path: &[&str]| at(r, path).or_else(|| at(item, path));
    let get_str = |path: &[&str]| get(path).and_then(Value::as_str).filter(|s| !s.is_empty());
    let author = get_str(&["author", "username", "text"])
        .or_else(|| get_str(&["author", "nickName"]))
        .or_else(|| get_str(&["author", "username"]))
        .or_else(|| get_str(&["author", "displayName"]))
        .map(decode_entities);
    Review {
        id: get_str(&["reviewId"]).or_else(|| get_str(&["id"])).map(str::to_string),
        author,
        author_id: get_str(&["author", "userId"]).or_else(|| get_str(&["author", "id"])).map(str::to_string),
        rating: get(&["authorRating"])
            .and_then(as_i64)
            .and_then(|n| u8::try_from(n).ok())
            .filter(|n| (1..=10).contains(n)),
        summary: get_str(&["reviewSummary"])
            .or_else(|| get_str(&["summary", "originalText"]))
            .map(|s| decode_entities(s).trim().to_string())
            .filter(|s| !s.is_empty()),
        text: get_str(&["reviewText"])
            .or_else(|| get_str(&["text", "originalText", "plaidHtml"]))
            .map(html_to_text)
            .unwrap_or_default(),
        date: get_str(&["submissionDate"]).map(str::to_string),
        helpful_up: get(&["helpfulnessVotes", "upVotes"]).and_then(as_i64),
        helpful_down: get(&["helpfulnessVotes", "downVotes"]).and_then(as_i64),
        spoiler: get(&["spoiler"]).or_else(|| get(&["isSpoiler"])).and_then(Value::as_bool).unwrap_or(false),
    }
}

/// The title id of `<link rel="canonical" href=".../title/tt…/...">`.
fn canonical_title_id(html: &str) -> Option<String> {
    html::open_tags(html, "link")
        .into_iter()
        .filter(|(_, attrs)| html::attr_value(attrs, "rel").is_some_and(|r| r.eq_ignore_ascii_case("canonical")))
        .filter_map(|(_, attrs)| html::attr_value(attrs, "href"))
        .find_map(|href| html::title_links(&href, 0, href.len()).into_iter().next())
}

/// The old layout's `<div class="load-more-data" data-key="…">`.
fn load_more_key(html: &str) -> Option<String> {
    html::open_tags(html, "div")
        .into_iter()
        .filter(|(_, attrs)| html::attr_value(attrs, "class").is_some_and(|c| html::has_class(&c, "load-more-data")))
        .find_map(|(_, attrs)| html::attr_value(attrs, "data-key").filter(|k| !k.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(next: &str) -> String {
        format!(
            r#"<html><head></head><body><script id="__NEXT_DATA__" type="application/json">{next}</script></body></html>"#
        )
    }

    #[test]
    fn reads_documented_shape() {
        let html = page(
            r#"{"props":{"pageProps":{"contentData":{"entityMetadata":{"id":"tt0111161"},"reviews":[
            {"review":{"reviewId":"rw1","authorRating":9,"author":{"username":{"text":"bob &amp; co"},"userId":"ur1"},
             "reviewSummary":"Great","reviewText":"Loved it.<br/><br/>Really&#39;s.","submissionDate":"2023-01-15",
             "helpfulnessVotes":{"upVotes":12,"downVotes":3},"spoiler":true},"isTopReview":true},
            {"review":{"reviewId":"rw2","authorRating":11,"reviewText":"x"}},
            {}
            ],"pagination":{"paginationKey":"KEY1"}}}}}"#,
        );
        let p = parse_reviews_page(&html).unwrap();
        assert_eq!(p.title_id, "tt0111161");
        assert_eq!(p.next_cursor.as_deref(), Some("KEY1"));
        assert_eq!(p.reviews.len(), 3);
        let r = &p.reviews[0];
        assert_eq!(r.id.as_deref(), Some("rw1"));
        assert_eq!(r.author.as_deref(), Some("bob & co"));
        assert_eq!(r.author_id.as_deref(), Some("ur1"));
        assert_eq!(r.rating, Some(9));
        assert_eq!(r.summary.as_deref(), Some("Great"));
        assert_eq!(r.text, "Loved it.\n\nReally's.");
        assert_eq!(r.date.as_deref(), Some("2023-01-15"));
        assert_eq!((r.helpful_up, r.helpful_down, r.spoiler), (Some(12), Some(3), true));
        assert_eq!(p.reviews[1].rating, None, "out-of-range rating");
        assert_eq!(p.reviews[2], Review::default());
    }

    #[test]
    fn cursor_variants() {
        let with = |content: &str| page(&format!(r#"{{"props":{{"pageProps":{{"contentData":{content}}}}}}}"#));
        let p = parse_reviews_page(&with(
            r#"{"entityMetadata":{"id":"tt1"},"reviews":[{"review":{"cursor":"not-this"}}],"pageInfo":{"endCursor":"E","hasNextPage":true}}"#,
        ))
        .unwrap();
        assert_eq!(p.next_cursor.as_deref(), Some("E"));
        let p = parse_reviews_page(&with(
            r#"{"entityMetadata":{"id":"tt1"},"reviews":[],"pageInfo":{"endCursor":"E","hasNextPage":false}}"#,
        ))
        .unwrap();
        assert_eq!(p.next_cursor, None);
        let p = parse_reviews_page(&with(
            r#"{"entityMetadata":{"id":"tt1"},"reviews":[],"data":{"title":{"reviews":{"edges":[{"cursor":"c1"}]}}}}"#,
        ))
        .unwrap();
        assert_eq!(p.next_cursor, None, "per-item cursors are not the next page");
        let html = with(r#"{"reviews":[]}"#)
            .replace("<head>", r#"<head><link rel="canonical" href="https://www.imdb.com/title/tt0000042/reviews/">"#)
            + r#"<div class="load-more-data" data-key="OLDKEY"></div>"#;
        let p = parse_reviews_page(&html).unwrap();
        assert_eq!((p.title_id.as_str(), p.next_cursor.as_deref()), ("tt0000042", Some("OLDKEY")));
    }

    #[test]
    fn errors_name_what_is_missing() {
        let e = parse_reviews_page("<html></html>").unwrap_err();
        assert!(matches!(e, ParseError::NoData { ref reason } if reason.contains("__NEXT_DATA__")), "{e}");
        let e = parse_reviews_page(&page(r#"{"props":{"pageProps":{}}}"#)).unwrap_err();
        assert!(e.to_string().contains("contentData.reviews"), "{e}");
        let e = parse_reviews_page(&page(r#"{"props":{"pageProps":{"contentData":{"reviews":[]}}}}"#)).unwrap_err();
        assert!(e.to_string().contains("no title id"), "{e}");
        let e = parse_reviews_page(&page(r#"{"props":{"#)).unwrap_err();
        assert!(matches!(e, ParseError::BadJson { blob: Blob::NextData, line: 1, .. }), "{e}");
    }
}
