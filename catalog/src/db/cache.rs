//! Read results reused between requests: the home page and the browse
//! facets (genres, languages, newest year) change only when movies are
//! written. Writes in this process clear them at once ([`Catalog::invalidate_cached`]);
//! another process's writes show within [`TTL`].

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Catalog;
use crate::model::HomeData;

/// How long a cached read is served from memory.
pub const TTL: Duration = Duration::from_secs(10);

/// What every browse page needs besides its movies.
#[derive(Debug, Clone)]
pub(crate) struct Facets {
    pub genres: Vec<String>,
    pub languages: Vec<String>,
    /// The newest year in the catalog (the reference of "trending").
    pub newest_year: i64,
}

/// One cached value and when it was read.
#[derive(Debug)]
pub(crate) struct Memo<T>(Mutex<Option<(Instant, T)>>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Self(Mutex::new(None))
    }
}

impl<T: Clone> Memo<T> {
    /// The value, when it was read less than [`TTL`] ago.
    pub fn get(&self) -> Option<T> {
        let slot = self.0.lock().ok()?;
        slot.as_ref().filter(|(at, _)| at.elapsed() < TTL).map(|(_, v)| v.clone())
    }

    pub fn put(&self, value: T) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some((Instant::now(), value));
        }
    }

    pub fn clear(&self) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = None;
        }
    }
}

/// The catalog's cached reads (shared by its clones).
#[derive(Debug, Default)]
pub(crate) struct Caches {
    pub home: Memo<HomeData>,
    pub facets: Memo<Facets>,
}

impl Catalog {
    /// Forgets every cached read (after a write: readers may have cached a
    /// half-written catalog meanwhile).
    pub(crate) fn invalidate_cached(&self) {
        self.caches.home.clear();
        self.caches.facets.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_serves_what_was_put_until_cleared() {
        let m = Memo::<u32>::default();
        assert_eq!(m.get(), None);
        m.put(7);
        assert_eq!(m.get(), Some(7));
        m.clear();
        assert_eq!(m.get(), None);
    }
}
