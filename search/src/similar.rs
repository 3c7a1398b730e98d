//! "More like this": the nearest documents by cosine of their tf-idf vectors.
//!
//! The document's own vector (in the product structure, or the exact one when only
//! that was built) is the query: its weights are the document's impacts, so the
//! score of another document is exactly the cosine of the two l2-normalised
//! vectors. There is no forward index: the vector is read back from the postings
//! ([`crate::index::Field::doc_terms`]), one probe per dictionary term, which costs
//! far less memory than storing every document's term list a second time. No prior is added. Excluded: the document itself,
//! any document with the same (non-empty) id, and any document with the same folded
//! title and year (the same film indexed twice); the results hold each film once.

use crate::engine::{with_scratch, Hit};
use crate::index::Index;
use crate::search::{top_k, QueryTerm, ScoreParams};

/// Extra candidates fetched so that dropping repeated films still leaves `limit`.
const REPEAT_SLACK: usize = 16;

impl Index {
    /// The `limit` documents most similar to `doc`, best first, never `doc` itself
    /// nor the same film twice. Empty for a doc number out of range.
    pub fn more_like_this(&self, doc: u32, limit: usize) -> Vec<Hit> {
        let d = doc as usize;
        if d >= self.len() || limit == 0 {
            return Vec::new();
        }
        let Some(field) = self.product.as_ref().map(|p| &p.field).or(self.exact.as_ref()) else {
            return Vec::new();
        };
        with_scratch(|sc| {
            let inv_norm = f64::from(field.postings.inv_norms[d]);
            if inv_norm <= 0.0 {
                return Vec::new();
            }
            field.doc_terms(doc, &mut sc.doc_terms);
            sc.terms.clear();
            for (group, &(term, tf)) in sc.doc_terms.iter().enumerate() {
                let weight = (f64::from(tf) * field.idf[term as usize] * inv_norm) as f32;
                sc.terms.push(QueryTerm { term, weight, group: group as u32 });
            }
            let keys = &self.docs.title_keys;
            let (own_key, own_id) = (keys[d], self.docs.id(d));
            let accept = |o: u32| {
                o != doc && keys[o as usize] != own_key && (own_id.is_empty() || self.docs.id(o as usize) != own_id)
            };
            let k = limit.saturating_add(REPEAT_SLACK).min(self.len());
            let params = ScoreParams { postings: &field.postings, k, accept, prior: None, grouped: false };
            top_k(&params, &sc.terms, &mut sc.score, &mut sc.top);
            // One hit per film: keep the best-scoring copy.
            let mut seen: Vec<u32> = Vec::with_capacity(limit.min(64));
            sc.top.retain(|&(o, _)| {
                let key = keys[o as usize];
                if seen.contains(&key) {
                    false
                } else {
                    seen.push(key);
                    true
                }
            });
            sc.top.truncate(limit);
            self.hits(&sc.top)
        })
    }
}
