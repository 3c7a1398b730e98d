//! Cleaning: pure [rules], their DataFusion [udfs], and the jobs that use them.

pub mod kaggle;
pub mod movies;
pub mod reviews;
pub mod rules;
pub mod to_movies;
pub mod udfs;
