//! Document-at-a-time top-k scoring with block-max MaxScore.
//!
//! The score of a document is `Σ_groups max_{term ∈ group} weight(term) ×
//! impact(term, doc)` (+ the popularity prior in product mode). In exact mode each
//! query term is its own group, so this is the plain dot product of the query's and
//! the document's l2-normalised tf-idf vectors.
//!
//! Pruning never changes the result (up to float rounding, guarded by a 1e-5
//! relative margin on every bound):
//! * **MaxScore**: cursors are sorted by their upper bound `weight × max impact`.
//!   The longest prefix whose bounds sum to at most the current k-th score θ is
//!   *non-essential*: a document found only there cannot enter the top-k, so
//!   candidates come from the essential cursors only, and non-essential cursors
//!   are probed (largest bound first) only while the partial score plus the
//!   remaining bounds can still beat θ.
//! * **Block max**: for the doc range covered by the current blocks of all
//!   essential cursors, the sum of their block maxima plus the non-essential bounds
//!   is a bound; when it cannot beat θ the whole range is skipped without decoding.
//! * Candidates rejected by the filter are skipped before any scoring.

use crate::postings::{Cursor, Postings, END};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
/// debug counters
pub static STATS: [AtomicU64; 6] =
    [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];

/// One term of a query plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct QueryTerm {
    /// The term id in the structure being searched.
    pub(crate) term: u32,
    /// Its query weight.
    pub(crate) weight: f32,
    /// The query word it stands for.
    pub(crate) group: u16,
}

/// Reusable buffers of the scorer: no allocation per query once warm.
#[derive(Default)]
pub(crate) struct ScoreScratch {
    cursors: Vec<Cursor>,
    cum: Vec<f32>,
    heap: Vec<(f32, u32)>,
    group_best: Vec<f32>,
    touched: Vec<u16>,
}

/// Bounds are inflated by this relative margin so that rounding differences between
/// a bound and a score never prune a document that would make the top-k.
#[inline]
fn margin(bound: f32) -> f32 {
    bound * (1.0 + 1e-5)
}

/// `a` ranks below `b`: lower score, or equal score and later doc.
#[inline]
fn worse(a: (f32, u32), b: (f32, u32)) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 > b.1)
}

fn sift_down(heap: &mut [(f32, u32)], mut i: usize) {
    loop {
        let (l, r) = (2 * i + 1, 2 * i + 2);
        let mut m = i;
        if l < heap.len() && worse(heap[l], heap[m]) {
            m = l;
        }
        if r < heap.len() && worse(heap[r], heap[m]) {
            m = r;
        }
        if m == i {
            return;
        }
        heap.swap(i, m);
        i = m;
    }
}

fn sift_up(heap: &mut [(f32, u32)], mut i: usize) {
    while i > 0 {
        let parent = (i - 1) / 2;
        if !worse(heap[i], heap[parent]) {
            return;
        }
        heap.swap(i, parent);
        i = parent;
    }
}

/// What [`top_k`] needs besides the terms.
pub(crate) struct ScoreParams<'a, A: Fn(u32) -> bool> {
    /// The structure searched.
    pub(crate) postings: &'a Postings,
    /// How many results.
    pub(crate) k: usize,
    /// Whether a doc may be returned (filters, exclusions).
    pub(crate) accept: A,
    /// Per-doc additive prior, with its maximum.
    pub(crate) prior: Option<(&'a [f32], f32)>,
    /// Whether several terms can share a group (the best of a group counts).
    pub(crate) grouped: bool,
}

