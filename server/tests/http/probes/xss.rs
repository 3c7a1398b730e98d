//! Cross-site scripting: payloads reflected from every query, path and
//! header a page could echo, and scraped markup stored in the catalog shown on
//! every page and API that carries it.

use std::time::{Duration, Instant};

use reqwest::header::COOKIE;

use super::fixtures::{HOSTILE_ID, HOSTILE_TITLE};
use super::{html, judge, pct, Expect, Run, HEADER, PATH, QUERY, STORED, XSS};

pub(super) const XSS_PAYLOADS: [&str; 4] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "\" autofocus onfocus=\"alert(1)",
    "</script><svg onload=alert(1)>",
];

impl Run<'_> {
    pub(super) async fn reflected_xss(&mut self) {
        type Surface = (&'static str, &'static str, fn(&str) -> String, bool);
        let surfaces: [Surface; 14] = [
            ("/search?q=", QUERY, |p| format!("/search?q={}", pct(p)), false),
            ("/search genre", QUERY, |p| format!("/search?q=godfather&genre={}", pct(p)), false),
            ("/browse genre", QUERY, |p| format!("/browse?genre={}", pct(p)), false),
            ("/browse person", QUERY, |p| format!("/browse?person={}", pct(p)), false),
            ("/browse language", QUERY, |p| format!("/browse?language={}", pct(p)), false),
            ("/browse sort", QUERY, |p| format!("/browse?sort={}", pct(p)), false),
            ("/browse sentiment + year_from", QUERY, |p| format!("/browse?sentiment={0}&year_from={0}", pct(p)), false),
            ("/browse page", QUERY, |p| format!("/browse?page={}", pct(p)), false),
            ("/movie/:id", PATH, |p| format!("/movie/{}", pct(p)), false),
            ("an unknown path", PATH, |p| format!("/{}", pct(p)), false),
            ("/admin/login next", QUERY, |p| format!("/admin/login?failed=1&next={}", pct(p)), false),
            ("/api/search q", QUERY, |p| format!("/api/search?q={}", pct(p)), true),
            ("/api/movies/:id", PATH, |p| format!("/api/movies/{}", pct(p)), true),
            ("/api/search genre", QUERY, |p| format!("/api/search?q=the&genre={}", pct(p)), true),
        ];
        for (name, surface, path, json) in surfaces {
            for p in XSS_PAYLOADS {
                let e = Expect { payload: p, json, ..Default::default() };
                self.probe_get(XSS, surface, &path(p), e, format!("{name} reflects `{p}`")).await;
            }
        }
        self.probe_get(
            XSS,
            QUERY,
            "/admin/login?next=javascript:alert(1)",
            Expect { payload: "javascript:alert(1)", ..Default::default() },
            "/admin/login next=javascript:alert(1)".into(),
        )
        .await;
        // The 401 page built by hand for browsers (not a Leptos view).
        for p in XSS_PAYLOADS {
            let rb = self.http.get(self.url(&format!("/admin/{}?x={}", pct(p), pct(p)))).header("accept", "text/html");
            let r = self.send(rb).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            if r.status != 401 {
                f.push(format!("an anonymous admin page answered {}", r.status));
            }
            self.record(XSS, PATH, format!("the 401 sign-in page reflects `{p}` from the path"), f);
        }
        // Headers a page could echo: the theme cookie is rendered into <html class>.
        for p in XSS_PAYLOADS {
            let rb = self.http.get(self.url("/")).header(COOKIE, format!("marquee_theme={p}"));
            let r = self.send(rb).await;
            let f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            self.record(XSS, HEADER, format!("the theme cookie `{p}`"), f);
        }
        for header in ["user-agent", "referer", "accept-language"] {
            let p = XSS_PAYLOADS[1];
            let r = self.send(self.http.get(self.url("/search?q=godfather")).header(header, p)).await;
            let f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            self.record(XSS, HEADER, format!("a {header} header `{p}` on /search"), f);
        }
    }

    /// Scraped text with markup, stored in the catalog: every page that shows
    /// it must show it as text. Each page must show the film (else the probe saw nothing).
    pub(super) async fn stored_xss(&mut self) {
        let pages: [(&str, String); 6] = [
            ("the detail page (title, overview, people, facts, reviews)", format!("/movie/{HOSTILE_ID}")),
            ("the search page", "/search?q=probe".into()),
            ("the browse grid (rating order)", "/browse".into()),
            ("browse by the hostile genre", format!("/browse?genre={}", pct("<svg onload=alert(1)>"))),
            ("browse by the hostile director", format!("/browse?person={}", pct("</script><svg onload=alert(1)>"))),
            ("the search page by a hostile word", "/search?q=onerror".into()),
        ];
        for (what, path) in pages {
            let r = self.get(&path).await;
            let mut f = judge(&r, Expect::default(), &self.canary);
            // The key may travel as data (the hydration JSON); never into an attribute.
            if html::tags(&r.body).iter().any(|t| t.attrs.iter().any(|(_, v)| v.contains("canary.txt"))) {
                f.push("an unvalidated thumbnail key reached an attribute".into());
            }
            self.require(
                r.status == 200 && r.body.contains("Probe"),
                format!("{what}: the hostile film is shown ({path})"),
            );
            self.record(XSS, STORED, format!("scraped markup on {what}"), f);
        }
        let detail = self.get(&format!("/movie/{HOSTILE_ID}")).await;
        self.require(detail.body.contains("A hostile review"), "the detail page shows the hostile review".into());
        // The home page caches its rows for up to 10 s (catalog::db::cache::TTL).
        let started = Instant::now();
        let home = loop {
            let r = self.get("/").await;
            if r.body.contains("Probe") || started.elapsed() > Duration::from_secs(15) {
                break r;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        self.require(home.body.contains("Probe"), "the home page shows the hostile film".into());
        let f = judge(&home, Expect::default(), &self.canary);
        self.record(XSS, STORED, "scraped markup on the home page rows".into(), f);
        // JSON carries the text as data: it must come back exactly, typed as JSON.
        for path in ["/api/search?q=probe&limit=5".to_owned(), format!("/api/movies/{HOSTILE_ID}")] {
            let r = self.get(&path).await;
            let mut f = judge(&r, Expect { json: true, ..Default::default() }, &self.canary);
            let v = r.json();
            let title = v["hits"][0]["title"].as_str().or(v["title"].as_str()).unwrap_or_default().to_owned();
            self.require(title == HOSTILE_TITLE, format!("{path} returns the hostile title as data: {}", r.snippet()));
            if r.header("x-content-type-options") != Some("nosniff") {
                f.push("JSON without nosniff".into());
            }
            self.record(XSS, STORED, format!("scraped markup in {path}"), f);
        }
        let r = self.send(self.http.post(self.url("/api/movie")).form(&[("id", HOSTILE_ID)])).await;
        let f = judge(&r, Expect::default(), &self.canary);
        self.record(XSS, STORED, "scraped markup from the movie server function".into(), f);
    }
}
