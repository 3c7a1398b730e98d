//! Marquee's in-process TF-IDF search engine.
//!
//! A pure library: no network, no database, no async; its only IO is reading and
//! writing its own index file ([`Index::save`], [`Index::load`]).
//!
//! # Two modes on one core
//!
//! Both modes score a document by the dot product of l2-normalised tf-idf vectors
//! (cosine similarity), computed document-at-a-time over compressed posting lists
//! (Elias-Fano coded doc ids and bit-packed term frequencies in blocks of 128,
//! module `postings`) whose impacts
//! `tf·idf / ‖doc‖` are computed while scoring from the frequency, the term's idf and
//! the document's norm, with block-max MaxScore pruning that never changes the
//! top-k (module `search`).
//!
//! ## [`Mode::Exact`]: scikit-learn parity
//!
//! Identical to `TfidfVectorizer()` defaults fitted on `title + " " + body` and
//! scored with `linear_kernel`: Python `str.lower`, token pattern
//! `(?u)\b\w\w+\b` with Python's exact `\w` table ([`tokenize`]), raw counts, smoothed
//! idf `ln((1 + N) / (1 + df)) + 1`, rows l2-normalised, the query transformed the
//! same way (unknown terms ignored). Idf, norms and query weights are computed in
//! f64 and rounded once to f32 (idf, `1 / ‖doc‖`, query weight); the impact
//! `idf × tf × (1 / ‖doc‖)` is multiplied in f32, so scores agree with scikit-learn
//! within 1e-5 (checked on the 34.5k Wikipedia films by `tests/sklearn_parity.rs`).
//! No prior, no boosts.
//!
//! ## [`Mode::Product`]: what the site uses
//!
//! Every choice and its weight:
//! * **Folding** ([`analyzer`]): NFKD, marks stripped, lower-cased (`leon` finds
//!   `Léon`); compounds split *and* joined (`spider man`, `spiderman` → `Spider-Man`;
//!   `mr smith` → `Mr. Smith`); single letters dropped.
//! * **Stemming**: Snowball English (`rings` finds `Ring`).
//! * **Title boost**: a title occurrence counts [`TITLE_BOOST`] = 3 times a body
//!   occurrence in the term frequency, before idf and normalisation.
//! * **Idf**: the same smoothed idf, over the stemmed terms.
//! * **Query weights**: `penalty × idf` per term, l2-normalised over the query words;
//!   each query word is a group and a document scores the best term of each group,
//!   so expansions never add up.
//! * **Prefix** of the last word (no trailing space): expanded through the sorted
//!   dictionary of surface words to at most [`query::PREFIX_EXPANSIONS`] = 24 terms
//!   (most frequent first), each at penalty [`query::PREFIX_WEIGHT`] = 0.8. In
//!   [`Index::search`] only when the last word is not itself a known term; in
//!   [`Index::suggest`] always. Prefixes under 2 characters are not expanded.
//! * **Typos** ([`typo`]): Meilisearch's rule, 1 edit from 5 letters, 2 from 9
//!   (transpositions count 1; the first letter must match), only for a word whose
//!   stem is missing or in at most
//!   [`query::RARE_DF`] = 2 documents, and not for a last word that prefix-expanded;
//!   at most [`query::TYPO_EXPANSIONS`] = 8 corrections, penalty
//!   [`query::TYPO1_WEIGHT`] = 0.5 (one edit) or [`query::TYPO2_WEIGHT`] = 0.3 (two).
//! * **Popularity prior**: `+ PRIOR_WEIGHT × ln(1 + votes) / ln(1 + max votes)` with
//!   [`PRIOR_WEIGHT`] = 0.02, small against cosine scores (typically 0.1–0.9), so it
//!   mostly breaks near-ties. It is part of the pruning bounds.
//! * **Filters** ([`Filter`]: genre, year range, minimum rating): checked for each
//!   candidate inside the scorer, before scoring, so filtered searches are still
//!   exact top-k.
//! * **More like this** ([`Index::more_like_this`]): exact cosine of the product
//!   document vectors, without prior, never the document itself nor the same film
//!   (same folded title and year) twice.
//!
//! # Building
//!
//! [`Index::build`] builds both structures in one pass over the documents
//! ([`Index::build_with`] can build only one), the product one on a second thread.
//! Terms are interned in an arena-backed table (no allocation per term); each
//! distinct surface word is stemmed once. Postings go straight into per-term
//! compressed blocks in their final format (module `build`); the partial block of
//! every term waits as varints in one shared arena, freed in one piece at the end,
//! so the build never holds an uncompressed copy of the postings. Document norms
//! are computed at the end from the compressed postings, then a frequent term's
//! impact tiers are written from two decoding passes over its blocks. There is no
//! forward index: `more_like_this` reads a document's vector back from the
//! postings. [`Index::doc_of`] finds a document by id by binary search over the
//! ids' sorted order.
//!
//! # Memory
//!
//! On the 1M-document benchmark (`BENCHMARKS.md`) one structure takes about 65 MiB
//! (posting data 43–48 MiB, about 9.5 bits a posting) plus 17 MiB of document
//! table, and building it peaks at 100 MiB (exact) or 118 MiB (product). Document
//! columns that no document has (years, ratings, votes, genres) take no memory.
//! Both structures together are about 150 MiB; a server that only needs product
//! mode builds only that ([`Index::build_with`]) and builds an exact-only index
//! when exact mode is first asked for (Marquee's server does: `server/src/indexing.rs`).
//!
//! # Limits
//!
//! Any query string is safe. Product mode reads at most [`query::MAX_QUERY_WORDS`]
//! words; typo expansion skips words over [`typo::MAX_TYPO_WORD_CHARS`] characters.
//! [`validate_query`] is the server's gate (non-empty, ≤ 256 characters). A
//! structure holds at most 4 GiB of posting data and 4 billion postings (32-bit
//! offsets), far beyond what fits in memory beside it. Any bytes given to
//! [`Index::load`] or [`Index::read_from`] give an index or an [`Error`], never a
//! panic, and allocate at most in proportion to their length (fuzzed: `fuzz/`).

#![warn(missing_docs)]

pub mod analyzer;
mod build;
mod engine;
mod error;
pub mod file;
mod filter;
mod index;
mod intern;
mod postings;
pub mod query;
mod search;
mod similar;
mod termdict;
pub mod tokenize;
pub mod typo;
mod word_table;

pub use analyzer::{fold, ProductAnalyzer};
pub use engine::Hit;
pub use error::{Error, QueryError, Result};
pub use filter::Filter;
pub use index::{BuildOptions, Document, Index, Mode, PRIOR_WEIGHT, TITLE_BOOST};
pub use query::{validate_query, MAX_QUERY_CHARS};
pub use tokenize::word_tokens;
