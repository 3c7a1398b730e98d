//! Fixture round trips, page-kind detection and hostile inputs.

use crate::fixtures::{render_reviews_page, render_search_page, render_title_page, sample_title};
use crate::*;

/// The page without its `__NEXT_DATA__` script.
fn strip_next_data(html: &str) -> String {
    let start = html.find("<script id=\"__NEXT_DATA__\"").expect("page has __NEXT_DATA__");
    let end = start + html[start..].find("</script>").expect("closed") + "</script>".len();
    format!("{}{}", &html[..start], &html[end..])
}

fn series() -> TitlePage {
    TitlePage {
        id: "tt2487090".into(),
        title: "Sam & Cat </script> \"quoted\" it's".into(),
        original_title: Some("Sam & Cat </script> \"quoted\" it's".into()),
        title_type: Some("tvSeries".into()),
        year: Some(2013),
        end_year: Some(2014),
        runtime_minutes: Some(30),
        rating: Some(5.6),
        votes: Some(9221),
        metascore: None,
        plot: Some("A pair of roommates <b>start</b> a baby-sitting service & earn \u{2028} cash — ünïcødé.".into()),
        genres: vec!["Comedy".into(), "Drama".into(), "Family".into()],
        poster_url: Some("https://m.media-amazon.com/images/M/x.jpg?a=1&b=2".into()),
        directors: Vec::new(),
        creators: vec![Person { id: Some("nm0773759".into()), name: "Dan Schneider".into() }],
        writers: Vec::new(),
        cast: vec![
            CastMember {
                id: Some("nm1".into()),
                name: "Jennette McCurdy".into(),
                characters: vec!["Sam Puckett".into()],
            },
            CastMember { id: None, name: "No Id Person".into(), characters: Vec::new() },
            CastMember { id: Some("nm3".into()), name: "Two Roles".into(), characters: vec!["A".into(), "B".into()] },
        ],
        languages: vec!["English".into()],
        countries: vec!["United States".into()],
        gross_worldwide: None,
        gross_worldwide_usd: None,
        gross_domestic: None,
        budget: Some(Money { amount: 25_000_000, currency: "GBP".into() }),
        user_review_count: Some(69),
        critic_review_count: Some(2),
        top_rank: None,
        source: Source::NextData,
    }
}

fn episode() -> TitlePage {
    TitlePage {
        id: "tt0816352".into(),
        title: "Nybyggerne: Part 1".into(),
        original_title: Some("Nybyggerne: Part 1".into()),
        title_type: Some("tvEpisode".into()),
        year: Some(2002),
        votes: Some(0),
        genres: vec!["Documentary".into()],
        directors: vec![
            Person { id: Some("nm1309987".into()), name: "Anton Gammelgaard".into() },
            Person { id: Some("nm1460553".into()), name: "Berit Wheler".into() },
        ],
        writers: vec![Person { id: None, name: "Anon Writer".into() }],
        user_review_count: Some(0),
        critic_review_count: Some(0),
        ..TitlePage::default()
    }
}

fn blockbuster() -> TitlePage {
    let mut t = sample_title("tt0499549", "Avatar");
    t.gross_worldwide = Some(Money { amount: 2_923_706_026, currency: "USD".into() });
    t.gross_worldwide_usd = Some(2_923_706_026);
    t.gross_domestic = Some(Money { amount: 785_221_649, currency: "USD".into() });
    t.budget = Some(Money { amount: 237_000_000, currency: "USD".into() });
    t.runtime_minutes = Some(162);
    t.rating = Some(7.9);
    t.votes = Some(1_374_215);
    t.top_rank = Some(212);
    t
}

#[test]
fn title_round_trips() {
    for t in [
        sample_title("tt0375568", "Astro Boy"),
        series(),
        episode(),
        blockbuster(),
        TitlePage { id: "tt1".into(), title: "T".into(), ..TitlePage::default() },
    ] {
        let html = render_title_page(&t);
        assert_eq!(parse_title_page(&html).unwrap(), t, "{}", t.id);
        assert_eq!(parse_any(&html).unwrap(), Parsed::Title(t.clone()));
    }
}

