//! The Marquee pipeline: sources → raw assets in the object store → cleaning
//! on Apache DataFusion → the catalog database.
//!
//! Data flows one way. A [source](sources) or a [scraping source](scrape)
//! fetches bytes (scrapers through the polite [fetcher](fetch)) and stores
//! them as raw assets under dated keys; a [cleaning job](clean) reads raw
//! assets through the same object store, applies the pure
//! [cleaning rules](clean::rules) as DataFusion UDFs and writes a versioned
//! `cleaned_movies` Parquet; the [load](run) upserts that Parquet into the
//! database. DataFusion lives here and nowhere else in the workspace.
//!
//! For an orchestrator, each asset is one `pub async fn`:
//! [`scrape::movies::scrape_movies`], [`scrape::thumbnails::scrape_thumbnails`],
//! [`scrape::reviews::scrape_reviews`],
//! [`scrape::pretrained::store_pretrained_reviews`] (all over a
//! [`scrape::ScrapeContext`], returning a [`scrape::SourceReport`]) and
//! [`run::clean_and_load`] (`cleaned_movies`).

pub mod bulk;
pub mod clean;
pub mod engine;
mod error;
pub mod failpoint;
pub mod fetch;
pub mod orchestrate;
pub mod progress;
pub mod run;
pub mod scrape;
pub mod sources;
pub mod store;

pub use engine::{Engine, EngineRun};
pub use error::{PipelineError, Result};
pub use progress::{NoProgress, Progress};
pub use run::{clean_and_load, run_catalog, CatalogRunReport, CleanLoadReport, LoadContext};
pub use scrape::{ScrapeContext, ScraperConfig, SourceReport};
