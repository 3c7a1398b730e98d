//! The scraper's settings: one typed struct, read from named settings by
//! [`ScraperConfig::from_settings`] (the server's `Config` embeds it and hands
//! it its environment/file lookup), with the defaults of a polite crawler.

use std::path::Path;
use std::time::Duration;

use url::Url;

use crate::fetch::AllowList;

/// Where the labelled review CSV lives in a checkout next to `shared/`.
pub const DEFAULT_PRETRAINED_REVIEWS: &str = "../shared/data/reviews/imdb_reviews_50k.csv.gz";

/// Default identity: a product token robots.txt files can name, and where to read about it.
pub const DEFAULT_USER_AGENT: &str = "MarqueeBot/0.1 (+https://github.com/marquee/marquee; movie catalog)";

/// Everything the scraping sources need to know.
#[derive(Debug, Clone, PartialEq)]
pub struct ScraperConfig {
    /// `MARQUEE_SCRAPE_BASE_URL`: the site to scrape (default `https://www.imdb.com/`).
    pub base_url: Url,
    /// `MARQUEE_SCRAPE_USER_AGENT`: the one User-Agent sent.
    pub user_agent: String,
    /// `MARQUEE_SCRAPE_RATE`: requests per second per host (default 1).
    pub rate_per_second: f64,
    /// `MARQUEE_SCRAPE_CONCURRENCY`: requests in flight at once (default 2).
    pub concurrency: usize,
    /// `MARQUEE_SCRAPE_ALLOW_HOSTS`: hosts that may be contacted, comma-separated
    /// (default `www.imdb.com,m.media-amazon.com`; IP literals only when listed).
    pub allow_hosts: Vec<String>,
    /// `MARQUEE_SCRAPE_TIMEOUT_SECS`: per request (default 20).
    pub timeout: Duration,
    /// `MARQUEE_SCRAPE_MAX_RETRIES`: retries after the first attempt (default 4).
    pub max_retries: u32,
    /// `MARQUEE_SCRAPE_BACKOFF_MS`: the first backoff step (default 1000).
    pub backoff_base: Duration,
    /// Longest `Retry-After` honoured before the item is recorded as failed (120 s).
    pub max_retry_after: Duration,
    /// `MARQUEE_SCRAPE_REVIEW_PAGES`: review pages per title and polarity (default 3).
    pub review_pages: u32,
    /// `MARQUEE_SCRAPE_MOVIE_LIMIT`: most movies a run collects (default 1000).
    pub movie_limit: usize,
    /// `MARQUEE_SCRAPE_REFRESH_HOURS`: a run re-fetches (conditionally) items
    /// fetched longer ago than this (default 24; `off`: only what is missing
    /// or failed).
    pub refresh_after: Option<Duration>,
    /// Thumbnail width in pixels (480: sharp at twice a card's size; `srcset`
    /// offers the narrower variants of `Thumbnail::VARIANT_WIDTHS`).
    pub thumbnail_width: u32,
    /// `MARQUEE_PRETRAINED_REVIEWS`: the labelled review CSV, path or URL
    /// (default: the shared file, when present).
    pub pretrained_reviews_source: Option<String>,
}

impl Default for ScraperConfig {
    fn default() -> Self {
        Self {
            base_url: Url::parse("https://www.imdb.com/").expect("a valid constant URL"),
            user_agent: DEFAULT_USER_AGENT.into(),
            rate_per_second: 1.0,
            concurrency: 2,
            allow_hosts: vec!["www.imdb.com".into(), "m.media-amazon.com".into()],
            timeout: Duration::from_secs(20),
            max_retries: 4,
            backoff_base: Duration::from_millis(1000),
            max_retry_after: Duration::from_secs(120),
            review_pages: 3,
            movie_limit: 1000,
            refresh_after: Some(Duration::from_secs(24 * 3600)),
            thumbnail_width: 480,
            pretrained_reviews_source: Path::new(DEFAULT_PRETRAINED_REVIEWS)
                .exists()
                .then(|| DEFAULT_PRETRAINED_REVIEWS.into()),
        }
    }
}

