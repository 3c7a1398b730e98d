//! The index the site searches, behind an atomic swap: publishing a new index
//! never blocks or fails a search in flight (readers keep the `Arc` they took).

use std::sync::Arc;

use arc_swap::ArcSwapOption;

/// A shared handle on the current search index (none until the first build).
#[derive(Clone, Default)]
pub struct LiveIndex(Arc<ArcSwapOption<search::Index>>);

impl LiveIndex {
    /// The index now being served.
    pub fn current(&self) -> Option<Arc<search::Index>> {
        self.0.load_full()
    }

    /// Makes `index` the one served from now on.
    pub fn publish(&self, index: search::Index) {
        self.0.store(Some(Arc::new(index)));
    }
}
