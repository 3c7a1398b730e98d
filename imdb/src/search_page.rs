//! List pages: search results (`/search/title/?…`), charts (`/chart/top/`), lists.

use serde_json::Value;

use crate::html;
use crate::json::{array_at, at, find_cursor, str_at};
use crate::model::SearchPage;
use crate::reviews::CURSOR_KEYS;

/// Where list pages keep their results in `__NEXT_DATA__`, under `props.pageProps`: the path of
/// the item list, and the path of the title id within an item.
const RESULT_LISTS: &[(&[&str], &[&str])] = &[
    (&["searchResults", "titleResults", "titleListItems"], &["titleId"]),
    (&["titleResults", "results"], &["id"]),
    (&["pageData", "chartTitles", "edges"], &["node", "id"]),
    (&["mainColumnData", "list", "titleListItemSearch", "edges"], &["listItem", "id"]),
    (&["mainColumnData", "predefinedList", "titleListItemSearch", "edges"], &["listItem", "id"]),
    (&["mainColumnData", "advancedTitleSearch", "edges"], &["node", "title", "id"]),
];

/// Parses a list page into its title ids and the next page.
///
/// Ids come from `__NEXT_DATA__` when it holds a known result list (search results
/// `searchResults.titleResults.titleListItems[].titleId`; also the find page, charts and user
/// lists), else from the page's links: the first `/title/tt…/` link inside each
/// `<li class="ipc-metadata-list-summary-item">`, or, on a page without such items, every
/// `/title/tt…/` link. Ids are deduplicated, keeping the first occurrence.
///
/// `next`: a cursor found near the result list (the keys of [`CURSOR_KEYS`], e.g.
/// `pageInfo.endCursor`; `"hasNextPage": false` means none), else the `href` of a link with
/// `rel="next"` or class `next-page` / `lister-page-next`.
///
/// Never fails: a page with nothing recognisable gives an empty list.
pub fn parse_search_page(html: &str) -> SearchPage {
    let next = html::next_data(html).and_then(|b| serde_json::from_str::<Value>(b).ok());
    search_from(html, next.as_ref())
}

/// Whether a parsed `__NEXT_DATA__` holds a known result list.
pub(crate) fn is_search_next_data(v: &Value) -> bool {
    at(v, &["props", "pageProps"])
        .is_some_and(|pp| RESULT_LISTS.iter().any(|(list, _)| at(pp, list).is_some_and(Value::is_array)))
}

pub(crate) fn search_from(html: &str, next_data: Option<&Value>) -> SearchPage {
    let pp = next_data.and_then(|v| at(v, &["props", "pageProps"]));
    let mut ids = Vec::new();
    let mut next = None;
    if let Some(pp) = pp {
        for (list, id_path) in RESULT_LISTS {
            if at(pp, list).is_none() {
                continue;
            }
            ids.extend(
                array_at(pp, list)
                    .iter()
                    .filter_map(|item| str_at(item, id_path))
                    .filter(|id| html::is_title_id(id))
                    .map(str::to_string),
            );
            // The cursor lives beside the list (e.g. `titleResults.pageInfo.endCursor`).
            let container = at(pp, &list[..list.len() - 1]).unwrap_or(pp);
            next = next.or_else(|| find_cursor(container, CURSOR_KEYS, &["titleListItems", "edges", "results"], 3));
        }
    }
    if ids.is_empty() {
        ids = ids_from_links(html);
    }
    if next.is_none() {
        next = next_link(html);
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    SearchPage { ids, next }
}

/// Whether the page has `li.ipc-metadata-list-summary-item` result items.
pub(crate) fn has_summary_items(html: &str) -> bool {
    !summary_items(html).is_empty()
}

fn summary_items(html: &str) -> Vec<usize> {
    html::open_tags(html, "li")
        .into_iter()
        .filter(|(_, attrs)| {
            html::attr_value(attrs, "class").is_some_and(|c| html::has_class(&c, "ipc-metadata-list-summary-item"))
        })
        .map(|(start, _)| start)
        .collect()
}

fn ids_from_links(html: &str) -> Vec<String> {
    let items = summary_items(html);
    if items.is_empty() {
        return html::title_links(html, 0, html.len());
    }
    items
        .iter()
        .enumerate()
        .filter_map(|(i, &start)| {
            let end = items.get(i + 1).copied().unwrap_or(html.len());
            html::title_links(html, start, end).into_iter().next()
        })
        .collect()
}

fn next_link(html: &str) -> Option<String> {
    ["a", "link"].iter().flat_map(|tag| html::open_tags(html, tag)).find_map(|(_, attrs)| {
        let rel_next = html::attr_value(attrs, "rel")
            .is_some_and(|r| r.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("next")));
        let class_next = html::attr_value(attrs, "class")
            .is_some_and(|c| html::has_class(&c, "next-page") || html::has_class(&c, "lister-page-next"));
        if rel_next || class_next {
            html::attr_value(attrs, "href").filter(|h| !h.trim().is_empty())
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_data_results_win_and_dedupe() {
        let html = r#"<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"searchResults":{"titleResults":{
            "titleListItems":[{"titleId":"tt0000001"},{"titleId":"tt0000002"},{"titleId":"tt0000001"},{"titleId":"bogus"},{}],
            "pageInfo":{"endCursor":"CUR","hasNextPage":true}}}}}}</script>
            <a href="/title/tt9999999/">other</a>"#;
        let p = parse_search_page(html);
        assert_eq!(p.ids, vec!["tt0000001", "tt0000002"]);
        assert_eq!(p.next.as_deref(), Some("CUR"));
    }

    #[test]
    fn chart_shape() {
        let html = r#"<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"pageData":{"chartTitles":{
            "edges":[{"node":{"id":"tt0111161"}},{"node":{"id":"tt0068646"}}],"pageInfo":{"endCursor":"X","hasNextPage":false}}}}}}</script>"#;
        let p = parse_search_page(html);
        assert_eq!(p.ids, vec!["tt0111161", "tt0068646"]);
        assert_eq!(p.next, None);
    }

    #[test]
    fn links_inside_summary_items() {
        let html = r#"<ul><li class="ipc-metadata-list-summary-item sc-x"><a href="/title/tt0000003/?ref_=sr_t_1">A</a>
            <a href="/title/tt0000003/ratings">r</a></li>
            <li class="ipc-metadata-list-summary-item"><div><a href="/title/tt0000004/">B</a></div></li>
            <li class="ipc-metadata-list-summary-item"><a href="/title/tt0000003/">A again</a></li></ul>
            <footer><a href="/title/tt7777777/">recently viewed</a></footer>
            <a class="lister-page-next next-page" href="/search/title/?moviemeter=51,100&amp;start=51">Next</a>"#;
        let p = parse_search_page(html);
        assert_eq!(p.ids, vec!["tt0000003", "tt0000004"]);
        assert_eq!(p.next.as_deref(), Some("/search/title/?moviemeter=51,100&start=51"));
    }

    #[test]
    fn bare_links_and_nothing() {
        let p =
            parse_search_page(r#"<a href="/title/tt1/">x</a> <a href="/title/tt2">y</a> <link rel="next" href="/p2">"#);
        assert_eq!(p.ids, vec!["tt1", "tt2"]);
        assert_eq!(p.next.as_deref(), Some("/p2"));
        assert_eq!(parse_search_page(""), SearchPage::default());
        assert_eq!(parse_search_page(r#"<script id="__NEXT_DATA__">{"#), SearchPage::default());
    }
}
