//! How a run reports progress, so the CLI can draw bars and the server can log.

/// Receives progress of a run. All methods have do-nothing defaults.
pub trait Progress: Send + Sync {
    /// A new stage started (`fetch`, `clean`, `load`, ...), with its size when known.
    fn stage(&self, _name: &str, _total: Option<u64>) {}
    /// `done` units of the current stage are finished.
    fn advance(&self, _done: u64) {}
    /// A line worth showing to the operator.
    fn note(&self, _message: &str) {}
}

/// Ignores progress.
pub struct NoProgress;

impl Progress for NoProgress {}
