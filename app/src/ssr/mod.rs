//! Server-only helpers of the app: the live search index and highlighting.

pub mod admin;
pub mod highlight;
pub mod live_index;
