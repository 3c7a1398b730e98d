//! Server functions: what pages ask the server for.
//!
//! Inputs arrive as raw strings from the URL and are validated here (bad page
//! numbers are clamped, unknown sorts fall back to the default, queries are
//! length-checked), so a hostile URL can never turn into a 500.

pub mod admin;
mod catalog;
pub mod codec;
mod search;

pub use self::catalog::*;
pub use self::search::*;
