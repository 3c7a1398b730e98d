//! The index: documents' attributes plus one inverted structure per mode, and
//! its single-pass builder.

use crate::analyzer::{fold_into, for_each_word, ProductAnalyzer};
use crate::filter::{DocTable, NO_YEAR};
use crate::postings::Postings;
use crate::termdict::{FxMap, TermDict};
use crate::tokenize::{for_each_token_lowered, lowercase_into};

/// A document to index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The caller's id (returned in every [`crate::Hit`]).
    pub id: String,
    /// The title (boosted in product mode).
    pub title: String,
    /// The body text (overview, plot summary).
    pub body: String,
    /// Vote count, for the product-mode popularity prior.
    pub votes: u64,
    /// Release year, for filters.
    pub year: Option<i32>,
    /// Rating, for filters.
    pub rating: Option<f32>,
    /// Genres, for filters (matched case- and accent-insensitively).
    pub genres: Vec<String>,
}

/// How a query is matched and ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// scikit-learn `TfidfVectorizer()` parity: same tokens, idf, norms and scores.
    Exact,
    /// What the site uses: folding, stemming, title boost, prefix, typos, prior.
    Product,
}

/// Which structures [`crate::Index::build_with`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildOptions {
    /// Build the exact (scikit-learn parity) structure.
    pub exact: bool,
    /// Build the product structure (also used by `more_like_this`).
    pub product: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions { exact: true, product: true }
    }
}

/// Weight of a title occurrence relative to a body occurrence (product mode).
pub const TITLE_BOOST: u32 = 3;
/// Weight of the popularity prior: `PRIOR_WEIGHT × ln(1 + votes) / ln(1 + max votes)`.
pub const PRIOR_WEIGHT: f32 = 0.02;

/// A document's term list (sorted term ids with their term frequency), varint
/// delta-encoded, plus the document's tf-idf norm: what `more_like_this` needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Forward {
    /// `bytes[offsets[d]..offsets[d + 1]]`: doc `d`'s `(term gap, tf)` varint pairs.
    pub(crate) offsets: Vec<u64>,
    /// Encoded term lists.
    pub(crate) bytes: Vec<u8>,
    /// `‖tf·idf‖` of each document.
    pub(crate) norms: Vec<f32>,
}

impl Forward {
    /// Doc `d`'s `(term, tf)` pairs into `out`; `None` if the bytes are malformed.
    pub(crate) fn terms(&self, d: usize, out: &mut Vec<(u32, u32)>) -> Option<()> {
        out.clear();
        let bytes = self.bytes.get(self.offsets[d] as usize..self.offsets[d + 1] as usize)?;
        let mut at = 0usize;
        let mut term = 0u32;
        let mut first = true;
        while at < bytes.len() {
            let gap = read_varint(bytes, &mut at)?;
            let tf = read_varint(bytes, &mut at)?;
            term = if first { gap } else { term.checked_add(gap)?.checked_add(1)? };
            first = false;
            out.push((term, tf));
        }
        Some(())
    }
}

fn push_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u32> {
    let mut v = 0u32;
    for shift in (0..35).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= u32::from(b & 0x7f).checked_shl(shift)?;
        if b < 0x80 {
            return Some(v);
        }
    }
    None
}

/// One inverted structure: a sorted term dictionary, idf and postings.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Field {
    /// Terms, sorted; a term id is its rank.
    pub(crate) dict: TermDict,
    /// Smoothed idf of each term, `ln((1 + N) / (1 + df)) + 1`.
    pub(crate) idf: Vec<f64>,
    /// Posting lists with impacts `tf·idf / ‖doc‖`.
    pub(crate) postings: Postings,
    /// Document term lists, kept for the structure `more_like_this` uses.
    pub(crate) forward: Option<Forward>,
}

/// The product structure: a stemmed [`Field`] plus the dictionary of surface
/// (folded, unstemmed) words used for prefix and typo matching.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ProductField {
    /// Stemmed terms.
    pub(crate) field: Field,
    /// Surface words, sorted.
    pub(crate) surface: TermDict,
    /// The stem term id of each surface word.
    pub(crate) surface_stem: Vec<u32>,
}

