//! Training: featurisation, vocabulary pruning, naive-Bayes scaling, and
//! L2-regularised logistic regression by truncated Newton (Newton-CG).
//!
//! The steps ([`Model::train`](crate::Model::train)):
//! 1. Every example becomes its set of distinct n-gram keys (binary term
//!    frequency: a word said twice counts once, as in NBSVM), counted per class
//!    in a table bounded by [`TrainConfig::max_distinct_ngrams`].
//! 2. Keys in fewer than [`TrainConfig::min_df`] documents are dropped (and, past
//!    [`TrainConfig::max_features`], the rarest); the rest get dense indices in
//!    decreasing document frequency, so the hot weights share cache lines. The
//!    examples are tokenised a second time to build the matrix (cheaper in memory
//!    than keeping every document's keys).
//! 3. Each feature gets a scale `s_j = r_j · idf_j`: the naive-Bayes log-count
//!    ratio `r_j = ln((p_j / ‖p‖₁) / (q_j / ‖q‖₁))` with `p_j = α + df⁺_j`,
//!    `q_j = α + df⁻_j` (Wang & Manning 2012), times the smoothed idf
//!    `ln((1 + N) / (1 + df_j)) + 1` when [`TrainConfig::idf`] is on. A document's
//!    vector is `x_j = s_j` for its n-grams, l2-normalised when configured.
//! 4. Logistic regression minimises `½‖w‖² + C Σᵢ log(1 + exp(-yᵢ (w·xᵢ + b)))`
//!    (the bias unregularised) by Newton-CG: conjugate gradients on the Newton
//!    system `(I + C Xᵀ D X) s = -g` to a relative residual of 0.1, then a
//!    backtracking line search along `s`, whose trial losses cost O(n) because
//!    `X s` is computed once. It stops when `‖g‖ ≤ tol · ‖g₀‖`.
//!
//! The matrix is never stored with values: a row is its feature indices and one
//! `1/‖xᵢ‖`, so `X v` gathers `s_j v_j` and `Xᵀ u` scatters `uᵢ / ‖xᵢ‖`, on
//! [`TrainConfig::threads`] threads (rows split in contiguous halves, one
//! accumulator per thread for `Xᵀ u`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::time::Instant;

use crate::dataset::Example;
use crate::error::{Error, Result};
use crate::features::{distinct_keys, FeatureConfig, KeyTable, Scratch, MAX_NGRAM};

/// Hyper-parameters of [`Model::train`](crate::Model::train). The defaults are the
/// values chosen on a validation split of the IMDb training reviews (see the
/// crate README).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// How texts become features (stored in the model).
    pub features: FeatureConfig,
    /// Minimum number of training documents an n-gram must occur in.
    pub min_df: u32,
    /// At most this many features are kept (the most frequent).
    pub max_features: usize,
    /// At most this many distinct n-grams are counted at once. When the count
    /// table passes it, the n-grams seen in fewest documents are dropped (lossy
    /// counting: one that comes back starts again from zero, so a rare n-gram may
    /// be under-counted, a frequent one never), which bounds the table's memory
    /// to about 20 bytes per entry whatever the corpus size.
    pub max_distinct_ngrams: usize,
    /// Scale features by their naive-Bayes log-count ratio (off: plain tf-idf
    /// logistic regression, kept for comparison).
    pub nb: bool,
    /// Naive-Bayes smoothing α (pseudo-count per class).
    pub nb_alpha: f64,
    /// Multiply the NB ratio by the smoothed idf.
    pub idf: bool,
    /// Inverse regularisation strength C (larger fits the training data closer).
    pub c: f64,

    /// Newton iterations at most.
    pub max_iter: u32,
    /// Stop when the gradient norm falls below `tol` times its initial value.
    pub tol: f64,
    /// Worker threads for the matrix passes (0 = available parallelism).
    pub threads: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            features: FeatureConfig::default(),
            min_df: 3,
            max_features: 4_000_000,
            max_distinct_ngrams: 7_000_000,
            nb: true,
            nb_alpha: 2.0,
            idf: true,
            c: 32.0,
            max_iter: 30,
            tol: 1e-3,
            threads: 0,
        }
    }
}

