//! Open redirects: `next` values that try to leave the site, posted to the
//! theme switch, and the sign-in link of the admin 401 page. (The sign-in
//! form's own `next` is probed in `admin.rs`, with the other sign-in fields.)

use super::{html, judge, leaves_site, Expect, Run, FORM, PATH, REDIRECT};

/// `next` values that try to leave the site (browsers read `\` as `/`, drop tabs, …).
pub(super) const REDIRECTS: [&str; 18] = [
    "//evil.example",
    "https://evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "http:evil.example",
    "https:/evil.example",
    "//evil.example/%2e%2e",
    "/%2f%2fevil.example",
    "/%5cevil.example",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "//%09evil.example",
    "///evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/.//evil.example",
];

impl Run<'_> {
    pub(super) async fn theme_redirects(&mut self) {
        for next in REDIRECTS {
            let rb = self.http.post(self.url("/theme")).form(&[("theme", "light"), ("next", next)]);
            let r = self.send(rb).await;
            let mut f = judge(&r, Expect { payload: next, ..Default::default() }, &self.canary);
            f.extend(leaves_site(&self.app.base, r.location()));
            if r.status != 303 {
                f.push(format!("HTTP {} instead of a redirect", r.status));
            }
            self.record(REDIRECT, FORM, format!("POST /theme next={next:?}"), f);
        }
        for path in ["/admin//evil.example", "/admin/%2F%2Fevil.example", "/admin/..%2F..%2F%2F%2Fevil.example"] {
            let r = self.send(self.http.get(self.url(path)).header("accept", "text/html")).await;
            let mut f = judge(&r, Expect::default(), &self.canary);
            for link in ["url=", "href=\""] {
                if let Some(at) = r.body.find(link) {
                    let to = r.body[at + link.len()..].split(['"', '\'']).next().unwrap_or_default();
                    f.extend(leaves_site(&self.app.base, &html::decode(to)));
                }
            }
            self.record(REDIRECT, PATH, format!("the 401 page's sign-in link for {path}"), f);
        }
    }
}
