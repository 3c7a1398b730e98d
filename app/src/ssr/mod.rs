//! Server-only helpers of the app: the live search index, highlighting and the page security policy.

pub mod admin;
pub mod highlight;
pub mod live_index;
pub mod security;
