//! What background work the server is doing, for `/ready` and the logs.

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::RwLock;

/// The state of the start-up catalog load.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "state", content = "detail")]
pub enum CatalogLoad {
    /// Nothing to do (the catalog had movies, or loading is off).
    Idle,
    Running,
    Succeeded(String),
    Failed(String),
}

/// Shared, cheap-to-clone server status.
#[derive(Debug, Clone)]
pub struct Status {
    pub catalog_load: Arc<RwLock<CatalogLoad>>,
    /// Saved files found unusable at start-up (a corrupt index or model) and
    /// what was done about them, for `/ready`.
    pub unusable_files: Arc<RwLock<Vec<String>>>,
}

impl Default for Status {
    fn default() -> Self {
        Self { catalog_load: Arc::new(RwLock::new(CatalogLoad::Idle)), unusable_files: Default::default() }
    }
}
