//! The real server over HTTP, on SQLite and on MySQL (one test binary: one link).

mod admin;
mod common;
mod mysql;
mod scrape;
mod sentiment;
mod sqlite;
