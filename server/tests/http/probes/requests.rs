//! Requests that are wrong in themselves rather than in one value: malformed,
//! oversized and mistyped JSON bodies, oversized URLs and forms, malformed
//! HTTP written raw to the socket, and hostile or spoofed headers. The server
//! must refuse or survive each (`dead` checks it still answers afterwards).

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, COOKIE, ORIGIN};
use serde_json::json;

use crate::common::ADMIN_USER;

use super::fixtures::THUMB_KEY;
use super::injection::{SQLI_TEXT, SQLI_TIME};
use super::xss::XSS_PAYLOADS;
use super::{
    judge, pct, Expect, Fields, Run, FORM, HEADER, HEADERS, JSON_BODY, MALFORMED, OVERSIZED, QUERY, RAW, SLOW, SQLI,
    XSS,
};

impl Run<'_> {
    pub(super) async fn json_bodies(&mut self) {
        let (http, url) = (self.http.clone(), self.url("/api/sentiment"));
        let sentiment = |body: Vec<u8>, ct: Option<&str>| {
            let mut rb = http.post(&url).body(body);
            if let Some(ct) = ct {
                rb = rb.header(CONTENT_TYPE, ct);
            }
            rb
        };
        let j = Some("application/json");
        let control = self.send(sentiment(br#"{"text":"A wonderful, moving film."}"#.to_vec(), j)).await;
        self.require(
            control.status == 200 && control.json()["label"].is_string(),
            format!("control: /api/sentiment answers ({})", control.snippet()),
        );

        let deep = format!("{{\"text\":{}", "[".repeat(200_000));
        let wide = format!("{{\"text\":\"a\",\"x\":{}", "[".repeat(200_000));
        let malformed: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
            ("an unclosed object", b"{".to_vec(), j),
            ("a truncated value", br#"{"text":"#.to_vec(), j),
            ("an array", b"[]".to_vec(), j),
            ("null", b"null".to_vec(), j),
            ("a bare string", br#""text""#.to_vec(), j),
            ("text: null", br#"{"text":null}"#.to_vec(), j),
            ("text: a number", br#"{"text":123}"#.to_vec(), j),
            ("text: an array", br#"{"text":["a"]}"#.to_vec(), j),
            ("text: an operator object", br#"{"text":{"$gt":""}}"#.to_vec(), j),
            ("a duplicated key", br#"{"text":"a","text":"b"}"#.to_vec(), j),
            ("text nested 200,000 arrays deep", deep.into_bytes(), j),
            ("an unknown key nesting 200,000 arrays", wide.into_bytes(), j),
            ("invalid UTF-8", b"{\"text\":\"\xff\xfe\xfd\"}".to_vec(), j),
            ("a lone surrogate escape", br#"{"text":"\ud800"}"#.to_vec(), j),
            ("a number past f64", br#"{"text":1e999999}"#.to_vec(), j),
            (
                "a UTF-16 body",
                "{\"text\":\"hi\"}".encode_utf16().flat_map(u16::to_le_bytes).collect(),
                Some("application/json; charset=utf-16"),
            ),
            ("a byte-order mark", b"\xef\xbb\xbf{\"text\":\"fine\"}".to_vec(), j),
            ("gzip-encoded garbage", b"\x1f\x8b\x08\x00garbage".to_vec(), j),
        ];
        for (what, body, ct) in malformed {
            let r = self.send(sentiment(body, ct)).await;
            let mut f = judge(&r, Expect { json: true, ..Default::default() }, &self.canary);
            if r.status == 200 && what != "a byte-order mark" {
                f.push("malformed JSON was accepted".into());
            }
            self.record(MALFORMED, JSON_BODY, format!("/api/sentiment: {what}"), f);
        }
        // A browser can send these cross-site without a preflight: JSON only.
        for ct in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
        ] {
            let r = self.send(sentiment(br#"{"text":"fine"}"#.to_vec(), ct)).await;
            let f = judge(&r, Expect { refuse: true, json: true, ..Default::default() }, &self.canary);
            self.record(HEADERS, HEADER, format!("/api/sentiment with Content-Type {ct:?}"), f);
        }
        let combining = serde_json::to_vec(&json!({ "text": "e\u{301}".repeat(10_000) })).unwrap();
        let escapes = format!("{{\"text\":\"{}\"}}", "\\u00e9".repeat(40_000));
        let oversized: [(&str, Vec<u8>, bool); 4] = [
            ("20,001 characters", serde_json::to_vec(&json!({ "text": "a".repeat(20_001) })).unwrap(), true),
            ("40,000 escaped characters in 240 KB", escapes.into_bytes(), true),
            ("a 1 MB body", serde_json::to_vec(&json!({ "text": "a".repeat(1 << 20) })).unwrap(), true),
            ("20,000 combining characters", combining, false),
        ];
        for (what, body, refuse) in oversized {
            let r = self.send(sentiment(body, j)).await;
            let f = judge(&r, Expect { refuse, json: true, silence_ok: refuse, ..Default::default() }, &self.canary);
            self.record(OVERSIZED, JSON_BODY, format!("/api/sentiment: {what}"), f);
        }
        for (cat, p) in [(XSS, XSS_PAYLOADS[0]), (XSS, XSS_PAYLOADS[3]), (SQLI, SQLI_TEXT[4]), (SQLI, SQLI_TIME[0])] {
            let body = serde_json::to_vec(&json!({ "text": p })).unwrap();
            let r = self.send(sentiment(body, j)).await;
            let mut f = judge(&r, Expect { payload: p, json: true, ..Default::default() }, &self.canary);
            if r.status != 200 || r.elapsed > SLOW {
                f.push(format!("HTTP {} in {:?}", r.status, r.elapsed));
            }
            self.record(cat, JSON_BODY, format!("/api/sentiment text {p}"), f);
        }
        let r = self.send(sentiment(serde_json::to_vec(&json!({ "text": "\u{0}".repeat(1000) })).unwrap(), j)).await;
        let f = judge(&r, Expect { json: true, ..Default::default() }, &self.canary);
        self.record(MALFORMED, JSON_BODY, "/api/sentiment text of 1000 NULs".into(), f);
    }

    // ------------------------------------------------------------- oversized

    pub(super) async fn oversized(&mut self) {
        let gets: [(&str, String, bool); 6] = [
            ("a 70 KB URL", format!("/search?q={}", "a".repeat(70_000)), false),
            ("6,000 genre parameters", format!("/browse?{}", "genre=Crime&".repeat(6_000)), false),
            ("a 10,000-character API query", format!("/api/search?q={}", "a".repeat(10_000)), true),
            ("a 10,000-character movie id", format!("/movie/{}", "x".repeat(10_000)), false),
            ("a path of 10,000 segments", "/a".repeat(10_000), false),
            ("a 2,000-character person", format!("/browse?person={}", "x".repeat(2_000)), false),
        ];
        for (what, path, refuse) in gets {
            let r = self.get(&path).await;
            let mut f = judge(&r, Expect { refuse, silence_ok: true, ..Default::default() }, &self.canary);
            f.extend(self.dead().await);
            self.record(OVERSIZED, QUERY, what.into(), f);
        }
        let big = "a".repeat(5 << 20);
        let (cookie, csrf) = (format!("marquee_admin={}", self.session), self.csrf.clone());
        let posts: [(&str, Fields, bool); 4] = [
            ("/theme", vec![("theme", "light"), ("next", big.as_str())], false),
            ("/admin/login", vec![("user", ADMIN_USER), ("password", big.as_str()), ("csrf", "x")], false),
            ("/api/browse", vec![("query", big.as_str())], false),
            ("/admin/runs", vec![("csrf", csrf.as_str()), ("asset", big.as_str())], true),
        ];
        for (path, form, signed_in) in posts {
            let mut rb = self.http.post(self.url(path)).header(ORIGIN, &self.app.base).form(&form);
            if signed_in {
                rb = rb.header(COOKIE, &cookie);
            }
            let r = self.send(rb).await;
            let mut f = judge(&r, Expect { refuse: true, silence_ok: true, ..Default::default() }, &self.canary);
            f.extend(self.dead().await);
            self.record(OVERSIZED, FORM, format!("a 5 MB form to {path}"), f);
        }
        let req = format!(
            "POST /theme HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: 99999999999\r\nConnection: close\r\n\r\ntheme=light",
            self.addr
        );
        let r = self.raw(req.as_bytes(), Duration::from_secs(3)).await;
        let mut f = judge(&r, Expect { refuse: true, silence_ok: true, ..Default::default() }, &self.canary);
        f.extend(self.dead().await);
        self.record(OVERSIZED, RAW, "a 100 GB Content-Length with a tiny body".into(), f);
    }

    // ------------------------------------------------------------- malformed

    pub(super) async fn malformed(&mut self) {
        let h = self.addr.clone();
        let form = "Content-Type: application/x-www-form-urlencoded";
        let reject = Expect { refuse: true, silence_ok: true, ..Default::default() };
        let survive = Expect { silence_ok: true, ..Default::default() };
        let cases: Vec<(&str, Vec<u8>, Expect, u64)> = vec![
            ("an invalid request line", b"GARBAGE\r\n\r\n".to_vec(), reject, 5),
            ("an unknown HTTP version", format!("GET / HTTP/9.9\r\nHost: {h}\r\n\r\n").into_bytes(), Expect { allowed_5xx: Some(505), ..reject }, 5),
            ("an HTTP/0.9 request", b"GET /\r\n\r\n".to_vec(), reject, 5),
            ("a header line without a colon", format!("GET / HTTP/1.1\r\nHost: {h}\r\nNoColonHere\r\n\r\n").into_bytes(), reject, 5),
            ("a control character in the method", format!("G\x01T / HTTP/1.1\r\nHost: {h}\r\n\r\n").into_bytes(), reject, 5),
            ("a NUL byte in the path", format!("GET /\0 HTTP/1.1\r\nHost: {h}\r\n\r\n").into_bytes(), reject, 5),
            ("a NUL byte in a header value", format!("GET / HTTP/1.1\r\nHost: {h}\r\nX-A: a\0b\r\n\r\n").into_bytes(), reject, 5),
            (
                "two different Content-Lengths",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nContent-Length: 11\r\nContent-Length: 5\r\n\r\ntheme=light").into_bytes(),
                reject,
                5,
            ),
            (
                "a negative Content-Length",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nContent-Length: -1\r\n\r\ntheme=light").into_bytes(),
                reject,
                5,
            ),
            (
                "a chunk size that is not hex",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\ntheme=light\r\n0\r\n\r\n").into_bytes(),
                reject,
                5,
            ),
            (
                "a chunk longer than its size",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ntheme=light\r\n0\r\n\r\n").into_bytes(),
                reject,
                5,
            ),
            (
                "a chunk size past 64 bits",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFFFF\r\ntheme=light\r\n0\r\n\r\n").into_bytes(),
                reject,
                5,
            ),
            (
                "an unfinished chunked body",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nTransfer-Encoding: chunked\r\n\r\nb\r\ntheme").into_bytes(),
                reject,
                3,
            ),
            (
                "Transfer-Encoding and Content-Length together",
                format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nb\r\ntheme=light\r\n0\r\n\r\n").into_bytes(),
                survive,
                5,
            ),
            ("non-UTF-8 bytes in the path", [b"GET /movie/\xff\xfe HTTP/1.1\r\nHost: ".as_slice(), h.as_bytes(), b"\r\nConnection: close\r\n\r\n"].concat(), survive, 5),
            ("a folded header line", format!("GET / HTTP/1.1\r\nHost: {h}\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n").into_bytes(), survive, 5),
            ("headers that never end", format!("GET / HTTP/1.1\r\nHost: {h}\r\nX-Slow: ").into_bytes(), survive, 3),
            ("a form body that is not urlencoded", format!("POST /theme HTTP/1.1\r\nHost: {h}\r\n{form}\r\nContent-Length: 9\r\nConnection: close\r\n\r\n%%%=%zz&&").into_bytes(), survive, 5),
        ];
        for (what, bytes, e, wait) in cases {
            let r = self.raw(&bytes, Duration::from_secs(wait)).await;
            let mut f = judge(&r, e, &self.canary);
            f.extend(self.dead().await);
            self.record(MALFORMED, RAW, what.into(), f);
        }
        let r = self
            .raw(
                format!("TRACE / HTTP/1.1\r\nHost: {h}\r\nX-Probe-Secret: trace-me\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
                Duration::from_secs(5),
            )
            .await;
        let mut f = judge(&r, Expect::default(), &self.canary);
        if r.body.contains("trace-me") {
            f.push("TRACE echoes request headers (cross-site tracing)".into());
        }
        self.record(MALFORMED, RAW, "TRACE echoing the request".into(), f);
        let r = self
            .raw(
                b"GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
                Duration::from_secs(5),
            )
            .await;
        let mut f = judge(&r, survive, &self.canary);
        if r.body.contains("evil.example") || r.location().contains("evil.example") {
            f.push("the foreign host is echoed".into());
        }
        self.record(MALFORMED, RAW, "an absolute-form target naming another host".into(), f);
    }

    // --------------------------------------------------------------- headers

    pub(super) async fn headers(&mut self) {
        let h = self.addr.clone();
        let evil_hosts = [
            ("Host: evil.example", "Host: evil.example\r\n".to_owned()),
            ("Host: <script>", "Host: <script>alert(1)</script>\r\n".to_owned()),
            ("no Host", String::new()),
            ("two Hosts", format!("Host: {h}\r\nHost: evil.example\r\n")),
            ("Host with userinfo", format!("Host: {h}@evil.example\r\n")),
        ];
        for (what, host) in evil_hosts {
            for path in ["/", "/admin/login"] {
                let req = format!("GET {path} HTTP/1.1\r\n{host}Connection: close\r\n\r\n");
                let r = self.raw(req.as_bytes(), Duration::from_secs(5)).await;
                let mut f = judge(
                    &r,
                    Expect { silence_ok: true, payload: "<script>alert(1)</script>", ..Default::default() },
                    &self.canary,
                );
                if r.body.contains("evil.example") || r.location().contains("evil.example") {
                    f.push("the Host header is echoed into the page".into());
                }
                self.record(HEADERS, HEADER, format!("{what} on {path}"), f);
            }
        }
        for (name, value) in [
            ("x-forwarded-host", "evil.example"),
            ("forwarded", "host=evil.example;proto=https"),
            ("x-forwarded-proto", "javascript"),
            ("x-forwarded-server", "evil.example"),
        ] {
            for path in ["/", "/admin/login"] {
                let r = self.send(self.http.get(self.url(path)).header(name, value)).await;
                let mut f = judge(&r, Expect::default(), &self.canary);
                if r.body.contains("evil.example") || r.location().contains("evil.example") {
                    f.push(format!("{name} is echoed into the page"));
                }
                self.record(HEADERS, HEADER, format!("{name}: {value} on {path}"), f);
            }
        }
        for name in ["x-original-url", "x-rewrite-url"] {
            let r = self.send(self.http.get(self.url("/")).header(name, "/admin")).await;
            let mut f = judge(&r, Expect::default(), &self.canary);
            if r.body.contains("Asset graph") {
                f.push(format!("{name} reached the admin page"));
            }
            self.record(HEADERS, HEADER, format!("{name}: /admin without a session"), f);
        }
        let cookie = format!("marquee_admin={}", self.session);
        let rb = self
            .http
            .post(self.url("/admin/runs"))
            .header(COOKIE, &cookie)
            .header(ORIGIN, &self.app.base)
            .header("x-http-method-override", "GET")
            .form(&[("asset", "tf_idf")]);
        let r = self.send(rb).await;
        let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
        self.record(HEADERS, HEADER, "X-HTTP-Method-Override: GET on a token-less admin POST".into(), f);
        for (what, value) in [
            ("an injected session id", "marquee_admin=' OR '1'='1".to_owned()),
            ("an 8 KB session id", format!("marquee_admin={}", "a".repeat(8192))),
            ("3,000 cookies", (0..3000).map(|i| format!("c{i}=v")).collect::<Vec<_>>().join("; ")),
        ] {
            let r = self.send(self.http.get(self.url("/api/admin/overview")).header(COOKIE, value)).await;
            let mut f = judge(&r, Expect { silence_ok: true, ..Default::default() }, &self.canary);
            if r.status == 200 {
                f.push("signed in without a session".into());
            }
            self.record(HEADERS, HEADER, format!("{what} in the Cookie header"), f);
        }
        let r = self.send(self.http.get(self.url("/")).header("x-big", "a".repeat(60_000))).await;
        let mut f = judge(&r, Expect { silence_ok: true, ..Default::default() }, &self.canary);
        f.extend(self.dead().await);
        self.record(HEADERS, HEADER, "a 60 KB header".into(), f);
        let mut rb = self.http.get(self.url("/"));
        for i in 0..150 {
            rb = rb.header(format!("x-h{i}"), "v");
        }
        let r = self.send(rb).await;
        let mut f = judge(&r, Expect { silence_ok: true, ..Default::default() }, &self.canary);
        f.extend(self.dead().await);
        self.record(HEADERS, HEADER, "150 headers".into(), f);
        let r = self.send(self.http.get(self.url("/media/fedcba9876543210.jpg")).header("if-none-match", "*")).await;
        let mut f = judge(&r, Expect::default(), &self.canary);
        if r.status != 404 {
            f.push(format!("a missing thumbnail answered {}", r.status));
        }
        self.record(HEADERS, HEADER, "If-None-Match: * for a missing thumbnail".into(), f);
        let ranges = (0..500).map(|i| format!("{i}-{i}")).collect::<Vec<_>>().join(",");
        let r = self
            .send(self.http.get(self.url(&format!("/media/{THUMB_KEY}"))).header("range", format!("bytes={ranges}")))
            .await;
        let f = judge(&r, Expect::default(), &self.canary);
        self.record(HEADERS, HEADER, "500 byte ranges of a thumbnail".into(), f);
        for (path, ct, body) in
            [("/theme", "application/json", r#"{"theme":"light"}"#), ("/admin/login", "text/plain", "user=admin")]
        {
            let r = self
                .send(self.http.post(self.url(path)).header(CONTENT_TYPE, ct).header(ORIGIN, &self.app.base).body(body))
                .await;
            let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
            self.record(HEADERS, HEADER, format!("POST {path} as {ct}"), f);
        }
        let r = self
            .send(
                self.http
                    .get(self.url(&format!("/api/search?q={}", pct(XSS_PAYLOADS[0]))))
                    .header("accept", "text/html"),
            )
            .await;
        let f = judge(&r, Expect { json: true, payload: XSS_PAYLOADS[0], ..Default::default() }, &self.canary);
        self.record(HEADERS, HEADER, "Accept: text/html on /api/search with markup".into(), f);

        // The search rate limit is per connection address, not per claimed one.
        let tasks: Vec<_> = (0..250)
            .map(|i| {
                let rb = self
                    .http
                    .get(self.url("/api/search?q=space"))
                    .header("x-forwarded-for", format!("10.9.{}.{}", i / 250, i % 250))
                    .header("x-real-ip", format!("10.8.0.{}", i % 250));
                tokio::spawn(async move { rb.send().await.map(|r| r.status().as_u16()).unwrap_or(0) })
            })
            .collect();
        let mut limited = 0;
        for t in tasks {
            limited += usize::from(t.await.unwrap() == 429);
        }
        let f = if limited == 0 {
            vec!["250 requests with spoofed X-Forwarded-For were never limited".into()]
        } else {
            vec![]
        };
        self.record(HEADERS, HEADER, "X-Forwarded-For spoofing to dodge the search rate limit".into(), f);
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}
