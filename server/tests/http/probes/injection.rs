//! SQL injection: text, numeric and timing payloads into every browse filter,
//! the search page and API, path ids and the server functions' form fields,
//! judged against the honest answer to a value that names nothing; and, last
//! of all, the catalog checked intact.

use reqwest::header::CONTENT_TYPE;
use reqwest::RequestBuilder;

use super::fixtures::HOSTILE_ID;
use super::{judge, pct, Expect, Fields, Resp, Run, FORM, JSON_BODY, MALFORMED, PATH, QUERY, SLOW, SQLI};

pub(super) const SQLI_TEXT: [&str; 7] = [
    "' OR '1'='1",
    "' OR 1=1-- ",
    "\") OR (\"1\"=\"1",
    "' UNION SELECT id, title FROM movies-- ",
    "'; DROP TABLE movies;-- ",
    "\\' OR 1=1#",
    "%' OR '%'='",
];

const SQLI_NUM: [&str; 4] = ["1970 OR 1=1", "1970) AND (1=0", "0 UNION SELECT 1", "1970; DELETE FROM movies"];

/// Payloads that take seconds when they reach a database (MySQL, SQLite, any).
pub(super) const SQLI_TIME: [&str; 5] = [
    "1' AND SLEEP(3)-- ",
    "1 OR SLEEP(3)",
    "' AND 1=like('ABCDEFG',upper(hex(randomblob(300000000))))-- ",
    "1 AND 1=(SELECT COUNT(*) FROM movies a, movies b, movies c)",
    "1 OR BENCHMARK(40000000,MD5(1))",
];