#[test]
fn title_money_is_64_bit() {
    let t = parse_title_page(&render_title_page(&blockbuster())).unwrap();
    assert_eq!(t.gross_worldwide.unwrap().amount, 2_923_706_026);
    assert!(t.gross_worldwide_usd.unwrap() > i64::from(i32::MAX));
}

#[test]
fn rendered_title_falls_back_to_json_ld() {
    for t in [sample_title("tt0375568", "Astro Boy"), series(), blockbuster()] {
        let html = strip_next_data(&render_title_page(&t));
        let p = parse_title_page(&html).unwrap();
        assert_eq!(p.source, Source::JsonLd);
        assert_eq!((p.id.as_str(), p.title.as_str()), (t.id.as_str(), t.title.as_str()));
        assert_eq!(p.original_title, t.original_title);
        assert_eq!(p.year, t.year);
        assert_eq!(p.runtime_minutes, t.runtime_minutes);
        assert_eq!((p.rating, p.votes), (t.rating, t.votes));
        assert_eq!(p.plot, t.plot);
        assert_eq!(p.poster_url, t.poster_url);
        assert_eq!(p.genres, t.genres);
        assert_eq!(p.directors, t.directors);
        assert_eq!(p.writers, t.writers);
        assert_eq!(p.creators, t.creators);
        assert_eq!(
            p.cast.iter().map(|c| (&c.id, &c.name)).collect::<Vec<_>>(),
            t.cast.iter().map(|c| (&c.id, &c.name)).collect::<Vec<_>>()
        );
        // What JSON-LD does not carry.
        assert_eq!((p.metascore, p.user_review_count, p.gross_worldwide, p.top_rank), (None, None, None, None));
    }
}

fn reviews() -> Vec<Review> {
    vec![
        Review {
            id: Some("rw2139021".into()),
            author: Some("berrorg".into()),
            author_id: Some("ur0000001".into()),
            rating: Some(9),
            summary: Some("Amazingly BETTER than expected".into()),
            text: "I just came from an advance screening.\n\nBoy, I couldn't! \"This\" & <that>.\nGo, Astro! ünïcødé"
                .into(),
            date: Some("2009-10-17".into()),
            helpful_up: Some(120),
            helpful_down: Some(14),
            spoiler: false,
        },
        Review {
            id: Some("rw2".into()),
            author: Some("someone".into()),
            author_id: None,
            rating: None,
            summary: None,
            text: "Spoiler ahead.".into(),
            date: Some("2023-01-15".into()),
            helpful_up: Some(0),
            helpful_down: Some(0),
            spoiler: true,
        },
        Review::default(),
    ]
}

#[test]
fn reviews_round_trip() {
    for (list, cursor) in
        [(reviews(), Some("g4w6ddbmqyzdo6ic4oxwjnbmrdsm6aaaaaaaaa")), (reviews(), None), (Vec::new(), None)]
    {
        let html = render_reviews_page("tt0375568", &list, cursor);
        let want =
            ReviewsPage { title_id: "tt0375568".into(), reviews: list.clone(), next_cursor: cursor.map(String::from) };
        assert_eq!(parse_reviews_page(&html).unwrap(), want);
        assert_eq!(parse_any(&html).unwrap(), Parsed::Reviews(want));
    }
}

#[test]
fn search_round_trip_and_link_fallback() {
    let ids: Vec<String> = (1..=50).map(|i| format!("tt{:07}", 375_500 + i)).collect();
    for next in [Some("/search/title/?title_type=feature&moviemeter=51,100"), None] {
        let html = render_search_page(&ids, next);
        let want = SearchPage { ids: ids.clone(), next: next.map(String::from) };
        assert_eq!(parse_search_page(&html), want);
        assert_eq!(parse_any(&html).unwrap(), Parsed::Search(want.clone()));
        let no_json = strip_next_data(&html);
        assert_eq!(parse_search_page(&no_json), want, "from the links");
        assert_eq!(parse_any(&no_json).unwrap(), Parsed::Search(want));
    }
    let dup = vec!["tt0000001".to_string(), "tt0000002".into(), "tt0000001".into()];
    assert_eq!(parse_search_page(&render_search_page(&dup, None)).ids, vec!["tt0000001", "tt0000002"]);
}

