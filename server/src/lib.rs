#![recursion_limit = "256"]

//! The `marquee` server: configuration, router, static files, background
//! tasks and CLI subcommands. UI lives in `app`, data jobs in `pipeline`.

pub mod admin;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod health;
pub mod indexing;
pub mod limits;
pub mod media;
pub mod metrics;
pub mod orchestration;
pub mod page_cache;
pub mod rate_limit;
pub mod rest;
pub mod security;
pub mod sentiment;
pub mod startup;
pub mod status;
pub mod theme;

pub use config::Config;
pub use startup::{build, build_with, Application};
