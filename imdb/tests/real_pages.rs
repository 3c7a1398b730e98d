//! The nine real title pages saved in February 2023 (`shared/data/imdb-pages/`), read in place:
//! every value asserted here was read off the page's own JSON.

use imdb::{parse_any, parse_search_page, parse_title_page, Blob, ParseError, Parsed, Source, TitlePage};
use serde_json::Value;

macro_rules! page_path {
    ($file:literal) => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/imdb-pages/", $file)
    };
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// What each page says, from its `__NEXT_DATA__`.
struct Expect {
    path: &'static str,
    id: &'static str,
    title: &'static str,
    original_title: &'static str,
    title_type: &'static str,
    year: i32,
    end_year: Option<i32>,
    runtime: Option<u32>,
    rating: Option<f64>,
    votes: i64,
    metascore: Option<u32>,
    genres: &'static [&'static str],
    directors: &'static [(&'static str, &'static str)],
    creators: &'static [(&'static str, &'static str)],
    writers: &'static [(&'static str, &'static str)],
    /// First three billed, with their first character.
    cast3: &'static [(&'static str, &'static str, &'static str)],
    cast_len: usize,
    gross_worldwide: Option<(i64, &'static str)>,
    gross_domestic: Option<(i64, &'static str)>,
    budget: Option<(i64, &'static str)>,
    user_reviews: i64,
    critic_reviews: i64,
    top_rank: Option<i64>,
    languages: &'static [&'static str],
    countries: &'static [&'static str],
    plot_starts: Option<&'static str>,
    /// From JSON-LD: `datePublished`'s year and `duration`.
    ld_year: i32,
    ld_runtime: Option<u32>,
    ld_type: &'static str,
}

