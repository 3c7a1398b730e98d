//! The movie catalog.
//!
//! [`model`] and [`browse`] hold the types every layer agrees on (they cross the wire to the
//! browser, so they are plain serde structs). With the `db` feature, [`db`]
//! holds the one place that talks SQL: connecting, migrating, reading pages and
//! upserting cleaned movies, on SQLite or MySQL.

pub mod browse;
pub mod model;
pub mod review;
pub mod runs;

#[cfg(feature = "db")]
pub mod db;

pub use browse::*;
pub use model::*;
pub use review::*;
