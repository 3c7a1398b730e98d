//! The crate's error type.

use std::path::PathBuf;

/// Result alias for the sentiment crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a dataset could not be read, a model trained, saved or loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file operation failed.
    #[error("{context} {path}: {source}")]
    Io {
        /// What was being done (e.g. "reading model file").
        context: &'static str,
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The dataset CSV could not be parsed.
    #[error("{path}: CSV error: {source}")]
    Csv {
        /// The dataset file.
        path: PathBuf,
        /// The underlying error (it carries the line).
        #[source]
        source: csv::Error,
    },
    /// The dataset has a row whose fields do not fit the expected format.
    #[error("{path}, record {record}: {message}")]
    BadRecord {
        /// The dataset file.
        path: PathBuf,
        /// The 1-based record number (the header is record 0).
        record: u64,
        /// What is wrong.
        message: String,
    },
    /// Training needs examples of both labels.
    #[error("cannot train: {positive} positive and {negative} negative examples (need at least one of each)")]
    OneClass {
        /// Positive examples seen.
        positive: usize,
        /// Negative examples seen.
        negative: usize,
    },
    /// A training or feature setting is out of range.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The model file is malformed.
    #[error("model file {path}: {kind}")]
    ModelFile {
        /// The model file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        kind: ModelFileError,
    },
}

/// What is wrong with a model file's bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelFileError {
    /// The bytes do not start with the model magic: not a sentiment model.
    #[error("not a Marquee sentiment model (bad magic bytes)")]
    BadMagic,
    /// The file was written by another format version.
    #[error("unsupported model format version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// The version in the file.
        found: u32,
        /// The version this build writes and reads.
        supported: u32,
    },
    /// The file is shorter or longer than its header says.
    #[error("truncated or padded: expected {expected} bytes, found {found}")]
    Truncated {
        /// Bytes the header promises (or the minimum header size).
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// The checksum does not match the contents.
    #[error("checksum mismatch (file corrupt): stored {stored:#010x}, computed {computed:#010x}")]
    Checksum {
        /// CRC-32 stored in the file.
        stored: u32,
        /// CRC-32 of the bytes as read.
        computed: u32,
    },
    /// The contents passed the checksum but are inconsistent.
    #[error("corrupt model: {0}")]
    Corrupt(String),
}