const PAGES: &[Expect] = &[
    Expect {
        path: page_path!("title-tt0375568.html"),
        id: "tt0375568",
        title: "Astro Boy",
        original_title: "Astro Boy",
        title_type: "movie",
        year: 2009,
        end_year: None,
        runtime: Some(94),
        rating: Some(6.3),
        votes: 35_994,
        metascore: Some(53),
        genres: &["Animation", "Action", "Adventure", "Comedy", "Drama", "Family", "Fantasy", "Sci-Fi"],
        directors: &[("nm0101047", "David Bowers")],
        creators: &[],
        writers: &[("nm0856804", "Osamu Tezuka"), ("nm0101047", "David Bowers"), ("nm0365390", "Timothy Harris")],
        cast3: &[
            ("nm0383603", "Freddie Highmore", "Astro"),
            ("nm0000115", "Nicolas Cage", "Dr. Tenma"),
            ("nm0068338", "Kristen Bell", "Cora"),
        ],
        cast_len: 20,
        gross_worldwide: Some((39_886_986, "USD")),
        gross_domestic: Some((19_551_067, "USD")),
        budget: Some((65_000_000, "USD")),
        user_reviews: 94,
        critic_reviews: 130,
        top_rank: Some(3968),
        languages: &["English"],
        countries: &["Hong Kong", "United States"],
        plot_starts: Some("When an android replica of a boy is rejected by his aggrieved creator"),
        ld_year: 2009,
        ld_runtime: Some(94),
        ld_type: "movie",
    },
    Expect {
        path: page_path!("title-tt0816352.html"),
        id: "tt0816352",
        title: "Nybyggerne: Part 1",
        original_title: "Nybyggerne: Part 1",
        title_type: "tvEpisode",
        year: 2002,
        end_year: None,
        runtime: None,
        rating: None,
        votes: 0,
        metascore: None,
        genres: &["Documentary"],
        directors: &[("nm1309987", "Anton Gammelgaard"), ("nm1460553", "Berit Wheler")],
        creators: &[],
        writers: &[("nm1309987", "Anton Gammelgaard"), ("nm1460553", "Berit Wheler")],
        cast3: &[],
        cast_len: 0,
        gross_worldwide: None,
        gross_domestic: None,
        budget: None,
        user_reviews: 0,
        critic_reviews: 0,
        top_rank: None,
        languages: &[],
        countries: &[],
        plot_starts: None,
        ld_year: 2002,
        ld_runtime: None,
        ld_type: "tvEpisode",
    },
    Expect {
        path: page_path!("title-tt2372220.html"),
        id: "tt2372220",
        title: "The White Queen",
        original_title: "The White Queen",
        title_type: "tvMiniSeries",
        year: 2013,
        end_year: Some(2013),
        runtime: Some(60),
        rating: Some(7.8),
        votes: 26_250,
        metascore: None,
        genres: &["Drama", "History", "Romance", "War"],
        directors: &[],
        creators: &[],
        writers: &[],
        cast3: &[
            ("nm2902567", "Aneurin Barnard", "Richard Duke of Gloucester"),
            ("nm0272581", "Rebecca Ferguson", "Queen Elizabeth"),
            ("nm2380918", "Amanda Hale", "Lady Margaret Beaufort"),
        ],
        cast_len: 20,
        gross_worldwide: None,
        gross_domestic: None,
        budget: Some((25_000_000, "GBP")),
        user_reviews: 109,
        critic_reviews: 14,
        top_rank: Some(877),
        languages: &["English"],
        countries: &["United Kingdom", "France"],
        plot_starts: Some("Three different, yet equally relentless women vie for the throne"),
        ld_year: 2013,
        ld_runtime: None,
        ld_type: "tvSeries",
    },
    Expect {
        path: page_path!("title-tt2487090.html"),
        id: "tt2487090",
        title: "Sam & Cat",
        original_title: "Sam & Cat",
        title_type: "tvSeries",
        year: 2013,
        end_year: Some(2014),
        runtime: Some(30),
        rating: Some(5.6),
        votes: 9_221,
        metascore: None,
        genres: &["Comedy", "Drama", "Family"],
        directors: &[],
        creators: &[("nm0773759", "Dan Schneider")],
        writers: &[],
        cast3: &[
            ("nm1390614", "Jennette McCurdy", "Sam Puckett"),
            ("nm3812858", "Ariana Grande", "Cat Valentine"),
            ("nm4398294", "Cameron Ocasio", "Dice"),
        ],
        cast_len: 20,
        gross_worldwide: None,
        gross_domestic: None,
        budget: None,
        user_reviews: 69,
        critic_reviews: 2,
        top_rank: None,
        languages: &["English"],
        countries: &["United States"],
        plot_starts: Some("A pair of roommates start a baby-sitting service"),
        ld_year: 2013,
        ld_runtime: None,
        ld_type: "tvSeries",
    },
    Expect {
        path: page_path!("title-tt3876702.html"),
        id: "tt3876702",
        title: "The Violators",
        original_title: "The Violators",
        title_type: "movie",
        year: 2015,
        end_year: None,
        runtime: Some(101),
        rating: Some(6.1),
        votes: 482,
        metascore: Some(60),
        genres: &["Drama"],
        directors: &[("nm6641253", "Helen Walsh")],
        creators: &[],
        writers: &[("nm6641253", "Helen Walsh")],
        cast3: &[
            ("nm5435147", "Lauren McQueen", "Shelly"),
            ("nm5310756", "Brogan Ellis", "Rachel"),
            ("nm0520510", "Stephen Lord", "Mikey"),
        ],
        cast_len: 20,
        gross_worldwide: Some((1_848, "USD")),
        gross_domestic: None,
        budget: None,
        user_reviews: 10,
        critic_reviews: 30,
        top_rank: None,
        languages: &["English"],
        countries: &["United Kingdom"],
        plot_starts: Some("When Shelly meets Rachel"),
        // JSON-LD's datePublished is the UK release, 2016-06-17; the title's year is 2015.
        ld_year: 2016,
        ld_runtime: Some(101),
        ld_type: "movie",
    },
    Expect {
        path: page_path!("title-tt4919664.html"),
        id: "tt4919664",
        title: "The Pilot",
        original_title: "The Pilot",
        title_type: "tvEpisode",
        year: 2016,
        end_year: None,
        runtime: Some(21),
        rating: Some(8.1),
        votes: 324,
        metascore: None,
        genres: &["Adventure", "Comedy"],
        directors: &[("nm0684336", "Steve Pink")],
        creators: &[],
        writers: &[("nm0428319", "Jason Jones"), ("nm1200650", "Samantha Bee")],
        cast3: &[
            ("nm0428319", "Jason Jones", "Nate Parker"),
            ("nm0954036", "Natalie Zea", "Robin Parker"),
            ("nm3406379", "Ashley Gerasimovich", "Delilah Parker"),
        ],
        cast_len: 18,
        gross_worldwide: None,
        gross_domestic: None,
        budget: None,
        user_reviews: 1,
        critic_reviews: 1,
        top_rank: None,
        languages: &[],
        countries: &[],
        plot_starts: Some("Family skips plane ride and drives to vacation spot."),
        ld_year: 2016,
        ld_runtime: Some(21),
        ld_type: "tvEpisode",
    },
    Expect {
        path: page_path!("title-tt5667286.html"),
        id: "tt5667286",
        title: "The Witcher 3: Wild Hunt - Blood and Wine",
        original_title: "Wiedzmin 3: Dziki Gon Krew i wino",
        title_type: "videoGame",
        year: 2016,
        end_year: None,
        runtime: None,
        rating: Some(9.7),
        votes: 7_156,
        metascore: None,
        genres: &["Action", "Adventure", "Drama", "Fantasy", "Horror", "Mystery"],
        directors: &[("nm2840922", "Konrad Tomaszkiewicz")],
        creators: &[],
        writers: &[
            ("nm5549075", "Blazej Augustynek"),
            ("nm2840875", "Marcin Blacha"),
            ("nm1140292", "Andrzej Sapkowski"),
        ],
        cast3: &[
            ("nm0168339", "Doug Cockle", "Geralt of Rivia"),
            ("nm1769728", "MyAnna Buring", "Anna Henrietta"),
            ("nm1553405", "Antonia Bernath", "Syanna"),
        ],
        cast_len: 20,
        gross_worldwide: None,
        gross_domestic: None,
        budget: None,
        user_reviews: 6,
        critic_reviews: 2,
        top_rank: None,
        languages: &["Polish"],
        countries: &["Poland"],
        plot_starts: Some("Geralt is in the southern province of Toussaint"),
        ld_year: 2016,
        ld_runtime: None,
        ld_type: "videoGame",
    },
    Expect {
        path: page_path!("title-tt7214470.html"),
        id: "tt7214470",
        title: "Haunted Hospital",
        original_title: "Heilstätten",
        title_type: "movie",
        year: 2018,
        end_year: None,
        runtime: Some(89),
        rating: Some(4.1),
        votes: 1_744,
        metascore: None,
        genres: &["Horror", "Mystery", "Thriller"],
        directors: &[("nm5673990", "Michael David Pate")],
        creators: &[],
        writers: &[("nm5673990", "Michael David Pate"), ("nm0956050", "Ecki Ziedrich")],
        cast3: &[
            ("nm2977411", "Nilam Farooq", "Betty"),
            ("nm10697353", "Connie Fernandez", "Marnie"),
            ("nm3736502", "Farina Flebbe", "Vanessa"),
        ],
        cast_len: 14,
        gross_worldwide: Some((2_330_777, "USD")),
        gross_domestic: None,
        budget: None,
        user_reviews: 27,
        critic_reviews: 41,
        top_rank: None,
        languages: &["German"],
        countries: &["Germany"],
        plot_starts: Some("In HEILSTÄTTEN, a remote, gloomy sanctuary near Berlin"),
        ld_year: 2018,
        ld_runtime: Some(89),
        ld_type: "movie",
    },
    Expect {
        path: page_path!("title-tt7728344.html"),
        id: "tt7728344",
        title: "Marvel Rising: Secret Warriors",
        original_title: "Marvel Rising: Secret Warriors",
        title_type: "tvMovie",
        year: 2018,
        end_year: None,
        runtime: Some(80),
        rating: Some(5.3),
        votes: 1_249,
        metascore: None,
        genres: &["Animation", "Action", "Comedy", "Fantasy", "Sci-Fi"],
        directors: &[("nm0319791", "Alfred Gimeno"), ("nm0705779", "Eric Radomski")],
        creators: &[],
        writers: &[("nm3309878", "Mairghread Scott")],
        cast3: &[
            ("nm0048389", "Dee Bradley Baker", "Tippy-Toe"),
            ("nm4032297", "Chloe Bennet", "Quake"),
            ("nm3111065", "Kathreen Khavari", "Ms. Marvel"),
        ],
        cast_len: 14,
        gross_worldwide: None,
        gross_domestic: None,
        budget: None,
        user_reviews: 37,
        critic_reviews: 4,
        top_rank: None,
        languages: &["English"],
        countries: &["United States"],
        plot_starts: Some("Marvel Rising: Secret Warriors will launch first"),
        ld_year: 2018,
        // JSON-LD cannot tell a TV movie from a film.
        ld_runtime: Some(80),
        ld_type: "movie",
    },
];