impl TrainConfig {
    pub(crate) fn validate(&self) -> Result<()> {
        let f = &self.features;
        if !(1..=MAX_NGRAM).contains(&f.ngram_max) {
            return Err(Error::Config(format!("ngram_max {} is not 1..={MAX_NGRAM}", f.ngram_max)));
        }
        if f.tokenizer_version != crate::tokenize::TOKENIZER_VERSION {
            return Err(Error::Config(format!("tokenizer version {} is not this build's", f.tokenizer_version)));
        }
        if !(self.nb_alpha > 0.0 && self.nb_alpha.is_finite()) {
            return Err(Error::Config(format!("nb_alpha {} must be positive", self.nb_alpha)));
        }
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(Error::Config(format!("c {} must be positive", self.c)));
        }
        if !(self.tol > 0.0 && self.tol < 1.0) {
            return Err(Error::Config(format!("tol {} must be in (0, 1)", self.tol)));
        }
        if self.max_distinct_ngrams < 1024 {
            return Err(Error::Config(format!("max_distinct_ngrams {} is under 1024", self.max_distinct_ngrams)));
        }
        if self.max_features == 0 || self.max_features > u32::MAX as usize {
            return Err(Error::Config(format!("max_features {} is out of range", self.max_features)));
        }
        Ok(())
    }

    fn thread_count(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

/// What training measured, for logs and reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrainStats {
    /// Examples used.
    pub examples: usize,
    /// Positive examples among them.
    pub positive: usize,
    /// Distinct n-grams counted (at the end, after any pruning).
    pub distinct_ngrams: usize,
    /// Times the count table was pruned (see [`TrainConfig::max_distinct_ngrams`]).
    pub count_prunings: u32,
    /// Features kept.
    pub features: usize,
    /// Non-zeros of the training matrix.
    pub nonzeros: usize,
    /// Newton iterations run.
    pub newton_iterations: u32,
    /// Conjugate-gradient steps in total.
    pub cg_steps: u32,
    /// Final training loss (the objective divided by C·n: mean log-loss plus the
    /// scaled penalty).
    pub loss: f64,
    /// Seconds spent reading and featurising the examples.
    pub featurize_secs: f64,
    /// Seconds spent optimising.
    pub optimize_secs: f64,
}

/// The trained parameters, before they become a [`Model`](crate::Model).
pub(crate) struct Trained {
    /// Sorted by key.
    pub keys: Vec<u64>,
    pub scale: Vec<f32>,
    pub weight: Vec<f32>,
    pub bias: f32,
    pub stats: TrainStats,
}

/// A hasher for keys that are already well mixed: the key is the hash.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Counts = HashMap<u64, [u32; 2], BuildHasherDefault<KeyHasher>>;

/// Drops the rarest n-grams from the count table until it holds at most half of
/// `cap` (lossy counting; the table keeps its capacity, so memory stays put).
fn prune_counts(df: &mut Counts, cap: usize) {
    let before = df.len();
    let mut at_least = 2;
    loop {
        df.retain(|_, c| c[0] + c[1] >= at_least);
        if df.len() <= cap / 2 {
            break;
        }
        at_least += 1;
    }
    tracing::debug!(before, after = df.len(), at_least, "sentiment: pruned the n-gram count table");
}

/// Binary document-term matrix in compressed rows, without values.
struct Rows {
    offsets: Vec<usize>,
    indices: Vec<u32>,
}

impl Rows {
    fn row(&self, i: usize) -> &[u32] {
        &self.indices[self.offsets[i]..self.offsets[i + 1]]
    }
    fn len(&self) -> usize {
        self.offsets.len() - 1
    }
}