#[test]
fn parsed_serializes_with_kind_and_snake_case() {
    let json = serde_json::to_value(parse_any(&render_title_page(&blockbuster())).unwrap()).unwrap();
    assert_eq!(json["kind"], "title");
    assert_eq!(json["source"], "next_data");
    assert_eq!(json["gross_worldwide_usd"], 2_923_706_026_i64);
    assert_eq!(json["runtime_minutes"], 162);
    let back: Parsed = serde_json::from_value(json).unwrap();
    assert_eq!(back, Parsed::Title(blockbuster()));
    let json = serde_json::to_value(parse_any(&render_reviews_page("tt1", &reviews(), Some("c"))).unwrap()).unwrap();
    assert_eq!(json["kind"], "reviews");
    assert_eq!(json["next_cursor"], "c");
    assert_eq!(json["reviews"][0]["helpful_up"], 120);
    let json = serde_json::to_value(parse_any(&render_search_page(&["tt1".into()], None)).unwrap()).unwrap();
    assert_eq!(json["kind"], "search");
}

#[test]
fn no_data_errors_name_what_is_missing() {
    let e = parse_title_page("<html><body>nothing</body></html>").unwrap_err();
    let ParseError::NoData { reason } = &e else { panic!("{e:?}") };
    assert!(reason.contains("__NEXT_DATA__") && reason.contains("ld+json"), "{reason}");
    let e = parse_any("<html><body>nothing</body></html>").unwrap_err();
    assert!(e.to_string().contains("not a title, reviews or list page"), "{e}");

    let html = r#"<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"aboveTheFoldData":{"id":"tt1"}}}}</script>
        <script type="application/ld+json">{"@type":"Movie","name":"No url"}</script>"#;
    let e = parse_title_page(html).unwrap_err();
    assert_eq!(
        e,
        ParseError::NoData {
            reason: "__NEXT_DATA__ has no props.pageProps.aboveTheFoldData.titleText.text; JSON-LD has no url with a /title/tt… id".into()
        }
    );
}

#[test]
fn bad_json_errors_carry_serde_position() {
    let html = "<script id=\"__NEXT_DATA__\" type=\"application/json\">{\"props\":\n {\"pageProps\": nope}}</script>";
    let e = parse_title_page(html).unwrap_err();
    let ParseError::BadJson { blob, line, column, message } = &e else { panic!("{e:?}") };
    assert_eq!((*blob, *line, *column), (Blob::NextData, 2, 17));
    assert_eq!(message, "expected ident");
    assert_eq!(e.to_string(), "invalid JSON in the __NEXT_DATA__ block at line 2, column 17: expected ident");

    let e = parse_title_page("<script type=\"application/ld+json\">{\"@type\":</script>").unwrap_err();
    assert!(matches!(e, ParseError::BadJson { blob: Blob::JsonLd, .. }), "{e:?}");
}