/// A searchable index over a set of documents. Immutable once built; share it
/// between threads freely (`&Index` is all searching needs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Index {
    pub(crate) docs: DocTable,
    pub(crate) exact: Option<Field>,
    pub(crate) product: Option<ProductField>,
    /// Popularity prior per doc (derived from votes, not stored on disk).
    pub(crate) prior: Vec<f32>,
    pub(crate) prior_max: f32,
}

/// Builds one field's structures from the per-doc `(provisional term, tf)` lists.
struct FieldBuilder {
    terms: FxMap<Box<str>, u32>,
    pairs: Vec<(u32, u32)>,
    doc_ends: Vec<usize>,
    scratch: Vec<(u32, u32)>,
}

impl FieldBuilder {
    fn new() -> Self {
        FieldBuilder { terms: FxMap::default(), pairs: Vec::new(), doc_ends: Vec::new(), scratch: Vec::new() }
    }

    #[inline]
    fn term_id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.terms.get(term) {
            return id;
        }
        let id = self.terms.len() as u32;
        self.terms.insert(term.into(), id);
        id
    }

    /// Adds a document from its `(term, weight)` occurrences in `scratch`.
    fn end_doc(&mut self) {
        self.scratch.sort_unstable_by_key(|&(t, _)| t);
        let mut i = 0;
        while i < self.scratch.len() {
            let t = self.scratch[i].0;
            let mut tf = 0u32;
            while i < self.scratch.len() && self.scratch[i].0 == t {
                tf = tf.saturating_add(self.scratch[i].1);
                i += 1;
            }
            self.pairs.push((t, tf));
        }
        self.scratch.clear();
        self.doc_ends.push(self.pairs.len());
    }

    /// Sorts the dictionary, computes idf and norms, inverts. Returns the field and
    /// the map from provisional to final term ids.
    fn finish(mut self, keep_forward: bool) -> (Field, Vec<u32>) {
        let n_docs = self.doc_ends.len();
        let mut terms: Vec<(Box<str>, u32)> = self.terms.drain().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut remap = vec![0u32; terms.len()];
        for (rank, (_, old)) in terms.iter().enumerate() {
            remap[*old as usize] = rank as u32;
        }
        let dict = TermDict::from_sorted(terms.iter().map(|(t, _)| &**t));
        drop(terms);
        let n_terms = remap.len();
        let mut df = vec![0u32; n_terms];
        for p in &mut self.pairs {
            p.0 = remap[p.0 as usize];
            df[p.0 as usize] += 1;
        }
        let n = n_docs as f64;
        let idf: Vec<f64> = df.iter().map(|&d| ((1.0 + n) / (1.0 + f64::from(d))).ln() + 1.0).collect();
        // Norms, and the per-doc lists sorted by final term id (for the forward index).
        let mut norms = vec![0f64; n_docs];
        let mut start = 0usize;
        for (d, &end) in self.doc_ends.iter().enumerate() {
            let list = &mut self.pairs[start..end];
            list.sort_unstable_by_key(|&(t, _)| t);
            norms[d] = list
                .iter()
                .map(|&(t, tf)| {
                    let w = f64::from(tf) * idf[t as usize];
                    w * w
                })
                .sum::<f64>()
                .sqrt();
            start = end;
        }
        // Invert by counting sort: docs come out ascending within every term.
        let mut offsets = vec![0usize; n_terms + 1];
        for t in 0..n_terms {
            offsets[t + 1] = offsets[t] + df[t] as usize;
        }
        let total = offsets[n_terms];
        let mut fill = offsets.clone();
        let mut inv_docs = vec![0u32; total];
        let mut inv_impacts = vec![0f32; total];
        let mut start = 0usize;
        for (d, &end) in self.doc_ends.iter().enumerate() {
            let norm = norms[d];
            for &(t, tf) in &self.pairs[start..end] {
                let slot = &mut fill[t as usize];
                inv_docs[*slot] = d as u32;
                inv_impacts[*slot] = (f64::from(tf) * idf[t as usize] / norm) as f32;
                *slot += 1;
            }
            start = end;
        }
        drop(fill);
        let mut postings = Postings::new();
        let mut scratch = Vec::new();
        for t in 0..n_terms {
            let (a, b) = (offsets[t], offsets[t + 1]);
            postings.push_term(&inv_docs[a..b], &inv_impacts[a..b], &mut scratch);
        }
        postings.finish();
        drop(inv_docs);
        drop(inv_impacts);
        let forward = keep_forward.then(|| {
            let mut fwd = Forward {
                offsets: Vec::with_capacity(n_docs + 1),
                bytes: Vec::new(),
                norms: norms.iter().map(|&x| x as f32).collect(),
            };
            fwd.offsets.push(0);
            let mut start = 0usize;
            for &end in &self.doc_ends {
                let mut prev: Option<u32> = None;
                for &(t, tf) in &self.pairs[start..end] {
                    let gap = match prev {
                        None => t,
                        Some(p) => t - p - 1,
                    };
                    push_varint(&mut fwd.bytes, gap);
                    push_varint(&mut fwd.bytes, tf);
                    prev = Some(t);
                }
                fwd.offsets.push(fwd.bytes.len() as u64);
                start = end;
            }
            fwd
        });
        (Field { dict, idf, postings, forward }, remap)
    }
}

