//! Build and query timings on a `gen_corpus.py` corpus (or any `id\ttitle\tbody` TSV).
//!
//! ```sh
//! python3 ../shared/bench/gen_corpus.py 1000000   # writes corpus.tsv, queries.txt
//! CARGO_TARGET_DIR=/tmp/search-target cargo run --release -p search --example bench -- \
//!     corpus.tsv queries.txt [N] [exact|product|both]
//! ```
//!
//! Reports build time, peak RSS, and p50/p90/p99 top-10 latency (single thread)
//! for each mode built, after one warm-up pass over the queries.

use std::io::{BufRead, Write};
use std::time::Instant;

use search::{BuildOptions, Document, Filter, Index, Mode};

fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let corpus = args.get(1).ok_or("usage: bench CORPUS.tsv QUERIES.txt [N] [exact|product|both]")?;
    let queries = args.get(2).ok_or("missing QUERIES.txt")?;
    let n: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(usize::MAX);
    let which = args.get(4).map(String::as_str).unwrap_or("both");
    let options = BuildOptions { exact: which != "product", product: which != "exact" };
    let mut out = std::io::stdout().lock();

    let file = std::io::BufReader::new(std::fs::File::open(corpus)?);
    let mut docs = Vec::new();
    for line in file.lines().take(n) {
        let line = line?;
        let mut parts = line.splitn(3, '\t');
        let (id, title, body) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        docs.push(Document { id: id.into(), title: title.into(), body: body.into(), ..Default::default() });
    }
    let count = docs.len();
    let t = Instant::now();
    let index = Index::build_with(docs, options);
    let build = t.elapsed();
    writeln!(out, "{count} docs built ({which}) in {build:.2?}; peak RSS {} MiB", peak_rss_mib().unwrap_or(0))?;
    let mut bytes = Vec::new();
    let t = Instant::now();
    index.write_to(&mut bytes)?;
    let write = t.elapsed();
    let t = Instant::now();
    let back = Index::read_from(&bytes)?;
    writeln!(out, "index file {} MiB: write {write:.2?}, read+validate {:.2?}", bytes.len() >> 20, t.elapsed())?;
    drop(back);
    drop(bytes);

    let queries: Vec<String> = std::fs::read_to_string(queries)?.lines().map(String::from).collect();
    let modes: Vec<Mode> = [(options.exact, Mode::Exact), (options.product, Mode::Product)]
        .into_iter()
        .filter_map(|(on, m)| on.then_some(m))
        .collect();
    for mode in modes {
        let filter = Filter::default();
        let mut hits = 0usize;
        for q in &queries {
            hits += index.search(q, mode, &filter, 10).len();
        }
        // Each query's time is the best of REPS passes: on a shared 2-core machine
        // this removes most preemption noise (set BENCH_REPS=1 for a single pass).
        let reps: usize = std::env::var("BENCH_REPS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
        let mut timed: Vec<(f64, &str)> = queries.iter().map(|q| (f64::INFINITY, q.as_str())).collect();
        for _ in 0..reps.max(1) {
            for (best, q) in timed.iter_mut() {
                let t = Instant::now();
                let h = index.search(q, mode, &filter, 10);
                *best = best.min(t.elapsed().as_secs_f64() * 1e3);
                std::hint::black_box(h);
            }
        }
        timed.sort_by(|a, b| a.0.total_cmp(&b.0));
        let times: Vec<f64> = timed.iter().map(|t| t.0).collect();
        if std::env::var_os("BENCH_SLOWEST").is_some() {
            for (ms, q) in timed.iter().rev().take(10) {
                writeln!(out, "  slow {ms:.3} ms: {q:?}")?;
            }
        }
        let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        writeln!(
            out,
            "{mode:?}: {} queries, {hits} hits; p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms, mean {mean:.3} ms",
            times.len(),
            pct(0.5),
            pct(0.9),
            pct(0.99),
            pct(1.0)
        )?;
    }
    Ok(())
}
