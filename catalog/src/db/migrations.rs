//! Migrations live under `migrations/<backend>/` at the repository root and
//! are compiled into the binary, so it migrates wherever it runs.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

use super::Backend;

macro_rules! migration {
    ($version:literal, $desc:literal, $file:literal) => {
        Migration::new($version, Cow::Borrowed($desc), MigrationType::Simple, Cow::Borrowed(include_str!($file)), false)
    };
}

pub(crate) fn migrator(backend: Backend) -> Migrator {
    let migrations = match backend {
        Backend::Sqlite => vec![
            migration!(1, "movies", "../../../migrations/sqlite/0001_movies.sql"),
            migration!(2, "scrape", "../../../migrations/sqlite/0002_scrape.sql"),
            migration!(3, "runs", "../../../migrations/sqlite/0003_runs.sql"),
            migration!(4, "sentiment", "../../../migrations/sqlite/0004_sentiment.sql"),
        ],
        Backend::MySql => vec![
            migration!(1, "movies", "../../../migrations/mysql/0001_movies.sql"),
            migration!(2, "scrape", "../../../migrations/mysql/0002_scrape.sql"),
            migration!(3, "runs", "../../../migrations/mysql/0003_runs.sql"),
            migration!(4, "sentiment", "../../../migrations/mysql/0004_sentiment.sql"),
        ],
    };
    Migrator { migrations: Cow::Owned(migrations), ..Migrator::DEFAULT }
}
