//! An IMDb-format web site on 127.0.0.1 for the scraper's tests and demos.
//!
//! It serves, for the 1000 films of the Kaggle catalog CSV (with stable
//! synthetic ids `tt9000001`…, titles and years from the CSV so the scraped
//! and Kaggle rows can be merged): list pages (`/search/title/?…moviemeter=S,E`
//! ranked by votes, `/chart/top/`), title pages, reviews pages at both ends of
//! the scale with cursors, and real JPEG posters; plus the nine saved real
//! title pages, verbatim; and `robots.txt`. Every response has an `ETag` and
//! `If-None-Match` gets a 304.
//!
//! Tests inject faults per path ([`Fault`]) and read how often each path was
//! requested ([`FixtureSite::requests`]).

mod csv;
mod pages;
mod posters;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;

pub use pages::Film;

/// The Kaggle catalog, next to the repository.
pub const DEFAULT_CATALOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/catalog/imdb_top_1000.csv");
/// The saved real title pages.
pub const DEFAULT_REAL_PAGES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/imdb-pages");

/// The default robots.txt: everything but `/private/` and the old AJAX endpoint.
pub const DEFAULT_ROBOTS: &str = "User-agent: *\nDisallow: /private/\nDisallow: /*/reviews/_ajax\nAllow: /\n";

/// A fault the site can inject on a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// `429 Too Many Requests` with `Retry-After: secs`.
    TooManyRequests { retry_after_secs: u64 },
    /// `500 Internal Server Error`.
    ServerError,
    /// Answer only after this long (past the client's timeout).
    Slow(Duration),
    /// Only the first 300 bytes of the page.
    Truncated,
    /// The page with its `__NEXT_DATA__` blob renamed (the JSON "moved").
    JsonMoved,
    /// HTML served as `image/jpeg`.
    NotAnImage,
}

#[derive(Debug, Clone)]
struct Injected {
    fault: Fault,
    /// How many more requests get the fault (`None`: all).
    remaining: Option<u32>,
}

/// Options of a fixture site.
#[derive(Debug, Clone)]
pub struct Options {
    /// The Kaggle-format CSV the films come from.
    pub catalog: PathBuf,
    /// The saved real pages (`title-tt….html`), served verbatim.
    pub real_pages: Option<PathBuf>,
    /// At most this many films (all when `None`).
    pub films: Option<usize>,
    /// Review pages per title at the positive end (4 reviews each).
    pub positive_pages: u32,
    /// Review pages per title at the negative end.
    pub negative_pages: u32,
    /// Spread the split between the ends per title (same total pages, from
    /// 1 positive page to all but one), so titles range from mostly negative
    /// to mostly positive; off: every title has the two counts above.
    pub spread_sentiment: bool,
    /// Port on 127.0.0.1 (0: any free one).
    pub port: u16,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            catalog: PathBuf::from(DEFAULT_CATALOG),
            real_pages: Some(PathBuf::from(DEFAULT_REAL_PAGES)),
            films: None,
            positive_pages: 3,
            negative_pages: 2,
            spread_sentiment: false,
            port: 0,
        }
    }
}

pub(crate) struct Site {
    pub(crate) films: Vec<Film>,
    pub(crate) by_id: HashMap<String, usize>,
    pub(crate) real: HashMap<String, Arc<String>>,
    pub(crate) real_ids: Vec<String>,
    pub(crate) options: Options,
    pub(crate) base: String,
    faults: Mutex<HashMap<String, Injected>>,
    counts: Mutex<HashMap<String, u64>>,
    robots: Mutex<String>,
    posters: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    title_pages: Mutex<HashMap<String, Arc<String>>>,
}