impl Run<'_> {
    /// A browse page's total and card order for one parameter value.
    async fn browse(&self, param: &str, value: &str) -> (Resp, Option<u64>, Vec<String>) {
        let r = self.get(&format!("/browse?{param}={}", pct(value))).await;
        let (total, ids) = (browse_total(&r.body), card_ids(&r.body));
        (r, total, ids)
    }

    /// Re-measures a slow timing probe against the honest request: slow twice,
    /// and much slower than the honest one, is a finding.
    async fn slow_twice(&self, first: &Resp, again: RequestBuilder, honest: RequestBuilder) -> Option<String> {
        if first.elapsed <= SLOW {
            return None;
        }
        let (again, honest) = (self.send(again).await, self.send(honest).await);
        (again.elapsed > SLOW && honest.elapsed * 2 < again.elapsed).then(|| {
            format!("took {:?} and {:?} (the honest request {:?})", first.elapsed, again.elapsed, honest.elapsed)
        })
    }

    pub(super) async fn sql_injection(&mut self) {
        // /browse: every filter. The honest comparison is a value that names
        // nothing; an injection shows as a different result.
        let text = ["genre", "person", "language"];
        let numeric = ["year_from", "year_to", "runtime_min", "runtime_max", "min_rating", "page", "sentiment"];
        for (i, param) in text.iter().chain(&numeric).enumerate() {
            let (_, honest, _) = self.browse(param, "zzqx-no-such-value").await;
            self.require(honest.is_some(), format!("/browse?{param}= shows a total"));
            let payloads: Vec<&str> = if i < text.len() {
                SQLI_TEXT.iter().copied().chain([SQLI_TIME[0], SQLI_TIME[2]]).collect()
            } else {
                SQLI_NUM.iter().copied().chain([SQLI_TIME[(i % 3) + 1]]).collect()
            };
            for p in payloads {
                let (r, total, _) = self.browse(param, p).await;
                let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
                if total != honest {
                    f.push(format!("{total:?} films, {honest:?} for a value that names nothing"));
                }
                let url = self.url(&format!("/browse?{param}={}", pct(p)));
                let honest_url = self.url(&format!("/browse?{param}=zzqx"));
                f.extend(self.slow_twice(&r, self.http.get(url), self.http.get(honest_url)).await);
                self.record(SQLI, QUERY, format!("/browse?{param}={p}"), f);
            }
        }
        let (_, _, default_order) = self.browse("sort", "zzqx").await;
        self.require(default_order.len() >= 30, "/browse shows a page of cards".into());
        for p in [SQLI_TEXT[0], SQLI_TEXT[4], "rating DESC, (SELECT 1)", "title; DROP TABLE movies", SQLI_TIME[3]] {
            let (r, _, order) = self.browse("sort", p).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            if order != default_order {
                f.push("the injected sort changed the order".into());
            }
            self.record(SQLI, QUERY, format!("/browse?sort={p}"), f);
        }

        // /search (HTML) and /api/search (JSON): the engine, then the database by id.
        let garbage_genre = search_total(&self.get("/search?q=the&genre=zzqx").await.body);
        self.require(
            garbage_genre == Some(0),
            format!("/search with an unknown genre finds nothing ({garbage_genre:?})"),
        );
        let api_garbage =
            self.get("/api/search?q=the&genre=zzqx&limit=100").await.json()["hits"].as_array().map(Vec::len);
        for &p in SQLI_TEXT.iter().chain(&[SQLI_TIME[0], SQLI_TIME[2]]) {
            for (base, json) in [("/search?q=", false), ("/api/search?q=", true)] {
                let path = format!("{base}{}", pct(p));
                let r = self.get(&path).await;
                let mut f = judge(&r, Expect { payload: p, json, ..Default::default() }, &self.canary);
                let honest = self.http.get(self.url(&format!("{base}godfather")));
                f.extend(self.slow_twice(&r, self.http.get(self.url(&path)), honest).await);
                self.record(SQLI, QUERY, format!("{base}{p}"), f);
            }
        }
        for &p in &SQLI_TEXT[..3] {
            let r = self.get(&format!("/search?q=the&genre={}", pct(p))).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            let n = search_total(&r.body);
            if n != garbage_genre {
                f.push(format!("{n:?} results, {garbage_genre:?} for an unknown genre"));
            }
            self.record(SQLI, QUERY, format!("/search genre={p}"), f);
            let r = self.get(&format!("/api/search?q=the&limit=100&genre={}", pct(p))).await;
            let mut f = judge(&r, Expect { payload: p, json: true, ..Default::default() }, &self.canary);
            let n = r.json()["hits"].as_array().map(Vec::len);
            if n != api_garbage {
                f.push(format!("{n:?} hits, {api_garbage:?} for an unknown genre"));
            }
            self.record(SQLI, QUERY, format!("/api/search genre={p}"), f);
        }
        for (param, p) in
            [("limit", SQLI_NUM[0]), ("year_from", SQLI_NUM[1]), ("min_rating", SQLI_NUM[2]), ("mode", SQLI_TEXT[0])]
        {
            let path = format!("/api/search?q=godfather&{param}={}", pct(p));
            let r = self.get(&path).await;
            let mut f = judge(&r, Expect { payload: p, json: true, ..Default::default() }, &self.canary);
            if r.status != 400 {
                f.push(format!("a non-{param} value was taken: HTTP {}", r.status));
            }
            self.record(SQLI, QUERY, format!("/api/search {param}={p}"), f);
        }

        // Path params: no id that is not an id finds a film.
        let godfather = pipeline::clean::rules::movie_id(None, Some("The Godfather"), Some(1972)).unwrap();
        for p in [
            format!("{godfather}' OR '1'='1"),
            "' OR 1=1-- ".into(),
            format!("x' UNION SELECT * FROM movies WHERE id='{godfather}"),
        ] {
            for (base, json) in [("/movie/", false), ("/api/movies/", true)] {
                let r = self.get(&format!("{base}{}", pct(&p))).await;
                let mut f = judge(&r, Expect { payload: &p, json, ..Default::default() }, &self.canary);
                if r.status == 200 {
                    f.push("a film was found for an injected id".into());
                }
                self.record(SQLI, PATH, format!("{base}{p}"), f);
            }
        }
    }

    /// Leptos server functions take form fields: the same injections, straight to them.
    pub(super) async fn server_function_forms(&mut self) {
        let garbage = self.send(self.http.post(self.url("/api/browse")).form(&[("query", "genre=zzqx")])).await;
        let honest = garbage.json()["total"].as_u64();
        self.require(honest == Some(0), format!("POST /api/browse answers JSON with a total: {}", garbage.snippet()));
        for p in [SQLI_TEXT[0], SQLI_TEXT[2], SQLI_TEXT[6]] {
            let query = format!("genre={}", pct(p));
            let r = self.send(self.http.post(self.url("/api/browse")).form(&[("query", query.as_str())])).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            if r.json()["total"].as_u64() != honest {
                f.push(format!("total {:?}, {honest:?} for a genre that names nothing", r.json()["total"]));
            }
            self.record(SQLI, FORM, format!("POST /api/browse query=genre={p}"), f);
        }
        for p in [SQLI_TEXT[0], SQLI_TEXT[1]] {
            let r = self.send(self.http.post(self.url("/api/movie")).form(&[("id", p)])).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            if r.json().is_object() {
                f.push("a film was found for an injected id".into());
            }
            self.record(SQLI, FORM, format!("POST /api/movie id={p}"), f);
            let form = [("id", p), ("filter", "all"), ("page", "1")];
            let r = self.send(self.http.post(self.url("/api/movie_reviews")).form(&form)).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            if r.json()["total"].as_u64().is_some_and(|n| n > 0) {
                f.push("reviews were found for an injected id".into());
            }
            self.record(SQLI, FORM, format!("POST /api/movie_reviews id={p}"), f);
            let r = self.send(self.http.post(self.url("/api/suggest")).form(&[("q", p)])).await;
            let f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            self.record(SQLI, FORM, format!("POST /api/suggest q={p}"), f);
        }
        // Malformed arguments: a client error, never a 500.
        let long = format!("genre={}", "x".repeat(3000));
        let cases: [(&str, Fields, &str); 7] = [
            ("/api/movie_reviews", vec![("id", HOSTILE_ID), ("filter", "all"), ("page", "abc")], "page=abc"),
            ("/api/movie_reviews", vec![("id", HOSTILE_ID), ("page", "-1")], "page=-1"),
            ("/api/browse", vec![], "no arguments"),
            ("/api/browse", vec![("query", long.as_str())], "a 3000-character query"),
            ("/api/browse_more", vec![], "no arguments"),
            ("/api/browse_more", vec![("query", long.as_str())], "a 3000-character query"),
            ("/api/movie", vec![("id", "x"), ("id", "y")], "a repeated id"),
        ];
        for (path, form, what) in cases {
            let r = self.send(self.http.post(self.url(path)).form(&form)).await;
            let f = judge(&r, Expect::default(), &self.canary);
            self.record(MALFORMED, FORM, format!("POST {path} with {what}"), f);
        }
        let r = self
            .send(self.http.post(self.url("/api/movie")).header(CONTENT_TYPE, "application/json").body(r#"{"id":5}"#))
            .await;
        let f = judge(&r, Expect::default(), &self.canary);
        self.record(MALFORMED, JSON_BODY, "POST /api/movie with a JSON body of the wrong type".into(), f);
    }

    // ------------------------------------------------------------- integrity

    pub(super) async fn integrity(&mut self) {
        let ready = self.get("/ready").await;
        let mut f = Vec::new();
        if !ready.body.contains("\"movies\":1001") {
            f.push(format!("the catalog changed: {}", ready.snippet()));
        }
        let r = self.get("/api/search?q=godfather").await;
        if r.status != 200 || !r.body.contains("The Godfather") {
            f.push(format!("search broke: {}", r.snippet()));
        }
        f.extend(self.dead().await);
        self.record(
            SQLI,
            QUERY,
            "after every probe: the catalog intact (1000 films + the hostile one) and served".into(),
            f,
        );
    }
}

/// `data-total="N"` of a browse page.
pub(super) fn browse_total(body: &str) -> Option<u64> {
    let at = body.find("data-total=\"")? + 12;
    body[at..].split('"').next()?.parse().ok()
}

/// The `data-id`s of the movie cards, in page order.
pub(super) fn card_ids(body: &str) -> Vec<String> {
    body.match_indices("data-id=\"").filter_map(|(i, _)| body[i + 9..].split('"').next().map(str::to_owned)).collect()
}

/// "N films · page …" of the search page (0 for "No films match.").
pub(super) fn search_total(body: &str) -> Option<u64> {
    if body.contains("No films match.") {
        return Some(0);
    }
    let at = body.find(" films · page")?;
    let digits: String = body[..at].chars().rev().take_while(|c| c.is_ascii_digit() || *c == ',').collect();
    digits.chars().rev().filter(|c| *c != ',').collect::<String>().parse().ok()
}
