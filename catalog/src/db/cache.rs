//! Read results reused between requests: the home page and the browse
//! facets (genres, languages, newest year) change only when movies are
//! written. Writes in this process clear them at once ([`Catalog::invalidate_cached`]);
//! another process's writes show within [`TTL`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Catalog;
use crate::model::{HomeData, Movie};

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

/// Movies by id, each read at most [`TTL`] ago (search hits: the same few
/// thousand films are asked for again and again).
#[derive(Debug, Default)]
pub(crate) struct MovieMemo(Mutex<HashMap<String, (Instant, Movie)>>);

/// At most this many movies are kept; past it the memo starts afresh.
const MOVIE_MEMO_CAP: usize = 100_000;

impl MovieMemo {
    /// The fresh movies among `ids`, by id.
    pub fn get_many(&self, ids: &[String]) -> HashMap<String, Movie> {
        let Ok(map) = self.0.lock() else { return HashMap::new() };
        ids.iter()
            .filter_map(|id| map.get(id).filter(|(at, _)| at.elapsed() < TTL).map(|(_, m)| (id.clone(), m.clone())))
            .collect()
    }

    pub fn put_many(&self, movies: &[Movie]) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() + movies.len() > MOVIE_MEMO_CAP {
                map.clear();
            }
            let now = Instant::now();
            for m in movies {
                map.insert(m.id.clone(), (now, m.clone()));
            }
        }
    }

    pub fn clear(&self) {
        if let Ok(mut map) = self.0.lock() {
            map.clear();
        }
    }
}

/// The catalog's cached reads (shared by its clones).
#[derive(Debug, Default)]
pub(crate) struct Caches {
    pub home: Memo<HomeData>,
    pub facets: Memo<Facets>,
    pub movies: MovieMemo,
    /// Bumped by every write: what was derived from an older generation is stale.
    pub generation: AtomicU64,
}

impl Catalog {
    /// Forgets every cached read (after a write: readers may have cached a
    /// half-written catalog meanwhile).
    pub fn invalidate_cached(&self) {
        self.caches.generation.fetch_add(1, Ordering::SeqCst);
        self.caches.home.clear();
        self.caches.facets.clear();
        self.caches.movies.clear();
    }

    /// The number of writes this process has made to the catalog: anything
    /// derived from it (a rendered page) is stale once this changes. Writes of
    /// other processes are not counted: keep such derived values at most [`TTL`].
    pub fn generation(&self) -> u64 {
        self.caches.generation.load(Ordering::SeqCst)
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

    #[test]
    fn the_movie_memo_serves_the_ids_it_holds() {
        let memo = MovieMemo::default();
        let movie = |id: &str| Movie { id: id.into(), title: format!("Film {id}"), ..Default::default() };
        memo.put_many(&[movie("a"), movie("b")]);
        let got = memo.get_many(&["b".into(), "c".into()]);
        assert_eq!(got.keys().collect::<Vec<_>>(), ["b"]);
        assert_eq!(got["b"].title, "Film b");
        memo.clear();
        assert!(memo.get_many(&["a".into()]).is_empty());
    }
}
