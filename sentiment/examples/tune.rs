//! Hyper-parameter search on a validation split carved from the IMDb *training*
//! reviews (the test split is never read).
//!
//! The split is by film: a review goes to fold `hash(imdb_id) mod 5`, so, as
//! between the official train and test splits, no film (and none of its names)
//! is on both sides. `folds=1` validates on fold 0 only (train on 20k reviews,
//! validate on 5k); `folds=5` is 5-fold cross-validation, the mean of five such
//! runs (the table in the crate README).
//!
//! ```sh
//! cargo run --release -p sentiment --example tune -- /work/shared/data/reviews/imdb_reviews_50k.csv.gz \
//!     folds=5 [ngram=1,2,3] [min_df=1,2,3] [c=1,4,16] [idf=true,false] [l2=true,false] [alpha=0.5,1] \
//!     [nb=true|false] [tol=0.001]
//! ```

use std::time::Instant;

use sentiment::{dataset, evaluate, features::token_hash, Model, Split, TrainConfig};

fn list<T: std::str::FromStr>(args: &[String], name: &str, default: &str) -> Vec<T> {
    let raw = args.iter().find_map(|a| a.strip_prefix(&format!("{name}="))).unwrap_or(default);
    raw.split(',').filter_map(|v| v.parse().ok()).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or("usage: tune DATA.csv.gz [name=v1,v2 ...]")?;
    let reviews: Vec<_> = dataset::imdb_reviews(path)?
        .filter(|r| !matches!(r, Ok(r) if r.split == Split::Test))
        .collect::<Result<_, _>>()?;
    let folds: Vec<u64> = list(&args, "folds", "1");
    let folds = folds.first().copied().unwrap_or(1).max(1);
    let nb: bool = list(&args, "nb", "true").first().copied().unwrap_or(true);
    let tol: f64 = list(&args, "tol", "0.001").first().copied().unwrap_or(1e-3);
    let d = TrainConfig::default();
    for ngram in list::<u8>(&args, "ngram", &d.features.ngram_max.to_string()) {
        for min_df in list::<u32>(&args, "min_df", &d.min_df.to_string()) {
            for idf in list::<bool>(&args, "idf", &d.idf.to_string()) {
                for l2 in list::<bool>(&args, "l2", &d.features.l2_normalize.to_string()) {
                    for alpha in list::<f64>(&args, "alpha", &d.nb_alpha.to_string()) {
                        for c in list::<f64>(&args, "c", &d.c.to_string()) {
                            let mut cfg =
                                TrainConfig { min_df, idf, c, nb_alpha: alpha, tol, nb, ..TrainConfig::default() };
                            cfg.features.ngram_max = ngram;
                            cfg.features.l2_normalize = l2;
                            let t = Instant::now();
                            let (mut acc, mut loss, mut accs) = (0.0, 0.0, Vec::new());
                            let mut stats = Default::default();
                            for fold in 0..folds {
                                // With one fold, validation is the fifth of films hashing to 0 mod 5.
                                let in_valid = |id: &str| token_hash(id) % folds.max(5) == fold;
                                let (valid, train): (Vec<_>, Vec<_>) =
                                    reviews.iter().partition(|r| in_valid(&r.imdb_id));
                                let (model, s) = Model::train_with_stats(&train, &cfg)?;
                                let r = evaluate(&model, &valid);
                                acc += r.accuracy / folds as f64;
                                loss += r.log_loss / folds as f64;
                                accs.push(format!("{:.2}", 100.0 * r.accuracy));
                                stats = s;
                            }
                            let stats: sentiment::TrainStats = stats;
                            let secs = t.elapsed().as_secs_f64() / folds as f64;
                            println!(
                                "ngram={ngram} min_df={min_df} idf={idf} l2={l2} alpha={alpha} c={c} tol={tol} nb={nb}: valid acc {:.3}% [{}] logloss {:.4} | {} feats, {} newton, {} cg, {:.1}s/fold",
                                100.0 * acc,
                                accs.join(" "),
                                loss,
                                stats.features,
                                stats.newton_iterations,
                                stats.cg_steps,
                                secs
                            );
                        }
                    }
                }
            }
        }
    }
    Ok(())
}
