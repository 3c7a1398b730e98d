//! The crate's error type.

use std::fmt;

/// Which embedded JSON blob an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blob {
    /// `<script id="__NEXT_DATA__" type="application/json">`.
    NextData,
    /// `<script type="application/ld+json">`.
    JsonLd,
}

impl fmt::Display for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Blob::NextData => "__NEXT_DATA__",
            Blob::JsonLd => "JSON-LD",
        })
    }
}

/// Why a page could not be turned into a record.
///
/// Missing fields are never errors (they are `None` or empty in the record); an error means the
/// page gave nothing to build the record's identity from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// No blob (nor, for list pages, any link) yielded the record's identity; `reason` says what
    /// was looked for and not found.
    #[error("no usable IMDb data: {reason}")]
    NoData {
        /// What was missing, e.g. "__NEXT_DATA__: no props.pageProps.aboveTheFoldData.titleText.text".
        reason: String,
    },
    /// An embedded blob was not valid JSON (e.g. a truncated page) and nothing else yielded the
    /// record; `line` and `column` are serde_json's, counted inside the blob.
    #[error("invalid JSON in the {blob} block at line {line}, column {column}: {message}")]
    BadJson {
        /// The blob that failed to parse.
        blob: Blob,
        /// 1-based line inside the blob.
        line: usize,
        /// 1-based column inside the blob.
        column: usize,
        /// serde_json's message.
        message: String,
    },
}

impl ParseError {
    pub(crate) fn no_data(reason: impl Into<String>) -> Self {
        ParseError::NoData { reason: reason.into() }
    }

    pub(crate) fn bad_json(blob: Blob, err: &serde_json::Error) -> Self {
        let (line, column) = (err.line(), err.column());
        let full = err.to_string();
        // serde_json's Display appends the position, which this variant carries on its own.
        let suffix = format!(" at line {line} column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
        ParseError::BadJson { blob, line, column, message }
    }
}
