//! Renderers that write IMDb-format pages from records, for tests and the fixture HTTP server
//! (feature `fixtures`; always built for this crate's own tests).
//!
//! Each page carries a `__NEXT_DATA__` blob in the shape the parsers read (the shape of the real
//! pages saved in February 2023), plus, for title pages, JSON-LD with IMDb's entity-encoded
//! strings, and enough visible markup to look like the page. For a record `x` in the form the
//! parser produces, `parse(render(x)) == x` — the round trip the tests check. Records that
//! cannot round-trip exactly: empty strings (read back as `None`), a runtime of 0, text that is
//! not already tidy (see [`crate::html_to_text`]), repeated people (read back once), and a
//! `gross_worldwide_usd` that disagrees with `gross_worldwide` (it is derived on parse).

use serde_json::{json, Map, Value};

use crate::html::escape;
use crate::model::{CastMember, Money, Person, Review, Source, TitlePage};

/// How many cast members go into `mainColumnData.principalCast` (the rest go into `cast.edges`),
/// as on the real pages.
const PRINCIPAL_CAST: usize = 4;

/// Serializes JSON for a `<script>` body the way Next.js does: `<`, `>`, `&`, U+2028 and U+2029
/// escaped, so no string can close the script.
fn script_json(v: &Value) -> String {
    let s = serde_json::to_string(v).unwrap_or_else(|_| "null".to_string());
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, canonical: &str, head_extra: &str, body: &str, next_data: &Value) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-US\"><head><meta charset=\"utf-8\"/><title>{}</title>\
         <link rel=\"canonical\" href=\"https://www.imdb.com{canonical}\"/>{head_extra}</head>\n\
         <body><main>{body}</main>\n<script id=\"__NEXT_DATA__\" type=\"application/json\">{}</script></body></html>\n",
        escape(title),
        script_json(next_data)
    )
}

fn opt<T: serde::Serialize>(v: &Option<T>) -> Value {
    v.as_ref().map_or(Value::Null, |v| json!(v))
}

fn name_json(id: &Option<String>, name: &str) -> Value {
    let mut n = Map::new();
    if let Some(id) = id {
        n.insert("id".into(), json!(id));
    }
    n.insert("nameText".into(), json!({ "text": name }));
    Value::Object(n)
}

fn crew_json(p: &Person) -> Value {
    json!({ "name": name_json(&p.id, &p.name), "attributes": null })
}

fn cast_json(c: &CastMember) -> Value {
    json!({
        "name": name_json(&c.id, &c.name),
        "characters": c.characters.iter().map(|ch| json!({ "name": ch })).collect::<Vec<_>>(),
    })
}

fn group(label: &str, plural: &str, id: &str, credits: Vec<Value>) -> Value {
    let text = if credits.len() == 1 { label } else { plural };
    json!({ "totalCredits": credits.len(), "category": { "text": text, "id": id }, "credits": credits })
}

fn money_json(m: &Option<Money>) -> Value {
    m.as_ref().map_or(Value::Null, |m| json!({ "amount": m.amount, "currency": m.currency }))
}

fn type_text(id: &str) -> &str {
    match id {
        "movie" => "Movie",
        "tvSeries" => "TV Series",
        "tvEpisode" => "TV Episode",
        "tvMovie" => "TV Movie",
        "tvMiniSeries" => "TV Mini Series",
        "tvSpecial" => "TV Special",
        "tvShort" => "TV Short",
        "short" => "Short",
        "video" => "Video",
        "videoGame" => "Video Game",
        other => other,
    }
}

fn ld_type(id: &str) -> &'static str {
    match id {
        "tvSeries" | "tvMiniSeries" => "TVSeries",
        "tvEpisode" => "TVEpisode",
        "videoGame" => "VideoGame",
        "movie" | "tvMovie" | "short" | "tvShort" | "video" | "tvSpecial" => "Movie",
        _ => "CreativeWork",
    }
}

fn ld_people(people: &[Person]) -> Vec<Value> {
    people
        .iter()
        .map(|p| {
            let mut o = Map::new();
            o.insert("@type".into(), json!("Person"));
            if let Some(id) = &p.id {
                o.insert("url".into(), json!(format!("/name/{id}/")));
            }
            o.insert("name".into(), json!(escape(&p.name)));
            Value::Object(o)
        })
        .collect()
}