pub(crate) fn train<I>(examples: I, config: &TrainConfig) -> Result<Trained>
where
    I: IntoIterator,
    I::Item: Example,
{
    config.validate()?;
    let started = Instant::now();
    let mut stats = TrainStats::default();

    // 1. Document frequencies per class. The examples are kept (texts are about
    // five times smaller than their n-gram keys) and tokenised again in step 2,
    // so no per-document key list is held next to the count table.
    let examples: Vec<I::Item> = examples.into_iter().collect();
    let n = examples.len();
    let mut scratch = Scratch::default();
    let mut df = Counts::default();
    for example in &examples {
        distinct_keys(example.text(), config.features.ngram_max, &mut scratch);
        let class = usize::from(!example.label().is_positive());
        for &k in &scratch.keys {
            df.entry(k).or_default()[class] += 1;
        }
        if df.len() > config.max_distinct_ngrams {
            prune_counts(&mut df, config.max_distinct_ngrams);
            stats.count_prunings += 1;
        }
    }
    let y: Vec<f64> = examples.iter().map(|e| if e.label().is_positive() { 1.0 } else { -1.0 }).collect();
    stats.examples = n;
    stats.positive = y.iter().filter(|&&v| v > 0.0).count();
    if stats.positive == 0 || stats.positive == n {
        return Err(Error::OneClass { positive: stats.positive, negative: n - stats.positive });
    }
    stats.distinct_ngrams = df.len();

    // 2. Vocabulary: frequent enough, most frequent first; then the matrix.
    let mut kept: Vec<(u64, [u32; 2])> = df.into_iter().filter(|(_, [p, q])| p + q >= config.min_df.max(1)).collect();
    kept.sort_unstable_by(|a, b| (b.1[0] + b.1[1]).cmp(&(a.1[0] + a.1[1])).then(a.0.cmp(&b.0)));
    kept.truncate(config.max_features);
    kept.shrink_to_fit();
    let d = kept.len();
    if d == 0 {
        return Err(Error::Config(format!("no n-gram occurs in {} or more documents", config.min_df)));
    }
    let index = KeyTable::from_pairs(kept.iter().enumerate().map(|(i, &(k, _))| (k, i as u32)));
    let mut indices: Vec<u32> = Vec::new();
    let mut new_offsets: Vec<usize> = Vec::with_capacity(n + 1);
    new_offsets.push(0);
    for example in &examples {
        distinct_keys(example.text(), config.features.ngram_max, &mut scratch);
        let start = indices.len();
        indices.extend(scratch.keys.iter().filter_map(|&k| index.get(k)));
        indices[start..].sort_unstable();
        new_offsets.push(indices.len());
    }
    drop(examples);
    drop(index);
    let rows = Rows { offsets: new_offsets, indices };
    stats.features = d;
    stats.nonzeros = rows.indices.len();

    // 3. Feature scales: NB log-count ratio (times idf) and row norms.
    let counts: Vec<[u32; 2]> = kept.iter().map(|&(_, c)| c).collect();
    let scale = feature_scales(&counts, n, config);
    let inv_norm: Vec<f64> = (0..n)
        .map(|i| {
            if !config.features.l2_normalize {
                return 1.0;
            }
            let ss: f64 = rows.row(i).iter().map(|&j| scale[j as usize] * scale[j as usize]).sum();
            if ss > 0.0 {
                1.0 / ss.sqrt()
            } else {
                0.0
            }
        })
        .collect();
    stats.featurize_secs = started.elapsed().as_secs_f64();
    tracing::info!(
        examples = n,
        distinct = stats.distinct_ngrams,
        features = d,
        nonzeros = stats.nonzeros,
        secs = stats.featurize_secs,
        "sentiment features ready"
    );

    // 4. Logistic regression.
    let started = Instant::now();
    let problem = Problem { rows: &rows, scale: &scale, inv_norm: &inv_norm, y: &y, threads: config.thread_count() };
    let (w, b) = newton_cg(&problem, config, &mut stats);
    stats.optimize_secs = started.elapsed().as_secs_f64();
    tracing::info!(
        iterations = stats.newton_iterations,
        cg_steps = stats.cg_steps,
        loss = stats.loss,
        secs = stats.optimize_secs,
        "sentiment model trained"
    );

    // Back to key order for the model.
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_unstable_by_key(|&j| kept[j].0);
    Ok(Trained {
        keys: order.iter().map(|&j| kept[j].0).collect(),
        scale: order.iter().map(|&j| scale[j] as f32).collect(),
        weight: order.iter().map(|&j| w[j] as f32).collect(),
        bias: b as f32,
        stats,
    })
}

