//! Marquee's review-sentiment model.
//!
//! A linear classifier over n-gram features, trained in Rust: NB-weighted
//! tf-idf (naive-Bayes log-count ratios times idf, Wang & Manning 2012) on
//! binary uni-, bi- and trigram features, l2-normalised, and an L2-regularised
//! logistic regression fitted by Newton-CG. See `README.md` beside this crate for
//! the hyper-parameters, why they were chosen, and the measured accuracy.
//!
//! A pure library: no network, no database, no async. Its only IO is reading the
//! IMDb review dataset ([`dataset`]) and reading / writing its own model file
//! ([`Model::save`], [`Model::load`]).
//!
//! ```no_run
//! use sentiment::{dataset, evaluate, Model, Split, TrainConfig};
//!
//! let reviews = dataset::read_imdb_csv("imdb_reviews_50k.csv.gz")?;
//! let (train, test): (Vec<_>, Vec<_>) = reviews.iter().partition(|r| r.split == Split::Train);
//! let model = Model::train(&train, &TrainConfig::default())?;
//! println!("{}", evaluate(&model, &test));
//! model.save("sentiment.model")?;
//! let p = Model::load("sentiment.model")?.predict("A wonderful, moving film.");
//! println!("{} ({:.0}%)", p.label, 100.0 * p.confidence);
//! # Ok::<(), sentiment::Error>(())
//! ```

#![warn(missing_docs)]

pub mod dataset;
mod error;
pub mod eval;
pub mod features;
mod file;
mod model;
pub mod tokenize;
mod train;

pub use dataset::{label_from_rating, rated_examples, read_imdb_csv, Example, Label, Review, Split};
pub use error::{Error, ModelFileError, Result};
pub use eval::{evaluate, ClassMetrics, EvalReport};
pub use features::{FeatureConfig, Scratch};
pub use file::{FORMAT_VERSION, MAGIC};
pub use model::{Model, Prediction};
pub use train::{nb_log_ratios, smooth_idf, TrainConfig, TrainStats};