/// The JSON-LD object of a title page, strings entity-encoded as IMDb does.
fn title_json_ld(t: &TitlePage) -> Value {
    let mut o = Map::new();
    let ty = t.title_type.as_deref().map_or("CreativeWork", ld_type);
    o.insert("@context".into(), json!("https://schema.org"));
    o.insert("@type".into(), json!(ty));
    o.insert("url".into(), json!(format!("/title/{}/", t.id)));
    let name = t.original_title.as_deref().unwrap_or(&t.title);
    o.insert("name".into(), json!(escape(name)));
    if name != t.title {
        o.insert("alternateName".into(), json!(escape(&t.title)));
    }
    if let Some(url) = &t.poster_url {
        o.insert("image".into(), json!(escape(url)));
    }
    if let Some(plot) = &t.plot {
        o.insert("description".into(), json!(escape(plot)));
    }
    if t.rating.is_some() || t.votes.is_some() {
        o.insert(
            "aggregateRating".into(),
            json!({ "@type": "AggregateRating", "ratingCount": t.votes, "bestRating": 10, "worstRating": 1, "ratingValue": t.rating }),
        );
    }
    if !t.genres.is_empty() {
        o.insert("genre".into(), json!(t.genres.iter().map(|g| escape(g)).collect::<Vec<_>>()));
    }
    if let Some(year) = t.year {
        o.insert("datePublished".into(), json!(format!("{year:04}")));
    }
    if !t.cast.is_empty() {
        let actors: Vec<Person> = t.cast.iter().map(|c| Person { id: c.id.clone(), name: c.name.clone() }).collect();
        o.insert("actor".into(), json!(ld_people(&actors)));
    }
    if !t.directors.is_empty() {
        o.insert("director".into(), json!(ld_people(&t.directors)));
    }
    let creators = if ty == "TVSeries" { &t.creators } else { &t.writers };
    if !creators.is_empty() {
        o.insert("creator".into(), json!(ld_people(creators)));
    }
    if let Some(m) = t.runtime_minutes.filter(|m| *m > 0) {
        let d = match (m / 60, m % 60) {
            (0, m) => format!("PT{m}M"),
            (h, 0) => format!("PT{h}H"),
            (h, m) => format!("PT{h}H{m}M"),
        };
        o.insert("duration".into(), json!(d));
    }
    Value::Object(o)
}