fn people(list: &[imdb::Person]) -> Vec<(&str, &str)> {
    list.iter().map(|p| (p.id.as_deref().unwrap_or(""), p.name.as_str())).collect()
}

fn money(m: &Option<imdb::Money>) -> Option<(i64, &str)> {
    m.as_ref().map(|m| (m.amount, m.currency.as_str()))
}

fn check_next_data(e: &Expect, t: &TitlePage) {
    let ctx = e.id;
    assert_eq!(t.source, Source::NextData, "{ctx}");
    assert_eq!(t.id, e.id, "{ctx}");
    assert_eq!(t.title, e.title, "{ctx}");
    assert_eq!(t.original_title.as_deref(), Some(e.original_title), "{ctx}");
    assert_eq!(t.title_type.as_deref(), Some(e.title_type), "{ctx}");
    assert_eq!((t.year, t.end_year), (Some(e.year), e.end_year), "{ctx}");
    assert_eq!(t.runtime_minutes, e.runtime, "{ctx}");
    assert_eq!(t.rating, e.rating, "{ctx}");
    assert_eq!(t.votes, Some(e.votes), "{ctx}");
    assert_eq!(t.metascore, e.metascore, "{ctx}");
    assert_eq!(t.genres, e.genres, "{ctx}");
    assert_eq!(people(&t.directors), e.directors, "{ctx}");
    assert_eq!(people(&t.creators), e.creators, "{ctx}");
    assert_eq!(people(&t.writers), e.writers, "{ctx}");
    let cast3: Vec<_> = t
        .cast
        .iter()
        .take(3)
        .map(|c| (c.id.as_deref().unwrap_or(""), c.name.as_str(), c.characters.first().map_or("", String::as_str)))
        .collect();
    assert_eq!(cast3, e.cast3, "{ctx}");
    assert_eq!(t.cast.len(), e.cast_len, "{ctx}");
    assert_eq!(money(&t.gross_worldwide), e.gross_worldwide, "{ctx}");
    let usd = e.gross_worldwide.filter(|(_, c)| *c == "USD").map(|(a, _)| a);
    assert_eq!(t.gross_worldwide_usd, usd, "{ctx}");
    assert_eq!(money(&t.gross_domestic), e.gross_domestic, "{ctx}");
    assert_eq!(money(&t.budget), e.budget, "{ctx}");
    assert_eq!(t.user_review_count, Some(e.user_reviews), "{ctx}");
    assert_eq!(t.critic_review_count, Some(e.critic_reviews), "{ctx}");
    assert_eq!(t.top_rank, e.top_rank, "{ctx}");
    assert_eq!(t.languages, e.languages, "{ctx}");
    assert_eq!(t.countries, e.countries, "{ctx}");
    match e.plot_starts {
        Some(p) => assert!(t.plot.as_deref().is_some_and(|plot| plot.starts_with(p)), "{ctx}: {:?}", t.plot),
        None => assert_eq!(t.plot, None, "{ctx}"),
    }
    assert_eq!(t.poster_url.is_some(), e.plot_starts.is_some(), "{ctx}: only the episode without a plot has no poster");
    if let Some(url) = &t.poster_url {
        assert!(url.starts_with("https://m.media-amazon.com/images/M/"), "{ctx}: {url}");
    }
}

