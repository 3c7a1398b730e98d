//! Query validation and query planning: a query string becomes weighted terms.

use crate::analyzer::{fold_into, for_each_word};
use crate::error::QueryError;
use crate::index::{Field, ProductField};
use crate::search::QueryTerm;
use crate::tokenize::{for_each_token_lowered, lowercase_into};
use crate::typo::{allowed_typos, fuzzy_matches, TypoScratch, MAX_TYPO_WORD_CHARS};

/// The longest query [`validate_query`] accepts, in characters.
pub const MAX_QUERY_CHARS: usize = 256;
/// Query words beyond this many are ignored in product mode (bounds the work).
pub const MAX_QUERY_WORDS: usize = 32;
/// Distinct exact-mode query terms beyond this many are ignored (bounds the work).
pub const MAX_EXACT_TERMS: usize = 4096;
/// How many dictionary words a prefix expands to at most (the most frequent win).
pub const PREFIX_EXPANSIONS: usize = 24;
/// How many typo corrections a word expands to at most (closest, then most frequent).
pub const TYPO_EXPANSIONS: usize = 8;
/// Query weight of a term reached by prefix expansion (an exact match weighs 1).
pub const PREFIX_WEIGHT: f32 = 0.8;
/// Query weight of a term reached with one typo.
pub const TYPO1_WEIGHT: f32 = 0.5;
/// Query weight of a term reached with two typos.
pub const TYPO2_WEIGHT: f32 = 0.3;
/// A query word whose stem is in at most this many documents also gets typo
/// corrections (it is "rare": more likely a typo than the film the user wants).
pub const RARE_DF: u32 = 2;
/// Prefixes shorter than this (in characters) are not expanded.
pub const MIN_PREFIX_CHARS: usize = 2;

/// Checks a query before it reaches the engine: trimmed, not empty, at most
/// [`MAX_QUERY_CHARS`] characters. Any other content (Unicode, emoji, SQL, HTML)
/// is fine: the engine treats queries as plain text. Returns the trimmed query.
pub fn validate_query(q: &str) -> Result<&str, QueryError> {
    let t = q.trim();
    if t.is_empty() {
        return Err(QueryError::Empty);
    }
    let chars = t.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong { chars, max: MAX_QUERY_CHARS });
    }
    Ok(t)
}

/// Reusable buffers of query planning.
#[derive(Default)]
pub(crate) struct PlanScratch {
    pub(crate) text: String,
    pub(crate) joined: String,
    pub(crate) ids: Vec<u32>,
    pub(crate) words: Vec<(usize, usize, bool)>,
    pub(crate) word_buf: String,
    pub(crate) expansions: Vec<(u32, u8)>,
    pub(crate) typo: TypoScratch,
    pub(crate) exact_weights: Vec<(u32, f64)>,
    pub(crate) group_max: Vec<f32>,
}

/// The exact-mode plan: the query's l2-normalised tf-idf vector, as sklearn's
/// `transform` computes it (unknown terms ignored).
pub(crate) fn plan_exact(field: &Field, query: &str, sc: &mut PlanScratch, out: &mut Vec<QueryTerm>) {
    out.clear();
    lowercase_into(query, &mut sc.text);
    sc.ids.clear();
    let ids = &mut sc.ids;
    for_each_token_lowered(&sc.text, |tok| {
        if let Some(t) = field.dict.find(tok) {
            ids.push(t);
        }
    });
    sc.ids.sort_unstable();
    let weights = &mut sc.exact_weights;
    weights.clear();
    let mut i = 0;
    while i < sc.ids.len() && weights.len() < MAX_EXACT_TERMS {
        let t = sc.ids[i];
        let mut count = 0u32;
        while i < sc.ids.len() && sc.ids[i] == t {
            count += 1;
            i += 1;
        }
        weights.push((t, f64::from(count) * field.idf[t as usize]));
    }
    let norm = weights.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    if norm > 0.0 {
        out.extend(weights.iter().enumerate().map(|(g, &(term, w))| QueryTerm {
            term,
            weight: (w / norm) as f32,
            group: g as u32,
        }));
    }
}

/// How product mode treats the last query word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrefixPolicy {
    /// Expand the last word as a prefix only when it is not itself a known term.
    WhenUnknown,
    /// Always expand the last word (as-you-type suggestions).
    Always,
}

