//! The Marquee pipeline: sources → raw assets in the object store → cleaning
//! on Apache DataFusion → the catalog database.
//!
//! Data flows one way. A [source](sources) fetches bytes and stores them as a
//! raw asset under a dated, content-addressed key; a [cleaning job](clean)
//! reads raw assets through the same object store, applies the pure
//! [cleaning rules](clean::rules) as DataFusion UDFs and writes a versioned
//! `cleaned_movies` Parquet; the [load](run) upserts that Parquet into the
//! database. DataFusion lives here and nowhere else in the workspace.

pub mod clean;
mod error;
pub mod orchestrate;
pub mod progress;
pub mod run;
pub mod sources;
pub mod store;

pub use error::{PipelineError, Result};
pub use progress::{NoProgress, Progress};
pub use run::{run_catalog, CatalogRunReport};
