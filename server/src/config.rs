//! One typed configuration for the server and the CLI.
//!
//! Sources, strongest first: the process environment, a `.env` file in the
//! working directory (never overriding the environment), an optional TOML file
//! (`MARQUEE_CONFIG`, else `marquee.toml` if present) with the same keys in
//! lower case, then the defaults below. Invalid values fail at start-up with a
//! message naming the setting.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Where the sample catalog lives in a checkout next to `shared/`.
pub const DEFAULT_SAMPLE_CATALOG: &str = "../shared/data/catalog/imdb_top_1000.csv";

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://…` (default: `<data dir>/marquee.db`) or `mysql://…`.
    pub database_url: String,
    /// `MARQUEE_DATA_DIR`: SQLite file, object store and index (default `data`).
    pub data_dir: PathBuf,
    /// `LEPTOS_SITE_ADDR`: where the site listens (default `127.0.0.1:3000`).
    pub site_addr: SocketAddr,
    /// `MARQUEE_OBJECT_STORE`: raw and cleaned assets (default `<data dir>/objects`).
    pub object_store: String,
    /// `MARQUEE_CATALOG_SOURCE`: Kaggle-format CSV, a path or http(s) URL
    /// (default: the shared sample, when present).
    pub catalog_source: Option<String>,
    /// `MARQUEE_LOAD_ON_EMPTY`: run the pipeline at start-up when the catalog is
    /// empty, or was never loaded to the end (a first load killed part-way; default true).
    pub load_on_empty: bool,
    /// `MARQUEE_SENTIMENT_ON_START`: train the review-sentiment model at
    /// start-up when none is saved (default true; about 10 s and 300 MiB once).
    pub sentiment_on_start: bool,
    /// `MARQUEE_LEPTOS_CONFIG`: the runtime Leptos configuration (default `Leptos.toml`).
    pub leptos_config: PathBuf,
    /// The scraper's settings (`MARQUEE_SCRAPE_*`, `MARQUEE_PRETRAINED_REVIEWS`):
    /// see `pipeline::ScraperConfig`.
    pub scraper: pipeline::ScraperConfig,
    /// `MARQUEE_S3_ENDPOINT`, `MARQUEE_S3_REGION`, `MARQUEE_S3_ACCESS_KEY_ID`,
    /// `MARQUEE_S3_SECRET_ACCESS_KEY`: for an `s3://bucket/prefix` object store.
    pub s3: pipeline::store::S3Options,
    /// `MARQUEE_SCHEDULE`: cron in UTC for pipeline runs, or `off` (default `0 3 * * *`).
    pub schedule: pipeline::orchestrate::Schedule,
    /// `MARQUEE_ADMIN_USER`: the one admin account's name (default `admin`).
    pub admin_user: String,
    /// `MARQUEE_ADMIN_PASSWORD_HASH`: its password as an argon2 PHC string
    /// (else the one `marquee admin set-password` stored in the database).
    pub admin_password_hash: Option<String>,
    /// `MARQUEE_COOKIE_SECURE`: `auto` (Secure behind TLS, seen from
    /// `X-Forwarded-Proto: https`), `true` or `false` (default `auto`).
    pub cookie_secure: CookieSecure,
    /// `MARQUEE_SEARCH_RATE_LIMIT`: `/api/search` requests per second per
    /// client (bursts of twice that), or `off` (default 50).
    pub search_rate_limit: Option<u32>,
    /// `MARQUEE_ENGINE`: where the pipeline's DataFusion jobs run, `embedded`
    /// (default) or a Ballista cluster `ballista://HOST:PORT` (its executors
    /// started with `marquee cluster executor`); with
    /// `MARQUEE_CLUSTER_JOB_DEADLINE`, seconds a cluster job may take (default 3600).
    pub engine: pipeline::Engine,
}

/// When the admin session cookie carries `Secure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieSecure {
    Auto,
    Always,
    Never,
}

/// A setting that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {setting} = `{value}`: {reason}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub value: String,
    pub reason: String,
}

