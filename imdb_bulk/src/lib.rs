//! IMDb's bulk datasets (`title.basics`, `title.ratings`, `title.principals`,
//! `name.basics`, `title.crew`: gzipped TSV, see `../shared/docs/imdb-format.md`).
//!
//! - [`format`]: the files, their headers, escaping and pure line parsers
//!   (the pipeline's DataFusion job calls them from its UDFs, so the writer
//!   and the reader of the format live together).
//! - [`generate`]: a deterministic generator of realistic files at any
//!   scale (1.0 = the 2026 row counts), for tests and benchmarks: no real
//!   dump can be downloaded where the project is built.
//! - [`gz`]: single-member gzip compressed on every core.
//!
//! No DataFusion here: this crate is plain Rust, usable by any tool.

pub mod format;
pub mod generate;
pub mod gz;
mod pools;

pub use format::BulkFile;
pub use generate::{generate, GenerateError, GenerateOptions, GenerateReport, GeneratedFile, Universe};
