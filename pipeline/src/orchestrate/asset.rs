//! What an asset is to the orchestrator: a name, its upstream assets, and an
//! async function that materializes it from a [`AssetContext`] into an
//! [`AssetReport`].

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use catalog::db::Catalog;
use catalog::runs::AssetNode;
use tokio_util::sync::CancellationToken;

use crate::progress::Progress;
use crate::store::AssetStore;

/// Any error an asset returns; the orchestrator records it with its causes.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What materializing an asset returns.
pub type AssetResult = Result<AssetReport, BoxError>;

/// The boxed future of a materialization.
pub type AssetFuture = Pin<Box<dyn Future<Output = AssetResult> + Send>>;

type MaterializeFn = Arc<dyn Fn(AssetContext) -> AssetFuture + Send + Sync>;

/// Everything a materialization may use. Cheap to clone.
#[derive(Clone)]
pub struct AssetContext {
    pub run_id: String,
    pub asset: String,
    /// The partition asked for (`None`: the whole asset).
    pub partition: Option<String>,
    pub catalog: Catalog,
    pub store: AssetStore,
    /// Stages, progress and notes: shown live on the admin page and the CLI,
    /// and notes are kept in the run's log.
    pub progress: Arc<dyn Progress>,
    /// Cancelled when the run is cancelled or loses its lease. The
    /// orchestrator also drops the materialization's future then, so checking
    /// it is only needed before an effect that must not happen half-way
    /// (publishing, say).
    pub cancel: CancellationToken,
    /// The metadata of each upstream asset's materialization this one builds
    /// on: from this run when it ran here, else its latest success.
    pub upstream: HashMap<String, serde_json::Value>,
}

impl AssetContext {
    /// The metadata of upstream `asset`, or an error saying it was never materialized.
    pub fn upstream_metadata(&self, asset: &str) -> Result<&serde_json::Value, BoxError> {
        self.upstream
            .get(asset)
            .ok_or_else(|| format!("upstream asset `{asset}` has never been materialized: run it first").into())
    }

    /// A string field of upstream `asset`'s metadata.
    pub fn upstream_str(&self, asset: &str, field: &str) -> Result<String, BoxError> {
        self.upstream_metadata(asset)?
            .get(field)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("upstream asset `{asset}` recorded no `{field}`").into())
    }
}

/// What a materialization produced.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AssetReport {
    pub rows: Option<i64>,
    pub bytes: Option<i64>,
    /// Problems that did not stop it (kept in the run's log).
    pub warnings: Vec<String>,
    /// What downstream assets read (object keys, versions), as JSON.
    pub metadata: serde_json::Value,
}

/// An asset of the graph with its implementation.
#[derive(Clone)]
pub struct Asset {
    pub name: String,
    pub upstream: Vec<String>,
    pub description: String,
    /// True when it accepts a partition (a run may then target one).
    pub partitioned: bool,
    materialize: MaterializeFn,
}

impl std::fmt::Debug for Asset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Asset").field("name", &self.name).field("upstream", &self.upstream).finish()
    }
}

impl Asset {
    /// An asset named `name`, materialized by `f`.
    pub fn new<F, Fut>(name: impl Into<String>, f: F) -> Self
    where
        F: Fn(AssetContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = AssetResult> + Send + 'static,
    {
        Self {
            name: name.into(),
            upstream: Vec::new(),
            description: String::new(),
            partitioned: false,
            materialize: Arc::new(move |ctx| -> AssetFuture { Box::pin(f(ctx)) }),
        }
    }

    /// The assets it reads.
    pub fn upstream<I: IntoIterator<Item = S>, S: Into<String>>(mut self, upstream: I) -> Self {
        self.upstream = upstream.into_iter().map(Into::into).collect();
        self
    }

    pub fn describe(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Marks it as accepting a partition.
    pub fn partitioned(mut self) -> Self {
        self.partitioned = true;
        self
    }

    pub(crate) fn materialize(&self, ctx: AssetContext) -> AssetFuture {
        (self.materialize)(ctx)
    }

    pub fn node(&self) -> AssetNode {
        AssetNode {
            name: self.name.clone(),
            upstream: self.upstream.clone(),
            description: self.description.clone(),
            partitioned: self.partitioned,
        }
    }
}

/// The assets an orchestrator knows, by name.
#[derive(Clone, Default, Debug)]
pub struct Registry {
    assets: Vec<Asset>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces, by name) an asset.
    pub fn with(mut self, asset: Asset) -> Self {
        self.register(asset);
        self
    }

    /// Adds (or replaces, by name) an asset.
    pub fn register(&mut self, asset: Asset) {
        match self.assets.iter_mut().find(|a| a.name == asset.name) {
            Some(existing) => *existing = asset,
            None => self.assets.push(asset),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Asset> {
        self.assets.iter().find(|a| a.name == name)
    }

    pub fn assets(&self) -> &[Asset] {
        &self.assets
    }

    /// The graph as plain nodes, in registration order.
    pub fn nodes(&self) -> Vec<AssetNode> {
        self.assets.iter().map(Asset::node).collect()
    }
}
