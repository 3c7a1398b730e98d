//! Rendered public pages kept for a few seconds: the home page, browse pages
//! and movie pages are the same for every visitor with the same theme, and
//! rendering one costs milliseconds where serving a copy costs microseconds.
//!
//! Each page carries a fresh CSP nonce per response all the same: the copy
//! keeps the nonce it was rendered with, and every hit replaces it (in the
//! body and in the `Content-Security-Policy` header) with a new random one.
//! A copy is fresh for [`TTL`]; past it, the first request renders the page
//! again while the others are served the copy for up to [`STALE_GRACE`] more.
//! A copy is never served once this process has written to the catalog
//! ([`catalog::db::Catalog::generation`]). Requests with an
//! admin session, several `Cookie` headers, or anything but `GET` are never
//! served from, nor stored in, the cache; neither are responses other than a
//! complete `200 text/html` page without `Set-Cookie`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::components::theme::Theme;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use catalog::db::Catalog;

/// How long a rendered page is served from memory.
pub const TTL: Duration = Duration::from_secs(10);
/// Past [`TTL`], one request renders the page again while the others are
/// still served the old copy for up to this long (no stampede of renders
/// every time a popular page expires).
const STALE_GRACE: Duration = Duration::from_secs(10);
/// At most this many pages are kept (each is tens of kilobytes).
const MAX_PAGES: usize = 2048;
/// Pages larger than this are not kept.
const MAX_PAGE_BYTES: usize = 1 << 20;
/// A page is buffered up to this size (a render that outgrows it is an error).
const MAX_RENDER_BYTES: usize = 16 << 20;
/// Longer paths and queries are not kept (nor worth keeping).
const MAX_KEY_LEN: usize = 512;

/// The cache, shared by the server's routes.
#[derive(Clone)]
pub struct PageCache {
    pages: Arc<Mutex<HashMap<Key, Page>>>,
    /// Pages being rendered for the cache: who else asks for one waits for it
    /// (no stampede of renders on a cold or just-written cache).
    rendering: Arc<Mutex<HashMap<Key, tokio::sync::watch::Receiver<bool>>>>,
    catalog: Catalog,
}

/// How long a request waits for another one's render before rendering itself.
const WAIT_FOR_RENDER: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    path_and_query: String,
    /// [`Theme::as_str`]: the class the page is rendered with.
    theme: &'static str,
}

struct Page {
    stored: Instant,
    generation: u64,
    headers: HeaderMap,
    body: Bytes,
    /// The nonce the page was rendered with, replaced on every hit.
    nonce: String,
    /// A request is rendering it again (it is past its TTL).
    refreshing: bool,
}

impl PageCache {
    pub fn new(catalog: Catalog) -> Self {
        Self { pages: Default::default(), rendering: Default::default(), catalog }
    }

    fn get(&self, key: &Key) -> Option<Response> {
        let generation = self.catalog.generation();
        let mut pages = self.pages.lock().ok()?;
        // Written since: never served. Past its TTL: the first request renders
        // it again, the others keep the copy a little longer.
        let page = pages.get_mut(key).filter(|p| p.generation == generation)?;
        let age = page.stored.elapsed();
        if age >= TTL + STALE_GRACE || (age >= TTL && !page.refreshing) {
            page.refreshing = age < TTL + STALE_GRACE;
            return None;
        }
        let nonce = fresh_nonce();
        let body = replace_all(&page.body, page.nonce.as_bytes(), nonce.as_bytes());
        let mut headers = page.headers.clone();
        let csp = headers.get(header::CONTENT_SECURITY_POLICY)?.to_str().ok()?.replace(&page.nonce, &nonce);
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_str(&csp).ok()?);
        drop(pages);
        let mut res = Response::new(Body::from(body));
        *res.headers_mut() = headers;
        Some(res)
    }

    fn put(&self, key: Key, generation: u64, headers: HeaderMap, body: Bytes, nonce: String) {
        let Ok(mut pages) = self.pages.lock() else { return };
        if pages.len() >= MAX_PAGES {
            pages.retain(|_, p| p.generation == generation && p.stored.elapsed() < TTL + STALE_GRACE);
            if pages.len() >= MAX_PAGES {
                return;
            }
        }
        pages.insert(key, Page { stored: Instant::now(), generation, headers, body, nonce, refreshing: false });
    }
}

