//! The catalog database: SQLite (embedded default) or MySQL, through sqlx's
//! `Any` driver so that one set of queries serves both.
//!
//! Every query here uses only SQL that SQLite 3.35+ and MySQL 8 / MariaDB 10.6+
//! share (window functions, `?` placeholders, no `||`, no `RETURNING`); where
//! the two differ (DDL) there is one migration directory per backend.

mod cache;
mod connect;
mod migrations;
mod read;
mod runs;
mod scrape;
mod sentiment;
mod write;

pub use connect::{Backend, Catalog};
pub use runs::{AssetMetrics, Lease, MaterializationOutcome, NewRun, ADMIN_PASSWORD_SETTING, MAX_RUNS};
pub use scrape::{ItemStatus, ReviewRow, ScrapeItem};
pub use sentiment::ReviewLabel;
pub use write::{LoadReport, RejectedRow, LOAD_BATCH};

/// Errors of the catalog database, each with what was being done.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL `{url}` is not supported: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("cannot connect to the database at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database query `{what}` failed: {source}")]
    Query {
        what: &'static str,
        #[source]
        source: sqlx::Error,
    },
}

pub type DbResult<T> = Result<T, DbError>;

pub(crate) trait QueryContext<T> {
    fn ctx(self, what: &'static str) -> DbResult<T>;
}

impl<T> QueryContext<T> for Result<T, sqlx::Error> {
    fn ctx(self, what: &'static str) -> DbResult<T> {
        self.map_err(|source| DbError::Query { what, source })
    }
}
