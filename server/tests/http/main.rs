//! The real server over HTTP, on SQLite and on MySQL (one test binary: one link).

mod admin;
mod cluster;
mod common;
mod crash;
mod disk_full;
mod mysql;
mod outage;
mod probes;
mod proxy;
mod scrape;
mod sentiment;
mod sqlite;
