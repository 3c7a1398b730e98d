//! The crate's error types.

use std::path::PathBuf;

/// Result alias for index IO.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an index could not be written, read or loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An IO error, with what was being done.
    #[error("{context}: {source}")]
    Io {
        /// What the engine was doing (e.g. "writing index to /x/search.idx").
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes do not start with the index magic: not an index file.
    #[error("not a Marquee search index (bad magic bytes)")]
    BadMagic,
    /// The file was written by another format version.
    #[error("unsupported index format version {found} (this build reads version {expected})")]
    UnsupportedVersion {
        /// The version in the file.
        found: u32,
        /// The version this build writes and reads.
        expected: u32,
    },
    /// The file is shorter (or longer) than its header says.
    #[error("index file truncated or padded: header promises {expected} payload bytes, found {found}")]
    Truncated {
        /// Payload bytes the header promises.
        expected: u64,
        /// Payload bytes present.
        found: u64,
    },
    /// The payload checksum does not match the header.
    #[error("index checksum mismatch (file corrupt): header {expected:#018x}, payload {found:#018x}")]
    Checksum {
        /// Checksum stored in the header.
        expected: u64,
        /// Checksum of the payload as read.
        found: u64,
    },
    /// The payload passed the checksum but is structurally inconsistent.
    #[error("corrupt index: {0}")]
    Corrupt(String),
    /// A file path operation failed.
    #[error("{context} {path}: {source}")]
    Path {
        /// What was being done.
        context: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Why a query string was rejected by [`crate::validate_query`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The query is empty or only whitespace.
    #[error("the query is empty")]
    Empty,
    /// The query is longer than [`crate::MAX_QUERY_CHARS`] characters.
    #[error("the query is too long: {chars} characters (at most {max})")]
    TooLong {
        /// Characters in the query.
        chars: usize,
        /// The limit.
        max: usize,
    },
}
