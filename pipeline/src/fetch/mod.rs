//! The polite HTTP fetcher every scraping source goes through.
//!
//! One User-Agent and `Accept-Language: en-US`; robots.txt fetched once per
//! host and obeyed; a per-host rate limit and a global bound on requests in
//! flight; timeouts; retries with exponential backoff and jitter on timeouts,
//! connection errors, 429 and 5xx, honouring `Retry-After`; conditional
//! requests from remembered validators; a host [allow-list](allow) checked on
//! every URL, every redirect and every DNS answer. The pure parts
//! ([`allow`], [`backoff`], [`robots`]) are tested alone.

pub mod allow;
pub mod backoff;
mod rate;
pub mod robots;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::StreamExt;
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT_LANGUAGE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use tokio::sync::{OnceCell, Semaphore};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::scrape::config::ScraperConfig;
pub use allow::AllowList;
use rate::HostLimiter;
pub use robots::Robots;

/// Largest response body accepted (a title page is ~1 MB, a poster a few hundred KB, the labelled review file 25 MB).
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Validators remembered from an earlier fetch, for a conditional request.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// A successful response (2xx or 304).
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The final URL (after redirects).
    pub url: Url,
    pub status: u16,
    /// Empty on 304.
    pub body: Bytes,
    pub validators: Validators,
    pub content_type: Option<String>,
    /// True on `304 Not Modified`: the remembered copy is current.
    pub not_modified: bool,
    /// Attempts made (1 when the first one succeeded).
    pub attempts: u32,
}

/// Why a URL could not be fetched. Every variant says which URL.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: refused by the allow-list: {reason}")]
    NotAllowed { url: String, reason: String },
    #[error("{url}: disallowed by robots.txt")]
    Robots { url: String },
    #[error("{url}: HTTP {status} after {attempts} attempt(s)")]
    Status { url: String, status: u16, attempts: u32 },
    #[error("{url}: timed out after {attempts} attempt(s)")]
    Timeout { url: String, attempts: u32 },
    #[error("{url}: {message} (after {attempts} attempt(s))")]
    Network { url: String, message: String, attempts: u32 },
    #[error("{url}: the server asked to wait {wait_secs} s (Retry-After), more than the {cap_secs} s cap")]
    RetryAfterTooLong { url: String, wait_secs: u64, cap_secs: u64 },
    #[error("{url}: the body is larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    #[error("{url}: cancelled")]
    Cancelled { url: String },
}

impl FetchError {
    /// The HTTP status, when the server answered with one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Counters of everything the fetcher did, since it was made.
#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    not_modified: AtomicU64,
    bytes: AtomicU64,
    failures: AtomicU64,
    robots_refusals: AtomicU64,
}

/// A snapshot of the fetcher's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FetchStats {
    /// HTTP requests sent (robots.txt and retries included).
    pub requests: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// `304 Not Modified` answers.
    pub not_modified: u64,
    /// Body bytes received.
    pub bytes: u64,
    /// Fetches that finally failed.
    pub failures: u64,
    /// URLs robots.txt did not allow.
    pub robots_refusals: u64,
}

impl FetchStats {
    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &FetchStats) -> FetchStats {
        FetchStats {
            requests: self.requests.saturating_sub(earlier.requests),
            retries: self.retries.saturating_sub(earlier.retries),
            not_modified: self.not_modified.saturating_sub(earlier.not_modified),
            bytes: self.bytes.saturating_sub(earlier.bytes),
            failures: self.failures.saturating_sub(earlier.failures),
            robots_refusals: self.robots_refusals.saturating_sub(earlier.robots_refusals),
        }
    }
}

/// Settings of the fetcher, taken from [`ScraperConfig`].
#[derive(Debug, Clone)]
struct Settings {
    user_agent: String,
    max_retries: u32,
    backoff_base: Duration,
    backoff_cap: Duration,
    max_retry_after: Duration,
    interval: Duration,
}

/// The polite fetcher. Cheap to share behind an `Arc`; one per run is the intent
/// (its robots cache and rate limits are per fetcher).
pub struct Fetcher {
    client: reqwest::Client,
    settings: Settings,
    allow: Arc<AllowList>,
    robots: tokio::sync::Mutex<HashMap<String, Arc<OnceCell<Arc<Robots>>>>>,
    limiter: HostLimiter,
    permits: Semaphore,
    counters: Counters,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher").field("settings", &self.settings).field("allow", &self.allow).finish()
    }
}