#[test]
fn every_real_page_parses_from_next_data() {
    for e in PAGES {
        let html = read(e.path);
        let t = parse_title_page(&html).unwrap_or_else(|err| panic!("{}: {err}", e.id));
        check_next_data(e, &t);
        assert_eq!(parse_any(&html).unwrap(), Parsed::Title(t));
    }
}

#[test]
fn astro_boy_cast_in_billing_order() {
    let t = parse_title_page(&read(PAGES[0].path)).unwrap();
    let names: Vec<&str> = t.cast.iter().take(6).map(|c| c.name.as_str()).collect();
    // The page's own "Top cast" order: principal cast, then the rest.
    assert_eq!(
        names,
        ["Freddie Highmore", "Nicolas Cage", "Kristen Bell", "Charlize Theron", "Ryan Stiles", "Eugene Levy"]
    );
    assert_eq!(t.cast[0].characters, ["Astro", "Toby"]);
    assert_eq!(t.cast[4].characters, ["Mr. Moustachio", "Burning Robot"]);
}

/// The page with its `__NEXT_DATA__` script removed.
fn strip_next_data(html: &str) -> String {
    let start = html.find("<script id=\"__NEXT_DATA__\"").expect("has __NEXT_DATA__");
    let end = start + html[start..].find("</script>").expect("closed") + "</script>".len();
    format!("{}{}", &html[..start], &html[end..])
}