/// Renders a title page for `t`: `__NEXT_DATA__` with `aboveTheFoldData` and `mainColumnData`
/// as the parser reads them, JSON-LD, and a visible header. `t.source` and
/// `t.gross_worldwide_usd` are not rendered (the parser sets them).
pub fn render_title_page(t: &TitlePage) -> String {
    let (principal_cast, rest_cast) = t.cast.split_at(t.cast.len().min(PRINCIPAL_CAST));
    let crew = |people: &[Person]| people.iter().map(crew_json).collect::<Vec<_>>();
    let mut principal_credits = Vec::new();
    if !t.directors.is_empty() {
        principal_credits.push(group("Director", "Directors", "director", crew(&t.directors)));
    }
    if !t.creators.is_empty() {
        principal_credits.push(group("Creator", "Creators", "creator", crew(&t.creators)));
    }
    if !t.writers.is_empty() {
        principal_credits.push(group("Writer", "Writers", "writer", crew(&t.writers)));
    }
    if !t.cast.is_empty() {
        let stars = t.cast.iter().take(3).map(cast_json).collect();
        principal_credits.push(group("Star", "Stars", "cast", stars));
    }
    let mc_group = |label: &str, plural: &str, id: &str, people: &[Person]| -> Value {
        if people.is_empty() {
            json!([])
        } else {
            json!([group(label, plural, id, crew(people))])
        }
    };
    let texts = |items: &[String]| items.iter().map(|t| json!({ "text": t })).collect::<Vec<_>>();

    let atf = json!({
        "id": t.id,
        "titleText": { "text": t.title },
        "originalTitleText": t.original_title.as_ref().map(|o| json!({ "text": o })),
        "titleType": t.title_type.as_ref().map(|ty| json!({ "text": type_text(ty), "id": ty })),
        "releaseYear": { "year": t.year, "endYear": t.end_year },
        "runtime": t.runtime_minutes.map(|m| json!({ "seconds": u64::from(m) * 60 })),
        "ratingsSummary": { "aggregateRating": t.rating, "voteCount": t.votes },
        "metacritic": t.metascore.map(|s| json!({ "metascore": { "score": s } })),
        "genres": { "genres": t.genres.iter().map(|g| json!({ "text": g, "id": g })).collect::<Vec<_>>() },
        "plot": t.plot.as_ref().map(|p| json!({ "plotText": { "plainText": p } })),
        "primaryImage": t.poster_url.as_ref().map(|u| json!({ "url": u })),
        "reviews": { "total": opt(&t.user_review_count) },
        "criticReviewsTotal": { "total": opt(&t.critic_review_count) },
        "principalCredits": principal_credits,
    });
    let mc = json!({
        "id": t.id,
        "ratingsSummary": { "topRanking": t.top_rank.map(|r| json!({ "id": "topRated", "rank": r })) },
        "principalCast": if principal_cast.is_empty() { json!([]) } else { json!([{ "credits": principal_cast.iter().map(cast_json).collect::<Vec<_>>() }]) },
        "cast": { "edges": rest_cast.iter().map(|c| json!({ "node": cast_json(c) })).collect::<Vec<_>>() },
        "directors": mc_group("Director", "Directors", "director", &t.directors),
        "creators": mc_group("Creator", "Creators", "creator", &t.creators),
        "writers": mc_group("Writer", "Writers", "writer", &t.writers),
        "spokenLanguages": { "spokenLanguages": texts(&t.languages) },
        "countriesOfOrigin": { "countries": texts(&t.countries) },
        "worldwideGross": t.gross_worldwide.as_ref().map(|_| json!({ "total": money_json(&t.gross_worldwide) })),
        "lifetimeGross": t.gross_domestic.as_ref().map(|_| json!({ "total": money_json(&t.gross_domestic) })),
        "productionBudget": t.budget.as_ref().map(|_| json!({ "budget": money_json(&t.budget) })),
    });
    let next_data = json!({
        "props": { "pageProps": { "tconst": t.id, "aboveTheFoldData": atf, "mainColumnData": mc }, "__N_SSP": true },
        "page": "/title/[tconst]",
        "query": { "tconst": t.id },
    });
    let year = t.year.map(|y| format!(" ({y})")).unwrap_or_default();
    let head = format!("<script type=\"application/ld+json\">{}</script>", script_json(&title_json_ld(t)));
    let mut body = format!(
        "<section><h1 data-testid=\"hero__pageTitle\"><span class=\"hero__primary-text\">{}</span></h1>",
        escape(&t.title)
    );
    if let Some(plot) = &t.plot {
        body.push_str(&format!("<p data-testid=\"plot\"><span data-testid=\"plot-xl\">{}</span></p>", escape(plot)));
    }
    for c in &t.cast {
        let href = c.id.as_ref().map(|id| format!(" href=\"/name/{}/\"", escape(id))).unwrap_or_default();
        body.push_str(&format!("<a data-testid=\"title-cast-item__actor\"{href}>{}</a>", escape(&c.name)));
    }
    body.push_str("</section>");
    page(&format!("{}{year} - IMDb", t.title), &format!("/title/{}/", t.id), &head, &body, &next_data)
}

/// Plain text → the HTML IMDb puts in `reviewText`: escaped, newlines as `<br/>`.
fn text_to_html(text: &str) -> String {
    escape(text).replace('\n', "<br/>")
}

/// Renders a reviews page `/title/{title_id}/reviews/` with `reviews` in order and, when given,
/// the next-page cursor as `contentData.pageInfo.endCursor`.
pub fn render_reviews_page(title_id: &str, reviews: &[Review], next_cursor: Option<&str>) -> String {
    let items: Vec<Value> = reviews
        .iter()
        .map(|r| {
            let mut review = Map::new();
            let mut put = |k: &str, v: Value| {
                if !v.is_null() {
                    review.insert(k.to_string(), v);
                }
            };
            put("reviewId", opt(&r.id));
            put("authorRating", opt(&r.rating));
            let mut author = Map::new();
            if let Some(name) = &r.author {
                author.insert("username".into(), json!({ "text": name }));
            }
            if let Some(id) = &r.author_id {
                author.insert("userId".into(), json!(id));
            }
            put("author", Value::Object(author));
            put("reviewSummary", opt(&r.summary));
            put("reviewText", json!(text_to_html(&r.text)));
            put("submissionDate", opt(&r.date));
            put("helpfulnessVotes", json!({ "upVotes": r.helpful_up, "downVotes": r.helpful_down }));
            put("spoiler", json!(r.spoiler));
            json!({ "review": review, "isTopReview": false })
        })
        .collect();
    let next_data = json!({
        "props": { "pageProps": {
            "tconst": title_id,
            "contentData": {
                "entityMetadata": { "id": title_id },
                "reviews": items,
                "pageInfo": { "endCursor": next_cursor, "hasNextPage": next_cursor.is_some() },
            },
        }, "__N_SSP": true },
        "page": "/title/[tconst]/reviews",
        "query": { "tconst": title_id },
    });
    let mut body = String::from("<section class=\"reviews\">");
    for r in reviews {
        body.push_str(&format!(
            "<article class=\"user-review-item\"><h3>{}</h3><div class=\"ipc-html-content-inner-div\">{}</div></article>",
            escape(r.summary.as_deref().unwrap_or("")),
            text_to_html(&r.text)
        ));
    }
    body.push_str("</section>");
    page("User reviews - IMDb", &format!("/title/{title_id}/reviews/"), "", &body, &next_data)
}

