//! Named pause points for crash tests.
//!
//! `MARQUEE_FAILPOINT=<name>:<marker path>` makes the process, when it reaches
//! the point `<name>`, create the marker file and then wait forever, so that a
//! test can `kill -9` it at exactly that moment of a run (see the server's
//! `crash` tests). Unset, as in production, a point costs one read of a value
//! parsed once.
//!
//! The points, in the order a catalog run reaches them:
//! - [`CLEAN`]: the cleaned Parquet is written, the asset not yet recorded;
//! - [`LOAD`]: the first batch of movies is committed, the rest not yet;
//! - [`INDEX_BUILD`]: the new index is built in memory, nothing saved;
//! - [`SWAP`]: the new index file is saved (renamed into place), not yet served.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// After `cleaned_movies` wrote its Parquet, before the asset returns.
pub const CLEAN: &str = "clean";
/// After the database load committed its first batch.
pub const LOAD: &str = "load";
/// After the search index was built, before it is saved.
pub const INDEX_BUILD: &str = "index_build";
/// After the index file was saved, before it is published.
pub const SWAP: &str = "swap";

/// The environment variable that arms a point.
pub const ENV: &str = "MARQUEE_FAILPOINT";

/// The armed point and its marker file, read from [`ENV`] once.
fn armed() -> Option<&'static (String, PathBuf)> {
    static ARMED: OnceLock<Option<(String, PathBuf)>> = OnceLock::new();
    ARMED.get_or_init(|| parse(&std::env::var(ENV).ok()?)).as_ref()
}

/// `name:marker` → the point's name and its marker path.
fn parse(value: &str) -> Option<(String, PathBuf)> {
    let (name, marker) = value.split_once(':')?;
    (!name.is_empty() && !marker.is_empty()).then(|| (name.to_owned(), PathBuf::from(marker)))
}

/// True when `name` is the armed point: writes its marker and logs it.
fn reached(name: &str) -> bool {
    let Some((armed, marker)) = armed() else { return false };
    if armed != name {
        return false;
    }
    tracing::warn!(point = name, "failpoint reached: pausing until this process is killed");
    if let Err(e) = std::fs::write(marker, name) {
        tracing::error!(error = %e, marker = %marker.display(), "could not write the failpoint marker");
    }
    true
}

/// Pauses this task forever when `name` is armed.
pub async fn pause(name: &str) {
    if reached(name) {
        std::future::pending::<()>().await;
    }
}

/// Blocks this thread forever when `name` is armed (for synchronous callbacks).
pub fn pause_blocking(name: &str) {
    if reached(name) {
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_point_needs_a_name_and_a_marker() {
        assert_eq!(parse("load:/tmp/m"), Some(("load".into(), "/tmp/m".into())));
        assert_eq!(parse("swap:/a:b"), Some(("swap".into(), "/a:b".into())), "the marker may hold colons");
        for bad in ["", "load", "load:", ":/tmp/m"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
