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
//!   Bounds add up across groups but not within one (the impact tiers of a term
//!   hold disjoint documents; a product query word's terms count by their best).
//!   The longest prefix whose bounds sum to at most the current k-th score θ is
//!   *non-essential*: a document found only there cannot enter the top-k, so
//!   candidates come from the essential cursors only. The non-essential cursors
//!   are probed group by group (largest bound first) only while the partial score
//!   plus the remaining groups' bounds can still beat θ; a group already scored by
//!   an essential cursor adds nothing more when its lists are disjoint (a term's
//!   impact tiers in exact mode) and at most its bound minus that score otherwise.
//!   Inside a group of disjoint lists the longest is probed first: it is the most
//!   likely to hold the candidate, and finding it there ends the group's probes.
//! * **Block max**: for the doc range covered by the current blocks of all
//!   essential cursors, the sum of their block maxima plus the non-essential bounds
//!   is a bound; when it cannot beat θ the whole range is skipped without decoding
//!   (and when it can, it is not computed again for the next candidates of that
//!   range while θ and the essential lists stay the same).
//! * Candidates rejected by the filter are skipped before any scoring.

use crate::postings::{Cursor, ImpactBuf, Postings, BLOCK, END};

/// One term of a query plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct QueryTerm {
    /// The term id in the structure being searched.
    pub(crate) term: u32,
    /// Its query weight.
    pub(crate) weight: f32,
    /// The query word it stands for.
    pub(crate) group: u32,
}

/// Reusable buffers of the scorer: no allocation per query once warm.
#[derive(Default)]
pub(crate) struct ScoreScratch {
    cursors: Vec<Cursor>,
    /// One impact buffer per cursor (same index).
    impacts: Vec<ImpactBuf>,
    cum: Vec<f32>,
    heap: Vec<(f32, u32)>,
    /// Per group: best contribution to the current doc (0 = none yet).
    group_best: Vec<f32>,
    /// Per group: the largest bound among its non-essential cursors.
    ne_ub: Vec<f32>,
    /// Non-essential cursors ordered by (group bound desc, group, cursor bound desc).
    ne_seq: Vec<(u32, usize)>,
    touched: Vec<u32>,
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
    /// When false every group is one term, whose lists hold disjoint documents.
    pub(crate) grouped: bool,
}

/// Adds contribution `v` of group `g` to `score` (best-of-group semantics).
#[inline]
fn add(score: &mut f32, best: &mut [f32], touched: &mut Vec<u32>, g: u32, v: f32) {
    let b = &mut best[g as usize];
    if v > *b {
        if *b == 0.0 {
            touched.push(g);
        }
        *score += v - *b;
        *b = v;
    }
}