/// Renders a search results page listing `ids` (links inside `li.ipc-metadata-list-summary-item`
/// and `searchResults.titleResults.titleListItems` in `__NEXT_DATA__`) and, when given, `next`
/// as both `titleResults.pageInfo.endCursor` and the `href` of a `rel="next"` link.
pub fn render_search_page(ids: &[String], next: Option<&str>) -> String {
    let items: Vec<Value> = ids.iter().enumerate().map(|(i, id)| json!({ "titleId": id, "position": i + 1 })).collect();
    let next_data = json!({
        "props": { "pageProps": { "searchResults": { "titleResults": {
            "titleListItems": items,
            "total": ids.len(),
            "pageInfo": { "endCursor": next, "hasNextPage": next.is_some() },
        } } }, "__N_SSP": true },
        "page": "/search/title",
    });
    let mut body = String::from("<ul class=\"ipc-metadata-list ipc-metadata-list--dividers-between\">");
    for (i, id) in ids.iter().enumerate() {
        let id = escape(id);
        body.push_str(&format!(
            "<li class=\"ipc-metadata-list-summary-item\"><div class=\"ipc-title\"><a href=\"/title/{id}/?ref_=sr_t_{n}\" \
             class=\"ipc-title-link-wrapper\"><h3 class=\"ipc-title__text\">{n}. {id}</h3></a></div></li>",
            n = i + 1
        ));
    }
    body.push_str("</ul>");
    if let Some(next) = next {
        body.push_str(&format!(
            "<a class=\"ipc-see-more__button next-page\" rel=\"next\" href=\"{}\">Next</a>",
            escape(next)
        ));
    }
    page("Advanced title search - IMDb", "/search/title/", "", &body, &next_data)
}

/// A consistent, fully populated title record for tests (`source` is [`Source::NextData`]).
pub fn sample_title(id: &str, title: &str) -> TitlePage {
    TitlePage {
        id: id.to_string(),
        title: title.to_string(),
        original_title: Some(title.to_string()),
        title_type: Some("movie".to_string()),
        year: Some(2009),
        end_year: None,
        runtime_minutes: Some(94),
        rating: Some(6.3),
        votes: Some(35_994),
        metascore: Some(53),
        plot: Some(format!("The story of {title}.")),
        genres: vec!["Animation".to_string(), "Action".to_string()],
        poster_url: Some(format!("https://m.media-amazon.com/images/M/{id}._V1_.jpg")),
        directors: vec![Person { id: Some("nm0000001".to_string()), name: "A Director".to_string() }],
        creators: Vec::new(),
        writers: vec![Person { id: Some("nm0000002".to_string()), name: "A Writer".to_string() }],
        cast: (1..=5)
            .map(|i| CastMember {
                id: Some(format!("nm00001{i:02}")),
                name: format!("Actor {i}"),
                characters: vec![format!("Role {i}")],
            })
            .collect(),
        languages: vec!["English".to_string()],
        countries: vec!["United States".to_string()],
        gross_worldwide: Some(Money { amount: 39_886_986, currency: "USD".to_string() }),
        gross_worldwide_usd: Some(39_886_986),
        gross_domestic: Some(Money { amount: 19_551_067, currency: "USD".to_string() }),
        budget: Some(Money { amount: 65_000_000, currency: "USD".to_string() }),
        user_review_count: Some(94),
        critic_review_count: Some(130),
        top_rank: Some(3968),
        source: Source::NextData,
    }
}
