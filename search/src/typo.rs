//! Typo tolerance: words of the sorted dictionary within a small edit distance.
//!
//! The rule is Meilisearch's: no typo allowed below 5 letters, one from 5 letters,
//! two from 9 letters ([`allowed_typos`]). The distance is the optimal string
//! alignment distance (Levenshtein plus adjacent transpositions, each costing 1).
//!
//! The search walks the sorted dictionary like a trie: the dynamic-programming row
//! of each prefix is reused by the next word sharing that prefix, and as soon as a
//! row's minimum exceeds the allowed distance every word with that prefix is
//! skipped with one binary search.

use crate::termdict::TermDict;

/// Words longer than this (in characters) get no typo expansion (bounds the work).
pub const MAX_TYPO_WORD_CHARS: usize = 32;

/// Typos allowed in a query word of `chars` characters: 0 below 5, 1 from 5, 2 from 9.
pub fn allowed_typos(chars: usize) -> u8 {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Optimal string alignment distance between two strings (by characters).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, slot) in d.iter_mut().take(w).enumerate() {
        *slot = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        for j in 1..w {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// Reusable buffers for [`fuzzy_matches`].
#[derive(Default)]
pub(crate) struct TypoScratch {
    query: Vec<char>,
    word: Vec<char>,
    prev: Vec<char>,
    rows: Vec<u8>,
}

/// Pushes `(dictionary id, distance)` for every word within `max` edits of `query`
/// that starts with the same letter (the query word itself excluded) into `out`.
pub(crate) fn fuzzy_matches(dict: &TermDict, query: &str, max: u8, sc: &mut TypoScratch, out: &mut Vec<(u32, u8)>) {
    if max == 0 {
        return;
    }
    sc.query.clear();
    sc.query.extend(query.chars());
    let m = sc.query.len();
    let w = m + 1;
    // Row r holds the distances between the first r chars of the word and each
    // prefix of the query; rows are capped at 255.
    sc.rows.clear();
    sc.rows.extend((0..w).map(|j| j.min(255) as u8));
    sc.prev.clear();
    let mut valid = 0usize; // rows 0..=valid belong to the current `prev` prefix
                            // Only words sharing the first letter (Lucene's `prefix_length` = 1).
    let Some(first) = query.chars().next() else {
        return;
    };
    let mut buf = [0u8; 4];
    let range = dict.prefix_range(first.encode_utf8(&mut buf));
    let n = range.end;
    let mut i = range.start;
    while i < n {
        let word = dict.get(i);
        sc.word.clear();
        sc.word.extend(word.chars());
        let lcp = sc.word.iter().zip(&sc.prev).take_while(|(a, b)| a == b).count();
        let start = lcp.min(valid);
        let mut pruned_at: Option<usize> = None;
        for r in start + 1..=sc.word.len() {
            let need = (r + 1) * w;
            if sc.rows.len() < need {
                sc.rows.resize(need, 0);
            }
            let c = sc.word[r - 1];
            let (before, cur) = sc.rows.split_at_mut(r * w);
            let up = &before[(r - 1) * w..];
            cur[0] = r.min(255) as u8;
            let mut row_min = cur[0];
            for j in 1..w {
                let cost = u8::from(c != sc.query[j - 1]);
                let mut v =
                    (up[j].saturating_add(1)).min(cur[j - 1].saturating_add(1)).min(up[j - 1].saturating_add(cost));
                if r > 1 && j > 1 && c == sc.query[j - 2] && sc.word[r - 2] == sc.query[j - 1] {
                    v = v.min(before[(r - 2) * w + j - 2].saturating_add(1));
                }
                cur[j] = v;
                row_min = row_min.min(v);
            }
            if row_min > max {
                pruned_at = Some(r);
                break;
            }
        }
        std::mem::swap(&mut sc.prev, &mut sc.word);
        if let Some(r) = pruned_at {
            valid = r;
            // Skip every word that starts with this r-character prefix.
            let bytes: usize = sc.prev[..r].iter().map(|c| c.len_utf8()).sum();
            let next = dict.prefix_range(&word[..bytes]).end;
            i = next.max(i + 1);
            continue;
        }
        valid = sc.prev.len();
        let dist = sc.rows[valid * w + m];
        if dist <= max && word != query {
            out.push((i as u32, dist));
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_follow_meilisearch() {
        assert_eq!(allowed_typos(4), 0);
        assert_eq!(allowed_typos(5), 1);
        assert_eq!(allowed_typos(8), 1);
        assert_eq!(allowed_typos(9), 2);
        assert_eq!(allowed_typos(20), 2);
    }

    #[test]
    fn distance_counts_transpositions_once() {
        assert_eq!(edit_distance("godfater", "godfather"), 1);
        assert_eq!(edit_distance("gdofather", "godfather"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("léon", "leon"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn fuzzy_matches_agree_with_brute_force() {
        let mut words = vec![
            "godfather",
            "godfathers",
            "godfrey",
            "gold",
            "golden",
            "goodfellas",
            "casablanca",
            "casa",
            "cat",
            "catch",
            "shawshank",
            "shank",
            "godfat",
            "gofather",
            "odfather",
            "zzz",
        ];
        words.sort_unstable();
        let dict = TermDict::from_sorted(words.iter().copied());
        let mut sc = TypoScratch::default();
        for query in ["godfater", "godfather", "casablance", "shawshenk", "gold", "xyzzy", "catc", "odfather", ""] {
            for max in [1u8, 2] {
                let mut got = Vec::new();
                fuzzy_matches(&dict, query, max, &mut sc, &mut got);
                let mut want: Vec<(u32, u8)> = (0..dict.len())
                    .filter_map(|i| {
                        let d = edit_distance(dict.get(i), query);
                        let same_first = dict.get(i).chars().next() == query.chars().next();
                        (d <= max as usize && dict.get(i) != query && same_first).then_some((i as u32, d as u8))
                    })
                    .collect();
                got.sort_unstable();
                want.sort_unstable();
                assert_eq!(got, want, "query {query} max {max}");
            }
        }
    }
}