/// The key of a request the cache may answer, or `None`.
fn key_of(req: &Request) -> Option<Key> {
    if req.method() != Method::GET {
        return None;
    }
    let path = req.uri().path();
    let page = path == "/" || path == "/browse" || path.starts_with("/movie/");
    let path_and_query = req.uri().path_and_query()?.as_str();
    if !page || path_and_query.len() > MAX_KEY_LEN {
        return None;
    }
    let mut cookies = req.headers().get_all(header::COOKIE).iter();
    let theme = match (cookies.next(), cookies.next()) {
        (None, _) => Theme::default().as_str(),
        (Some(c), None) => {
            let c = c.to_str().ok()?;
            if c.contains("marquee_admin=") {
                return None;
            }
            Theme::from_cookie_header(c).as_str()
        }
        // The page reads one Cookie header: don't guess which.
        (Some(_), Some(_)) => return None,
    };
    Some(Key { path_and_query: path_and_query.to_owned(), theme })
}

/// The nonce in a page's policy (`'nonce-…'`).
fn nonce_of(headers: &HeaderMap) -> Option<String> {
    let csp = headers.get(header::CONTENT_SECURITY_POLICY)?.to_str().ok()?;
    let start = csp.find("'nonce-")? + "'nonce-".len();
    let len = csp[start..].find('\'')?;
    let nonce = &csp[start..start + len];
    (nonce.len() >= 16).then(|| nonce.to_owned())
}

/// 128 random bits, hex: a valid CSP nonce (half an admin token's length).
fn fresh_nonce() -> String {
    crate::admin::auth::random_token()[..32].to_owned()
}

/// `haystack` with every `from` replaced by `to`.
fn replace_all(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len() + 64);
    let mut last = 0;
    for at in memchr::memmem::find_iter(haystack, from) {
        out.extend_from_slice(&haystack[last..at]);
        out.extend_from_slice(to);
        last = at + from.len();
    }
    out.extend_from_slice(&haystack[last..]);
    out
}

