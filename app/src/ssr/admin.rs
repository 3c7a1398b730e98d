//! What the server hands the admin pages: the session the request carries
//! (put in the request's extensions by the server's admin guard) and the
//! orchestrator's static facts (graph, schedule, next run time).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use catalog::runs::AssetNode;

/// The admin session of a request (anonymous on the login page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSession {
    /// `Some(name)` when signed in.
    pub user: Option<String>,
    pub csrf: String,
}

/// The orchestrator as the admin pages see it.
#[derive(Clone)]
pub struct AdminInfo {
    pub nodes: Vec<AssetNode>,
    /// The schedule as configured (`0 3 * * *`, `off`).
    pub schedule: String,
    /// The next scheduled run (Unix ms; 0 when none), kept by the scheduler.
    pub next_run: Arc<AtomicI64>,
    /// True when an admin password is set (in the configuration or the database).
    pub password_from_config: bool,
}

impl AdminInfo {
    pub fn next_run(&self) -> Option<i64> {
        Some(self.next_run.load(Ordering::Relaxed)).filter(|t| *t > 0)
    }
}
