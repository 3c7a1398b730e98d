use std::time::Duration;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use super::{migrations, DbError, DbResult};

/// Which SQL dialect is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    MySql,
}

impl Backend {
    /// Reads the backend from a `DATABASE_URL`.
    pub fn from_url(url: &str) -> DbResult<Self> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Self::Sqlite),
            "mysql" | "mariadb" => Ok(Self::MySql),
            _ => Err(DbError::BadUrl { url: redact(url), reason: "expected a sqlite:// or mysql:// URL".into() }),
        }
    }
}

/// The catalog database: a connection pool and its dialect. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// Reads reused between requests, dropped whenever this process writes movies.
    pub(crate) caches: std::sync::Arc<super::cache::Caches>,
}

impl Catalog {
    /// Begins a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`:
    /// a deferred transaction that reads before it writes cannot upgrade to a
    /// writer once another connection (the run heartbeat, the log) has
    /// committed since its first read; SQLite then fails at once with
    /// `SQLITE_BUSY` whatever the busy timeout. Taking the write lock up
    /// front makes it wait its turn instead. MySQL's row locks need nothing.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::MySql => self.pool.begin().await,
        }
    }

    /// Connects to `url` (creating a SQLite file if needed) without migrating.
    pub async fn connect(url: &str) -> DbResult<Self> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite => sqlite_url_with_create(url),
            Backend::MySql => url.replacen("mariadb:", "mysql:", 1),
        };
        if backend == Backend::Sqlite {
            ensure_sqlite_parent_dir(&url);
        }
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::MySql => 16,
            })
            // Fail fast when the database is away instead of hanging requests.
            .acquire_timeout(Duration::from_secs(3))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                        )
                        .await?;
                    } else {
                        conn.execute("SET NAMES utf8mb4").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|source| DbError::Connect { url: redact(&url), source })?;
        Ok(Self { pool, backend, caches: Default::default() })
    }

    /// Connects and applies the backend's migrations.
    pub async fn connect_and_migrate(url: &str) -> DbResult<Self> {
        let catalog = Self::connect(url).await?;
        catalog.migrate().await?;
        Ok(catalog)
    }

    /// Applies pending migrations (idempotent).
    pub async fn migrate(&self) -> DbResult<()> {
        migrations::migrator(self.backend).run(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The underlying pool, for tests and health checks.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// True when a trivial query succeeds.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `sqlite://path` → `sqlite://path?mode=rwc`, so a fresh data dir just works.
fn sqlite_url_with_create(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

fn ensure_sqlite_parent_dir(url: &str) {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:").split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        return;
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            let _ = std::fs::create_dir_all(parent);
        }
    }
}

/// Hides a password in a URL before it reaches a log or an error.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &userinfo[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(Backend::from_url("sqlite://data/x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("mysql://root@localhost/test").unwrap(), Backend::MySql);
        assert!(Backend::from_url("postgres://x").is_err());
        assert_eq!(sqlite_url_with_create("sqlite://a.db"), "sqlite://a.db?mode=rwc");
        assert_eq!(redact("mysql://u:secret@h/db"), "mysql://u:***@h/db");
        assert_eq!(redact("mysql://root@h/db"), "mysql://root@h/db");
    }
}