/// The page with its JSON-LD script removed.
fn strip_json_ld(html: &str) -> String {
    let start = html.find("<script type=\"application/ld+json\">").expect("has JSON-LD");
    let end = start + html[start..].find("</script>").expect("closed") + "</script>".len();
    format!("{}{}", &html[..start], &html[end..])
}

/// The page with its `__NEXT_DATA__` rewritten by `edit`.
fn edit_next_data(html: &str, edit: impl FnOnce(&mut Value)) -> String {
    let open = "<script id=\"__NEXT_DATA__\" type=\"application/json\">";
    let start = html.find(open).expect("has __NEXT_DATA__") + open.len();
    let end = start + html[start..].find("</script>").expect("closed");
    let mut v: Value = serde_json::from_str(&html[start..end]).unwrap();
    edit(&mut v);
    // As Next.js does: `<` escaped, or a "</script>" inside a string would end the block.
    let json = serde_json::to_string(&v).unwrap().replace('<', "\\u003c");
    format!("{}{json}{}", &html[..start], &html[end..])
}

#[test]
fn without_next_data_every_page_falls_back_to_json_ld() {
    for e in PAGES {
        let full = parse_title_page(&read(e.path)).unwrap();
        let t = parse_title_page(&strip_next_data(&read(e.path))).unwrap_or_else(|err| panic!("{}: {err}", e.id));
        let ctx = e.id;
        assert_eq!(t.source, Source::JsonLd, "{ctx}");
        assert_eq!((t.id.as_str(), t.title.as_str()), (e.id, e.title), "{ctx}: entities decoded, English title");
        assert_eq!(t.original_title.as_deref(), Some(e.original_title), "{ctx}");
        assert_eq!(t.title_type.as_deref(), Some(e.ld_type), "{ctx}");
        assert_eq!(t.year, Some(e.ld_year), "{ctx}");
        assert_eq!(t.runtime_minutes, e.ld_runtime, "{ctx}");
        assert_eq!((t.rating, t.votes), (e.rating, if e.rating.is_some() { Some(e.votes) } else { None }), "{ctx}");
        assert_eq!(t.genres, e.genres[..e.genres.len().min(3)], "{ctx}: JSON-LD lists at most three genres");
        assert_eq!(t.directors, full.directors, "{ctx}");
        assert_eq!(t.writers, full.writers, "{ctx}");
        assert_eq!(t.creators, full.creators, "{ctx}");
        let names =
            |c: &[imdb::CastMember]| c.iter().take(3).map(|c| (c.id.clone(), c.name.clone())).collect::<Vec<_>>();
        assert_eq!(names(&t.cast), names(&full.cast), "{ctx}");
        assert_eq!(t.plot, full.plot, "{ctx}: description, entities decoded");
        assert_eq!(t.poster_url, full.poster_url, "{ctx}");
        assert_eq!((t.metascore, t.user_review_count, t.budget.clone(), t.top_rank), (None, None, None, None), "{ctx}");
        assert!(t.languages.is_empty() && t.countries.is_empty(), "{ctx}");
    }
}

