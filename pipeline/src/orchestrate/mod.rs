//! Orchestration: assets with declared upstream assets, runs recorded in the
//! database, one run at a time per database (a lease), cancellation, re-runs
//! of failures, and a cron schedule. What the old project used Dagster for.
//!
//! - [`asset`]: what an asset is ([`Asset`], [`AssetContext`], [`AssetReport`], [`Registry`]).
//! - [`assets`]: the graph and the assets implemented here.
//! - [`runner`]: the [`Orchestrator`] that every trigger goes through.
//! - [`schedule`]: cron parsing, next run times and the missed-run policy.

pub mod asset;
pub mod assets;
pub mod runner;
pub mod schedule;

pub use asset::{Asset, AssetContext, AssetReport, AssetResult, BoxError, Registry};
pub use runner::{
    asset_error, error_chain, new_id, now_ms, Orchestrator, OrchestratorOptions, RunHandle, RunRequest, Selection,
    TriggerError,
};
pub use schedule::{Schedule, DEFAULT_SCHEDULE};
