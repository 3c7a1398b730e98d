//! The admin side: SQL injection and XSS through the admin pages' queries,
//! paths and forms; CSRF on every state-changing route; session fixation;
//! the sign-in form's fields and `next`; and brute force against the sign-in
//! throttle. (`crate::admin` is the admin test module whose `Browser` this uses.)

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::header::{COOKIE, ORIGIN, REFERER};

use crate::admin::Browser;
use crate::common::{ADMIN_PASSWORD, ADMIN_USER};

use super::injection::SQLI_TEXT;
use super::redirects::REDIRECTS;
use super::xss::XSS_PAYLOADS;
use super::{
    judge, leaves_site, pct, Expect, Resp, Run, BRUTE, CSRF, FORM, HEADER, PATH, QUERY, REDIRECT, SESSION, SQLI, XSS,
};

/// The admin login throttle (`auth::Throttle::default`): failures allowed per window.
const LOGIN_LIMIT: usize = 5;

impl Run<'_> {
    pub(super) async fn admin_inputs(&mut self) {
        let origin = self.app.base.clone();
        let cookie = format!("marquee_admin={}", self.session);
        for (param, garbage) in [("status", "zzqx"), ("asset", "zzqx"), ("trigger", "zzqx")] {
            let honest = self.admin_get(&format!("/api/admin/runs?{param}={garbage}")).await.json()["runs"]
                .as_array()
                .map(Vec::len);
            self.require(honest.is_some(), format!("/api/admin/runs?{param}= answers runs"));
            for p in [SQLI_TEXT[0], SQLI_TEXT[1]] {
                let r = self.admin_get(&format!("/api/admin/runs?{param}={}", pct(p))).await;
                let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
                let n = r.json()["runs"].as_array().map(Vec::len);
                if n != honest {
                    f.push(format!("{n:?} runs, {honest:?} for a value that names nothing"));
                }
                self.record(SQLI, QUERY, format!("/api/admin/runs?{param}={p}"), f);
            }
            for p in [XSS_PAYLOADS[0], XSS_PAYLOADS[1]] {
                let r = self.admin_get(&format!("/admin/runs?{param}={}", pct(p))).await;
                let f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
                self.record(XSS, QUERY, format!("/admin/runs?{param}={p}"), f);
            }
        }
        for p in [format!("{}' OR '1'='1", self.run_id), "' OR 1=1-- ".to_owned()] {
            let r = self.admin_get(&format!("/api/admin/run?id={}", pct(&p))).await;
            let mut f = judge(&r, Expect { payload: &p, ..Default::default() }, &self.canary);
            if r.body.contains("materializations") {
                f.push("a run was found for an injected id".into());
            }
            self.record(SQLI, QUERY, format!("/api/admin/run?id={p}"), f);
        }
        for p in [XSS_PAYLOADS[0], XSS_PAYLOADS[3]] {
            let r = self.admin_get(&format!("/admin/runs/{}", pct(p))).await;
            let f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            self.record(XSS, PATH, format!("/admin/runs/{p}"), f);
        }
        // Stored through an admin form field: the partition is shown on the run's page.
        let p = "</script><script>alert(1)</script><img src=x onerror=alert(1)>";
        let rb = self.http.post(self.url("/admin/runs")).header(COOKIE, &cookie).header(ORIGIN, &origin).form(&[
            ("csrf", self.csrf.as_str()),
            ("asset", "slow_probe"),
            ("partition", p),
        ]);
        let r = self.send(rb).await;
        let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
        self.require(r.status == 303, format!("a partition run of slow_probe starts ({} {})", r.status, r.location()));
        let id = r.location().trim_start_matches("/admin/runs/").split('?').next().unwrap_or_default().to_owned();
        let mut b = Browser::new(self.app);
        b.cookie = Some(self.session.clone());
        b.wait_run(&id, Duration::from_secs(30)).await;
        for page in [format!("/admin/runs/{id}"), "/admin/runs".into(), "/admin".into()] {
            let r = self.admin_get(&page).await;
            self.require(r.body.contains("alert(1)"), format!("{page} shows the hostile partition"));
            f.extend(judge(&r, Expect::default(), &self.canary));
        }
        self.record(XSS, FORM, "a partition with markup, shown on the admin run pages".into(), f);
        for p in [XSS_PAYLOADS[0], SQLI_TEXT[0]] {
            let rb = self
                .http
                .post(self.url("/admin/runs"))
                .header(COOKIE, &cookie)
                .header(ORIGIN, &origin)
                .form(&[("csrf", self.csrf.as_str()), ("asset", p)]);
            let r = self.send(rb).await;
            let mut f = judge(&r, Expect { payload: p, ..Default::default() }, &self.canary);
            if r.status == 303 {
                f.push("a run started for an asset that does not exist".into());
            }
            let cat = if p.contains('<') { XSS } else { SQLI };
            self.record(cat, FORM, format!("POST /admin/runs asset={p}"), f);
        }
    }

    // ------------------------------------------------------------------ CSRF

    pub(super) async fn csrf(&mut self) {
        let origin = self.app.base.clone();
        let runs_before = self.admin_get("/api/admin/runs").await.json()["runs"].as_array().map(Vec::len);
        let mut anon = Browser::new(self.app);
        let anon_csrf = anon.csrf("/admin/login").await;
        let anon_id = anon.cookie.clone().unwrap();
        let (session, csrf) = (self.session.clone(), self.csrf.clone());
        let port = self.addr.rsplit(':').next().unwrap().to_owned();
        struct Attack {
            name: &'static str,
            cookie: Option<String>,
            csrf: Option<String>,
            origin: Option<String>,
            referer: Option<String>,
        }
        let with =
            |name, cookie: Option<&str>, token: Option<&str>, origin: Option<&str>, referer: Option<&str>| Attack {
                name,
                cookie: cookie.map(str::to_owned),
                csrf: token.map(str::to_owned),
                origin: origin.map(str::to_owned),
                referer: referer.map(str::to_owned),
            };
        let lookalike = format!("http://127.0.0.1:{port}.evil.example");
        let upper = csrf.to_uppercase();
        let s = Some(session.as_str());
        let attacks = [
            with("no token", s, None, Some(&origin), None),
            with("a wrong token", s, Some(&"0".repeat(64)), Some(&origin), None),
            with("another session's token", s, Some(&anon_csrf), Some(&origin), None),
            with("the token in upper case", s, Some(&upper), Some(&origin), None),
            with("the right token from a foreign Origin", s, Some(&csrf), Some("http://evil.example"), None),
            with("the right token with no Origin or Referer", s, Some(&csrf), None, None),
            with("the right token from Origin: null", s, Some(&csrf), Some("null"), None),
            with("the right token with a foreign Referer", s, Some(&csrf), None, Some("http://evil.example/admin")),
            with("the right token from a look-alike Origin", s, Some(&csrf), Some(&lookalike), None),
            with("a token but no session", None, Some(&csrf), Some(&origin), None),
            with("the sign-in form's session and token", Some(&anon_id), Some(&anon_csrf), Some(&origin), None),
        ];
        let run = self.run_id.clone();
        let routes = [
            ("/admin/runs".to_owned(), Some(("asset", "tf_idf"))),
            (format!("/admin/runs/{run}/cancel"), None),
            (format!("/admin/runs/{run}/rerun"), None),
            ("/admin/logout".to_owned(), None),
        ];
        for (path, extra) in &routes {
            for a in &attacks {
                let mut form: Vec<(&str, &str)> = extra.iter().copied().collect();
                if let Some(t) = &a.csrf {
                    form.push(("csrf", t.as_str()));
                }
                let mut rb = self.http.post(self.url(path)).form(&form);
                if let Some(c) = &a.cookie {
                    rb = rb.header(COOKIE, format!("marquee_admin={c}"));
                }
                if let Some(o) = &a.origin {
                    rb = rb.header(ORIGIN, o);
                }
                if let Some(r) = &a.referer {
                    rb = rb.header(REFERER, r);
                }
                let r = self.send(rb).await;
                let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
                self.record(CSRF, FORM, format!("POST {path} with {}", a.name), f);
            }
        }
        // Server functions carry the token in X-CSRF-Token.
        for (name, token, from) in [
            ("no X-CSRF-Token", None, origin.as_str()),
            ("a wrong X-CSRF-Token", Some("0".repeat(64)), origin.as_str()),
            ("another session's X-CSRF-Token", Some(anon_csrf.clone()), origin.as_str()),
            ("the right X-CSRF-Token from a foreign Origin", Some(csrf.clone()), "http://evil.example"),
        ] {
            let mut rb = self
                .http
                .post(self.url("/api/admin/overview"))
                .header(COOKIE, format!("marquee_admin={session}"))
                .header(ORIGIN, from);
            if let Some(t) = token {
                rb = rb.header("x-csrf-token", t);
            }
            let r = self.send(rb).await;
            let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
            self.record(CSRF, HEADER, format!("POST /api/admin/overview with {name}"), f);
        }
        let runs_after = self.admin_get("/api/admin/runs").await.json()["runs"].as_array().map(Vec::len);
        self.require(runs_before.is_some(), "/api/admin/runs answers".into());
        let f =
            if runs_after != runs_before { vec![format!("runs {runs_before:?} → {runs_after:?}")] } else { vec![] };
        self.record(CSRF, FORM, "no refused admin post started a run".into(), f);
        let still = self.admin_get("/admin").await;
        self.require(still.status == 200, "the admin session survives the CSRF probes".into());
        // Control: the same cancel with the right token and Origin is accepted.
        let rb = self
            .http
            .post(self.url(&format!("/admin/runs/{run}/cancel")))
            .header(COOKIE, format!("marquee_admin={session}"))
            .header(ORIGIN, &origin)
            .form(&[("csrf", csrf.as_str())]);
        let r = self.send(rb).await;
        self.require(r.status == 303, format!("control: a valid cancel is accepted ({})", r.status));
    }

    // ------------------------------------------------------- session fixation

    /// Signs in with a fresh sign-in form; the answer to the login post, and the pre-login id.
    async fn login_with(&self, user: &str, password: &str, next: Option<&str>) -> (Resp, String, String) {
        let mut b = Browser::new(self.app);
        let csrf = b.csrf("/admin/login").await;
        let pre = b.cookie.clone().unwrap();
        let mut form = vec![("user", user), ("password", password), ("csrf", csrf.as_str())];
        if let Some(n) = next {
            form.push(("next", n));
        }
        let rb = self
            .http
            .post(self.url("/admin/login"))
            .header(COOKIE, format!("marquee_admin={pre}"))
            .header(ORIGIN, &self.app.base)
            .form(&form);
        (self.send_once(rb).await, pre, csrf)
    }

    pub(super) async fn session_fixation(&mut self) {
        let cookie = |id: &str| format!("marquee_admin={id}");
        // 1. An id the attacker made up is never adopted.
        let planted = "ab".repeat(32);
        let r = self.send(self.http.get(self.url("/admin/login")).header(COOKIE, cookie(&planted))).await;
        let mut f = Vec::new();
        match r.session_cookie() {
            Some(id) if id != planted => {}
            other => f.push(format!("the planted id was kept ({other:?})")),
        }
        let r = self.send(self.http.get(self.url("/api/admin/overview")).header(COOKIE, cookie(&planted))).await;
        if r.status == 200 {
            f.push("the planted id signs in".into());
        }
        self.record(SESSION, HEADER, "an attacker-chosen session id".into(), f);

        // 2. A real pre-login id planted in the victim's browser is worthless after sign-in.
        let (r, pre, pre_csrf) = self.login_with(ADMIN_USER, ADMIN_PASSWORD, None).await;
        self.require(
            r.status == 303 && r.location() == "/admin",
            format!("control: sign-in works ({} {})", r.status, r.location()),
        );
        let new = r.session_cookie().unwrap_or_default();
        let mut f = Vec::new();
        if new.is_empty() || new == pre {
            f.push(format!("the session id was not rotated at sign-in ({new:?})"));
        }
        let r = self.send(self.http.get(self.url("/api/admin/overview")).header(COOKIE, cookie(&pre))).await;
        if r.status == 200 {
            f.push("the pre-login id is signed in".into());
        }
        self.record(SESSION, HEADER, "a pre-login session id planted before sign-in".into(), f);

        // 3. The signed-in cookie is out of scripts' and other sites' reach, and long.
        let (r, _, _) = self.login_with(ADMIN_USER, ADMIN_PASSWORD, None).await;
        let set = r.header("set-cookie").unwrap_or_default().to_owned();
        let id = r.session_cookie().unwrap_or_default();
        let mut f = Vec::new();
        for attr in ["HttpOnly", "SameSite=Strict"] {
            if !set.contains(attr) {
                f.push(format!("the session cookie lacks {attr}: {set}"));
            }
        }
        if id.len() < 32 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            f.push(format!("a guessable session id `{id}`"));
        }
        self.record(SESSION, HEADER, "the signed-in cookie's attributes and entropy".into(), f);

        // 4. The pre-login CSRF token does not act for the new session.
        let rb = self
            .http
            .post(self.url(&format!("/admin/runs/{}/cancel", self.run_id)))
            .header(COOKIE, cookie(&new))
            .header(ORIGIN, &self.app.base)
            .form(&[("csrf", pre_csrf.as_str())]);
        let r = self.send(rb).await;
        let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
        self.record(SESSION, FORM, "the pre-login CSRF token after sign-in".into(), f);

        // 5. The id in the URL instead of the cookie.
        let r = self.get(&format!("/api/admin/overview?marquee_admin={new}")).await;
        let f = if r.status == 200 { vec!["a session id in the query string signs in".into()] } else { vec![] };
        self.record(SESSION, QUERY, "the session id in the query string".into(), f);

        // 6. Replaying the sign-in post (same pre-login id and token) after it succeeded.
        let rb = self
            .http
            .post(self.url("/admin/login"))
            .header(COOKIE, cookie(&pre))
            .header(ORIGIN, &self.app.base)
            .form(&[("user", ADMIN_USER), ("password", ADMIN_PASSWORD), ("csrf", pre_csrf.as_str())]);
        let r = self.send_once(rb).await;
        let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
        self.record(SESSION, FORM, "a replayed sign-in post with the consumed pre-login id".into(), f);

        // 7. Signing out ends the session for good.
        let mut b = Browser::new(self.app);
        b.cookie = Some(new.clone());
        let token = b.csrf("/admin").await;
        let (status, _) = b.post("/admin/logout", &[("csrf", &token)], Some(&self.app.base.clone())).await;
        self.require(status == 303, format!("control: sign-out works ({status})"));
        let r = self.send(self.http.get(self.url("/api/admin/overview")).header(COOKIE, cookie(&new))).await;
        let f = if r.status == 200 { vec!["the signed-out id still signs in".into()] } else { vec![] };
        self.record(SESSION, HEADER, "a signed-out session id".into(), f);
    }

    // ---------------------------------------- login form fields and redirects

    pub(super) async fn login_fields_and_redirects(&mut self) {
        // At most four failures: the fifth would throttle this address (the success after resets it).
        for (user, password) in [
            ("admin' -- ", "x"),
            ("admin'#", "x"),
            (ADMIN_USER, "' OR '1'='1"),
            ("' OR 1=1 LIMIT 1-- ", "x' OR 1=1-- "),
        ] {
            let (r, _, _) = self.login_with(user, password, None).await;
            let mut f = judge(&r, Expect { payload: password, ..Default::default() }, &self.canary);
            if !r.location().starts_with("/admin/login?failed=1") {
                f.push(format!("not refused: HTTP {} {}", r.status, r.location()));
            }
            self.record(SQLI, FORM, format!("sign-in user={user:?} password={password:?}"), f);
        }
        for &next in REDIRECTS.iter().take(8).chain(&["/admin/../../evil", "/admin/%2F%2Fevil.example"]) {
            let (r, _, _) = self.login_with(ADMIN_USER, ADMIN_PASSWORD, Some(next)).await;
            let mut f = judge(&r, Expect { payload: next, ..Default::default() }, &self.canary);
            f.extend(leaves_site(&self.app.base, r.location()));
            if r.status != 303 || !r.location().starts_with("/admin") {
                f.push(format!("after sign-in: HTTP {} to `{}`", r.status, r.location()));
            }
            self.record(REDIRECT, FORM, format!("sign-in next={next:?}"), f);
        }
    }

    // ----------------------------------------------------------- brute force

    pub(super) async fn brute_force(&mut self) {
        // Twenty guesses at once, from a clean slate (the last sign-in reset it).
        let mut b = Browser::new(self.app);
        let csrf = b.csrf("/admin/login").await;
        let pre = b.cookie.clone().unwrap();
        let (http, url, base) = (self.http.clone(), self.url("/admin/login"), self.app.base.clone());
        let guess = |password: String| {
            http.post(&url).header(COOKIE, format!("marquee_admin={pre}")).header(ORIGIN, &base).form(&[
                ("user", ADMIN_USER),
                ("password", password.as_str()),
                ("csrf", csrf.as_str()),
            ])
        };
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let rb = guess(format!("guess-{i}"));
                tokio::spawn(async move { rb.send().await.map(|r| r.status().as_u16()).unwrap_or(0) })
            })
            .collect();
        let mut statuses = BTreeMap::<u16, usize>::new();
        for t in tasks {
            *statuses.entry(t.await.unwrap()).or_default() += 1;
        }
        let evaluated = statuses.get(&303).copied().unwrap_or_default();
        let mut f = Vec::new();
        if evaluated > LOGIN_LIMIT {
            f.push(format!(
                "{evaluated} of 20 parallel guesses were checked ({statuses:?}); the limit is {LOGIN_LIMIT}"
            ));
        }
        if statuses.keys().any(|s| *s >= 500 || *s == 0) {
            f.push(format!("errors: {statuses:?}"));
        }
        self.record(BRUTE, FORM, "20 parallel password guesses".into(), f);

        // Past the limit even the right password is refused, however the client dresses up.
        let right = self.send_once(guess(ADMIN_PASSWORD.to_owned())).await;
        let wrong = self.send_once(guess("still-guessing".to_owned())).await;
        for (what, r) in [("the right password", &right), ("a wrong password", &wrong)] {
            let mut f = judge(r, Expect { refuse: true, ..Default::default() }, &self.canary);
            if r.status != 429 {
                f.push(format!("HTTP {} instead of 429", r.status));
            }
            self.record(BRUTE, FORM, format!("{what} once throttled"), f);
        }
        let f = if right.body != wrong.body || right.status != wrong.status {
            vec!["a throttled answer tells the right password from a wrong one".into()]
        } else {
            vec![]
        };
        self.record(BRUTE, FORM, "throttled answers leak nothing".into(), f);
        for (name, value) in [
            ("x-forwarded-for", "10.9.8.7"),
            ("x-real-ip", "10.9.8.7"),
            ("forwarded", "for=10.9.8.7"),
            ("true-client-ip", "10.9.8.7"),
            ("cf-connecting-ip", "10.9.8.7"),
            ("x-client-ip", "10.9.8.7"),
        ] {
            let r = self.send_once(guess(ADMIN_PASSWORD.to_owned()).header(name, value)).await;
            let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
            self.record(BRUTE, HEADER, format!("the right password with {name}: {value}"), f);
        }
        for user in ["ADMIN", " admin "] {
            let rb = self
                .http
                .post(self.url("/admin/login"))
                .header(COOKIE, format!("marquee_admin={pre}"))
                .header(ORIGIN, &self.app.base)
                .form(&[("user", user), ("password", ADMIN_PASSWORD), ("csrf", csrf.as_str())]);
            let r = self.send_once(rb).await;
            let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
            self.record(BRUTE, FORM, format!("the right password as user {user:?}"), f);
        }
        let mut fresh = Browser::new(self.app);
        let token = fresh.csrf("/admin/login").await;
        let rb = self
            .http
            .post(self.url("/admin/login"))
            .header(COOKIE, format!("marquee_admin={}", fresh.cookie.unwrap()))
            .header(ORIGIN, &self.app.base)
            .form(&[("user", ADMIN_USER), ("password", ADMIN_PASSWORD), ("csrf", token.as_str())]);
        let r = self.send_once(rb).await;
        let f = judge(&r, Expect { refuse: true, ..Default::default() }, &self.canary);
        self.record(BRUTE, FORM, "the right password from a brand-new session".into(), f);
    }
}