/// FNV-1a 64 of the folded title words and the year: the "same film" key.
fn title_key(folded_title: &str, year: Option<i32>) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    for word in folded_title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        word.bytes().for_each(&mut eat);
        eat(b' ');
    }
    year.unwrap_or(NO_YEAR).to_le_bytes().into_iter().for_each(eat);
    h
}

impl Index {
    /// Builds both the exact and the product structures (see [`Index::build_with`]).
    pub fn build(docs: impl IntoIterator<Item = Document>) -> Index {
        Self::build_with(docs, BuildOptions::default())
    }

    /// Builds the structures chosen in `options`, in one pass over the documents.
    ///
    /// Searching a mode that was not built falls back to the one that was; with
    /// neither, every search is empty. Doc numbers are positions in `docs`.
    pub fn build_with(docs: impl IntoIterator<Item = Document>, options: BuildOptions) -> Index {
        let analyzer = ProductAnalyzer::new();
        let mut table = DocTable { id_offsets: vec![0], genre_offsets: vec![0], ..Default::default() };
        let mut genre_ids: FxMap<String, u16> = FxMap::default();
        let mut exact = options.exact.then(FieldBuilder::new);
        let mut product = options.product.then(FieldBuilder::new);
        // Surface word -> provisional stem id (stem each distinct word once).
        let mut surface: FxMap<Box<str>, u32> = FxMap::default();
        let (mut text, mut lowered, mut folded, mut joined) =
            (String::new(), String::new(), String::new(), String::new());
        for doc in docs {
            table.ids.push_str(&doc.id);
            table.id_offsets.push(table.ids.len() as u32);
            table.years.push(doc.year.unwrap_or(NO_YEAR));
            table.ratings.push(doc.rating.unwrap_or(f32::NAN));
            table.votes.push(doc.votes);
            let first_genre = table.genres.len();
            for g in &doc.genres {
                fold_into(g, &mut folded);
                let name = folded.trim();
                if name.is_empty() {
                    continue;
                }
                let next = genre_ids.len();
                let id = match genre_ids.get(name) {
                    Some(&id) => id,
                    None if next <= u16::MAX as usize => {
                        genre_ids.insert(name.to_string(), next as u16);
                        next as u16
                    }
                    None => continue, // more than 65536 genres: the rest are not filterable
                };
                if !table.genres[first_genre..].contains(&id) {
                    table.genres.push(id);
                }
            }
            table.genre_offsets.push(table.genres.len() as u32);
            fold_into(&doc.title, &mut folded);
            table.title_keys.push(title_key(&folded, doc.year));

            if let Some(b) = exact.as_mut() {
                text.clear();
                text.push_str(&doc.title);
                text.push(' ');
                text.push_str(&doc.body);
                lowercase_into(&text, &mut lowered);
                for_each_token_lowered(&lowered, |tok| {
                    let id = b.term_id(tok);
                    b.scratch.push((id, 1));
                });
                b.end_doc();
            }
            if let Some(b) = product.as_mut() {
                for (body, weight) in [(&doc.title, TITLE_BOOST), (&doc.body, 1)] {
                    fold_into(body, &mut folded);
                    for_each_word(&folded, &mut joined, |w| {
                        let id = match surface.get(w.text) {
                            Some(&id) => id,
                            None => {
                                let id = b.term_id(&analyzer.stem(w.text));
                                surface.insert(w.text.into(), id);
                                id
                            }
                        };
                        b.scratch.push((id, weight));
                    });
                }
                b.end_doc();
            }
        }
        // Genre ids were given in first-seen order; the dictionary is sorted.
        let mut names: Vec<(String, u16)> = genre_ids.into_iter().collect();
        names.sort_unstable();
        let mut genre_remap = vec![0u16; names.len()];
        for (rank, (_, old)) in names.iter().enumerate() {
            genre_remap[*old as usize] = rank as u16;
        }
        for g in &mut table.genres {
            *g = genre_remap[*g as usize];
        }
        for d in 0..table.len() {
            let (a, b) = (table.genre_offsets[d] as usize, table.genre_offsets[d + 1] as usize);
            table.genres[a..b].sort_unstable();
        }
        table.genre_names = TermDict::from_sorted(names.iter().map(|(n, _)| n.as_str()));

        let keep_exact_forward = !options.product;
        let exact = exact.map(|b| b.finish(keep_exact_forward).0);
        let product = product.map(|b| {
            let (field, remap) = b.finish(true);
            let mut words: Vec<(Box<str>, u32)> = surface.into_iter().collect();
            words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            let surface_stem = words.iter().map(|(_, id)| remap[*id as usize]).collect();
            let surface = TermDict::from_sorted(words.iter().map(|(w, _)| &**w));
            ProductField { field, surface, surface_stem }
        });
        let mut index = Index { docs: table, exact, product, prior: Vec::new(), prior_max: 0.0 };
        index.compute_prior();
        index
    }