#[test]
fn moved_main_column_data_leaves_those_fields_empty() {
    let html = read(PAGES[0].path).replace("\"mainColumnData\":", "\"mainColumnDataMoved\":");
    let t = parse_title_page(&html).unwrap();
    assert_eq!(t.source, Source::NextData);
    assert_eq!((t.title.as_str(), t.year, t.rating, t.votes), ("Astro Boy", Some(2009), Some(6.3), Some(35_994)));
    // Credits fall back to aboveTheFoldData.principalCredits.
    assert_eq!(people(&t.directors), [("nm0101047", "David Bowers")]);
    assert_eq!(people(&t.writers).len(), 3);
    let cast: Vec<&str> = t.cast.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cast, ["Freddie Highmore", "Nicolas Cage", "Kristen Bell"]);
    assert_eq!((t.gross_worldwide, t.gross_worldwide_usd, t.budget, t.top_rank), (None, None, None, None));
    assert!(t.languages.is_empty() && t.countries.is_empty());
}

#[test]
fn moved_above_the_fold_data_reads_what_main_column_data_has() {
    let html = read(PAGES[0].path).replace("\"aboveTheFoldData\":", "\"aboveTheFoldDataMoved\":");
    let t = parse_title_page(&html).unwrap();
    assert_eq!(t.source, Source::NextData);
    assert_eq!(
        (t.id.as_str(), t.title.as_str(), t.year, t.runtime_minutes),
        ("tt0375568", "Astro Boy", Some(2009), Some(94))
    );
    // mainColumnData has no rating, metascore or plot.
    assert_eq!((t.rating, t.votes, t.metascore, t.plot.clone()), (None, None, None, None));
    assert_eq!(t.cast.len(), 20);
    assert_eq!(t.gross_worldwide_usd, Some(39_886_986));
}

#[test]
fn renamed_title_text_falls_back_then_errors_clearly() {
    let html = read(PAGES[0].path).replace("\"titleText\":", "\"nameOfTitle\":");
    let t = parse_title_page(&html).unwrap();
    assert_eq!((t.source, t.title.as_str()), (Source::JsonLd, "Astro Boy"));

    let err = parse_title_page(&strip_json_ld(&html)).unwrap_err();
    assert_eq!(
        err,
        ParseError::NoData {
            reason: "__NEXT_DATA__ has no props.pageProps.aboveTheFoldData.titleText.text; \
                     no <script type=\"application/ld+json\"> block"
                .into()
        }
    );
    assert!(parse_any(&strip_json_ld(&html)).is_err());
}

