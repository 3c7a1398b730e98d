//! The index the site searches, behind an atomic swap: publishing a new index
//! never blocks or fails a search in flight (readers keep the `Arc` they took).
//!
//! The served index holds the product structure only (all the site uses); an
//! exact-mode (scikit-learn) index for it is built on demand by the server and
//! kept here until the next publish (see `server/src/indexing.rs`).

use std::sync::{Arc, Mutex, Weak};

use arc_swap::ArcSwapOption;

/// An exact-mode index and the served index it was built for.
struct ExactFor {
    served: Weak<search::Index>,
    exact: Arc<search::Index>,
}

/// A shared handle on the current search index (none until the first build).
#[derive(Clone, Default)]
pub struct LiveIndex {
    served: Arc<ArcSwapOption<search::Index>>,
    exact: Arc<ArcSwapOption<ExactFor>>,
    /// Serialises on-demand exact builds (one at a time, never twice for one index).
    exact_build: Arc<Mutex<()>>,
}

impl LiveIndex {
    /// The index now being served.
    pub fn current(&self) -> Option<Arc<search::Index>> {
        self.served.load_full()
    }

    /// Makes `index` the one served from now on (dropping the exact-mode index
    /// built for the previous one).
    pub fn publish(&self, index: search::Index) {
        self.served.store(Some(Arc::new(index)));
        self.exact.store(None);
    }

    /// The exact-mode index built for `served`, if any.
    pub fn exact_for(&self, served: &Arc<search::Index>) -> Option<Arc<search::Index>> {
        let cached = self.exact.load_full()?;
        Weak::ptr_eq(&cached.served, &Arc::downgrade(served)).then(|| cached.exact.clone())
    }

    /// The exact-mode index for `served`: the one kept, else `build()`'s, kept
    /// for later. Blocking: call it from a blocking thread. Concurrent callers
    /// wait for one build.
    pub fn exact_or_build(
        &self,
        served: &Arc<search::Index>,
        build: impl FnOnce() -> search::Index,
    ) -> Arc<search::Index> {
        let _one_at_a_time = self.exact_build.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(exact) = self.exact_for(served) {
            return exact;
        }
        let exact = Arc::new(build());
        // Kept only while `served` is the index being served.
        if self.current().is_some_and(|current| Arc::ptr_eq(&current, served)) {
            self.exact.store(Some(Arc::new(ExactFor { served: Arc::downgrade(served), exact: exact.clone() })));
        }
        exact
    }
}
