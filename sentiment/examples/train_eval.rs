//! Trains the sentiment model on the IMDb train split, evaluates it on the test
//! split, prints the report, training time and peak memory, and saves the model.
//!
//! ```sh
//! cargo run --release -p sentiment --example train_eval -- \
//!     /work/shared/data/reviews/imdb_reviews_50k.csv.gz [--out data/sentiment.model] [--threads N]
//! ```

use std::path::PathBuf;
use std::time::Instant;

use sentiment::{dataset, evaluate, Model, Scratch, Split, TrainConfig};

/// This process's peak resident set (`VmHWM`), in MiB, where `/proc` has it.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}

fn mib(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{v:.0} MiB"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut data = None;
    let mut out = PathBuf::from("data/sentiment.model");
    let mut config = TrainConfig::default();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = args.next().ok_or("--out needs a path")?.into(),
            "--threads" => config.threads = args.next().ok_or("--threads needs a number")?.parse()?,
            _ if data.is_none() => data = Some(PathBuf::from(a)),
            _ => return Err(format!("unexpected argument {a:?}").into()),
        }
    }
    let data = data.ok_or("usage: train_eval DATA.csv.gz [--out MODEL] [--threads N]")?;

    let t = Instant::now();
    let reviews = dataset::read_imdb_csv(&data)?;
    let (train, test): (Vec<_>, Vec<_>) = reviews.iter().partition(|r| r.split == Split::Train);
    println!(
        "read {} train + {} test reviews in {:.2} s (peak RSS {})",
        train.len(),
        test.len(),
        t.elapsed().as_secs_f64(),
        mib(peak_rss_mib())
    );

    let t = Instant::now();
    let (model, stats) = Model::train_with_stats(&train, &config)?;
    let train_secs = t.elapsed().as_secs_f64();
    let train_peak = peak_rss_mib();
    println!(
        "trained in {train_secs:.2} s (features {:.2} s, optimisation {:.2} s: {} Newton iterations, {} CG steps), peak RSS {}",
        stats.featurize_secs,
        stats.optimize_secs,
        stats.newton_iterations,
        stats.cg_steps,
        mib(train_peak)
    );
    println!(
        "{} examples, {} distinct n-grams, {} features kept (min_df {}), {} non-zeros; config {:?}",
        stats.examples, stats.distinct_ngrams, stats.features, config.min_df, stats.nonzeros, config
    );

    let t = Instant::now();
    let report = evaluate(&model, &test);
    let eval_secs = t.elapsed().as_secs_f64();
    println!("\ntest split:\n{report}\n");

    // One thread, one reused scratch: the per-review latency of `predict`.
    let mut scratch = Scratch::default();
    let t = Instant::now();
    let mut positive = 0usize;
    for r in &test {
        positive += usize::from(model.predict_with(&r.text, &mut scratch).label.is_positive());
    }
    let per_review = t.elapsed().as_secs_f64() / test.len().max(1) as f64;
    let mean_bytes = test.iter().map(|r| r.text.len()).sum::<usize>() / test.len().max(1);
    println!(
        "prediction: {:.1} µs per review on one thread (mean review {mean_bytes} bytes; {positive} predicted positive); batch evaluation {eval_secs:.2} s",
        per_review * 1e6
    );

    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let t = Instant::now();
    model.save(&out)?;
    let size = std::fs::metadata(&out)?.len();
    let t_save = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let loaded = Model::load(&out)?;
    let t_load = t.elapsed().as_secs_f64();
    assert_eq!(loaded.feature_count(), model.feature_count());
    println!(
        "saved {} ({:.1} MiB, {} features) in {t_save:.2} s; loads in {t_load:.2} s",
        out.display(),
        size as f64 / (1 << 20) as f64,
        model.feature_count()
    );
    println!(
        "training time {train_secs:.2} s; peak RSS after training {}, at exit {}",
        mib(train_peak),
        mib(peak_rss_mib())
    );
    Ok(())
}