/// A running fixture site. Stops when dropped.
pub struct FixtureSite {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT/`
    pub base_url: String,
    site: Arc<Site>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for FixtureSite {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl FixtureSite {
    /// Loads the films and starts serving on 127.0.0.1.
    pub async fn start(options: Options) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port)).await?;
        let addr = listener.local_addr()?;
        let base = format!("http://{addr}/");
        let text = std::fs::read_to_string(&options.catalog)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", options.catalog.display()))?;
        let mut films = pages::films_from_csv(&text);
        if let Some(n) = options.films {
            films.truncate(n);
        }
        let by_id = films.iter().enumerate().map(|(i, f)| (f.id.clone(), i)).collect();
        let (real, real_ids) = match &options.real_pages {
            Some(dir) => read_real_pages(dir)?,
            None => (HashMap::new(), Vec::new()),
        };
        let site = Arc::new(Site {
            films,
            by_id,
            real,
            real_ids,
            options,
            base: base.clone(),
            faults: Mutex::new(HashMap::new()),
            counts: Mutex::new(HashMap::new()),
            robots: Mutex::new(DEFAULT_ROBOTS.to_owned()),
            posters: Mutex::new(HashMap::new()),
            title_pages: Mutex::new(HashMap::new()),
        });
        let app = Router::new().fallback(handle).with_state(site.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self { addr, base_url: base, site, shutdown: Some(tx) })
    }

    /// The films served, in CSV order.
    pub fn films(&self) -> &[Film] {
        &self.site.films
    }

    /// Ids of the saved real pages served.
    pub fn real_ids(&self) -> &[String] {
        &self.site.real_ids
    }

    /// Injects `fault` on `path` (exact path, or path and query) for the next
    /// `times` requests (`None`: until cleared).
    pub fn inject(&self, path: &str, fault: Fault, times: Option<u32>) {
        lock(&self.site.faults).insert(path.to_owned(), Injected { fault, remaining: times });
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        lock(&self.site.faults).clear();
    }

    /// Replaces robots.txt.
    pub fn set_robots(&self, text: &str) {
        *lock(&self.site.robots) = text.to_owned();
    }

    /// Requests made for `path` (any query) so far.
    pub fn requests(&self, path: &str) -> u64 {
        lock(&self.site.counts).iter().filter(|(k, _)| k.split('?').next() == Some(path)).map(|(_, n)| n).sum()
    }

    /// Requests made for paths starting with `prefix`.
    pub fn requests_under(&self, prefix: &str) -> u64 {
        lock(&self.site.counts).iter().filter(|(k, _)| k.starts_with(prefix)).map(|(_, n)| n).sum()
    }

    /// All requests so far.
    pub fn total_requests(&self) -> u64 {
        lock(&self.site.counts).values().sum()
    }

    /// Forgets the request counts.
    pub fn reset_counts(&self) {
        lock(&self.site.counts).clear();
    }

    /// The request counts by path and query.
    pub fn counts(&self) -> HashMap<String, u64> {
        lock(&self.site.counts).clone()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The saved pages by title id, and their ids in file order.
type RealPages = (HashMap<String, Arc<String>>, Vec<String>);

fn read_real_pages(dir: &Path) -> anyhow::Result<RealPages> {
    let mut map = HashMap::new();
    let mut ids = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok((map, ids)) };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(id) = name.strip_prefix("title-").and_then(|n| n.strip_suffix(".html")) {
            let bytes = std::fs::read(e.path())?;
            map.insert(id.to_owned(), Arc::new(String::from_utf8_lossy(&bytes).into_owned()));
            ids.push(id.to_owned());
        }
    }
    ids.sort();
    Ok((map, ids))
}

/// FNV-1a 64 of `bytes`, as a quoted strong ETag.
fn etag(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("\"{h:016x}\"")
}

fn status(code: StatusCode, text: &str) -> Response {
    Response::builder()
        .status(code)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(text.to_owned()))
        .unwrap_or_default()
}

async fn handle(State(site): State<Arc<Site>>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or_default().to_owned();
    let full = if query.is_empty() { path.clone() } else { format!("{path}?{query}") };
    *lock(&site.counts).entry(full.clone()).or_default() += 1;

    let fault = {
        let mut faults = lock(&site.faults);
        let key = if faults.contains_key(&full) {
            Some(full.clone())
        } else {
            faults.contains_key(&path).then(|| path.clone())
        };
        match key {
            Some(k) => {
                let f = faults.get_mut(&k).map(|i| {
                    if let Some(n) = i.remaining.as_mut() {
                        *n = n.saturating_sub(1);
                    }
                    (i.fault.clone(), i.remaining == Some(0))
                });
                if let Some((_, true)) = f {
                    faults.remove(&k);
                }
                f.map(|(fault, _)| fault)
            }
            None => None,
        }
    };
    match &fault {
        Some(Fault::TooManyRequests { retry_after_secs }) => {
            return Response::builder()
                .status(StatusCode::TOO_MANY_REQUESTS)
                .header(header::RETRY_AFTER, retry_after_secs.to_string())
                .body(Body::from("slow down"))
                .unwrap_or_default();
        }
        Some(Fault::ServerError) => return status(StatusCode::INTERNAL_SERVER_ERROR, "oops"),
        Some(Fault::Slow(d)) => tokio::time::sleep(*d).await,
        _ => {}
    }

    let (content_type, body): (&str, Vec<u8>) = match route(&site, &path, &query) {
        Some(Ok(v)) => v,
        Some(Err(code)) => return status(code, "error"),
        None => return status(StatusCode::NOT_FOUND, "not found"),
    };
    let (content_type, body) = match fault {
        Some(Fault::Truncated) => (content_type, body[..body.len().min(300)].to_vec()),
        Some(Fault::JsonMoved) => {
            let s = String::from_utf8_lossy(&body).replace("id=\"__NEXT_DATA__\"", "id=\"__NEXT_DATA_V2__\"");
            (content_type, s.into_bytes())
        }
        Some(Fault::NotAnImage) => ("image/jpeg", b"<html><body>Access denied</body></html>".to_vec()),
        _ => (content_type, body),
    };
    let tag = etag(&body);
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut b = Response::builder()
        .header(header::ETAG, HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("\"x\"")))
        .header(header::LAST_MODIFIED, "Wed, 01 Feb 2023 00:00:00 GMT");
    if matches {
        b = b.status(StatusCode::NOT_MODIFIED);
        return b.body(Body::empty()).unwrap_or_default();
    }
    b.status(StatusCode::OK).header(header::CONTENT_TYPE, content_type).body(Body::from(body)).unwrap_or_default()
}

type Routed = Result<(&'static str, Vec<u8>), StatusCode>;

fn route(site: &Site, path: &str, query: &str) -> Option<Routed> {
    const HTML: &str = "text/html; charset=utf-8";
    if path == "/robots.txt" {
        return Some(Ok(("text/plain", lock(&site.robots).clone().into_bytes())));
    }
    if path.starts_with("/private/") {
        return Some(Ok(("text/plain", b"private".to_vec())));
    }
    if path == "/search/title/" || path == "/search/title" {
        return Some(Ok((HTML, pages::search_page(site, query).into_bytes())));
    }
    if path == "/chart/top/" || path == "/chart/top" {
        return Some(Ok((HTML, pages::chart_page(site).into_bytes())));
    }
    if let Some(rest) = path.strip_prefix("/images/") {
        let id = rest.strip_suffix(".jpg")?;
        if !site.by_id.contains_key(id) {
            return None;
        }
        let bytes = {
            let cached = lock(&site.posters).get(id).cloned();
            match cached {
                Some(b) => b,
                None => {
                    let b = Arc::new(posters::poster(id));
                    lock(&site.posters).insert(id.to_owned(), b.clone());
                    b
                }
            }
        };
        return Some(Ok(("image/jpeg", bytes.to_vec())));
    }
    let rest = path.strip_prefix("/title/")?;
    let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
    if !imdb::is_title_id(id) {
        return None;
    }
    match tail {
        "" => {
            if let Some(real) = site.real.get(id) {
                return Some(Ok((HTML, real.as_bytes().to_vec())));
            }
            let idx = *site.by_id.get(id)?;
            let cached = lock(&site.title_pages).get(id).cloned();
            let page = match cached {
                Some(p) => p,
                None => {
                    let p = Arc::new(pages::title_page(site, &site.films[idx]));
                    lock(&site.title_pages).insert(id.to_owned(), p.clone());
                    p
                }
            };
            Some(Ok((HTML, page.as_bytes().to_vec())))
        }
        "reviews/" | "reviews" => {
            if !site.by_id.contains_key(id) && !site.real.contains_key(id) {
                return None;
            }
            Some(Ok((HTML, pages::reviews_page(site, id, query).into_bytes())))
        }
        _ => None,
    }
}