/// The product-mode plan. Each query word is a group whose terms are its stem
/// (weight 1), prefix expansions of the last word ([`PREFIX_WEIGHT`]) and typo
/// corrections ([`TYPO1_WEIGHT`], [`TYPO2_WEIGHT`]); a document scores the best
/// term of each group. Weights are `penalty × idf`, l2-normalised over the groups.
pub(crate) fn plan_product(
    pf: &ProductField,
    analyzer: &crate::analyzer::ProductAnalyzer,
    query: &str,
    policy: PrefixPolicy,
    sc: &mut PlanScratch,
    out: &mut Vec<QueryTerm>,
) {
    out.clear();
    let field = &pf.field;
    fold_into(query, &mut sc.text);
    // Collect the words first: (start, end) in word_buf, and whether at the end.
    sc.words.clear();
    sc.word_buf.clear();
    let (words, buf) = (&mut sc.words, &mut sc.word_buf);
    for_each_word(&sc.text, &mut sc.joined, |w| {
        if words.len() < MAX_QUERY_WORDS {
            let start = buf.len();
            buf.push_str(w.text);
            words.push((start, buf.len(), w.at_end));
        }
    });
    let mut group_max = std::mem::take(&mut sc.group_max);
    group_max.clear();
    for (g, &(a, b, at_end)) in sc.words.iter().enumerate() {
        let word = &sc.word_buf[a..b];
        let group = g as u32;
        let first = out.len();
        let exact = field.dict.find(&analyzer.stem(word));
        let mut best = 0f32;
        if let Some(t) = exact {
            let w = field.idf[t as usize] as f32;
            out.push(QueryTerm { term: t, weight: w, group });
            best = w;
        }
        let chars = word.chars().count();
        let want_prefix = at_end
            && chars >= MIN_PREFIX_CHARS
            && match policy {
                PrefixPolicy::Always => true,
                PrefixPolicy::WhenUnknown => exact.is_none(),
            };
        let mut expanded = false;
        if want_prefix {
            sc.expansions.clear();
            for s in pf.surface.prefix_range(word) {
                let t = pf.surface_stem[s];
                if Some(t) != exact {
                    sc.expansions.push((t, 0));
                }
            }
            sc.expansions.sort_unstable();
            sc.expansions.dedup();
            sc.expansions.sort_by_key(|&(t, _)| std::cmp::Reverse(field.postings.df(t)));
            sc.expansions.truncate(PREFIX_EXPANSIONS);
            for &(t, _) in &sc.expansions {
                let w = PREFIX_WEIGHT * field.idf[t as usize] as f32;
                out.push(QueryTerm { term: t, weight: w, group });
                best = best.max(w);
            }
            expanded = !sc.expansions.is_empty();
        }
        let rare = exact.is_none_or(|t| field.postings.df(t) <= RARE_DF);
        let typos = allowed_typos(chars);
        if rare && !expanded && typos > 0 && chars <= MAX_TYPO_WORD_CHARS {
            sc.expansions.clear();
            fuzzy_matches(&pf.surface, word, typos, &mut sc.typo, &mut sc.expansions);
            for e in &mut sc.expansions {
                e.0 = pf.surface_stem[e.0 as usize];
            }
            // Closest first, then most frequent; one entry per stem.
            sc.expansions.sort_unstable_by_key(|&(t, d)| (d, std::cmp::Reverse(field.postings.df(t)), t));
            let mut kept = 0;
            for i in 0..sc.expansions.len() {
                let (t, d) = sc.expansions[i];
                if kept == TYPO_EXPANSIONS {
                    break;
                }
                if Some(t) == exact || out[first..].iter().any(|q| q.term == t) {
                    continue;
                }
                let penalty = if d <= 1 { TYPO1_WEIGHT } else { TYPO2_WEIGHT };
                let w = penalty * field.idf[t as usize] as f32;
                out.push(QueryTerm { term: t, weight: w, group });
                best = best.max(w);
                kept += 1;
            }
        }
        group_max.push(best);
    }
    let norm = group_max.iter().map(|w| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        for q in out.iter_mut() {
            q.weight /= norm;
        }
    } else {
        out.clear();
    }
    sc.group_max = group_max;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_query_limits() {
        assert_eq!(validate_query(""), Err(QueryError::Empty));
        assert_eq!(validate_query(" \t\n "), Err(QueryError::Empty));
        assert_eq!(validate_query("  casablanca "), Ok("casablanca"));
        let ok = "é".repeat(MAX_QUERY_CHARS);
        assert!(validate_query(&ok).is_ok(), "256 two-byte chars are 256 characters");
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(validate_query(&long), Err(QueryError::TooLong { chars: 257, max: 256 }));
        for q in ["🎬🍿", "'; DROP TABLE movies; --", "<script>alert(1)</script>", "東京物語"] {
            assert_eq!(validate_query(q), Ok(q));
        }
    }
}