/// The middleware: answers from the cache, or renders and keeps the page.
pub async fn serve(State(cache): State<PageCache>, req: Request, next: Next) -> Response {
    let Some(key) = key_of(&req) else { return next.run(req).await };
    if let Some(hit) = cache.get(&key) {
        return hit;
    }
    // Another request is rendering this page: wait for its copy.
    let waiting = cache.rendering.lock().ok().and_then(|r| r.get(&key).cloned());
    if let Some(mut done) = waiting {
        let _ = tokio::time::timeout(WAIT_FOR_RENDER, done.wait_for(|d| *d)).await;
        if let Some(hit) = cache.get(&key) {
            return hit;
        }
    }
    let (tx, rx) = tokio::sync::watch::channel(false);
    if let Ok(mut r) = cache.rendering.lock() {
        r.entry(key.clone()).or_insert(rx);
    }
    // Whatever happens to this render, the waiters are let go.
    let _release = Release { cache: &cache, key: &key, tx };
    let generation = cache.catalog.generation();
    let res = next.run(req).await;
    let html = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let nonce = nonce_of(res.headers());
    if res.status() != StatusCode::OK || !html || res.headers().contains_key(header::SET_COOKIE) || nonce.is_none() {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let body = match axum::body::to_bytes(body, MAX_RENDER_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            // The render failed mid-way: nothing half-sent.
            tracing::error!(error = %e, path = %key.path_and_query, "a page could not be buffered");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    if let Some(nonce) = nonce.filter(|_| body.len() <= MAX_PAGE_BYTES) {
        cache.put(key.clone(), generation, parts.headers.clone(), body.clone(), nonce);
    }
    Response::from_parts(parts, Body::from(body))
}

/// Ends a render for the cache: forgets it and wakes whoever waits for it.
struct Release<'a> {
    cache: &'a PageCache,
    key: &'a Key,
    tx: tokio::sync::watch::Sender<bool>,
}

impl Drop for Release<'_> {
    fn drop(&mut self) {
        if let Ok(mut r) = self.cache.rendering.lock() {
            // Only our own entry (a waiter that timed out may have started another).
            if r.get(self.key).is_some_and(|rx| rx.same_channel(&self.tx.subscribe())) {
                r.remove(self.key);
            }
        }
        let _ = self.tx.send(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str, cookies: &[&str]) -> Request {
        let mut b = Request::builder().uri(uri);
        for c in cookies {
            b = b.header(header::COOKIE, *c);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn only_public_pages_are_keyed_by_path_query_and_theme() {
        let k = key_of(&request("/browse?genre=Drama", &["marquee_theme=light"])).unwrap();
        assert_eq!((k.path_and_query.as_str(), k.theme), ("/browse?genre=Drama", "light"));
        assert_eq!(key_of(&request("/", &[])).unwrap().theme, "dark");
        assert!(key_of(&request("/movie/tt0111161", &[])).is_some());
        for uri in ["/admin", "/api/search?q=x", "/search?q=x", "/pkg/marquee.js"] {
            assert!(key_of(&request(uri, &[])).is_none(), "{uri}");
        }
        assert!(key_of(&request("/", &["marquee_admin=abc"])).is_none(), "admins are never cached");
        assert!(key_of(&request("/", &["a=b", "marquee_theme=light"])).is_none(), "two Cookie headers");
        let long = format!("/browse?person={}", "x".repeat(600));
        assert!(key_of(&request(&long, &[])).is_none());
        let post = Request::builder().method(Method::POST).uri("/").body(Body::empty()).unwrap();
        assert!(key_of(&post).is_none());
    }

    #[tokio::test]
    async fn an_expired_page_is_rendered_again_by_one_request_while_the_others_get_the_copy() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::connect(&format!("sqlite://{}", dir.path().join("c.db").display())).await.unwrap();
        let cache = PageCache::new(catalog.clone());
        let key = Key { path_and_query: "/".into(), theme: "dark" };
        let mut headers = HeaderMap::new();
        headers
            .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("script-src 'nonce-0123456789abcdef'"));
        let body = Bytes::from_static(b"<script nonce=\"0123456789abcdef\"></script>");
        let age = |cache: &PageCache, by: Duration| {
            let mut pages = cache.pages.lock().unwrap();
            let p = pages.get_mut(&key).unwrap();
            p.stored = Instant::now() - by;
        };
        cache.put(key.clone(), catalog.generation(), headers.clone(), body.clone(), "0123456789abcdef".into());
        let hit = cache.get(&key).expect("fresh");
        let csp = hit.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        assert!(!csp.contains("0123456789abcdef"), "a fresh nonce: {csp}");
        let text = axum::body::to_bytes(hit.into_body(), 1 << 20).await.unwrap();
        assert!(std::str::from_utf8(&text).unwrap().contains(&csp["script-src 'nonce-".len()..csp.len() - 1]));

        age(&cache, TTL + Duration::from_secs(1));
        assert!(cache.get(&key).is_none(), "the first request past the TTL renders it again");
        assert!(cache.get(&key).is_some(), "the others still get the copy");
        age(&cache, TTL + STALE_GRACE);
        assert!(cache.get(&key).is_none(), "past the grace, nobody gets it");
        assert!(cache.get(&key).is_none());

        cache.put(key.clone(), catalog.generation(), headers, body, "0123456789abcdef".into());
        catalog.invalidate_cached();
        assert!(cache.get(&key).is_none(), "a write makes every copy stale at once");
    }

    #[test]
    fn the_nonce_is_read_from_the_policy_and_replaced_everywhere() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("script-src 'self' 'nonce-AbCdEfGhIjKlMnOpQr' 'wasm-unsafe-eval'"),
        );
        assert_eq!(nonce_of(&h).as_deref(), Some("AbCdEfGhIjKlMnOpQr"));
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("script-src 'self'"));
        assert_eq!(nonce_of(&h), None);
        let body = b"<script nonce=\"N1\">a</script><script nonce=\"N1\">b</script>N";
        assert_eq!(
            replace_all(body, b"N1", b"XYZ"),
            b"<script nonce=\"XYZ\">a</script><script nonce=\"XYZ\">b</script>N"
        );
        let (a, b) = (fresh_nonce(), fresh_nonce());
        assert!(a.len() == 32 && a != b && a.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