/// Recomputes the non-essential groups for cursors `0..first_ess`: groups by
/// bound, largest first; inside a group of disjoint lists (a term's impact tiers)
/// the longest list first, the most likely to hold the candidate (finding it ends
/// the group's probes), else the largest bound first.
fn plan_non_essential(
    sc_cursors: &[Cursor],
    first_ess: usize,
    disjoint: bool,
    ne_ub: &mut [f32],
    ne_seq: &mut Vec<(u32, usize)>,
) {
    ne_ub.iter_mut().for_each(|u| *u = 0.0);
    ne_seq.clear();
    for (i, c) in sc_cursors[..first_ess].iter().enumerate() {
        let u = &mut ne_ub[c.group as usize];
        *u = u.max(c.ub);
        ne_seq.push((c.group, i));
    }
    ne_seq.sort_by(|a, b| {
        let (ua, ub) = (ne_ub[a.0 as usize], ne_ub[b.0 as usize]);
        let inside =
            if disjoint { sc_cursors[b.1].len.cmp(&sc_cursors[a.1].len).then(b.1.cmp(&a.1)) } else { b.1.cmp(&a.1) };
        ub.total_cmp(&ua).then(a.0.cmp(&b.0)).then(inside)
    });
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
                sc.cursors.push(Cursor::open(p, t.term, list, t.weight, t.group));
            }
            groups = groups.max(t.group as usize + 1);
        }
    }
    if sc.cursors.is_empty() {
        return;
    }
    sc.cursors.sort_by(|a, b| a.ub.total_cmp(&b.ub));
    // cum[j] bounds what lists 0..=j can add to a document: per group (a term's
    // impact tiers share its group and hold disjoint docs; a product query word's
    // terms count by their best), the largest bound, summed over groups.
    sc.cum.clear();
    sc.group_best.clear();
    sc.group_best.resize(groups, 0.0);
    let mut acc = 0f32;
    for c in &sc.cursors {
        let g = &mut sc.group_best[c.group as usize];
        if c.ub > *g {
            acc += c.ub - *g;
            *g = c.ub;
        }
        sc.cum.push(acc);
    }
    sc.group_best.iter_mut().for_each(|g| *g = 0.0);
    sc.ne_ub.clear();
    sc.ne_ub.resize(groups, 0.0);
    sc.ne_seq.clear();
    sc.touched.clear();
    let disjoint = !params.grouped;
    sc.heap.clear();
    if sc.impacts.len() < sc.cursors.len() {
        sc.impacts.resize(sc.cursors.len(), [0.0; BLOCK]);
    }
    let ScoreScratch { cursors, impacts, cum, heap, group_best, ne_ub, ne_seq, touched } = sc;
    let n = cursors.len();
    let mut theta = 0f32;
    let mut first_ess = 0usize;
    let mut checked = (0u32, f32::NAN, usize::MAX);
    loop {
        let before = first_ess;
        while first_ess < n && margin(cum[first_ess] + prior_max) <= theta {
            first_ess += 1;
        }
        if first_ess == n {
            break;
        }
        if first_ess != before {
            plan_non_essential(cursors, first_ess, disjoint, ne_ub, ne_seq);
        }
        let mut d = END;
        for c in &cursors[first_ess..] {
            d = d.min(c.doc);
        }
        if d == END {
            break;
        }
        let non_ess_ub = if first_ess > 0 { cum[first_ess - 1] } else { 0.0 };
        // A window of docs whose block-max bound was found to beat θ (`checked`:
        // its θ and essential lists): no need to compute it again inside it.
        let recheck = d > checked.0 || theta != checked.1 || first_ess != checked.2;
        if heap.len() == k && recheck {
            // Block-max bound for docs d..=upto.
            let mut bound = non_ess_ub + prior_max;
            let mut upto = END;
            for c in &cursors[first_ess..] {
                if c.doc != END {
                    let mut ignored = 0f32;
                    add(&mut ignored, group_best, touched, c.group, c.block_ub(p));
                    bound += ignored;
                    upto = upto.min(c.block_last(p));
                }
            }
            for g in touched.drain(..) {
                group_best[g as usize] = 0.0;
            }
            if margin(bound) <= theta {
                let target = upto.saturating_add(1);
                for c in &mut cursors[first_ess..] {
                    c.advance(p, target);
                }
                continue;
            }
            checked = (upto, theta, first_ess);
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
        for (c, buf) in cursors[first_ess..].iter_mut().zip(&mut impacts[first_ess..]) {
            if c.doc == d {
                add(&mut score, group_best, touched, c.group, c.score(p, buf));
                c.next(p);
            }
        }
        // What the non-essential groups can still add.
        let headroom = |g: u32, best: &[f32]| -> f32 {
            let (u, b) = (ne_ub[g as usize], best[g as usize]);
            if b == 0.0 {
                u
            } else if disjoint {
                0.0
            } else {
                (u - b).max(0.0)
            }
        };
        let mut rem = non_ess_ub;
        for &g in touched.iter() {
            rem -= ne_ub[g as usize] - headroom(g, group_best);
        }
        let mut pruned = false;
        let mut i = 0;
        while i < ne_seq.len() {
            let g = ne_seq[i].0;
            let mut end = i + 1;
            while end < ne_seq.len() && ne_seq[end].0 == g {
                end += 1;
            }
            let h = headroom(g, group_best);
            if h > 0.0 {
                if margin(score + rem.max(0.0) + prior_max) <= theta {
                    pruned = true;
                    break;
                }
                for &(_, ci) in &ne_seq[i..end] {
                    let c = &mut cursors[ci];
                    c.advance(p, d);
                    if c.doc == d {
                        add(&mut score, group_best, touched, g, c.score(p, &mut impacts[ci]));
                        if disjoint {
                            break;
                        }
                    }
                }
                rem -= h;
            }
            i = end;
        }
        for g in touched.drain(..) {
            group_best[g as usize] = 0.0;
        }
        if pruned {
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
    out.extend(heap.iter().map(|&(s, d)| (d, s)));
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
}
