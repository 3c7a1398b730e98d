//! IMDb's bulk datasets: the `imdb_datasets` raw asset ([`source`]), the
//! catalog job on DataFusion ([`job`], with its line-parsing [`udfs`]) and
//! its [merge](merge) into `cleaned_movies`.
//!
//! For an orchestrator, two assets:
//! - `imdb_datasets`: [`source::fetch_imdb_datasets`] over a
//!   [`source::DatasetsContext`] → [`source::DatasetsReport`] (its
//!   `manifest_key` names the stored files);
//! - `imdb_catalog`: [`job::run_bulk_catalog`] on the manifest's
//!   [`job::BulkInputs`] → [`job::BulkCatalogReport`] (its `output_key` is
//!   a Parquet with the `cleaned_movies` columns), then, for
//!   `cleaned_movies`, [`merge::merge_cleaned_movies`] with the Kaggle and
//!   scraped rows.
//!
//! The job's stages are functions of a `SessionContext` (tables registered
//! through the object store, UDFs by [`job::register_functions`]), so the
//! same plans can run embedded or on a Ballista context.

pub mod job;
pub mod merge;
pub mod source;
pub mod udfs;

pub use job::{
    bulk_session, catalog_frame, peak_rss_bytes, register_functions, run_bulk_catalog, run_bulk_catalog_on, stage_all,
    stage_file, BulkCatalogReport, BulkInputs, BulkJobOptions, StagedFile,
};
pub use merge::{conform, merge_cleaned_movies, merge_frames, MergeReport};
pub use source::{
    fetch_imdb_datasets, latest_manifest, DatasetsContext, DatasetsManifest, DatasetsReport, StoredDataset,
};