#[test]
fn wrong_types_and_odd_json_never_panic() {
    let bodies = [
        "null",
        "1",
        "\"s\"",
        "[]",
        "{}",
        r#"{"props":null}"#,
        r#"{"props":{"pageProps":[]}}"#,
        r#"{"props":{"pageProps":{"aboveTheFoldData":{"id":5,"titleText":{"text":7}}}}}"#,
        r#"{"props":{"pageProps":{"aboveTheFoldData":{"id":"tt1","titleText":{"text":"T"},"releaseYear":{"year":99999999999},
            "runtime":{"seconds":-5},"ratingsSummary":{"aggregateRating":"x","voteCount":1e300},"genres":{"genres":[1,null,{"text":3}]},
            "principalCredits":[null,1,{"category":5,"credits":{"x":1}}],"metacritic":{"metascore":{"score":-1}}},
            "mainColumnData":{"cast":{"edges":[null,{"node":null}]},"castV2":{"edges":7},"directors":"x","writers":[{"credits":[{"name":"str"}]}],
            "worldwideGross":{"total":{"amount":"1,000","currency":"USD"}},"productionBudget":{"budget":{"amount":1.5,"currency":"USD"}}}}}}"#,
        r#"{"props":{"pageProps":{"contentData":{"reviews":[null,1,"x",{"review":[]}],"entityMetadata":{"id":"tt1"}}}}}"#,
        r#"{"props":{"pageProps":{"searchResults":{"titleResults":{"titleListItems":{"a":1}}}}}}"#,
    ];
    for body in bodies {
        let html = format!("<script id=\"__NEXT_DATA__\" type=\"application/json\">{body}</script><script type=\"application/ld+json\">{body}</script>");
        let _ = parse_any(&html);
        let _ = parse_title_page(&html);
        let _ = parse_reviews_page(&html);
        let _ = parse_search_page(&html);
    }
    let html = format!(
        "<script id=\"__NEXT_DATA__\" type=\"application/json\">{}</script>",
        r#"{"props":{"pageProps":{"aboveTheFoldData":{"id":"tt1","titleText":{"text":"T"},"releaseYear":{"year":99999999999},"runtime":{"seconds":-5},"ratingsSummary":{"aggregateRating":"x","voteCount":1e300}},"mainColumnData":{"worldwideGross":{"total":{"amount":"1,000","currency":"USD"}},"productionBudget":{"budget":{"amount":1.5,"currency":"USD"}}}}}}"#
    );
    let t = parse_title_page(&html).unwrap();
    assert_eq!((t.year, t.runtime_minutes, t.rating, t.votes), (None, None, None, None));
    assert_eq!(t.gross_worldwide_usd, Some(1000));
    assert_eq!(t.budget, None);
}

#[test]
fn hostile_inputs_never_panic() {
    let deep = format!("<script id=\"__NEXT_DATA__\">{}{}</script>", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(parse_title_page(&deep), Err(ParseError::BadJson { .. })));
    let deep_obj = format!("<script id=\"__NEXT_DATA__\">{}</script>", "{\"a\":".repeat(50_000));
    let _ = parse_any(&deep_obj);
    let huge = "x".repeat(5_000_000);
    let huge_title = format!(
        "<script id=\"__NEXT_DATA__\">{{\"props\":{{\"pageProps\":{{\"aboveTheFoldData\":{{\"id\":\"tt1\",\"titleText\":{{\"text\":\"{huge}\"}}}}}}}}}}</script>"
    );
    assert_eq!(parse_title_page(&huge_title).unwrap().title.len(), 5_000_000);
    let inputs = [
        String::new(),
        "<".into(),
        "<script".into(),
        "<script id=\"__NEXT_DATA__\"".into(),
        "<script id='__NEXT_DATA__'>".into(),
        "&#".repeat(100_000),
        "<li class=\"ipc-metadata-list-summary-item\"".repeat(10_000),
        "/title/tt".repeat(100_000),
        "<script type=\"application/ld+json\">".repeat(10_000),
        "<a rel=next href='".repeat(10_000),
        "\u{0}\u{feff}\u{10ffff}<script>\u{fffd}</script>é".repeat(1000),
        "<link rel=\"canonical\" href=\"/title/tt".into(),
    ];
    for html in &inputs {
        let _ = parse_any(html);
        let _ = parse_title_page(html);
        let _ = parse_reviews_page(html);
        let _ = parse_search_page(html);
        let _ = html_to_text(html);
        let _ = decode_entities(html);
    }
}

#[test]
fn rendered_pages_cut_anywhere_never_panic() {
    let pages = [
        render_title_page(&series()),
        render_reviews_page("tt1", &reviews(), Some("cur")),
        render_search_page(&["tt1".into(), "tt2".into()], Some("/next")),
    ];
    for html in &pages {
        let step = (html.len() / 97).max(1);
        for cut in (0..html.len()).step_by(step) {
            let Some(prefix) = html.get(..cut) else { continue };
            let _ = parse_any(prefix);
            let _ = parse_reviews_page(prefix);
            let _ = parse_search_page(prefix);
        }
    }
}

#[test]
fn real_page_records_round_trip_through_the_renderer() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/imdb-pages/");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("shared/data/imdb-pages") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let real = parse_title_page(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let rendered = render_title_page(&real);
        assert_eq!(parse_title_page(&rendered).unwrap(), real, "{}", path.display());
        n += 1;
    }
    assert_eq!(n, 9);
}