impl Config {
    /// Reads the configuration from the process environment, `.env` and the optional file.
    pub fn load() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::from_sources(&env)
    }

    /// Builds the configuration from explicit variables (and the file they name).
    pub fn from_sources(env: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let file = read_file(env)?;
        let get = |key: &'static str| -> Option<String> {
            env.get(key).cloned().or_else(|| file.get(&key.to_lowercase()).cloned()).filter(|v| !v.trim().is_empty())
        };

        let data_dir = PathBuf::from(get("MARQUEE_DATA_DIR").unwrap_or_else(|| "data".into()));
        std::fs::create_dir_all(&data_dir).map_err(|e| ConfigError {
            setting: "MARQUEE_DATA_DIR",
            value: data_dir.display().to_string(),
            reason: format!("cannot create the directory: {e}"),
        })?;

        let database_url =
            get("DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}", data_dir.join("marquee.db").display()));
        if catalog::db::Backend::from_url(&database_url).is_err() {
            return Err(ConfigError {
                setting: "DATABASE_URL",
                value: database_url,
                reason: "expected sqlite://PATH or mysql://USER@HOST/DB".into(),
            });
        }

        let addr = get("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let site_addr = addr.parse().map_err(|e| ConfigError {
            setting: "LEPTOS_SITE_ADDR",
            value: addr.clone(),
            reason: format!("not a socket address like 127.0.0.1:3000 ({e})"),
        })?;

        let object_store =
            get("MARQUEE_OBJECT_STORE").unwrap_or_else(|| data_dir.join("objects").display().to_string());

        let catalog_source = get("MARQUEE_CATALOG_SOURCE")
            .or_else(|| Path::new(DEFAULT_SAMPLE_CATALOG).exists().then(|| DEFAULT_SAMPLE_CATALOG.into()));

        let load_on_empty = match get("MARQUEE_LOAD_ON_EMPTY") {
            None => true,
            Some(v) => parse_bool(&v).ok_or_else(|| ConfigError {
                setting: "MARQUEE_LOAD_ON_EMPTY",
                value: v,
                reason: "expected true or false".into(),
            })?,
        };

        let sentiment_on_start = match get("MARQUEE_SENTIMENT_ON_START") {
            None => true,
            Some(v) => parse_bool(&v).ok_or_else(|| ConfigError {
                setting: "MARQUEE_SENTIMENT_ON_START",
                value: v,
                reason: "expected true or false".into(),
            })?,
        };

        let scraper = pipeline::ScraperConfig::from_settings(&get).map_err(|e| ConfigError {
            setting: e.setting,
            value: e.value,
            reason: e.reason,
        })?;
        let s3 = pipeline::store::S3Options {
            endpoint: get("MARQUEE_S3_ENDPOINT"),
            region: get("MARQUEE_S3_REGION"),
            access_key_id: get("MARQUEE_S3_ACCESS_KEY_ID"),
            secret_access_key: get("MARQUEE_S3_SECRET_ACCESS_KEY"),
        };
        if let Some(e) = &s3.endpoint {
            if url::Url::parse(e).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
                return Err(ConfigError {
                    setting: "MARQUEE_S3_ENDPOINT",
                    value: e.clone(),
                    reason: "expected an http(s) URL like http://127.0.0.1:9000".into(),
                });
            }
        }

        let leptos_config = PathBuf::from(get("MARQUEE_LEPTOS_CONFIG").unwrap_or_else(|| "Leptos.toml".into()));
        if !leptos_config.exists() {
            return Err(ConfigError {
                setting: "MARQUEE_LEPTOS_CONFIG",
                value: leptos_config.display().to_string(),
                reason: "file not found (run marquee from the repository root)".into(),
            });
        }

        let schedule = get("MARQUEE_SCHEDULE")
            .unwrap_or_else(|| pipeline::orchestrate::DEFAULT_SCHEDULE.into())
            .parse()
            .map_err(|reason| ConfigError {
                setting: "MARQUEE_SCHEDULE",
                value: get("MARQUEE_SCHEDULE").unwrap_or_default(),
                reason,
            })?;

        let admin_user = get("MARQUEE_ADMIN_USER").unwrap_or_else(|| "admin".into()).trim().to_owned();
        if admin_user.len() > 64 || admin_user.chars().any(char::is_control) {
            return Err(ConfigError {
                setting: "MARQUEE_ADMIN_USER",
                value: admin_user,
                reason: "expected a name of at most 64 printable characters".into(),
            });
        }
        let admin_password_hash = get("MARQUEE_ADMIN_PASSWORD_HASH").map(|h| h.trim().to_owned());
        if let Some(h) = &admin_password_hash {
            if let Err(e) = argon2::PasswordHash::new(h) {
                return Err(ConfigError {
                    setting: "MARQUEE_ADMIN_PASSWORD_HASH",
                    value: "(hidden)".into(),
                    reason: format!("not an argon2 PHC string like $argon2id$v=19$...: {e}"),
                });
            }
        }
        let cookie_secure = match get("MARQUEE_COOKIE_SECURE").as_deref().map(str::trim) {
            None | Some("auto") => CookieSecure::Auto,
            Some(v) => match parse_bool(v) {
                Some(true) => CookieSecure::Always,
                Some(false) => CookieSecure::Never,
                None => {
                    return Err(ConfigError {
                        setting: "MARQUEE_COOKIE_SECURE",
                        value: v.to_owned(),
                        reason: "expected auto, true or false".into(),
                    })
                }
            },
        };

        let search_rate_limit = match get("MARQUEE_SEARCH_RATE_LIMIT").as_deref().map(str::trim) {
            None => Some(50),
            Some("off") => None,
            Some(v) => match v.parse::<u32>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    return Err(ConfigError {
                        setting: "MARQUEE_SEARCH_RATE_LIMIT",
                        value: v.to_owned(),
                        reason: "expected a number of requests per second above 0, or off".into(),
                    })
                }
            },
        };

        let engine: pipeline::Engine =
            get("MARQUEE_ENGINE").unwrap_or_else(|| "embedded".into()).parse().map_err(|reason| ConfigError {
                setting: "MARQUEE_ENGINE",
                value: get("MARQUEE_ENGINE").unwrap_or_default(),
                reason,
            })?;
        let engine = match get("MARQUEE_CLUSTER_JOB_DEADLINE") {
            None => engine,
            Some(v) => match v.trim().parse::<u64>() {
                Ok(secs) if secs > 0 => engine.with_deadline(std::time::Duration::from_secs(secs)),
                _ => {
                    return Err(ConfigError {
                        setting: "MARQUEE_CLUSTER_JOB_DEADLINE",
                        value: v,
                        reason: "expected a number of seconds above 0".into(),
                    })
                }
            },
        };

        Ok(Self {
            engine,
            search_rate_limit,
            database_url,
            data_dir,
            site_addr,
            object_store,
            catalog_source,
            load_on_empty,
            sentiment_on_start,
            leptos_config,
            schedule,
            admin_user,
            admin_password_hash,
            cookie_secure,
            scraper,
            s3,
        })
    }

    /// Opens the object store `MARQUEE_OBJECT_STORE` (local or S3).
    pub fn open_store(&self) -> Result<pipeline::store::AssetStore, pipeline::PipelineError> {
        pipeline::store::AssetStore::open_with(&self.object_store, &self.s3)
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn read_file(env: &HashMap<String, String>) -> Result<HashMap<String, String>, ConfigError> {
    let (path, required) = match env.get("MARQUEE_CONFIG") {
        Some(p) => (PathBuf::from(p), true),
        None => (PathBuf::from("marquee.toml"), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(_) if !required => return Ok(HashMap::new()),
        Err(e) => {
            return Err(ConfigError {
                setting: "MARQUEE_CONFIG",
                value: path.display().to_string(),
                reason: format!("cannot read the file: {e}"),
            });
        }
    };
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ConfigError {
        setting: "MARQUEE_CONFIG",
        value: path.display().to_string(),
        reason: format!("not valid TOML: {}", e.message()),
    })?;
    Ok(table
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                toml::Value::String(s) => s,
                other => other.to_string(),
            };
            (k.to_lowercase(), v)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        let dir = tempfile::tempdir().unwrap().keep();
        let mut m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        m.entry("MARQUEE_DATA_DIR".into()).or_insert_with(|| dir.display().to_string());
        m.entry("MARQUEE_LEPTOS_CONFIG".into()).or_insert_with(|| "../Leptos.toml".into());
        m
    }

    #[test]
    fn defaults_are_embedded() {
        let c = Config::from_sources(&env(&[])).unwrap();
        assert!(c.database_url.starts_with("sqlite://"), "{}", c.database_url);
        assert!(c.database_url.ends_with("marquee.db"));
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert!(c.load_on_empty);
    }

    #[test]
    fn bad_values_name_the_setting() {
        let e = Config::from_sources(&env(&[("LEPTOS_SITE_ADDR", "nowhere")])).unwrap_err();
        assert_eq!(e.setting, "LEPTOS_SITE_ADDR");
        assert!(e.to_string().contains("LEPTOS_SITE_ADDR"));
        let e = Config::from_sources(&env(&[("DATABASE_URL", "postgres://x/y")])).unwrap_err();
        assert_eq!(e.setting, "DATABASE_URL");
        let e = Config::from_sources(&env(&[("MARQUEE_LOAD_ON_EMPTY", "maybe")])).unwrap_err();
        assert_eq!(e.setting, "MARQUEE_LOAD_ON_EMPTY");
        let e = Config::from_sources(&env(&[("MARQUEE_CONFIG", "/nonexistent.toml")])).unwrap_err();
        assert_eq!(e.setting, "MARQUEE_CONFIG");
        let e = Config::from_sources(&env(&[("MARQUEE_SCHEDULE", "every day")])).unwrap_err();
        assert_eq!(e.setting, "MARQUEE_SCHEDULE");
        let e = Config::from_sources(&env(&[("MARQUEE_ADMIN_PASSWORD_HASH", "hunter2")])).unwrap_err();
        assert_eq!(e.setting, "MARQUEE_ADMIN_PASSWORD_HASH");
        assert!(!e.to_string().contains("hunter2"), "a bad hash is never echoed");
        for bad in ["0", "-1", "lots"] {
            let e = Config::from_sources(&env(&[("MARQUEE_SEARCH_RATE_LIMIT", bad)])).unwrap_err();
            assert_eq!(e.setting, "MARQUEE_SEARCH_RATE_LIMIT", "{bad}");
        }
        assert_eq!(
            Config::from_sources(&env(&[("MARQUEE_SEARCH_RATE_LIMIT", "off")])).unwrap().search_rate_limit,
            None
        );
        assert_eq!(Config::from_sources(&env(&[])).unwrap().search_rate_limit, Some(50));
        let e = Config::from_sources(&env(&[("MARQUEE_COOKIE_SECURE", "sometimes")])).unwrap_err();
        assert_eq!(e.setting, "MARQUEE_COOKIE_SECURE");
    }

    #[test]
    fn orchestration_and_admin_settings() {
        let c = Config::from_sources(&env(&[])).unwrap();
        assert_eq!(c.schedule.to_string(), "0 3 * * *");
        assert_eq!((c.admin_user.as_str(), c.admin_password_hash.as_deref()), ("admin", None));
        assert_eq!(c.cookie_secure, CookieSecure::Auto);
        let c = Config::from_sources(&env(&[
            ("MARQUEE_SCHEDULE", "off"),
            ("MARQUEE_ADMIN_USER", "ops"),
            ("MARQUEE_COOKIE_SECURE", "true"),
        ]))
        .unwrap();
        assert_eq!(c.schedule, pipeline::orchestrate::Schedule::Off);
        assert_eq!(c.admin_user, "ops");
        assert_eq!(c.cookie_secure, CookieSecure::Always);
    }

    #[test]
    fn file_values_yield_to_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("m.toml");
        std::fs::write(&f, "leptos_site_addr = \"127.0.0.1:4000\"\nmarquee_load_on_empty = false\n").unwrap();
        let c = Config::from_sources(&env(&[("MARQUEE_CONFIG", f.to_str().unwrap())])).unwrap();
        assert_eq!(c.site_addr.port(), 4000);
        assert!(!c.load_on_empty);
        let c = Config::from_sources(&env(&[
            ("MARQUEE_CONFIG", f.to_str().unwrap()),
            ("LEPTOS_SITE_ADDR", "127.0.0.1:5000"),
        ]))
        .unwrap();
        assert_eq!(c.site_addr.port(), 5000);
    }
}