/// The top `k` documents for `terms`, best first (score desc, then doc asc), into `out`.
pub(crate) fn top_k<A: Fn(u32) -> bool>(
    params: &ScoreParams<'_, A>,
    terms: &[QueryTerm],
    sc: &mut ScoreScratch,
    out: &mut Vec<(u32, f32)>,
) {
    out.clear();
    let p = params.postings;
    let k = params.k;
    if k == 0 || terms.is_empty() {
        return;
    }
    let (prior, prior_max) = match params.prior {
        Some((values, max)) => (Some(values), max),
        None => (None, 0.0),
    };
    sc.cursors.clear();
    let mut groups = 0usize;
    for t in terms {
        if t.weight > 0.0 {
            // A frequent term has several impact tiers: one cursor each (disjoint docs).
            for list in p.lists(t.term) {
                sc.cursors.push(Cursor::open(p, list, t.weight, t.group));
            }
            groups = groups.max(t.group as usize + 1);
        }
    }
    if sc.cursors.is_empty() {
        return;
    }
    sc.cursors.sort_by(|a, b| a.ub.total_cmp(&b.ub));
    sc.cum.clear();
    let mut acc = 0f32;
    for c in &sc.cursors {
        acc += c.ub;
        sc.cum.push(acc);
    }
    let grouped = params.grouped;
    if grouped {
        sc.group_best.clear();
        sc.group_best.resize(groups, 0.0);
    }
    sc.heap.clear();
    let heap = &mut sc.heap;
    let cursors = &mut sc.cursors;
    let cum = &sc.cum;
    let n = cursors.len();
    let mut theta = 0f32;
    let mut first_ess = 0usize;
    loop {
        while first_ess < n && margin(cum[first_ess] + prior_max) <= theta {
            first_ess += 1;
        }
        if first_ess == n {
            break;
        }
        let mut d = END;
        for c in &cursors[first_ess..] {
            d = d.min(c.doc);
        }
        if d == END {
            break;
        }
        STATS[0].fetch_add(1, Relaxed);
        let non_ess_ub = if first_ess > 0 { cum[first_ess - 1] } else { 0.0 };
        if heap.len() == k {
            // Block-max bound for docs d..=upto.
            let mut bound = non_ess_ub + prior_max;
            let mut upto = END;
            for c in &cursors[first_ess..] {
                if c.doc != END {
                    bound += c.block_ub(p);
                    upto = upto.min(c.block_last(p));
                }
            }
            if margin(bound) <= theta {
                STATS[1].fetch_add(1, Relaxed);
                let target = upto.saturating_add(1);
                for c in &mut cursors[first_ess..] {
                    c.advance(p, target);
                }
                continue;
            }
        }
        if !(params.accept)(d) {
            for c in &mut cursors[first_ess..] {
                if c.doc == d {
                    c.next(p);
                }
            }
            continue;
        }
        let mut score = 0f32;
        for c in &mut cursors[first_ess..] {
            if c.doc == d {
                let v = c.score(p);
                if grouped {
                    let best = &mut sc.group_best[c.group as usize];
                    if v > *best {
                        if *best == 0.0 {
                            sc.touched.push(c.group);
                        }
                        score += v - *best;
                        *best = v;
                    }
                } else {
                    score += v;
                }
                c.next(p);
            }
        }
        let mut pruned = false;
        for j in (0..first_ess).rev() {
            if margin(score + cum[j] + prior_max) <= theta {
                pruned = true;
                break;
            }
            let c = &mut cursors[j];
            STATS[2].fetch_add(1, Relaxed);
            c.advance(p, d);
            if c.doc == d {
                let v = c.score(p);
                if grouped {
                    let best = &mut sc.group_best[c.group as usize];
                    if v > *best {
                        if *best == 0.0 {
                            sc.touched.push(c.group);
                        }
                        score += v - *best;
                        *best = v;
                    }
                } else {
                    score += v;
                }
            }
        }
        if grouped {
            for g in sc.touched.drain(..) {
                sc.group_best[g as usize] = 0.0;
            }
        }
        if pruned {
            STATS[3].fetch_add(1, Relaxed);
            continue;
        }
        if let Some(prior) = prior {
            score += prior[d as usize];
        }
        let entry = (score, d);
        if heap.len() < k {
            heap.push(entry);
            let last = heap.len() - 1;
            sift_up(heap, last);
        } else if worse(heap[0], entry) {
            heap[0] = entry;
            sift_down(heap, 0);
        }
        if heap.len() == k {
            theta = heap[0].0;
        }
    }
    STATS[4].fetch_add(n as u64, Relaxed);
    STATS[5].fetch_add(first_ess as u64, Relaxed);
    out.extend(heap.iter().map(|&(s, d)| (d, s)));
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
}