/// The naive-Bayes log-count ratios `r_j = ln((p_j / ‖p‖₁) / (q_j / ‖q‖₁))`,
/// `p_j = α + df⁺_j`, `q_j = α + df⁻_j`, of features with document frequencies
/// `[df⁺, df⁻]` (Wang & Manning 2012, with binarised counts).
pub fn nb_log_ratios(df: &[[u32; 2]], alpha: f64) -> Vec<f64> {
    let p_total: f64 = df.iter().map(|c| alpha + f64::from(c[0])).sum();
    let q_total: f64 = df.iter().map(|c| alpha + f64::from(c[1])).sum();
    df.iter().map(|c| ((alpha + f64::from(c[0])) / p_total).ln() - ((alpha + f64::from(c[1])) / q_total).ln()).collect()
}

/// The smoothed idf `ln((1 + n) / (1 + df)) + 1` (scikit-learn's default).
pub fn smooth_idf(df: u32, n_docs: usize) -> f64 {
    ((1.0 + n_docs as f64) / (1.0 + f64::from(df))).ln() + 1.0
}

/// Each feature's value when present, before row normalisation: NB ratio (or 1)
/// times idf (or 1).
fn feature_scales(df: &[[u32; 2]], n_docs: usize, config: &TrainConfig) -> Vec<f64> {
    let r = if config.nb { nb_log_ratios(df, config.nb_alpha) } else { vec![1.0; df.len()] };
    r.into_iter().zip(df).map(|(r, c)| if config.idf { r * smooth_idf(c[0] + c[1], n_docs) } else { r }).collect()
}

/// The data of the optimisation problem.
struct Problem<'a> {
    rows: &'a Rows,
    scale: &'a [f64],
    inv_norm: &'a [f64],
    y: &'a [f64],
    threads: usize,
}