    /// Derives the popularity prior from the vote counts.
    pub(crate) fn compute_prior(&mut self) {
        let max_votes = self.docs.votes.iter().copied().max().unwrap_or(0);
        let denom = (1.0 + max_votes as f64).ln();
        self.prior = self
            .docs
            .votes
            .iter()
            .map(|&v| if denom > 0.0 { (f64::from(PRIOR_WEIGHT) * (1.0 + v as f64).ln() / denom) as f32 } else { 0.0 })
            .collect();
        self.prior_max = self.prior.iter().copied().fold(0.0, f32::max);
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index holds no documents.
    pub fn is_empty(&self) -> bool {
        self.docs.len() == 0
    }

    /// The caller's id of doc `doc`; empty for a doc number out of range.
    pub fn doc_id(&self, doc: u32) -> &str {
        if (doc as usize) < self.docs.len() {
            self.docs.id(doc as usize)
        } else {
            ""
        }
    }

    /// Which structures this index holds.
    pub fn options(&self) -> BuildOptions {
        BuildOptions { exact: self.exact.is_some(), product: self.product.is_some() }
    }

    /// Number of distinct terms in the structure of `mode` (0 if not built).
    pub fn vocabulary_len(&self, mode: Mode) -> usize {
        match mode {
            Mode::Exact => self.exact.as_ref().map_or(0, |f| f.dict.len()),
            Mode::Product => self.product.as_ref().map_or(0, |p| p.field.dict.len()),
        }
    }

    /// The exact-mode idf of `term` (a lower-cased sklearn token), if indexed.
    pub fn exact_idf(&self, term: &str) -> Option<f64> {
        let f = self.exact.as_ref()?;
        f.dict.find(term).map(|t| f.idf[t as usize])
    }
}