#[test]
fn newer_credit_shapes_are_read() {
    // principalCreditsV2 with `grouping`, castV2 groups, no principalCast.
    let html = edit_next_data(&read(PAGES[0].path), |v| {
        let pp = &mut v["props"]["pageProps"];
        let atf = pp["aboveTheFoldData"].as_object_mut().unwrap();
        let mut credits = atf.remove("principalCredits").unwrap();
        for g in credits.as_array_mut().unwrap() {
            let g = g.as_object_mut().unwrap();
            let cat = g.remove("category").unwrap();
            g.insert("grouping".into(), serde_json::json!({ "text": cat["text"] }));
        }
        atf.insert("principalCreditsV2".into(), credits);
        let mc = pp["mainColumnData"].as_object_mut().unwrap();
        mc.remove("principalCast");
        for key in ["directors", "writers", "creators"] {
            mc.remove(key);
        }
        let edges = mc.remove("cast").unwrap()["edges"].as_array().unwrap().clone();
        let credits: Vec<Value> = edges.iter().map(|e| e["node"].clone()).collect();
        mc.insert("castV2".into(), serde_json::json!([{ "grouping": { "text": "Top cast" }, "credits": credits }]));
    });
    let t = parse_title_page(&html).unwrap();
    assert_eq!(people(&t.directors), [("nm0101047", "David Bowers")]);
    assert_eq!(people(&t.writers)[0], ("nm0856804", "Osamu Tezuka"));
    let cast: Vec<&str> = t.cast.iter().take(5).map(|c| c.name.as_str()).collect();
    assert_eq!(cast, ["Freddie Highmore", "Nicolas Cage", "Kristen Bell", "Ryan Stiles", "Eugene Levy"]);
    assert_eq!(t.cast.len(), 19, "3 stars + 16 top cast");
    assert_eq!(t.cast[3].characters, ["Mr. Moustachio", "Burning Robot"]);
}

#[test]
fn bad_next_data_json_falls_back_or_reports_position() {
    let html = read(PAGES[3].path).replacen("{\"props\":", "{\"props\" ", 1);
    let t = parse_title_page(&html).unwrap();
    assert_eq!((t.source, t.title.as_str()), (Source::JsonLd, "Sam & Cat"));
    let err = parse_title_page(&strip_json_ld(&html)).unwrap_err();
    assert!(
        matches!(&err, ParseError::BadJson { blob: Blob::NextData, line: 1, column: 10, message } if message == "expected `:`"),
        "{err:?}"
    );
}

#[test]
fn truncated_pages_never_panic() {
    for e in PAGES {
        let html = read(e.path);
        let ld_open = html.find("<script type=\"application/ld+json\">").unwrap();
        let ld_close = ld_open + html[ld_open..].find("</script>").unwrap() + "</script>".len();
        let nd_open = html.find("<script id=\"__NEXT_DATA__\"").unwrap();
        let nd_close = nd_open + html[nd_open..].find("</script>").unwrap() + "</script>".len();
        let cuts = [
            0,
            1,
            100,
            ld_open + 40,
            ld_close - 20,
            ld_close,
            (ld_close + nd_open) / 2,
            nd_open + 60,
            nd_open + (nd_close - nd_open) / 2,
            nd_close - 12,
            nd_close,
            html.len() - 1,
        ];
        for cut in cuts {
            let mut cut = cut.min(html.len());
            while !html.is_char_boundary(cut) {
                cut -= 1;
            }
            let prefix = &html[..cut];
            let parsed = parse_title_page(prefix);
            let _ = parse_search_page(prefix);
            if cut >= nd_close {
                assert_eq!(parsed.as_ref().map(|t| t.source), Ok(Source::NextData), "{} cut at {cut}", e.id);
            } else if cut >= ld_close {
                let t = parsed.as_ref().unwrap_or_else(|err| panic!("{} cut at {cut}: {err}", e.id));
                assert_eq!((t.source, t.id.as_str(), t.title.as_str()), (Source::JsonLd, e.id, e.title));
            } else {
                assert!(parsed.is_err(), "{} cut at {cut}", e.id);
            }
            let any = parse_any(prefix);
            assert_eq!(any.is_ok(), parsed.is_ok(), "{} cut at {cut}", e.id);
        }
    }
}

#[test]
fn real_records_survive_serde_as_the_cli_prints_them() {
    // The fixture round trip of these records is a unit test (`src/tests.rs`), where `fixtures`
    // is compiled without the feature.
    for e in PAGES {
        let t = parse_title_page(&read(e.path)).unwrap();
        let json = serde_json::to_string(&Parsed::Title(t.clone())).unwrap();
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["kind"], "title");
        assert_eq!(v["source"], "next_data");
        assert!(
            v.get("runtime_minutes").is_some()
                && v.get("gross_worldwide_usd").is_some()
                && v.get("user_review_count").is_some()
        );
        assert_eq!(serde_json::from_str::<Parsed>(&json).unwrap(), Parsed::Title(t));
    }
}