impl Problem<'_> {
    /// `out[i] = xᵢ · v + vb`, with `sv = s ∘ v` precomputed by the caller.
    fn mul(&self, sv: &[f64], vb: f64, out: &mut [f64]) {
        let n = self.rows.len();
        let chunk = n.div_ceil(self.threads.max(1)).max(1);
        std::thread::scope(|sc| {
            for (c, out) in out.chunks_mut(chunk).enumerate() {
                sc.spawn(move || {
                    let base = c * chunk;
                    for (k, o) in out.iter_mut().enumerate() {
                        let i = base + k;
                        let dot: f64 = self.rows.row(i).iter().map(|&j| sv[j as usize]).sum();
                        *o = dot * self.inv_norm[i] + vb;
                    }
                });
            }
        });
    }

    /// `out = Xᵀ u` (feature part) and returns `Σ u` (the bias part).
    fn mul_t(&self, u: &[f64], out: &mut [f64], spare: &mut [Vec<f64>]) -> f64 {
        let n = self.rows.len();
        let t = self.threads.max(1);
        let chunk = n.div_ceil(t).max(1);
        out.iter_mut().for_each(|o| *o = 0.0);
        for s in spare.iter_mut() {
            s.iter_mut().for_each(|o| *o = 0.0);
        }
        std::thread::scope(|sc| {
            let mut accs: Vec<&mut [f64]> = vec![&mut *out];
            accs.extend(spare.iter_mut().map(|s| s.as_mut_slice()));
            for (c, acc) in accs.into_iter().enumerate().take(t) {
                sc.spawn(move || {
                    let rows = (c * chunk).min(n)..((c + 1) * chunk).min(n);
                    for ((i, ui), norm) in rows.clone().zip(&u[rows.clone()]).zip(&self.inv_norm[rows]) {
                        let ui = ui * norm;
                        if ui != 0.0 {
                            for &j in self.rows.row(i) {
                                acc[j as usize] += ui;
                            }
                        }
                    }
                });
            }
        });
        for s in spare.iter() {
            out.iter_mut().zip(s).for_each(|(o, v)| *o += v);
        }
        out.iter_mut().zip(self.scale).for_each(|(o, s)| *o *= s);
        u.iter().sum()
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `log(1 + exp(-m))`, stable for any margin `m`.
fn log_loss(m: f64) -> f64 {
    if m > 0.0 {
        (-m).exp().ln_1p()
    } else {
        -m + m.exp().ln_1p()
    }
}

fn sigmoid(m: f64) -> f64 {
    if m >= 0.0 {
        1.0 / (1.0 + (-m).exp())
    } else {
        let e = m.exp();
        e / (1.0 + e)
    }
}

/// Newton-CG on `½‖w‖² + C Σ log(1 + exp(-yᵢ zᵢ))`, `zᵢ = xᵢ·w + b`.
fn newton_cg(p: &Problem<'_>, config: &TrainConfig, stats: &mut TrainStats) -> (Vec<f64>, f64) {
    let (n, d) = (p.y.len(), p.scale.len());
    let c = config.c;
    let mut spare: Vec<Vec<f64>> = (1..p.threads.max(1)).map(|_| vec![0.0; d]).collect();
    let mut w = vec![0.0; d];
    let mut b = 0.0;
    let mut z = vec![0.0; n]; // margins without labels: xᵢ·w + b
    let mut g = vec![0.0; d];
    let mut s = vec![0.0; d];
    let mut r = vec![0.0; d];
    let mut dir = vec![0.0; d];
    let mut hd = vec![0.0; d];
    let mut sv = vec![0.0; d];
    let mut un = vec![0.0; n];
    let mut xs = vec![0.0; n];
    let mut dd = vec![0.0; n];
    let objective = |w2: f64, z: &[f64], step: f64, xs: &[f64]| -> f64 {
        0.5 * w2 + c * z.iter().zip(xs).zip(p.y).map(|((zi, si), yi)| log_loss(yi * (zi + step * si))).sum::<f64>()
    };
    let mut f = objective(0.0, &z, 0.0, &xs);
    let mut g0 = 0.0;
    for iter in 0..config.max_iter {
        // Gradient and Hessian weights.
        for i in 0..n {
            let sg = sigmoid(p.y[i] * z[i]);
            un[i] = c * (sg - 1.0) * p.y[i];
            dd[i] = c * sg * (1.0 - sg);
        }
        let gb = p.mul_t(&un, &mut g, &mut spare);
        g.iter_mut().zip(&w).for_each(|(gi, wi)| *gi += wi);
        let gnorm = (dot(&g, &g) + gb * gb).sqrt();
        if iter == 0 {
            g0 = gnorm;
        }
        tracing::debug!(iter, loss = f / (c * n as f64), gnorm, "newton");
        if gnorm <= config.tol * g0 {
            break;
        }
        stats.newton_iterations = iter + 1;
        // CG on H s = -g.
        s.iter_mut().for_each(|v| *v = 0.0);
        let mut sb = 0.0;
        r.iter_mut().zip(&g).for_each(|(ri, gi)| *ri = -gi);
        let mut rb = -gb;
        dir.copy_from_slice(&r);
        let mut db = rb;
        let mut rr = dot(&r, &r) + rb * rb;
        let cg_tol = 0.1 * gnorm;
        for _ in 0..250 {
            stats.cg_steps += 1;
            sv.iter_mut().zip(&dir).zip(p.scale).for_each(|((o, v), s)| *o = v * s);
            p.mul(&sv, db, &mut xs);
            xs.iter_mut().zip(&dd).for_each(|(x, di)| *x *= di);
            let hdb = p.mul_t(&xs, &mut hd, &mut spare) + 1e-8 * db;
            hd.iter_mut().zip(&dir).for_each(|(h, v)| *h += v);
            let dhd = dot(&dir, &hd) + db * hdb;
            if dhd <= 0.0 {
                break;
            }
            let a = rr / dhd;
            s.iter_mut().zip(&dir).for_each(|(si, di)| *si += a * di);
            sb += a * db;
            r.iter_mut().zip(&hd).for_each(|(ri, hi)| *ri -= a * hi);
            rb -= a * hdb;
            let rr_new = dot(&r, &r) + rb * rb;
            if rr_new.sqrt() <= cg_tol {
                break;
            }
            let beta = rr_new / rr;
            rr = rr_new;
            dir.iter_mut().zip(&r).for_each(|(di, ri)| *di = ri + beta * *di);
            db = rb + beta * db;
        }
        // Line search along s.
        sv.iter_mut().zip(&s).zip(p.scale).for_each(|((o, v), s)| *o = v * s);
        p.mul(&sv, sb, &mut xs);
        let (ww, ws, ss) = (dot(&w, &w), dot(&w, &s), dot(&s, &s));
        let slope = dot(&g, &s) + gb * sb;
        let mut step = 1.0;
        let mut f_new = objective(ww + 2.0 * step * ws + step * step * ss, &z, step, &xs);
        while f_new > f + 1e-4 * step * slope && step > 1e-10 {
            step *= 0.5;
            f_new = objective(ww + 2.0 * step * ws + step * step * ss, &z, step, &xs);
        }
        if f_new > f {
            break; // no progress possible
        }
        w.iter_mut().zip(&s).for_each(|(wi, si)| *wi += step * si);
        b += step * sb;
        z.iter_mut().zip(&xs).for_each(|(zi, si)| *zi += step * si);
        f = f_new;
    }
    stats.loss = f / (c * n as f64);
    (w, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Label;

    #[test]
    fn nb_ratios_by_hand() {
        // Feature 0 only in positive documents, 1 only in negative, 2 in both
        // equally. alpha = 1: p = [4, 1, 3] (sum 8), q = [1, 4, 3] (sum 8).
        let r = nb_log_ratios(&[[3, 0], [0, 3], [2, 2]], 1.0);
        assert!((r[0] - 4f64.ln()).abs() < 1e-12, "{r:?}");
        assert!((r[1] + 4f64.ln()).abs() < 1e-12, "{r:?}");
        assert!(r[2].abs() < 1e-12, "{r:?}");
        // Unequal class sizes: the ratio is of normalised counts.
        let r = nb_log_ratios(&[[9, 1], [1, 1]], 1.0); // p = [10, 2] / 12, q = [2, 2] / 4
        assert!((r[0] - ((10.0 / 12.0) / 0.5f64).ln()).abs() < 1e-12);
        assert!((r[1] - ((2.0 / 12.0) / 0.5f64).ln()).abs() < 1e-12);
        // idf: a term in every document still weighs 1.
        assert!((smooth_idf(10, 10) - 1.0).abs() < 1e-12);
        assert!((smooth_idf(0, 10) - (11f64.ln() + 1.0)).abs() < 1e-12);
        let cfg = TrainConfig { nb: false, idf: false, ..TrainConfig::default() };
        assert_eq!(feature_scales(&[[1, 2]], 5, &cfg), [1.0]);
    }

    #[test]
    fn pruning_keeps_the_frequent_ngrams() {
        let mut df = Counts::default();
        for k in 1..=100u64 {
            df.insert(k, [u32::from(k % 10 == 0) * 5, 1]);
        }
        prune_counts(&mut df, 40);
        let mut kept: Vec<u64> = df.keys().copied().collect();
        kept.sort_unstable();
        assert_eq!(kept, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    }

    #[test]
    fn a_small_count_table_still_trains() {
        let texts: Vec<(String, Label)> = (0..400)
            .map(|i| {
                let (word, label) = if i % 2 == 0 { ("great", Label::Positive) } else { ("awful", Label::Negative) };
                (format!("{word} film number{i} w{} w{}", i * 7, i * 13), label)
            })
            .collect();
        let config = TrainConfig { min_df: 2, max_distinct_ngrams: 1024, ..TrainConfig::default() };
        let t = train(&texts, &config).unwrap();
        assert!(t.stats.count_prunings > 0);
        assert!(t.stats.distinct_ngrams <= 1024);
        // The frequent, informative n-grams survived the pruning.
        for gram in [&["great"][..], &["awful"], &["great", "film"]] {
            assert!(t.keys.binary_search(&crate::features::ngram_key(gram)).is_ok(), "{gram:?}");
        }
    }
}