/// Resolves names with the system resolver and drops every address the
/// allow-list refuses, so a listed name cannot lead inside.
struct GuardedResolver {
    allow: Arc<AllowList>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = addrs.into_iter().filter(|a| allow.allows_resolved(&host, a.ip())).collect();
            if kept.is_empty() {
                return Err(format!("`{host}` resolves only to addresses the allow-list refuses").into());
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

enum Attempt {
    Done(Fetched),
    Retry { reason: FetchError, wait: Option<Duration> },
    Fail(FetchError),
}

impl Fetcher {
    /// Builds the fetcher from the scraper's settings.
    pub fn new(config: &ScraperConfig) -> crate::Result<Self> {
        let allow = Arc::new(config.allow_list());
        let redirect_allow = allow.clone();
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 5 {
                attempt.error("too many redirects")
            } else if let Err(reason) = redirect_allow.check(attempt.url()) {
                attempt.error(format!("redirect refused by the allow-list: {reason}"))
            } else {
                attempt.follow()
            }
        });
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("en-US,en;q=0.9"));
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .default_headers(headers)
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .redirect(policy)
            .dns_resolver(Arc::new(GuardedResolver { allow: allow.clone() }))
            .no_proxy()
            .build()
            .map_err(|e| crate::PipelineError::Source { source_ref: "http client".into(), reason: e.to_string() })?;
        let interval = if config.rate_per_second > 0.0 {
            Duration::from_secs_f64(1.0 / config.rate_per_second)
        } else {
            Duration::ZERO
        };
        Ok(Self {
            client,
            settings: Settings {
                user_agent: config.user_agent.clone(),
                max_retries: config.max_retries,
                backoff_base: config.backoff_base,
                backoff_cap: Duration::from_secs(30),
                max_retry_after: config.max_retry_after,
                interval,
            },
            allow,
            robots: tokio::sync::Mutex::new(HashMap::new()),
            limiter: HostLimiter::default(),
            permits: Semaphore::new(config.concurrency.max(1)),
            counters: Counters::default(),
        })
    }

    /// The counters so far.
    pub fn stats(&self) -> FetchStats {
        let c = &self.counters;
        FetchStats {
            requests: c.requests.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            not_modified: c.not_modified.load(Ordering::Relaxed),
            bytes: c.bytes.load(Ordering::Relaxed),
            failures: c.failures.load(Ordering::Relaxed),
            robots_refusals: c.robots_refusals.load(Ordering::Relaxed),
        }
    }

    /// Checks `url` against the allow-list (no request).
    pub fn check_allowed(&self, url: &Url) -> Result<(), FetchError> {
        self.allow.check(url).map_err(|reason| FetchError::NotAllowed { url: url.to_string(), reason })
    }

    /// Fetches `url`: allow-list, robots.txt, rate limit, retries. With
    /// `validators`, the request is conditional and a 304 comes back as
    /// `not_modified` with an empty body.
    pub async fn get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        cancel: &CancellationToken,
    ) -> Result<Fetched, FetchError> {
        let out = self.get_inner(url, validators, cancel).await;
        if let Err(e) = &out {
            if !matches!(e, FetchError::Cancelled { .. }) {
                self.counters.failures.fetch_add(1, Ordering::Relaxed);
            }
            if matches!(e, FetchError::Robots { .. }) {
                self.counters.robots_refusals.fetch_add(1, Ordering::Relaxed);
            }
        }
        out
    }

    async fn get_inner(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        cancel: &CancellationToken,
    ) -> Result<Fetched, FetchError> {
        self.check_allowed(url)?;
        let robots = self.robots_for(url, cancel).await?;
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        if !robots.allowed(&path) {
            return Err(FetchError::Robots { url: url.to_string() });
        }
        let min_interval =
            robots.crawl_delay.map(Duration::from_secs_f64).unwrap_or_default().max(self.settings.interval);
        self.with_retries(url, validators, min_interval, cancel).await
    }

    async fn with_retries(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        min_interval: Duration,
        cancel: &CancellationToken,
    ) -> Result<Fetched, FetchError> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if attempt > 1 {
                self.counters.retries.fetch_add(1, Ordering::Relaxed);
            }
            match self.attempt(url, validators, min_interval, attempt, cancel).await {
                Attempt::Done(f) => return Ok(f),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry { reason, wait } => {
                    if attempt > self.settings.max_retries {
                        return Err(reason);
                    }
                    let backoff = backoff::backoff_delay(
                        attempt,
                        self.settings.backoff_base,
                        self.settings.backoff_cap,
                        backoff::jitter(),
                    );
                    let wait = match wait {
                        Some(w) if w > self.settings.max_retry_after => {
                            return Err(FetchError::RetryAfterTooLong {
                                url: url.to_string(),
                                wait_secs: w.as_secs(),
                                cap_secs: self.settings.max_retry_after.as_secs(),
                            });
                        }
                        Some(w) => w.max(backoff),
                        None => backoff,
                    };
                    tracing::debug!(%url, attempt, ?wait, error = %reason, "retrying");
                    tokio::select! {
                        _ = cancel.cancelled() => return Err(FetchError::Cancelled { url: url.to_string() }),
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
    }

    async fn attempt(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        min_interval: Duration,
        attempt: u32,
        cancel: &CancellationToken,
    ) -> Attempt {
        let cancelled = || Attempt::Fail(FetchError::Cancelled { url: url.to_string() });
        let permit = tokio::select! {
            _ = cancel.cancelled() => return cancelled(),
            p = self.permits.acquire() => match p { Ok(p) => p, Err(_) => return cancelled() },
        };
        let host = host_key(url);
        tokio::select! {
            _ = cancel.cancelled() => return cancelled(),
            _ = self.limiter.wait(&host, min_interval) => {}
        }
        let mut req = self.client.get(url.clone());
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                req = req.header(IF_NONE_MATCH, etag.as_str());
            }
            if let Some(lm) = &v.last_modified {
                req = req.header(IF_MODIFIED_SINCE, lm.as_str());
            }
        }
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let result = tokio::select! {
            _ = cancel.cancelled() => return cancelled(),
            r = self.read(req, url, attempt) => r,
        };
        drop(permit);
        result
    }

    /// Sends and reads the body under the request timeout.
    async fn read(&self, req: reqwest::RequestBuilder, url: &Url, attempts: u32) -> Attempt {
        let s = url.to_string();
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return self.transport_error(e, s, attempts),
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let header = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        let validators = Validators { etag: header(ETAG), last_modified: header(LAST_MODIFIED) };
        if status == 304 {
            self.counters.not_modified.fetch_add(1, Ordering::Relaxed);
            return Attempt::Done(Fetched {
                url: resp.url().clone(),
                status,
                body: Bytes::new(),
                validators,
                content_type: None,
                not_modified: true,
                attempts,
            });
        }
        if status == 429 || (500..=599).contains(&status) {
            let wait = header(RETRY_AFTER).and_then(|v| backoff::parse_retry_after(&v, SystemTime::now()));
            return Attempt::Retry { reason: FetchError::Status { url: s, status, attempts }, wait };
        }
        if !(200..=299).contains(&status) {
            return Attempt::Fail(FetchError::Status { url: s, status, attempts });
        }
        if resp.content_length().is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Attempt::Fail(FetchError::TooLarge { url: s, limit: MAX_BODY_BYTES });
        }
        let final_url = resp.url().clone();
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(c) => {
                    self.counters.bytes.fetch_add(c.len() as u64, Ordering::Relaxed);
                    if body.len() + c.len() > MAX_BODY_BYTES {
                        return Attempt::Fail(FetchError::TooLarge { url: s, limit: MAX_BODY_BYTES });
                    }
                    body.extend_from_slice(&c);
                }
                Err(e) => return self.transport_error(e, s, attempts),
            }
        }
        Attempt::Done(Fetched {
            url: final_url,
            status,
            body: Bytes::from(body),
            validators,
            content_type,
            not_modified: false,
            attempts,
        })
    }

    fn transport_error(&self, e: reqwest::Error, url: String, attempts: u32) -> Attempt {
        if e.is_redirect() {
            // A redirect the allow-list refused: never retried.
            return Attempt::Fail(FetchError::NotAllowed { url, reason: error_chain(&e) });
        }
        let reason = if e.is_timeout() {
            FetchError::Timeout { url, attempts }
        } else {
            FetchError::Network { url, message: error_chain(&e), attempts }
        };
        Attempt::Retry { reason, wait: None }
    }

    /// The robots rules of `url`'s host, fetched once per host and cached.
    /// A 4xx (no robots.txt) allows all; a 5xx or an unreachable host
    /// disallows all for this fetcher's life (RFC 9309).
    async fn robots_for(&self, url: &Url, cancel: &CancellationToken) -> Result<Arc<Robots>, FetchError> {
        let key = host_key(url);
        let cell = {
            let mut map = self.robots.lock().await;
            map.entry(key).or_insert_with(|| Arc::new(OnceCell::new())).clone()
        };
        let robots = cell
            .get_or_try_init(|| async {
                let mut robots_url = url.clone();
                robots_url.set_path("/robots.txt");
                robots_url.set_query(None);
                robots_url.set_fragment(None);
                let rules = match self.with_retries(&robots_url, None, self.settings.interval, cancel).await {
                    Ok(f) => Robots::parse(&String::from_utf8_lossy(&f.body), &self.settings.user_agent),
                    Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => Robots::allow_all(),
                    Err(e @ FetchError::Cancelled { .. }) => return Err(e),
                    Err(e) => {
                        tracing::warn!(error = %e, "robots.txt unreachable: the host is treated as disallowed");
                        Robots::disallow_all()
                    }
                };
                Ok::<_, FetchError>(Arc::new(rules))
            })
            .await?;
        Ok(robots.clone())
    }
}

fn host_key(url: &Url) -> String {
    format!("{}://{}:{}", url.scheme(), url.host_str().unwrap_or_default(), url.port_or_known_default().unwrap_or(0))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let m = inner.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        src = inner.source();
    }
    s
}
