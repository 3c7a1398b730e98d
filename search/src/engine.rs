//! The public search entry points ([`Index::search`], [`Index::suggest`]) and the
//! per-thread scratch space that makes a warm query allocation-free (apart from
//! the returned hits).

use std::cell::RefCell;

use crate::analyzer::ProductAnalyzer;
use crate::filter::Filter;
use crate::index::{Index, Mode};
use crate::query::{plan_exact, plan_product, PlanScratch, PrefixPolicy};
use crate::search::{top_k, QueryTerm, ScoreParams, ScoreScratch};

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The doc number (position in the documents given to [`Index::build`]).
    pub doc: u32,
    /// The caller's id of the document.
    pub id: String,
    /// The score: a cosine similarity in exact mode; cosine plus prior in product mode.
    pub score: f32,
}

/// Everything a query needs besides the index, reused between queries.
pub(crate) struct Scratch {
    pub(crate) plan: PlanScratch,
    pub(crate) score: ScoreScratch,
    pub(crate) terms: Vec<QueryTerm>,
    pub(crate) top: Vec<(u32, f32)>,
    /// A document's `(term, tf)` pairs (`more_like_this`).
    pub(crate) doc_terms: Vec<(u32, u32)>,
    pub(crate) analyzer: ProductAnalyzer,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            plan: PlanScratch::default(),
            score: ScoreScratch::default(),
            terms: Vec::new(),
            top: Vec::new(),
            doc_terms: Vec::new(),
            analyzer: ProductAnalyzer::new(),
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
}

/// Runs `f` with this thread's scratch (a fresh one if it is already in use).
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut sc) => f(&mut sc),
        Err(_) => f(&mut Scratch::new()),
    })
}

impl Index {
    /// The top `limit` documents for `query`, best first (score desc, then doc asc).
    ///
    /// Filters are applied while scoring, so a filtered search still returns up to
    /// `limit` matching documents. If `mode`'s structure was not built the other one
    /// is used. Any string is a valid query; one with no known term finds nothing.
    pub fn search(&self, query: &str, mode: Mode, filter: &Filter, limit: usize) -> Vec<Hit> {
        self.run(query, mode, filter, limit, PrefixPolicy::WhenUnknown)
    }

    /// As-you-type suggestions: product mode with the last word always expanded
    /// as a prefix (unless the query ends with a space), no filter.
    pub fn suggest(&self, prefix_query: &str, limit: usize) -> Vec<Hit> {
        self.run(prefix_query, Mode::Product, &Filter::default(), limit, PrefixPolicy::Always)
    }

    fn run(&self, query: &str, mode: Mode, filter: &Filter, limit: usize, policy: PrefixPolicy) -> Vec<Hit> {
        let Some(compiled) = self.docs.compile(filter) else {
            return Vec::new();
        };
        let k = limit.min(self.len());
        if k == 0 {
            return Vec::new();
        }
        let use_product = match mode {
            Mode::Product => self.product.is_some(),
            Mode::Exact => self.exact.is_none(),
        };
        with_scratch(|sc| {
            let (postings, prior, grouped) = if use_product {
                let Some(pf) = self.product.as_ref() else {
                    return Vec::new();
                };
                plan_product(pf, &sc.analyzer, query, policy, &mut sc.plan, &mut sc.terms);
                let prior = (!self.prior.is_empty()).then_some((&self.prior[..], self.prior_max));
                (&pf.field.postings, prior, true)
            } else {
                let Some(field) = self.exact.as_ref() else {
                    return Vec::new();
                };
                plan_exact(field, query, &mut sc.plan, &mut sc.terms);
                (&field.postings, None, false)
            };
            let docs = &self.docs;
            let accept = |d: u32| docs.accepts(&compiled, d);
            let params = ScoreParams { postings, k, accept, prior, grouped };
            top_k(&params, &sc.terms, &mut sc.score, &mut sc.top);
            self.hits(&sc.top)
        })
    }

    pub(crate) fn hits(&self, top: &[(u32, f32)]) -> Vec<Hit> {
        top.iter().map(|&(doc, score)| Hit { doc, id: self.docs.id(doc as usize).to_string(), score }).collect()
    }
}
