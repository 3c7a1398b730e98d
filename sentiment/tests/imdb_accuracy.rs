//! The quality bar: trained on the IMDb train split with the default
//! configuration, the model must reach 91.5% accuracy on the 25k test split.
//!
//! The dataset lives outside the repository. Its path is `SENTIMENT_IMDB_CSV`, else
//! `../shared/data/reviews/imdb_reviews_50k.csv.gz` beside the repository (where
//! the development machines and CI have it). When the file is missing the test
//! fails under `CI=true` and is skipped, with a message, otherwise.

use std::path::PathBuf;

use sentiment::{dataset, evaluate, Model, Split, TrainConfig};

const MIN_ACCURACY: f64 = 0.915;

fn dataset_path() -> PathBuf {
    match std::env::var_os("SENTIMENT_IMDB_CSV") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/reviews/imdb_reviews_50k.csv.gz"),
    }
}

#[test]
fn imdb_test_accuracy_reaches_the_bar() {
    let path = dataset_path();
    if !path.is_file() {
        let msg = format!("IMDb review dataset not found at {} (set SENTIMENT_IMDB_CSV)", path.display());
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg}: required under CI=true");
        }
        eprintln!("SKIPPED imdb_test_accuracy_reaches_the_bar: {msg}");
        return;
    }
    let reviews = dataset::read_imdb_csv(&path).expect("dataset reads");
    let (train, test): (Vec<_>, Vec<_>) = reviews.iter().partition(|r| r.split == Split::Train);
    assert_eq!((train.len(), test.len()), (25_000, 25_000));

    let model = Model::train(&train, &TrainConfig::default()).expect("training");
    let report = evaluate(&model, &test);
    eprintln!("{report}");
    assert!(
        report.accuracy >= MIN_ACCURACY,
        "test accuracy {:.2}% is under the {:.1}% bar\n{report}",
        100.0 * report.accuracy,
        100.0 * MIN_ACCURACY
    );
    // Both classes are served, not one at the other's expense.
    assert!(report.positive.recall > 0.88 && report.negative.recall > 0.88, "{report}");
}