/// A setting that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration: {setting} = `{value}`: {reason}")]
pub struct SettingError {
    pub setting: &'static str,
    pub value: String,
    pub reason: String,
}

impl ScraperConfig {
    /// Reads the `MARQUEE_SCRAPE_*` settings (and `MARQUEE_PRETRAINED_REVIEWS`)
    /// through `get`; unset ones keep their defaults.
    pub fn from_settings(get: &dyn Fn(&'static str) -> Option<String>) -> Result<Self, SettingError> {
        let mut c = Self::default();
        fn bad(setting: &'static str, value: &str, reason: &str) -> SettingError {
            SettingError { setting, value: value.to_owned(), reason: reason.to_owned() }
        }
        fn num<T: std::str::FromStr>(
            get: &dyn Fn(&'static str) -> Option<String>,
            key: &'static str,
            ok: impl Fn(&T) -> bool,
            reason: &str,
        ) -> Result<Option<T>, SettingError> {
            match get(key) {
                None => Ok(None),
                Some(v) => match v.trim().parse::<T>() {
                    Ok(n) if ok(&n) => Ok(Some(n)),
                    _ => Err(bad(key, &v, reason)),
                },
            }
        }
        if let Some(v) = get("MARQUEE_SCRAPE_BASE_URL") {
            let url = Url::parse(v.trim()).map_err(|e| bad("MARQUEE_SCRAPE_BASE_URL", &v, &e.to_string()))?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return Err(bad("MARQUEE_SCRAPE_BASE_URL", &v, "expected an http(s) URL with a host"));
            }
            c.base_url = url;
        }
        if let Some(v) = get("MARQUEE_SCRAPE_USER_AGENT") {
            if v.trim().is_empty() || v.len() > 256 || v.chars().any(|ch| ch.is_control()) {
                return Err(bad("MARQUEE_SCRAPE_USER_AGENT", &v, "expected 1 to 256 printable characters"));
            }
            c.user_agent = v.trim().to_owned();
        }
        if let Some(r) = num::<f64>(
            get,
            "MARQUEE_SCRAPE_RATE",
            |r| r.is_finite() && *r > 0.0 && *r <= 10_000.0,
            "expected requests per second, > 0",
        )? {
            c.rate_per_second = r;
        }
        if let Some(n) = num::<usize>(get, "MARQUEE_SCRAPE_CONCURRENCY", |n| (1..=64).contains(n), "expected 1 to 64")?
        {
            c.concurrency = n;
        }
        if let Some(v) = get("MARQUEE_SCRAPE_ALLOW_HOSTS") {
            let hosts: Vec<String> = v.split(',').map(|h| h.trim().to_owned()).filter(|h| !h.is_empty()).collect();
            if hosts.is_empty() || hosts.iter().any(|h| h.contains('/') || h.contains(' ')) {
                return Err(bad("MARQUEE_SCRAPE_ALLOW_HOSTS", &v, "expected comma-separated host names or addresses"));
            }
            c.allow_hosts = hosts;
        }
        if let Some(s) =
            num::<u64>(get, "MARQUEE_SCRAPE_TIMEOUT_SECS", |s| (1..=600).contains(s), "expected 1 to 600 seconds")?
        {
            c.timeout = Duration::from_secs(s);
        }
        if let Some(n) = num::<u32>(get, "MARQUEE_SCRAPE_MAX_RETRIES", |n| *n <= 20, "expected 0 to 20")? {
            c.max_retries = n;
        }
        if let Some(ms) =
            num::<u64>(get, "MARQUEE_SCRAPE_BACKOFF_MS", |m| (1..=60_000).contains(m), "expected 1 to 60000")?
        {
            c.backoff_base = Duration::from_millis(ms);
        }
        if let Some(n) = num::<u32>(get, "MARQUEE_SCRAPE_REVIEW_PAGES", |n| (1..=100).contains(n), "expected 1 to 100")?
        {
            c.review_pages = n;
        }
        if let Some(n) =
            num::<usize>(get, "MARQUEE_SCRAPE_MOVIE_LIMIT", |n| (1..=100_000).contains(n), "expected 1 to 100000")?
        {
            c.movie_limit = n;
        }
        if let Some(v) = get("MARQUEE_SCRAPE_REFRESH_HOURS") {
            c.refresh_after = match v.trim() {
                "off" | "never" => None,
                h => match h.parse::<u64>() {
                    Ok(h) if (1..=24 * 365).contains(&h) => Some(Duration::from_secs(h * 3600)),
                    _ => return Err(bad("MARQUEE_SCRAPE_REFRESH_HOURS", &v, "expected 1 to 8760 hours, or `off`")),
                },
            };
        }
        if let Some(v) = get("MARQUEE_PRETRAINED_REVIEWS") {
            c.pretrained_reviews_source = Some(v.trim().to_owned());
        }
        if let Err(reason) = c.allow_list().check(&c.base_url) {
            return Err(bad(
                "MARQUEE_SCRAPE_BASE_URL",
                c.base_url.as_str(),
                &format!("not on MARQUEE_SCRAPE_ALLOW_HOSTS: {reason}"),
            ));
        }
        Ok(c)
    }

    /// The allow-list of [`Self::allow_hosts`].
    pub fn allow_list(&self) -> AllowList {
        AllowList::new(&self.allow_hosts)
    }

    /// `path` (which may carry a query) on the base URL.
    pub fn url(&self, path: &str) -> Result<Url, url::ParseError> {
        self.base_url.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> Result<ScraperConfig, SettingError> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ScraperConfig::from_settings(&|k| m.get(k).cloned())
    }

    #[test]
    fn defaults_are_polite() {
        let c = from(&[]).unwrap();
        assert_eq!(c.rate_per_second, 1.0);
        assert!(c.concurrency <= 2);
        assert_eq!(c.base_url.as_str(), "https://www.imdb.com/");
        assert!(c.user_agent.starts_with("MarqueeBot/"));
    }

    #[test]
    fn settings_are_read_and_checked() {
        let c = from(&[
            ("MARQUEE_SCRAPE_BASE_URL", "http://127.0.0.1:4000/"),
            ("MARQUEE_SCRAPE_ALLOW_HOSTS", "127.0.0.1"),
            ("MARQUEE_SCRAPE_RATE", "200"),
            ("MARQUEE_SCRAPE_REVIEW_PAGES", "2"),
        ])
        .unwrap();
        assert_eq!(c.url("/title/tt1/").unwrap().as_str(), "http://127.0.0.1:4000/title/tt1/");
        assert_eq!((c.rate_per_second, c.review_pages), (200.0, 2));
        let e = from(&[("MARQUEE_SCRAPE_BASE_URL", "http://10.0.0.1/")]).unwrap_err();
        assert_eq!(e.setting, "MARQUEE_SCRAPE_BASE_URL", "an internal base URL needs an explicit allow entry");
        assert_eq!(from(&[("MARQUEE_SCRAPE_REFRESH_HOURS", "off")]).unwrap().refresh_after, None);
        assert_eq!(
            from(&[("MARQUEE_SCRAPE_REFRESH_HOURS", "6")]).unwrap().refresh_after,
            Some(Duration::from_secs(6 * 3600))
        );
        assert_eq!(from(&[("MARQUEE_SCRAPE_REFRESH_HOURS", "0")]).unwrap_err().setting, "MARQUEE_SCRAPE_REFRESH_HOURS");
        assert_eq!(from(&[("MARQUEE_SCRAPE_RATE", "0")]).unwrap_err().setting, "MARQUEE_SCRAPE_RATE");
        assert_eq!(from(&[("MARQUEE_SCRAPE_CONCURRENCY", "x")]).unwrap_err().setting, "MARQUEE_SCRAPE_CONCURRENCY");
        assert_eq!(from(&[("MARQUEE_SCRAPE_USER_AGENT", "a\nb")]).unwrap_err().setting, "MARQUEE_SCRAPE_USER_AGENT");
    }
}
